"""The operators of the translating engine's generated code: inline int32 and float32 fast
paths chosen by what the static types (``esim/cores/jit/types.py``) know of the operands, and the
reference's ``ops`` functions for everything else.

Each operator is a chain of *arms*: (conditions, body).  A condition is a class test, a value
test, or True/False when the types decide it; arms whose conditions are known false are dropped,
and the first arm known true ends the chain.  With nothing known the chain is the generic one
(int/int, then float, then ``ops.binary``); the arms compute exactly what ``ops.binary`` and
``ops.compare`` compute for those operands.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, Union

from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.bytecode.opcodes import Op
from esim.cores.jit.spans import Span, raw_span
from esim.cores.jit.types import ANY, BOOL, FLOAT, INT, OBJECT

__all__ = ["Operand", "binary", "compare", "direct_compare", "emit_arms", "is_class", "truth"]

#: emit(text, extra_indent)
Emit = Callable[..., None]
Cond = Union[str, bool]  # noqa: UP007 (a runtime alias)
Body = Union[str, list["Arm"]]  # noqa: UP007
Arm = tuple[list[Cond], Body]

_BIN_SYM: dict[int, str] = {Op.BINARY_ADD: "+", Op.BINARY_SUB: "-", Op.BINARY_MUL: "*",
                            Op.BINARY_TRUEDIV: "/"}
_BITWISE: dict[int, str] = {Op.BINARY_AND: "&", Op.BINARY_OR: "|", Op.BINARY_XOR: "^"}
_CMP_SYM: dict[int, str] = {Op.COMPARE_EQ: "==", Op.COMPARE_NE: "!=", Op.COMPARE_LT: "<",
                            Op.COMPARE_LE: "<=", Op.COMPARE_GT: ">", Op.COMPARE_GE: ">="}
_CLASS_NAME = {INT: "int", FLOAT: "float", BOOL: "bool"}
_F32_EXACT = 1 << 24  # ints of at most this magnitude are exact in binary32


class Operand(NamedTuple):
    """A stack slot as the generated code names it, with its static class mask and literal,
    and the expression that holds its value when the slot itself was not assigned (a local or a
    literal that the emitter folds into the instruction that takes it: ``expr``)."""

    name: str
    mask: int = ANY
    lit: object = None
    expr: str | None = None
    span: Span | None = None  # the range of its value when it is an int (spans.py)

    @property
    def text(self) -> str:
        """The slot's value in source: its literal when known, else ``expr`` or the slot (the
        slot itself may then not hold it)."""
        if self.lit is not None:
            return repr(self.lit)
        return self.name if self.expr is None else self.expr


def is_class(x: Operand, cls: int) -> Cond:
    """The test ``x.__class__ is <cls>``, or its outcome when the mask decides it."""
    if x.mask == cls:
        return True
    if not x.mask & cls:
        return False
    return f"{x.text}.__class__ is {_CLASS_NAME[cls]}"


def truth(x: Operand) -> str:
    """The truth of ``x`` as ``ops.truth`` gives it (``bool(x)`` for all but arrays)."""
    if not x.mask & OBJECT:
        return x.text
    return f"({x.text} if {x.text}.__class__ is bool else TRUTH({x.text}))"


def emit_arms(emit: Emit, arms: list[Arm], extra: int = 0) -> None:
    """Emit ``arms`` as an if/elif/else chain (see the module docstring)."""
    first = True
    for conds, body in arms:
        if False in conds:
            continue
        parts = [c for c in conds if c is not True]
        if not parts:
            if first:
                _body(emit, body, extra)
            else:
                emit("else:", extra)
                _body(emit, body, extra + 1)
            return
        emit(f"{'if' if first else 'elif'} {' and '.join(str(p) for p in parts)}:", extra)
        _body(emit, body, extra + 1)
        first = False


def _body(emit: Emit, body: Body, extra: int) -> None:
    if isinstance(body, str):
        for line in body.split("\n"):
            emit(line, extra)
    else:
        emit_arms(emit, body, extra)


#: binary32's smallest normal and largest finite magnitudes, and Veltkamp's splitting factor
#: 2**29 + 1: for a double r of a normal binary32 magnitude, c - (c - r) with c = r * factor is r
#: rounded to 24 significant bits, to nearest even (Dekker 1971), i.e. exactly (float)r.
_F32_MIN_NORMAL = 1.1754943508222875e-38
_F32_MAX = 3.4028234663852886e38
_SPLIT = 536870913.0


def round_f32(target: str, expr: str, how: str = "round") -> str:
    """``target = f32(expr)``.  In binary32's normal range by Veltkamp's splitting; else (zero,
    subnormal, overflow, inf, nan) through a store into the one-element ``array('f')``, which
    rounds as a C ``(float)`` cast does (inf on overflow, nan kept): both are ``values.f32``.

    ``how`` = "sum": ``expr`` adds or subtracts two binary32 values.  A result below binary32's
    normal range is then a multiple of 2**-149 with fewer than 24 bits, exact in binary32 and
    left as it is by the splitting (zeros too), so only overflow (and inf, nan) needs the
    array: one range test after the splitting.  ``how`` = "exact": ``expr`` multiplies a
    binary32 value by a power of two (or divides it by one), exact in a double and in binary32
    unless it leaves the normal range: the range test alone, no splitting."""
    lo, hi = _F32_MIN_NORMAL, _F32_MAX
    if how == "sum":
        return (f"r = {expr}; rc = r * {_SPLIT!r}; {target} = rc - (rc - r)\n"
                f"if not {-hi!r} <= {target} <= {hi!r}: F32[0] = r; {target} = F32[0]")
    if how == "exact":
        return (f"r = {expr}\n"
                f"if {lo!r} <= r <= {hi!r} or {-hi!r} <= r <= {-lo!r} or not r: {target} = r\n"
                f"else: F32[0] = r; {target} = F32[0]")
    return (f"r = {expr}\n"
            f"if {lo!r} <= r <= {hi!r} or {-hi!r} <= r <= {-lo!r}: "
            f"rc = r * {_SPLIT!r}; {target} = rc - (rc - r)\n"
            f"else: F32[0] = r; {target} = F32[0]")


def _rounding(op: int, a: Operand, b: Operand) -> str:
    """How ``round_f32`` rounds the float result of ``a <op> b``."""
    if op in (Op.BINARY_ADD, Op.BINARY_SUB):
        return "sum"
    if (op == Op.BINARY_MUL and (_power_of_two(a.lit) or _power_of_two(b.lit))
            or op == Op.BINARY_TRUEDIV and _power_of_two(b.lit)):
        return "exact"
    return "round"


def _power_of_two(lit: object) -> bool:
    return type(lit) is float and lit - lit == 0.0 and lit != 0.0 and \
        abs(math.frexp(lit)[0]) == 0.5


def _as_f32(x: Operand) -> str:
    """The expression ``f32(x)`` of an int operand as an operand of a float operation: the int
    itself up to 2**24 in magnitude (exact in binary32; Python's int/float and int/int
    arithmetic converts an int32 exactly), rounded by ``INT_F32`` beyond."""
    if type(x.lit) is int:
        return repr(float(x.lit)) if abs(x.lit) <= _F32_EXACT else f"INT_F32({x.lit})"
    v = x.text  # (an int32 with a float converts exactly in Python's arithmetic)
    if x.span is not None and -_F32_EXACT <= x.span[0] and x.span[1] <= _F32_EXACT:
        return v
    return f"(INT_F32({v}) if {v} > {_F32_EXACT} or {v} < {-_F32_EXACT} else {v})"


def _nonzero(x: Operand) -> Cond:
    if x.lit is not None:
        return bool(x.lit)
    return x.text


def _overflow(t: str, op: int, a: Operand, b: Operand) -> str:
    """The int32 check of ``t``, the result of ``a <op> b``: the sides the operands' spans
    allow (int operands are always int32; a literal's span is itself), none when it cannot
    leave int32."""
    raw = raw_span(op, a.span, b.span)
    if raw is None:
        return _outside(t)
    up, down = raw[1] > INT32_MAX, raw[0] < INT32_MIN
    if up and down:
        return _outside(t)
    if up:
        return f"if {t} > {INT32_MAX}: CHECK_INT({t})"
    if down:
        return f"if {t} < {INT32_MIN}: CHECK_INT({t})"
    return ""


def _outside(a: str) -> str:
    """The int32 check of ``a`` (two comparisons joined by ``or`` run faster than a chained
    comparison in CPython 3.11)."""
    return f"if {a} > {INT32_MAX} or {a} < {INT32_MIN}: CHECK_INT({a})"


def binary(op: int, a: Operand, b: Operand, emit: Emit, target: str | None = None) -> None:
    """Emit ``target = a <op> b`` (``target``: ``a``'s slot unless given; the operands may be
    expressions that cannot raise: a local or a literal, see ``Operand``)."""
    x, y = a.text, b.text
    t = a.name if target is None else target
    generic = (f"r = BINARY({op}, {x}, {y}); "
               f"{t} = charge(r, ({x}, {y}), fr) if r.__class__ in HEAP_TYPES else r")
    ia, ib, fa, fb = is_class(a, INT), is_class(b, INT), is_class(a, FLOAT), is_class(b, FLOAT)
    arms: list[Arm]
    if op in _BIN_SYM:
        sym = _BIN_SYM[op]
        div = op == Op.BINARY_TRUEDIV
        nz: list[Cond] = [_nonzero(b)] if div else []
        eb = _as_f32(b)
        ea = _as_f32(a)
        how = _rounding(op, a, b)
        if div:
            int_arm = round_f32(t, f"{ea} / {eb}", how)
        else:
            check = _overflow(t, op, a, b)
            int_arm = f"{t} = {x} {sym} {y}" + (f"\n{check}" if check else "")
        arms = [([ia, ib, *nz], int_arm),
                ([fa], [([fb, *nz], round_f32(t, f"{x} {sym} {y}", how)),
                        ([ib, *nz], round_f32(t, f"{x} {sym} {eb}", how)),
                        ([], generic)]),
                ([ia, fb, *nz], round_f32(t, f"{ea} {sym} {y}", how)),
                ([], generic)]
    elif op == Op.BINARY_MOD or op == Op.BINARY_FLOORDIV:
        sym = "%" if op == Op.BINARY_MOD else "//"
        body = f"{t} = {x} {sym} {y}"
        if op == Op.BINARY_FLOORDIV:
            body += f"\nif {t} == {INT32_MAX + 1}: CHECK_INT({t})"
        arms = [([ia, ib, _nonzero(b)], body), ([], generic)]
    elif op in _BITWISE:
        arms = [([ia, ib], f"{t} = {x} {_BITWISE[op]} {y}"), ([], generic)]
    elif op == Op.BINARY_RSHIFT:
        arms = [([ia, ib, _range_cond(b, 0, None)], f"{t} = {x} >> {y}"), ([], generic)]
    elif op == Op.BINARY_LSHIFT:
        arms = [([ia, ib, _range_cond(b, 0, 32)],
                 f"{t} = {x} << {y}\n{_outside(t)}"),
                ([], generic)]
    else:
        arms = [([], generic)]
    emit_arms(emit, arms)


def _range_cond(b: Operand, lo: int, hi: int | None) -> Cond:
    """``lo <= b`` (and ``b < hi``)."""
    if type(b.lit) is int:
        return lo <= b.lit and (hi is None or b.lit < hi)
    return f"{lo} <= {b.text}" if hi is None else f"{lo} <= {b.text} < {hi}"


def compare(op: int, a: Operand, b: Operand, emit: Emit) -> None:
    """Emit ``a = a <cmp> b`` (into ``a``'s slot; the operands as in :func:`binary`)."""
    x, y, t = a.text, b.text, a.name
    if op in _CMP_SYM:
        sym = _CMP_SYM[op]
        direct = f"{t} = {x} {sym} {y}"
        if not (a.mask | b.mask) & ~(INT | FLOAT):  # numbers compare as Python numbers
            emit(direct)
            return
        arms: list[Arm] = [([is_class(a, INT), is_class(b, INT)], direct),
                           ([is_class(a, FLOAT), is_class(b, FLOAT)], direct),
                           ([], f"{t} = COMPARE({op}, {x}, {y})")]
        emit_arms(emit, arms)
    elif op == Op.COMPARE_IS:
        emit(f"{t} = {x} is {y}")
    elif op == Op.COMPARE_IS_NOT:
        emit(f"{t} = {x} is not {y}")
    else:
        emit(f"{t} = COMPARE({op}, {x}, {y})")


def direct_compare(op: int, a: Operand, b: Operand) -> str | None:
    """The expression of ``a <cmp> b`` when both are known numbers (it cannot raise), else
    None."""
    if op in _CMP_SYM and not (a.mask | b.mask) & ~(INT | FLOAT):
        return f"({a.text} {_CMP_SYM[op]} {b.text})"
    return None
