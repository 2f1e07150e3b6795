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
from typing import Any

from epython.backends.base import CoreResult
from epython.bytecode.opcodes import ErrorCode
from epython.compiler import CompiledKernel
from epython.errors import DeadlockError, LaunchCancelled, kernel_error_class
from esim.chip import Chip, LaunchState, SimDeadlock, SimTimeout
from esim.cores.core import CoreOutcome
from esim.profile.collect import notify_launch

__all__ = ["SimBackend", "SimLaunch"]

#: Simulated cycles one host poll (``test()``) lets the chip run: about one e_read of a
#: mailbox flag by the host (10 microseconds at 600 MHz).
POLL_CYCLES = 6000


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

    def _collect(self) -> None:
        """Move newly finished cores' outcomes to the pending queue."""
        order = self.state.completion_order
        for core in order[self._seen:]:
            self._pending.append(self._result(self.state.outcomes[core]))
        self._seen = len(order)

    def _result(self, o: CoreOutcome) -> CoreResult:
        error: BaseException | None = None
        if o.aborted:
            error = self.deadlock or LaunchCancelled(o.message)
        elif o.error != ErrorCode.OK:
            kind = ErrorCode(o.error).name
            error = kernel_error_class(kind)(
                o.message, core=o.core, lineno=o.lineno,
                source_line=self.kernel.source_line(o.func, o.lineno),
                filename=self.kernel.filename_of(o.func), kernel=self.kernel.name, kind=kind)
        return CoreResult(o.core, o.value, error, o.cycles, o.instructions, list(o.lines),
                          o.array_updates)

    def poll(self) -> list[CoreResult]:
        """New results; lets the chip run for one host poll when there are none."""
        with self.backend.lock:
            self._collect()
            if not self._pending and not self.state.finished:
                self.backend.chip.step_cycles(POLL_CYCLES)
                self._collect()
            fresh = list(self._pending)
            self._pending.clear()
            return fresh

    def wait_next(self, timeout: float | None) -> CoreResult | None:
        """Run the chip until one more core of this launch completes; None if all are out."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.backend.lock:
            self._collect()
            if not self._pending and not self.state.finished:
                target = self._seen + 1
                try:
                    self.backend.chip.run_until(
                        lambda: len(self.state.completion_order) >= target, deadline)
                except SimTimeout:
                    raise TimeoutError(f"kernel {self.kernel.name}: no core finished within "
                                       f"{timeout:.3g} s of wall time{self._states()}") from None
                except SimDeadlock as dl:
                    message = self._deadlock_message(dl)
                    self.deadlock = DeadlockError(message)
                    self.backend.chip.abort(self.state, message)
                    self._collect()
                    raise self.deadlock from None
                self._collect()
            return self._pending.popleft() if self._pending else None

    def wait_all(self, timeout: float | None) -> list[CoreResult]:
        """Run the chip once until every core of this launch completes; the rest of the results."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.backend.lock:
            if not self.state.finished:
                try:
                    self.backend.chip.run_until(lambda: self.state.finished, deadline)
                except SimTimeout:
                    self._collect()
                    if self._pending:
                        return self._drain()
                    raise TimeoutError(f"kernel {self.kernel.name}: not finished within "
                                       f"{timeout:.3g} s of wall time{self._states()}") from None
                except SimDeadlock as dl:
                    message = self._deadlock_message(dl)
                    self.deadlock = DeadlockError(message)
                    self.backend.chip.abort(self.state, message)
                    self._collect()
                    raise self.deadlock from None
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

    def _states(self) -> str:
        """What each unfinished core of this launch is doing (for TimeoutError), lock held."""
        blocked = {c: (what, func, line) for c, what, func, line
                   in self.backend.chip.comm.blocked()}
        states = []
        for c in self.state.cores:
            if c in self.state.outcomes:
                continue
            if c in blocked:
                what, func, line = blocked[c]
                states.append(f"core {c} waits for {what} at {self.kernel.filename_of(func)}:"
                              f"{line}: {self.kernel.source_line(func, line).strip()}")
            else:
                states.append(f"core {c} is running or queued, not blocked in a parallel "
                              "operation")
        return "; cancel the launch to free its cores. Unfinished cores:\n  " + "\n  ".join(states)

    def _deadlock_message(self, dl: SimDeadlock) -> str:
        waiting = [f"core {c} waits for {what} at {self.kernel.filename_of(func)}:{line}: "
                   f"{self.kernel.source_line(func, line).strip()}"
                   for c, what, func, line in dl.blocked]
        return (f"kernel {self.kernel.name}: deadlock, every running core is blocked:\n  "
                + ("\n  ".join(waiting) if waiting else "no core can make progress"))

    def take_lines(self) -> list[tuple[int, str]]:
        """Printed lines in the order they reached shared DRAM (cycle, then core)."""
        with self.backend.lock:
            lines = self.state.lines[self._lines_taken:]
            self._lines_taken = len(self.state.lines)
        lines = sorted(lines, key=lambda pl: (pl.cycle, pl.core, pl.seq))
        return [(pl.core, pl.text) for pl in lines]

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
            state = self.chip.launch(kernel.image, args, cores)
            notify_launch(self.chip, state, kernel.name)  # active profiles count this launch
            self._launches.append(state)
            return SimLaunch(self, kernel, state)
