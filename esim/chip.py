"""Chip: the simulated Epiphany, built from a ChipConfig: cores, mesh, DRAM and the host link.

The chip keeps one SimPy environment for its whole life, so simulated time runs on across
launches and launches on busy cores queue behind earlier ones.  Simulated time advances only
when the host asks for something (``run_until``): the simulation is deterministic, whatever
the host's wall-clock timing.
"""

from __future__ import annotations

import _signal
import contextlib
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import simpy
from simpy.resources.base import BaseResource

from epython.arrays import check_launch_fits
from epython.bytecode import protocol
from epython.bytecode.image import ImageError, Program
from epython.bytecode.verify import verify_bytes
from epython.marshal import encode_value
from esim import replay
from esim.config import ChipConfig, preset
from esim.cores.core import Core, Prerun, core_independent
from esim.cores.launch import ArgBlock, CoreOutcome, LaunchState, PrintedLine
from esim.cores.memory import from_wire, to_wire
from esim.mesh import Mesh

__all__ = ["Chip", "CoreOutcome", "LaunchState", "PrintedLine", "SimDeadlock", "SimTimeout",
           "argument_bytes"]

log = logging.getLogger("esim")


class SimTimeout(TimeoutError):
    """The host's wall-clock limit passed before the awaited simulated event."""


class SimDeadlock(RuntimeError):
    """No simulated event is left but the awaited one has not happened: cores wait forever."""

    def __init__(self, message: str, blocked: list[tuple[int, str, int, int]]) -> None:
        super().__init__(message)
        self.blocked = blocked


def argument_bytes(args: Sequence[Any]) -> tuple[int, int, int]:
    """Encoded bytes of a launch's arguments: in all, in lists and tuples, in arrays."""
    total = lists = arrays = 0
    for a in args:
        n = len(encode_value(a))
        total += n
        if isinstance(a, (list, tuple)):
            lists += n
        elif isinstance(a, np.ndarray):
            arrays += n
    return total, lists, arrays



def _share_alike() -> bool:
    """Whether cores that cannot be told apart may share one run (``ESIM_SHARE_ALIKE=0`` makes
    every core interpret its kernel: what the benchmarks time as the interpreter's speed)."""
    return os.environ.get("ESIM_SHARE_ALIKE", "1") != "0"

