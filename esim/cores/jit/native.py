"""Native loops: the hot loops of the generated code run as C, built with the host's C compiler.

Every back edge's tick check in the generated code gets a *hook* after its ``yield`` (emit.py
``back``, emitter.py ``hook_text``): a call of ``NATIVE`` with the function's locals.  The first
time a hook runs, the generated source is parsed and the C function of its function's dispatch
loop (the ``while True:`` around the blocks) *from that check round to it again* is asked for,
for the classes the passed locals hold (cloop.py translates the generated Python statement by
statement, cexpr.py its expressions); the build runs in the background (``ESIM_NATIVE``) and is
cached on disk, and the Python code goes on until it is ready.  A program whose loops never
tick pays a few lines per back edge and nothing else.  From then on each tick's hook
runs the passes in C: the range iterator the loop steps (``for x in X.it`` or
``next(X.it, END)``) is read and set through its ``__reduce__``/``__setstate__``.

Exactness: C's doubles are Python's floats (IEEE binary64, ``-ffp-contract=off``, no fast math),
a ``float`` cast is ``values.f32``'s rounding, ints are int64 with every overflow tested, so each
translated statement computes what the Python statement computes.  Whatever the translation does
not know (a call, a heap object, an exit from the dispatch loop, an int past int64, a zero
divisor, another tick check that is due) is a *bail*: the C function puts back the state its
pass started from at the hook's check and returns, and the Python code runs that pass itself,
raising the same errors at the same instructions.  Every return is at the hook's check: after
a due tick (the hook yields it and calls again) or at a bail; so the counters, the locals and
the iterator's position are the Python code's, and the cycle and instruction counts stay the
reference engine's (tests/test_jit_native.py).

``ESIM_NATIVE``: ``1`` (default) builds in a background thread, ``sync`` builds at the first
hook and raises a build failure (the tests), ``0`` runs no C.  Without a C compiler (``CC``,
``cc``, ``gcc``) or on a host whose doubles are not plain binary64, the Python code runs alone.
A build that fails is logged once per loop and that loop stays Python.
"""

from __future__ import annotations

import ast
import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from esim.cores.jit.cexpr import CLASSES, Untranslatable, is_tick
from esim.cores.jit.cloop import Loop, Translator
from esim.cores.jit.runtime import range_iter

__all__ = ["BuildError", "Loop", "NativeFunction", "NativeLoops", "Translator", "Untranslatable",
           "build", "enabled", "loop_at", "supported"]

log = logging.getLogger(__name__)

ENV_VAR = "ESIM_NATIVE"
#: the compiler's flags: IEEE doubles exactly as CPython computes them
CFLAGS = ["-O2", "-std=gnu99", "-shared", "-fPIC", "-ffp-contract=off", "-fno-fast-math",
          "-w"]
#: hosts whose C doubles are SSE2/NEON binary64 without excess precision
_HOSTS = {"x86_64", "amd64", "aarch64", "arm64"}

_RANGE_ITER = type(iter(range(0)))
def mode() -> str:
    """``ESIM_NATIVE``: '0', 'sync' or '1'."""
    value = os.environ.get(ENV_VAR, "1").strip().lower()
    return value if value in ("0", "sync") else "1"


def compiler() -> str | None:
    """The C compiler to build with (``CC``, else cc or gcc on PATH), or None."""
    cc = os.environ.get("CC", "").split()[:1]
    for name in cc + ["cc", "gcc"]:
        found = shutil.which(name)
        if found:
            return found
    return None


def supported() -> bool:
    """Whether the host's C doubles are plain binary64 and a C compiler is found."""
    return platform.machine().lower() in _HOSTS and compiler() is not None


def enabled() -> bool:
    """Whether loops get hooks: ESIM_NATIVE is not 0 and :func:`supported`."""
    return mode() != "0" and supported()


