"""A launch on the device: the per-core results, printed lines and timing that the backend's
scheduler collects from the mailboxes, and the Launch interface over them.

A launch knows its scheduler only through :class:`LaunchScheduler` (what it asks of it), so
this module does not import the backend that imports it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from epython.backends.base import CoreResult
from epython.backends.device.dram import align
from epython.backends.device.mailbox import core_list, launch_fields
from epython.compiler import CompiledKernel
from epython.marshal import SharedArg

__all__ = ["STREAM_SECONDS", "DeviceLaunch", "LaunchScheduler"]

#: While a wait polls, the lines read from the cores' output rings are printed at most this
#: often (seconds), each batch core by core: a launch shorter than this prints its lines in
#: core order, a longer one streams them.
STREAM_SECONDS = 0.1


class LaunchScheduler(Protocol):
    """What a :class:`DeviceLaunch` asks of the scheduler that runs it (the DeviceBackend)."""

    @property
    def lock(self) -> AbstractContextManager[Any]:
        """The lock that guards the scheduler's state and every launch's results."""
        ...

    def progress(self) -> None:
        """Read the mailboxes once: deliver results, start queued launches (lock held)."""
        ...

    def release(self, launch: DeviceLaunch) -> None:
        """``launch`` has finished: give back its region of shared DRAM (lock held)."""
        ...

    def wait_for(self, launch: DeviceLaunch, timeout: float | None, ready: Callable[[], bool],
                 what: str) -> None:
        """Poll until ``ready()``; TimeoutError naming ``what``, or DeadlockError."""
        ...

    def cancel(self, launch: DeviceLaunch, reason: str,
               error: BaseException | None = None) -> None:
        """Stop ``launch``'s unfinished cores; they report ``error`` or LaunchCancelled (lock
        held)."""
        ...


class DeviceLaunch:
    """A launch on the device: results, printed lines and counters read from the mailboxes.

    ``region`` is the (start, end) of the launch area that holds the program image and, after
    it, the argument block.  The backend moves results and lines in (``add_line``,
    ``deliver``, with its lock held); the Launch methods take them out.
    """

    def __init__(self, backend: LaunchScheduler, kernel: CompiledKernel, args: list[Any],
                 cores: list[int], region: tuple[int, int], image_size: int, block: bytes,
                 blocks: dict[int, bytes] | None = None,
                 shared: list[SharedArg] | None = None) -> None:
        self.backend = backend
        self.kernel = kernel
        self.args = args
        self.cores = list(cores)
        #: the mailbox's core list, the same bytes for every core of the launch
        self.core_list = core_list(self.cores)
        self._fields: tuple[int, bytes] | None = None  # see launch_fields
        self.region = region
        self.image_offset = region[0]
        self.image_size = image_size
        self.args_offset = region[0] + align(image_size)
        self.args_size = len(block)
        self.block = block  # the argument block (cores with device-resident values extend it)
        #: the cores' own argument blocks (epython.split), instead of ``block``
        self.blocks = blocks or {}
        #: the launch's shared() arrays, each in its own region of the launch area
        self.shared = shared or []
        #: the command word every core of the launch receives (the backend numbers launches)
        self.command = 0
        #: cores whose result (or cancellation) has been delivered
        self.delivered: set[int] = set()
        self._pending: deque[CoreResult] = deque()
        #: errors of the cores that have failed so far, by core (for deadlock reports)
        self.errors: dict[int, BaseException] = {}
        self._lines: list[tuple[int, str]] = []
        self._sink: Callable[[], None] | None = None  # see stream()
        self._streamed = time.monotonic()  # when lines were last handed to the sink
        self._core_lines: dict[int, list[str]] = {c: [] for c in self.cores}
        self._issued = time.monotonic()
        self._finished: float | None = None

    def launch_fields(self, args_offset: int, args_size: int) -> tuple[int, bytes]:
        """(offset in the mailbox, bytes) of a core's launch fields (mailbox.launch_fields),
        made once for the cores that read the launch's own argument block."""
        if args_offset != self.args_offset:  # the core's own block
            return launch_fields(self.image_offset, self.image_size, args_offset, args_size,
                                 len(self.cores))
        if self._fields is None:
            self._fields = launch_fields(self.image_offset, self.image_size, args_offset,
                                         args_size, len(self.cores))
        return self._fields

    def block_of(self, core: int) -> bytes:
        """The argument block ``core`` receives."""
        return self.blocks.get(core, self.block)

    def __repr__(self) -> str:
        return (f"<DeviceLaunch {self.kernel.name} on cores {self.cores}: "
                f"{len(self.delivered)} finished>")

    @property
    def finished(self) -> bool:
        """True once every core's result (or cancellation) has been read."""
        return len(self.delivered) == len(self.cores)

    def unfinished(self) -> list[int]:
        """The cores whose result has not been delivered, in launch order."""
        return [c for c in self.cores if c not in self.delivered]

    # --- called by the backend, its lock held ----------------------------------------------
    def add_line(self, core: int, text: str) -> None:
        """A line ``core`` printed."""
        self._lines.append((core, text))
        self._core_lines[core].append(text)

    def deliver(self, result: CoreResult) -> None:
        """``result.core`` is done; the last result frees the launch's region of DRAM."""
        result.lines = list(self._core_lines.get(result.core, []))
        self.delivered.add(result.core)
        if result.error is not None:
            self.errors[result.core] = result.error
        self._pending.append(result)
        if self.finished:
            self._finished = time.monotonic()
            self.backend.release(self)

    # --- the Launch interface ----------------------------------------------------------------
    def _take(self) -> list[CoreResult]:
        fresh = list(self._pending)
        self._pending.clear()
        return fresh

    def poll(self) -> list[CoreResult]:
        """Results that arrived since the last call (reads the mailboxes once; never blocks)."""
        with self.backend.lock:
            self.backend.progress()
            return self._take()

    def _wait(self, timeout: float | None, ready: Callable[[], bool], what: str) -> None:
        self.backend.wait_for(self, timeout, ready, what)

    def wait_next(self, timeout: float | None) -> CoreResult | None:
        """Block until one more core of this launch completes; None if all are already out."""
        with self.backend.lock:
            if self._pending:
                return self._pending.popleft()
            if self.finished:
                return None
        self._wait(timeout, lambda: bool(self._pending) or self.finished, "no core finished")
        with self.backend.lock:
            return self._pending.popleft() if self._pending else None

    def wait_all(self, timeout: float | None) -> list[CoreResult]:
        """Block until every core has completed; the results not yet taken.

        On timeout the results that did arrive are returned, or TimeoutError when none did.
        """
        try:
            self._wait(timeout, lambda: self.finished, "not finished")
        except TimeoutError:
            with self.backend.lock:
                if self._pending:
                    return self._take()
            raise
        with self.backend.lock:
            return self._take()

    def cancel(self, reason: str) -> None:
        """Stop the cores of this launch that have not finished (queued ones never start)."""
        with self.backend.lock:
            self.backend.cancel(self, reason)

    def stream(self, sink: Callable[[], None]) -> None:
        """Call ``sink`` while a wait polls this launch and lines have been read (the handle
        takes and prints them: output streams during blocking calls)."""
        self._sink = sink

    def stream_lines(self) -> None:
        """Called by each poll of a wait (without the backend's lock): hand the lines read so
        far to the sink, at most every ``STREAM_SECONDS``."""
        now = time.monotonic()
        if self._sink is not None and self._lines and now - self._streamed >= STREAM_SECONDS:
            self._streamed = now
            self._sink()

    def take_lines(self) -> list[tuple[int, str]]:
        """Printed lines read since the last call, as (core, text), ordered by core.

        Each core's lines keep their order; lines of several cores collected by one call are
        listed core by core.  Lines stream while the launch runs (``stream``), so how the
        cores' lines interleave depends on when the host reads the rings.
        """
        with self.backend.lock:
            lines, self._lines = self._lines, []
        return sorted(lines, key=lambda cl: cl[0])

    @property
    def seconds(self) -> float | None:
        """Wall-clock seconds from the launch to its last result (None while running)."""
        if self._finished is None:
            return None
        return self._finished - self._issued
