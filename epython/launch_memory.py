"""What a launch's arguments take in a core's memory, measured on their encoding.

The memory model itself (the SRAM layout, the object sizes, the fit check both backends make)
is :mod:`epython.bytecode.memory`; this module adds the one figure that needs the marshal
format, and keeps the names esim/chip.py and esim/cores/core.py import from here until they
import that module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from epython.bytecode.memory import (
    MIN_WORKSPACE_BYTES,
    CoreMemory,
    CoreMemorySpec,
    arguments_bytes,
    check_fits,
    decoded_bytes,
    user_memory_bytes,
    workspace_bytes,
)
from epython.marshal import encode_value

__all__ = ["MIN_WORKSPACE_BYTES", "CoreMemory", "CoreMemorySpec", "args_heap_bytes",
           "check_fits", "decoded_bytes", "user_memory_bytes", "workspace_bytes"]


def args_heap_bytes(args: Sequence[Any]) -> int:
    """Bytes the arguments take in a core's memory: the argument block (a count byte and the
    encoded values) plus the lists and tuples decoded from it into the heap
    (:func:`epython.bytecode.memory.arguments_bytes`)."""
    return arguments_bytes(1 + sum(len(encode_value(a)) for a in args), args)
