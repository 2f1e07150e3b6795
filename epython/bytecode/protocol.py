"""The launch protocol and the recursion limits: numbers both backends must agree on.

Generated into ``device/core/opcodes.h`` with the opcode table (``python -m
epython.bytecode.gen_c``).  docs/backends.md describes the protocol.  The memory model (a
core's SRAM layout, the object sizes) is :mod:`epython.bytecode.memory`; the names of it that
opcodes.h carries are re-exported here.

Shared DRAM holds one mailbox per core (``MAILBOX_STRIDE`` bytes apart) followed by the launch
area where the host writes each launch's program image and encoded arguments.  All fields are
little-endian u32 unless noted.
"""

from __future__ import annotations

from typing import TypeVar

# the memory model's names that opcodes.h and layout.ld carry (and that older callers use)
from epython.bytecode.memory import (
    CORE_MAILBOX_BYTES,
    FRAME_HEADER_BYTES,
    FUNC_INFO_BYTES,
    LOCAL_MEMORY_BYTES,
    OBJECT_HEADER_BYTES,
    RUNTIME_RESERVED_BYTES,
    RUNTIME_STACK_BYTES,
    VALUE_SLOT_BYTES,
    WORKSPACE_ALIGN,
    launch_tables_bytes,
)

_T = TypeVar("_T")

__all__ = [
    "CORE_MAILBOX_BYTES",
    "COLD_CODE_BYTES",
    "COLD_CODE_OFFSET",
    "DRAM_AREA_OFFSET",
    "DRAM_CORE_BASE",
    "DRAM_WINDOW_BYTES",
    "SHARED_AREA_OFFSET",
    "SHARED_ARRAYS_BYTES",
    "SHARED_ENCODE_MESSAGE",
    "EHAL_SHM_BYTES",
    "EHAL_SHM_OFFSET",
    "ERROR_CHAIN_FRAMES",
    "ERROR_CHAIN_OUTER",
    "MAILBOX_ERROR_CHAIN_BYTES",
    "MAILBOX_ERROR_CHAIN_OFFSET",
    "cut_chain",
    "LOCAL_MEMORY_BYTES",
    "MESSAGE_SLOT_HEADER_BYTES",
    "RUNTIME_RESERVED_BYTES",
    "RUNTIME_STACK_BYTES",
    "STATE_DONE",
    "STATE_FAULT",
    "STATE_IDLE",
    "STATE_RUNNING",
    "eager_bytes",
    "message_slot_bytes",
    "FAULT_MEMORY",
    "FAULT_NONE",
    "FAULT_SOFTWARE_EXCEPTION",
    "FRAME_HEADER_BYTES",
    "MAILBOX_FIELDS",
    "MAILBOX_STRIDE",
    "MAX_CALL_DEPTH",
    "RESIDENT_TOO_LARGE_MESSAGE",
    "RESULT_TOO_LARGE_MESSAGE",
    "MAX_ITERATOR_NESTING",
    "MAX_NESTING",
    "NESTING_COMPARE_MESSAGE",
    "NESTING_ENCODE_MESSAGE",
    "NESTING_ITER_MESSAGE",
    "NESTING_REPR_MESSAGE",
    "OBJECT_HEADER_BYTES",
    "VALUE_SLOT_BYTES",
    "WORKSPACE_ALIGN",
    "FUNC_INFO_BYTES",
    "launch_tables_bytes",
    "WAIT_BARRIER",
    "WAIT_KINDS",
    "WAIT_NONE",
    "WAIT_RECV",
    "WAIT_SEND",
    "describe_wait",
]

