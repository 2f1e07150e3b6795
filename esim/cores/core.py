"""Core: one simulated e-core running the interpreter over its launches, one at a time.

A launch on a core follows the launch protocol (docs/backends.md): the core fetches the program
image and its argument block from shared DRAM, places them in its memory, executes, and posts
printed lines and finally its result into its mailbox in shared DRAM, where the host reads
them.  Every transfer crosses the mesh model, so none of it is free.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

import simpy

from epython.bytecode import protocol
from epython.bytecode.costs import LAUNCH_COSTS
from epython.bytecode.image import NO_INIT, Program
from epython.bytecode.memory import launch_tables_bytes, workspace_bytes
from epython.bytecode.opcodes import BUILTIN_BY_NAME, ErrorCode
from epython.marshal import (
    MarshalError,
    NestingError,
    SharedArg,
    SharedEncodeError,
    encode_resident,
    encode_value,
)
from esim.config import ChipConfig
from esim.cores.comm import SYNC, RankComm
from esim.cores.dram import DramView
from esim.cores.engine import TICK_CODE, KernelFault
from esim.cores.interp import Interpreter
from esim.cores.launch import KINDS, CoreOutcome, LaunchState
from esim.cores.memory import from_wire, to_wire
from esim.cores.values import Array, Fault, same_bits
from esim.mesh import Mesh

__all__ = ["KINDS", "Core", "CoreOutcome", "launch_cycles"]

_PRINT = BUILTIN_BY_NAME["print"].code


def launch_cycles(image_bytes: int, args_bytes: int, list_args_bytes: int,
                  array_args_bytes: int, costs: Mapping[str, float] = LAUNCH_COSTS) -> float:
    """The core's own work for one launch (``costs.LAUNCH_COSTS``, measured on the real build)."""
    return (costs["launch"] + costs["image byte"] * image_bytes
            + costs["argument byte"] * args_bytes
            + costs["list argument byte"] * list_args_bytes
            + costs["array argument byte"] * array_args_bytes)


@dataclass
class _Placed:
    """A launch placed in a core's memory, ready to execute."""

    interp: Interpreter
    args: list[Any]
    block: int  # the argument block's size in core memory
    #: the array arguments with their elements at launch (to find what the kernel changed)
    arrays: list[tuple[int, Array]]
    originals: dict[int, list[Any]]
    #: this core's views of the launch's shared() arrays (their accesses become DRAM traffic)
    dram: list[DramView]