class Chip:
    """A simulated chip.  ``Chip("e16")`` is the Parallella's Epiphany-III."""

    def __init__(self, config: ChipConfig | str = "e16") -> None:
        self.config = preset(config)
        self.env = simpy.Environment()
        self.mesh = Mesh(self.env, self.config)
        #: device-resident named values, per core (they persist across launches)
        self.device_data: list[dict[str, Any]] = [{} for _ in range(self.config.num_cores)]
        self.cores = [Core(self.env, self.mesh, self.config, i, self.device_data[i])
                      for i in range(self.config.num_cores)]
        self._programs: dict[bytes, tuple[Program | None, str]] = {}
        self._running: list[LaunchState] = []  # launches not yet finished, oldest first
        #: replay launches on an idle chip that only compute (esim/replay.py)
        self.replay = True
        self.replays = replay.ReplayCache()
        self._deferred: LaunchState | None = None  # launched, not started: see finish_launch
        self._links_known: bool | None = None  # the links keep only state a replay restores
        self._pending_key: Any = None  # the key of the launch being recorded

    def __repr__(self) -> str:
        return f"<Chip {self.config.name} {self.config.rows}x{self.config.cols} at cycle {self.env.now:.0f}>"

    @property
    def now(self) -> float:
        """Current simulated cycle."""
        return float(self.env.now)

    def program_of(self, image: bytes) -> tuple[Program | None, str]:
        """Decode and verify an image as the cores do (cached per image): (program, error)."""
        cached = self._programs.get(image)
        if cached is None:
            try:
                cached = (verify_bytes(image), "")
            except ImageError as exc:
                cached = (None, str(exc))
            if len(self._programs) > 256:
                self._programs.clear()
            self._programs[image] = cached
        return cached

    def launch(self, image: bytes, args: list[Any], cores: list[int],
               core_args: Mapping[int, list[Any]] | None = None,
               names: Sequence[str] = (), kernel: str = "") -> LaunchState:
        """Start the program ``image`` on ``cores`` at the current cycle; returns at once.

        The host writes the image and the encoded arguments once into shared DRAM, then signals
        each core; cores that are busy take the launch when they finish their earlier ones.
        ``core_args`` gives cores an argument list of their own (``epython.split``): each such
        block is written to DRAM too, and its core fetches it instead of ``args``.  ``names``
        and ``kernel`` (the kernel's parameters and name) name an argument that does not fit
        a core.
        """
        for c in cores:
            self.config.coords(c)  # validates the id
        blocks = {}
        for c, own in (core_args or {}).items():
            blocks[c] = ArgBlock(list(own), *argument_bytes(own))
            check_launch_fits(self.config, len(image), own, names, core=c, kernel=kernel,
                              encoded_bytes=blocks[c].nbytes)
        args_bytes = list_bytes = array_bytes = 0
        if any(c not in blocks for c in cores):  # some core receives ``args``
            args_bytes, list_bytes, array_bytes = argument_bytes(args)
            check_launch_fits(self.config, len(image), args, names, kernel=kernel,
                              encoded_bytes=args_bytes)
        program, image_error = self.program_of(image)
        launch = LaunchState(self.env, program, len(image), list(args), args_bytes, list(cores),
                             int(self.env.now), list_bytes, array_bytes,
                             eager_bytes=protocol.eager_bytes(self.config.num_cores),
                             image_error=image_error, core_blocks=blocks,
                             engine=os.environ.get("ESIM_ENGINE") or "jit")
        log.debug("chip %s: launch of %d-byte image on cores %s at cycle %d", self.config.name,
                  len(image), cores, launch.issue_cycle)
        self._start_deferred()
        self._running = [r for r in self._running if not r.finished] + [launch]
        if program is not None and self.replay:
            # Started when the chip next does anything (the same cycle: time only advances
            # then), so that a blocking wait for it alone can replay it (esim/replay.py).
            self._deferred = launch
        else:
            self._start(launch)
        return launch

    def _start(self, launch: LaunchState, pre: Mapping[int, Prerun] | None = None) -> None:
        """Start the detailed simulation of ``launch``: the host's process and one per core
        (``pre``: kernels already run ahead of simulated time, by core)."""
        env = self.env
        for c in launch.cores:
            launch.signalled[c] = env.event()
            launch.done[c] = env.event()
        env.process(self._host_start(launch))
        for c in launch.cores:
            launch.processes[c] = env.process(
                self.cores[c].run_launch(launch, None if pre is None else pre.get(c)))

    def _start_deferred(self) -> None:
        """Start the launch left for a replay in detail (the chip is about to do something)."""
        launch, self._deferred = self._deferred, None
        if launch is not None:
            self._start(launch)

    def finish_launch(self, launch: LaunchState, deadline: float | None = None,
                      progress: Callable[[], None] | None = None) -> None:
        """Advance simulated time until every core of ``launch`` has finished (``run_until``
        with that condition).  A launch on an idle chip whose kernels only compute is replayed
        from the schedule the detailed model computed for the same launch before, when there
        is one (esim/replay.py): the same cycles, results and counters at a fraction of the
        cost."""
        if self._deferred is launch:
            self._deferred = None
            self._replay(launch, deadline, progress)
        self.run_until(lambda: launch.finished, deadline, progress)

    def start_polled(self, launch: LaunchState, deadline: float | None = None) -> None:
        """Before a poll of ``launch`` (``test()``, ``wait_any()``, futures) runs the chip: if
        it is the launch left for a replay, replay it now when it can be (the poll then finds
        all its results, as a faster host would), else start it in detail (not recorded: a
        poll stops at the next result, a recording needs the whole launch)."""
        if self._deferred is launch:
            self._deferred = None
            self._replay(launch, deadline, None, record=False)

    def _idle(self, launch: LaunchState) -> bool:
        """True when nothing but ``launch`` (not started yet) is going on in the chip (no other
        launch unfinished, no process or callback waiting for an event) and ``launch`` may be
        run ahead: its kernels' shared() arrays would make DRAM traffic as they run."""
        if launch.shared or any(r is not launch and not r.finished for r in self._running):
            return False
        for *_, event in self.env._queue:
            # only a resource's bookkeeping may be pending (a core's slot just released)
            if not all(isinstance(getattr(cb, "__self__", None), BaseResource)
                       for cb in event.callbacks):
                return False
        if self._links_known is None:
            self._links_known = replay.replayable_links(self.mesh)
        return self._links_known and all(self.cores[c].slot.count == 0 for c in launch.cores)

    def _replay(self, launch: LaunchState, deadline: float | None,
                progress: Callable[[], None] | None, record: bool = True) -> None:
        """Replay ``launch`` if it can be, else start it in detail (with ``record``, run it to
        its end and record its schedule when it can be replayed later)."""
        if not self._idle(launch):
            self._start(launch)
            return
        pres: dict[int, Prerun] = {}
        started = False
        cores = launch.cores
        # cores that cannot be told apart compute the same: one runs ahead for all of them
        # while the launch may be replayed (a recording needs every core's run)
        alike = len(cores) > 1 and _share_alike() and self._alike(launch)
        try:
            with _interrupts_between_steps() as interrupted, _fewer_collections():
                complete = self._prerun(launch, cores[:1] if alike else cores, pres, deadline,
                                        interrupted)
                if complete and not interrupted:
                    started = self._replayed(launch, pres, alike)
                    if started:
                        while not launch.finished:  # a few steps: the replay's one event
                            self.env.step()
                        if interrupted:
                            raise KeyboardInterrupt
                        return
                    if alike:
                        complete = self._prerun(launch, cores[1:], pres, deadline, interrupted)
                if interrupted or not complete or not record:
                    started = True
                    self._start(launch, pres)
                    if interrupted:
                        raise KeyboardInterrupt
                    return
                before = replay.Snapshot.take(self.mesh, self.env.now)
                started = True
                self._start(launch, pres)
        finally:
            if not started:  # something failed before the launch started: start it in detail
                self._start(launch, pres)
        self.run_until(lambda: launch.finished, deadline, progress)
        recorded = replay.record(self.mesh, before, launch)
        if recorded is not None:
            self.replays.put(self._pending_key, recorded)

    def _alike(self, launch: LaunchState) -> bool:  # see also _share_alike
        """True when the cores of ``launch`` cannot be told apart: the same arguments, no
        device-resident values and a program that reads no core's identity."""
        return (not launch.core_blocks and launch.program is not None
                and not any(self.cores[c].resident for c in launch.cores)
                and core_independent(launch.program))

    def _prerun(self, launch: LaunchState, cores: Sequence[int], pres: dict[int, Prerun],
                deadline: float | None, stop: Sequence[object]) -> bool:
        """Run the kernels of ``cores`` ahead of simulated time (into ``pres``); False at the
        first that is not complete (it made a request, or time ran out)."""
        for c in cores:
            pre = pres[c] = self.cores[c].prerun(launch, deadline, stop=stop)
            if not pre.complete:
                return False
        return True

    def _replayed(self, launch: LaunchState, pres: dict[int, Prerun], alike: bool = False) -> bool:
        """Replay the launch whose kernels ran ahead (``pres``, all complete; only the first
        core's when they are ``alike``) if a schedule was recorded for it and its links are
        free; else keep its key for the recording."""
        ends: dict[int, tuple[CoreOutcome, int, dict[str, Any]]] = {}
        shape: list[tuple[int, int, tuple[int, ...]]] = []
        for c in launch.cores[:1] if alike else launch.cores:
            pre = pres[c]
            end = ends[c] = self.cores[c].conclude_prerun(launch, pre)
            shape.append((pre.placed.interp.cycles, end[1],
                          tuple([cycles for cycles, _ in pre.steps]) if pre.steps else ()))
        if alike:
            first = ends[launch.cores[0]]
            for c in launch.cores[1:]:
                ends[c] = Core.same_conclusion(c, first)
            shape *= len(launch.cores)
        # the protocol's traffic, then each core's compute charges and result bytes
        key = (launch.traffic_shape(), tuple(shape))
        now = self.env.now
        schedule = self.replays.get(key)
        if schedule is None or not schedule.fits(self.mesh, now):
            self._pending_key = key
            return False
        replay.apply(self.mesh, schedule, now)
        self.replays.hits += 1
        start = int(now)
        finished = []
        for c in schedule.order:
            outcome, _, keep = ends[c]
            times = schedule.cores[c]
            outcome.start_cycle = start + times.start
            outcome.end_cycle = int(now + times.end)
            outcome.cycles_by_kind = dict(times.kinds)
            finished.append((outcome, keep, now + times.end))
        # One event at the last result: the host, waiting for them all, sees the same outcomes,
        # completion order and final cycle as when each result arrives on its own.
        last = max(times.end for times in schedule.cores.values())
        self.env.timeout(last).callbacks.append(self._finisher(launch, finished))
        return True

    def _finisher(self, launch: LaunchState, finished: list[tuple[CoreOutcome, dict[str, Any], float]]
                  ) -> Callable[[simpy.Event], None]:
        """The callback that ends a replayed launch: its cores' results, in the order they
        reached the host (outcome, device-resident values to keep, cycle of arrival)."""
        def finish(_event: simpy.Event) -> None:
            for outcome, keep, cycle in finished:
                self.device_data[outcome.core].update(keep)
                launch.finish(outcome)
                launch.end_times[outcome.core] = cycle
        return finish

    def blocked(self) -> list[tuple[int, str, int, int]]:
        """(chip core id, what it waits for, function, line) of every core blocked in a
        parallel operation, launch by launch."""
        return [entry for launch in self._running for entry in launch.blocked()]

    def abort(self, launch: LaunchState, reason: str) -> None:
        """End every unfinished core of ``launch`` (after a deadlock) and free the cores."""
        self._start_deferred()
        for c in launch.cores:
            process = launch.processes.get(c)
            if c not in launch.outcomes and process is not None and process.is_alive:
                process.interrupt(reason)
        self.run_until(lambda: launch.finished)

    def _host_start(self, launch: LaunchState) -> Generator[simpy.Event, Any, None]:
        """Host side of a launch: program and arguments to DRAM, then a start flag per core."""
        upload = self.mesh.write("host", "dram", launch.upload_bytes, method="store")
        yield upload.arrived
        for c in launch.cores:
            flag = self.mesh.write("host", c, 4, method="store")
            yield flag.arrived
            launch.signalled[c].succeed()

    def copy_to_device(self, name: str, value: Any, cores: list[int]) -> None:
        """The host writes a named value into each core's memory (costs a host -> core write)."""
        nbytes = len(encode_value(value)) + 8
        self._start_deferred()
        for c in cores:
            self.config.coords(c)
            self.device_data[c][name] = from_wire(value)
            self._wait_for(self.mesh.write("host", c, nbytes, method="store").arrived)

    def copy_from_device(self, name: str, cores: list[int]) -> list[Any]:
        """The host reads a named value back from each core (costs a host <- core read)."""
        values = []
        self._start_deferred()
        for c in cores:
            self.config.coords(c)
            if name not in self.device_data[c]:
                raise KeyError(f"{name!r} is not defined on core {c}; use define_on_device or "
                               "copy_to_device first")
            value = to_wire(self.device_data[c][name])
            self._wait_for(self.mesh.read("host", c, len(encode_value(value)) + 8,
                                          method="load").arrived)
            values.append(value)
        return values

    def _wait_for(self, event: simpy.Event) -> None:
        self.run_until(lambda: bool(event.processed))

    def run_until(self, condition: Callable[[], bool], deadline: float | None = None,
                  progress: Callable[[], None] | None = None) -> None:
        """Advance simulated time until ``condition()`` holds.

        Raises SimTimeout when the wall-clock ``deadline`` (``time.monotonic()``) passes and
        SimDeadlock when no event is left while the condition is still false.  ``progress`` is
        called every 64 steps (the host's backend prints the lines that have arrived).
        """
        self._start_deferred()
        if condition():
            return
        env = self.env
        steps = 0
        with _interrupts_between_steps() as interrupted, _fewer_collections():
            while not condition():
                try:
                    env.step()
                except simpy.core.EmptySchedule:
                    raise SimDeadlock("every running core is blocked", self.blocked()) from None
                steps += 1
                if interrupted:
                    raise KeyboardInterrupt
                if steps % 64 == 0:
                    if progress is not None:
                        progress()
                    if deadline is not None and time.monotonic() > deadline:
                        raise SimTimeout("simulation did not reach the awaited event in time")

    def step_cycles(self, cycles: float) -> None:
        """Advance simulated time by ``cycles`` (or until nothing is left to simulate)."""
        self._start_deferred()
        target = self.env.now + cycles
        with _interrupts_between_steps() as interrupted, _fewer_collections():
            while self.env.peek() <= target:
                self.env.step()
                if interrupted:
                    raise KeyboardInterrupt
        # Time passes even when nothing happens before the target (a core deep in a long
        # computation has its next event far ahead): without this, polls would never progress.
        if self.env.now < target:
            self.env.run(until=target)


