"""The device backend: the Epiphany through the e-hal driver (ctypes), or its host stand-in.

Where the e-hal comes from (first match wins):

* ``EPYTHON_EHAL=host``: the e-hal API on host threads (``device/ehal-host``), built on first
  use with the system C compiler together with the host build of the core program
  (``make -C device host``); each core is a thread over a 32 KB buffer, shared DRAM a 32 MB
  buffer.  This runs the whole device path (binding, protocol, C interpreter) without a board.
* ``EPYTHON_EHAL=/path/to/libe-hal.so``: that library (nothing else is searched).
* the eSDK: ``$EPIPHANY_HOME/tools/host/lib/libe-hal.so`` (``EPIPHANY_HOME`` defaults to
  ``/opt/adapteva/esdk``), then the system library path (``ctypes.util.find_library``).

When none is found, :meth:`DeviceBackend.available` is False and the first launch raises
:class:`epython.BackendError` naming every place looked at.

The launch protocol (docs/backends.md) is defined in :mod:`epython.bytecode.protocol`: the host
writes the program image and the argument block (u8 count + :func:`epython.marshal.encode_value`
of each argument) into the launch area of shared DRAM, fills each core's mailbox and bumps its
``command`` word; the core posts its result, error, counters and printed text into the same
mailbox.  Launches on busy cores wait in FIFO order in a host-side queue per core; the queues
advance whenever the host polls (``poll``/``wait_next``/``busy_cores``/``launch``).
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import shutil
import struct
import subprocess
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from epython.backends.base import CoreResult
from epython.bytecode import protocol as P
from epython.bytecode.image import NO_INIT
from epython.bytecode.opcodes import ErrorCode
from epython.compiler import CompiledKernel
from epython.errors import BackendError, DeadlockError, LaunchCancelled, kernel_error_class
from epython.marshal import decode_prefix, decode_value, encode_resident, encode_value

__all__ = [
    "DeviceBackend",
    "DeviceLaunch",
    "EChip",
    "ECore",
    "EEpiphany",
    "EHal",
    "EMem",
    "EMemseg",
    "EMmap",
    "EPlatform",
    "build_core_host",
    "build_ehal_host",
    "find_ehal",
]

# --- ctypes mirrors of the e-hal structs --------------------------------------------------------
# Field order and types follow the eSDK 2016.11 release that Parallella boards ship:
# adapteva/epiphany-libs tag epiphany-libs-esdk-2016.11 (commit
# 237b6cb27460c73bcc39cd648d52d36ab1b39c56, LGPL): e-hal/src/epiphany-hal-data-local.h (e_mmap_t,
# e_core_t, e_chip_t, e_memseg_t, e_platform_t) and e-hal/src/epiphany-hal-data.h (e_epiphany_t,
# e_mem_t).  device/ehal-host/e-hal.h declares the same layouts.  tests/test_ehal_layout.py
# checks every size and offset below against that header, against layouts recorded from the
# real headers with gcc for x86-64 and 32-bit ARM (the Parallella's host), and, when an
# epiphany-libs tree is at hand (EPIPHANY_LIBS_SRC), against the real headers themselves.
# C enums are int; off_t is long on Linux (the eSDK is built without _FILE_OFFSET_BITS=64, so it
# is 4 bytes on the Parallella's 32-bit ARM).

_enum = ctypes.c_int
_off_t = ctypes.c_long
E_OK = 0
E_ERR = -1
E_FALSE = 0
E_TRUE = 1
E_EXT_MEM = 5


class EMmap(ctypes.Structure):
    """``e_mmap_t``: one mapped region (a core's SRAM or registers)."""

    _fields_ = [
        ("objtype", _enum),
        ("phy_base", _off_t),
        ("page_base", _off_t),
        ("page_offset", _off_t),
        ("map_size", ctypes.c_size_t),
        ("mapped_base", ctypes.c_void_p),
        ("base", ctypes.c_void_p),
    ]


class ECore(ctypes.Structure):
    """``e_core_t``: one core of an open workgroup."""

    _fields_ = [
        ("objtype", _enum),
        ("id", ctypes.c_uint),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("mems", EMmap),
        ("regs", EMmap),
    ]


class EChip(ctypes.Structure):
    """``e_chip_t``: one Epiphany chip of the platform."""

    _fields_ = [
        ("objtype", _enum),
        ("type", _enum),
        ("version", ctypes.c_char * 32),
        ("arch", ctypes.c_uint),
        ("base_coreid", ctypes.c_uint),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("rows", ctypes.c_uint),
        ("cols", ctypes.c_uint),
        ("num_cores", ctypes.c_uint),
        ("sram_base", ctypes.c_uint),
        ("sram_size", ctypes.c_uint),
        ("regs_base", ctypes.c_uint),
        ("regs_size", ctypes.c_uint),
        ("ioregs_n", _off_t),
        ("ioregs_e", _off_t),
        ("ioregs_s", _off_t),
        ("ioregs_w", _off_t),
    ]


class EMemseg(ctypes.Structure):
    """``e_memseg_t``: one external memory segment."""

    _fields_ = [
        ("objtype", _enum),
        ("phy_base", _off_t),
        ("ephy_base", _off_t),
        ("size", ctypes.c_size_t),
        ("type", _enum),
    ]


class EPlatform(ctypes.Structure):
    """``e_platform_t``: what ``e_get_platform_info`` reports.

    e-hal 2016.11 copies its platform record and sets ``chip`` and ``emem`` to NULL in the copy
    (epiphany-hal.c), so only the scalar fields are meaningful here.
    """

    _fields_ = [
        ("objtype", _enum),
        ("type", _enum),
        ("version", ctypes.c_char * 32),
        ("hal_ver", ctypes.c_uint),
        ("initialized", ctypes.c_int),
        ("num_chips", ctypes.c_int),
        ("chip", ctypes.POINTER(EChip)),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("rows", ctypes.c_uint),
        ("cols", ctypes.c_uint),
        ("num_emems", ctypes.c_int),
        ("emem", ctypes.POINTER(EMemseg)),
        ("target_ops", ctypes.c_void_p),  # const e_target_ops_t *: the target's functions
        ("priv", ctypes.c_void_p),  # the target's handle (esim: its es_state)
    ]


class EEpiphany(ctypes.Structure):
    """``e_epiphany_t``: an open workgroup of cores (``e_open``)."""

    _fields_ = [
        ("objtype", _enum),
        ("type", _enum),
        ("num_cores", ctypes.c_uint),
        ("base_coreid", ctypes.c_uint),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("rows", ctypes.c_uint),
        ("cols", ctypes.c_uint),
        ("core", ctypes.POINTER(ctypes.POINTER(ECore))),
        ("memfd", ctypes.c_int),
        ("priv", ctypes.c_void_p),  # the target's private data
    ]


class EMem(ctypes.Structure):
    """``e_mem_t``: a buffer of external memory (``e_alloc``)."""

    _fields_ = [
        ("objtype", _enum),
        ("phy_base", _off_t),
        ("page_base", _off_t),
        ("page_offset", _off_t),
        ("map_size", ctypes.c_size_t),
        ("ephy_base", _off_t),
        ("emap_size", ctypes.c_size_t),
        ("mapped_base", ctypes.c_void_p),
        ("base", ctypes.c_void_p),
        ("memfd", ctypes.c_int),
        ("priv", ctypes.c_void_p),  # the target's private data
    ]


#: The C struct each ctypes class mirrors (the layout tests walk this).
C_STRUCTS: dict[str, type[ctypes.Structure]] = {
    "e_mmap_t": EMmap,
    "e_core_t": ECore,
    "e_chip_t": EChip,
    "e_memseg_t": EMemseg,
    "e_platform_t": EPlatform,
    "e_epiphany_t": EEpiphany,
    "e_mem_t": EMem,
}

_P_EP, _P_MEM = ctypes.POINTER(EEpiphany), ctypes.POINTER(EMem)
_u, _i = ctypes.c_uint, ctypes.c_int
#: (restype, argtypes) of every e-hal function epython calls, as declared in the eSDK 2016.11
#: e-hal/src/epiphany-hal-api.h and e-hal/src/e-loader.h (e_load_group).  C enum parameters
#: (e_bool_t, e_hal_diag_t) are int; a ``const`` qualifier does not change the ctypes type.
SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "e_init": (_i, [ctypes.c_char_p]),
    "e_get_platform_info": (_i, [ctypes.POINTER(EPlatform)]),
    "e_finalize": (_i, []),
    "e_open": (_i, [_P_EP, _u, _u, _u, _u]),
    "e_close": (_i, [_P_EP]),
    "e_alloc": (_i, [_P_MEM, _off_t, ctypes.c_size_t]),
    "e_free": (_i, [_P_MEM]),
    "e_read": (ctypes.c_ssize_t, [ctypes.c_void_p, _u, _u, _off_t, ctypes.c_void_p,
                                  ctypes.c_size_t]),
    "e_write": (ctypes.c_ssize_t, [ctypes.c_void_p, _u, _u, _off_t, ctypes.c_void_p,
                                   ctypes.c_size_t]),
    "e_reset_group": (_i, [_P_EP]),
    "e_start_group": (_i, [_P_EP]),
    "e_signal": (_i, [_P_EP, _u, _u]),
    "e_halt": (_i, [_P_EP, _u, _u]),
    "e_load_group": (_i, [ctypes.c_char_p, _P_EP, _u, _u, _u, _u, _i]),
}
#: Functions bound when the library has them: (restype, argtypes) likewise.
OPTIONAL_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "e_set_host_verbosity": (_i, [_i]),  # e_hal_diag_t e_set_host_verbosity(e_hal_diag_t)
    "ehal_host_last_error": (ctypes.c_char_p, []),  # the host e-hal only (not in the eSDK)
}


