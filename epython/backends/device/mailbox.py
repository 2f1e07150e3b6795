"""The mailbox codec: pure functions between the bytes of a core's mailbox in shared DRAM and
host values (the layout is :mod:`epython.bytecode.protocol`; docs/backends.md).

What the host writes: the launch fields, the launch's core list, the command word.  What it
reads: the header words, printed text from the ``out`` ring, and after the result the error,
the result value, the device-resident values and the changes to array arguments.  Nothing here
touches an e-hal: the backend reads and writes the bytes, this module says what they mean.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from epython.backends.reports import kernel_error
from epython.bytecode import protocol as P
from epython.bytecode.image import NO_INIT, GlobalSlot
from epython.bytecode.opcodes import ErrorCode
from epython.compiler import CompiledKernel
from epython.errors import BackendError
from epython.marshal import decode_prefix, decode_value

__all__ = [
    "HEADER_BYTES",
    "LAUNCH_FIELDS",
    "MAX_CORES",
    "Header",
    "Outcome",
    "block_arrays",
    "decode_array_updates",
    "decode_chain",
    "decode_outcome",
    "decode_resident",
    "describe_fault",
    "field_offset",
    "launch_fields",
    "core_list",
    "next_command",
    "result_bytes",
    "ring_reads",
    "split_lines",
    "u32",
]

FIELDS = dict(P.MAILBOX_FIELDS)
#: Bytes of the header words at the start of a mailbox (every MAILBOX_FIELDS entry).
HEADER_BYTES = max(FIELDS.values()) + 4
_HEADER = struct.Struct("<" + "I" * (HEADER_BYTES // 4))
_U32 = struct.Struct("<I")
_MASK = 0xFFFFFFFF
#: Most cores a launch can name: the mailbox's u8 core list holds this many ids.
MAX_CORES = P.MAILBOX_MESSAGE_OFFSET - P.MAILBOX_CORES_OFFSET
#: The fields the host fills for a launch, in mailbox order (contiguous u32 words).
LAUNCH_FIELDS = ("image_offset", "image_size", "args_offset", "args_size", "num_cores")
assert [FIELDS[f] for f in LAUNCH_FIELDS] == list(range(FIELDS[LAUNCH_FIELDS[0]],
                                                        FIELDS[LAUNCH_FIELDS[-1]] + 4, 4))


class Header:
    """The u32 words at the start of a mailbox, by name (``h.done_seq``, ``h.wait_kind``).

    Read on every poll of every busy core, so a field is a property over the unpacked words
    (no per-read dict)."""

    __slots__ = ("words",)

    def __init__(self, raw: bytes) -> None:
        self.words = _HEADER.unpack_from(raw)

    @property
    def values(self) -> dict[str, int]:
        """Every header word by name."""
        return {name: self.words[off // 4] for name, off in P.MAILBOX_FIELDS}

    def wait_state(self, core: int) -> tuple[int, int, int, int, int] | None:
        """(core, wait kind, peer, line, heartbeat) when the core is blocked in a parallel
        operation, else None."""
        if self.wait_kind == P.WAIT_NONE:
            return None
        return (core, self.wait_kind, self.wait_peer, self.wait_line, self.heartbeat)

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> int: ...


def _word(index: int, name: str) -> property:
    """The property that reads header word ``index`` (``name``)."""
    return property(lambda h: h.words[index], doc=f"header word {name}")


for _name, _off in P.MAILBOX_FIELDS:
    setattr(Header, _name, _word(_off // 4, _name))


def result_bytes(kernel: CompiledKernel, h: Header) -> int:
    """How much of the result area :func:`decode_outcome` needs: the result value only, unless
    the program names device-resident values (posted after it, of a size the header does not
    give) or the core failed (then no result value is decoded)."""
    if h.error_code != ErrorCode.OK:
        return 0
    if any(slot.init == NO_INIT for slot in kernel.program.globals):
        return P.MAILBOX_RESULT_BYTES
    return min(h.result_size, P.MAILBOX_RESULT_BYTES)


def field_offset(core: int, name: str) -> int:
    """Offset from the start of the DRAM area of header word ``name`` of ``core``'s mailbox."""
    return core * P.MAILBOX_STRIDE + FIELDS[name]


