"""KernelHandle: the host's view of one launch (``wait``, ``wait_any``, ``test``)."""

from __future__ import annotations

import asyncio
import html
import logging
import sys
import threading
import time
import weakref
from collections.abc import Callable, Generator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

import numpy as np

from epython.backends.base import CoreResult, Launch
from epython.errors import DeadlockError

__all__ = ["KernelHandle", "SharedBack", "SplitBack", "check_timeout"]

log = logging.getLogger("epython")

T = TypeVar("T")

#: Seconds a background driver waits for a result before checking whether it should stop.
_DRIVER_SLICE = 0.05
_drivers: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_shutdown = threading.Event()


def check_timeout(timeout: object, where: str) -> None:
    """Refuse a timeout that is not None or a non-negative number of seconds, as queue.get does."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"{where}: timeout must be a number of seconds or None, got {timeout!r}")
    if not timeout >= 0:  # also refuses nan
        raise ValueError(f"{where}: timeout must be a non-negative number of seconds, got {timeout!r}")


def _stop_drivers() -> None:
    """At interpreter exit: ask the futures drivers to stop and wait briefly for them."""
    _shutdown.set()
    for thread in list(_drivers):
        thread.join(timeout=1.0)


threading._register_atexit(_stop_drivers)  # type: ignore[attr-defined]  # runs before joining threads


@dataclass
class SplitBack:
    """Where the changes of a split array argument go: the caller's array and, per rank, the
    flat positions in it of its block's elements (``epython.arrays.split_blocks``)."""

    array: Any
    positions: list[Any]


@dataclass
class SharedBack:
    """Where a shared() array's DRAM contents go when the launch ends: the caller's array, and
    the backend's copy of DRAM (``epython.marshal.SharedArg``; the backend fills it in before
    it delivers the launch's last result)."""

    array: Any
    wire: Any


