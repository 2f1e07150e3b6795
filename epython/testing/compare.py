"""Run a kernel's source on backends and under CPython, and compare the outcomes.

Used by the property tests (tests/test_properties.py), by every test that compares a kernel's
result with another (:func:`same`), and available for your own: see docs/testing.md.

* :func:`write_module` writes source text to a real file (``@offload`` compiles from source
  through ``inspect``) in a temporary directory on ``sys.path`` and imports it.
* :func:`run_backend` launches a function on a backend and captures an :class:`Outcome`: the
  value or the error (class, line) of every core, the printed lines per core and in host order,
  the cycles, and the array arguments after the write-back.
* :func:`run_cpython` does the same for the undecorated function (single core: ``coreid() ==
  0``, ``numcores() == 1``, the host stand-ins of :mod:`epython.parallel`).
* :func:`same` compares values: types strictly (bool is not int), floats bitwise with every nan
  equal, numpy arrays by dtype, shape and elements.  To compare a kernel with CPython, compare
  with ``reference.kernel_value(cpython_result)`` (CPython's floats rounded once to binary32).
* :func:`diff` and :func:`side_by_side` explain a disagreement.
* :func:`kernel_error_of` and :func:`backend_available` help tests of errors and backends.

The reference semantics of generated kernels live in :mod:`epython.testing.reference`.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import io
import re
import struct
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from epython.testing.reference import array_item

__all__ = ["Outcome", "backend_available", "diff", "kernel_error_of", "run_backend", "run_cpython",
           "same", "side_by_side", "write_module"]


# --- modules from source ------------------------------------------------------------------------
_DIR: Path | None = None


def write_module(source: str, prefix: str = "epk") -> ModuleType:
    """Write ``source`` to a file in a temporary directory on sys.path and import it.

    The module name is derived from the source's hash, so the same source gives the same
    module (imported once) and ``inspect`` finds the text ``@offload`` compiles.
    """
    global _DIR
    if _DIR is None:
        _DIR = Path(tempfile.mkdtemp(prefix="epython-kernels-"))
        sys.path.insert(0, str(_DIR))
    name = f"{prefix}_{hashlib.sha1(source.encode()).hexdigest()[:16]}"
    if name in sys.modules:
        return sys.modules[name]
    path = _DIR / f"{name}.py"
    path.write_text(source)
    importlib.invalidate_caches()
    return importlib.import_module(name)


# --- outcomes -----------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What one run of a kernel produced, per core."""

    where: str
    cores: list[int]
    values: dict[int, Any] = field(default_factory=dict)
    errors: dict[int, tuple[str, int | None]] = field(default_factory=dict)  # (class, line)
    lines: dict[int, list[str]] = field(default_factory=dict)
    order: list[tuple[int, str]] = field(default_factory=list)  # printed lines in host order
    cycles: list[int | None] = field(default_factory=list)
    arrays: list[Any] = field(default_factory=list)  # array arguments after the run
    host_error: str | None = None  # an error outside the kernel (launch refused, deadlock)
    messages: dict[int, str] = field(default_factory=dict)

    def per_core(self, core: int) -> str:
        """One line: the core's value, or its error class, line and message."""
        if core in self.errors:
            kind, line = self.errors[core]
            return f"{kind} at line {line}: {self.messages.get(core, '')}"
        return _brief(self.values.get(core))

    def summary(self) -> str:
        """Every core's value or error and printed lines, and the arrays after the run."""
        out = [f"[{self.where}]"]
        if self.host_error:
            out.append(f"  host error: {self.host_error}")
        for c in self.cores:
            out.append(f"  core {c}: {self.per_core(c)}")
            for line in self.lines.get(c, []):
                out.append(f"      printed: {line}")
        for i, a in enumerate(self.arrays):
            out.append(f"  array argument {i} after: {_brief(a)}")
        return "\n".join(out)


