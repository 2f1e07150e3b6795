"""Argument and result encoding shared by every backend (format in docs/bytecode.md).

A value is a tag byte (``ValueTag``) followed by its payload, little-endian.  The host encodes
kernel arguments with :func:`encode_value` and decodes results with :func:`decode_value`; the
cores do the reverse.  Integers are int32 and floats binary32 on the wire: a host value that
does not fit is refused with a :class:`MarshalError` naming what does not fit.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from epython.bytecode import protocol
from epython.bytecode.image import INT32_MAX, INT32_MIN, NO_INIT, GlobalSlot, float32
from epython.bytecode.opcodes import ValueTag

__all__ = ["DTYPES", "SHARED_ENCODE_MESSAGE", "MarshalError", "NestingError", "SharedArg",
           "SharedEncodeError", "SharedValue", "check_value", "decode_prefix", "decode_value",
           "encode_resident", "encode_value", "hashable", "to_array"]

FLOAT32_MAX = float(np.finfo(np.float32).max)

#: Array dtypes as they travel: code -> numpy dtype (little-endian).
DTYPES: dict[int, np.dtype[Any]] = {0: np.dtype("<i4"), 1: np.dtype("<f4"), 2: np.dtype("?")}
_DTYPE_CODE = {np.dtype("<i4"): 0, np.dtype("<f4"): 1, np.dtype("?"): 2}

_I32 = struct.Struct("<i")
_F32 = struct.Struct("<f")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
MAX_COUNT = 0xFFFF

#: What a core raises when a kernel returns or sends a shared array (both interpreters).
SHARED_ENCODE_MESSAGE = protocol.SHARED_ENCODE_MESSAGE


class MarshalError(TypeError):
    """A value cannot cross to the cores (unsupported type, out of range, too large)."""


class SharedEncodeError(MarshalError):
    """A core's shared() array would leave the core (a result, a message); the cores raise
    TypeError with ``SHARED_ENCODE_MESSAGE``, and nothing else."""


class NestingError(MarshalError):
    """Lists and tuples nest deeper than the cores walk (``protocol.MAX_NESTING``); a core that
    would have to send such a value raises RecursionError instead."""


class SharedArg:
    """A ``shared()`` array as it travels: its contents in the wire dtype (``array``, C order;
    the backend's copy of shared DRAM, which holds the final contents when the launch ends) and
    where the backend placed it (``offset`` from the start of epython's DRAM area).  On the
    wire it is a descriptor of ``3 + 4 * ndim + 4`` bytes; the data stay in DRAM."""

    __slots__ = ("array", "offset")

    def __init__(self, array: np.ndarray[Any, Any], offset: int = 0) -> None:
        self.array = array
        self.offset = offset

    def __repr__(self) -> str:
        return f"SharedArg({self.array.dtype} {self.array.shape} at {self.offset:#x})"

    @property
    def nbytes(self) -> int:
        """Bytes the array's data take in shared DRAM."""
        return int(self.array.nbytes)


class SharedValue:
    """A core's shared() array on its way out of the core (a result, a message): refused with
    ``SHARED_ENCODE_MESSAGE``, as the cores refuse it."""

    __slots__ = ()


def to_array(value: np.ndarray[Any, Any], where: str = "value",
             shared: bool = False) -> np.ndarray[Any, Any]:
    """Convert a numpy array to a wire dtype (int32, float32, bool), checking range; a
    ``shared`` array (kept in DRAM) has no per-dimension limit."""
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if arr.dtype == np.bool_:
        out = arr.astype("?")
    elif kind in "iu":
        if arr.size and (arr.min() < INT32_MIN or arr.max() > INT32_MAX):
            raise MarshalError(f"{where}: {arr.dtype} array has values outside int32 "
                               f"[{INT32_MIN}, {INT32_MAX}] (min {arr.min()}, max {arr.max()}); "
                               "the cores use 32-bit integers")
        out = arr.astype("<i4")
    elif kind == "f":
        finite = arr[np.isfinite(arr)]
        if finite.size and np.abs(finite).max() > FLOAT32_MAX:
            raise MarshalError(f"{where}: {arr.dtype} array has finite values beyond the float32 "
                               f"range (max magnitude {np.abs(finite).max():g} > {FLOAT32_MAX:g})")
        out = arr.astype("<f4")
    else:
        raise MarshalError(f"{where}: arrays of dtype {arr.dtype} are not supported; use int32, "
                           "float32 or bool (int64/float64 are converted when the values fit)")
    if arr.ndim == 0 or arr.ndim > 2:
        raise MarshalError(f"{where}: arrays must have 1 or 2 dimensions, got shape {arr.shape}")
    if not shared and any(n > MAX_COUNT for n in arr.shape):
        raise MarshalError(f"{where}: array shape {arr.shape} exceeds {MAX_COUNT} per dimension")
    return np.ascontiguousarray(out)


def check_value(value: object, where: str = "value") -> None:
    """Raise MarshalError if ``value`` cannot be sent to a core."""
    encode_value(value, where)


def encode_value(value: object, where: str = "value", sets: bool = False) -> bytes:
    """Encode one host value to wire bytes (``sets``: a set may be in it, as in a kernel's
    result; kernels take no set arguments and send none between cores)."""
    out = bytearray()
    _encode(value, out, where, 0, sets)
    return bytes(out)


def _encode(value: object, out: bytearray, where: str, depth: int, sets: bool = False) -> None:
    if value is None:
        out.append(ValueTag.NONE)
    elif value is True or value is np.True_:
        out.append(ValueTag.TRUE)
    elif value is False or value is np.False_:
        out.append(ValueTag.FALSE)
    elif isinstance(value, (int, np.integer)):
        v = int(value)
        if not INT32_MIN <= v <= INT32_MAX:
            raise MarshalError(f"{where}: integer {v} does not fit in int32 "
                               f"[{INT32_MIN}, {INT32_MAX}]; kernels use 32-bit integers")
        out.append(ValueTag.INT)
        out += _I32.pack(v)
    elif isinstance(value, (float, np.floating)):
        v32 = float32(float(value))
        if math.isinf(v32) and not math.isinf(float(value)):
            raise MarshalError(f"{where}: float {value!r} is beyond the float32 range "
                               f"(+-{FLOAT32_MAX:g})")
        out.append(ValueTag.FLOAT)
        out += _F32.pack(v32)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        if len(data) > MAX_COUNT:
            raise MarshalError(f"{where}: string of {len(data)} bytes exceeds {MAX_COUNT}")
        out.append(ValueTag.STR)
        out += _U16.pack(len(data)) + data
    elif isinstance(value, (tuple, list, dict)):
        is_dict = isinstance(value, dict)
        if depth >= protocol.MAX_NESTING:
            raise NestingError(f"{where}: lists{', tuples and dicts' if is_dict else ' and tuples'} "
                               f"nest more than {protocol.MAX_NESTING} levels deep; kernels take "
                               f"at most {protocol.MAX_NESTING}")
        if len(value) > MAX_COUNT:
            raise MarshalError(f"{where}: {'dict' if is_dict else 'sequence'} of {len(value)} "
                               f"{'entries' if is_dict else 'items'} exceeds {MAX_COUNT}")
        if isinstance(value, dict):
            _encode_dict(value, out, where, depth, sets)
            return
        out.append(ValueTag.TUPLE if isinstance(value, tuple) else ValueTag.LIST)
        out += _U16.pack(len(value))
        for i, item in enumerate(value):
            _encode(item, out, f"{where}[{i}]", depth + 1, sets)
    elif sets and type(value) is set:  # a kernel's result: its items in the kernel's order
        if depth >= protocol.MAX_NESTING:
            raise NestingError(f"{where}: values nest more than {protocol.MAX_NESTING} levels deep")
        out.append(ValueTag.SET)
        out += _U16.pack(len(value))
        for item in value:
            _encode(item, out, f"{where} item", depth + 1, sets)
    elif isinstance(value, SharedArg):
        if depth:
            raise MarshalError(f"{where}: a shared() array must be an argument of its own, not "
                               "an item of a list or tuple")
        arr = value.array
        out.append(ValueTag.SHARED)
        out.append(_DTYPE_CODE[arr.dtype])
        out.append(arr.ndim)
        for n in arr.shape:
            out += _U32.pack(n)
        out += _U32.pack(value.offset)
    elif isinstance(value, SharedValue):
        raise SharedEncodeError(SHARED_ENCODE_MESSAGE)
    elif getattr(value, "epython_shared", False):
        raise MarshalError(f"{where}: a shared() array must be an argument of its own, not an "
                           "item of a list or tuple")
    elif isinstance(value, np.ndarray):
        arr = to_array(value, where)
        out.append(ValueTag.ARRAY)
        out.append(_DTYPE_CODE[arr.dtype])
        out.append(arr.ndim)
        for n in arr.shape:
            out += _U16.pack(n)
        out += arr.tobytes()
    else:
        raise MarshalError(f"{where}: values of type {type(value).__name__} cannot be passed to a "
                           "kernel; use int, float, bool, None, str, tuple, list, dict or a numpy "
                           "array")


def hashable(key: Any) -> Any:
    """A dict key as the host receives it: a key that travels as a list (a range or an iterator
    key of a kernel's dict: they travel as the list of their items) arrives as that tuple."""
    if isinstance(key, list):
        return tuple(hashable(k) for k in key)
    if isinstance(key, tuple):
        return tuple(hashable(k) for k in key)
    return key


def _encode_dict(value: dict[Any, Any], out: bytearray, where: str, depth: int,
                 sets: bool = False) -> None:
    """A dict (its nesting and size checked): u16 count, then each key and its value, in
    insertion order."""
    out.append(ValueTag.DICT)
    out += _U16.pack(len(value))
    for key, item in value.items():
        if isinstance(key, np.ndarray) or not isinstance(
                key, (type(None), bool, int, float, str, tuple, np.integer, np.floating, np.bool_)):
            raise MarshalError(f"{where}: dict key {key!r} of type {type(key).__name__} cannot be "
                               "passed to a kernel; keys are int, float, bool, None, str or tuple")
        _encode(key, out, f"{where} key {key!r}", depth + 1, sets)
        _encode(item, out, f"{where}[{key!r}]", depth + 1, sets)


def decode_value(data: bytes | memoryview) -> Any:
    """Decode wire bytes to a host value (arrays become numpy arrays)."""
    value, end = _decode(memoryview(data), 0)
    if end != len(data):
        raise MarshalError(f"{len(data) - end} trailing bytes after an encoded value")
    return value


def encode_resident(slots: Sequence[GlobalSlot], values: Mapping[str, Any],
                    sets: bool = False) -> bytes:
    """The device-resident section of a core's argument block (docs/backends.md): a count byte,
    then a u16 global index and the encoded value of every device-resident global of the
    program (``slots``) that ``values`` (wire values by name) holds; b"" when there are none.
    ``sets``: the section a kernel posts back, which may hold sets (a launch's may not)."""
    entries = [struct.pack("<H", index) + encode_value(values[slot.name], sets=sets)
               for index, slot in enumerate(slots)
               if slot.init == NO_INIT and slot.name in values]
    if not entries:
        return b""
    return bytes([len(entries)]) + b"".join(entries)


def decode_prefix(data: bytes | memoryview, pos: int = 0) -> tuple[Any, int]:
    """Decode the value that starts at ``data[pos]``; returns it and the position after it."""
    return _decode(memoryview(data), pos)


def _decode(buf: memoryview, pos: int) -> tuple[Any, int]:
    if pos >= len(buf):
        raise MarshalError("truncated value")
    tag = buf[pos]
    pos += 1
    if tag == ValueTag.NONE:
        return None, pos
    if tag == ValueTag.TRUE:
        return True, pos
    if tag == ValueTag.FALSE:
        return False, pos
    if tag == ValueTag.INT:
        return _I32.unpack_from(buf, pos)[0], pos + 4
    if tag == ValueTag.FLOAT:
        return _F32.unpack_from(buf, pos)[0], pos + 4
    if tag == ValueTag.STR:
        (n,) = _U16.unpack_from(buf, pos)
        pos += 2
        return bytes(buf[pos:pos + n]).decode("utf-8"), pos + n
    if tag in (ValueTag.TUPLE, ValueTag.LIST):
        (n,) = _U16.unpack_from(buf, pos)
        pos += 2
        items = []
        for _ in range(n):
            item, pos = _decode(buf, pos)
            items.append(item)
        return (tuple(items) if tag == ValueTag.TUPLE else items), pos
    if tag == ValueTag.SET:
        (n,) = _U16.unpack_from(buf, pos)
        pos += 2
        members: set[Any] = set()
        for _ in range(n):
            key, pos = _decode(buf, pos)
            members.add(hashable(key))
        return members, pos
    if tag == ValueTag.DICT:
        (n,) = _U16.unpack_from(buf, pos)
        pos += 2
        out: dict[Any, Any] = {}
        for _ in range(n):
            key, pos = _decode(buf, pos)
            out[hashable(key)], pos = _decode(buf, pos)
        return out, pos
    if tag == ValueTag.ARRAY:
        code, ndim = buf[pos], buf[pos + 1]
        pos += 2
        if code not in DTYPES or ndim not in (1, 2):
            raise MarshalError(f"bad array header (dtype {code}, ndim {ndim})")
        shape = tuple(_U16.unpack_from(buf, pos + 2 * k)[0] for k in range(ndim))
        pos += 2 * ndim
        dtype = DTYPES[code]
        nbytes = int(np.prod(shape)) * dtype.itemsize
        if pos + nbytes > len(buf):
            raise MarshalError("truncated array data")
        arr = np.frombuffer(bytes(buf[pos:pos + nbytes]), dtype=dtype).reshape(shape).copy()
        return arr, pos + nbytes
    if tag == ValueTag.SHARED:  # a descriptor: the data are in DRAM, not here
        code, ndim = buf[pos], buf[pos + 1]
        if code not in DTYPES or ndim not in (1, 2) or pos + 2 + 4 * ndim + 4 > len(buf):
            raise MarshalError(f"bad shared array descriptor (dtype {code}, ndim {ndim})")
        pos += 2 + 4 * ndim
        return SharedArg(np.empty(0, DTYPES[code]), _U32.unpack_from(buf, pos)[0]), pos + 4
    raise MarshalError(f"unknown value tag {tag}")
