"""Builtins of the kernel language that a core computes locally (no chip traffic)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from epython.bytecode.memory import VALUE_SLOT_BYTES
from epython.bytecode.opcodes import BUILTINS, ErrorCode, Op
from esim.cores import dicts, ops
from esim.cores.heap import object_bytes
from esim.cores.sorting import SORT_BUILTINS
from esim.cores.strings import FRESH_ITEMS, STR_METHODS, int_base, str_count, str_index
from esim.cores.values import (
    Array,
    DictView,
    Fault,
    KIter,
    KSet,
    check_int,
    f32,
    py_str,
    type_name,
)

__all__ = ["FRESH_ITEM_CODES", "INPLACE_BINARY", "LIST_EXTEND", "LIST_ITEM_COST", "RANDOM_BUILTINS", "RANDOM_DRAW_COST",
           "SLOT_DELTA", "call_builtin", "fresh_choice", "list_inplace"]

#: Builtins that grow (+1) or shrink (-1) their list by one 8-byte slot: both engines charge or
#: release it (list.extend goes through list_inplace, per item).
SLOT_DELTA: dict[int, int] = {b.code: d for b in BUILTINS for name, d in (
    ("list.append", 1), ("list.insert", 1), ("list.pop", -1), ("list.remove", -1)) if b.name == name}
LIST_EXTEND = next(b.code for b in BUILTINS if b.name == "list.extend")
#: Builtins whose list result holds new strs only (str.split): both engines charge each item,
#: then the list, as the cores allocate them.
FRESH_ITEM_CODES: frozenset[int] = frozenset(b.code for b in BUILTINS if b.name in FRESH_ITEMS)

#: The builtins of ``random`` (esim/cores/rng.py runs them on the core's generator), by code.
RANDOM_BUILTINS: dict[int, str] = {b.code: b.name.split(".", 1)[1] for b in BUILTINS
                                   if b.name.startswith("random.")}
_CHOICE = next(code for code, name in RANDOM_BUILTINS.items() if name == "choice")
#: The key of ``extra_costs`` for each item random.shuffle draws (default: random.random's cost).
RANDOM_DRAW_COST = "random item drawn"


def fresh_choice(code: int, args: tuple[Any, ...], result: Any) -> bool:
    """True when random.choice made a new object (a character of a str, a row of a 2-D array)
    that the heap must charge, as indexing does; other items are references."""
    return code == _CHOICE and (type(args[0]) is str or type(result) is Array)

#: The binary opcode an in-place opcode runs on anything but a list.
INPLACE_BINARY: dict[int, int] = {Op.INPLACE_ADD: Op.BINARY_ADD, Op.INPLACE_MUL: Op.BINARY_MUL}

#: The key of ``extra_costs`` (esim.cores.interp.Interpreter) for each item that ``+=``/``*=``
#: appends to a list in place; by default the list.append builtin's cycles (the same
#: list_append runs on the cores).
LIST_ITEM_COST = "list item appended"


def _seq(v: Any, what: str) -> Any:
    t = type(v)
    if t is Array:
        return v.live_items()  # read as the loop goes, as CPython iterates an array
    if t in (list, tuple, str, range):
        return v
    if t is KIter:
        return v.it
    if t is dict or t is DictView or t is KSet:
        return dicts.iterate(v).it
    raise Fault(ErrorCode.TypeError, f"'{type_name(v)}' object is not iterable")


def _len(args: tuple[Any, ...]) -> int:
    v = args[0]
    if type(v) in (list, tuple, str, range, dict) or type(v) is Array or type(v) is DictView or type(v) is KSet:
        return len(v)
    raise Fault(ErrorCode.TypeError, f"object of type '{type_name(v)}' has no len()")


def _abs(args: tuple[Any, ...]) -> Any:
    v = args[0]
    t = type(v)
    if t is int or t is bool:
        return check_int(abs(v))
    if t is float:
        return abs(v)
    raise Fault(ErrorCode.TypeError, f"bad operand type for abs(): '{type_name(v)}'")


def _extreme(name: str, op: int) -> Callable[[tuple[Any, ...]], Any]:
    def extreme(args: tuple[Any, ...]) -> Any:
        items = list(_seq(args[0], name)) if len(args) == 1 else list(args)
        if not items:
            raise Fault(ErrorCode.ValueError, f"{name}() arg is an empty sequence")
        best = items[0]
        for item in items[1:]:
            if ops.compare(op, item, best):
                best = item
        return best
    return extreme


def _sum(args: tuple[Any, ...]) -> Any:
    total = args[1] if len(args) == 2 else 0
    if type(total) is str:
        raise Fault(ErrorCode.TypeError, "sum() can't sum strings [use ''.join(seq) instead]")
    for item in _seq(args[0], "sum"):
        total = ops.binary(Op.BINARY_ADD, total, item)
    return total


def _int(args: tuple[Any, ...]) -> int:
    if len(args) == 2:
        return int_base(args[0], args[1])
    return ops.to_integer(args[0]) if args else 0


def _float(args: tuple[Any, ...]) -> float:
    return ops.to_float(args[0]) if args else 0.0


def _bool(args: tuple[Any, ...]) -> bool:
    return ops.truth(args[0]) if args else False


def _str(args: tuple[Any, ...]) -> str:
    return py_str(args[0]) if args else ""


def _round(args: tuple[Any, ...]) -> Any:
    v = args[0]
    t = type(v)
    if len(args) == 1 or args[1] is None:
        if t is float:
            if math.isnan(v):
                raise Fault(ErrorCode.ValueError, "cannot convert float NaN to integer")
            if math.isinf(v):
                raise Fault(ErrorCode.OverflowError, "cannot convert float infinity to integer")
            return check_int(round(v))
        if t is int or t is bool:
            return int(v)
    else:
        nd = args[1]
        if type(nd) not in (int, bool):
            raise Fault(ErrorCode.TypeError, f"'{type_name(nd)}' object cannot be interpreted as "
                        "an integer")
        if t is float:
            return f32(round(v, nd))
        if t is int or t is bool:
            return check_int(round(int(v), nd))
    raise Fault(ErrorCode.TypeError, f"type {type_name(v)} doesn't define __round__ method")


def _range(args: tuple[Any, ...]) -> range:
    for a in args:
        if type(a) not in (int, bool):
            raise Fault(ErrorCode.TypeError, f"'{type_name(a)}' object cannot be interpreted as "
                        "an integer")
    if len(args) == 3 and args[2] == 0:
        raise Fault(ErrorCode.ValueError, "range() arg 3 must not be zero")
    return range(*args)


def _enumerate(args: tuple[Any, ...]) -> KIter:
    start = args[1] if len(args) == 2 else 0
    if type(start) not in (int, bool):
        raise Fault(ErrorCode.TypeError, f"'{type_name(start)}' object cannot be interpreted as an "
                    "integer")
    return KIter(enumerate(_seq(args[0], "enumerate"), start), (args[0],), fresh=True)


def _zip(args: tuple[Any, ...]) -> KIter:
    return KIter(zip(_seq(args[0], "zip"), _seq(args[1], "zip")), (args[0], args[1]), fresh=True)


def _append(args: tuple[Any, ...]) -> None:
    target, value = args
    if type(target) is not list:
        raise Fault(ErrorCode.AttributeError,
                    f"'{type_name(target)}' object has no attribute 'append'")
    _check_room(target)
    target.append(value)


def _check_room(target: list[Any]) -> None:
    """A list holds at most 65535 items (its u16 length on the cores): MemoryError past that."""
    if len(target) >= 0xFFFF:
        raise Fault(ErrorCode.MemoryError, "list too long")


def list_inplace(op: int, target: list[Any], other: Any, charge: Callable[[int, tuple[Any, ...]], None],
                 release: Callable[[int], None], item_cycles: Callable[[], None]) -> list[Any]:
    """``target += other`` or ``target *= other`` on a list, in place (CPython's list.__iadd__,
    list.__imul__), the executable spec of INPLACE_ADD and INPLACE_MUL on lists.

    ``+=`` appends each item of any iterable, one append at a time as the cores do: an item that
    is a new object (a character of a str, a row of a 2-D array, a tuple of enumerate/zip) is
    charged first, ``charge(nbytes, extra_roots)``, then the item's slot (8 bytes);
    ``item_cycles()`` is called once per item appended.  ``*= n`` appends the list's items
    n - 1 more times, or empties it for n <= 0 (``release``: 8 bytes per slot).
    """
    if op == Op.INPLACE_MUL:
        if type(other) not in (int, bool):
            raise Fault(ErrorCode.TypeError, "can't multiply sequence by non-int of type "
                        f"'{type_name(other)}'")
        if other <= 0:
            for _ in range(len(target)):
                target.pop()
                release(VALUE_SLOT_BYTES)
            return target
        # lazily: the appends stop at the core's memory long before a large n is reached
        source: Any = itertools.chain.from_iterable(itertools.repeat(list(target), other - 1))
        fresh = False
    else:
        t = type(other)
        if t is list or t is tuple:
            source, fresh = list(other), False  # a += a appends the items it had
        elif t is str:
            source, fresh = iter(other), True
        elif t is range:
            source, fresh = iter(other), False
        elif t is Array:
            source, fresh = other.live_items(), len(other.shape) == 2
        elif t is KIter:
            source, fresh = other.it, other.fresh
        elif t is dict or t is DictView or t is KSet:
            it = dicts.iterate(other)
            source, fresh = it.it, it.fresh
        else:
            raise Fault(ErrorCode.TypeError, f"'{type_name(other)}' object is not iterable")
    for item in source:
        if fresh:
            charge(object_bytes(item), (target, other, item))
        _check_room(target)
        charge(VALUE_SLOT_BYTES, (target, other, item))
        target.append(item)
        item_cycles()
    return target


def _pop(args: tuple[Any, ...]) -> Any:
    target = args[0]
    if type(target) is not list:
        raise Fault(ErrorCode.AttributeError, f"'{type_name(target)}' object has no attribute 'pop'")
    if not target:
        raise Fault(ErrorCode.IndexError, "pop from empty list")
    index = args[1] if len(args) == 2 else -1
    if type(index) not in (int, bool):
        raise Fault(ErrorCode.TypeError, f"'{type_name(index)}' object cannot be interpreted as "
                    "an integer")
    try:
        return target.pop(index)
    except IndexError:
        raise Fault(ErrorCode.IndexError, "pop index out of range") from None


def _list_of(args: tuple[Any, ...], method: str) -> list[Any]:
    target = args[0]
    if type(target) is not list:
        raise Fault(ErrorCode.AttributeError,
                    f"'{type_name(target)}' object has no attribute '{method}'")
    return target


def _insert(args: tuple[Any, ...]) -> None:
    target = _list_of(args, "insert")
    index = args[1]
    if type(index) not in (int, bool):
        raise Fault(ErrorCode.TypeError, f"'{type_name(index)}' object cannot be interpreted as "
                    "an integer")
    _check_room(target)
    target.insert(int(index), args[2])


def _first(target: Any, item: Any) -> int:
    for k, x in enumerate(target):
        if ops.compare(Op.COMPARE_EQ, x, item):
            return k
    return -1


def _remove(args: tuple[Any, ...]) -> None:
    target = _list_of(args, "remove")
    k = _first(target, args[1])
    if k < 0:
        raise Fault(ErrorCode.ValueError, "list.remove(x): x not in list")
    del target[k]


def _seq_of(args: tuple[Any, ...], method: str) -> Any:
    """A list or a tuple (index and count are methods of both)."""
    if type(args[0]) is tuple:
        return args[0]
    return _list_of(args, method)


def _index(args: tuple[Any, ...]) -> int:
    if type(args[0]) is str:
        return str_index(args)
    target = _seq_of(args, "index")
    lo, hi = 0, len(target)
    for k, v in enumerate(args[2:]):
        if type(v) not in (int, bool):
            raise Fault(ErrorCode.TypeError, "slice indices must be integers or have an __index__ "
                        "method")
        if k == 0:
            lo = slice(int(v), None).indices(len(target))[0]
        else:
            hi = slice(None, int(v)).indices(len(target))[1]
    k = _first(target[lo:max(lo, hi)], args[1])
    k = k + lo if k >= 0 else k
    if k < 0:
        what = type(target).__name__
        raise Fault(ErrorCode.ValueError, f"{what}.index(x): x not in {what}")
    return k


def _count(args: tuple[Any, ...]) -> int:
    if type(args[0]) is str:
        return str_count(args)
    target = _seq_of(args, "count")
    if len(args) != 2:
        raise Fault(ErrorCode.TypeError, f"{type(target).__name__}.count() takes exactly one "
                    f"argument ({len(args) - 1} given)")
    return sum(1 for x in target if ops.compare(Op.COMPARE_EQ, x, args[1]))


def _extend(args: tuple[Any, ...]) -> None:
    _list_of(args, "extend")  # a list is extended by the engines (list_inplace, with the heap)
    raise AssertionError("list.extend of a list reached call_builtin")  # pragma: no cover


def _reverse(args: tuple[Any, ...]) -> None:
    _list_of(args, "reverse").reverse()


def _copy(args: tuple[Any, ...]) -> list[Any]:
    target = args[0]
    if type(target) is not list:
        raise Fault(ErrorCode.AttributeError,
                    f"'{type_name(target)}' object has no attribute 'copy'")
    return list(target)


def _real(v: Any, name: str) -> float:
    t = type(v)
    if t is float:
        return v  # type: ignore[no-any-return]
    if t is int or t is bool:
        return f32(float(v))
    raise Fault(ErrorCode.TypeError, f"must be real number, not {type_name(v)}")


def _math1(fn: Callable[[float], float], name: str) -> Callable[[tuple[Any, ...]], float]:
    def call(args: tuple[Any, ...]) -> float:
        x = _real(args[0], name)
        try:
            return f32(fn(x))
        except ValueError:
            raise Fault(ErrorCode.ValueError, "math domain error") from None
        except OverflowError:
            raise Fault(ErrorCode.OverflowError, "math range error") from None
    return call


def _math2(fn: Callable[[float, float], float], name: str) -> Callable[[tuple[Any, ...]], float]:
    def call(args: tuple[Any, ...]) -> float:
        x, y = _real(args[0], name), _real(args[1], name)
        try:
            return f32(fn(x, y))
        except ZeroDivisionError:  # math.log(x, 1.0): log(x) / log(1.0)
            raise Fault(ErrorCode.ZeroDivisionError, "float division by zero") from None
        except ValueError:
            raise Fault(ErrorCode.ValueError, "math domain error") from None
        except OverflowError:
            raise Fault(ErrorCode.OverflowError, "math range error") from None
    return call


def _log(args: tuple[Any, ...]) -> float:
    if len(args) == 1:
        return _math1(math.log, "log")(args)
    return _math2(math.log, "log")(args)


def _floor_ceil(fn: Callable[[float], int]) -> Callable[[tuple[Any, ...]], int]:
    def call(args: tuple[Any, ...]) -> int:
        v = args[0]
        if type(v) in (int, bool):
            return int(v)
        x = _real(v, "floor")
        if math.isnan(x):
            raise Fault(ErrorCode.ValueError, "cannot convert float NaN to integer")
        if math.isinf(x):
            raise Fault(ErrorCode.OverflowError, "cannot convert float infinity to integer")
        return check_int(fn(x))
    return call


_TABLE: dict[str, Callable[[tuple[Any, ...]], Any]] = {
    "len": _len, "abs": _abs, "min": _extreme("min", Op.COMPARE_LT),
    "max": _extreme("max", Op.COMPARE_GT), "sum": _sum, "int": _int, "float": _float,
    "bool": _bool, "str": _str, "round": _round, "range": _range, "enumerate": _enumerate,
    "zip": _zip, "list.append": _append, "list.pop": _pop, "list.copy": _copy,
    "list.extend": _extend, "list.insert": _insert, "list.remove": _remove, "list.index": _index, "list.count": _count,
    "list.reverse": _reverse,
    "math.sqrt": _math1(math.sqrt, "sqrt"), "math.sin": _math1(math.sin, "sin"),
    "math.cos": _math1(math.cos, "cos"), "math.tan": _math1(math.tan, "tan"),
    "math.asin": _math1(math.asin, "asin"), "math.acos": _math1(math.acos, "acos"),
    "math.atan": _math1(math.atan, "atan"), "math.atan2": _math2(math.atan2, "atan2"),
    "math.exp": _math1(math.exp, "exp"), "math.log": _log,
    "math.log10": _math1(math.log10, "log10"), "math.floor": _floor_ceil(math.floor),
    "math.ceil": _floor_ceil(math.ceil), "math.fabs": _math1(math.fabs, "fabs"),
    "math.pow": _math2(math.pow, "pow"),
    **STR_METHODS,
    **SORT_BUILTINS,
}

_BY_CODE: list[Callable[[tuple[Any, ...]], Any] | None] = [_TABLE.get(b.name) for b in BUILTINS]


def call_builtin(code: int, args: tuple[Any, ...], core: int, num_cores: int) -> Any:
    """Run a non-observable builtin; ``parallel.coreid``/``numcores`` read the core's identity."""
    fn = _BY_CODE[code]
    if fn is not None:
        return fn(args)
    name = BUILTINS[code].name
    if name == "parallel.coreid":
        return core
    if name == "parallel.numcores":
        return num_cores
    raise Fault(ErrorCode.RuntimeError, f"builtin {name} needs the chip")  # pragma: no cover



