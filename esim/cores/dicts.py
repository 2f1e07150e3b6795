"""Dicts on a simulated core: the executable spec of the dict builtins, of ``d[k]``,
``d[k] = v``, ``del a[i]`` and of iterating a dict (docs/language.md, "Dicts").

A kernel dict is a Python ``dict`` (insertion order and the key equality of CPython:
``1 == 1.0 == True`` are one key, the first key stored is kept); the views of ``keys()``,
``values()`` and ``items()`` are :class:`~esim.cores.values.DictView`.  On the cores a dict is
one heap object of ``memory.dict_bytes(n)``: its entries in insertion order (docs/bytecode.md,
"Dicts"); a new key grows it by one entry (``ENTRY_BYTES``) and a deleted one shrinks it, which
the engines charge through the ``charge``/``release`` callbacks these functions take, at the
points the C interpreter (device/core/dict.c) allocates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from epython.bytecode import protocol
from epython.bytecode.memory import SMALL_OBJECT_BYTES, VALUE_SLOT_BYTES, dict_bytes, seq_bytes
from epython.bytecode.opcodes import BUILTIN_BY_NAME, BUILTINS, ErrorCode
from esim.cores.heap import object_bytes
from esim.cores.values import Array, DictView, Fault, KIter, KSet, list_slot, py_repr, type_name

__all__ = ["DICT_BUILTINS", "DICT_SHARED", "ENTRY_BYTES", "call", "check_key", "contains", "delete",
           "equal", "items_of", "iterate", "key_error", "lookup", "pairs", "receiver", "rooted", "store",
           "store_keys"]

#: Bytes one entry (a key slot and a value slot) adds to a dict.
ENTRY_BYTES = 2 * VALUE_SLOT_BYTES
#: The builtins of this module, by code.
DICT_BUILTINS: frozenset[int] = frozenset(b.code for b in BUILTINS
                                          if b.name.startswith("dict") or b.name == "del")
#: The list methods that a dict receiver turns into its dict method (``d.pop(k)``, ``d.copy()``).
DICT_SHARED: dict[int, int] = {BUILTIN_BY_NAME[f"list.{m}"].code: BUILTIN_BY_NAME[f"dict.{m}"].code
                               for m in ("pop", "copy")}
_CODE = {b.code: b.name for b in BUILTINS if b.code in DICT_BUILTINS}
_CHANGED = "dictionary changed size during iteration"
#: A charge(nbytes, extra_roots) callback of an engine, and a release(nbytes) one.
Charge = Callable[[int, tuple[Any, ...]], None]
Release = Callable[[int], None]


def check_key(k: Any, depth: int = 0) -> None:
    """TypeError unless ``k`` can be a dict key (CPython's hashable kernel values: int, float,
    bool, None, str, range, iterators, and tuples of them); ``k`` lies inside ``depth`` tuples,
    and a tuple inside MAX_NESTING others is a RecursionError (the cores' limit)."""
    t = type(k)
    if t is tuple:
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_COMPARE_MESSAGE)
        for x in k:
            check_key(x, depth + 1)
    elif t is list or t is dict or t is Array or t is DictView or t is KSet:
        raise Fault(ErrorCode.TypeError, f"unhashable type: '{type_name(k)}'")


def key_error(k: Any) -> Fault:
    """The KeyError of a missing key ``k`` (its repr is the message, as CPython's)."""
    return Fault(ErrorCode.KeyError, py_repr(k), key=k, has_key=True)


def lookup(d: dict[Any, Any], k: Any) -> Any:
    """``d[k]`` (KeyError with the key's repr, as CPython's message)."""
    check_key(k)
    try:
        return d[k]
    except KeyError:
        raise key_error(k) from None


def store(d: dict[Any, Any], k: Any, v: Any, charge: Charge) -> None:
    """``d[k] = v``: a new key is one entry more (charged before it is stored)."""
    check_key(k)
    if k not in d:
        charge(ENTRY_BYTES, (d, k, v))
    d[k] = v


def delete(target: Any, index: Any, release: Release) -> None:
    """``del target[index]`` for a dict (by key) or a list (by index)."""
    t = type(target)
    if t is dict:
        check_key(index)
        try:
            del target[index]
        except KeyError:
            raise key_error(index) from None
        release(ENTRY_BYTES)
        return
    if t is list:
        del target[list_slot(target, index)]
        release(VALUE_SLOT_BYTES)
        return
    if t is tuple or t is str or t is range or t is Array:
        raise Fault(ErrorCode.TypeError, f"'{type_name(target)}' object doesn't support item "
                    "deletion")
    raise Fault(ErrorCode.TypeError, f"'{type_name(target)}' object does not support item deletion")


