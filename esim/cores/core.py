"""Core: one simulated e-core running the interpreter over its launches, one at a time.

A launch on a core follows the launch protocol (docs/backends.md): the core fetches the program
image and its argument block from shared DRAM, runs, posts printed lines and finally its result
into its mailbox in shared DRAM, where the host reads them.  Every transfer crosses the mesh
model, so none of it is free.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from epython.bytecode import protocol
from epython.bytecode.costs import LAUNCH_COSTS
from epython.bytecode.image import NO_INIT
from epython.bytecode.opcodes import ErrorCode
from epython.launch_memory import workspace_bytes
from epython.marshal import MarshalError, NestingError, encode_resident, encode_value
from esim.cores.interp import Interpreter, KernelFault
from esim.cores.memory import from_wire, to_wire
from esim.cores.values import Array, Fault, same_bits

if TYPE_CHECKING:
    from esim.chip import Chip, LaunchState

__all__ = ["KINDS", "Core", "CoreOutcome"]

#: What a core's cycles are spent on (the profiler's categories).
KINDS = ("compute", "message", "barrier", "dram", "host_io")






def launch_cycles(image_bytes: int, args_bytes: int, list_args_bytes: int,
                  array_args_bytes: int, costs: Mapping[str, float] = LAUNCH_COSTS) -> float:
    """The core's own work for one launch (``costs.LAUNCH_COSTS``, measured on the real build)."""
    return (costs["launch"] + costs["image byte"] * image_bytes
            + costs["argument byte"] * args_bytes
            + costs["list argument byte"] * list_args_bytes
            + costs["array argument byte"] * array_args_bytes)


@dataclass
class CoreOutcome:
    """What one core produced for one launch."""

    core: int
    value: Any = None
    error: ErrorCode = ErrorCode.OK
    message: str = ""
    func: int = 0
    lineno: int = 0
    start_cycle: int = 0
    end_cycle: int = 0
    instructions: int = 0
    compute_cycles: int = 0
    lines: list[str] = field(default_factory=list)
    #: array arguments this core changed: argument index -> {flat index: new value}
    array_updates: dict[int, dict[int, Any]] = field(default_factory=dict)
    peak_memory: int = 0
    #: simulated cycles by what the core was doing: compute, message, barrier, dram, host_io
    cycles_by_kind: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 0.0))
    aborted: bool = False  # the host aborted the launch (deadlock)

    @property
    def cycles(self) -> int:
        """Simulated cycles from the core taking the launch to its result reaching the host."""
        return self.end_cycle - self.start_cycle


