"""``EPYTHON_EHAL=esim``: the device backend over the real libe-hal on Adapteva's Epiphany
instruction-set simulator (e-sim), so that the real build of the core program runs on the real
ISA without a board.

e-sim simulates one core per ``epiphany-elf-run`` process; the processes of one chip share a
POSIX shared-memory segment (``/dev/shm/esim.u<uid>``) and meet at a barrier in it.  The real
libe-hal, built with its esim target, attaches to a simulation that is already running when
``EHAL_TARGET=esim`` is set (``e_init``), so this module starts the processes first (each with a
sleeping program, ``idle.elf``, until the backend loads the core program with ``e_load_group``)
and stops them when the backend closes.

What it needs, in one prefix (``EPYTHON_ESIM_PREFIX``, else ``EPIPHANY_TOOLCHAIN``, else
``~/.cache/epython/epiphany``): ``bin/epiphany-elf-run`` and ``lib/libesim.so`` from
adapteva/epiphany-binutils-gdb (branch epiphany-gdb-8.2, configured with ``--enable-sim
--enable-emesh-sim``), and ``lib/libe-hal.so`` + ``lib/libe-loader.so``: eSDK 2016.11's e-hal
(adapteva/epiphany-libs) built with ``-DESIM_TARGET`` and linked with ``-lesim``.  docs/backends.md
says how to build them; this project ships no recipe for third-party code.

e-sim counts instructions, not cycles (it has no pipeline model): the cycle counts a kernel
reports under e-sim are Epiphany instruction counts.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from epython.errors import BackendError

__all__ = ["EsimSession", "esim_prefix", "missing_parts"]

#: The parts of an e-sim installation the backend uses, relative to its prefix.
PARTS = ("bin/epiphany-elf-run", "lib/libesim.so", "lib/libe-hal.so", "lib/libe-loader.so")
#: The Parallella-16 layout e-sim is started with (e-hal's esim target reads it back).
FIRST_ROW, FIRST_COL = 32, 8
DRAM_BASE = 0x8E000000
DRAM_BYTES = 32 << 20
CORE_MEMORY = "32KB"
#: Seconds to wait for the simulation's shared memory to appear after the processes start.
START_SECONDS = 10.0
#: Seconds the processes get to exit after SIGTERM before they are killed.
STOP_SECONDS = 2.0


def esim_prefix() -> Path:
    """Where e-sim and the esim-target libe-hal are installed (see the module doc)."""
    for var in ("EPYTHON_ESIM_PREFIX", "EPIPHANY_TOOLCHAIN"):
        value = os.environ.get(var, "").strip()
        if value:
            return Path(value)
    return Path.home() / ".cache" / "epython" / "epiphany"


def missing_parts(prefix: Path) -> list[str]:
    """The parts of PARTS that ``prefix`` lacks."""
    return [p for p in PARTS if not (prefix / p).is_file()]


def _shm_path() -> Path:
    """The shared-memory file of this user's simulation (e-hal connects without a session name,
    so every simulation of a user has this one name)."""
    return Path("/dev/shm") / f"esim.u{os.getuid()}"


def _live_simulators() -> list[int]:
    """Pids of this user's running epiphany-elf-run processes (not zombies)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != os.getuid():
                continue
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if cmd and cmd[0].endswith(b"epiphany-elf-run") and state != "Z":
            pids.append(int(entry.name))
    return pids


