"""Sets on a simulated core: the executable spec of the set builtins, of ``a | b``, ``a & b``,
``a - b``, ``a ^ b``, their in-place forms and the subset comparisons (docs/language.md, "Sets").

A kernel set is a :class:`~esim.cores.values.KSet`: a dict whose keys are the items, so it
iterates in insertion order and its items follow CPython's key equality.  On the cores it is a
dict whose values are None (device/core/set.c): ``memory.dict_bytes(n)``, grown and shrunk by
one entry (``dicts.ENTRY_BYTES``) per item added or removed, which these functions charge and
release at the points the C interpreter allocates and frees.  An operator's result is made in
one allocation of its final size; a method's argument that is not a set is first made a set
(``set(iterable)``), which is garbage once the method returns.
"""

from __future__ import annotations

from typing import Any

from epython.bytecode.memory import dict_bytes
from epython.bytecode.opcodes import BUILTIN_BY_NAME, BUILTINS, ErrorCode, Op
from esim.cores import dicts
from esim.cores.dicts import ENTRY_BYTES, Charge, Release, check_key, store, store_keys
from esim.cores.heap import object_bytes
from esim.cores.ops import binary as number_binary
from esim.cores.setops import result
from esim.cores.values import Fault, KSet, type_name

__all__ = ["SET_BUILTINS", "SET_SHARED", "call"]

#: The builtins of this module, by code.
SET_BUILTINS: frozenset[int] = frozenset(b.code for b in BUILTINS
                                         if b.name == "set" or b.name.startswith("set."))
#: The list and dict methods that a set receiver turns into its set method (``s.pop()``,
#: ``s.copy()``, ``s.remove(x)``, ``s.clear()``, ``s.update(x)``).
SET_SHARED: dict[int, int] = {BUILTIN_BY_NAME[shared].code: BUILTIN_BY_NAME[f"set.{shared.split('.')[1]}"].code
                              for shared in ("list.pop", "list.copy", "list.remove", "dict.clear",
                                             "dict.update")}
_CODE = {b.code: b.name.split(".", 1)[-1] for b in BUILTINS if b.code in SET_BUILTINS}
_OPS = {Op.BINARY_OR: "union", Op.BINARY_AND: "intersection", Op.BINARY_SUB: "difference",
        Op.BINARY_XOR: "symmetric_difference"}
_SYMBOL = {Op.BINARY_OR: "|", Op.BINARY_AND: "&", Op.BINARY_SUB: "-", Op.BINARY_XOR: "^"}
_INPLACE = {Op.BINARY_OR: "update", Op.BINARY_AND: "intersection_update",
            Op.BINARY_SUB: "difference_update", Op.BINARY_XOR: "symmetric_difference_update"}


def _as_set(o: Any, charge: Charge, live: tuple[Any, ...]) -> KSet:
    """``o`` if it is a set, else ``set(o)`` (a new set, charged; ``live``: what the caller
    keeps alive meanwhile)."""
    if type(o) is KSet:
        return o
    charge(dict_bytes(0), (*live, o))
    r = KSet()
    store_keys(r, o, None, charge, (*live, o))
    return r


def _remove(s: KSet, k: Any, release: Release) -> None:
    del s[k]
    release(ENTRY_BYTES)


def _inplace(method: str, s: KSet, others: tuple[Any, ...], charge: Charge, release: Release,
             live: tuple[Any, ...]) -> None:
    """s.update / intersection_update / difference_update / symmetric_difference_update."""
    for o in others:
        if method == "update":
            if type(o) is KSet:
                for k in list(o):
                    store(s, k, None, dicts.rooted(charge, live))
            else:
                store_keys(s, o, None, charge, live)
        elif method == "difference_update" and type(o) is not KSet:
            for k, item in dicts.items_of(o):
                if item is not None:
                    charge(object_bytes(item), (*live, item))
                check_key(k)
                if k in s:
                    _remove(s, k, release)
        else:
            other = _as_set(o, charge, live)
            if method == "intersection_update":
                for k in [k for k in s if k not in other]:
                    _remove(s, k, release)
            elif method == "difference_update":
                for k in [k for k in s if k in other]:
                    _remove(s, k, release)
            else:  # symmetric_difference_update
                for k in list(other):
                    if k in s:
                        _remove(s, k, release)
                    else:
                        store(s, k, None, dicts.rooted(charge, (*live, other)))


def _fold(op: int, s: KSet, others: tuple[Any, ...], charge: Charge,
          live: tuple[Any, ...]) -> KSet:
    """s.union(*others) and the like: each argument made a set, then one operator at a time,
    left to right (each result in one allocation); no argument: a copy."""
    if not others:
        charge(dict_bytes(len(s)), live)
        return KSet(s)
    r = s
    for o in others:
        other = _as_set(o, charge, (*live, r))
        nxt = result(op, r, other)
        charge(dict_bytes(len(nxt)), (*live, r, other))
        r = nxt
    return r


def call(code: int, args: tuple[Any, ...], charge: Charge, release: Release) -> Any:
    """Run set builtin ``code`` (SET_BUILTINS, or a SET_SHARED one on a set) on ``args``,
    charging what it allocates."""
    name = _CODE[SET_SHARED.get(code, code)]
    if name == "set":
        if not args:
            charge(dict_bytes(0), args)
            return KSet()
        if type(args[0]) is KSet:
            charge(dict_bytes(len(args[0])), args)
            return KSet(args[0])
        return _as_set(args[0], charge, args)
    if name == "inplace":
        a, b, op = args
        if type(a) is not KSet or type(b) is not KSet:
            try:
                if type(a) is KSet or type(b) is KSet:
                    raise Fault(ErrorCode.TypeError, "")
                return number_binary(op, a, b)
            except Fault as exc:  # CPython names the augmented operator
                if exc.code != ErrorCode.TypeError:
                    raise
                raise Fault(ErrorCode.TypeError, f"unsupported operand type(s) for {_SYMBOL[op]}=: "
                            f"'{type_name(a)}' and '{type_name(b)}'") from None
        _inplace(_INPLACE[op], a, (b,), charge, release, args)
        return a
    s: KSet = dicts.receiver(args, name, KSet)
    others = args[1:]
    if name == "add":
        store(s, args[1], None, charge)
        return None
    if name in ("discard", "remove"):
        check_key(args[1])
        if args[1] in s:
            _remove(s, args[1], release)
        elif name == "remove":
            raise dicts.key_error(args[1])
        return None
    if name == "pop":
        if not s:
            raise dicts.key_error("pop from an empty set")
        k = next(iter(s))
        _remove(s, k, release)
        return k
    if name == "clear":
        for _ in range(len(s)):
            release(ENTRY_BYTES)
        s.clear()
        return None
    if name == "copy":
        charge(dict_bytes(len(s)), args)
        return KSet(s)
    if name in ("union", "intersection", "difference", "symmetric_difference"):
        op = next(o for o, n in _OPS.items() if n == name)
        return _fold(op, s, others, charge, args)
    if name in _INPLACE.values():
        _inplace(name, s, others, charge, release, args)
        return None
    if name == "issubset":
        other = _as_set(args[1], charge, args)
        return all(k in other for k in s)
    # issuperset, isdisjoint: each item of the argument looked up in s
    want = name == "issuperset"
    for k, item in dicts.items_of(args[1]):
        if item is not None:
            charge(object_bytes(item), (*args, item))
        check_key(k)
        if (k in s) != want:
            return False
    return True
