"""Where the e-hal and the core program come from: finding the eSDK's libe-hal, building the host
e-hal and the host core program, and choosing the core program that matches the e-hal.

``EPYTHON_EHAL`` chooses the source (first match wins):

* a mode name (a key of :data:`MODES`): ``host`` is the e-hal API on host threads
  (``device/ehal-host``), built on first use with the system C compiler together with the host
  build of the core program (``make -C device host``); ``esim`` is the real libe-hal of eSDK
  2016.11 on Adapteva's instruction-set simulator, which :mod:`.esim` starts, running the real
  Epiphany build of the core program (``make -C device epiphany``, built on first use);
* a path ``/path/to/libe-hal.so``: that library (nothing else is searched);
* unset: the eSDK, ``$EPIPHANY_HOME/tools/host/lib/libe-hal.so`` (``EPIPHANY_HOME`` defaults to
  ``/opt/adapteva/esdk``), then the system library path (``ctypes.util.find_library``).

A further source is one more entry in :data:`MODES`: a function that prepares it (builds or
starts whatever it needs) and returns the :class:`EhalLibrary` to load.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from epython.errors import BackendError

if TYPE_CHECKING:
    from epython.backends.device.esim import EsimSession

__all__ = [
    "DEFAULT_EPIPHANY_HOME",
    "DEVICE_DIR",
    "EPIPHANY_CORE",
    "EhalLibrary",
    "HOST_BUILD",
    "HOST_CORE",
    "HOST_EHAL",
    "INSTALL_HINT",
    "MODES",
    "TEST_CORE",
    "build_core_host",
    "build_ehal_host",
    "build_epiphany",
    "core_program",
    "find_ehal",
    "prefer_host_ehal",
]

ROOT = Path(__file__).resolve().parents[3]
DEVICE_DIR = ROOT / "device"
HOST_BUILD = DEVICE_DIR / "build" / "host"
HOST_EHAL = HOST_BUILD / "libe-hal-host.so"
HOST_CORE = HOST_BUILD / "libepycore.so"
TEST_CORE = HOST_BUILD / "libepy-testcore.so"
EPIPHANY_CORE = DEVICE_DIR / "build" / "epiphany" / "epycore.elf"
DEFAULT_EPIPHANY_HOME = "/opt/adapteva/esdk"
INSTALL_HINT = ("install a C compiler and make (Debian/Ubuntu: apt-get install build-essential; "
                "Fedora: dnf install gcc make; macOS: xcode-select --install)")
ENV_VAR = "EPYTHON_EHAL"
CORE_PROGRAM_ENV_VAR = "EPYTHON_CORE_PROGRAM"

_build_lock = threading.Lock()
_built: dict[str, Path] = {}


class EhalLibrary(NamedTuple):
    """The e-hal library to load, whether it is the project's host e-hal (whose cores are host
    threads running the host build of the core program), and the simulator it drives (e-sim,
    which the backend stops when it closes)."""

    path: Path
    host: bool
    session: EsimSession | None = None


# --- building ------------------------------------------------------------------------------------

def _compiler_missing() -> str | None:
    """What is missing to build the host libraries ('make', 'a C compiler ...'), or None."""
    cc = os.environ.get("CC", "").split()[:1] or ["gcc"]
    if shutil.which("make") is None:
        return "make"
    if shutil.which(cc[0]) is None and shutil.which("cc") is None:
        return f"a C compiler ({cc[0]} or cc)"
    return None


def _run_make(target_dir: Path, target: str, what: str) -> None:
    """Run ``make -C target_dir target``; BackendError with the compiler's output on failure."""
    missing = _compiler_missing()
    if missing is not None:
        raise BackendError(f"cannot build {what}: {missing} not found on PATH; {INSTALL_HINT}, "
                           "or use EPYTHON_BACKEND=sim")
    make = shutil.which("make")
    assert make is not None
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


def _build_once(key: str, target_dir: Path, target: str, what: str, product: Path,
                verify: bool = True) -> Path:
    """``make -C target_dir target`` once per process (``make`` skips up-to-date files), then
    ``product``; with ``verify``, BackendError when make succeeded without producing it."""
    with _build_lock:
        if key not in _built:
            _run_make(target_dir, target, what)
            if verify and not product.is_file():
                raise BackendError(f"'make -C {target_dir} {target}' succeeded but did not "
                                   f"produce {product}")
            _built[key] = product
        return _built[key]


def build_ehal_host() -> Path:
    """Build (once per process; ``make`` skips up-to-date files) the host e-hal library."""
    return _build_once("ehal", DEVICE_DIR / "ehal-host", "all", "the host e-hal (device/ehal-host)",
                       HOST_EHAL, verify=False)


def build_core_host() -> Path:
    """Build (once per process) the host build of the core program, ``libepycore.so``."""
    return _build_once("core", DEVICE_DIR, "host",
                       "the host build of the core program (device/core)", HOST_CORE)


def build_epiphany() -> Path:
    """Build (once per process) the real Epiphany build of the core program, ``epycore.elf``,
    with the cross toolchain of ``make -C device toolchain``."""
    return _build_once("epiphany", DEVICE_DIR, "epiphany",
                       "the Epiphany build of the core program (make -C device epiphany; the "
                       "cross toolchain comes from make -C device toolchain)", EPIPHANY_CORE)


# --- the sources of an e-hal ---------------------------------------------------------------------

def _esdk_library() -> Path:
    """Where the eSDK installs libe-hal (``$EPIPHANY_HOME`` or the default eSDK home)."""
    home = os.environ.get("EPIPHANY_HOME", "").strip() or DEFAULT_EPIPHANY_HOME
    return Path(home) / "tools" / "host" / "lib" / "libe-hal.so"


