"""Subscripts in the generated code: ``x[i]`` and ``x[i] = v`` with inline paths for lists and
arrays, and only the array path where the type analysis knows the container is a 1-D or 2-D
array of float32 or int32 elements (an argument of the kernel: variants.py) and so the class of
what it gives."""

from __future__ import annotations

from collections.abc import Callable

from esim.cores.jit.fast import Operand, is_class
from esim.cores.jit.types import ARR_F1, ARR_I1, ARRAYS_1D, ARRAYS_2D, FLOAT, INT, LIST

__all__ = ["emit_store_subscr", "emit_subscr"]

Emit = Callable[..., None]


def _low(index: Operand) -> str:
    """The lower bound test of an array index, unless its span is non-negative."""
    span = index.span
    return "" if span is not None and span[0] >= 0 else "0 <= "


def emit_subscr(c: Operand, x: Operand, extra: str, emit: Emit) -> None:
    """``c = c[x]`` (``extra``: the statement charging the array access's extra cost)."""
    t, under, top = c.name, c.text, x.text  # (the operands may be folded: fast.Operand)
    ti = is_class(x, INT)
    int_and = "" if ti is True else f"{top}.__class__ is int and "
    extra = f"; {extra}" if extra else ""
    fresh = f"if r.__class__ is str or r.__class__ is Array: charge(r, ({under}, {top}), fr)"
    element = f"{t} = {under}.data[{under}.offset + {top}]{extra}"  # int, float, bool
    if c.mask and not c.mask & ~ARRAYS_1D:  # elements: scalars, never fresh
        emit(f"if {int_and}{_low(x)}{top} < {under}.n1: {element}")
        emit(f"else: {t} = ARRAY_GET({under}, {top}){extra}")
        return
    if c.mask and not c.mask & ~ARRAYS_2D:  # a row: a new view
        emit(f"r = ARRAY_GET({under}, {top}){extra}")
        emit(fresh)
        emit(f"{t} = r")
        return

    def lookup(error: str, ind: int, done: bool = True) -> None:
        """``r = under[top]`` by Python's indexing; on ``error``, ``SUBSCR`` (the kernel's
        error, or what Python's indexing does not do); then (``done``) the result."""
        emit("try:", ind)
        emit(f"r = {under}[{top}]", ind + 1)
        emit(f"except {error}:", ind)
        emit(f"r = SUBSCR({under}, {top})", ind + 1)
        if done:
            emit(fresh, ind)
            emit(f"{t} = r", ind)

    if c.mask == LIST:
        if ti is True:
            lookup("IndexError", 0)
            return
        emit(f"if {top}.__class__ is int:")
        lookup("IndexError", 1, done=False)
        emit(f"else: r = SUBSCR({under}, {top})")
        emit(fresh)
        emit(f"{t} = r")
        return
    emit(f"if {int_and}{under}.__class__ is list:")
    lookup("IndexError", 1)
    key_ok = "" if type(x.lit) in (int, float) else f" and {top}.__class__ in KEY_TYPES"
    emit(f"elif {under}.__class__ is dict{key_ok}:")
    lookup("KeyError", 1)
    emit(f"elif {under}.__class__ is Array:")
    emit(f"if {int_and}{_low(x)}{top} < {under}.n1: {element}", 1)
    emit("else:", 1)
    emit(f"r = ARRAY_GET({under}, {top}){extra}", 2)
    emit(fresh, 2)
    emit(f"{t} = r", 2)
    emit("else:")
    emit(f"r = SUBSCR({under}, {top})", 1)
    emit(fresh, 1)
    emit(f"{t} = r", 1)


def emit_store_subscr(v: Operand, t: Operand, x: Operand, extra: str, emit: Emit) -> None:
    """``t[x] = v``."""
    vs, ts, xs = v.name, t.name, x.name
    int_and = "" if is_class(x, INT) is True else f"{xs}.__class__ is int and "
    kind = ("" if (t.mask == ARR_F1 and v.mask == FLOAT) or (t.mask == ARR_I1 and v.mask == INT)
            else f" and {vs}.__class__ is {ts}.kind")
    fast = (f"if {int_and}{_low(x)}{xs} < {ts}.n1{kind}: "
            f"r = {ts}.offset + {xs}; {ts}.data[r] = {vs}; {ts}.dirty.add(r)")
    if t.mask and not t.mask & ~ARRAYS_1D:
        emit(fast)
        emit(f"else: ARRAY_SET({ts}, {xs}, {vs})")
        if extra:
            emit(extra)
        return
    emit(f"if {ts}.__class__ is Array:")
    emit(fast, 1)
    emit(f"else: ARRAY_SET({ts}, {xs}, {vs})", 1)
    if extra:
        emit(extra, 1)
    emit(f"elif {ts}.__class__ is dict:")
    emit(f"if {xs}.__class__ in KEY_TYPES and {xs} in {ts}: {ts}[{xs}] = {vs}", 1)  # no new entry
    emit("else:", 1)
    emit("heap.frames = fr", 2)  # (charge_cb: the frames are the heap's)
    emit(f"DICT_STORE({ts}, {xs}, {vs}, charge_cb)", 2)
    emit(f"else: STORE({ts}, {xs}, {vs})")
