"""The str methods of the kernel language: the executable spec both Python engines run.

Each function takes the builtin's arguments as a tuple, the receiver first (the compiler passes
the optional arguments a kernel leaves out as None, and ``-1`` for ``maxsplit``/``count``).
Arguments are checked here with CPython's messages, then CPython's own method computes the
result, so the results are CPython's by construction; device/core/text.c implements the same
on the cores.  The case methods (upper, lower, isupper, islower, isalpha, isalnum, isdigit)
know ASCII only: on text with a non-ASCII character they raise NotImplementedError instead of
guessing (docs/language.md, "str methods").  isspace, split() and strip() know all of
CPython's whitespace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from epython.bytecode.opcodes import ErrorCode
from esim.cores.values import Array, Fault, KIter, type_name

__all__ = ["FRESH_ITEMS", "STR_METHODS", "int_base", "str_count", "str_index"]

#: The builtins whose list result holds only new strs (the heap charges each item and the list).
FRESH_ITEMS = ("str.split", "str.rsplit")


def _receiver(args: tuple[Any, ...], method: str) -> str:
    s = args[0]
    if type(s) is not str:
        raise Fault(ErrorCode.AttributeError, f"'{type_name(s)}' object has no attribute '{method}'")
    return s


def _int_arg(v: Any) -> int:
    if type(v) is int or type(v) is bool:
        return int(v)
    raise Fault(ErrorCode.TypeError, f"'{type_name(v)}' object cannot be interpreted as an integer")


def _bounds(args: tuple[Any, ...], first: int) -> tuple[int | None, int | None]:
    out: list[int | None] = []
    for v in args[first:first + 2]:
        if v is not None and type(v) is not int and type(v) is not bool:
            raise Fault(ErrorCode.TypeError,
                        "slice indices must be integers or None or have an __index__ method")
        out.append(None if v is None else int(v))
    while len(out) < 2:
        out.append(None)
    return out[0], out[1]


def int_base(s: Any, base: Any) -> int:
    """``int(s, base)``: CPython's rules (base 2..36 or 0 for a literal's prefix, underscores
    between digits, surrounding whitespace, Unicode digits) and messages; a value outside int32
    is an OverflowError naming it (past 2**62, outside base 10, naming the text instead)."""
    b = _int_arg(base)
    if b != 0 and not 2 <= b <= 36:
        raise Fault(ErrorCode.ValueError, "int() base must be >= 2 and <= 36, or 0")
    if type(s) is not str:
        raise Fault(ErrorCode.TypeError, "int() can't convert non-string with explicit base")
    try:
        v = int(s, b)
    except ValueError:
        raise Fault(ErrorCode.ValueError,
                    f"invalid literal for int() with base {b}: {s!r}") from None
    if -2**31 <= v < 2**31:
        return v
    if abs(v) < 2**62 or _is_decimal(s, b):
        raise Fault(ErrorCode.OverflowError, f"integer overflow: {v} does not fit in int32")
    raise Fault(ErrorCode.OverflowError, f"integer overflow: int({s!r}, {b}) does not fit in int32")


def _is_decimal(s: str, base: int) -> bool:
    """Whether a valid literal is read in base 10 (base 10, or base 0 without a prefix)."""
    t = s.strip().lstrip("+-")
    return base == 10 or (base == 0 and not t[1:2].isalpha())


def _sub(v: Any) -> str:
    if type(v) is not str:
        raise Fault(ErrorCode.TypeError, f"must be str, not {type_name(v)}")
    return str(v)


def _split(method: str) -> Callable[[tuple[Any, ...]], list[str]]:
    def split(args: tuple[Any, ...]) -> list[str]:
        s = _receiver(args, method)
        sep = args[1] if len(args) > 1 else None
        maxsplit = _int_arg(args[2]) if len(args) > 2 else -1
        if sep is not None and type(sep) is not str:
            raise Fault(ErrorCode.TypeError, f"must be str or None, not {type_name(sep)}")
        if sep == "":
            raise Fault(ErrorCode.ValueError, "empty separator")
        parts = s.split(sep, maxsplit) if method == "split" else s.rsplit(sep, maxsplit)
        return parts
    return split


def _join(args: tuple[Any, ...]) -> str:
    sep = _receiver(args, "join")
    it = args[1]
    t = type(it)
    if t is Array:
        items: list[Any] = list(it.live_items())
    elif t in (list, tuple, str, range):
        items = list(it)
    elif t is KIter:
        items = list(it.it)
    else:
        raise Fault(ErrorCode.TypeError, "can only join an iterable")
    for k, item in enumerate(items):
        if type(item) is not str:
            raise Fault(ErrorCode.TypeError,
                        f"sequence item {k}: expected str instance, {type_name(item)} found")
    return sep.join(items)


def _strip(method: str) -> Callable[[tuple[Any, ...]], str]:
    def strip(args: tuple[Any, ...]) -> str:
        s = _receiver(args, method)
        chars = args[1] if len(args) > 1 else None
        if chars is not None and type(chars) is not str:
            raise Fault(ErrorCode.TypeError, f"{method} arg must be None or str")
        r: str = getattr(s, method)(chars)
        return s if r == s else r
    return strip


def _replace(args: tuple[Any, ...]) -> str:
    s = _receiver(args, "replace")
    for k in (1, 2):
        if type(args[k]) is not str:
            raise Fault(ErrorCode.TypeError,
                        f"replace() argument {k} must be str, not {type_name(args[k])}")
    count = _int_arg(args[3]) if len(args) > 3 else -1
    r = s.replace(args[1], args[2], count)
    return s if r == s else r


def _find(method: str) -> Callable[[tuple[Any, ...]], int]:
    def find(args: tuple[Any, ...]) -> int:
        s = _receiver(args, method)
        sub = _sub(args[1])
        start, end = _bounds(args, 2)
        k: int = (s.find if method in ("find", "index") else s.rfind)(sub, start, end)
        if k < 0 and method.endswith("index"):
            raise Fault(ErrorCode.ValueError, "substring not found")
        return k
    return find


str_index = _find("index")


def str_count(args: tuple[Any, ...]) -> int:
    """``s.count(sub[, start[, end]])`` (list.count dispatches here for a str receiver)."""
    s = _receiver(args, "count")
    sub = _sub(args[1])
    start, end = _bounds(args, 2)
    return s.count(sub, start, end)


def _affix(method: str) -> Callable[[tuple[Any, ...]], bool]:
    def affix(args: tuple[Any, ...]) -> bool:
        s = _receiver(args, method)
        fix = args[1]
        start, end = _bounds(args, 2)
        if type(fix) is tuple:  # CPython's order: each item checked as it is tried
            for item in fix:
                if type(item) is not str:
                    raise Fault(ErrorCode.TypeError,
                                f"tuple for {method} must only contain str, not {type_name(item)}")
                if getattr(s, method)(item, start, end):
                    return True
            return False
        if type(fix) is not str:
            raise Fault(ErrorCode.TypeError,
                        f"{method} first arg must be str or a tuple of str, not {type_name(fix)}")
        return bool(getattr(s, method)(fix, start, end))
    return affix


def _ascii(method: str, fn: Callable[[str], Any]) -> Callable[[tuple[Any, ...]], Any]:
    def call(args: tuple[Any, ...]) -> Any:
        s = _receiver(args, method)
        if not s.isascii():
            raise Fault(ErrorCode.NotImplementedError,
                        f"str.{method}() of non-ASCII text: kernels know the case and classes of "
                        "ASCII characters only")
        r = fn(s)
        return s if r == s and type(r) is str else r
    return call


def _isspace(args: tuple[Any, ...]) -> bool:
    return _receiver(args, "isspace").isspace()


def _ord(args: tuple[Any, ...]) -> int:
    c = args[0]
    if type(c) is not str:
        raise Fault(ErrorCode.TypeError,
                    f"ord() expected string of length 1, but {type_name(c)} found")
    if len(c) != 1:
        raise Fault(ErrorCode.TypeError,
                    f"ord() expected a character, but string of length {len(c)} found")
    return ord(c)


def _chr(args: tuple[Any, ...]) -> str:
    i = _int_arg(args[0])
    if not 0 <= i <= 0x10FFFF:
        raise Fault(ErrorCode.ValueError, "chr() arg not in range(0x110000)")
    if 0xD800 <= i <= 0xDFFF:
        raise Fault(ErrorCode.NotImplementedError, f"chr({i:#x}) is a surrogate: kernel strs "
                    "are UTF-8, which cannot hold one")
    return chr(i)


def _radix(code: str) -> Callable[[tuple[Any, ...]], str]:
    """hex(), oct() and bin(): an int's digits with the prefix (format's ``#`` form)."""
    def radix(args: tuple[Any, ...]) -> str:
        return format(_int_arg(args[0]), "#" + code)
    return radix


#: The str methods by builtin name (list.index and list.count dispatch to str_index/str_count).
STR_METHODS: dict[str, Callable[[tuple[Any, ...]], Any]] = {
    "str.split": _split("split"), "str.rsplit": _split("rsplit"), "str.join": _join,
    "str.strip": _strip("strip"), "str.lstrip": _strip("lstrip"), "str.rstrip": _strip("rstrip"),
    "str.upper": _ascii("upper", str.upper), "str.lower": _ascii("lower", str.lower),
    "str.replace": _replace, "str.find": _find("find"), "str.rfind": _find("rfind"),
    "str.rindex": _find("rindex"), "str.startswith": _affix("startswith"),
    "str.endswith": _affix("endswith"), "str.isdigit": _ascii("isdigit", str.isdigit),
    "str.isalpha": _ascii("isalpha", str.isalpha), "str.isspace": _isspace,
    "str.isalnum": _ascii("isalnum", str.isalnum), "str.isupper": _ascii("isupper", str.isupper),
    "str.islower": _ascii("islower", str.islower), "ord": _ord, "chr": _chr,
    "hex": _radix("x"), "oct": _radix("o"), "bin": _radix("b"),
}
