"""The memory model of a core, in one place: how its SRAM is divided, what every heap object and
call frame takes, and the check that a launch fits (docs/language.md, "Memory model").

Both interpreters follow it to the byte, so a MemoryError or RecursionError happens at the same
allocation on both backends.  The simulator charges these sizes (``esim/cores/heap.py``,
``esim/config.py``), the two backends refuse a launch with :func:`check_fits`, and
``python -m epython.bytecode.gen_c`` writes the object sizes into ``device/core/memlayout.h``
(:mod:`epython.bytecode.gen_memory`), which the C interpreter allocates by.

A core's SRAM, from address 0::

    | core program (RUNTIME_RESERVED_BYTES) | program image | argument block | workspace | mailbox |

The workspace holds the heap (growing up) and the call frames (growing down); its size W is
:func:`workspace_bytes`.  The mailbox is the top ``CORE_MAILBOX_BYTES``: the core-to-core
message slots (``epython.bytecode.protocol``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "ARRAY_HEADER_BYTES",
    "CORE_MAILBOX_BYTES",
    "E16_CORE_MEMORY",
    "FRAME_HEADER_BYTES",
    "FUNC_INFO_BYTES",
    "LAUNCH_TABLES",
    "LOCAL_MEMORY_BYTES",
    "MIN_WORKSPACE_BYTES",
    "OBJECT_HEADER_BYTES",
    "RUNTIME_RESERVED_BYTES",
    "RUNTIME_STACK_BYTES",
    "SIZE_RULES",
    "SMALL_OBJECT_BYTES",
    "VALUE_SLOT_BYTES",
    "WORKSPACE_ALIGN",
    "CoreMemory",
    "CoreMemorySpec",
    "SizeRule",
    "arguments_bytes",
    "array_bytes",
    "check_fits",
    "decoded_bytes",
    "dict_bytes",
    "exc_bytes",
    "frame_bytes",
    "func_table_bytes",
    "launch_tables_bytes",
    "seq_bytes",
    "str_bytes",
    "user_memory_bytes",
    "value_table_bytes",
    "workspace_bytes",
]

# --- the SRAM of a core ---------------------------------------------------------------------
#: SRAM per core (bsps fast.ldf).
LOCAL_MEMORY_BYTES = 32 * 1024
#: Low part of SRAM taken by the core program on the chip: its resident code, read-only data,
#: data and bss, then its C stack.  Measured on the real Epiphany build (make -C device size:
#: the resident part ends at 10,992 B; with the stack, 16,376 B), rounded up to 256 B;
#: tests/test_epiphany_build.py fails when the build outgrows it or leaves 512 B unused.
RUNTIME_RESERVED_BYTES = 16384
#: Of RUNTIME_RESERVED_BYTES, the C stack of the Epiphany build (at its top): the worst case of
#: device/toolchain/stack_usage.py over GCC's call graphs (5,212 B since float repr keeps only
#: the digits it rounds: 10 bytes, not 180), rounded up to 64 B, which the build checks; the
#: linker script fails a build whose code, data and bss leave less.
RUNTIME_STACK_BYTES = 5248
#: Top of SRAM: one message slot per possible sender (core-to-core messages land here).
CORE_MAILBOX_BYTES = 1024
#: The workspace (heap and frames) starts at the next multiple of this after the program image
#: and the argument block in SRAM: the Epiphany faults on unaligned word accesses.
WORKSPACE_ALIGN = 8
#: Stack and heap a kernel needs at the very least beside its image and arguments.
MIN_WORKSPACE_BYTES = 1024

# --- what the heap and the frames are made of -------------------------------------------------
#: Bytes of one value slot (a tag word and a payload word) in frames, lists, tuples and the
#: launch's tables.  int, float, bool and None live in the slots that hold them: no heap bytes.
VALUE_SLOT_BYTES = 8
#: Bytes of the header of every heap object (type, flags, reference count, length).
OBJECT_HEADER_BYTES = 8
#: Bytes of a call frame besides its locals and value stack.
FRAME_HEADER_BYTES = 16
#: Bytes of an array received from another core besides its elements: the object header and
#: the wire head (tag, dtype, ndim and the u16 shape: at most 7 bytes) padded to 8.
ARRAY_HEADER_BYTES = 16
#: Bytes of every fixed-size object: a range, an iterator (over a sequence, enumerate, zip) and
#: a row view of a 2-D array.
SMALL_OBJECT_BYTES = 24
#: Bytes of one entry of the function table the cores decode at the bottom of the workspace.
FUNC_INFO_BYTES = 32


@dataclass(frozen=True)
class SizeRule:
    """The bytes an object of ``n`` units takes: ``fixed + unit_bytes * n`` rounded up to
    ``align``; calling the rule gives them.  The C interpreter gets each rule as the macro
    ``EPY_<name>(n)`` in device/core/memlayout.h, so both interpreters compute the same sizes.
    """

    name: str
    doc: str
    fixed: int
    unit_bytes: int
    align: int = 1

    def __post_init__(self) -> None:
        if self.align < 1 or self.align & (self.align - 1) or self.fixed % self.align:
            raise ValueError(f"{self.name}: align must be a power of two dividing fixed")

    def __call__(self, n: int) -> int:
        """Bytes of an object of ``n`` units (``n`` >= 0)."""
        mask = self.align - 1
        return self.fixed + ((self.unit_bytes * n + mask) & ~mask)

    def function(self) -> Callable[[int], int]:
        """The rule as a plain function of ``n`` with its numbers bound (for hot paths: the
        simulator sizes every object it allocates with these)."""
        fixed, unit, mask = self.fixed, self.unit_bytes, self.align - 1
        if not mask:
            return lambda n: fixed + unit * n
        return lambda n: fixed + ((unit * n + mask) & ~mask)


str_bytes = SizeRule("STR_BYTES", "A str of n UTF-8 bytes (made on the core: the image's constants and "
                     "the argument block's strs take no heap).", OBJECT_HEADER_BYTES, 1, 4)
seq_bytes = SizeRule("SEQ_BYTES", "A tuple or list of n items.", OBJECT_HEADER_BYTES,
                     VALUE_SLOT_BYTES)
array_bytes = SizeRule("ARRAY_BYTES", "An array received from another core, with n bytes of "
                       "elements (the argument block's arrays take no heap).", ARRAY_HEADER_BYTES,
                       1, 4)
frame_bytes = SizeRule("FRAME_BYTES", "A call frame of n value slots: its locals and its maximum "
                       "stack depth.", FRAME_HEADER_BYTES, VALUE_SLOT_BYTES)
value_table_bytes = SizeRule("VALUE_TABLE_BYTES", "A launch's constant pool or globals of n "
                             "entries, decoded into value slots (one slot more).",
                             VALUE_SLOT_BYTES, VALUE_SLOT_BYTES, 8)
func_table_bytes = SizeRule("FUNC_TABLE_BYTES", "A launch's function table of n functions.", 0,
                            FUNC_INFO_BYTES, 8)
dict_bytes = SizeRule("DICT_BYTES", "A dict of n entries: its (key, value) value slots in insertion "
                      "order, looked up by equality (docs/bytecode.md, \"Dicts\").",
                      OBJECT_HEADER_BYTES, 2 * VALUE_SLOT_BYTES)
exc_bytes = SizeRule("EXC_BYTES", "An exception object with n args: the header, the args, and "
                     "two slots for its class and where it was first raised.",
                     OBJECT_HEADER_BYTES + 2 * VALUE_SLOT_BYTES, VALUE_SLOT_BYTES)
#: Every size rule, in the order memlayout.h defines them.
SIZE_RULES: tuple[SizeRule, ...] = (str_bytes, seq_bytes, array_bytes, frame_bytes,
                                    value_table_bytes, func_table_bytes, dict_bytes, exc_bytes)
#: The tables a launch decodes at the bottom of the workspace before the kernel runs, in the
#: order they lie there: (what counts their entries, their size rule).
LAUNCH_TABLES: tuple[tuple[str, SizeRule], ...] = (("n_consts", value_table_bytes),
                                                   ("n_globals", value_table_bytes),
                                                   ("n_funcs", func_table_bytes))


def launch_tables_bytes(n_consts: int, n_globals: int, n_funcs: int) -> int:
    """What a launch's tables (:data:`LAUNCH_TABLES`) take at the bottom of the workspace: the C
    interpreter decodes the constant pool and the globals into value slots there and the
    function table into FUNC_INFO_BYTES entries; the simulator charges the same, so both run
    out of memory at the same allocation."""
    counts = (n_consts, n_globals, n_funcs)
    return sum(rule(n) for (_what, rule), n in zip(LAUNCH_TABLES, counts))


# --- the chip's division of SRAM, and whether a launch fits -----------------------------------
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
    """A CoreMemory given by its numbers."""

    name: str
    local_memory_bytes: int
    runtime_reserved_bytes: int
    mailbox_bytes: int


#: A core of the Parallella's E16 as device/core is built for it: what the device backend's
#: launches must fit, and the figures of the simulator's e16 preset.
E16_CORE_MEMORY = CoreMemorySpec("e16", LOCAL_MEMORY_BYTES, RUNTIME_RESERVED_BYTES,
                                 CORE_MAILBOX_BYTES)


def user_memory_bytes(memory: CoreMemory) -> int:
    """Bytes of each core's SRAM left for program, stack, heap and arguments."""
    return memory.local_memory_bytes - memory.runtime_reserved_bytes - memory.mailbox_bytes