def _walk(d: dict[Any, Any], kind: int, changed: str = _CHANGED) -> Iterator[Any]:
    """The keys, values or items of ``d`` by position, as the cores walk their entry array:
    step ``i`` gives entry ``i`` of the dict as it is then, and RuntimeError once the dict's
    size differs from its size when the iteration began.  (The keys are a snapshot, taken
    again when the last key shows that keys were deleted and others added.)"""
    n = len(d)
    keys = list(d)
    pos = 0
    while True:
        if len(d) != n:
            raise Fault(ErrorCode.RuntimeError, changed)
        if pos >= n:
            return
        if n and next(reversed(d)) is not keys[-1]:
            keys = list(d)
        k = keys[pos]
        pos += 1
        yield k if kind == 0 else d[k] if kind == 1 else (k, d[k])


class _DictIterator:
    """An iterator over a dict or a view, named as CPython's (in TypeError messages)."""

    __slots__ = ("walk",)

    def __init__(self, walk: Iterator[Any]) -> None:
        self.walk = walk

    def __iter__(self) -> _DictIterator:
        return self

    def __next__(self) -> Any:
        return next(self.walk)


_ITERATORS = tuple(type(name, (_DictIterator,), {"__slots__": ()})
                   for name in ("dict_keyiterator", "dict_valueiterator", "dict_itemiterator",
                                "set_iterator"))


def iterate(v: dict[Any, Any] | DictView) -> KIter:
    """``iter(d)`` or ``iter(view)``: the items of an items view are new tuples (``fresh``)."""
    if isinstance(v, DictView):
        return KIter(_ITERATORS[v.kind](_walk(v.d, v.kind)), (v,), fresh=v.kind == 2)
    if type(v) is KSet:
        return KIter(_ITERATORS[3](_walk(v, 0, "Set changed size during iteration")), (v,))
    return KIter(_ITERATORS[0](_walk(v, 0)), (v,))


def contains(v: dict[Any, Any] | DictView, item: Any, eq: Callable[[Any, Any], bool]) -> bool:
    """``item in d`` / ``item in view`` (``eq``: the kernel's ==, for values)."""
    if isinstance(v, DictView):
        d = v.d
        if v.kind == 1:
            return any(eq(x, item) for x in d.values())
        if v.kind == 2:
            if type(item) is not tuple or len(item) != 2:
                return False
            check_key(item[0])
            return item[0] in d and eq(d[item[0]], item[1])
    else:
        d = v
    check_key(item)
    return item in d


def equal(a: dict[Any, Any], b: dict[Any, Any], eq: Callable[[Any, Any, int], bool],
          depth: int) -> bool:
    """``a == b`` for two dicts: the same keys, and equal values (``eq`` at ``depth + 1``)."""
    if len(a) != len(b):
        return False
    for k, v in a.items():
        if k not in b or not eq(v, b[k], depth + 1):
            return False
    return True