class Core:
    """A simulated core: its id, its FIFO of launches, and the process that runs each one."""

    def __init__(self, chip: Chip, core_id: int) -> None:
        self.chip = chip
        self.env: simpy.Environment = chip.env
        self.id = core_id
        self.row, self.col = chip.config.coords(core_id)
        self.slot = simpy.Resource(self.env, capacity=1)  # launches queue here in FIFO order
        self.waiting_for = ""  # what the core is blocked on (for deadlock reports)

    def __repr__(self) -> str:
        return f"<Core {self.id} ({self.row},{self.col})>"

    def run_launch(self, launch: LaunchState) -> Generator[simpy.Event, Any, None]:
        """SimPy process: wait for the core, fetch, execute, post the result.

        An interrupt (the host aborting a deadlocked launch) ends the launch on this core with
        an ``aborted`` outcome and frees the core for the next launch.
        """
        try:
            yield from self._run_launch(launch)
        except simpy.Interrupt as stop:
            launch.finish(CoreOutcome(self.id, error=ErrorCode.RuntimeError, message=str(stop.cause),
                                      start_cycle=int(self.env.now), end_cycle=int(self.env.now),
                                      aborted=True))

    def _run_launch(self, launch: LaunchState) -> Generator[simpy.Event, Any, None]:
        env = self.env
        mesh = self.chip.mesh
        with self.slot.request() as turn:
            yield turn
            outcome = CoreOutcome(self.id, start_cycle=int(env.now))
            kinds = outcome.cycles_by_kind
            t0 = env.now
            yield launch.signalled[self.id]  # the host's start flag
            kinds["host_io"] += env.now - t0
            t0 = env.now
            fetch = mesh.read(self.id, "dram", launch.image_bytes + launch.args_bytes,
                              method="dma_read")
            yield fetch.arrived
            kinds["dram"] += env.now - t0
            if launch.program is None:
                # The runtime verifies every image before running it (docs/bytecode.md).
                outcome.error = ErrorCode.BadImage
                outcome.message = f"the core's verifier rejected the program image: {launch.image_error}"
                yield from self._post_result(launch, outcome, 8 + len(outcome.message))
                launch.finish(outcome)
                return
            resident = self.chip.device_data[self.id]
            # The kernel works on a copy: a failing kernel leaves the resident values intact.
            working = {name: from_wire(to_wire(v)) for name, v in resident.items()}
            # The argument block sits in core memory below the workspace: the count byte, the
            # encoded arguments, then (when the program names any) this core's device-resident
            # values as (u16 global index, encoded value) after a count byte, as the device's
            # host writes it (epython/backends/device/backend.py).
            block = 1 + launch.args_bytes + len(encode_resident(
                launch.program.globals, {name: to_wire(v) for name, v in working.items()}))
            interp = Interpreter(launch.program, self.id, len(launch.cores),
                                 global_values=working,
                                 workspace=workspace_bytes(
                                     self.chip.config, launch.image_bytes, block,
                                     protocol.launch_tables_bytes(len(launch.program.consts),
                                                                  len(launch.program.globals),
                                                                  len(launch.program.functions))))
            # the core's own launch work (verifying and copying the image, decoding its tables
            # and the arguments, posting the result), measured on the real build
            interp.cycles += round(launch_cycles(launch.image_bytes, launch.args_bytes,
                                                 launch.list_args_bytes, launch.array_args_bytes))
            args = [from_wire(v) for v in launch.args]
            interp.heap.exempt_in_place(args + list(working.values()))
            arrays = [(i, a) for i, a in enumerate(args) if isinstance(a, Array)]
            originals = {i: list(a.data) for i, a in arrays}
            charged = 0
            partial = ""
            posted: dict[str, Any] = {}
            gen = interp.run(args)
            reply: Any = None
            failure: Fault | None = None
            try:
                while True:
                    if failure is not None:
                        request = gen.throw(failure)
                    else:
                        request = gen.send(reply)
                    if interp.cycles > charged:
                        yield env.timeout(interp.cycles - charged)
                        kinds["compute"] += interp.cycles - charged
                        charged = interp.cycles
                    reply = None
                    failure = None
                    t0 = env.now
                    if request.name == "print":
                        partial = yield from self._print(launch, outcome, partial + request.args[0])
                        kinds["host_io"] += env.now - t0
                    elif request.name != "tick":
                        try:
                            reply = yield from self.chip.comm.handle(self, launch, request)
                        except Fault as fault:
                            failure = fault
                        kinds["barrier" if request.name == "parallel.sync" else "message"] += \
                            env.now - t0
            except StopIteration as stop:
                outcome.value = to_wire(stop.value)
                # the device-resident values the kernel leaves, posted with the result
                posted = {slot.name: value for slot, value in zip(launch.program.globals,
                                                                  interp.globals)
                          if slot.name in resident and slot.init == NO_INIT}
            except KernelFault as fault:
                outcome.error = fault.code
                outcome.message = fault.message
                outcome.func = fault.func
                outcome.lineno = fault.lineno
            if interp.cycles > charged:
                yield env.timeout(interp.cycles - charged)
                kinds["compute"] += interp.cycles - charged
            t0 = env.now
            if partial:
                yield from self._print(launch, outcome, partial + "\n")
                kinds["host_io"] += env.now - t0
            outcome.instructions = interp.instructions
            outcome.peak_memory = interp.heap.peak + launch.image_bytes + block
            for index, array in arrays:
                # the elements whose bits differ from the argument's at launch (as the device's
                # runtime.c compares its copy with the argument block): writing back an
                # unchanged value does not override another core's change
                before = originals[index]
                changed = {i: array.data[i] for i in sorted(array.dirty)
                           if not same_bits(array.data[i], before[i], array.dtype)}
                if changed:
                    outcome.array_updates[index] = changed
            outcome.compute_cycles = interp.cycles
            result_bytes = 0
            if not outcome.error:
                try:
                    result_bytes = len(encode_value(outcome.value))
                    if result_bytes > protocol.MAILBOX_RESULT_BYTES:
                        outcome.error = ErrorCode.TypeError
                        outcome.message = protocol.RESULT_TOO_LARGE_MESSAGE
                        outcome.value = None
                    elif result_bytes + len(encode_resident(
                            launch.program.globals,
                            {name: to_wire(v) for name, v in posted.items()})) \
                            > protocol.MAILBOX_RESULT_BYTES:
                        outcome.error = ErrorCode.MemoryError
                        outcome.message = protocol.RESIDENT_TOO_LARGE_MESSAGE
                        outcome.value = None
                    else:  # device-resident values persist only when the whole result posts
                        resident.update(posted)
                except NestingError:
                    outcome.error = ErrorCode.RecursionError
                    outcome.message = protocol.NESTING_ENCODE_MESSAGE
                    outcome.value = None
                except MarshalError as exc:
                    outcome.error = ErrorCode.TypeError
                    outcome.message = f"the kernel's result cannot be returned to the host: {exc}"
                    outcome.value = None
            if outcome.error:
                result_bytes = 8 + len(outcome.message.encode())
            yield from self._post_result(launch, outcome, result_bytes)
        launch.finish(outcome)

    def _post_result(self, launch: LaunchState, outcome: CoreOutcome,
                     result_bytes: int) -> Generator[simpy.Event, Any, None]:
        """The core posts its result into its DRAM mailbox; the host then reads it."""
        env = self.env
        t0 = env.now
        yield self.chip.mesh.write(self.id, "dram", result_bytes + 8, method="store").arrived
        yield self.chip.mesh.read("host", "dram", result_bytes + 8, method="load").arrived
        outcome.cycles_by_kind["host_io"] += env.now - t0
        outcome.end_cycle = int(env.now)

    def _print(self, launch: LaunchState, outcome: CoreOutcome,
               text: str) -> Generator[simpy.Event, Any, str]:
        """Post complete lines to the DRAM print buffer; return the unfinished tail."""
        *lines, tail = text.split("\n")
        for line in lines:
            nbytes = len(line.encode("utf-8")) + 1
            transfer = self.chip.mesh.write(self.id, "dram", max(nbytes, 1), method="store")
            yield transfer.issued  # stores are posted: the core goes on
            outcome.lines.append(line)
            launch.post_line(self.id, line, transfer.arrived)
        return tail