class KernelHandle:
    """Results of one launch, delivered as the cores finish.

    * ``wait()`` returns every core's result in core order (whatever was collected before) and
      raises the first kernel error, in core order; the other results stay readable through
      :meth:`result` and :attr:`errors`.
    * ``wait_any()`` returns ``(core, value)`` for a result not yet collected, in order of
      completion; each core is delivered exactly once.
    * ``test()`` is True when at least one result is ready and not yet collected (then
      ``wait_any()`` returns without blocking).

    Cores are named by their chip core id (``coreid()`` inside the kernel); results are listed
    in the order of the launch's cores.
    """

    def __init__(self, kernel_name: str, launch: Launch, single: bool = False,
                 stdout: TextIO | None = None, arrays: dict[int, Any] | None = None) -> None:
        self.kernel_name = kernel_name
        self._launch = launch
        self.cores: list[int] = list(launch.cores)
        self._single = single
        self._stdout = stdout
        self._results: dict[int, CoreResult] = {}  # by rank, everything that has arrived
        self._ready: list[int] = []  # ranks arrived and not yet collected by wait_any
        self._collected: set[int] = set()
        self._lock = threading.RLock()
        self._arrays = arrays or {}  # argument index -> the caller's numpy array
        self._copied_back = False
        self._futures: list[Future[Any]] | None = None
        self._driver: threading.Thread | None = None
        stream = getattr(launch, "stream", None)
        if stream is not None:  # printed lines reach stdout while the launch runs
            stream(self._print_lines)

    def __repr__(self) -> str:
        done = len(self._results)
        return (f"<KernelHandle {self.kernel_name} on {len(self.cores)} core(s): {done} finished, "
                f"{len(self._collected)} collected>")

    # --- plumbing ----------------------------------------------------------------------------
    def _absorb(self, results: list[CoreResult]) -> None:
        for r in results:
            rank = self.cores.index(r.core)
            if rank in self._results:  # pragma: no cover - a backend contract violation
                raise RuntimeError(f"backend delivered core {rank} twice")
            self._results[rank] = r
            self._ready.append(rank)
            if self._futures is not None:
                self._settle(rank)
        self._print_lines()
        if self.done and not self._copied_back:
            self._copy_back()

    def _next(self, timeout: float | None) -> CoreResult | None:
        """The launch's next result (see :meth:`_waiting`)."""
        return self._waiting(self._launch.wait_next, timeout)

    def _waiting(self, wait: Callable[[float | None], T], timeout: float | None) -> T:
        """``wait(timeout)`` on the launch; after a deadlock, the results of the cores that
        stopped (the failures before it among them) are absorbed before the DeadlockError
        propagates."""
        try:
            return wait(timeout)
        except DeadlockError:
            self._absorb(self._launch.poll())
            raise

    def _copy_back(self) -> None:
        """Write the cores' changes to array arguments into the caller's arrays, in core order.

        Each core works on its own copy; where two cores changed the same element, the core
        that comes later in the launch's core list wins (as if the copies were written back
        one after another, like device arrays copied back in order).
        """
        self._copied_back = True
        for target in self._arrays.values():
            if isinstance(target, SharedBack):  # every core's writes, as DRAM holds them
                np.copyto(target.array, target.wire.array.reshape(target.array.shape),
                          casting="unsafe")
        for rank in range(len(self.cores)):
            for index, changes in self._results[rank].array_updates.items():
                target = self._arrays.get(index)
                if target is None:
                    continue
                if isinstance(target, SplitBack):  # this core's block goes to its place
                    places = target.positions[rank]
                    changes = {int(places[i]): value for i, value in changes.items()}
                    target = target.array
                flat = target.reshape(-1) if target.flags.c_contiguous else target.flat
                for position, value in changes.items():
                    flat[position] = value

    def _print_lines(self) -> None:
        out = self._stdout or sys.stdout
        for core, text in self._launch.take_lines():
            out.write(f"[core {core}] {text}\n")
        out.flush()

    def _settle(self, rank: int) -> None:
        future = self._futures[rank] if self._futures is not None else None
        if future is None or future.done():
            return
        result = self._results[rank]
        if result.error is not None:
            future.set_exception(result.error)
        else:
            future.set_result(result.value)

    @property
    def futures(self) -> list[Future[Any]]:
        """One ``concurrent.futures.Future`` per core of the launch, in core order.

        A kernel error becomes that core's future's exception.  Asking for the futures starts a
        background thread that collects results as they come, so ``concurrent.futures.wait``
        and ``as_completed`` work without any other call.  Results stay available to
        ``wait()``; ``wait_any()`` still delivers each core once.
        """
        with self._lock:
            if self._futures is None:
                self._futures = [Future() for _ in self.cores]
                for future in self._futures:
                    future.set_running_or_notify_cancel()
                for rank in self._results:
                    self._settle(rank)
                if not self.done:
                    self._driver = threading.Thread(target=self._drive, daemon=True,
                                                    name=f"epython-{self.kernel_name}")
                    _drivers.add(self._driver)
                    self._driver.start()
            return list(self._futures)

    def _drive(self) -> None:
        """Background collection of results for the futures."""
        while not _shutdown.is_set():
            with self._lock:
                if self.done:
                    return
                try:
                    r = self._launch.wait_next(_DRIVER_SLICE)
                except TimeoutError:
                    continue
                except BaseException as exc:  # a deadlock or a backend failure
                    if isinstance(exc, DeadlockError):  # the failures before it are results
                        with self._lock:
                            self._absorb(self._launch.poll())
                    log.debug("futures driver of %s stopped: %s", self.kernel_name, exc)
                    for future in self._futures or []:
                        if not future.done():
                            future.set_exception(exc)
                    return
                if r is None:
                    return
                self._absorb([r])

    def __await__(self) -> Generator[Any, None, Any]:
        """``await handle`` gives the list of results, like ``wait()``, without blocking the loop."""
        return asyncio.get_running_loop().run_in_executor(None, self.wait).__await__()

    async def wait_any_async(self, timeout: float | None = None) -> tuple[int, Any]:
        """The asyncio counterpart of :meth:`wait_any`."""
        return await asyncio.get_running_loop().run_in_executor(None, self.wait_any, timeout)

    def _repr_html_(self) -> str:
        """A table of the launch's cores for notebooks."""
        rows = []
        for rank, core in enumerate(self.cores):
            r = self._results.get(rank)
            if r is None:
                state, value = "running", ""
            elif r.error is not None:
                state, value = "error", f"{type(r.error).__name__}: {getattr(r.error, 'message', r.error)}"
            else:
                state, value = "done", repr(r.value)
            cycles = "" if r is None or r.cycles is None else str(r.cycles)
            rows.append(f"<tr><td>{core}</td><td>{state}</td><td>{html.escape(value)}</td>"
                        f"<td>{cycles}</td></tr>")
        return (f"<b>KernelHandle</b> {html.escape(self.kernel_name)}: {len(self._results)}/"
                f"{len(self.cores)} cores finished<table><tr><th>core</th><th>state</th>"
                f"<th>result</th><th>cycles</th></tr>{''.join(rows)}</table>")

    @property
    def done(self) -> bool:
        """True when every core's result has arrived."""
        return len(self._results) == len(self.cores)

    def _fill(self, timeout: float | None) -> None:
        """Wait until every result has arrived."""
        deadline = None if timeout is None else time.monotonic() + timeout
        wait_all = getattr(self._launch, "wait_all", None)
        while not self.done and wait_all is not None:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            fresh = self._waiting(wait_all, left)
            if not fresh:
                break
            self._absorb(fresh)
        while not self.done:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            r = self._next(left)
            if r is None:
                break
            self._absorb([r])

    # --- public API --------------------------------------------------------------------------
    def test(self) -> bool:
        """True when at least one result is ready and not yet collected (never blocks)."""
        with self._lock:
            if not self._ready and not self.done:
                self._absorb(self._launch.poll())
            return bool(self._ready)

    def wait_any(self, timeout: float | None = None) -> tuple[int, Any]:
        """``(core, value)`` of the next uncollected result in order of completion.

        Raises the core's kernel error if it failed (that core then counts as collected),
        TimeoutError after ``timeout`` seconds, and LookupError once every core's result has
        been collected.
        """
        check_timeout(timeout, "wait_any()")
        with self._lock:
            if not self._ready:
                if len(self._collected) == len(self.cores):
                    raise LookupError(f"wait_any(): every result of {self.kernel_name} has "
                                      "already been collected; use wait() to read them again")
                r = self._next(timeout)
                if r is not None:
                    self._absorb([r])
            rank = self._ready.pop(0)
            self._collected.add(rank)
            result = self._results[rank]
            if result.error is not None:
                raise result.error
            return self.cores[rank], result.value

    def wait(self, timeout: float | None = None) -> Any:
        """Every core's result in core order (a single value for a single-core target)."""
        check_timeout(timeout, "wait()")
        with self._lock:
            self._fill(timeout)
            self._print_lines()
            self._ready.clear()
            self._collected.update(self._results)
            for rank in range(len(self.cores)):
                error = self._results[rank].error
                if error is not None:
                    raise error
            values = [self._results[rank].value for rank in range(len(self.cores))]
            return values[0] if self._single else values

    def cancel(self) -> None:
        """Stop the cores that have not finished; their results become LaunchCancelled errors."""
        with self._lock:
            self._launch.cancel(f"kernel {self.kernel_name}: launch cancelled by the host")
            while not self.done:
                r = self._launch.wait_next(None)
                if r is None:
                    break
                self._absorb([r])

    def result(self, core: int) -> Any:
        """The value of one core (waits for it); raises that core's error if it failed."""
        with self._lock:
            if core not in self.cores:
                raise LookupError(f"core {core} is not part of this launch (cores {self.cores})")
            rank = self.cores.index(core)
            while rank not in self._results:
                r = self._next(None)
                if r is None:  # pragma: no cover - backend contract violation
                    raise LookupError(f"core {core} never finished")
                self._absorb([r])
            error = self._results[rank].error
            if error is not None:
                raise error
            return self._results[rank].value

    @property
    def errors(self) -> dict[int, BaseException]:
        """Errors of the cores that failed so far, by core id."""
        return {self.cores[rank]: r.error for rank, r in self._results.items()
                if r.error is not None}

    @property
    def cycles(self) -> list[int | None]:
        """Per-core cycle counts in core order (waits for the launch to finish)."""
        with self._lock:
            self._fill(None)
            return [self._results[rank].cycles for rank in range(len(self.cores))]

    @property
    def instructions(self) -> list[int | None]:
        """Per-core bytecode instructions executed, in core order (waits for the launch)."""
        with self._lock:
            self._fill(None)
            return [self._results[rank].instructions for rank in range(len(self.cores))]

    @property
    def seconds(self) -> float | None:
        """The launch's total chip time in seconds (waits for the launch to finish)."""
        with self._lock:
            self._fill(None)
            return self._launch.seconds