def pairs(source: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The (key, value, item) of ``dict(source)`` / ``d.update(source)``: a dict's entries
    (item None), or each item of an iterable as a pair (CPython's errors for an item that is
    not one); ``item`` is the item when the cores make it a new object (a tuple of an items
    view or of zip/enumerate, a character of a str), which lives until its pair is stored."""
    if type(source) is dict:
        for k, v in list(source.items()):
            yield k, v, None
        return
    for n, (item, fresh) in enumerate(items_of(source)):
        ti = type(item)
        if ti not in (list, tuple, str) and ti is not DictView:
            raise Fault(ErrorCode.TypeError, f"cannot convert dictionary update sequence element "
                        f"#{n} to a sequence")
        pair = list(item) if ti is not DictView else item.items()
        if len(pair) != 2:
            raise Fault(ErrorCode.ValueError, f"dictionary update sequence element #{n} has "
                        f"length {len(pair)}; 2 is required")
        yield pair[0], pair[1], fresh


def items_of(source: Any) -> Iterator[tuple[Any, Any]]:
    """The items of an iterable as the cores take them one by one: (item, None), or (item,
    item) when the cores make the item a new object (a tuple of an items view or of zip, a
    character of a str, a row of a 2-D array), which then lives until it has been used."""
    t = type(source)
    fresh = False
    if t is DictView or t is dict or t is KSet:
        it = iterate(source)
        items: Any = it.it
        fresh = it.fresh
    elif t in (list, tuple, range):
        items = source
    elif t is str:
        items, fresh = source, True
    elif t is KIter:
        items, fresh = source.it, source.fresh
    elif t is Array:
        items = source.live_items()
        fresh = len(source.shape) == 2
    else:
        raise Fault(ErrorCode.TypeError, f"'{type_name(source)}' object is not iterable")
    for item in items:
        yield item, (item if fresh else None)


def store_keys(d: dict[Any, Any], source: Any, value: Any, charge: Charge,
               live: tuple[Any, ...]) -> None:
    """``d[item] = value`` for each item of the iterable ``source`` (dict.fromkeys, set(iterable),
    s.update(iterable)); ``live``: what the caller keeps alive meanwhile."""
    for key, item in items_of(source):
        if item is not None:
            charge(object_bytes(item), (d, *live, item))
        store(d, key, value, rooted(charge, (d, *live, item)))


def receiver(args: tuple[Any, ...], method: str, cls: type = dict) -> Any:
    """The receiver ``args[0]`` of ``method`` when it is a ``cls`` (CPython's AttributeError
    otherwise)."""
    d = args[0]
    if type(d) is not cls:
        raise Fault(ErrorCode.AttributeError, f"'{type_name(d)}' object has no attribute '{method}'")
    return d


def rooted(charge: Charge, live: tuple[Any, ...]) -> Charge:
    """``charge`` with ``live`` among the extra roots of every allocation."""
    return lambda n, extra: charge(n, (*extra, *live))


def _update(d: dict[Any, Any], source: Any, charge: Charge) -> None:
    for k, v, item in pairs(source):
        if item is None:
            store(d, k, v, charge)
            continue
        charge(object_bytes(item), (d, source, item))  # the new item, as the cores make it
        store(d, k, v, rooted(charge, (source, item)))


def call(code: int, args: tuple[Any, ...], charge: Charge, release: Release) -> Any:
    """Run dict builtin ``code`` (DICT_BUILTINS) on ``args``, charging what it allocates."""
    name = _CODE[code]
    # a new object is charged before it exists: the roots of its charge do not hold it
    if name == "dict":
        if args and type(args[0]) is dict:
            charge(dict_bytes(len(args[0])), args)
            return dict(args[0])
        charge(dict_bytes(0), args)
        r: dict[Any, Any] = {}
        if args:
            _update(r, args[0], lambda n, extra: charge(n, (r, *args, *extra)))
        return r
    if name == "del":
        delete(args[0], args[1], release)
        return None
    if name == "dict.fromkeys":
        charge(dict_bytes(0), args)
        r = {}
        store_keys(r, args[0], args[1] if len(args) == 2 else None, charge, args)
        return r
    method = name.split(".", 1)[1]
    if method == "clear" and type(args[0]) is list:  # list.clear: x.clear() compiles here
        for _ in range(len(args[0])):
            release(VALUE_SLOT_BYTES)
        args[0].clear()
        return None
    d = receiver(args, method)
    if method == "get":
        check_key(args[1])
        return d.get(args[1], args[2] if len(args) == 3 else None)
    if method in ("keys", "values", "items"):
        charge(SMALL_OBJECT_BYTES, (d,))
        return DictView(d, ("keys", "values", "items").index(method))
    if method == "setdefault":
        default = args[2] if len(args) == 3 else None
        check_key(args[1])
        if args[1] not in d:
            store(d, args[1], default, charge)
        return d[args[1]]
    if method == "update":
        _update(d, args[1], charge)
        return None
    if method == "clear":
        for _ in range(len(d)):
            release(ENTRY_BYTES)
        d.clear()
        return None
    if method == "popitem":
        if not d:
            raise key_error("popitem(): dictionary is empty")
        charge(seq_bytes(2), (d,))  # the (key, value) tuple
        release(ENTRY_BYTES)
        return d.popitem()
    if method == "pop":
        check_key(args[1])
        if args[1] in d:
            release(ENTRY_BYTES)
            return d.pop(args[1])
        if len(args) == 3:
            return args[2]
        raise key_error(args[1])
    charge(dict_bytes(len(d)), (d,))  # copy
    return dict(d)