def _brief(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"np.array({v.tolist()!r}, dtype={v.dtype})"
    if isinstance(v, float):
        return f"{v!r} (bits {struct.pack('>d', v).hex()})" if v == v else "nan"
    return repr(v)


_LINE = re.compile(r"^\[core (\d+)\] (.*)$")


def output_lines(text: str) -> list[str]:
    """The lines of printed text, split at "\n" only, as print ends them (str.splitlines
    would also split at the "\r", "\v", "\f"... a printed str may hold)."""
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def _parse_lines(text: str, outcome: Outcome) -> None:
    for raw in output_lines(text):
        m = _LINE.match(raw)
        if m is None:
            continue
        core, body = int(m.group(1)), m.group(2)
        outcome.order.append((core, body))
        outcome.lines.setdefault(core, []).append(body)


def kernel_error_of(func: Any, *args: Any, target: int = 0) -> BaseException:
    """The KernelError that ``func(*args)`` raises as a kernel on core ``target`` of the current
    backend; AssertionError when the kernel returns instead."""
    from epython import KernelError, offload

    try:
        value = offload(target=target)(func)(*args)
    except KernelError as exc:
        return exc
    raise AssertionError(f"{func.__name__}{args} returned {value!r} instead of raising")


def backend_available(name: str) -> tuple[bool, str]:
    """(available, reason) for a backend name."""
    from epython.backends import get_backend
    from epython.errors import BackendError

    try:
        b = get_backend(name)
    except BackendError as exc:
        return False, str(exc)
    try:
        ok = bool(b.available())
    except Exception as exc:  # a half-built backend must not break the test run
        return False, f"backend {name!r}: available() failed: {exc!r}"
    return ok, "" if ok else f"backend {name!r} is not available here"


def run_backend(func: Any, args: tuple[Any, ...], cores: list[int], backend: str = "sim",
                timeout: float | None = 60.0) -> Outcome:
    """Launch ``func`` (a plain function or an ``@offload`` kernel) on ``cores`` of ``backend``."""
    from epython import offload
    from epython.errors import EpythonError, KernelError

    kernel = func if getattr(func, "__epython_kernel__", False) else offload(func)
    args = copy.deepcopy(args)
    out = Outcome(backend, list(cores))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            handle = kernel.launch(*args, target=list(cores), backend=backend)
        except Exception as exc:  # refused before the launch (arguments, memory)
            out.host_error = f"{type(exc).__name__}: {exc}"
            return out
        try:
            handle.wait(timeout=timeout)
        except KernelError:
            pass
        except EpythonError as exc:
            out.host_error = f"{type(exc).__name__}: {exc}"
        except TimeoutError as exc:
            handle.cancel()
            out.host_error = f"TimeoutError: {exc}"
        except Exception as exc:  # the backend itself failed: report, do not crash the test
            out.host_error = f"internal {type(exc).__module__}.{type(exc).__name__}: {exc}"
            return out
        for c in cores:
            try:
                out.values[c] = handle.result(c)
            except KernelError as exc:
                out.errors[c] = (exc.kind, exc.lineno)
                out.messages[c] = exc.message
            except EpythonError as exc:
                out.errors[c] = (type(exc).__name__, None)
                out.messages[c] = str(exc).splitlines()[0]
        if out.host_error is None:
            out.cycles = list(handle.cycles)
    _parse_lines(buf.getvalue(), out)
    out.arrays = [a for a in args if isinstance(a, np.ndarray)]
    return out


def run_cpython(func: Any, args: tuple[Any, ...]) -> Outcome:
    """Run the undecorated ``func`` under CPython as core 0 of a one-core launch."""
    args = copy.deepcopy(args)
    out = Outcome("cpython", [0])
    buf = io.StringIO()
    filename = getattr(getattr(func, "__code__", None), "co_filename", None)
    with contextlib.redirect_stdout(buf), np.errstate(all="ignore"):
        try:
            out.values[0] = func(*args)
        except Exception as exc:
            line = None
            for frame in traceback.extract_tb(exc.__traceback__):
                if frame.filename == filename:
                    line = frame.lineno
            out.errors[0] = (type(exc).__name__, line)
            out.messages[0] = str(exc)
    for text in output_lines(buf.getvalue()):
        out.order.append((0, text))
        out.lines.setdefault(0, []).append(text)
    out.arrays = [a for a in args if isinstance(a, np.ndarray)]
    return out


# --- comparison ---------------------------------------------------------------------------------
def _float_bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(a: Any, b: Any) -> bool:
    """Strict equality: same types, floats bitwise (every nan equal), arrays by dtype too."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        return all(same(array_item(x), array_item(y)) for x, y in zip(a.reshape(-1), b.reshape(-1)))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if a != a and b != b:
            return True
        return _float_bits(a) == _float_bits(b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def diff(a: Outcome, b: Outcome, *, lines: bool = True, cycles: bool = False,
         order: bool = False, error_lines: bool = True) -> list[str]:
    """The differences between two outcomes (empty when they agree)."""
    out: list[str] = []
    if (a.host_error is None) != (b.host_error is None):
        out.append(f"host error: {a.host_error!r} vs {b.host_error!r}")
    for c in sorted(set(a.cores) | set(b.cores)):
        ea, eb = a.errors.get(c), b.errors.get(c)
        if ea is not None or eb is not None:
            if ea is None or eb is None or ea[0] != eb[0] or (error_lines and ea[1] != eb[1]):
                out.append(f"core {c}: {a.per_core(c)}  vs  {b.per_core(c)}")
        elif not same(a.values.get(c), b.values.get(c)):
            out.append(f"core {c}: {a.per_core(c)}  vs  {b.per_core(c)}")
        if lines and a.lines.get(c, []) != b.lines.get(c, []):
            out.append(f"core {c} printed {a.lines.get(c, [])!r} vs {b.lines.get(c, [])!r}")
    if len(a.arrays) == len(b.arrays):
        for i, (x, y) in enumerate(zip(a.arrays, b.arrays)):
            if not same(x, y):
                out.append(f"array argument {i}: {_brief(x)} vs {_brief(y)}")
    if order and a.order != b.order:
        out.append(f"output order {a.order!r} vs {b.order!r}")
    if cycles and a.cycles != b.cycles:
        out.append(f"cycles {a.cycles!r} vs {b.cycles!r}")
    return out


def side_by_side(description: str, a: Outcome, b: Outcome, problems: list[str]) -> str:
    """A failure report: the kernel and arguments, both outcomes, and what differs."""
    return "\n".join([description, a.summary(), b.summary(), "--- differences ---"] + problems)