# --- host <-> core mailbox in shared DRAM -------------------------------------------------
#: (name, byte offset) of the u32 fields at the start of every core's mailbox.
MAILBOX_FIELDS: tuple[tuple[str, int], ...] = (
    ("command", 0),        # host: incremented to start a launch (the core waits for a change)
    ("state", 4),          # core: 0 idle/waiting, 1 running, 2 done (result posted)
    ("done_seq", 8),       # core: copy of `command` once the launch's result is posted
    ("image_offset", 12),  # host: offset of the program image from the start of the DRAM area
    ("image_size", 16),
    ("args_offset", 20),   # host: offset of the argument block (u8 count + marshalled values)
    ("args_size", 24),
    ("num_cores", 28),     # host: cores in this launch
    ("error_code", 32),    # core: ErrorCode, 0 for success
    ("error_func", 36),    # core: function index of the error
    ("error_line", 40),    # core: source line of the error
    ("result_size", 44),   # core: bytes of the marshalled result
    ("cycles", 48),        # core: cycles from start to result (core timer)
    ("instructions", 52),  # core: bytecode instructions executed
    ("out_head", 56),      # core: bytes of printed text written into `out` so far (monotonic)
    ("out_tail", 60),      # host: bytes of printed text the host has consumed (monotonic)
    ("heartbeat", 64),     # core: incremented while running (watchdog)
    ("wait_kind", 68),     # core: what it is blocked on (0 none, 1 recv, 2 barrier, 3 send)
    ("wait_peer", 72),     # core: the peer it waits for
    ("wait_line", 76),     # core: source line of the blocking call
    ("fault", 80),         # core (Epiphany): FAULT_* of a hardware exception that stopped it
    ("fault_status", 84),  # core: the STATUS register at the exception (EXCAUSE in it)
    ("fault_pc", 88),      # core: the address of the faulting instruction (IRET)
    ("changes_size", 92),  # core: bytes of array-argument changes in the changes area
)
#: The values of ``state``.
STATE_IDLE = 0
STATE_RUNNING = 1
STATE_DONE = 2
#: A hardware exception stopped the core (``fault`` says which); the host must reload it.
STATE_FAULT = 3
#: The values of ``fault``: which interrupt handler of the Epiphany port caught the exception.
FAULT_NONE = 0
FAULT_SOFTWARE_EXCEPTION = 1  # unaligned access, illegal instruction, FPU trap (EXCAUSE)
FAULT_MEMORY = 2              # memory protection fault
#: The values of ``wait_kind``: what a blocked core waits for.
WAIT_NONE = 0
WAIT_RECV = 1
WAIT_BARRIER = 2
WAIT_SEND = 3
#: (name, number, what the blocked core waits for) of every ``wait_kind``, generated into
#: opcodes.h; the simulator describes its blocked cores with the same words
#: (esim/cores/comm.py).
WAIT_KINDS: tuple[tuple[str, int, str], ...] = (
    ("NONE", WAIT_NONE, "nothing"),
    ("RECV", WAIT_RECV, "a message from core {peer} ({call})"),
    ("BARRIER", WAIT_BARRIER, "the barrier (sync)"),
    ("SEND", WAIT_SEND, "core {peer} to receive its message ({call})"),
)


def describe_wait(kind: int, peer: int, call: str = "", missing: list[int] | None = None) -> str:
    """What a core blocked with ``wait_kind == kind`` waits for, in words (deadlock reports).

    For the barrier, ``missing`` lists the cores that have not reached it (when known).
    """
    for name, number, text in WAIT_KINDS:
        if number == kind:
            words = text.format(peer=peer, call=call or name.lower())
            if number == WAIT_BARRIER and missing is not None:
                words += f", which cores {missing} have not reached"
            return words
    return f"wait kind {kind} (peer {peer})"


MAILBOX_CORES_OFFSET = 96      # u8[64]: the chip core ids of the launch, in launch order
MAILBOX_MESSAGE_OFFSET = 160   # char[160]: the error message (UTF-8, NUL-terminated)
#: u8[RESULT_BYTES]: the marshalled result, then (for a program that names device-resident
#: values) those values; a result that does not fit is an error on both backends.
MAILBOX_RESULT_OFFSET = 320
MAILBOX_RESULT_BYTES = 12288
#: The errors of a result (TypeError) or of a result with device-resident values (MemoryError)
#: that do not fit the result area, on both backends.
RESULT_TOO_LARGE_MESSAGE = ("the kernel's result cannot be returned to the host: it needs more "
                            f"than the mailbox's {MAILBOX_RESULT_BYTES} bytes")