def cache_dir() -> Path:
    """Where built loops are kept (``$XDG_CACHE_HOME/epython/native``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "epython" / "native"


# --- finding the loops and hooking them -----------------------------------------------------------

def _path_to(node: ast.AST, line: int, path: tuple[ast.AST, ...] = ()
             ) -> tuple[ast.AST, ...] | None:
    """The statements (outermost first) down to the tick check at ``line`` under ``node``."""
    if isinstance(node, ast.stmt) and node.lineno == line and is_tick(node):
        return (*path, node)
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt):
            found = _path_to(child, line, (*path, node))
            if found is not None:
                return found
    return None


def _local_names(fn: ast.FunctionDef) -> set[str]:
    names = {a.arg for a in fn.args.args}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Nonlocal):
            names.update(node.names)
    return names


def loop_at(tree: ast.Module, site: tuple[str, int, tuple[str, ...], tuple[str, ...]],
            where: str) -> Loop | None:
    """The Loop of a hook's ``site`` (emit.py ``back``: function, line of its tick check,
    iterator slots, passed names) in the parsed generated module ``tree``; None if it is not
    in a dispatch loop."""
    name, line, iters, names = site
    fn = next((n for n in tree.body[0].body if isinstance(n, ast.FunctionDef)  # type: ignore[attr-defined]
               and n.name == name), None)
    if fn is None:
        return None
    region = next((st for st in fn.body if isinstance(st, ast.While)
                   and isinstance(st.test, ast.Constant) and st.test.value is True), None)
    if region is None:
        return None
    path = _path_to(region, line)
    if path is None:
        return None
    used = {n.id for n in ast.walk(region) if isinstance(n, ast.Name)} & _local_names(fn)
    temps = tuple(sorted(used - set(names) - set(iters) - {"q", "t"}))  # (q, t: the hooks')
    return Loop(region, path, names, temps, iters, f"{where} {name}:{line}")


# --- building and running -------------------------------------------------------------------------

_F64 = ctypes.c_double
_I64 = ctypes.c_int64
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_warned: set[str] = set()


def _forget_executor() -> None:
    """In a forked child the parent's build thread does not exist: start a new one."""
    global _executor
    _executor = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_executor)


def _background() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="esim-native")
        return _executor


class BuildError(RuntimeError):
    """The C compiler rejected a translated loop (a translation bug: please report it)."""