def _host_mode(build: bool) -> EhalLibrary:
    """``EPYTHON_EHAL=host``: the host e-hal, built now (``build``) or buildable later."""
    if build:
        return EhalLibrary(build_ehal_host(), True)
    if HOST_EHAL.is_file() or _compiler_missing() is None:
        return EhalLibrary(HOST_EHAL, True)
    raise BackendError(f"EPYTHON_EHAL=host: {HOST_EHAL} is not built and cannot be: "
                       f"{INSTALL_HINT}")


def _esim_mode(build: bool) -> EhalLibrary:
    """``EPYTHON_EHAL=esim``: the esim-target libe-hal over a freshly started e-sim chip
    (``build``), or only the check that one could be started."""
    from epython.backends.device import esim

    prefix = esim.esim_prefix()
    library = prefix / "lib" / "libe-hal.so"
    if not build:
        missing = esim.missing_parts(prefix)
        if missing:
            raise BackendError(f"EPYTHON_EHAL=esim: {prefix} lacks {', '.join(missing)}")
        return EhalLibrary(library, False)
    if os.environ.get(CORE_PROGRAM_ENV_VAR, "").strip():
        idle = EPIPHANY_CORE.parent / "idle.elf"  # the core program is given: only the idle one
        if not idle.is_file():
            _run_make(DEVICE_DIR, "build/epiphany/idle.elf", "e-sim's idle program")
    else:
        idle = build_epiphany().parent / "idle.elf"
    os.environ["EHAL_TARGET"] = "esim"  # read by e_init: the e-hal drives the simulator
    return EhalLibrary(library, False, esim.EsimSession.start(program=idle))


#: EPYTHON_EHAL values that name a source rather than a library path: value -> a function that
#: prepares the source (``build``: build or start what it needs now, else only check that it
#: could) and returns the library to load, or raises BackendError saying what is missing.
MODES: dict[str, Callable[[bool], EhalLibrary]] = {
    "host": _host_mode,
    "esim": _esim_mode,
}


def _library_search(explicit: str | None) -> EhalLibrary:
    """The real libe-hal: ``explicit`` (EPYTHON_EHAL=path) only, else the eSDK, else the system
    library path; BackendError naming every place looked at when there is none."""
    home = os.environ.get("EPIPHANY_HOME", "").strip()
    home_desc = (f"EPIPHANY_HOME={home}" if home
                 else f"EPIPHANY_HOME unset, default {DEFAULT_EPIPHANY_HOME}")
    places: list[tuple[str, Path | None]] = []
    if explicit is not None:
        places.append((f"{ENV_VAR}={explicit}", Path(explicit)))
    places.append((home_desc, _esdk_library()))
    system = ctypes.util.find_library("e-hal")
    places.append(("the system library path (ctypes.util.find_library('e-hal'))",
                   Path(system) if system else None))
    looked = []
    for k, (desc, path) in enumerate(places):
        exists = path is not None and path.is_file()
        if exists and (explicit is None or k == 0):
            assert path is not None
            return EhalLibrary(path, False)
        if path is None:
            looked.append(f"{desc}: libe-hal not found")
        elif exists:  # only when an explicit EPYTHON_EHAL is missing
            looked.append(f"{desc}: {path} exists (unset {ENV_VAR} to use it)")
        else:
            looked.append(f"{desc}: {path} (no such file)")
    raise BackendError(
        "the device backend found no e-hal library (libe-hal.so); looked at:\n  "
        + "\n  ".join(looked)
        + "\nInstall the Epiphany SDK (eSDK) and set EPIPHANY_HOME, point "
        "EPYTHON_EHAL=/path/to/libe-hal.so at the library, or set EPYTHON_EHAL=host to run the "
        "device path on host threads (built automatically; needs gcc and make).")


def find_ehal(build: bool = True) -> EhalLibrary:
    """The e-hal library to load and whether it is the host e-hal (see the module doc).

    With ``build=False`` nothing is built or started: a mode's library counts as found when it
    could be prepared (the host e-hal: built already, or make and a C compiler are on PATH).
    Raises BackendError naming every place it looked at when there is no e-hal.
    """
    env = os.environ.get(ENV_VAR, "").strip() or None
    if env is not None and env in MODES:
        return MODES[env](build)
    return _library_search(env)


def prefer_host_ehal() -> bool:
    """Set ``EPYTHON_EHAL=host`` unless it is set or an eSDK's e-hal is installed; True if set.

    For tools that want the device path on any machine (the test suite, the benchmarks): on a
    Parallella with the eSDK the real driver is used, elsewhere the host e-hal.
    """
    if os.environ.get(ENV_VAR, "").strip():
        return False
    if _esdk_library().is_file():
        return False
    os.environ[ENV_VAR] = "host"
    return True


def core_program(host: bool) -> Path:
    """The core program to load on every core: ``EPYTHON_CORE_PROGRAM`` if set, else the host
    build (built now) for the host e-hal, else the Epiphany build for a real e-hal."""
    override = os.environ.get(CORE_PROGRAM_ENV_VAR, "").strip()
    if override:
        path = Path(override)
        if not path.is_file():
            raise BackendError(f"{CORE_PROGRAM_ENV_VAR}={override}: no such file")
        return path
    if host:
        return build_core_host()
    if not EPIPHANY_CORE.is_file():
        raise BackendError(f"the Epiphany build of the core program is missing ({EPIPHANY_CORE}); "
                           f"build it with 'make -C {DEVICE_DIR} epiphany' (the cross toolchain: "
                           f"'make -C {DEVICE_DIR} toolchain'), or set {CORE_PROGRAM_ENV_VAR}")
    return EPIPHANY_CORE