class Core:
    """A simulated core: its id, its FIFO of launches, and the process that runs each one.

    ``resident`` holds the core's device-resident values by name; they persist across launches
    (the chip's ``copy_to_device`` writes them).
    """

    def __init__(self, env: simpy.Environment, mesh: Mesh, config: ChipConfig, core_id: int,
                 resident: dict[str, Any]) -> None:
        self.env = env
        self.mesh = mesh
        self.config = config
        self.id = core_id
        self.row, self.col = config.coords(core_id)
        self.resident = resident
        self.slot = simpy.Resource(env, capacity=1)  # launches queue here in FIFO order
        self.waiting_for = ""  # what the core is blocked on (for deadlock reports)

    def __repr__(self) -> str:
        return f"<Core {self.id} ({self.row},{self.col})>"

    def run_launch(self, launch: LaunchState) -> Generator[simpy.Event, Any, None]:
        """SimPy process: wait for the core, fetch, place, execute, post the result.

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
        with self.slot.request() as turn:
            yield turn
            outcome = CoreOutcome(self.id, start_cycle=int(self.env.now))
            yield from self._fetch(launch, outcome)
            if launch.program is None:
                # The runtime verifies every image before running it (docs/bytecode.md).
                outcome.error = ErrorCode.BadImage
                outcome.message = f"the core's verifier rejected the program image: {launch.image_error}"
                yield from self._post_result(launch, outcome, 8 + len(outcome.message))
                launch.finish(outcome)
                return
            placed = self._place(launch, launch.program)
            posted = yield from self._execute(launch, placed, outcome)
            result_bytes = self._result(launch.program, placed, outcome, posted)
            outcome.peak_memory = placed.interp.heap.peak + launch.image_bytes + placed.block
            yield from self._post_result(launch, outcome, result_bytes)
        launch.finish(outcome)

    # --- the four steps of a launch ------------------------------------------------------
    def _fetch(self, launch: LaunchState, outcome: CoreOutcome) -> Generator[simpy.Event, Any, None]:
        """Wait for the host's start flag, then DMA the image and the arguments from DRAM."""
        env = self.env
        kinds = outcome.cycles_by_kind
        t0 = env.now
        yield launch.signalled[self.id]  # the host's start flag
        kinds["host_io"] += env.now - t0
        t0 = env.now
        fetch = self.mesh.read(self.id, "dram", launch.image_bytes + launch.block(self.id).nbytes,
                               method="dma_read")
        yield fetch.arrived
        kinds["dram"] += env.now - t0

    def _place(self, launch: LaunchState, program: Program) -> _Placed:
        """Decode the arguments and this core's device-resident values into its memory and set
        up the interpreter over the workspace that is left."""
        # The kernel works on a copy: a failing kernel leaves the resident values intact.
        working = {name: from_wire(to_wire(v)) for name, v in self.resident.items()}
        given = launch.block(self.id)
        # The argument block sits in core memory below the workspace: the count byte, the
        # encoded arguments, then (when the program names any) this core's device-resident
        # values as (u16 global index, encoded value) after a count byte, as the device's host
        # writes it (epython/backends/device/backend.py).
        block = 1 + given.nbytes + len(encode_resident(
            program.globals, {name: to_wire(v) for name, v in working.items()}))
        interp = Interpreter(program, self.id, len(launch.cores), global_values=working,
                             workspace=workspace_bytes(
                                 self.config, launch.image_bytes, block,
                                 launch_tables_bytes(len(program.consts), len(program.globals),
                                                     len(program.functions))))
        # the core's own launch work (verifying and copying the image, decoding its tables and
        # the arguments, posting the result), measured on the real build
        interp.cycles += round(launch_cycles(launch.image_bytes, given.nbytes,
                                             given.list_bytes, given.array_bytes))
        dram: list[DramView] = []
        args: list[Any] = []
        for v in given.args:
            if isinstance(v, SharedArg):
                store = launch.shared[id(v)]
                dram.append(store.view())
                args.append(store.array(dram[-1]))
            else:
                args.append(from_wire(v))
        interp.heap.exempt_in_place(args + list(working.values()))
        arrays = [(i, a) for i, a in enumerate(args)
                  if isinstance(a, Array) and not isinstance(a.data, DramView)]
        return _Placed(interp, args, block, arrays,
                       {i: list(a.data) for i, a in arrays}, dram)

    def _execute(self, launch: LaunchState, placed: _Placed,
                 outcome: CoreOutcome) -> Generator[simpy.Event, Any, dict[str, Any]]:
        """Drive the interpreter: charge its cycles to simulated time and carry out its
        requests (printing, the parallel module).  Returns the device-resident values the
        kernel leaves (posted with its result)."""
        env = self.env
        kinds = outcome.cycles_by_kind
        interp = placed.interp
        comm = RankComm(env, self.mesh, launch, self.id)
        charged = 0
        partial = ""
        posted: dict[str, Any] = {}
        gen = interp.run(placed.args)
        reply: Any = None
        failure: Fault | None = None
        try:
            while True:
                request = gen.throw(failure) if failure is not None else gen.send(reply)
                if interp.cycles > charged:
                    yield env.timeout(interp.cycles - charged)
                    kinds["compute"] += interp.cycles - charged
                    charged = interp.cycles
                if placed.dram:
                    yield from self._dram_traffic(placed.dram, kinds)
                reply = None
                failure = None
                t0 = env.now
                if request.code == _PRINT:
                    partial = yield from self._print(launch, outcome, partial + request.args[0])
                    kinds["host_io"] += env.now - t0
                elif request.code != TICK_CODE:
                    try:
                        reply = yield from comm.handle(request)
                    except Fault as fault:
                        failure = fault
                    kinds["barrier" if request.code == SYNC else "message"] += env.now - t0
        except StopIteration as stop:
            outcome.value = to_wire(stop.value)
            program = interp.program
            posted = {slot.name: value for slot, value in zip(program.globals, interp.globals)
                      if slot.name in self.resident and slot.init == NO_INIT}
        except KernelFault as fault:
            outcome.error = fault.code
            outcome.message = fault.message
            outcome.func = fault.func
            outcome.lineno = fault.lineno
            outcome.chain = fault.chain
        if interp.cycles > charged:
            yield env.timeout(interp.cycles - charged)
            kinds["compute"] += interp.cycles - charged
        if placed.dram:
            yield from self._dram_traffic(placed.dram, kinds)
        t0 = env.now
        if partial:
            yield from self._print(launch, outcome, partial + "\n")
            kinds["host_io"] += env.now - t0
        outcome.instructions = interp.instructions
        outcome.compute_cycles = interp.cycles
        return posted

    def _dram_traffic(self, views: list[DramView],
                      kinds: dict[str, float]) -> Generator[simpy.Event, Any, None]:
        """Move the shared-DRAM accesses the kernel made since the last yield over the mesh:
        its posted stores, then its blocking loads (one round trip each), by element size."""
        loads: dict[int, int] = {}
        stores: dict[int, int] = {}
        for view in views:
            n_loads, n_stores = view.take()
            if n_loads:
                loads[view.esize] = loads.get(view.esize, 0) + n_loads
            if n_stores:
                stores[view.esize] = stores.get(view.esize, 0) + n_stores
        if not loads and not stores:
            return
        env = self.env
        t0 = env.now
        for size, count in sorted(stores.items()):
            yield self.mesh.write(self.id, "dram", size * count, method="store",
                                  element=size).issued
        for size, count in sorted(loads.items()):
            yield self.mesh.read(self.id, "dram", size * count, method="load", element=size).arrived
        kinds["dram"] += env.now - t0

    def _result(self, program: Program, placed: _Placed, outcome: CoreOutcome,
                posted: dict[str, Any]) -> int:
        """Fill in the outcome's array updates and check that the result (and the resident
        values it carries) can be posted; the bytes the result takes in the mailbox."""
        for index, array in placed.arrays:
            # the elements whose bits differ from the argument's at launch (as the device's
            # runtime.c compares its copy with the argument block): writing back an unchanged
            # value does not override another core's change
            before = placed.originals[index]
            changed = {i: array.data[i] for i in sorted(array.dirty)
                       if not same_bits(array.data[i], before[i], array.dtype)}
            if changed:
                outcome.array_updates[index] = changed
        result_bytes = 0
        if not outcome.error:
            try:
                result_bytes = len(encode_value(outcome.value))
                if result_bytes > protocol.MAILBOX_RESULT_BYTES:
                    outcome.error = ErrorCode.TypeError
                    outcome.message = protocol.RESULT_TOO_LARGE_MESSAGE
                    outcome.value = None
                elif result_bytes + len(encode_resident(
                        program.globals, {name: to_wire(v) for name, v in posted.items()})) \
                        > protocol.MAILBOX_RESULT_BYTES:
                    outcome.error = ErrorCode.MemoryError
                    outcome.message = protocol.RESIDENT_TOO_LARGE_MESSAGE
                    outcome.value = None
                else:  # device-resident values persist only when the whole result posts
                    self.resident.update(posted)
            except SharedEncodeError as exc:
                outcome.error = ErrorCode.TypeError
                outcome.message = str(exc)
                outcome.value = None
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
        return result_bytes

    def _post_result(self, launch: LaunchState, outcome: CoreOutcome,
                     result_bytes: int) -> Generator[simpy.Event, Any, None]:
        """The core posts its result into its DRAM mailbox; the host then reads it."""
        env = self.env
        t0 = env.now
        yield self.mesh.write(self.id, "dram", result_bytes + 8, method="store").arrived
        yield self.mesh.read("host", "dram", result_bytes + 8, method="load").arrived
        if launch.shared and len(launch.outcomes) == len(launch.cores) - 1:
            # the launch's last result: the host reads the shared arrays back from DRAM
            yield self.mesh.read("host", "dram", launch.shared_bytes, method="load").arrived
        outcome.cycles_by_kind["host_io"] += env.now - t0
        outcome.end_cycle = int(env.now)

    def _print(self, launch: LaunchState, outcome: CoreOutcome,
               text: str) -> Generator[simpy.Event, Any, str]:
        """Post complete lines to the DRAM print buffer; return the unfinished tail."""
        *lines, tail = text.split("\n")
        for line in lines:
            nbytes = len(line.encode("utf-8")) + 1
            transfer = self.mesh.write(self.id, "dram", max(nbytes, 1), method="store")
            yield transfer.issued  # stores are posted: the core goes on
            outcome.lines.append(line)
            launch.post_line(self.id, line, transfer.arrived)
        return tail
