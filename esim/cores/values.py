"""Kernel values on a simulated core, and the operations on them (docs/language.md).

Representation: int -> Python int kept in int32 range, float -> Python float holding a binary32
value, bool/None/str -> themselves, tuple -> tuple, list -> list, arrays -> :class:`Array`.
Every operation implements CPython's semantics, with int32 overflow raising OverflowError and
float results rounded to binary32 after each operation.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from typing import Any

from epython.bytecode import protocol
from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.bytecode.opcodes import ErrorCode

__all__ = ["Array", "DictView", "Fault", "KIter", "KSet", "f32", "float_repr", "py_format", "py_str", "same_bits",
           "type_name"]

_F32 = struct.Struct("<f")
_pack = _F32.pack
_unpack = _F32.unpack


class Fault(Exception):
    """A Python-level error inside a kernel: an ErrorCode and CPython's message."""

    def __init__(self, code: ErrorCode, message: str, key: Any = None,
                 has_key: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        #: a KeyError's key (``has_key``): a handler's exception object has it as its arg
        self.key = key
        self.has_key = has_key


class KExc:
    """A kernel's exception object: its class (an ErrorCode), its ``args`` and where it was
    first raised (``func``/``line``, None until then: a re-raise keeps them for the host)."""

    __slots__ = ("args", "code", "func", "line")

    def __init__(self, code: int, args: list[Any]) -> None:
        self.code = code
        self.args = args
        self.func: int | None = None
        self.line = 0

    def text(self, depth: int = 0, as_repr: bool = False) -> str:
        """``str(e)``: '' without args, str of the one arg (repr for KeyError), else the args'
        tuple; ``repr(e)`` (``as_repr``): the class name and the args' tuple.  Like a tuple, an
        exception is one level of the nesting that MAX_NESTING bounds (device/core/format.c)."""
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_REPR_MESSAGE)
        args = self.args
        if not as_repr and len(args) <= 1:
            if not args:
                return ""
            return (py_repr if self.code == ErrorCode.KeyError else py_str)(args[0], depth + 1)
        inner = "(" + ", ".join(py_repr(a, depth + 1) for a in args) + ")"
        return ErrorCode(self.code).name + inner if as_repr else inner

    def __repr__(self) -> str:
        return self.text(0, as_repr=True)


class Raised(Fault):
    """A kernel's exception in flight (RAISE, RAISE_VALUE): a Fault with its exception object."""

    def __init__(self, exc: KExc) -> None:
        super().__init__(ErrorCode(exc.code), exc.text())
        self.exc = exc
        self.charged = True  # its object is accounted (RAISE's is made when caught)


def f32(x: float) -> float:
    """Round to binary32 (inf on overflow), as a C ``(float)`` conversion does."""
    try:
        return _unpack(_pack(x))[0]  # type: ignore[no-any-return]
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def same_bits(a: Any, b: Any, dtype: str) -> bool:
    """Are two elements of an array of ``dtype`` stored as the same bits (-0.0 is not 0.0)?"""
    if dtype == "f4":
        return bool(_pack(a) == _pack(b))
    return bool(a == b)


def check_int(v: int) -> int:
    """Return ``v`` if it fits int32, else raise OverflowError."""
    if INT32_MIN <= v <= INT32_MAX:
        return v
    raise Fault(ErrorCode.OverflowError, f"integer overflow: {v} does not fit in int32")