def build(source: str) -> Path:
    """The shared library of ``source``: from the cache, else compiled into it."""
    cc = compiler()
    if cc is None:
        raise BuildError("no C compiler (set CC, or install gcc or clang)")
    digest = hashlib.sha256("\0".join([source, *CFLAGS]).encode()).hexdigest()[:24]
    folder = cache_dir()
    lib = folder / f"loop-{digest}.so"
    if lib.is_file():
        return lib
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        src = Path(tmp) / "loop.c"
        src.write_text(source)
        out = Path(tmp) / "loop.so"
        proc = subprocess.run([cc, *CFLAGS, "-o", str(out), str(src)], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise BuildError(f"{cc} failed on a native loop (exit {proc.returncode}):\n"
                             f"{(proc.stdout + proc.stderr)[-2000:]}\n--- source ---\n{source}")
        os.replace(out, lib)
    _prune(folder)
    return lib


#: the built loops a cache keeps (the least recently built go first)
CACHE_LIMIT = 2000


def _prune(folder: Path) -> None:
    """Keep the cache to CACHE_LIMIT libraries, dropping the oldest (a library in use stays
    mapped: removing its file does not disturb it)."""
    try:
        libs = sorted(folder.glob("loop-*.so"), key=lambda p: p.stat().st_mtime)
        for old in libs[:max(0, len(libs) - CACHE_LIMIT)]:
            old.unlink(missing_ok=True)
    except OSError:  # another process pruned first
        pass


class NativeFunction:
    """A built loop for one combination of classes: called by the hook with the heap's state,
    the iterator slots and the locals' values, it runs passes in C and gives them back, the
    tick flag last."""

    def __init__(self, lib: Path, loop: Loop, boundary: dict[str, str]) -> None:
        self.fn = ctypes.CDLL(str(lib)).epy_loop
        self.fn.restype = ctypes.c_int
        self.fn.argtypes = [ctypes.POINTER(_I64 if k else _F64) for k in (0, 1, 1, 1, 1)]
        self.n = len(loop.names)
        self.m = len(loop.iters)
        self.kept = [(k, boundary[n]) for k, n in enumerate(loop.names)
                     if boundary.get(n) in ("i", "f", "b")]
        #: passes run in C, calls (for the tests and the profile)
        self.passes = 0
        self.calls = 0

    def __call__(self, state: Any, heap: Any, lim: int, small: int, small_cycles: int,
                 fast: bool, iters: tuple[Any, ...], vals: tuple[Any, ...]) -> list[Any] | None:
        n, m = self.n, self.m
        F, I = (_F64 * n)(), (_I64 * n)()  # noqa: E741
        R, O, H = (_I64 * (5 * m + 1))(), (_I64 * 3)(), (_I64 * 7)()  # noqa: E741
        natives: list[Any] = []
        try:  # (an int past int64 does not go to C)
            for k, t in self.kept:
                if t == "f":
                    F[k] = vals[k]
                else:
                    I[k] = vals[k]
            for k, x in enumerate(iters):
                it = getattr(x, "it", None)  # a KIter's native iterator
                natives.append(it)
                if it.__class__ is not _RANGE_ITER:
                    R[5 * k + 1] = -1  # C bails where it would step it
                    continue
                reduced: Any = it.__reduce__()
                _, (rng,), idx = reduced
                R[5 * k], R[5 * k + 1], R[5 * k + 2], R[5 * k + 3] = (idx, len(rng), rng.start,
                                                                      rng.step)
                if abs(rng.start) + abs(rng.step) * (len(rng) + 1) >= 1 << 62:
                    return None
            H[0], H[1], H[2], H[3] = heap.used, lim, small, small_cycles
            H[4], H[5], H[6] = fast, heap.workspace, heap.peak
        except OverflowError:
            return None
        tick = self.fn(F, I, R, O, H)
        out: list[Any] = [H[1]]
        for k, x in enumerate(iters):
            old = natives[k]
            if R[5 * k + 4] and not (old.__class__ is _RANGE_ITER
                                     and old.__reduce__()[1][0] == range(R[5 * k + 1])):
                x = range_iter(range(R[5 * k + 1]))  # C made range(n) and its iterator here
                _seek(x.it, R[5 * k])
            elif old.__class__ is _RANGE_ITER:  # (the one a ``for`` may iterate: kept)
                _seek(old, R[5 * k])
            out.append(x)
        out.extend(vals)
        for k, t in self.kept:
            out[1 + m + k] = F[k] if t == "f" else (I[k] != 0 if t == "b" else I[k])
        heap.used = H[0]
        heap.peak = H[6]
        if O[0]:
            state.cycles += O[0]
        if O[1]:
            state.instructions += O[1]
        self.passes += O[2]
        self.calls += 1
        out.append(tick)
        return out


def _seek(it: Any, index: int) -> None:
    """Put the range iterator ``it`` at item ``index`` (its pickle state)."""
    it.__setstate__(index)


class NativeLoops:
    """The hooks of one generated module (its ``source`` and the hooks' ``sites``: emit.py
    ``back``); :meth:`call` is its ``NATIVE``.  The source is parsed, and a hook's Loop found,
    when the hook first runs (a hot loop's tick)."""

    def __init__(self, source: str, sites: list[tuple[str, int, tuple[str, ...], tuple[str, ...]]],
                 where: str) -> None:
        self.source = source
        self.sites = sites
        self.where = where
        self.tree: ast.Module | None = None
        self.loops: list[Loop | None] = [None] * len(sites)
        self.lock = threading.Lock()

    def loop(self, j: int) -> Loop | None:
        """Hook ``j``'s Loop (None: its site is not in a dispatch loop)."""
        loop = self.loops[j]
        if loop is None:
            with self.lock:
                if self.tree is None:
                    self.tree = ast.parse(self.source)
                loop = self.loops[j] = loop_at(self.tree, self.sites[j], self.where)
        return loop

    def call(self, j: int, state: Any, heap: Any, lim: int, small: int, small_cycles: int,
             fast: bool, iters: tuple[Any, ...], *vals: Any) -> list[Any] | None:
        """The hook: the loop's passes in C from here (None: not built (yet), or these values'
        classes cannot run there)."""
        if mode() == "0":
            return None
        loop = self.loops[j] or self.loop(j)
        if loop is None:
            return None
        key = tuple(v.__class__ for v in vals)
        b = loop.builds.get(key, _MISSING)
        if b is _MISSING:
            b = self.request(loop, key)
        if isinstance(b, Future):
            if not b.done():
                return None
            b = self.settle(loop, key, b)
        if b is None:
            return None
        fn: NativeFunction = b
        return fn(state, heap, lim, small, small_cycles, fast, iters, vals)

    def request(self, loop: Loop, key: tuple[type, ...]) -> Any:
        """Start the build of ``loop`` for the classes ``key`` (at once in sync mode)."""
        types = {n: CLASSES.get(c, "o") for n, c in zip(loop.names, key)}
        with self.lock:
            if key in loop.builds:
                return loop.builds[key]
            if mode() == "sync":
                loop.builds[key] = _make(loop, types)
            else:
                loop.builds[key] = _background().submit(_make, loop, types)
            return loop.builds[key]

    @staticmethod
    def settle(loop: Loop, key: tuple[type, ...], fut: Future[Any]) -> Any:
        """A finished build's NativeFunction, or None (a failure logged once per loop)."""
        try:
            b = fut.result()
        except Exception as exc:  # noqa: BLE001 - a build never fails the kernel: Python runs it
            if loop.where not in _warned:
                _warned.add(loop.where)
                log.warning("esim: a native loop of %s did not build; it runs as Python: %s",
                            loop.where, exc)
            b = None
        loop.builds[key] = b
        return b

    def functions(self) -> list[NativeFunction]:
        """The built loops (for the tests)."""
        return [b for loop in self.loops if loop is not None for b in loop.builds.values()
                if isinstance(b, NativeFunction)]


_MISSING = object()


def _make(loop: Loop, types: dict[str, str]) -> NativeFunction | None:
    """Translate and build ``loop`` for ``types`` (None: no pass can run in C)."""
    tr = Translator(loop, types)
    try:
        source = tr.source()
    except Untranslatable as exc:
        log.debug("esim: %s stays Python (%s)", loop.where, exc)
        return None
    return NativeFunction(build(source), loop, tr.boundary)