def u32(value: int) -> bytes:
    """A header word as written (little-endian, modulo 2**32)."""
    return _U32.pack(value & _MASK)


def next_command(command: int) -> int:
    """The command word that starts the next launch (it wraps around at 2**32)."""
    return (command + 1) & _MASK


def launch_fields(image_offset: int, image_size: int, args_offset: int, args_size: int,
                  num_cores: int) -> tuple[int, bytes]:
    """(offset in the mailbox, bytes) of the launch fields, written in one piece before the
    command word."""
    words = (image_offset, image_size, args_offset, args_size, num_cores)
    return FIELDS[LAUNCH_FIELDS[0]], b"".join(u32(w) for w in words)


def core_list(cores: list[int]) -> bytes:
    """The mailbox's core list: the launch's chip core ids in launch order, zero padded."""
    if len(cores) > MAX_CORES:
        raise ValueError(f"a launch names at most {MAX_CORES} cores, not {len(cores)}")
    return bytes(cores) + bytes(MAX_CORES - len(cores))


# --- printed text ----------------------------------------------------------------------------

def ring_reads(tail: int, head: int) -> tuple[list[tuple[int, int]], int]:
    """The reads that take the text between the host's ``tail`` and the core's ``head`` (both
    monotonic u32 byte counts) out of the ``out`` ring: ((offset in the ring, length), ...) and
    the new tail.  At most one ring's worth is read (older text has been overwritten)."""
    count = min((head - tail) & _MASK, P.MAILBOX_OUT_BYTES)
    if count == 0:
        return [], tail
    start = tail % P.MAILBOX_OUT_BYTES
    first = min(count, P.MAILBOX_OUT_BYTES - start)
    reads = [(start, first)]
    if count > first:
        reads.append((0, count - first))
    return reads, (tail + count) & _MASK


def split_lines(partial: bytes, data: bytes) -> tuple[list[str], bytes]:
    """Complete lines of ``partial + data`` (decoded, without their newline) and the unfinished
    rest."""
    *lines, rest = (partial + data).split(b"\n")
    return [raw.decode("utf-8", "replace") for raw in lines], rest


# --- what a core posts after its result --------------------------------------------------------

@dataclass
class Outcome:
    """A core's decoded result area: its value or error, the device-resident values it posted
    (by name) and the changes to array arguments."""

    value: Any = None
    error: BaseException | None = None
    resident: dict[str, Any] = field(default_factory=dict)
    array_updates: dict[int, dict[int, Any]] = field(default_factory=dict)


def decode_resident(globals_: Sequence[GlobalSlot], data: bytes) -> tuple[dict[str, Any], int]:
    """The device-resident values a core posted after its result (u8 count, count x (u16 global
    index, value)) by global name, and the bytes they took; ({}, 0) when the program names no
    device-resident value (then there is no section)."""
    if not any(slot.init == NO_INIT for slot in globals_):
        return {}, 0
    view = memoryview(data)
    count, pos = view[0], 1
    values: dict[str, Any] = {}
    for _ in range(count):
        (index,) = struct.unpack_from("<H", view, pos)
        value, pos = decode_prefix(view, pos + 2)
        if index < len(globals_):
            values[globals_[index].name] = value
    return values, pos


def block_arrays(block: bytes) -> dict[int, np.ndarray]:
    """The array arguments of an argument block (u8 count + encoded values), by index."""
    arrays: dict[int, np.ndarray] = {}
    view = memoryview(block)
    pos = 1
    for index in range(block[0] if block else 0):
        value, pos = decode_prefix(view, pos)
        if isinstance(value, np.ndarray):
            arrays[index] = value
    return arrays


def _as_python(value: Any) -> Any:
    """An array element as the Python value the host stores (int, float or bool)."""
    return value.item()