class Array:
    """A numpy-like array argument: flat storage, shape, dtype ('i4', 'f4', '?').

    ``a[i]`` on a 2-D array is a row view sharing the storage, as in numpy.
    """

    __slots__ = ("base", "data", "dirty", "dtype", "kind", "n1", "offset", "shape")

    def __init__(self, data: list[Any], shape: tuple[int, ...], dtype: str,
                 offset: int = 0, dirty: set[int] | None = None, base: Array | None = None) -> None:
        self.data = data
        self.shape = shape
        self.dtype = dtype
        self.offset = offset
        self.dirty = dirty if dirty is not None else set()
        self.base = base  # the array a row view belongs to (keeps its storage alive)
        # for the translating engine's inline element access: the length of a 1-D array (-1
        # for others) and the class an element is stored as without conversion (else None)
        self.n1 = shape[0] if len(shape) == 1 else -1
        self.kind = float if dtype == "f4" else int if dtype == "i4" else None

    def __len__(self) -> int:
        return self.shape[0]

    def _flat(self, index: Any) -> int | Array:
        shape = self.shape
        if type(index) is tuple:
            if len(index) != len(shape):
                raise Fault(ErrorCode.IndexError, f"too many indices for array: array is "
                            f"{len(shape)}-dimensional, but {len(index)} were indexed")
            flat = 0
            for axis, (i, n) in enumerate(zip(index, shape)):
                i = _as_index(i, "array indices")
                if i < 0:
                    i += n
                if not 0 <= i < n:
                    raise Fault(ErrorCode.IndexError, f"index {i if i >= 0 else i - n} is out of "
                                f"bounds for axis {axis} with size {n}")
                flat = flat * n + i
            return self.offset + flat
        i = _as_index(index, "array indices")
        n = shape[0]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise Fault(ErrorCode.IndexError, f"index {i if i >= 0 else i - n} is out of bounds "
                        f"for axis 0 with size {n}")
        if len(shape) == 2:
            return Array(self.data, (shape[1],), self.dtype, self.offset + i * shape[1], self.dirty,
                         self)
        return self.offset + i

    def get(self, index: Any) -> Any:
        """``a[index]``."""
        flat = self._flat(index)
        if isinstance(flat, Array):
            return flat
        return self.data[flat]

    def set(self, index: Any, value: Any) -> None:
        """``a[index] = value``, converting to the dtype as numpy does."""
        flat = self._flat(index)
        if isinstance(flat, Array):
            raise Fault(ErrorCode.TypeError, "assigning a whole row of a 2-D array is not supported")
        self.data[flat] = self.convert(value)
        self.dirty.add(flat)

    def convert(self, value: Any) -> Any:
        """A value as stored in this array's dtype."""
        t = type(value)
        if self.dtype == "f4":
            if t is float:
                return value
            if t is int or t is bool:
                return f32(float(value))
        elif self.dtype == "i4":
            if t is int:
                return value
            if t is bool:
                return int(value)
            if t is float:
                return to_int(value)
        else:
            if t in (int, float, bool):
                return bool(value)
        raise Fault(ErrorCode.TypeError, f"cannot store a {type_name(value)} in an array of "
                    f"{ {'f4': 'float32', 'i4': 'int32', '?': 'bool'}[self.dtype] }")

    def live_items(self) -> Iterator[Any]:
        """Iterate as CPython iterates a numpy array: each element (or row view) is read when
        the loop reaches it, so a store ahead of the loop is seen."""
        data, offset = self.data, self.offset
        if len(self.shape) == 2:
            return (self.get(i) for i in range(self.shape[0]))
        return (data[offset + i] for i in range(self.shape[0]))

    def items(self) -> list[Any]:
        """Elements of a 1-D array, or row views of a 2-D array."""
        if len(self.shape) == 2:
            return [self.get(i) for i in range(self.shape[0])]
        return self.data[self.offset:self.offset + self.shape[0]]


class DictView:
    """``d.keys()``, ``d.values()`` or ``d.items()``: a live view of the dict ``d`` (``kind`` 0,
    1 or 2), a fixed-size object on the cores (memory.SMALL_OBJECT_BYTES)."""

    __slots__ = ("d", "kind")
    __hash__ = None  # type: ignore[assignment]
    NAMES = ("dict_keys", "dict_values", "dict_items")

    def __init__(self, d: dict[Any, Any], kind: int) -> None:
        self.d = d
        self.kind = kind

    def __len__(self) -> int:
        return len(self.d)

    def items(self) -> list[Any]:
        """What the view holds now, in insertion order (items: fresh tuples)."""
        d = self.d
        if self.kind == 0:
            return list(d)
        if self.kind == 1:
            return list(d.values())
        return list(d.items())


class KSet(dict):  # type: ignore[type-arg]
    """A kernel set: a dict whose keys are its items (each value None), so it keeps insertion
    order and CPython's key equality (``1 == 1.0 == True`` are one item, the first kept), and
    the heap sizes and walks it as the dict it is on the cores (docs/language.md, "Sets")."""

    __slots__ = ()


class KIter:
    """An iterator object of the kernel: a native iterator plus what it keeps alive, and how
    many iterators it is made of (the cores' next() recurses that deep: at most
    MAX_ITERATOR_NESTING)."""

    __slots__ = ("depth", "fresh", "it", "refs")

    depth: int

    def __init__(self, it: Any, refs: tuple[Any, ...], fresh: bool = False) -> None:
        self.depth = 1 + max((r.depth for r in refs if type(r) is KIter), default=0)
        if self.depth > protocol.MAX_ITERATOR_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_ITER_MESSAGE)
        self.it = it
        self.refs = refs
        self.fresh = fresh  # each item is a new heap object (tuples of enumerate/zip, rows)


def list_slot(lst: list[Any], index: Any) -> int:
    """The slot that ``lst[index] = v`` or ``del lst[index]`` changes, with CPython's errors."""
    if type(index) is bool:
        index = int(index)
    if type(index) is not int:
        raise Fault(ErrorCode.TypeError,
                    f"list indices must be integers or slices, not {type_name(index)}")
    if not -len(lst) <= index < len(lst):
        raise Fault(ErrorCode.IndexError, "list assignment index out of range")
    return int(index)


