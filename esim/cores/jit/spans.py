"""Int value ranges for the translating engine: what the type analysis (types.py) knows of the
ints a slot may hold, and what the operators (fast.py) need not check because of it.

A span ``(lo, hi)`` bounds a slot's value *when it is an int* (None: any int32; every int a
core holds is an int32, the operators raise past it).  Literals are exact; ``range(n)`` gives
its items ``0 .. n-1``; ``%`` by a positive divisor gives ``0 .. divisor-1``; sums,
differences and products follow interval arithmetic.  The emitter then drops the int32 checks
a result cannot fail, the rounding of ints to binary32 that ints within 2**24 do not need, and
the lower bound test of an index that cannot be negative.
"""

from __future__ import annotations

from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.bytecode.opcodes import Op

__all__ = ["FULL", "Span", "binary_span", "clamp", "join_span", "raw_span"]

Span = tuple[int, int]
#: every int32
FULL: Span = (INT32_MIN, INT32_MAX)


def _of(s: Span | None) -> Span:
    return FULL if s is None else s


def clamp(s: Span | None) -> Span | None:
    """``s`` within int32 (None: nothing beyond that)."""
    if s is None:
        return None
    lo, hi = max(s[0], INT32_MIN), min(s[1], INT32_MAX)
    return None if (lo, hi) == FULL or lo > hi else (lo, hi)


def join_span(x: Span | None, y: Span | None) -> Span | None:
    """The span of a value that is one of two."""
    if x is None or y is None:
        return None
    return clamp((min(x[0], y[0]), max(x[1], y[1])))


_ADD = (Op.BINARY_ADD, Op.INPLACE_ADD)
_MUL = (Op.BINARY_MUL, Op.INPLACE_MUL)


def raw_span(op: int, a: Span | None, b: Span | None) -> Span | None:
    """The exact range of the int result of ``a <op> b`` before the int32 check (None:
    unknown), for + - * only."""
    (al, ah), (bl, bh) = _of(a), _of(b)
    if op in _ADD:
        return (al + bl, ah + bh)
    if op == Op.BINARY_SUB:
        return (al - bh, ah - bl)
    if op in _MUL:
        corners = (al * bl, al * bh, ah * bl, ah * bh)
        return (min(corners), max(corners))
    return None


def binary_span(op: int, a: Span | None, b: Span | None) -> Span | None:
    """The span of the int result of ``a <op> b`` (when it is an int and does not raise)."""
    raw = raw_span(op, a, b)
    if raw is not None:
        return clamp(raw)
    (al, ah), (bl, bh) = _of(a), _of(b)
    if op == Op.BINARY_MOD:
        if bl >= 1:
            return (0, bh - 1) if not (al >= 0 and ah < bl) else (al, ah)
        if bh <= -1:
            return (bl + 1, 0)
        return None
    if op == Op.BINARY_FLOORDIV and bl >= 1 and al >= 0:
        return (al // bh, ah // bl)
    if op == Op.BINARY_AND and (al >= 0 or bl >= 0):
        return (0, min(h for lo, h in ((al, ah), (bl, bh)) if lo >= 0))
    if op == Op.BINARY_RSHIFT and al >= 0 and bl >= 0:
        return (0, ah >> bl)
    return None
