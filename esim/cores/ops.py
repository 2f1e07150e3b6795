"""Operators and builtins of the kernel language on simulated-core values (docs/language.md)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from epython.bytecode import protocol
from epython.bytecode.opcodes import ErrorCode, Op
from esim.cores import dicts, setops
from esim.cores.values import (
    Array,
    DictView,
    Fault,
    KSet,
    check_int,
    f32,
    py_str,
    to_int,
    type_name,
)

__all__ = ["binary", "compare", "contains", "truth", "unary"]

_SYMBOL: dict[int, str] = {Op.BINARY_ADD: "+", Op.BINARY_SUB: "-", Op.BINARY_MUL: "*", Op.BINARY_TRUEDIV: "/",
           Op.BINARY_FLOORDIV: "//", Op.BINARY_MOD: "%", Op.BINARY_POW: "** or pow()",
           Op.BINARY_LSHIFT: "<<", Op.BINARY_RSHIFT: ">>", Op.BINARY_AND: "&",
           Op.BINARY_OR: "|", Op.BINARY_XOR: "^", Op.COMPARE_LT: "<", Op.COMPARE_LE: "<=",
           Op.COMPARE_GT: ">", Op.COMPARE_GE: ">="}

_NUM = (int, float, bool)


def _type_error(op: int, a: Any, b: Any) -> Fault:
    return Fault(ErrorCode.TypeError, f"unsupported operand type(s) for {_SYMBOL[op]}: "
                 f"'{type_name(a)}' and '{type_name(b)}'")


def truth(v: Any) -> bool:
    """Python truthiness."""
    if type(v) is Array:
        if v.shape[0] * (v.shape[1] if len(v.shape) == 2 else 1) == 1:
            return bool(v.data[v.offset])
        raise Fault(ErrorCode.ValueError, "The truth value of an array with more than one "
                    "element is ambiguous")
    return bool(v)


def _c_fmod(a: float, b: float) -> float:
    """C's fmod: nan for an infinite or nan dividend (math.fmod raises there), a for inf b."""
    if math.isinf(a) or a != a or b != b:
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def _float_floordiv(a: float, b: float) -> float:
    """CPython's float floor division (Objects/floatobject.c float_floor_div), then binary32."""
    mod = _c_fmod(a, b)
    div = (a - mod) / b
    if mod:
        if (b < 0) != (mod < 0):
            div -= 1.0
    floordiv: float
    if div:
        floordiv = float(math.floor(div)) if math.isfinite(div) else div  # C floor keeps nan/inf
        if div - floordiv > 0.5:
            floordiv += 1.0
    else:
        floordiv = math.copysign(0.0, a / b)
    return f32(floordiv)


def _float_mod(a: float, b: float) -> float:
    """CPython's float modulo (sign of the divisor), then binary32."""
    mod = _c_fmod(a, b)
    if mod:
        if (b < 0) != (mod < 0):
            mod += b
    else:
        mod = math.copysign(0.0, b)
    return f32(mod)


def _float_pow(a: float, b: float) -> float:
    if a == 0.0 and b < 0:
        raise Fault(ErrorCode.ZeroDivisionError,
                    "0.0 cannot be raised to a negative power")
    if a < 0 and math.isfinite(b) and b != math.floor(b):
        raise Fault(ErrorCode.ValueError, "negative number cannot be raised to a fractional power "
                    "in kernels (CPython would return a complex number)")
    try:
        return f32(math.pow(a, b))
    except OverflowError:
        return math.inf if a > 0 or b % 2 == 0 else -math.inf


def _int_pow(a: int, b: int) -> int:
    if a in (0, 1) or b == 0:
        return 1 if b == 0 else int(a)  # int: True ** 1 is 1
    if a == -1:
        return 1 if b % 2 == 0 else -1
    if b >= 32:
        raise Fault(ErrorCode.OverflowError, f"integer overflow: {a} ** {b} does not fit in int32")
    return check_int(a ** b)


def _int_truediv(a: int, b: int) -> float:
    if b == 0:
        raise Fault(ErrorCode.ZeroDivisionError, "division by zero")
    return f32(f32(a) / f32(b))


