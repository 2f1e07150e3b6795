"""The device backend's scheduler: opens the e-hal, keeps a FIFO queue of launches per core,
moves results and printed text from the mailboxes to the launches, and cancels, times out and
detects deadlocks the way the simulator backend reports them.

The queues advance whenever the host polls (``poll``/``wait_next``/``busy_cores``/``launch``).
"""

from __future__ import annotations

import atexit
import ctypes
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from epython.arrays import check_launch_fits
from epython.backends.base import CoreResult, core_arguments
from epython.backends.device import mailbox as M
from epython.backends.device.dram import LaunchArea, align, shared_area
from epython.backends.device.ehal import E_FALSE, E_TRUE, EEpiphany, EHal, EMem, EPlatform
from epython.backends.device.elf import symbolize
from epython.backends.device.launch import DeviceLaunch
from epython.backends.device.locate import core_program, find_ehal
from epython.backends.reports import blocked_core, deadlock_error, timeout_error
from epython.bytecode import protocol as P
from epython.bytecode.memory import E16_CORE_MEMORY
from epython.bytecode.opcodes import ErrorCode
from epython.compiler import CompiledKernel
from epython.errors import BackendError, CoreFault, DeadlockError, LaunchCancelled
from epython.marshal import SharedArg, decode_value, encode_resident, encode_value

if TYPE_CHECKING:
    from epython.backends.device.esim import EsimSession

__all__ = ["DEADLOCK_SECONDS", "MAX_POLL_SLEEP", "DeviceBackend"]

#: How long a blocked wait sleeps between polls of the mailboxes, at most (seconds).
MAX_POLL_SLEEP = 0.002
#: Seconds every unfinished core of a launch must stay blocked (same wait in its mailbox) before
#: the host declares a deadlock, like the simulator does when no event is left.
DEADLOCK_SECONDS = 0.5

Snapshot = tuple[tuple[int, int, int, int, int], ...]  # (core, kind, peer, line, heartbeat)


def _close_at_exit(ref: weakref.ref[DeviceBackend]) -> None:
    """At interpreter exit: stop the cores (host e-hal threads) and release the driver."""
    backend = ref()
    if backend is not None:
        backend.close()


def _copy_wire(value: Any) -> Any:
    """An independent copy of a wire value (arrays and lists are not shared with the caller)."""
    return decode_value(encode_value(value))


