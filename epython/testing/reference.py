"""The kernel language's rules as plain CPython: the reference that tests compare a kernel with.

The *reference* rendering of a generated kernel (:mod:`epython.testing.strategies`) passes each
result through these functions, so CPython computes what docs/language.md says the cores
compute:

* :func:`int32_result` checks that an int result lies in int32 (CPython computes the exact value
  first, so an OverflowError here means the exact result really leaves int32);
* :func:`to_f32` converts a value to binary32: an operand of a float operation (an int too:
  mixed arithmetic converts it first) or a float64 result, rounded once (inf beyond the range);
* :func:`f32_pow` is ``**`` on binary32 operands as docs/language.md defines it;
* :func:`array_item` turns a numpy scalar read from an array into a Python int/float/bool;
* :func:`core_print` prints as a core prints: floats as the shortest decimal that round-trips
  to the binary32 value.

Where nothing overflows :func:`int32_result` is the identity, so the reference of an int-only
kernel computes exactly what the undecorated function computes under CPython.

:func:`kernel_value` maps what the *undecorated* function returned under CPython to what the
kernel returns for it: numpy scalars as Python numbers and every float rounded once to binary32.
The tests that compare a kernel with CPython compare with that (``compare.same``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.testing.float32 import f32_repr, round_f32

__all__ = ["array_item", "core_print", "core_str", "f32_pow", "int32_result", "kernel_value",
           "to_f32"]


def int32_result(value: Any) -> Any:
    """An int result: OverflowError outside int32 (bools and floats pass unchanged)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    if not INT32_MIN <= value <= INT32_MAX:
        raise OverflowError(f"int32 overflow: the exact result is {value}")
    return value


def to_f32(value: Any) -> float:
    """``value`` (an int, a bool or a float64 result) converted to binary32, as a Python float."""
    return round_f32(float(value))


def f32_pow(a: Any, b: Any) -> float:
    """``a ** b`` on binary32 operands, as the kernel language defines it."""
    x, y = to_f32(a), to_f32(b)
    if x == 0.0 and y < 0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    if x < 0 and math.isfinite(x) and math.isfinite(y) and y != int(y):
        raise ValueError("negative number cannot be raised to a fractional power")
    try:
        return round_f32(math.pow(x, y))
    except OverflowError:
        negative = x < 0 and y == int(y) and int(y) % 2 == 1
        return -math.inf if negative else math.inf


def array_item(value: Any) -> Any:
    """A numpy scalar read from an array, as the kernel sees it (other values unchanged)."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def kernel_value(value: Any) -> Any:
    """CPython's result as the kernel gives it: numpy scalars as Python numbers, every float
    rounded to binary32, through lists and tuples (arrays unchanged)."""
    value = array_item(value)
    if isinstance(value, float):
        return round_f32(value)
    if isinstance(value, tuple):
        return tuple(kernel_value(v) for v in value)
    if isinstance(value, list):
        return [kernel_value(v) for v in value]
    return value


def core_str(value: Any) -> str:
    """``str(value)`` as a core writes it: floats in their shortest binary32 form."""
    if isinstance(value, float):
        return f32_repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(core_str(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    return str(value)


def core_print(*values: Any) -> None:
    """``print`` as a core prints it: floats in their shortest binary32 form."""
    print(" ".join(core_str(v) for v in values))
