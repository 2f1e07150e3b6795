"""What the generated code of the translating engine calls: its namespace.

Each name is one of the executable specification's functions (``ops``, ``semantics``,
``builtins``, ``values``) or a fast path of one, with the same results and errors.
"""

from __future__ import annotations

import math
from typing import Any

from epython.bytecode import protocol
from epython.bytecode.opcodes import ErrorCode
from esim.cores import dicts, ops, semantics, sets
from esim.cores.builtins import call_builtin, fresh_choice
from esim.cores.engine import TICK_REQUEST, UNSET, Request
from esim.cores.heap import object_bytes
from esim.cores.values import Array, Fault, KIter, KSet, check_int, f32, py_format, py_str, type_name

__all__ = ["namespace"]


def array_get(a: Array, i: Any) -> Any:
    """``a[i]`` for an Array: the common 1-D int index inline, the rest through Array.get."""
    if i.__class__ is int and 0 <= i < a.n1:
        return a.data[a.offset + i]
    return a.get(i)


def array_set(a: Array, i: Any, v: Any) -> None:
    """``a[i] = v`` for an Array (as Array.set)."""
    if i.__class__ is int and 0 <= i < a.n1 and v.__class__ is a.kind:
        flat = a.offset + i
        a.data[flat] = v
        a.dirty.add(flat)
        return
    a.set(i, v)


def range_iter(r: range) -> KIter:
    """``semantics.iterate(r)`` of a range: a KIter of depth 1 that keeps ``r``."""
    k = KIter.__new__(KIter)
    k.depth = 1
    k.it = iter(r)
    k.refs = (r,)
    k.fresh = False
    return k


def depth_error() -> Fault:
    """The RecursionError of a call one deeper than a core supports."""
    return Fault(ErrorCode.RecursionError,
                 f"maximum recursion depth exceeded ({protocol.MAX_CALL_DEPTH} calls)")


def raise_overflow(v: int) -> None:
    """Raise the OverflowError of an int result outside int32 (the inline check failed)."""
    check_int(v)


def int_f32(v: int) -> float:
    """``f32(v)`` of an int (exact as a double: int32), as ``ops.binary`` rounds an int
    operand of a float operation."""
    return f32(float(v))


def namespace() -> dict[str, Any]:
    """The globals of a program's generated module (a fresh dict each call)."""
    return {
        "UNSET": UNSET, "TICK_REQUEST": TICK_REQUEST, "Request": Request, "Fault": Fault,
        "KIter": KIter, "Array": Array, "END": object(), "TRUTH": ops.truth,
        "UNARY": ops.unary, "BINARY": ops.binary, "COMPARE": ops.compare,
        "CHECK_INT": raise_overflow, "HEAP_TYPES": frozenset((str, list, tuple, dict, KSet)),
        "IMMEDIATE_TYPES": frozenset((int, float, bool)),
        # dict keys that need no check_key (no tuple to look into)
        "KEY_TYPES": frozenset((int, float, bool, str, type(None))),
        "SIZED_TYPES": frozenset((list, tuple, str, range, Array)),
        "ITER": semantics.iterate, "RANGE_ITER": range_iter, "SUBSCR": semantics.subscript,
        "STORE": semantics.store_subscript, "SLICE": semantics.slice_of,
        "UNPACK": semantics.unpack, "ATTR": semantics.attribute, "ARRAY_GET": array_get,
        "ARRAY_SET": array_set, "CALL_BUILTIN": call_builtin, "FRESH_CHOICE": fresh_choice,
        "OBJECT_BYTES": object_bytes, "ERROR_CODE": ErrorCode, "PY_STR": py_str,
        "PY_FORMAT": py_format, "PRINT_TEXT": semantics.print_text, "DEPTH_ERROR": depth_error,
        "math": math, "INT_F32": int_f32, "DICT_CALL": dicts.call, "DICT_STORE": dicts.store,
        "SET_CALL": sets.call, "KSet": KSet,
        "SPEC_ERROR": lambda v: Fault(ErrorCode.TypeError,
                                      f"format spec must be a str, not {type_name(v)}"),
        "PART_ERROR": lambda v: Fault(ErrorCode.TypeError,
                                      f"can only join str parts, not {type_name(v)}"),
    }
