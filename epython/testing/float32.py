"""IEEE binary32 for the test tooling: rounding, bit patterns, the shortest repr, notable values.

The kernels' float is binary32 (docs/language.md).  These helpers are the tests' own view of it,
written on numpy and struct rather than on the simulator's code, so that a test can use them as
an oracle of the simulator.
"""

from __future__ import annotations

import math
import struct

import numpy as np

__all__ = ["FLT_MAX", "FLT_MAX_SUBNORMAL", "FLT_MIN_NORMAL", "FLT_MIN_SUBNORMAL", "f32_bits",
           "f32_from_bits", "f32_repr", "round_f32"]


def round_f32(value: float) -> float:
    """The binary32 value nearest to ``value`` (inf beyond the range), as a Python float."""
    with np.errstate(over="ignore"):
        return float(np.float32(value))


def f32_bits(value: float) -> int:
    """The bit pattern (u32) of a binary32 value given as a Python float."""
    return struct.unpack("<I", struct.pack("<f", value))[0]  # type: ignore[no-any-return]


def f32_from_bits(bits: int) -> float:
    """The binary32 value whose bit pattern is the low 32 bits of ``bits``, as a Python float."""
    return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]  # type: ignore[no-any-return]


def f32_repr(value: float) -> str:
    """CPython-style repr of the shortest decimal that round-trips to this binary32 value."""
    if value != value or math.isinf(value) or value == 0.0:
        return repr(value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if round_f32(float(text)) == value:
            return repr(float(text))
    return repr(value)  # pragma: no cover - 9 digits always round-trip


#: the largest finite binary32 value
FLT_MAX = round_f32(3.4028234663852886e38)
#: the smallest positive (subnormal) binary32 value
FLT_MIN_SUBNORMAL = round_f32(1.401298464324817e-45)
#: the largest subnormal binary32 value
FLT_MAX_SUBNORMAL = round_f32(1.1754942106924411e-38)
#: the smallest positive normal binary32 value
FLT_MIN_NORMAL = round_f32(1.1754943508222875e-38)