def _as_index(i: Any, what: str) -> int:
    if type(i) is int:
        return int(i)
    if type(i) is bool:
        return int(i)
    raise Fault(ErrorCode.TypeError, f"{what} must be integers, not {type_name(i)}")


def to_int(x: float) -> int:
    """``int(x)`` for a float: truncation toward zero, with CPython's errors and an int32 check."""
    if math.isnan(x):
        raise Fault(ErrorCode.ValueError, "cannot convert float NaN to integer")
    if math.isinf(x):
        raise Fault(ErrorCode.OverflowError, "cannot convert float infinity to integer")
    return check_int(int(x))


def type_name(v: Any) -> str:
    """CPython's name for the type of a kernel value."""
    if v is None:
        return "NoneType"
    if isinstance(v, Array):
        return "numpy.ndarray"
    if isinstance(v, KIter):
        return type(v.it).__name__
    if isinstance(v, DictView):
        return DictView.NAMES[v.kind]
    if isinstance(v, KExc):
        return ErrorCode(v.code).name
    if type(v) is KSet:
        return "set"
    return type(v).__name__


def float_repr(x: float) -> str:
    """Shortest repr that round-trips to the same binary32 value, in CPython's repr style."""
    if x != x:
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    for digits in range(1, 10):
        s = "%.*e" % (digits - 1, x)
        if f32(float(s)) == x:
            break
    mantissa, exp_text = s.split("e")
    exp = int(exp_text)
    negative = mantissa.startswith("-")
    sig = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    if -4 <= exp < 16:
        if exp >= 0:
            whole = sig[:exp + 1].ljust(exp + 1, "0")
            frac = sig[exp + 1:] or "0"
        else:
            whole = "0"
            frac = "0" * (-exp - 1) + sig
        text = f"{whole}.{frac}"
    else:
        text = sig[0] + ("." + sig[1:] if len(sig) > 1 else "") + f"e{exp:+03d}"
    return "-" + text if negative else text


def py_str(v: Any, depth: int = 0) -> str:
    """``str(v)`` with CPython's output (floats in their binary32 shortest form); ``v`` lies
    inside ``depth`` lists and tuples, and one deeper than ``MAX_NESTING`` is a RecursionError
    (the cores' limit, protocol.py)."""
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if t is float:
        return float_repr(v)
    if t is list or t is tuple:
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_REPR_MESSAGE)
        if t is list:
            return "[" + ", ".join(py_repr(x, depth + 1) for x in v) + "]"
        if len(v) == 1:
            return "(" + py_repr(v[0], depth + 1) + ",)"
        return "(" + ", ".join(py_repr(x, depth + 1) for x in v) + ")"
    if t is Array:
        return _array_str(v)
    if t is dict or t is DictView:
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_REPR_MESSAGE)
        if t is DictView:
            return f"{DictView.NAMES[v.kind]}({py_str(v.items(), depth)})"
        return "{" + ", ".join(f"{py_repr(k, depth + 1)}: {py_repr(x, depth + 1)}"
                               for k, x in v.items()) + "}"
    if t is KSet:
        if depth >= protocol.MAX_NESTING:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_REPR_MESSAGE)
        if not v:
            return "set()"
        return "{" + ", ".join(py_repr(k, depth + 1) for k in v) + "}"
    if t is KExc:
        return v.text(depth)  # type: ignore[no-any-return]
    return str(v)


def py_repr(v: Any, depth: int = 0) -> str:
    """``repr(v)``: like str but strings are quoted."""
    if type(v) is str:
        return repr(v)
    if type(v) is KExc:
        return v.text(depth, as_repr=True)
    return py_str(v, depth)


def _array_str(a: Array) -> str:
    if len(a.shape) == 2:
        return "[" + "\n ".join(_array_str(row) for row in a.items()) + "]"
    items = a.items()
    if a.dtype == "f4":
        return "[" + " ".join(float_repr(x) for x in items) + "]"
    return "[" + " ".join(str(x) for x in items) + "]"


def py_format(v: Any, spec: str, conversion: int) -> str:
    """``format(v, spec)`` for f-strings; floats use their binary32 value."""
    if conversion == 1:
        v = py_repr(v)
    if spec == "":
        return py_str(v)
    t = type(v)
    try:
        if t is float and spec[-1:] not in ("e", "E", "f", "F", "g", "G", "%", "n"):
            # No presentation type: CPython formats the shortest repr digits (with the spec's
            # sign, alignment, zero padding and grouping). The float64 parsed from the binary32
            # shortest repr has exactly those digits as its own repr.
            return format(float(float_repr(v)), spec)
        if t in (list, tuple, dict) or t is Array or t is DictView or t is KSet or v is None:
            return format(py_str(v), spec)
        return format(v, spec)
    except ValueError as exc:
        raise Fault(ErrorCode.ValueError, str(exc)) from None
    except OverflowError as exc:  # f"{-5:c}"
        raise Fault(ErrorCode.OverflowError, str(exc)) from None
