"""Run a kernel's source on backends and under CPython, and compare the outcomes.

Used by the property tests (tests/test_properties.py) and available for your own: see
docs/testing.md.

* :func:`write_module` writes source text to a real file (``@offload`` compiles from source
  through ``inspect``) in a temporary directory on ``sys.path`` and imports it.
* :func:`run_backend` launches a function on a backend and captures an :class:`Outcome`: the
  value or the error (class, line) of every core, the printed lines per core and in host order,
  the cycles, and the array arguments after the write-back.
* :func:`run_cpython` does the same for the undecorated function (single core: ``coreid() ==
  0``, ``numcores() == 1``, the host stand-ins of :mod:`epython.parallel`).
* :func:`same` compares values: types strictly (bool is not int), floats bitwise with every nan
  equal, numpy arrays by dtype, shape and elements.
* :func:`diff` and :func:`side_by_side` explain a disagreement.

The underscore functions (``_i``, ``_x``, ``_f``, ``_fpow``, ``_rd``, ``_print``) are the
reference semantics used by the *reference* rendering of generated kernels (see
:mod:`epython.testing.strategies`):

* ``_i`` checks that an int result lies in int32 (CPython computes the exact value first, so an
  OverflowError here means the exact result really leaves int32);
* ``_x`` converts an operand to binary32 (an int too: mixed arithmetic converts it first);
* ``_f`` rounds a float64 result to binary32 (numpy's conversion, inf beyond the range);
* ``_fpow`` is ``**`` on binary32 operands as docs/language.md defines it;
* ``_rd`` turns a numpy scalar read from an array into a Python int/float/bool;
* ``_print`` prints floats as the shortest decimal that round-trips to the binary32 value.

Where nothing overflows ``_i`` is the identity, so the reference of an int-only kernel computes
exactly what the undecorated function computes under CPython.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import io
import math
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

__all__ = ["Outcome", "backend_available", "diff", "kernel_error_of", "run_backend", "run_cpython",
           "same", "side_by_side", "write_module", "f32_repr", "round_f32"]

INT32_MIN = -(2 ** 31)
INT32_MAX = 2 ** 31 - 1


# --- reference semantics ------------------------------------------------------------------------
def round_f32(value: float) -> float:
    """The binary32 value nearest to ``value`` (inf beyond the range), as a Python float."""
    with np.errstate(over="ignore"):
        return float(np.float32(value))


def _i(value: Any) -> Any:
    """An int result: OverflowError outside int32 (bools and floats pass unchanged)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    if not INT32_MIN <= value <= INT32_MAX:
        raise OverflowError(f"int32 overflow: the exact result is {value}")
    return value


def _x(value: Any) -> float:
    """An operand of a float operation, converted to binary32."""
    return round_f32(float(value))


def _f(value: Any) -> float:
    """A float result rounded to binary32."""
    return round_f32(float(value))


def _fpow(a: Any, b: Any) -> float:
    """``a ** b`` on binary32 operands, as the kernel language defines it."""
    x, y = _x(a), _x(b)
    if x == 0.0 and y < 0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    if x < 0 and math.isfinite(x) and math.isfinite(y) and y != int(y):
        raise ValueError("negative number cannot be raised to a fractional power")
    try:
        return round_f32(math.pow(x, y))
    except OverflowError:
        negative = x < 0 and y == int(y) and int(y) % 2 == 1
        return -math.inf if negative else math.inf


def _rd(value: Any) -> Any:
    """A numpy scalar read from an array, as the kernel sees it."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def f32_repr(value: float) -> str:
    """CPython-style repr of the shortest decimal that round-trips to this binary32 value."""
    if value != value or math.isinf(value) or value == 0.0:
        return repr(value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if round_f32(float(text)) == value:
            return repr(float(text))
    return repr(value)  # pragma: no cover - 9 digits always round-trip


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f32_repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_show(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    return str(value)


def _print(*values: Any) -> None:
    """``print`` as a core prints it: floats in their shortest binary32 form."""
    print(" ".join(_show(v) for v in values))


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
        if core in self.errors:
            kind, line = self.errors[core]
            return f"{kind} at line {line}: {self.messages.get(core, '')}"
        return _brief(self.values.get(core))

    def summary(self) -> str:
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


def _parse_lines(text: str, outcome: Outcome) -> None:
    for raw in text.splitlines():
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
    for text in buf.getvalue().splitlines():
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
        return all(same(_rd(x), _rd(y)) for x, y in zip(a.reshape(-1), b.reshape(-1)))
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