# --- locating and building the libraries --------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
DEVICE_DIR = ROOT / "device"
HOST_BUILD = DEVICE_DIR / "build" / "host"
HOST_EHAL = HOST_BUILD / "libe-hal-host.so"
HOST_CORE = HOST_BUILD / "libepycore.so"
TEST_CORE = HOST_BUILD / "libepy-testcore.so"
EPIPHANY_CORE = DEVICE_DIR / "build" / "epiphany" / "epycore.elf"
DEFAULT_EPIPHANY_HOME = "/opt/adapteva/esdk"
INSTALL_HINT = ("install a C compiler and make (Debian/Ubuntu: apt-get install build-essential; "
                "Fedora: dnf install gcc make; macOS: xcode-select --install)")

_build_lock = threading.Lock()
_built: dict[str, Path] = {}


def _run_make(target_dir: Path, target: str, what: str) -> None:
    """Run ``make -C target_dir target``; BackendError with the compiler's output on failure."""
    make = shutil.which("make")
    cc = os.environ.get("CC", "").split()[:1] or ["gcc"]
    if make is None or (shutil.which(cc[0]) is None and shutil.which("cc") is None):
        missing = "make" if make is None else f"a C compiler ({cc[0]} or cc)"
        raise BackendError(f"cannot build {what}: {missing} not found on PATH; {INSTALL_HINT}, "
                           "or use EPYTHON_BACKEND=sim")
    if not target_dir.is_dir():
        raise BackendError(f"cannot build {what}: {target_dir} is missing (the device sources "
                           "ship with the epython source tree, not with an installed wheel)")
    lock_path = DEVICE_DIR / "build" / ".epython-build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock_file:  # one build at a time across processes
        try:
            import fcntl

            fcntl.flock(lock_file, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        proc = subprocess.run([make, "-C", str(target_dir), target], capture_output=True,
                              text=True, check=False)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip().splitlines()
        tail = "\n  ".join(output[-15:])
        raise BackendError(f"building {what} failed (make -C {target_dir} {target}, exit "
                           f"{proc.returncode}):\n  {tail}")


def build_ehal_host() -> Path:
    """Build (once per process; ``make`` skips up-to-date files) the host e-hal library."""
    with _build_lock:
        if "ehal" not in _built:
            _run_make(DEVICE_DIR / "ehal-host", "all", "the host e-hal (device/ehal-host)")
            _built["ehal"] = HOST_EHAL
        return _built["ehal"]


def build_core_host() -> Path:
    """Build (once per process) the host build of the core program, ``libepycore.so``."""
    with _build_lock:
        if "core" not in _built:
            _run_make(DEVICE_DIR, "host", "the host build of the core program (device/core)")
            if not HOST_CORE.is_file():
                raise BackendError(f"'make -C {DEVICE_DIR} host' succeeded but did not produce "
                                   f"{HOST_CORE}")
            _built["core"] = HOST_CORE
        return _built["core"]


def prefer_host_ehal() -> bool:
    """Set ``EPYTHON_EHAL=host`` unless it is set or an eSDK's e-hal is installed; True if set.

    For tools that want the device path on any machine (the test suite, the benchmarks): on a
    Parallella with the eSDK the real driver is used, elsewhere the host e-hal.
    """
    if os.environ.get("EPYTHON_EHAL", "").strip():
        return False
    home = os.environ.get("EPIPHANY_HOME", "").strip() or DEFAULT_EPIPHANY_HOME
    if (Path(home) / "tools" / "host" / "lib" / "libe-hal.so").is_file():
        return False
    os.environ["EPYTHON_EHAL"] = "host"
    return True


def _places() -> tuple[list[tuple[str, Path | None]], str | None]:
    """(description, path) of every place an e-hal may be, and EPYTHON_EHAL's value."""
    env = os.environ.get("EPYTHON_EHAL", "").strip() or None
    home = os.environ.get("EPIPHANY_HOME", "").strip()
    home_desc = f"EPIPHANY_HOME={home}" if home else f"EPIPHANY_HOME unset, default {DEFAULT_EPIPHANY_HOME}"
    home_path = Path(home or DEFAULT_EPIPHANY_HOME)
    places: list[tuple[str, Path | None]] = []
    if env is not None and env != "host":
        places.append((f"EPYTHON_EHAL={env}", Path(env)))
    places.append((home_desc, home_path / "tools" / "host" / "lib" / "libe-hal.so"))
    system = ctypes.util.find_library("e-hal")
    places.append(("the system library path (ctypes.util.find_library('e-hal'))",
                   Path(system) if system else None))
    return places, env


def find_ehal(build: bool = True) -> tuple[Path, bool]:
    """The e-hal library to load and whether it is the host e-hal (see the module doc).

    With ``build=False`` the host e-hal is not built; it counts as found when it is built
    already or can be built (make and a C compiler are on PATH).  Raises BackendError naming
    every place it looked at when there is no e-hal.
    """
    places, env = _places()
    if env == "host":
        if build:
            return build_ehal_host(), True
        cc = os.environ.get("CC", "").split()[:1] or ["gcc"]
        can_build = shutil.which("make") is not None and (
            shutil.which(cc[0]) is not None or shutil.which("cc") is not None)
        if HOST_EHAL.is_file() or can_build:
            return HOST_EHAL, True
        raise BackendError(f"EPYTHON_EHAL=host: {HOST_EHAL} is not built and cannot be: "
                           f"{INSTALL_HINT}")
    looked = []
    for k, (desc, path) in enumerate(places):
        exists = path is not None and path.is_file()
        if exists and (env is None or k == 0):
            assert path is not None
            return path, False
        if path is None:
            looked.append(f"{desc}: libe-hal not found")
        elif exists:  # only when an explicit EPYTHON_EHAL is missing
            looked.append(f"{desc}: {path} exists (unset EPYTHON_EHAL to use it)")
        else:
            looked.append(f"{desc}: {path} (no such file)")
    raise BackendError(
        "the device backend found no e-hal library (libe-hal.so); looked at:\n  "
        + "\n  ".join(looked)
        + "\nInstall the Epiphany SDK (eSDK) and set EPIPHANY_HOME, point "
        "EPYTHON_EHAL=/path/to/libe-hal.so at the library, or set EPYTHON_EHAL=host to run the "
        "device path on host threads (built automatically; needs gcc and make).")


# --- the binding --------------------------------------------------------------------------------

class EHal:
    """The e-hal functions epython uses, loaded with ctypes, with typed signatures.

    Failing calls raise :class:`BackendError` naming the function (and, for the host e-hal,
    its explanation from ``ehal_host_last_error``).
    """

    def __init__(self, path: Path | str, host: bool = False) -> None:
        self.path = Path(path)
        self.host = host
        try:
            self.lib = ctypes.CDLL(str(path))
        except OSError as exc:
            raise BackendError(f"cannot load the e-hal library {path}: {exc}") from exc
        for name, (restype, argtypes) in SIGNATURES.items():
            try:
                fn = getattr(self.lib, name)
            except AttributeError as exc:
                raise BackendError(f"{path} does not export {name}(); it is not an e-hal "
                                   "library") from exc
            fn.restype, fn.argtypes = restype, argtypes
        for name, (restype, argtypes) in OPTIONAL_SIGNATURES.items():
            fn = getattr(self.lib, name, None)
            if fn is not None:
                fn.restype, fn.argtypes = restype, argtypes
        self._last_error = getattr(self.lib, "ehal_host_last_error", None)

    def why(self) -> str:
        """The library's explanation of its last failure ('' when it has none)."""
        if self._last_error is None:
            return ""
        raw = self._last_error()
        return raw.decode("utf-8", "replace") if raw else ""

    def check(self, name: str, rc: int, doing: str) -> int:
        """Raise BackendError when an e-hal call failed (a negative return)."""
        if rc < 0:
            why = self.why()
            raise BackendError(f"e-hal {name}() failed while {doing} ({self.path}): "
                               + (why or f"returned {rc}; run with the eSDK's verbosity raised "
                                  "(e_set_host_verbosity) for details"))
        return rc

    def call(self, name: str, doing: str, *args: Any) -> int:
        """Call e-hal function ``name`` and check its result."""
        return self.check(name, int(getattr(self.lib, name)(*args)), doing)


# --- the backend --------------------------------------------------------------------------------

_FIELDS = dict(P.MAILBOX_FIELDS)
_HEADER_BYTES = max(_FIELDS.values()) + 4
_HEADER = struct.Struct("<" + "I" * (_HEADER_BYTES // 4))
_U32 = struct.Struct("<I")
_ALIGN = 8
#: Bytes of the launch area (program images and argument blocks after the mailboxes).
LAUNCH_AREA_BYTES = 8 << 20
#: How long a blocked wait sleeps between polls of the mailboxes, at most (seconds).
MAX_POLL_SLEEP = 0.002
#: Seconds every unfinished core of a launch must stay blocked (same wait in its mailbox) before
#: the host declares a deadlock, like the simulator does when no event is left.
DEADLOCK_SECONDS = 0.5


class _Header:
    """The u32 fields at the start of a mailbox, by name."""

    def __init__(self, raw: bytes) -> None:
        values = _HEADER.unpack(raw)
        self.values = {name: values[off // 4] for name, off in P.MAILBOX_FIELDS}

    def __getattr__(self, name: str) -> int:
        try:
            return int(self.values[name])
        except KeyError:
            raise AttributeError(name) from None


def _close_at_exit(ref: weakref.ref[DeviceBackend]) -> None:
    """At interpreter exit: stop the cores (host e-hal threads) and release the driver."""
    backend = ref()
    if backend is not None:
        backend.close()


def _copy_wire(value: Any) -> Any:
    """An independent copy of a wire value (arrays and lists are not shared with the caller)."""
    return decode_value(encode_value(value))


class DeviceLaunch:
    """A launch on the device: results, printed lines and counters read from the mailboxes."""

    def __init__(self, backend: DeviceBackend, kernel: CompiledKernel, args: list[Any],
                 cores: list[int], region: tuple[int, int], image_size: int,
                 args_size: int) -> None:
        self.backend = backend
        self.kernel = kernel
        self.args = args
        self.cores = list(cores)
        self.region = region
        self.image_offset = region[0]
        self.image_size = image_size
        self.args_offset = region[0] + ((image_size + _ALIGN - 1) // _ALIGN) * _ALIGN
        self.args_size = args_size
        self.block = b""  # the argument block (cores with device-resident values extend it)
        self._pending: deque[CoreResult] = deque()
        self._delivered: set[int] = set()
        self._lines: list[tuple[int, str]] = []
        self._core_lines: dict[int, list[str]] = {c: [] for c in self.cores}
        self._issued = time.monotonic()
        self._finished: float | None = None

    def __repr__(self) -> str:
        return (f"<DeviceLaunch {self.kernel.name} on cores {self.cores}: "
                f"{len(self._delivered)} finished>")

    @property
    def finished(self) -> bool:
        """True once every core's result (or cancellation) has been read."""
        return len(self._delivered) == len(self.cores)

    # called by the backend, lock held
    def _line(self, core: int, text: str) -> None:
        self._lines.append((core, text))
        self._core_lines[core].append(text)

    def _deliver(self, result: CoreResult) -> None:
        result.lines = list(self._core_lines.get(result.core, []))
        self._delivered.add(result.core)
        self._pending.append(result)
        if self.finished:
            self._finished = time.monotonic()
            self.backend._release(self)

    def _take(self) -> list[CoreResult]:
        fresh = list(self._pending)
        self._pending.clear()
        return fresh

    def poll(self) -> list[CoreResult]:
        """Results that arrived since the last call (reads the mailboxes once; never blocks)."""
        with self.backend.lock:
            self.backend._progress()
            return self._take()

    def _wait(self, timeout: float | None, ready: Any, what: str) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.0
        blocked: tuple[tuple[int, ...], ...] | None = None
        since = time.monotonic()
        while True:
            with self.backend.lock:
                self.backend._progress()
                if ready():
                    return
                snapshot = self.backend._blocked(self)
            now = time.monotonic()
            if snapshot != blocked:
                blocked, since = snapshot, now
            elif snapshot is not None and now - since >= DEADLOCK_SECONDS:
                raise self._deadlock(snapshot)
            if deadline is not None and now >= deadline:
                with self.backend.lock:
                    states = self._core_states()
                raise TimeoutError(f"kernel {self.kernel.name}: {what} within {timeout:.3g} s "
                                   "of wall time (device backend); cancel the launch or reset "
                                   "the backend to free its cores. Unfinished cores, from their "
                                   "mailboxes:\n  " + "\n  ".join(states))
            pause = min(MAX_POLL_SLEEP, pause * 2 or 0.00005)
            time.sleep(pause if deadline is None else max(0.0, min(pause, deadline - now)))

    def _core_states(self) -> list[str]:
        """What each unfinished core of this launch is doing, read from its mailbox (lock held):
        blocked in a parallel operation (with the line), running, or queued."""
        kernel, states = self.kernel, []
        for core in self.cores:
            if core in self._delivered:
                continue
            if self.backend._active[core] is not self:
                states.append(f"core {core} is queued behind an earlier launch")
                continue
            h = self.backend._header(core)
            if h.wait_kind:
                line = h.wait_line
                states.append(f"core {core} waits for {P.describe_wait(h.wait_kind, h.wait_peer)} "
                              f"at {kernel.filename_of(0)}:{line}: "
                              f"{kernel.source_line(0, line).strip()}")
            else:
                states.append(f"core {core} is running, not blocked in a parallel operation "
                              f"(heartbeat {h.heartbeat})")
        return states

    def _deadlock(self, snapshot: tuple[tuple[int, ...], ...]) -> DeadlockError:
        """Stop the launch's blocked cores; the DeadlockError each of them reports."""
        kernel = self.kernel
        waiting = []
        at_barrier = {core for core, kind, *_rest in snapshot if kind == P.WAIT_BARRIER}
        for core, kind, peer, line, _heartbeat in snapshot:
            what = P.describe_wait(kind, peer)
            if kind == P.WAIT_BARRIER:
                missing = [c for c in self.cores if c not in at_barrier]
                what += f", which cores {missing} have not reached"
            waiting.append(f"core {core} waits for {what} at {kernel.filename_of(0)}:{line}: "
                           f"{kernel.source_line(0, line).strip()}")
        error = DeadlockError(f"kernel {kernel.name}: deadlock, every running core is blocked:"
                              "\n  " + "\n  ".join(waiting))
        with self.backend.lock:
            self.backend._cancel(self, str(error), error)
        return error

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
            self.backend._cancel(self, reason)

    def take_lines(self) -> list[tuple[int, str]]:
        """Printed lines read since the last call, as (core, text), ordered by core.

        Each core's lines keep their order; lines of several cores collected by one call are
        listed core by core, so the output does not depend on host thread timing.
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
        self._rows = 4
        self._cols = 4
        self._cmd: list[int] = []
        self._out_tail: list[int] = []
        self._partial: list[bytes] = []
        self._active: list[DeviceLaunch | None] = []
        self._queues: list[deque[DeviceLaunch]] = []
        self._regions: list[tuple[int, int]] = []  # (start, end) in use in the launch area
        #: device-resident values per core (wire values).  The host keeps them and sends the
        #: ones a launch names with its arguments; a core posts them back when it succeeds.
        self._resident: dict[int, dict[str, Any]] = {}
        #: per-core argument blocks of launches that carry device-resident values
        self._core_blocks: dict[int, tuple[int, int]] = {}

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
            self._progress()
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
            self._progress()  # results posted since: their device-resident values
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
        from esim.config import preset
        from esim.cores.memory import args_heap_bytes, check_fits

        if len(args) > 255:
            raise TypeError(f"{kernel.name}(): {len(args)} arguments; a launch carries at most 255")
        block = bytes([len(args)]) + b"".join(
            encode_value(a, f"argument {p!r} of {kernel.name}()")
            for p, a in zip(list(kernel.params) + [f"#{i}" for i in range(len(args))], args))
        # the same limit, with the same message, as the simulator's (docs/language.md)
        check_fits(preset("e16"), len(kernel.image), args_heap_bytes(args))
        with self.lock:
            self._open()
            n = self.num_cores()
            bad = [c for c in cores if not 0 <= c < n]
            if bad or len(set(cores)) != len(cores) or not cores:
                raise ValueError(f"{kernel.name}(): cores {cores} must be distinct ids in 0..{n - 1}")
            image_span = ((len(kernel.image) + _ALIGN - 1) // _ALIGN) * _ALIGN
            region = self._allocate(image_span + len(block))
            launch = DeviceLaunch(self, kernel, list(args), cores, region, len(kernel.image),
                                  len(block))
            launch.block = block
            self._write_mem(launch.image_offset, kernel.image, "writing the program image")
            self._write_mem(launch.args_offset, block, "writing the argument block")
            for c in cores:
                self._queues[c].append(launch)
            self._progress()
            return launch

    # --- driver lifetime ------------------------------------------------------------------
    def _core_program(self, host: bool) -> Path:
        override = os.environ.get("EPYTHON_CORE_PROGRAM", "").strip()
        if override:
            path = Path(override)
            if not path.is_file():
                raise BackendError(f"EPYTHON_CORE_PROGRAM={override}: no such file")
            return path
        if host:
            return build_core_host()
        if not EPIPHANY_CORE.is_file():
            raise BackendError(f"the Epiphany build of the core program is missing ({EPIPHANY_CORE}); "
                               f"build it on the board with 'make -C {DEVICE_DIR} epiphany' "
                               "(needs the eSDK), or set EPYTHON_CORE_PROGRAM")
        return EPIPHANY_CORE

    def _open(self) -> None:
        """Open the driver and start the core program on every core (once)."""
        if self.hal is not None:
            return
        path, host = find_ehal(build=True)
        hal = EHal(path, host)
        program = self._core_program(host)
        hal.call("e_init", "initialising the platform", None)
        try:
            platform = EPlatform()
            hal.call("e_get_platform_info", "reading the platform", ctypes.byref(platform))
            rows, cols = int(platform.rows), int(platform.cols)
            if rows * cols > 64 or rows * cols == 0:
                raise BackendError(f"the e-hal reports a {rows} x {cols} chip; epython supports "
                                   "1 to 64 cores")
            hal.call("e_open", "opening the chip as one workgroup", ctypes.byref(self._dev),
                     0, 0, rows, cols)
            size = rows * cols * P.MAILBOX_STRIDE + LAUNCH_AREA_BYTES
            hal.call("e_alloc", f"mapping {size} bytes of shared DRAM at offset "
                     f"{P.DRAM_AREA_OFFSET:#x}", ctypes.byref(self._mem), P.DRAM_AREA_OFFSET, size)
        except BackendError:
            hal.lib.e_finalize()
            raise
        self.hal, self.program = hal, program
        self._rows, self._cols = rows, cols
        try:
            self._restart_all()
        except BackendError:
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
        self._regions = []
        hal.call("e_load_group", f"loading the core program {self.program}",
                 str(self.program).encode(), ctypes.byref(self._dev), 0, 0, self._rows,
                 self._cols, E_FALSE)
        hal.call("e_start_group", "starting the cores", ctypes.byref(self._dev))

    def reset(self, reason: str = "the device backend was reset") -> None:
        """Stop every core, cancel every launch in flight or queued, restart the cores."""
        with self.lock:
            if self.hal is None:
                return
            launches = {id(x): x for x in self._active if x is not None}
            launches.update({id(x): x for q in self._queues for x in q})
            undelivered = [(x, [c for c in x.cores if c not in x._delivered])
                           for x in launches.values()]
            self._restart_all()
            for x, cores in undelivered:
                for c in cores:
                    x._deliver(CoreResult(c, error=LaunchCancelled(f"kernel {x.kernel.name}: "
                                                                   f"{reason}")))

    def close(self) -> None:
        """Stop the cores and release the driver; the next launch opens it again."""
        with self.lock:
            hal = self.hal
            if hal is None:
                return
            for x in {id(x): x for x in self._active if x is not None}.values():
                for c in x.cores:
                    if c not in x._delivered:
                        x._deliver(CoreResult(c, error=LaunchCancelled(
                            f"kernel {x.kernel.name}: the device backend was closed")))
            self.hal = None
            hal.lib.e_reset_group(ctypes.byref(self._dev))
            hal.lib.e_free(ctypes.byref(self._mem))
            hal.lib.e_close(ctypes.byref(self._dev))
            hal.lib.e_finalize()
            self._active, self._queues = [], []

    # --- plumbing (lock held) -------------------------------------------------------------
    def _hal(self) -> EHal:
        if self.hal is None:  # pragma: no cover - internal misuse
            raise BackendError("the device backend is not open")
        return self.hal

    def _write_mem(self, offset: int, data: bytes, doing: str) -> None:
        buf = ctypes.create_string_buffer(data, len(data))
        self._hal().call("e_write", doing, ctypes.byref(self._mem), 0, 0, offset, buf, len(data))

    def _read_mem(self, offset: int, size: int, doing: str) -> bytes:
        buf = ctypes.create_string_buffer(size)
        self._hal().call("e_read", doing, ctypes.byref(self._mem), 0, 0, offset, buf, size)
        return buf.raw

    def _mb(self, core: int, field: str) -> int:
        return core * P.MAILBOX_STRIDE + _FIELDS[field]

    def _set(self, core: int, field: str, value: int) -> None:
        self._write_mem(self._mb(core, field), _U32.pack(value & 0xFFFFFFFF),
                        f"writing {field} of core {core}'s mailbox")

    def _allocate(self, size: int) -> tuple[int, int]:
        start = self.num_cores() * P.MAILBOX_STRIDE
        end_of_area = start + LAUNCH_AREA_BYTES
        size = max(_ALIGN, ((size + _ALIGN - 1) // _ALIGN) * _ALIGN)
        for used_start, used_end in sorted(self._regions):
            if used_start - start >= size:
                break
            start = max(start, used_end)
        if start + size > end_of_area:
            raise BackendError(f"the launch area in shared DRAM ({LAUNCH_AREA_BYTES} bytes) is "
                               f"full with {len(self._regions)} launches in flight; wait for "
                               "some of them before launching more")
        self._regions.append((start, start + size))
        return start, start + size

    def _resident_section(self, core: int, launch: DeviceLaunch) -> bytes:
        """u8 count, count x (u16 global index, value) of the device-resident values that
        ``launch``'s program names and ``core`` holds (b"" when there are none)."""
        return encode_resident(launch.kernel.program.globals, self._resident.get(core, {}))

    def _take_resident(self, core: int, launch: DeviceLaunch, data: bytes) -> int:
        """Store the device-resident values ``core`` posted after its result; their bytes."""
        globals_ = launch.kernel.program.globals
        if not any(slot.init == NO_INIT for slot in globals_):
            return 0  # the program names no device-resident values: no section
        view = memoryview(data)
        count, pos = view[0], 1
        held = self._resident.setdefault(core, {})
        for _ in range(count):
            (index,) = struct.unpack_from("<H", view, pos)
            value, pos = decode_prefix(view, pos + 2)
            if index < len(globals_) and globals_[index].name in held:
                held[globals_[index].name] = value
        return pos

    def _release(self, launch: DeviceLaunch) -> None:
        self._free_region(launch.region[0])

    def _free_region(self, start: int) -> None:
        """Give back the region of the launch area that starts at ``start``."""
        self._regions = [r for r in self._regions if r[0] != start]

    def _free_core_block(self, core: int) -> None:
        """Give back ``core``'s own argument block, if its launch had one."""
        block = self._core_blocks.pop(core, None)
        if block is not None:
            self._free_region(block[0])

    def _start(self, core: int, launch: DeviceLaunch) -> None:
        """Fill ``core``'s mailbox for ``launch`` and bump its command word."""
        base = core * P.MAILBOX_STRIDE
        args_offset, args_size = launch.args_offset, launch.args_size
        resident = self._resident_section(core, launch)
        if resident:
            # this core's own argument block: the arguments, then its device-resident values
            block = launch.block + resident
            args_offset = self._allocate(len(block))[0]
            args_size = len(block)
            self._core_blocks[core] = (args_offset, args_size)
            self._write_mem(args_offset, block, f"writing core {core}'s argument block")
        values = {"image_offset": launch.image_offset, "image_size": launch.image_size,
                  "args_offset": args_offset, "args_size": args_size,
                  "num_cores": len(launch.cores)}
        for name, value in values.items():
            self._set(core, name, value)
        ids = bytes(launch.cores) + bytes(64 - len(launch.cores))
        self._write_mem(base + P.MAILBOX_CORES_OFFSET, ids, f"writing core {core}'s core list")
        self._cmd[core] = (self._cmd[core] + 1) & 0xFFFFFFFF
        self._active[core] = launch
        self._set(core, "command", self._cmd[core])  # the start signal, written last
        self._hal().call("e_signal", f"signalling core {core}", ctypes.byref(self._dev),
                         core // self._cols, core % self._cols)

    def _drain_output(self, core: int, head: int, launch: DeviceLaunch | None) -> None:
        """Move printed text from ``core``'s out ring to ``launch``'s lines."""
        tail = self._out_tail[core]
        count = (head - tail) & 0xFFFFFFFF
        if count == 0:
            return
        count = min(count, P.MAILBOX_OUT_BYTES)
        ring = core * P.MAILBOX_STRIDE + P.MAILBOX_OUT_OFFSET
        start = tail % P.MAILBOX_OUT_BYTES
        first = min(count, P.MAILBOX_OUT_BYTES - start)
        data = self._read_mem(ring + start, first, f"reading core {core}'s printed text")
        if count > first:
            data += self._read_mem(ring, count - first, f"reading core {core}'s printed text")
        self._out_tail[core] = (tail + count) & 0xFFFFFFFF
        self._set(core, "out_tail", self._out_tail[core])
        *lines, rest = (self._partial[core] + data).split(b"\n")
        self._partial[core] = rest
        if launch is not None:
            for raw in lines:
                launch._line(core, raw.decode("utf-8", "replace"))

    def _header(self, core: int) -> _Header:
        return _Header(self._read_mem(core * P.MAILBOX_STRIDE, _HEADER_BYTES,
                                      f"reading core {core}'s mailbox"))

    def _progress(self) -> None:
        """Read the mailboxes of busy cores; deliver results; start queued launches."""
        if self.hal is None:
            return
        for core, launch in enumerate(self._active):
            if launch is None:
                continue
            h = self._header(core)
            self._drain_output(core, h.out_head, launch)
            if h.done_seq != self._cmd[core]:
                continue
            self._drain_output(core, self._header(core).out_head, launch)
            if self._partial[core]:  # text printed without a final newline
                launch._line(core, self._partial[core].decode("utf-8", "replace"))
                self._partial[core] = b""
            self._active[core] = None
            launch._deliver(self._result(core, h, launch))
        for core, queue in enumerate(self._queues):
            if self._active[core] is None and queue:
                self._start(core, queue.popleft())

    def _result(self, core: int, h: _Header, launch: DeviceLaunch) -> CoreResult:
        base = core * P.MAILBOX_STRIDE
        kernel = launch.kernel
        area = self._read_mem(base + P.MAILBOX_RESULT_OFFSET, P.MAILBOX_RESULT_BYTES,
                              f"reading core {core}'s result")
        error: BaseException | None = None
        value: Any = None
        size = 0
        if h.error_code != ErrorCode.OK:
            raw = self._read_mem(base + P.MAILBOX_MESSAGE_OFFSET,
                                 P.MAILBOX_RESULT_OFFSET - P.MAILBOX_MESSAGE_OFFSET,
                                 f"reading core {core}'s error message")
            message = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
            try:
                kind = ErrorCode(h.error_code).name
            except ValueError:
                kind = "RuntimeError"
                message = f"unknown error code {h.error_code} from core {core}: {message}"
            func, line = h.error_func, h.error_line
            error = kernel_error_class(kind)(
                message, core=core, lineno=line, source_line=kernel.source_line(func, line),
                filename=kernel.filename_of(func), kernel=kernel.name, kind=kind)
        else:
            size = min(h.result_size, P.MAILBOX_RESULT_BYTES)
            try:
                value = decode_value(area[:size])
            except Exception as exc:  # a core that posts garbage must not crash the host
                error = BackendError(f"kernel {kernel.name}: core {core} posted a result that "
                                     f"cannot be decoded ({size} bytes): {exc}")
        self._free_core_block(core)
        if error is None:
            try:
                size += self._take_resident(core, launch, area[size:])
            except Exception as exc:  # a core that posts garbage must not crash the host
                error = BackendError(f"kernel {kernel.name}: core {core} posted device-resident "
                                     f"values that cannot be decoded: {exc}")
        updates = self._array_updates(area[size:], launch)
        return CoreResult(core, value, error, h.cycles, h.instructions, [], updates)

    @staticmethod
    def _array_updates(data: bytes, launch: DeviceLaunch) -> dict[int, dict[int, Any]]:
        """Decode the changes to array arguments posted after the result."""
        updates: dict[int, dict[int, Any]] = {}
        pos = 0
        while pos + 5 <= len(data) and data[pos] != 0xFF:
            index = data[pos]
            (count,) = _U32.unpack_from(data, pos + 1)
            pos += 5
            arg = launch.args[index] if index < len(launch.args) else None
            if not isinstance(arg, np.ndarray) or pos + 8 * count > len(data):
                break  # malformed: keep what was decoded
            kind = arg.dtype.kind
            changes = updates.setdefault(index, {})
            for _ in range(count):
                flat, word = struct.unpack_from("<II", data, pos)
                pos += 8
                if kind == "f":
                    changes[flat] = struct.unpack("<f", _U32.pack(word))[0]
                elif kind == "b":
                    changes[flat] = bool(word & 0xFF)
                else:
                    changes[flat] = word - (1 << 32) if word & 0x80000000 else word
        return updates

    def _blocked(self, launch: DeviceLaunch) -> tuple[tuple[int, ...], ...] | None:
        """(core, wait kind, peer, line, heartbeat) of every unfinished core of ``launch`` when
        all of them are running it and blocked in a parallel operation; else None."""
        snapshot = []
        for c in launch.cores:
            if c in launch._delivered:
                continue
            if self._active[c] is not launch:
                return None
            h = self._header(c)
            if h.wait_kind == 0:
                return None
            snapshot.append((c, h.wait_kind, h.wait_peer, h.wait_line, h.heartbeat))
        return tuple(snapshot) or None

    def _cancel(self, launch: DeviceLaunch, reason: str,
                error: BaseException | None = None) -> None:
        """Cancel ``launch``: drop it from the queues, stop and restart its running cores."""
        self._progress()
        if launch.finished or self.hal is None:
            return
        hal = self._hal()
        running = [c for c in launch.cores if self._active[c] is launch]
        for c in launch.cores:
            if c not in launch._delivered and c not in running:
                self._queues[c] = deque(x for x in self._queues[c] if x is not launch)
        for c in running:
            hal.call("e_halt", f"halting core {c}", ctypes.byref(self._dev),
                     c // self._cols, c % self._cols)
        for c in running:
            self._drain_output(c, self._header(c).out_head, launch)
            self._partial[c] = b""
            # the abandoned launch counts as done; the ring starts where the host stopped
            self._set(c, "out_head", self._out_tail[c])
            self._set(c, "done_seq", self._cmd[c])
            self._set(c, "state", 0)
            self._set(c, "wait_kind", 0)
            self._active[c] = None
            self._free_core_block(c)
            hal.call("e_load_group", f"reloading the core program on core {c}",
                     str(self.program).encode(), ctypes.byref(self._dev), c // self._cols,
                     c % self._cols, 1, 1, E_TRUE)
        for c in launch.cores:
            if c not in launch._delivered:
                launch._deliver(CoreResult(c, error=error or LaunchCancelled(reason)))
        self._progress()
