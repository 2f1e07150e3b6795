"""Core: one simulated e-core running the interpreter over its launches, one at a time.

A launch on a core follows the launch protocol (docs/backends.md): the core fetches the program
image and its argument block from shared DRAM, places them in its memory, executes, and posts
printed lines and finally its result into its mailbox in shared DRAM, where the host reads
them.  Every transfer crosses the mesh model, so none of it is free.
"""

from __future__ import annotations

import copy
import time
from collections import deque
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import simpy

from epython.bytecode import protocol
from epython.bytecode.costs import LAUNCH_COSTS
from epython.bytecode.image import NO_INIT, Program
from epython.bytecode.instr import iter_code
from epython.bytecode.memory import launch_tables_bytes, workspace_bytes
from epython.bytecode.opcodes import BUILTIN_BY_NAME, BUILTINS, ErrorCode, Op
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

__all__ = ["KINDS", "Core", "CoreOutcome", "Prerun", "core_independent", "launch_cycles"]

_PRINT = BUILTIN_BY_NAME["print"].code
_IMMUTABLE = frozenset({int, float, bool, str, type(None)})
_CALL_BUILTIN = Op.CALL_BUILTIN

#: The instructions whose effect cannot depend on the core that runs them, but through a
#: builtin (named here, not taken from the table: an instruction added later is not on the
#: list until someone checks that it reads neither the core's id nor its random generator).
_CORE_BLIND_OPS = frozenset("""
    NOP POP_TOP DUP_TOP DUP_TOP_TWO ROT_TWO ROT_THREE LOAD_CONST LOAD_NONE LOAD_TRUE LOAD_FALSE
    LOAD_INT LOAD_LOCAL STORE_LOCAL LOAD_GLOBAL STORE_GLOBAL UNARY_NEG UNARY_POS UNARY_NOT
    UNARY_INVERT BINARY_ADD BINARY_SUB BINARY_MUL BINARY_TRUEDIV BINARY_FLOORDIV BINARY_MOD
    BINARY_POW BINARY_LSHIFT BINARY_RSHIFT BINARY_AND BINARY_OR BINARY_XOR COMPARE_EQ COMPARE_NE
    COMPARE_LT COMPARE_LE COMPARE_GT COMPARE_GE COMPARE_IN COMPARE_NOT_IN COMPARE_IS
    COMPARE_IS_NOT JUMP POP_JUMP_IF_FALSE POP_JUMP_IF_TRUE JUMP_IF_FALSE_OR_POP
    JUMP_IF_TRUE_OR_POP GET_ITER FOR_ITER BUILD_TUPLE BUILD_LIST UNPACK_SEQUENCE BINARY_SUBSCR
    STORE_SUBSCR SLICE_SUBSCR CALL CALL_BUILTIN RETURN_VALUE RAISE FORMAT_VALUE BUILD_STRING LOAD_ATTR
    INPLACE_ADD INPLACE_MUL BUILD_EXC RAISE_VALUE CHECK_EXC""".split())


def core_independent(program: Program) -> bool:
    """True when ``program`` cannot tell the cores apart: it never reads the core's id
    (``parallel.coreid``) or its random generator (seeded per core), nor uses the parallel
    module or an instruction not known not to.  Given the same arguments and no
    device-resident values, every core then computes the same (cached per program)."""
    known: bool | None = program.__dict__.get("_core_independent")
    if known is None:
        known = True
        for f in program.functions:
            for ins in iter_code(f.code):
                if ins.info.name not in _CORE_BLIND_OPS or (ins.info is _CALL_BUILTIN and (
                        BUILTINS[ins.args[0]].name.startswith(("parallel.", "random."))
                        or BUILTINS[ins.args[0]].observable)):
                    known = False
                    break
            if not known:
                break
        program.__dict__["_core_independent"] = known
    return known


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


class Prerun:
    """A core's kernel run made ahead of simulated time: the placed launch, the live
    interpreter, each request it made with the interpreter's cycle count at that moment, and
    how it ended (StopIteration or KernelFault; None while it goes on).  ``complete``: it
    ended having made no request but ticks (so it made no traffic)."""

    __slots__ = ("complete", "ended", "gen", "placed", "steps")

    def __init__(self, placed: _Placed, gen: Generator[Any, Any, Any]) -> None:
        self.placed = placed
        self.gen = gen
        self.steps: list[tuple[int, Any]] = []
        self.ended: BaseException | None = None
        self.complete = False