def decode_array_updates(data: bytes, block: bytes) -> dict[int, dict[int, Any]]:
    """The changes a core made to array arguments: the changes area holds, per changed array, a
    u8 argument index, three zero bytes, a u32 byte count n and the n bytes of the array's
    elements, padded to 4 (protocol.py).  Compared with the array as the host sent it (in the
    argument block), they give {argument index: {flat index: new value}}.  A malformed entry
    ends the list (what was decoded is kept)."""
    originals = block_arrays(block)
    updates: dict[int, dict[int, Any]] = {}
    pos = 0
    while pos + 8 <= len(data):
        index, n = data[pos], _U32.unpack_from(data, pos + 4)[0]
        orig = originals.get(index)
        if orig is None or n != orig.nbytes or pos + 8 + n > len(data):
            break
        new = np.frombuffer(data, dtype=orig.dtype, count=orig.size, offset=pos + 8)
        pos += 8 + (n + 3) // 4 * 4
        flat = orig.reshape(-1)
        bits = (np.uint8 if orig.dtype.itemsize == 1 else np.uint32)
        for k in np.flatnonzero(new.view(bits) != flat.view(bits)):  # bits: -0.0 and nans count
            updates.setdefault(index, {})[int(k)] = _as_python(new[k])
    return updates


#: EXCAUSE (STATUS bits 19:16) of a software exception, as e-sim numbers them
#: (cpu/epiphany.cpu, enum e-excause: the Epiphany-IV causes; UNVERIFIED on the E16G3 silicon).
EXCAUSES = {13: "an unaligned memory access", 12: "an illegal instruction or fetch address",
            7: "a floating-point exception", 14: "a software interrupt (trap)",
            15: "an unimplemented instruction"}


def describe_fault(h: Header) -> str:
    """What stopped a core whose mailbox says STATE_FAULT, in words."""
    if h.fault == P.FAULT_MEMORY:
        return "a memory protection fault"
    cause = (h.fault_status >> 16) & 0xF
    return EXCAUSES.get(cause, f"a software exception (EXCAUSE {cause:#x})")


def decode_message(raw: bytes) -> str:
    """The NUL-terminated UTF-8 error message of a mailbox."""
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def decode_chain(raw: bytes) -> tuple[tuple[tuple[int, int], ...], int]:
    """The call chain a failing core posted (``raw``: the first MAILBOX_ERROR_CHAIN_BYTES of its
    result area, protocol.py): the (function, line) of each caller it kept, outermost first, and
    how many callers it left out after the first ERROR_CHAIN_OUTER (protocol.cut_chain).  A
    short or malformed record gives what it holds (no chain at worst)."""
    if len(raw) < 4:
        return (), 0
    total = _U32.unpack_from(raw)[0]
    kept = min(total, P.ERROR_CHAIN_FRAMES - 1, (len(raw) - 4) // 8)
    words = struct.unpack_from(f"<{2 * kept}I", raw, 4)
    chain = tuple((words[2 * k], words[2 * k + 1]) for k in range(kept))
    return chain, (min(total, P.MAX_CALL_DEPTH) - kept if kept == P.ERROR_CHAIN_FRAMES - 1 else 0)


def decode_outcome(kernel: CompiledKernel, core: int, h: Header, area: bytes,
                   message: bytes, changes: bytes, block: bytes, chain: bytes = b"") -> Outcome:
    """Decode ``core``'s posted result for a launch of ``kernel`` with the argument ``block``.

    ``area`` is the mailbox's result area, ``message`` its error message bytes and ``chain``
    its error's call chain record (both read only when ``h.error_code`` is not OK), ``changes``
    its changes area (``h.changes_size`` bytes).  A core that posts garbage gets a BackendError
    as its error, never an exception here.
    """
    out = Outcome()
    size = 0
    if h.error_code != ErrorCode.OK:
        callers, omitted = decode_chain(chain)
        out.error = kernel_error(kernel, h.error_code, decode_message(message), core=core,
                                 func=h.error_func, line=h.error_line, chain=callers,
                                 omitted=omitted)
    else:
        size = min(h.result_size, P.MAILBOX_RESULT_BYTES)
        try:
            out.value = decode_value(area[:size])
        except Exception as exc:  # a core that posts garbage must not crash the host
            out.error = BackendError(f"kernel {kernel.name}: core {core} posted a result that "
                                     f"cannot be decoded ({size} bytes): {exc}")
    if out.error is None:
        try:
            out.resident, used = decode_resident(kernel.program.globals, area[size:])
            size += used
        except Exception as exc:  # a core that posts garbage must not crash the host
            out.error = BackendError(f"kernel {kernel.name}: core {core} posted device-resident "
                                     f"values that cannot be decoded: {exc}")
    out.array_updates = decode_array_updates(changes, block)
    return out