RESIDENT_TOO_LARGE_MESSAGE = ("the kernel's result and device-resident values exceed the "
                              f"mailbox's {MAILBOX_RESULT_BYTES} bytes")
#: A core that fails posts its error's call chain at the start of the result area (no result
#: value is posted then): a u32 count n of the failing frame's callers (all of them), then
#: (u32 function index, u32 line of the call in progress) of the callers :func:`cut_chain` keeps,
#: outermost first; at most ERROR_CHAIN_FRAMES - 1 of them (the failing frame itself is
#: ``error_func``/``error_line``).
MAILBOX_ERROR_CHAIN_OFFSET = MAILBOX_RESULT_OFFSET
#: The most frames a kernel error reports, the failing one included (docs/language.md,
#: "Errors"); a longer chain (deep recursion: MAX_CALL_DEPTH) keeps its ERROR_CHAIN_OUTER
#: outermost frames and its innermost ones, and says how many were left out between them.
ERROR_CHAIN_FRAMES = 16
ERROR_CHAIN_OUTER = 4
MAILBOX_ERROR_CHAIN_BYTES = 4 + 8 * (ERROR_CHAIN_FRAMES - 1)
MAILBOX_OUT_OFFSET = 12608     # char[OUT_BYTES]: ring buffer of printed text
MAILBOX_OUT_BYTES = 3776
#: u8[CHANGES_BYTES]: the array arguments a kernel changed, each whole: per array a u8 argument
#: index, three zero bytes, a u32 byte count n and the n bytes of its elements as the argument
#: block holds them, padded to 4 (``changes_size`` bytes in all).  The host compares them with
#: what it sent.  An argument block never exceeds a core's SRAM, so they always fit.
MAILBOX_CHANGES_OFFSET = 16384
MAILBOX_CHANGES_BYTES = 32768
MAILBOX_STRIDE = 49152         # one mailbox per core; the launch area follows the last one



def cut_chain(callers: tuple[_T, ...]) -> tuple[tuple[_T, ...], int]:
    """The callers (outermost first) a kernel error reports, on both backends, and how many it
    leaves out after the first ERROR_CHAIN_OUTER of them: all when the chain has at most
    ERROR_CHAIN_FRAMES frames with the failing one, else the outermost ERROR_CHAIN_OUTER and the
    innermost rest (device/core/runtime.c, post_chain, keeps the same)."""
    keep = ERROR_CHAIN_FRAMES - 1
    if len(callers) <= keep:
        return callers, 0
    inner = callers[len(callers) - keep + ERROR_CHAIN_OUTER:]
    return callers[:ERROR_CHAIN_OUTER] + inner, len(callers) - keep


# --- shared DRAM map (the 32 MB window the cores see at DRAM_CORE_BASE) -----------------------
#: Where the cores see shared DRAM on the Parallella (bsps parallella_E16G3_1GB.hdf).
DRAM_CORE_BASE = 0x8E000000
#: Offset and size of e-hal's shared-memory table (the regions of e_shm_alloc) in shared DRAM:
#: eSDK 2016.11, e-hal/src/epiphany-shm-manager.c ("+ 0x01000000 /* + shared_dram offset */")
#: and e-hal/src/epiphany.h (GLOBAL_SHM_SIZE, 4 MB).  The table and its heap belong to e_shm_*
#: on the host and on the cores (e-lib); epython's area must not overlap them.
EHAL_SHM_OFFSET = 0x01000000
EHAL_SHM_BYTES = 4 << 20
#: The Epiphany build's cold code and read-only data (everything not resident in SRAM) is
#: linked at DRAM_CORE_BASE + COLD_CODE_OFFSET and may take COLD_CODE_BYTES; every core runs
#: the same bytes (device/core/epiphany/epycore.ld).  It lies below epython's area.
COLD_CODE_OFFSET = 0x00100000
COLD_CODE_BYTES = 0x00100000
#: Offset of epython's area inside the shared DRAM window (cores see it at DRAM_CORE_BASE +
#: this offset = 0x8E200000); the per-core host mailboxes start there, the launch area follows.
#: It lies above the core program's cold code and below e-hal's shared-memory table, and it is
#: page aligned, which e-hal's esim target needs (its e_mem_t accesses add a buffer's in-page
#: offset to an address that already holds it).
DRAM_AREA_OFFSET = 0x00200000

