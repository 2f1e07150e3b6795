"""sorted, list.sort and min/max with key= of the kernel language: the executable spec.

The sort is CPython 3.11's list.sort for lists of fewer than 64 items, comparison for
comparison: the first run is counted (a strictly descending one reversed), then the rest goes in
by binary insertion, with ``<`` only.  For such lists the result, the stability, the behaviour
with nans and the first comparison that fails (so the TypeError's message) are CPython's; longer
lists go the same way, which sorts the same but compares in another order than CPython's
merges (docs/language.md, "Sorting").  ``key=`` is computed by the compiler, in the kernel, into
a list of keys that is sorted alongside (``keys``), and ``sorted(it)`` is ``list(it)`` sorted in
place; ``reverse`` reverses, sorts and reverses
again, as CPython does, so equal items keep their order.  device/core/seq.c runs the same.
"""

from __future__ import annotations

from typing import Any

from epython.bytecode.opcodes import ErrorCode, Op
from esim.cores import ops
from esim.cores.values import Array, Fault, KIter, type_name

__all__ = ["SORT_BUILTINS"]

_LT = Op.COMPARE_LT


def _lt(a: Any, b: Any) -> bool:
    return bool(ops.compare(_LT, a, b))


def _count_run(keys: list[Any]) -> tuple[int, bool]:
    n = len(keys)
    if n < 2:
        return n, False
    if _lt(keys[1], keys[0]):
        k = 2
        while k < n and _lt(keys[k], keys[k - 1]):
            k += 1
        return k, True
    k = 2
    while k < n and not _lt(keys[k], keys[k - 1]):
        k += 1
    return k, False


def sort_in_place(keys: list[Any], items: list[Any] | None, reverse: bool) -> None:
    """Sort ``keys`` (and ``items`` alongside, when given) in place, stably."""
    if reverse:
        keys.reverse()
        if items is not None:
            items.reverse()
    n = len(keys)
    run, descending = _count_run(keys)
    if descending:
        keys[:run] = keys[run - 1::-1]
        if items is not None:
            items[:run] = items[run - 1::-1]
    for start in range(max(run, 1), n):
        pivot = keys[start]
        lo, hi = 0, start
        while lo < hi:
            mid = (lo + hi) >> 1
            if _lt(pivot, keys[mid]):
                hi = mid
            else:
                lo = mid + 1
        keys[lo + 1:start + 1] = keys[lo:start]
        keys[lo] = pivot
        if items is not None:
            item = items[start]
            items[lo + 1:start + 1] = items[lo:start]
            items[lo] = item
    if reverse:
        keys.reverse()
        if items is not None:
            items.reverse()


def _items(v: Any) -> list[Any]:
    t = type(v)
    if t is list or t is tuple or t is str or t is range:
        return list(v)
    if t is Array:
        return list(v.live_items())
    if t is KIter:
        return list(v.it)
    raise Fault(ErrorCode.TypeError, f"'{type_name(v)}' object is not iterable")


def _sort(args: tuple[Any, ...]) -> None:
    """``list.sort(keys, reverse)``: keys None (the items are the keys) or the compiler's list
    of keys, one per item."""
    target = args[0]
    if type(target) is not list:
        raise Fault(ErrorCode.AttributeError,
                    f"'{type_name(target)}' object has no attribute 'sort'")
    keys = args[1] if len(args) > 1 else None
    reverse = bool(ops.truth(args[2])) if len(args) > 2 else False
    if keys is None:
        sort_in_place(target, None, reverse)
    else:
        if type(keys) is not list or len(keys) != len(target):
            raise Fault(ErrorCode.ValueError, "list modified during sort")
        sort_in_place(keys, target, reverse)


def _keyed(name: str, op: int) -> Any:
    def extreme(args: tuple[Any, ...]) -> Any:
        """``min/max(items, keys[, default])``: keys None (compare the items) or one per item."""
        items = _items(args[0])
        keys = items if args[1] is None else args[1]
        if not items:
            if len(args) > 2:
                return args[2]
            raise Fault(ErrorCode.ValueError, f"{name}() arg is an empty sequence")
        best = 0
        for k in range(1, len(items)):
            if ops.compare(op, keys[k], keys[best]):
                best = k
        return items[best]
    return extreme


#: The builtins of this module by name.
SORT_BUILTINS = {"list.sort": _sort, "min.keyed": _keyed("min", Op.COMPARE_LT),
                 "max.keyed": _keyed("max", Op.COMPARE_GT)}