class Core:
    """A simulated core: its id, its FIFO of launches, and the process that runs each one.

    ``resident`` holds the core's device-resident values by name; they persist across launches
    (the chip's ``copy_to_device`` writes them).
    """

    __slots__ = ("col", "complete", "config", "ended", "env", "gen", "id", "mesh", "placed",
                 "resident", "row", "slot", "steps", "waiting_for")  # one per simulated core

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

    def run_launch(self, launch: LaunchState,
                   pre: Prerun | None = None) -> Generator[simpy.Event, Any, None]:
        """SimPy process: wait for the core, fetch, place, execute, post the result.

        ``pre``: the kernel's run so far, made ahead of simulated time (:meth:`prerun`).  An
        interrupt (the host aborting a deadlocked launch) ends the launch on this core with an
        ``aborted`` outcome and frees the core for the next launch.
        """
        try:
            yield from self._run_launch(launch, pre)
        except simpy.Interrupt as stop:
            launch.finish(CoreOutcome(self.id, error=ErrorCode.RuntimeError, message=str(stop.cause),
                                      start_cycle=int(self.env.now), end_cycle=int(self.env.now),
                                      aborted=True))

    def _run_launch(self, launch: LaunchState,
                    pre: Prerun | None) -> Generator[simpy.Event, Any, None]:
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
            placed = pre.placed if pre is not None else self._place(launch, launch.program)
            posted = yield from self._execute(launch, placed, outcome, pre)
            result_bytes, keep = self._result(launch.program, placed, outcome, posted)
            self.resident.update(keep)
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
        given = launch.block(self.id)
        # The kernel works on a copy: a failing kernel leaves the resident values intact.
        # The argument block sits in core memory below the workspace: the count byte, the
        # encoded arguments, then (when the program names any) this core's device-resident
        # values as (u16 global index, encoded value) after a count byte, as the device's host
        # writes it (epython/backends/device/backend.py).
        working: dict[str, Any] = {}
        resident_bytes = -1  # no resident values: the same for every such core of the launch
        if self.resident:
            working = {name: from_wire(to_wire(v)) for name, v in self.resident.items()}
            resident_bytes = len(encode_resident(
                program.globals, {name: to_wire(v) for name, v in working.items()}))
        key = (given.nbytes, given.list_bytes, given.array_bytes, resident_bytes)
        fixed = launch.placements.get(key)
        if fixed is None:
            if resident_bytes < 0:
                resident_bytes = len(encode_resident(program.globals, {}))
            block = 1 + given.nbytes + resident_bytes
            tables = launch_tables_bytes(len(program.consts), len(program.globals),
                                         len(program.functions))
            # the core's own launch work (verifying and copying the image, decoding its tables
            # and the arguments, posting the result), measured on the real build
            fixed = launch.placements[key] = (
                block, workspace_bytes(self.config, launch.image_bytes, block, tables),
                round(launch_cycles(launch.image_bytes, given.nbytes, given.list_bytes,
                                    given.array_bytes)))
        block, workspace, cycles = fixed
        interp = Interpreter(program, self.id, len(launch.cores), global_values=working,
                             workspace=workspace, engine=launch.engine or None)
        interp.cycles += cycles
        if not given.args and not working:  # nothing to decode (a common launch)
            return _Placed(interp, [], block, [], {}, [])
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

    def _execute(self, launch: LaunchState, placed: _Placed, outcome: CoreOutcome,
                 pre: Prerun | None = None) -> Generator[simpy.Event, Any, dict[str, Any]]:
        """Drive the interpreter: charge its cycles to simulated time and carry out its
        requests (printing, the parallel module).  Returns the device-resident values the
        kernel leaves (posted with its result).  ``pre``: the part of the run made ahead of
        simulated time (:meth:`prerun`); its requests are charged and handled here in order,
        exactly as if the interpreter made them now."""
        env = self.env
        kinds = outcome.cycles_by_kind
        interp = placed.interp
        comm = RankComm(env, self.mesh, launch, self.id)
        charged = 0
        partial = ""
        posted: dict[str, Any] = {}
        gen = pre.gen if pre is not None else interp.run(placed.args)
        ahead = deque(pre.steps) if pre is not None else None
        reply: Any = None
        failure: Fault | None = None
        try:
            while True:
                if ahead:
                    cycles, request = ahead.popleft()
                elif pre is not None and pre.ended is not None:
                    raise pre.ended
                else:
                    request = gen.throw(failure) if failure is not None else gen.send(reply)
                    cycles = interp.cycles
                if cycles > charged:
                    yield env.timeout(cycles - charged)
                    kinds["compute"] += cycles - charged
                    charged = cycles
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
        except (StopIteration, KernelFault) as end:
            posted = self._conclude(interp, end, outcome)
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

    def _conclude(self, interp: Interpreter, end: BaseException,
                  outcome: CoreOutcome) -> dict[str, Any]:
        """Put how the kernel ended (its value, or its fault) into ``outcome``; the
        device-resident values it leaves."""
        if isinstance(end, StopIteration):
            outcome.value = to_wire(end.value)
            return {slot.name: value for slot, value in zip(interp.program.globals, interp.globals)
                    if slot.name in self.resident and slot.init == NO_INIT}
        assert isinstance(end, KernelFault)
        outcome.error = end.code
        outcome.message = end.message
        outcome.func = end.func
        outcome.lineno = end.lineno
        outcome.chain = end.chain
        return {}

    # --- running ahead of simulated time (esim/replay.py) ----------------------------------
    def prerun(self, launch: LaunchState, deadline: float | None = None, max_steps: int = 64,
               stop: Sequence[object] = ()) -> Prerun:
        """Place the launch and run its kernel now, ahead of simulated time, up to its first
        request other than a tick (or ``max_steps`` ticks, the wall-clock ``deadline``, or a
        tick when ``stop`` is not empty: the host's Ctrl-C).

        The kernel's run does not depend on simulated time, so ``_run_launch(launch, pre)``
        later charges and handles what it did exactly as a live run would.
        """
        assert launch.program is not None
        placed = self._place(launch, launch.program)
        gen = placed.interp.run(placed.args)
        pre = Prerun(placed, gen)
        steps = pre.steps
        while len(steps) < max_steps:
            try:
                request = gen.send(None)
            except (StopIteration, KernelFault) as end:
                pre.ended = end
                pre.complete = True  # every request so far was a tick
                break
            steps.append((placed.interp.cycles, request))
            if request.code != TICK_CODE or stop or (deadline is not None
                                                     and time.monotonic() > deadline):
                break
        return pre

    def conclude_prerun(self, launch: LaunchState, pre: Prerun) -> tuple[CoreOutcome, int, dict[str, Any]]:
        """A complete prerun's outcome (without its cycles), the bytes of its result and the
        device-resident values to keep when the result is posted."""
        assert pre.ended is not None and launch.program is not None
        outcome = CoreOutcome(self.id)
        interp = pre.placed.interp
        posted = self._conclude(interp, pre.ended, outcome)
        outcome.instructions = interp.instructions
        outcome.compute_cycles = interp.cycles
        result_bytes, keep = self._result(launch.program, pre.placed, outcome, posted)
        outcome.peak_memory = interp.heap.peak + launch.image_bytes + pre.placed.block
        return outcome, result_bytes, keep

    @staticmethod
    def same_conclusion(core: int,
                        first: tuple[CoreOutcome, int, dict[str, Any]]
                        ) -> tuple[CoreOutcome, int, dict[str, Any]]:
        """:meth:`conclude_prerun` of ``core``, which ran the same as the core that concluded
        ``first`` (a launch that cannot tell its cores apart: :func:`core_independent`): a copy
        of that outcome (its own value and updates), the same result bytes, nothing kept."""
        assert not first[2]  # no device-resident values in such a launch
        o = first[0]
        value = o.value
        return CoreOutcome(core, value if type(value) in _IMMUTABLE else copy.deepcopy(value),
                           o.error, o.message, o.func, o.lineno, o.chain,
                           instructions=o.instructions, compute_cycles=o.compute_cycles,
                           array_updates=copy.deepcopy(o.array_updates) if o.array_updates else {},
                           peak_memory=o.peak_memory), first[1], {}

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
                posted: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Fill in the outcome's array updates and check that the result (and the resident
        values it carries) can be posted; the bytes the result takes in the mailbox and the
        device-resident values to keep (the caller stores them when the result posts)."""
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
        keep: dict[str, Any] = {}
        if not outcome.error:
            try:
                result_bytes = len(encode_value(outcome.value, sets=True))
                if result_bytes > protocol.MAILBOX_RESULT_BYTES:
                    outcome.error = ErrorCode.TypeError
                    outcome.message = protocol.RESULT_TOO_LARGE_MESSAGE
                    outcome.value = None
                elif result_bytes + len(encode_resident(
                        program.globals, {name: to_wire(v) for name, v in posted.items()}, True)) \
                        > protocol.MAILBOX_RESULT_BYTES:
                    outcome.error = ErrorCode.MemoryError
                    outcome.message = protocol.RESIDENT_TOO_LARGE_MESSAGE
                    outcome.value = None
                else:  # device-resident values persist only when the whole result posts
                    keep = posted
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
        return result_bytes, keep

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
