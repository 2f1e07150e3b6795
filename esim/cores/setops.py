"""The operators of two kernel sets, without allocation or charging: the items of ``a | b``,
``a & b``, ``a - b``, ``a ^ b``, ``==`` and the subset comparisons (esim.cores.ops calls them;
esim.cores.sets charges what they make; device/core/set.c does the same)."""

from __future__ import annotations

from epython.bytecode.opcodes import Op
from esim.cores.values import KSet

__all__ = ["SET_OPS", "compare", "equal", "result"]

#: The operators of two sets (each makes a new set: ops.binary).
SET_OPS = frozenset((Op.BINARY_OR, Op.BINARY_AND, Op.BINARY_SUB, Op.BINARY_XOR))


def result(op: int, a: KSet, b: KSet) -> KSet:
    """The items of ``a <op> b`` for two sets and an operator of SET_OPS (the new set, which the
    caller charges: ``object_bytes``): ``a``'s items in order, then
    (for | and ^) ``b``'s that ``a`` lacks."""
    if op == Op.BINARY_OR:
        r = KSet(a)
        r.update((k, None) for k in b if k not in a)
    elif op == Op.BINARY_AND:
        r = KSet((k, None) for k in a if k in b)
    elif op == Op.BINARY_SUB:
        r = KSet((k, None) for k in a if k not in b)
    else:
        r = KSet((k, None) for k in a if k not in b)
        r.update((k, None) for k in b if k not in a)
    return r


def equal(a: KSet, b: KSet) -> bool:
    """``a == b`` for two sets: the same items."""
    return len(a) == len(b) and all(k in b for k in a)


def compare(op: int, a: KSet, b: KSet) -> bool:
    """``a < b``, ``<=``, ``>``, ``>=`` for two sets: proper subset, subset, and the reverse."""
    if op in (Op.COMPARE_GT, Op.COMPARE_GE):
        a, b = b, a
    subset = len(a) <= len(b) and all(k in b for k in a)
    return subset and (len(a) < len(b) if op in (Op.COMPARE_LT, Op.COMPARE_GT) else True)