_SIGINT = int(signal.SIGINT)


#: The cyclic collector's first threshold while the simulation runs (CPython's default 700):
#: a step allocates events and transfer records that reference counting frees, yet each 700 of
#: them start a collection that walks every young object, which on a 32x32 chip (thousands of
#: links, routers and cores made lazily) cost about a fifth of the run.  At most this many
#: young objects wait for a collection instead; the threshold the process had comes back when
#: the last simulation loop (of any thread) returns.
SIM_GC_THRESHOLD = 20000
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Raise the collector's first threshold to SIM_GC_THRESHOLD while simulating."""
    global _gc_depth, _gc_saved
    with _gc_lock:
        if _gc_depth == 0:
            _gc_saved = old = gc.get_threshold()
            if 0 < old[0] < SIM_GC_THRESHOLD:  # (0: collection off; keep what the user set)
                gc.set_threshold(SIM_GC_THRESHOLD, old[1], old[2])
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
                _gc_saved = None


@contextlib.contextmanager
def _interrupts_between_steps() -> Iterator[list[bool]]:
    """Defer Ctrl-C until the current simulation step is complete.

    A KeyboardInterrupt in the middle of a SimPy step could leave an event half processed;
    deferring it to the gap between steps keeps the chip usable for the next launch.  Only
    the main thread receives signals, so elsewhere this does nothing.
    """
    flag: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def defer(signum: int, frame: object) -> None:
        flag.append(True)

    try:
        previous = _signal.signal(_SIGINT, defer)  # the C module: no enum conversions
    except ValueError:  # not allowed here (e.g. an embedded interpreter)
        yield flag
        return
    try:
        yield flag
    finally:
        _signal.signal(_SIGINT, previous)
