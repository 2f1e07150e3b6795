"""Whether a launch fits in a core's memory: what its arguments take there, and the check both
backends make before a launch starts (docs/language.md, "Memory model").

A launch needs room for its program image, its argument block (strs and arrays are used where
they lie in it) plus the lists and tuples decoded from it into the heap, and at least
``MIN_WORKSPACE_BYTES`` of stack and heap, all inside the user part of a core's SRAM.  The
simulator (esim) and the device backend import this module, so the limit and the MemoryError
text are the same on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from epython.bytecode import protocol
from epython.marshal import encode_value

__all__ = ["MIN_WORKSPACE_BYTES", "CoreMemory", "CoreMemorySpec", "args_heap_bytes",
           "check_fits", "decoded_bytes", "user_memory_bytes", "workspace_bytes"]

#: Stack and heap a kernel needs at the very least beside its image and arguments.
MIN_WORKSPACE_BYTES = 1024


class CoreMemory(Protocol):
    """How a chip divides each core's SRAM (esim's ChipConfig is one)."""

    @property
    def name(self) -> str:
        """The chip's name, for messages ("e16")."""
        ...

    @property
    def local_memory_bytes(self) -> int:
        """SRAM per core."""
        ...

    @property
    def runtime_reserved_bytes(self) -> int:
        """Low part of SRAM taken by the interpreter and its runtime."""
        ...

    @property
    def mailbox_bytes(self) -> int:
        """Top of SRAM taken by the core-to-core message slots."""
        ...


@dataclass(frozen=True)
class CoreMemorySpec:
    """A CoreMemory given by its numbers (the device backend's chip)."""

    name: str
    local_memory_bytes: int
    runtime_reserved_bytes: int
    mailbox_bytes: int


def user_memory_bytes(memory: CoreMemory) -> int:
    """Bytes of each core's SRAM left for program, stack, heap and arguments."""
    return memory.local_memory_bytes - memory.runtime_reserved_bytes - memory.mailbox_bytes


def workspace_bytes(memory: CoreMemory, image_bytes: int, block_bytes: int,
                    tables_bytes: int = 0) -> int:
    """The workspace W of a launch (heap and frames): the user part of SRAM after the program
    image and the argument block, which start at the user area; it starts aligned to
    ``protocol.WORKSPACE_ALIGN`` (the user area itself is), and the launch's tables
    (``protocol.launch_tables_bytes``) take its bottom."""
    align = protocol.WORKSPACE_ALIGN
    used = (image_bytes + block_bytes + align - 1) // align * align
    return max(0, user_memory_bytes(memory) - used - tables_bytes)


def decoded_bytes(values: list[Any]) -> int:
    """Heap bytes of the lists and tuples the cores decode from ``values`` (host values that
    passed the marshal checks): a header and a value slot per item each, nested ones included.
    Every decoded list and tuple is a new object, except that all empty tuples are the one
    empty tuple (as in CPython), counted once."""
    total, empty_tuple = 0, False
    todo = list(values)
    while todo:
        v = todo.pop()
        if isinstance(v, tuple) and not v:
            empty_tuple = True
        elif isinstance(v, (list, tuple)):
            total += protocol.OBJECT_HEADER_BYTES + protocol.VALUE_SLOT_BYTES * len(v)
            todo.extend(v)
    return total + (protocol.OBJECT_HEADER_BYTES if empty_tuple else 0)


def args_heap_bytes(args: list[Any]) -> int:
    """Bytes the arguments take in a core's memory: the argument block (a count byte and the
    encoded values; strs and arrays are used where they lie) plus the lists and tuples decoded
    from it into the heap."""
    return 1 + sum(len(encode_value(a)) for a in args) + decoded_bytes(args)


def check_fits(memory: CoreMemory, image_bytes: int, args_bytes: int) -> None:
    """Raise MemoryError (with the sizes) if a launch cannot be placed in a core's memory.

    ``args_bytes`` is what the arguments take in core memory (:func:`args_heap_bytes`).
    """
    need = image_bytes + args_bytes + MIN_WORKSPACE_BYTES
    have = user_memory_bytes(memory)
    if need > have:
        raise MemoryError(
            f"the launch needs {need} bytes of core memory (program image {image_bytes} + "
            f"arguments {args_bytes} + minimum stack/heap {MIN_WORKSPACE_BYTES}) but each core "
            f"of {memory.name} has {have} bytes for user code and data "
            f"({memory.local_memory_bytes} minus {memory.runtime_reserved_bytes} for the runtime "
            f"and {memory.mailbox_bytes} for the mailbox); pass less data per launch or split "
            "the work over several launches")