def _int_floordiv(a: int, b: int) -> int:
    if b == 0:
        raise Fault(ErrorCode.ZeroDivisionError, "integer division or modulo by zero")
    return check_int(a // b)


def _int_mod(a: int, b: int) -> int:
    if b == 0:
        raise Fault(ErrorCode.ZeroDivisionError, "integer modulo by zero")
    return a % b


def _int_power(a: int, b: int) -> Any:
    if b < 0:
        if a == 0:
            raise Fault(ErrorCode.ZeroDivisionError, "0.0 cannot be raised to a negative power")
        return _float_pow(f32(a), f32(b))
    return _int_pow(a, b)


def _lshift(a: int, b: int) -> int:
    if b < 0:
        raise Fault(ErrorCode.ValueError, "negative shift count")
    if a == 0:
        return 0
    if b >= 32:
        raise Fault(ErrorCode.OverflowError, f"integer overflow: {a} << {b} does not fit in int32")
    return check_int(a << b)


def _rshift(a: int, b: int) -> int:
    if b < 0:
        raise Fault(ErrorCode.ValueError, "negative shift count")
    return a >> min(b, 31)


def _float_truediv(x: float, y: float) -> float:
    if y == 0.0:
        raise Fault(ErrorCode.ZeroDivisionError, "float division by zero")
    return f32(x / y)


def _float_floordiv_checked(x: float, y: float) -> float:
    if y == 0.0:
        raise Fault(ErrorCode.ZeroDivisionError, "float floor division by zero")
    return _float_floordiv(x, y)


def _float_mod_checked(x: float, y: float) -> float:
    if y == 0.0:
        raise Fault(ErrorCode.ZeroDivisionError, "float modulo")
    return _float_mod(x, y)


#: The BINARY_* opcodes on two ints (or bools), and on two numbers one of which is a float
#: (both already binary32).
_INT_BINARY: dict[int, Callable[[Any, Any], Any]] = {
    Op.BINARY_ADD: lambda a, b: check_int(a + b), Op.BINARY_SUB: lambda a, b: check_int(a - b),
    Op.BINARY_MUL: lambda a, b: check_int(a * b), Op.BINARY_TRUEDIV: _int_truediv,
    Op.BINARY_FLOORDIV: _int_floordiv, Op.BINARY_MOD: _int_mod, Op.BINARY_POW: _int_power,
    Op.BINARY_LSHIFT: _lshift, Op.BINARY_RSHIFT: _rshift, Op.BINARY_AND: lambda a, b: a & b,
    Op.BINARY_OR: lambda a, b: a | b, Op.BINARY_XOR: lambda a, b: a ^ b}
_FLOAT_BINARY: dict[int, Callable[[float, float], float]] = {
    Op.BINARY_ADD: lambda x, y: f32(x + y), Op.BINARY_SUB: lambda x, y: f32(x - y),
    Op.BINARY_MUL: lambda x, y: f32(x * y), Op.BINARY_TRUEDIV: _float_truediv,
    Op.BINARY_FLOORDIV: _float_floordiv_checked, Op.BINARY_MOD: _float_mod_checked,
    Op.BINARY_POW: _float_pow}


def binary(op: int, a: Any, b: Any) -> Any:
    """``a <op> b`` for the BINARY_* opcodes."""
    ta = type(a)
    tb = type(b)
    if (ta is int or ta is bool) and (tb is int or tb is bool):
        fn = _INT_BINARY.get(op)
        if fn is not None:
            return fn(a, b)
    elif ta in _NUM and tb in _NUM:
        if op >= Op.BINARY_LSHIFT:
            raise _type_error(op, a, b)
        fl = _FLOAT_BINARY.get(op)
        if fl is not None:
            return fl(a if ta is float else f32(a), b if tb is float else f32(b))
    if op == Op.BINARY_ADD:
        if ta is tb and ta in (str, list, tuple):
            return a + b
        if ta in (str, list, tuple):
            raise Fault(ErrorCode.TypeError, f'can only concatenate {type_name(a)} (not '
                        f'"{type_name(b)}") to {type_name(a)}')
    if op == Op.BINARY_MUL:
        if ta in (str, list, tuple) and tb in (int, bool):
            return _repeat(a, b)
        if tb in (str, list, tuple) and ta in (int, bool):
            return _repeat(b, a)
    if ta is KSet and tb is KSet and op in setops.SET_OPS:
        return setops.result(op, a, b)
    if op == Op.BINARY_MOD and ta is str:
        raise Fault(ErrorCode.TypeError, "%-formatting of strings is not supported in kernels; "
                    "use an f-string")
    raise _type_error(op, a, b)


def _repeat(seq: Any, n: int) -> Any:
    if n <= 0:
        return seq[:0]
    if len(seq) * n > 0xFFFF:
        raise Fault(ErrorCode.MemoryError, f"sequence of {len(seq) * n} items is too large")
    return seq * n


def unary(op: int, a: Any) -> Any:
    """``-a``, ``+a``, ``not a``, ``~a``."""
    ta = type(a)
    if op == Op.UNARY_NOT:
        return not truth(a)
    if ta is int or ta is bool:
        if op == Op.UNARY_NEG:
            return check_int(-a)
        if op == Op.UNARY_POS:
            return int(a)
        return ~a
    if ta is float:
        if op == Op.UNARY_NEG:
            return -a
        if op == Op.UNARY_POS:
            return a
        raise Fault(ErrorCode.TypeError, "bad operand type for unary ~: 'float'")
    symbols: dict[int, str] = {Op.UNARY_NEG: "-", Op.UNARY_POS: "+", Op.UNARY_INVERT: "~"}
    sym = symbols[op]
    raise Fault(ErrorCode.TypeError, f"bad operand type for unary {sym}: '{type_name(a)}'")


def _eq(a: Any, b: Any, depth: int = 0) -> bool:
    """``a == b`` for values inside ``depth`` lists and tuples: two lists or tuples of one
    length nested deeper than the cores' limit are a RecursionError (protocol.MAX_NESTING)."""
    ta = type(a)
    tb = type(b)
    if ta is Array or tb is Array:
        raise Fault(ErrorCode.TypeError, "comparing arrays with == is not supported in kernels; "
                    "compare elements")
    if ta in _NUM and tb in _NUM:
        return a == b  # type: ignore[no-any-return]
    if ta is not tb:
        return False
    if ta is list or ta is tuple:
        if len(a) != len(b):
            return False
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_COMPARE_MESSAGE)
        return all(_eq(x, y, depth + 1) for x, y in zip(a, b))
    if ta is dict:
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_COMPARE_MESSAGE)
        return dicts.equal(a, b, _eq, depth)
    if ta is DictView:
        return a is b
    if ta is KSet:
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_COMPARE_MESSAGE)
        return setops.equal(a, b)
    return a == b  # type: ignore[no-any-return]


