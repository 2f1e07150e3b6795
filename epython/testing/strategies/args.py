"""Argument strategies: int32, binary32, bool values and numpy arrays, edge values first."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.testing.float32 import (
    FLT_MAX,
    FLT_MAX_SUBNORMAL,
    FLT_MIN_NORMAL,
    FLT_MIN_SUBNORMAL,
    round_f32,
)

__all__ = ["ARGUMENTS_OF_KIND", "F32_EDGES", "INT_EDGES", "bools", "float32_arrays", "float32s",
           "format_args", "int32_arrays", "int32s"]

#: ints a kernel's arithmetic is likely to get wrong: signs, the int32 bounds and their
#: neighbours, the largest factor whose square fits (46340) and the first that overflows, ...
INT_EDGES = [0, 1, -1, 2, -2, 3, 7, -7, 10, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1,
             46340, 46341, -46341, 65535, 65536, 2 ** 24 + 1]
#: binary32 values likewise: signed zeros, inexact decimals, inf, nan, the subnormal and normal
#: limits, the largest finite value, the last integer of the 24-bit significand
F32_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.0, round_f32(0.1), round_f32(1 / 3), math.inf,
             -math.inf, math.nan, FLT_MIN_SUBNORMAL, -FLT_MIN_SUBNORMAL, FLT_MAX_SUBNORMAL,
             FLT_MIN_NORMAL, FLT_MAX, -FLT_MAX, 16777216.0,
             1e10 if round_f32(1e10) == 1e10 else 1024.0]


def int32s() -> st.SearchStrategy[int]:
    """int32 values, often edge values (0, +-1, the bounds, values whose square overflows)."""
    return st.one_of(st.sampled_from(INT_EDGES), st.integers(-20, 20),
                     st.integers(INT32_MIN, INT32_MAX))


def float32s() -> st.SearchStrategy[float]:
    """binary32 values as Python floats: subnormals, +-0, +-inf, nan, the largest finite, ..."""
    return st.one_of(st.sampled_from(F32_EDGES),
                     st.integers(-64, 64).map(float),
                     st.floats(width=32, allow_nan=True, allow_infinity=True))


def int32_arrays(max_size: int = 6) -> st.SearchStrategy[np.ndarray]:
    """1-D int32 arrays, empty ones included."""
    return hnp.arrays(np.int32, st.integers(0, max_size), elements=int32s())


def float32_arrays(max_size: int = 6) -> st.SearchStrategy[np.ndarray]:
    """1-D float32 arrays (nan, inf, subnormals included), empty ones included."""
    return hnp.arrays(np.float32, st.integers(0, max_size), elements=float32s())


def bools() -> st.SearchStrategy[bool]:
    """True and False."""
    return st.booleans()


#: the strategy of each parameter kind of a generated kernel: "i" int, "f" float, "b" bool,
#: "ai" int32 array, "af" float32 array
ARGUMENTS_OF_KIND: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "i": int32s, "f": float32s, "b": bools, "ai": int32_arrays, "af": float32_arrays}


def format_args(args: tuple[Any, ...]) -> str:
    """The arguments as Python source (arrays as ``np.array([...], dtype=np.<dtype>)``)."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(f"np.array({a.tolist()!r}, dtype=np.{a.dtype})")
        else:
            out.append(repr(a))
    return "(" + ", ".join(out) + ("," if len(out) == 1 else "") + ")"