def _die_with_parent() -> None:
    """In a simulator process before it runs: have Linux kill it when the host process dies
    (however it dies), so that no simulation outlives its host."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


class EsimSession:
    """One running e-sim chip: a process per core, their logs, and how to stop them."""

    def __init__(self, prefix: Path, rows: int, cols: int, program: Path) -> None:
        self.prefix = prefix
        self.rows, self.cols = rows, cols
        self.program = program
        self.log_dir = Path(tempfile.mkdtemp(prefix="epython-esim-"))
        self.procs: list[subprocess.Popen[bytes]] = []

    @classmethod
    def start(cls, program: Path, rows: int = 4, cols: int = 4) -> EsimSession:
        """Start a rows x cols chip running ``program`` (the sleeping idle.elf until the core
        program is loaded) and wait until its shared memory is up; BackendError saying what is
        wrong otherwise."""
        prefix = esim_prefix()
        missing = missing_parts(prefix)
        if missing:
            raise BackendError(
                f"EPYTHON_EHAL=esim: the e-sim installation in {prefix} lacks "
                f"{', '.join(missing)}; build e-sim and the esim-target libe-hal into that "
                "prefix (docs/backends.md, 'The device backend on e-sim') or point "
                "EPYTHON_ESIM_PREFIX at one")
        live = _live_simulators()
        if live:
            raise BackendError(
                f"EPYTHON_EHAL=esim: another e-sim simulation of this user is running (pids "
                f"{', '.join(map(str, live[:16]))}); e-hal attaches to one simulation per user "
                "(/dev/shm/esim.u<uid>): stop it first")
        _shm_path().unlink(missing_ok=True)  # left behind by a simulation that was killed
        session = cls(prefix, rows, cols, program)
        try:
            session._spawn()
            session._wait_up()
        except BaseException:
            session.stop()
            raise
        return session

    def core_id(self, index: int) -> int:
        """The mesh id (row << 6 | col) of chip-relative core ``index``."""
        return ((FIRST_ROW + index // self.cols) << 6) | (FIRST_COL + index % self.cols)

    def _spawn(self) -> None:
        run = str(self.prefix / "bin" / "epiphany-elf-run")
        first = f"0x{(FIRST_ROW << 6) | FIRST_COL:03x}"
        for index in range(self.rows * self.cols):
            core = f"0x{self.core_id(index):03x}"
            args = [run, "--e-coreid", core, "--e-first-core", first,
                    "--e-rows", str(self.rows), "--e-cols", str(self.cols),
                    "--e-ext-ram-size", f"{DRAM_BYTES >> 20}M",
                    "--e-ext-ram-base", f"0x{DRAM_BASE:08x}", "--e-core-mem", CORE_MEMORY,
                    "--environment", "operating", "--e-external-fetch", str(self.program)]
            with open(self.log_dir / f"core{index}.out", "wb") as out, \
                    open(self.log_dir / f"core{index}.err", "wb") as err:
                self.procs.append(subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                                   stderr=err, start_new_session=True,
                                                   preexec_fn=_die_with_parent))

    def _wait_up(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while not _shm_path().exists():
            for index, proc in enumerate(self.procs):
                if proc.poll() is not None:
                    raise BackendError(
                        f"EPYTHON_EHAL=esim: the simulator of core {index} exited with status "
                        f"{proc.returncode} at start:\n  " + self.log_tail(index, 10))
            if time.monotonic() > deadline:
                raise BackendError(f"EPYTHON_EHAL=esim: e-sim's shared memory {_shm_path()} did "
                                   f"not appear within {START_SECONDS:.0f} s")
            time.sleep(0.01)

    def log_tail(self, index: int, lines: int = 3) -> str:
        """The last lines core ``index``'s simulator wrote to stderr (and stdout)."""
        text = []
        for suffix in ("err", "out"):
            path = self.log_dir / f"core{index}.{suffix}"
            try:
                with open(path, "rb") as f:
                    f.seek(0, os.SEEK_END)
                    f.seek(max(0, f.tell() - 4096))
                    text += f.read().decode("utf-8", "replace").splitlines()
            except OSError:
                pass
        return "\n  ".join(text[-lines:]) or "(nothing)"

    def complaints(self) -> dict[int, str]:
        """Cores whose simulator wrote to stderr (e-sim reports illegal instructions and
        accesses to unmapped addresses there, then retries forever): core -> last lines."""
        out = {}
        for index in range(len(self.procs)):
            path = self.log_dir / f"core{index}.err"
            try:
                if path.stat().st_size:
                    out[index] = self.log_tail(index)
            except OSError:
                pass
        return out

    def stop(self) -> None:
        """Stop every process of the chip (after e_finalize they are already leaving), remove
        the shared memory, delete the logs."""
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except OSError:
                    pass
        deadline = time.monotonic() + STOP_SECONDS
        for proc in self.procs:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
        self.procs = []
        _shm_path().unlink(missing_ok=True)
        shutil.rmtree(self.log_dir, ignore_errors=True)