#: Bytes of the shared-DRAM window the cores see at DRAM_CORE_BASE.
DRAM_WINDOW_BYTES = 32 << 20
#: Where the shared() arrays of the launches in flight lie: from the end of e-hal's table to
#: the end of the window (12 MB), apart from the launch area.  Descriptors give an array's
#: offset from DRAM_AREA_OFFSET, as the mailboxes do.
SHARED_AREA_OFFSET = EHAL_SHM_OFFSET + EHAL_SHM_BYTES
#: Bytes of shared() arrays one launch may use, all its arrays together: the whole area.
SHARED_ARRAYS_BYTES = DRAM_WINDOW_BYTES - SHARED_AREA_OFFSET
#: What a core raises when a kernel returns, sends or broadcasts a shared() array.
SHARED_ENCODE_MESSAGE = ("a shared() array stays in DRAM and cannot be returned or sent "
                         "(send a slice); the caller's array gets its contents at the end")

# --- core <-> core messages --------------------------------------------------------------
#: Each message slot starts with a u32 sequence flag and a u32 byte length.
MESSAGE_SLOT_HEADER_BYTES = 8


def message_slot_bytes(num_cores: int) -> int:
    """Size of one sender's slot in a receiver's mailbox area."""
    return CORE_MAILBOX_BYTES // num_cores


def eager_bytes(num_cores: int) -> int:
    """Largest marshalled value a ``send`` delivers eagerly (returns before the ``recv``).

    A larger value, or a send while the previous one to the same receiver is still unread,
    waits until the receiver has taken the slot's content (rendezvous); large values travel
    in slot-sized pieces.
    """
    return max(message_slot_bytes(num_cores) - MESSAGE_SLOT_HEADER_BYTES, 8)


# --- recursion limits (docs/language.md, "Memory model") ------------------------------------
#: Deepest call nesting allowed before RecursionError, whatever the memory left.
MAX_CALL_DEPTH = 64
#: Deepest nesting of lists and tuples (and of iterators over iterators) that the cores walk
#: recursively: str()/repr()/print, ==, <, in, and marshalling (results, messages between cores,
#: device-resident values; the host refuses deeper arguments).  One level more raises
#: RecursionError with the messages below, on both backends.  It bounds the C stack of the chip
#: (device/toolchain/stack_usage.py).
MAX_NESTING = 16
#: Most iterators an iterator may be made of (enumerate(zip(a, b)) is made of 2): next() of an
#: iterator over an iterator recurses in the cores, and it may run inside MAX_NESTING lists.
MAX_ITERATOR_NESTING = 4
_NESTING = f" (kernels nest lists and tuples at most {MAX_NESTING} levels deep)"
NESTING_REPR_MESSAGE = "maximum recursion depth exceeded while getting the repr of an object" + _NESTING
NESTING_COMPARE_MESSAGE = "maximum recursion depth exceeded in comparison" + _NESTING
NESTING_ENCODE_MESSAGE = "maximum recursion depth exceeded while encoding a value" + _NESTING
NESTING_ITER_MESSAGE = ("maximum recursion depth exceeded while nesting iterators (kernels build "
                        f"iterators of at most {MAX_ITERATOR_NESTING} iterators)")
