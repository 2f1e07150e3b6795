"""The simulator backend: runs kernels on an esim Chip (default backend).

The chip advances only while the host waits or polls, so results, printed output order and
cycle counts are the same run after run.  One lock serialises access to the chip: the
simulation runs in whichever host thread is waiting.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from epython.backends.base import CoreResult, core_arguments
from epython.backends.reports import blocked_core, deadlock_error, kernel_error, timeout_error
from epython.bytecode.opcodes import ErrorCode
from epython.compiler import CompiledKernel
from epython.errors import DeadlockError, LaunchCancelled
from esim.chip import Chip, CoreOutcome, LaunchState, PrintedLine, SimDeadlock, SimTimeout
from esim.profile.collect import notify_launch

__all__ = ["SimBackend", "SimLaunch"]

#: Host seconds one poll (``test()``) lets the chip run at most, if no core of the launch
#: finishes sooner: the simulation advances as far as that wall time allows, so a loop of
#: ``test()`` and short sleeps costs about what one ``wait()`` does (the simulated cycles are
#: the same whichever way the host waits).
POLL_SECONDS = 0.02


class SimLaunch:
    """A launch on the simulated chip."""

    def __init__(self, backend: SimBackend, kernel: CompiledKernel, state: LaunchState) -> None:
        self.backend = backend
        self.kernel = kernel
        self.state = state
        self.cores = list(state.cores)
        self.deadlock: DeadlockError | None = None
        self._seen = 0
        self._pending: deque[CoreResult] = deque()
        self._lines_taken = 0
        self._unprinted: list[PrintedLine] = []  # arrived, not yet final in the order
        self._sink: Callable[[], None] | None = None

    def _collect(self) -> None:
        """Move newly finished cores' outcomes to the pending queue."""
        order = self.state.completion_order
        for core in order[self._seen:]:
            self._pending.append(self._result(self.state.outcomes[core]))
        self._seen = len(order)

    def _kernel_error(self, o: CoreOutcome) -> BaseException | None:
        """The exception of a core that stopped on a kernel error (None if it did not)."""
        if o.aborted or o.error == ErrorCode.OK:
            return None
        return kernel_error(self.kernel, o.error, o.message, core=o.core, func=o.func,
                            line=o.lineno, chain=o.chain)

    def _result(self, o: CoreOutcome) -> CoreResult:
        error = (self.deadlock or LaunchCancelled(o.message)) if o.aborted else self._kernel_error(o)
        return CoreResult(o.core, o.value, error, o.cycles, o.instructions, list(o.lines),
                          o.array_updates)

    def poll(self) -> list[CoreResult]:
        """New results; when there are none, lets the chip run until one more core of this
        launch finishes or ``POLL_SECONDS`` of host time have passed.  A deadlock stops the
        launch: its cores' results then carry the DeadlockError, as ``wait()`` reports them."""
        with self.backend.lock:
            self._collect()
            if not self._pending and not self.state.finished:
                deadline = time.monotonic() + POLL_SECONDS
                try:
                    self.backend.chip.start_polled(self.state, deadline)
                    self._run_to_next_result(deadline)
                except SimTimeout:
                    pass  # the slice is over: poll again
                except SimDeadlock as dl:
                    self._deadlock(dl)
                self._collect()
            fresh = list(self._pending)
            self._pending.clear()
            return fresh

    def _run_to_next_result(self, deadline: float | None) -> None:
        """Run the chip until one more core of this launch has finished (lock held); SimTimeout
        past the wall-clock ``deadline``, SimDeadlock when nothing is left to run."""
        target = self._seen + 1
        self.backend.chip.run_until(lambda: len(self.state.completion_order) >= target, deadline,
                                    self._stream)

    def wait_next(self, timeout: float | None) -> CoreResult | None:
        """Run the chip until one more core of this launch completes; None if all are out."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.backend.lock:
            self._collect()
            if not self._pending and not self.state.finished:
                try:
                    self._run_to_next_result(deadline)
                except SimTimeout:
                    raise self._timeout("no core finished", timeout) from None
                except SimDeadlock as dl:
                    raise self._deadlock(dl) from None
                self._collect()
            return self._pending.popleft() if self._pending else None

    def wait_all(self, timeout: float | None) -> list[CoreResult]:
        """Run the chip once until every core of this launch completes; the rest of the results."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.backend.lock:
            if not self.state.finished:
                try:
                    self.backend.chip.finish_launch(self.state, deadline, self._stream)
                except SimTimeout:
                    self._collect()
                    if self._pending:
                        return self._drain()
                    raise self._timeout("not finished", timeout) from None
                except SimDeadlock as dl:
                    raise self._deadlock(dl) from None
            self._collect()
            return self._drain()

    def _drain(self) -> list[CoreResult]:
        fresh = list(self._pending)
        self._pending.clear()
        return fresh

    def cancel(self, reason: str) -> None:
        """Stop every core of this launch that has not finished; they become free at once."""
        with self.backend.lock:
            if not self.state.finished:
                self.backend.chip.abort(self.state, reason)

    def _timeout(self, what: str, timeout: float | None) -> TimeoutError:
        """The TimeoutError of a wait that gave up, with what each unfinished core is doing
        (lock held)."""
        assert timeout is not None  # only a wait with a deadline times out
        blocked = {c: (wait, func, line) for c, wait, func, line
                   in self.backend.chip.blocked()}
        states = []
        for c in self.state.cores:
            if c in self.state.outcomes:
                continue
            if c in blocked:
                states.append(blocked_core(self.kernel, c, *blocked[c]))
            else:
                states.append(f"core {c} is running or queued, not blocked in a parallel "
                              "operation")
        return timeout_error(self.kernel, what, timeout, states)

    def _deadlock(self, dl: SimDeadlock) -> DeadlockError:
        """Stop the deadlocked launch; the DeadlockError its cores report (lock held)."""
        failed = {core: error for core, o in self.state.outcomes.items()
                  if (error := self._kernel_error(o)) is not None}
        self.deadlock = deadlock_error(self.kernel, [blocked_core(self.kernel, c, what, func, line)
                                                     for c, what, func, line in dl.blocked], failed)
        self.backend.chip.abort(self.state, str(self.deadlock))
        self._collect()
        return self.deadlock

    def stream(self, sink: Callable[[], None]) -> None:
        """Call ``sink`` while the chip runs for this launch, when printed lines are ready
        (the handle then takes and prints them: output streams during blocking calls)."""
        self._sink = sink

    def _stream(self) -> None:
        if self._sink is not None and len(self.state.lines) > self._lines_taken:
            self._sink()

    def take_lines(self) -> list[tuple[int, str]]:
        """Printed lines in the order they reached shared DRAM (cycle, then core, then the
        order each core printed them).  While the launch runs, only the lines that arrived
        before the current cycle are taken: no line still to come can precede them, so the
        order is the same whenever the host looks."""
        with self.backend.lock:
            self._unprinted += self.state.lines[self._lines_taken:]
            self._lines_taken = len(self.state.lines)
            if self.state.finished:
                ready, self._unprinted = self._unprinted, []
            else:
                now = self.backend.chip.now
                ready = [pl for pl in self._unprinted if pl.cycle < now]
                self._unprinted = [pl for pl in self._unprinted if pl.cycle >= now]
        ready.sort(key=lambda pl: (pl.cycle, pl.core, pl.seq))
        return [(pl.core, pl.text) for pl in ready]

    @property
    def seconds(self) -> float | None:
        """Chip time from the host issuing the launch to the last result reaching it."""
        if not self.state.finished:
            return None
        end = max(o.end_cycle for o in self.state.outcomes.values())
        return self.backend.chip.config.seconds(end - self.state.issue_cycle)