def compare(op: int, a: Any, b: Any, depth: int = 0) -> Any:
    """The COMPARE_* opcodes (``depth``: as for _eq)."""
    if op == Op.COMPARE_EQ:
        return _eq(a, b)
    if op == Op.COMPARE_NE:
        return not _eq(a, b)
    if op == Op.COMPARE_IN:
        return contains(b, a)
    if op == Op.COMPARE_NOT_IN:
        return not contains(b, a)
    if op == Op.COMPARE_IS:
        return a is b
    if op == Op.COMPARE_IS_NOT:
        return a is not b
    ta = type(a)
    tb = type(b)
    if ta is KSet and tb is KSet:
        return setops.compare(op, a, b)
    ok = (ta in _NUM and tb in _NUM) or (ta is tb and ta in (str, list, tuple))
    if not ok:
        raise Fault(ErrorCode.TypeError, f"'{_SYMBOL[op]}' not supported between instances of "
                    f"'{type_name(a)}' and '{type_name(b)}'")
    if ta is list or ta is tuple:
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_COMPARE_MESSAGE)
        for x, y in zip(a, b):
            if not _eq(x, y, depth + 1):
                return compare(op, x, y, depth + 1)
        a, b = len(a), len(b)
    if op == Op.COMPARE_LT:
        return a < b
    if op == Op.COMPARE_LE:
        return a <= b
    if op == Op.COMPARE_GT:
        return a > b
    return a >= b


def contains(container: Any, item: Any) -> bool:
    """``item in container``."""
    t = type(container)
    if t is str:
        if type(item) is not str:
            raise Fault(ErrorCode.TypeError, f"'in <string>' requires string as left operand, "
                        f"not {type_name(item)}")
        return item in container
    if t is list or t is tuple:
        return any(_eq(x, item) for x in container)
    if t is Array:  # read as far as the first match, as the cores do
        return any(_eq(x, item) for x in container.live_items())
    if t is dict or t is DictView or t is KSet:
        return dicts.contains(container, item, _eq)
    if t is range:  # CPython's arithmetic test; a float equals an item when it is integral
        ti = type(item)
        if ti is float:
            return math.isfinite(item) and item == int(item) and int(item) in container
        return (ti is int or ti is bool) and item in container
    raise Fault(ErrorCode.TypeError, f"argument of type '{type_name(container)}' is not iterable")


def to_str(v: Any) -> str:
    """``str(v)``."""
    return py_str(v)


def to_float(v: Any) -> float:
    """``float(v)``."""
    t = type(v)
    if t is float:
        return v  # type: ignore[no-any-return]
    if t is int or t is bool:
        return f32(float(v))
    if t is str:
        try:
            return f32(float(v))
        except ValueError:
            raise Fault(ErrorCode.ValueError, f"could not convert string to float: {v!r}") from None
    raise Fault(ErrorCode.TypeError, f"float() argument must be a string or a real number, not "
                f"'{type_name(v)}'")


def to_integer(v: Any) -> int:
    """``int(v)``."""
    t = type(v)
    if t is int:
        return v  # type: ignore[no-any-return]
    if t is bool:
        return int(v)
    if t is float:
        return to_int(v)
    if t is str:
        try:
            return check_int(int(v))
        except ValueError:
            raise Fault(ErrorCode.ValueError,
                        f"invalid literal for int() with base 10: {v!r}") from None
    raise Fault(ErrorCode.TypeError, f"int() argument must be a string or a real number, not "
                f"'{type_name(v)}'")
