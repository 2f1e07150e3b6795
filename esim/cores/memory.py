"""Core memory: placing a launch in 32 KB and converting values between host and core form.

The layout of a core's SRAM (docs/language.md, "Memory model")::

    0                       runtime_reserved_bytes       local_memory - mailbox_bytes   32 KB
    | interpreter + runtime | program image | workspace: frames and heap    | mailbox |

The arguments are decoded into the heap.  A launch whose image and arguments do not fit in the
user part (with a minimum of room to run) is refused before it starts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from epython.marshal import encode_value
from esim.config import ChipConfig
from esim.cores.heap import Heap
from esim.cores.values import Array, KIter, f32

__all__ = ["MIN_WORKSPACE_BYTES", "args_heap_bytes", "check_fits", "from_wire", "to_wire"]

#: Stack and heap a kernel needs at the very least beside its image and arguments.
MIN_WORKSPACE_BYTES = 1024

_DTYPE = {np.dtype("<i4"): "i4", np.dtype("<f4"): "f4", np.dtype("?"): "?"}
_NUMPY = {"i4": np.dtype("<i4"), "f4": np.dtype("<f4"), "?": np.dtype("?")}


def args_heap_bytes(args: list[Any]) -> int:
    """Model bytes the arguments take in a core's memory: the argument block (a count byte and
    the encoded values; strs and arrays are used where they lie) plus the lists and tuples
    decoded from it into the heap."""
    decoded = [from_wire(a) for a in args]
    heap = Heap(0, ())
    heap.exempt_in_place(decoded)
    return 1 + sum(len(encode_value(a)) for a in args) + heap.live_bytes(decoded)


def check_fits(config: ChipConfig, image_bytes: int, args_bytes: int) -> None:
    """Raise MemoryError (with the sizes) if a launch cannot be placed in a core's memory.

    ``args_bytes`` is what the arguments take in core memory (:func:`args_heap_bytes`).
    """
    need = image_bytes + args_bytes + MIN_WORKSPACE_BYTES
    have = config.user_memory_bytes
    if need > have:
        raise MemoryError(
            f"the launch needs {need} bytes of core memory (program image {image_bytes} + "
            f"arguments {args_bytes} + minimum stack/heap {MIN_WORKSPACE_BYTES}) but each core "
            f"of {config.name} has {have} bytes for user code and data "
            f"({config.local_memory_bytes} minus {config.runtime_reserved_bytes} for the runtime "
            f"and {config.mailbox_bytes} for the mailbox); pass less data per launch or split "
            "the work over several launches")


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
    return value