class SimBackend:
    """Backend that runs kernels on a simulated chip (``EPYTHON_CHIP`` picks it, default e16)."""

    name = "sim"

    def __init__(self, chip: str | None = None) -> None:
        self.chip = Chip(chip or os.environ.get("EPYTHON_CHIP", "e16"))
        self.lock = threading.RLock()
        self._launches: list[LaunchState] = []

    def available(self) -> bool:
        """The simulator is always available."""
        return True

    def num_cores(self) -> int:
        """Cores of the simulated chip."""
        return self.chip.config.num_cores

    def busy_cores(self) -> set[int]:
        """Cores with launches not yet finished."""
        with self.lock:
            self._launches = [s for s in self._launches if not s.finished]
            return {c for s in self._launches for c in s.cores if c not in s.outcomes}

    def copy_to_device(self, name: str, value: Any, cores: list[int]) -> None:
        """Store a named device-resident value on ``cores``."""
        with self.lock:
            self.chip.copy_to_device(name, value, cores)

    def copy_from_device(self, name: str, cores: list[int]) -> list[Any]:
        """Read a named device-resident value back from ``cores`` (in their order)."""
        with self.lock:
            return self.chip.copy_from_device(name, cores)

    def launch(self, kernel: CompiledKernel, args: list[Any], cores: list[int]) -> SimLaunch:
        """Queue ``kernel`` on ``cores`` of the chip at the current simulated cycle."""
        with self.lock:
            own = core_arguments(args, cores)  # then no core receives ``args`` itself
            state = self.chip.launch(kernel.image, args if own is None else [], cores, own,
                                     kernel.params, kernel.name)
            notify_launch(self.chip, state, kernel.name)  # active profiles count this launch
            self._launches.append(state)
            return SimLaunch(self, kernel, state)
