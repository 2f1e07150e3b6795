"""Core memory: converting values between host and core form.

The layout of a core's SRAM and the sizes of what lies in it are :mod:`epython.bytecode.memory`
(docs/language.md, "Memory model")::

    0                       runtime_reserved_bytes       local_memory - mailbox_bytes   32 KB
    | interpreter + runtime | program image | workspace: frames and heap    | mailbox |

The arguments are decoded into the heap.  A launch whose image and arguments do not fit in the
user part (with a minimum of room to run) is refused before it starts, by the check both
backends share (:func:`epython.bytecode.memory.check_fits`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from epython.marshal import SharedValue, hashable
from esim.cores.dram import DramView
from esim.cores.values import Array, DictView, KIter, KSet, f32

__all__ = ["from_wire", "to_wire"]

_DTYPE = {np.dtype("<i4"): "i4", np.dtype("<f4"): "f4", np.dtype("?"): "?"}
_NUMPY = {"i4": np.dtype("<i4"), "f4": np.dtype("<f4"), "?": np.dtype("?")}


def from_wire(value: Any) -> Any:
    """A host value (after marshal checks) as the interpreter holds it; arrays are copied."""
    if isinstance(value, np.ndarray):
        dtype = _DTYPE[value.dtype]
        data = value.ravel().tolist()
        if dtype == "f4":
            data = [f32(x) for x in data]
        return Array(data, tuple(int(n) for n in value.shape), dtype)
    if isinstance(value, float):
        return f32(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, tuple):
        return tuple(from_wire(v) for v in value)
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    if isinstance(value, dict):
        return {from_wire(k): from_wire(v) for k, v in value.items()}
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return f32(float(value))
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def to_wire(value: Any) -> Any:
    """An interpreter value as the host receives it (arrays become numpy arrays)."""
    if isinstance(value, Array):
        if isinstance(value.data, DramView):
            return SharedValue()  # it stays in DRAM: encoding it refuses it
        n = 1
        for dim in value.shape:
            n *= dim
        flat = value.data[value.offset:value.offset + n]
        return np.array(flat, dtype=_NUMPY[value.dtype]).reshape(value.shape)
    if isinstance(value, tuple):
        return tuple(to_wire(v) for v in value)
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    if isinstance(value, KIter):
        return list(value.it)  # an iterator escaping as a result is delivered as a list
    if isinstance(value, range):
        return list(value)
    if isinstance(value, KSet):  # before dict: a kernel set is a dict of its items
        return {hashable(to_wire(k)) for k in value}
    if isinstance(value, dict):
        return {hashable(to_wire(k)): to_wire(v) for k, v in value.items()}
    if isinstance(value, DictView):  # a view escaping as a result is delivered as a list
        return [to_wire(v) for v in value.items()]
    return value