class DeviceBackend:
    """Backend that runs kernels on the Epiphany (or the host e-hal) through e-hal.

    The driver is opened on the first launch: ``e_init``, ``e_open`` of the whole chip,
    ``e_alloc`` of epython's DRAM area (``protocol.DRAM_AREA_OFFSET``), then the core program
    is loaded on every core and started.  :meth:`reset` stops and restarts every core;
    :meth:`close` releases the driver.
    """

    name = "device"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.hal: EHal | None = None
        self.program: Path | None = None
        self._dev = EEpiphany()
        self._mem = EMem()
        self._dev_ref, self._mem_ref = ctypes.byref(self._dev), ctypes.byref(self._mem)
        self._rows = 4
        self._cols = 4
        self._cmd: list[int] = []
        self._command = 0  # the last launch's command number (see launch())
        self._out_tail: list[int] = []
        self._partial: list[bytes] = []
        self._active: list[DeviceLaunch | None] = []
        self._queues: list[deque[DeviceLaunch]] = []
        self._area = LaunchArea(self.num_cores() * P.MAILBOX_STRIDE)
        self._shared_area = shared_area()
        #: device-resident values per core (wire values).  The host keeps them and sends the
        #: ones a launch names with its arguments; a core posts them back when it succeeds.
        self._resident: dict[int, dict[str, Any]] = {}
        #: per-core argument blocks of launches that carry device-resident values
        self._core_blocks: dict[int, tuple[int, int]] = {}
        #: the simulator the e-hal drives (EPYTHON_EHAL=esim), stopped by close()
        self._session: EsimSession | None = None
        self._read_buf = ctypes.create_string_buffer(P.MAILBOX_RESULT_BYTES)

    # --- Backend interface ----------------------------------------------------------------
    def available(self) -> bool:
        """True when an e-hal library is found (or, for EPYTHON_EHAL=host, can be built)."""
        if self.hal is not None:
            return True
        try:
            find_ehal(build=False)
        except BackendError:
            return False
        return True

    def num_cores(self) -> int:
        """Cores of the chip (16 on the Parallella until the driver has been opened)."""
        return self._rows * self._cols

    def busy_cores(self) -> set[int]:
        """Cores with a running or queued launch."""
        with self.lock:
            if self.hal is None:
                return set()
            self.progress()
            return {c for c in range(len(self._active))
                    if self._active[c] is not None or self._queues[c]}

    def copy_to_device(self, name: str, value: Any, cores: list[int]) -> None:
        """Store a named device-resident value for ``cores``: launches that start on them later
        receive it with their arguments (a launch already running keeps the value it got)."""
        encode_value(value, f"copy_to_device({name!r})")  # refuse what cannot travel, now
        with self.lock:
            for c in cores:
                self._resident.setdefault(c, {})[name] = _copy_wire(value)

    def copy_from_device(self, name: str, cores: list[int]) -> list[Any]:
        """The value of ``name`` on each of ``cores`` (as the last successful kernel left it)."""
        with self.lock:
            self.progress()  # results posted since: their device-resident values
            values = []
            for c in cores:
                held = self._resident.get(c, {})
                if name not in held:
                    raise KeyError(f"{name!r} is not defined on core {c}; use define_on_device "
                                   "or copy_to_device first")
                values.append(_copy_wire(held[name]))
            return values

    def launch(self, kernel: CompiledKernel, args: list[Any], cores: list[int]) -> DeviceLaunch:
        """Write the image and arguments to shared DRAM and queue the launch on ``cores``."""
        if len(args) > 255:
            raise TypeError(f"{kernel.name}(): {len(args)} arguments; a launch carries at most 255")
        own = core_arguments(args, cores)
        # the cores as device/core is built for them: the limit and the message of the
        # simulator's e16 preset (docs/language.md, "Memory model")
        if own is None:
            block = self._block(kernel, args)
            check_launch_fits(E16_CORE_MEMORY, len(kernel.image), args, kernel.params,
                              kernel=kernel.name, encoded_bytes=len(block) - 1)
            blocks: dict[int, bytes] = {}
        else:  # every core its own block (epython.split), written when the core starts
            blocks = {}
            for c, a in own.items():
                blocks[c] = self._block(kernel, a)
                check_launch_fits(E16_CORE_MEMORY, len(kernel.image), a, kernel.params, core=c,
                                  kernel=kernel.name, encoded_bytes=len(blocks[c]) - 1)
            block = b""
        with self.lock:
            self._open()
            n = self.num_cores()
            bad = [c for c in cores if not 0 <= c < n]
            if bad or len(set(cores)) != len(cores) or not cores:
                raise ValueError(f"{kernel.name}(): cores {cores} must be distinct ids in 0..{n - 1}")
            shared = self._place_shared(args)
            if shared:  # the descriptors now carry where their arrays lie in DRAM
                if own is None:
                    block = self._block(kernel, args)
                else:
                    blocks = {c: self._block(kernel, a) for c, a in own.items()}
            try:
                region = self._area.allocate(align(len(kernel.image)) + len(block))
            except BaseException:
                for arg in shared:
                    self._shared_area.free(arg.offset)
                raise
            launch = DeviceLaunch(self, kernel, list(args), cores, region, len(kernel.image),
                                  block, blocks, shared)
            # one command number for all its cores: it is the epoch of its messages (comm.c)
            self._command = M.next_command(self._command) or 1
            launch.command = self._command
            self._write_mem(launch.image_offset, kernel.image, "writing the program image")
            if block:
                self._write_mem(launch.args_offset, block, "writing the argument block")
            for c in cores:
                self._queues[c].append(launch)
            self.progress()
            return launch

    def _place_shared(self, args: list[Any]) -> list[SharedArg]:
        """Give each shared() array of a launch its region of the launch area and write its
        contents there (lock held)."""
        placed: list[SharedArg] = []
        for arg in args:
            if isinstance(arg, SharedArg) and arg not in placed:
                try:
                    arg.offset = self._shared_area.allocate(arg.nbytes)[0]
                except BackendError:
                    for done in placed:
                        self._shared_area.free(done.offset)
                    raise
                placed.append(arg)
                self._write_mem(arg.offset, arg.array.tobytes(), "writing a shared() array")
        return placed

    @staticmethod
    def _block(kernel: CompiledKernel, args: list[Any]) -> bytes:
        """The argument block: the count byte, then each encoded argument."""
        return bytes([len(args)]) + b"".join(
            encode_value(a, f"argument {p!r} of {kernel.name}()")
            for p, a in zip(list(kernel.params) + [f"#{i}" for i in range(len(args))], args))

    # --- driver lifetime ------------------------------------------------------------------
    def _open(self) -> None:
        """Open the driver and start the core program on every core (once).  Whatever stops it
        half way (an e-hal error, Ctrl-C) releases what it had taken: the driver, the
        simulator."""
        if self.hal is not None:
            return
        self._stop_session()  # a simulator left by an open that did not finish
        lib = find_ehal(build=True)
        self._session = lib.session
        initialised = False
        try:
            hal = EHal(lib.path, lib.host)
            program = core_program(lib.host)
            hal.call("e_init", "initialising the platform", None)
            initialised = True
            platform = EPlatform()
            hal.call("e_get_platform_info", "reading the platform", ctypes.byref(platform))
            rows, cols = int(platform.rows), int(platform.cols)
            if rows * cols > M.MAX_CORES or rows * cols == 0:
                raise BackendError(f"the e-hal reports a {rows} x {cols} chip; epython supports "
                                   f"1 to {M.MAX_CORES} cores")
            hal.call("e_open", "opening the chip as one workgroup", ctypes.byref(self._dev),
                     0, 0, rows, cols)
            # the mailboxes and the launch area, and (past e-hal's table) the shared() arrays
            size = P.DRAM_WINDOW_BYTES - P.DRAM_AREA_OFFSET
            hal.call("e_alloc", f"mapping {size} bytes of shared DRAM at offset "
                     f"{P.DRAM_AREA_OFFSET:#x}", ctypes.byref(self._mem), P.DRAM_AREA_OFFSET, size)
        except BaseException:
            if initialised:
                hal.lib.e_finalize()
            self._stop_session()
            raise
        self.hal, self.program = hal, program
        self._rows, self._cols = rows, cols
        try:
            self._restart_all()
        except BaseException:
            self.close()
            raise
        atexit.register(_close_at_exit, weakref.ref(self))

    def _restart_all(self) -> None:
        """Stop every core, clear the mailboxes, load and start the core program."""
        hal, n = self._hal(), self.num_cores()
        hal.call("e_reset_group", "resetting the cores", ctypes.byref(self._dev))
        self._write_mem(0, bytes(n * P.MAILBOX_STRIDE), "clearing the mailboxes")
        self._cmd = [0] * n
        self._out_tail = [0] * n
        self._partial = [b""] * n
        self._active = [None] * n
        self._queues = [deque() for _ in range(n)]
        self._area = LaunchArea(n * P.MAILBOX_STRIDE)
        self._shared_area = shared_area()
        hal.call("e_load_group", f"loading the core program {self.program}",
                 str(self.program).encode(), ctypes.byref(self._dev), 0, 0, self._rows,
                 self._cols, E_FALSE)
        hal.call("e_start_group", "starting the cores", ctypes.byref(self._dev))

    def _in_flight(self) -> list[DeviceLaunch]:
        """Every launch running or queued on some core, each once."""
        launches = {id(x): x for x in self._active if x is not None}
        launches.update({id(x): x for q in self._queues for x in q})
        return list(launches.values())

    def reset(self, reason: str = "the device backend was reset") -> None:
        """Stop every core, cancel every launch in flight or queued, restart the cores."""
        with self.lock:
            if self.hal is None:
                return
            undelivered = [(x, x.unfinished()) for x in self._in_flight()]
            self._restart_all()
            for x, cores in undelivered:
                for c in cores:
                    x.deliver(CoreResult(c, error=LaunchCancelled(f"kernel {x.kernel.name}: "
                                                                  f"{reason}")))

    def close(self) -> None:
        """Stop the cores and release the driver; the next launch opens it again."""
        with self.lock:
            hal = self.hal
            if hal is None:
                return
            for x in {id(x): x for x in self._active if x is not None}.values():
                for c in x.unfinished():
                    x.deliver(CoreResult(c, error=LaunchCancelled(
                        f"kernel {x.kernel.name}: the device backend was closed")))
            self.hal = None
            hal.lib.e_reset_group(ctypes.byref(self._dev))
            hal.lib.e_free(ctypes.byref(self._mem))
            hal.lib.e_close(ctypes.byref(self._dev))
            hal.lib.e_finalize()
            self._stop_session()
            self._active, self._queues = [], []

    def _stop_session(self) -> None:
        """Stop the simulator the e-hal drove (EPYTHON_EHAL=esim), if any."""
        session, self._session = self._session, None
        if session is not None:
            session.stop()

    # --- shared DRAM (lock held) ----------------------------------------------------------
    def _hal(self) -> EHal:
        if self.hal is None:  # pragma: no cover - internal misuse
            raise BackendError("the device backend is not open")
        return self.hal

    def _write_mem(self, offset: int, data: bytes, doing: str) -> None:
        # bytes pass as a const void * without a copy (e_write only reads its source)
        self._hal().call("e_write", doing, self._mem_ref, 0, 0, offset, bytes(data), len(data))

    def _read_mem(self, offset: int, size: int, doing: str) -> bytes:
        # one buffer for every read (the lock is held): a poll reads 16 headers, and a fresh,
        # zero-filled buffer per read cost more than the read itself
        if size > len(self._read_buf):
            self._read_buf = ctypes.create_string_buffer(size)
        buf = self._read_buf
        self._hal().call("e_read", doing, self._mem_ref, 0, 0, offset, buf, size)
        return ctypes.string_at(buf, size)

    def _set(self, core: int, field: str, value: int) -> None:
        self._write_mem(M.field_offset(core, field), M.u32(value),
                        f"writing {field} of core {core}'s mailbox")

    def _header(self, core: int) -> M.Header:
        return M.Header(self._read_mem(core * P.MAILBOX_STRIDE, M.HEADER_BYTES,
                                       f"reading core {core}'s mailbox"))

    def release(self, launch: DeviceLaunch) -> None:
        """A finished launch reads its shared() arrays back from DRAM and gives back its
        regions of the launch area (lock held)."""
        self._area.free(launch.region[0])
        for arg in launch.shared:
            data = self._read_mem(arg.offset, arg.nbytes, "reading a shared() array back")
            arg.array[...] = np.frombuffer(data, dtype=arg.array.dtype).reshape(arg.array.shape)
            self._shared_area.free(arg.offset)

    def _free_core_block(self, core: int) -> None:
        """Give back ``core``'s own argument block, if its launch had one."""
        block = self._core_blocks.pop(core, None)
        if block is not None:
            self._area.free(block[0])

    # --- the scheduler (lock held) --------------------------------------------------------
    def _start(self, core: int, launch: DeviceLaunch) -> None:
        """Fill ``core``'s mailbox for ``launch`` and bump its command word."""
        base = core * P.MAILBOX_STRIDE
        args_offset, args_size = launch.args_offset, launch.args_size
        resident = encode_resident(launch.kernel.program.globals, self._resident.get(core, {}))
        if resident or core in launch.blocks:
            # this core's own argument block: the arguments, then its device-resident values
            block = launch.block_of(core) + resident
            args_offset = self._area.allocate(len(block))[0]
            args_size = len(block)
            self._core_blocks[core] = (args_offset, args_size)
            self._write_mem(args_offset, block, f"writing core {core}'s argument block")
        offset, fields = launch.launch_fields(args_offset, args_size)
        self._write_mem(base + offset, fields, f"writing core {core}'s launch fields")
        self._write_mem(base + P.MAILBOX_CORES_OFFSET, launch.core_list,
                        f"writing core {core}'s core list")
        self._cmd[core] = launch.command
        self._active[core] = launch
        self._set(core, "command", self._cmd[core])  # the start signal, written last
        self._hal().call("e_signal", f"signalling core {core}", self._dev_ref,
                         core // self._cols, core % self._cols)

    def _drain_output(self, core: int, head: int, launch: DeviceLaunch | None) -> None:
        """Move printed text from ``core``'s out ring to ``launch``'s lines."""
        reads, tail = M.ring_reads(self._out_tail[core], head)
        if not reads:
            return
        ring = core * P.MAILBOX_STRIDE + P.MAILBOX_OUT_OFFSET
        data = b"".join(self._read_mem(ring + start, length, f"reading core {core}'s printed text")
                        for start, length in reads)
        self._out_tail[core] = tail
        self._set(core, "out_tail", tail)
        lines, self._partial[core] = M.split_lines(self._partial[core], data)
        if launch is not None:
            for text in lines:
                launch.add_line(core, text)

    def progress(self) -> None:
        """Read the mailboxes of busy cores; deliver results; start queued launches (lock
        held)."""
        if self.hal is None:
            return
        for core, launch in enumerate(self._active):
            if launch is None:
                continue
            h = self._header(core)
            self._drain_output(core, h.out_head, launch)
            if h.state == P.STATE_FAULT:
                self._fault(core, h, launch)
                continue
            if h.done_seq != self._cmd[core]:
                continue
            self._drain_output(core, self._header(core).out_head, launch)
            if self._partial[core]:  # text printed without a final newline
                launch.add_line(core, self._partial[core].decode("utf-8", "replace"))
                self._partial[core] = b""
            self._active[core] = None
            launch.deliver(self._result(core, h, launch))
        for core, queue in enumerate(self._queues):
            if self._active[core] is None and queue:
                self._start(core, queue.popleft())

    def _result(self, core: int, h: M.Header, launch: DeviceLaunch) -> CoreResult:
        """Read and decode what ``core`` posted for ``launch``; keep its device-resident values."""
        base = core * P.MAILBOX_STRIDE
        size = M.result_bytes(launch.kernel, h)
        area = self._read_mem(base + P.MAILBOX_RESULT_OFFSET, size,
                              f"reading core {core}'s result") if size else b""
        message = chain = b""
        if h.error_code != ErrorCode.OK:
            message = self._read_mem(base + P.MAILBOX_MESSAGE_OFFSET,
                                     P.MAILBOX_RESULT_OFFSET - P.MAILBOX_MESSAGE_OFFSET,
                                     f"reading core {core}'s error message")
            chain = self._read_mem(base + P.MAILBOX_ERROR_CHAIN_OFFSET,
                                   P.MAILBOX_ERROR_CHAIN_BYTES,
                                   f"reading core {core}'s error call chain")
        changes = b""
        if h.changes_size:
            changes = self._read_mem(base + P.MAILBOX_CHANGES_OFFSET,
                                     min(h.changes_size, P.MAILBOX_CHANGES_BYTES),
                                     f"reading core {core}'s changes to array arguments")
        out = M.decode_outcome(launch.kernel, core, h, area, message, changes,
                               launch.block_of(core), chain)
        self._free_core_block(core)
        held = self._resident.setdefault(core, {})
        for name, value in out.resident.items():
            if name in held:
                held[name] = value
        return CoreResult(core, out.value, out.error, h.cycles, h.instructions, [],
                          out.array_updates)

    # --- waiting, timeouts and deadlocks --------------------------------------------------
    def wait_for(self, launch: DeviceLaunch, timeout: float | None, ready: Callable[[], bool],
                 what: str) -> None:
        """Poll until ``ready()`` (checked with the lock held).  TimeoutError naming ``what``
        did not happen after ``timeout`` seconds; DeadlockError (the launch's cores stopped)
        when every unfinished core stays in the same parallel-operation wait for
        DEADLOCK_SECONDS."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.0
        blocked: Snapshot | None = None
        since = time.monotonic()
        while True:
            with self.lock:
                self.progress()
                if ready():
                    return
                snapshot = self._blocked(launch)
            launch.stream_lines()
            now = time.monotonic()
            if snapshot != blocked:
                blocked, since = snapshot, now
            elif snapshot is not None and now - since >= DEADLOCK_SECONDS:
                raise self._deadlock(launch, snapshot)
            if deadline is not None and now >= deadline:
                assert timeout is not None
                with self.lock:
                    states = self._core_states(launch)
                    if self._session is not None:  # e-sim logs what stalls a core for good
                        states += [f"core {c}'s simulator reports: {text}" for c, text in
                                   sorted(self._session.complaints().items())
                                   if c in launch.cores]
                raise timeout_error(launch.kernel, what, timeout, states,
                                    backend=" (device backend)",
                                    free="cancel the launch or reset the backend",
                                    source=", from their mailboxes")
            pause = min(MAX_POLL_SLEEP, pause * 2 or 0.00005)
            time.sleep(pause if deadline is None else max(0.0, min(pause, deadline - now)))

    def _blocked(self, launch: DeviceLaunch) -> Snapshot | None:
        """(core, wait kind, peer, line, heartbeat) of every unfinished core of ``launch`` when
        all of them are running it and blocked in a parallel operation; else None."""
        snapshot = []
        for c in launch.unfinished():
            if self._active[c] is not launch:
                return None
            state = self._header(c).wait_state(c)
            if state is None:
                return None
            snapshot.append(state)
        return tuple(snapshot) or None

    def _core_states(self, launch: DeviceLaunch) -> list[str]:
        """What each unfinished core of ``launch`` is doing, read from its mailbox: blocked in
        a parallel operation (with the line), running, or queued."""
        states = []
        for core in launch.unfinished():
            if self._active[core] is not launch:
                states.append(f"core {core} is queued behind an earlier launch")
                continue
            h = self._header(core)
            if h.wait_kind:
                states.append(blocked_core(launch.kernel, core,
                                           P.describe_wait(h.wait_kind, h.wait_peer), 0,
                                           h.wait_line))
            else:
                states.append(f"core {core} is running, not blocked in a parallel operation "
                              f"(heartbeat {h.heartbeat})")
        return states

    def _deadlock(self, launch: DeviceLaunch, snapshot: Snapshot) -> DeadlockError:
        """Stop the launch's blocked cores; the DeadlockError each of them reports.  The
        mailbox has no function index for a wait: lines are those of the kernel's body."""
        at_barrier = {core for core, kind, *_rest in snapshot if kind == P.WAIT_BARRIER}
        missing = [c for c in launch.cores if c not in at_barrier]
        waiting = [blocked_core(launch.kernel, core, P.describe_wait(kind, peer, missing=missing),
                                0, line)
                   for core, kind, peer, line, _heartbeat in snapshot]
        with self.lock:
            failed = dict(launch.errors)
        error = deadlock_error(launch.kernel, waiting, failed)
        with self.lock:
            self.cancel(launch, str(error), error)
        return error

    def _reload_core(self, core: int) -> None:
        """Load and start the core program again on the stopped ``core``; its launch counts as
        done (its printed text up to here is drained)."""
        self._partial[core] = b""
        # the abandoned launch counts as done; the ring starts where the host stopped
        self._set(core, "out_head", self._out_tail[core])
        self._set(core, "done_seq", self._cmd[core])
        for name in ("state", "wait_kind", "fault", "fault_status", "fault_pc"):
            self._set(core, name, 0)
        self._active[core] = None
        self._free_core_block(core)
        self._hal().call("e_load_group", f"reloading the core program on core {core}",
                         str(self.program).encode(), ctypes.byref(self._dev), core // self._cols,
                         core % self._cols, 1, 1, E_TRUE)

    def _fault(self, core: int, h: M.Header, launch: DeviceLaunch) -> None:
        """``core`` stopped on a hardware exception: report a CoreFault for it, reload it."""
        assert self.program is not None
        function = symbolize(self.program, h.fault_pc) or ""
        where = f"0x{h.fault_pc:08x}" + (f" ({function} in {self.program.name})" if function else "")
        error = CoreFault(
            f"kernel {launch.kernel.name}: core {core} stopped on {M.describe_fault(h)} at "
            f"{where} (STATUS 0x{h.fault_status:08x}); this is a bug of epython's core program "
            "(device/core), not of the kernel: please report it with the kernel. The core "
            "program was loaded again on that core.", core=core, pc=h.fault_pc,
            cause=M.describe_fault(h), function=function)
        if self._partial[core]:
            launch.add_line(core, self._partial[core].decode("utf-8", "replace"))
        self._stop_core(core)
        self._reload_core(core)
        launch.deliver(CoreResult(core, error=error))

    def _stop_core(self, core: int) -> None:
        """Stop ``core`` wherever it is, before its core program is loaded again: e-hal's reset
        of one core where the library has it (the eSDK's e-hal; e_halt does nothing on e-sim),
        else e_halt (the host e-hal)."""
        hal = self._hal()
        row, col = core // self._cols, core % self._cols
        if getattr(hal.lib, "ee_reset_core", None) is not None:
            hal.call("ee_reset_core", f"resetting core {core}", ctypes.byref(self._dev), row, col)
        else:
            hal.call("e_halt", f"halting core {core}", ctypes.byref(self._dev), row, col)

    def cancel(self, launch: DeviceLaunch, reason: str,
               error: BaseException | None = None) -> None:
        """Cancel ``launch``: drop it from the queues, stop and restart its running cores; its
        unfinished cores report ``error`` or LaunchCancelled(reason) (lock held)."""
        self.progress()
        if launch.finished or self.hal is None:
            return
        running = [c for c in launch.cores if self._active[c] is launch]
        for c in launch.unfinished():
            if c not in running:
                self._queues[c] = deque(x for x in self._queues[c] if x is not launch)
        for c in running:
            self._stop_core(c)
        for c in running:
            self._drain_output(c, self._header(c).out_head, launch)
            self._reload_core(c)
        for c in launch.unfinished():
            launch.deliver(CoreResult(c, error=error or LaunchCancelled(reason)))
        self.progress()