def workspace_bytes(memory: CoreMemory, image_bytes: int, block_bytes: int,
                    tables_bytes: int = 0) -> int:
    """The workspace W of a launch (heap and frames): the user part of SRAM after the program
    image and the argument block, which start at the user area; it starts aligned to
    ``WORKSPACE_ALIGN`` (the user area itself is), and the launch's tables
    (:func:`launch_tables_bytes`) take its bottom."""
    align = WORKSPACE_ALIGN
    used = (image_bytes + block_bytes + align - 1) // align * align
    return max(0, user_memory_bytes(memory) - used - tables_bytes)


def decoded_bytes(values: Iterable[Any]) -> int:
    """Heap bytes of the lists, tuples and dicts the cores decode from ``values`` (host values
    that passed the marshal checks): one :data:`seq_bytes` (:data:`dict_bytes`) object each,
    nested ones included.  Every
    decoded list and tuple is a new object, except that all empty tuples are the one empty
    tuple (as in CPython), counted once."""
    total, empty_tuple = 0, False
    todo = list(values)
    while todo:
        v = todo.pop()
        if isinstance(v, tuple) and not v:
            empty_tuple = True
        elif isinstance(v, dict):
            total += dict_bytes(len(v))
            todo.extend(v)
            todo.extend(v.values())
        elif isinstance(v, (list, tuple)):
            total += seq_bytes(len(v))
            todo.extend(v)
    return total + (seq_bytes(0) if empty_tuple else 0)


def arguments_bytes(block_bytes: int, args: Iterable[Any]) -> int:
    """Bytes a launch's arguments take in a core's memory: the argument block of
    ``block_bytes`` (a count byte and the encoded values; strs and arrays are used where they
    lie) plus the lists and tuples decoded from it into the heap."""
    return block_bytes + decoded_bytes(args)


def check_fits(memory: CoreMemory, image_bytes: int, args_bytes: int) -> None:
    """Raise MemoryError (with the sizes) if a launch cannot be placed in a core's memory.

    ``args_bytes`` is what the arguments take in core memory (:func:`arguments_bytes`).
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
