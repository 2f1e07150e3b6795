"""What the kernel language's indexing, iteration, unpacking, attributes and printing do, as plain
functions: part of the executable specification that both engines call (with ``ops`` for the
operators and ``builtins`` for the builtins).  Each raises the kernel's own error as a
:class:`~esim.cores.values.Fault` with CPython's message (docs/language.md lists the few
differences), which the engine turns into a KernelFault at the current instruction.
"""

from __future__ import annotations

from typing import Any

from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.bytecode.opcodes import ATTRS, ErrorCode
from esim.cores import dicts
from esim.cores.dram import DramView
from esim.cores.values import Array, DictView, Fault, KExc, KIter, KSet, list_slot, py_str, type_name

__all__ = ["attribute", "iterate", "print_text", "slice_of", "store_subscript", "subscript",
           "unbound_local", "undefined_global", "unpack"]


def iterate(v: Any) -> KIter:
    """``iter(v)`` (GET_ITER): ranges, lists and tuples are iterated in place; the items of a
    str and the rows of a 2-D array are new objects (``fresh``) that the heap charges."""
    t = type(v)
    if t is range or t is list or t is tuple:
        return KIter(iter(v), (v,))
    if t is str:
        return KIter(iter(v), (v,), fresh=True)
    if t is Array:
        return KIter(v.live_items(), (v,), fresh=len(v.shape) == 2)
    if t is dict or t is DictView or t is KSet:
        return dicts.iterate(v)
    raise Fault(ErrorCode.TypeError, f"'{type_name(v)}' object is not iterable")


def subscript(obj: Any, index: Any) -> Any:
    """``obj[index]`` (BINARY_SUBSCR) for an int index, or a dict's key."""
    t = type(obj)
    if t is Array:
        return obj.get(index)
    if t is dict:
        return dicts.lookup(obj, index)
    if t in (list, tuple, str):
        if type(index) is bool:
            index = int(index)
        if type(index) is not int:
            raise Fault(ErrorCode.TypeError, f"{type_name(obj)} indices must be integers or "
                        f"slices, not {type_name(index)}")
        try:
            return obj[index]
        except IndexError:
            what = "string" if t is str else t.__name__
            raise Fault(ErrorCode.IndexError, f"{what} index out of range") from None
    if t is range:
        if type(index) is bool:
            index = int(index)
        if type(index) is not int:
            raise Fault(ErrorCode.TypeError, "range indices must be integers or slices, not "
                        f"{type_name(index)}")
        try:
            return obj[index]
        except IndexError:
            raise Fault(ErrorCode.IndexError, "range object index out of range") from None
    raise Fault(ErrorCode.TypeError, f"'{type_name(obj)}' object is not subscriptable")


def store_subscript(obj: Any, index: Any, value: Any) -> None:
    """``obj[index] = value`` (STORE_SUBSCR)."""
    t = type(obj)
    if t is Array:
        obj.set(index, value)
        return
    if t is list:
        obj[list_slot(obj, index)] = value
        return
    raise Fault(ErrorCode.TypeError,
                f"'{type_name(obj)}' object does not support item assignment")


def slice_of(obj: Any, lo: Any, hi: Any, step: Any) -> Any:
    """``obj[lo:hi:step]`` (SLICE_SUBSCR; a missing bound is None)."""
    for part in (lo, hi, step):
        if part is not None and type(part) not in (int, bool):
            raise Fault(ErrorCode.TypeError, "slice indices must be integers or None")
    if step == 0:
        raise Fault(ErrorCode.ValueError, "slice step cannot be zero")
    t = type(obj)
    if t in (list, tuple, str):
        return obj[lo:hi:step]
    if t is range:
        r = obj[lo:hi:step]
        if not all(INT32_MIN <= b <= INT32_MAX for b in (r.start, r.stop, r.step)):
            raise Fault(ErrorCode.OverflowError, "range slice bounds do not fit in 32 bits")
        return r
    if t is Array:
        if isinstance(obj.data, DramView):  # read only the items sliced, as the cores do
            return [obj.get(i) for i in range(obj.shape[0])[lo:hi:step]]
        return obj.items()[lo:hi:step]
    raise Fault(ErrorCode.TypeError, f"'{type_name(obj)}' object is not subscriptable")


def unpack(seq: Any, n: int) -> Any:
    """The ``n`` items of ``seq`` for ``a, b, ... = seq`` (UNPACK_SEQUENCE)."""
    t = type(seq)
    if t is Array or t is DictView or t is dict or t is KSet:
        if len(seq) == n:  # the cores check the length before they read an item
            seq = list(seq) if t is dict or t is KSet else seq.items()
    elif t not in (tuple, list, str, range):
        raise Fault(ErrorCode.TypeError, f"cannot unpack non-iterable {type_name(seq)} object")
    if len(seq) != n:
        if len(seq) > n:
            raise Fault(ErrorCode.ValueError, f"too many values to unpack (expected {n})")
        raise Fault(ErrorCode.ValueError,
                    f"not enough values to unpack (expected {n}, got {len(seq)})")
    return seq


def attribute(obj: Any, attr: int) -> Any:
    """``obj.<ATTRS[attr]>`` (LOAD_ATTR): an array's ``shape``, an exception's ``args``."""
    name = ATTRS[attr]
    if name == "shape" and type(obj) is Array:
        return tuple(obj.shape)
    if name == "args" and type(obj) is KExc:
        return tuple(obj.args)
    raise Fault(ErrorCode.AttributeError,
                f"'{type_name(obj)}' object has no attribute '{name}'")


def _check_str(v: Any, what: str) -> None:
    if type(v) is not str:
        raise Fault(ErrorCode.TypeError, f"{what} must be None or a string, not {type_name(v)}")


def print_text(call_args: tuple[Any, ...]) -> tuple[str]:
    """The one argument of the "print" Request: ``print(*values, sep=sep, end=end)``'s text
    (the compiler passes ``sep`` and ``end`` as the last two arguments)."""
    *values, sep, end = call_args
    _check_str(sep, "sep")
    _check_str(end, "end")
    return (sep.join(py_str(v) for v in values) + end,)


def unbound_local(func_name: str, slot: int) -> Fault:
    """The error of reading local ``slot`` of ``func_name`` before any assignment."""
    return Fault(ErrorCode.UnboundLocalError,
                 f"local variable #{slot} referenced before assignment in {func_name}()")


def undefined_global(name: str) -> Fault:
    """The error of reading a global (a device-resident value) that was never defined."""
    return Fault(ErrorCode.NameError, f"name '{name}' is not defined")
