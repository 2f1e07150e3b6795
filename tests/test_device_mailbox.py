"""The device backend's mailbox codec and launch-area allocator, without any e-hal.

The codec (epython/backends/device/mailbox.py) turns mailbox bytes into host values and back;
the allocator (epython/backends/device/dram.py) places images and argument blocks in the
launch area of shared DRAM.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest

from epython.backends.device import dram, mailbox
from epython.bytecode import protocol as P
from epython.bytecode.image import NO_INIT, GlobalSlot
from epython.bytecode.opcodes import ErrorCode
from epython.compiler import compile_kernel
from epython.errors import BackendError, KernelError
from epython.marshal import encode_resident, encode_value

FIELDS = dict(P.MAILBOX_FIELDS)


def header(**words: int) -> mailbox.Header:
    raw = bytearray(mailbox.HEADER_BYTES)
    for name, value in words.items():
        struct.pack_into("<I", raw, FIELDS[name], value)
    return mailbox.Header(bytes(raw))


def divide(a, b):  # type: ignore[no-untyped-def]
    return a // b  # DIVIDE


def bump(k):  # type: ignore[no-untyped-def]
    global counter
    counter = counter + k  # noqa: F821 - device-resident
    return counter  # noqa: F821


# --- header and launch fields ----------------------------------------------------------------

def test_header_names_every_word_and_reports_a_blocked_core() -> None:
    h = header(done_seq=7, wait_kind=P.WAIT_RECV, wait_peer=3, wait_line=12, heartbeat=99)
    assert (h.done_seq, h.wait_kind, h.wait_peer, h.wait_line, h.heartbeat) == (7, 1, 3, 12, 99)
    assert h.wait_state(5) == (5, P.WAIT_RECV, 3, 12, 99)
    assert header(heartbeat=4).wait_state(5) is None
    with pytest.raises(AttributeError):
        _ = h.no_such_word


def test_a_hardware_exception_is_described_by_its_cause() -> None:
    def fault(kind: int, status: int) -> str:
        return mailbox.describe_fault(header(state=P.STATE_FAULT, fault=kind, fault_status=status))

    assert fault(P.FAULT_SOFTWARE_EXCEPTION, 0x000D0007) == "an unaligned memory access"
    assert fault(P.FAULT_SOFTWARE_EXCEPTION, 0x000C0000) == "an illegal instruction or fetch address"
    assert fault(P.FAULT_SOFTWARE_EXCEPTION, 0x00030000) == "a software exception (EXCAUSE 0x3)"
    assert fault(P.FAULT_MEMORY, 0) == "a memory protection fault"


def test_launch_fields_are_one_contiguous_write_in_mailbox_order() -> None:
    offset, data = mailbox.launch_fields(0x100, 40, 0x128, 9, 2)
    assert offset == FIELDS["image_offset"] and len(data) == 20
    raw = bytearray(mailbox.HEADER_BYTES)
    raw[offset:offset + len(data)] = data
    h = mailbox.Header(bytes(raw))
    assert (h.image_offset, h.image_size, h.args_offset, h.args_size, h.num_cores) == (
        0x100, 40, 0x128, 9, 2)


def test_core_list_is_padded_and_bounded_by_the_mailbox() -> None:
    assert mailbox.MAX_CORES == 64
    assert mailbox.core_list([5, 9]) == bytes([5, 9]) + bytes(62)
    with pytest.raises(ValueError, match="at most 64 cores"):
        mailbox.core_list(list(range(65)))


def test_field_offsets_and_words() -> None:
    assert mailbox.field_offset(3, "out_tail") == 3 * P.MAILBOX_STRIDE + FIELDS["out_tail"]
    assert mailbox.u32(-1) == b"\xff\xff\xff\xff"
    assert mailbox.next_command(0xFFFFFFFF) == 0 and mailbox.next_command(4) == 5


# --- printed text ----------------------------------------------------------------------------

RING = P.MAILBOX_OUT_BYTES


def test_ring_reads_nothing_new() -> None:
    assert mailbox.ring_reads(10, 10) == ([], 10)


def test_ring_reads_one_piece_and_a_wrapped_one() -> None:
    assert mailbox.ring_reads(0, 5) == ([(0, 5)], 5)
    assert mailbox.ring_reads(RING - 2, RING + 3) == ([(RING - 2, 2), (0, 3)], RING + 3)


def test_ring_reads_at_most_one_ring_when_the_core_lapped_the_host() -> None:
    reads, tail = mailbox.ring_reads(0, 3 * RING + 7)
    assert sum(length for _, length in reads) == RING and tail == RING


def test_ring_reads_across_the_u32_wrap_of_the_counters() -> None:
    reads, tail = mailbox.ring_reads(0xFFFFFFFE, 3)
    assert sum(length for _, length in reads) == 5 and tail == 3
    assert reads[0][0] == 0xFFFFFFFE % RING


def test_split_lines_keeps_the_unfinished_rest() -> None:
    assert mailbox.split_lines(b"he", b"llo\nw\xc3\xb6rld\nlast") == (["hello", "wörld"], b"last")
    assert mailbox.split_lines(b"", b"\xff\n") == (["\ufffd"], b"")


# --- what a core posts -----------------------------------------------------------------------

def block_of(*args: object) -> bytes:
    return bytes([len(args)]) + b"".join(encode_value(a) for a in args)


def changed(index: int, array: np.ndarray) -> bytes:
    """A changes-area record: the whole array, padded to 4."""
    data = array.tobytes()
    return bytes([index, 0, 0, 0]) + struct.pack("<I", len(data)) + data + bytes(-len(data) % 4)


def test_array_updates_of_each_dtype_are_the_elements_that_differ() -> None:
    ints, floats, flags = np.zeros(4, np.int32), np.zeros(2, np.float32), np.zeros(3, np.bool_)
    block = block_of(ints, 3, floats, flags)
    data = (changed(0, np.array([0, 7, 0, -1], np.int32))
            + changed(2, np.array([1.5, 0.0], np.float32))
            + changed(3, np.array([False, False, True])))
    assert mailbox.decode_array_updates(data, block) == {0: {1: 7, 3: -1}, 2: {0: 1.5},
                                                         3: {2: True}}


def test_array_updates_see_bit_changes_and_2d_arrays() -> None:
    grid = np.zeros((2, 3), np.float32)
    data = changed(0, np.array([[0, 0, -0.0], [0, 2, 0]], np.float32))
    assert mailbox.decode_array_updates(data, block_of(grid)) == {0: {2: -0.0, 4: 2.0}}


def test_array_updates_stop_at_a_malformed_entry() -> None:
    block = block_of(np.zeros(4, np.int32), 3)
    good = changed(0, np.array([5, 0, 0, 0], np.int32))
    assert mailbox.decode_array_updates(good + changed(1, np.zeros(1, np.int32)), block) == {0: {0: 5}}
    assert mailbox.decode_array_updates(good[:12], block) == {}  # cut short
    assert mailbox.decode_array_updates(changed(0, np.zeros(3, np.int32)), block) == {}  # size


def test_resident_values_round_trip_and_unknown_indices_are_dropped() -> None:
    slots = [GlobalSlot("k", 0), GlobalSlot("counter", NO_INIT), GlobalSlot("grid", NO_INIT)]
    section = encode_resident(slots, {"counter": 5, "grid": [1, 2]})
    values, used = mailbox.decode_resident(slots, section + b"rest")
    assert values == {"counter": 5, "grid": [1, 2]} and used == len(section)
    stray = bytes([1]) + struct.pack("<H", 9) + encode_value(3)
    assert mailbox.decode_resident(slots, stray) == ({}, len(stray))
    assert mailbox.decode_resident(slots[:1], b"anything") == ({}, 0)  # no section at all


def test_outcome_of_a_result_with_array_changes() -> None:
    kernel = compile_kernel(divide)
    block = block_of(np.zeros(2, np.int32), 1)
    value = encode_value(42)
    out = mailbox.decode_outcome(kernel, 4, header(result_size=len(value)), value, b"",
                                 changed(0, np.array([0, 3], np.int32)), block)
    assert (out.value, out.error, out.resident, out.array_updates) == (42, None, {}, {0: {1: 3}})


def test_outcome_of_an_error_is_the_kernel_exception_with_its_source_line() -> None:
    kernel = compile_kernel(divide)
    line = next(n for n, text in kernel.source_lines.items() if "# DIVIDE" in text)
    h = header(error_code=int(ErrorCode.ZeroDivisionError), error_func=0, error_line=line)
    out = mailbox.decode_outcome(kernel, 7, h, bytes(16), b"integer division by zero\0junk", b"",
                                 block_of())
    err = out.error
    assert isinstance(err, ZeroDivisionError) and isinstance(err, KernelError)
    assert (err.core, err.lineno, err.message) == (7, line, "integer division by zero")
    assert "a // b" in err.source_line


def test_outcome_of_an_unknown_error_code_says_so() -> None:
    kernel = compile_kernel(divide)
    out = mailbox.decode_outcome(kernel, 2, header(error_code=250), bytes(8), b"odd\0", b"",
                                 block_of())
    assert isinstance(out.error, RuntimeError) and isinstance(out.error, KernelError)
    assert out.error.message == "unknown error code 250 from core 2: odd"


def test_outcome_of_garbage_is_a_backend_error_not_a_crash() -> None:
    kernel = compile_kernel(divide)
    out = mailbox.decode_outcome(kernel, 1, header(result_size=3), b"\xee\xee\xee", b"", b"",
                                 block_of())
    assert isinstance(out.error, BackendError) and "cannot be decoded (3 bytes)" in str(out.error)
    resident = compile_kernel(bump, ("counter",))
    value = encode_value(1)
    out = mailbox.decode_outcome(resident, 1, header(result_size=len(value)),
                                 value + bytes([1]) + struct.pack("<H", 0), b"", b"", block_of())
    assert isinstance(out.error, BackendError) and "device-resident values" in str(out.error)


def test_outcome_keeps_the_posted_resident_values() -> None:
    kernel = compile_kernel(bump, ("counter",))
    value = encode_value(8)
    section = encode_resident(kernel.program.globals, {"counter": 8})
    out = mailbox.decode_outcome(kernel, 0, header(result_size=len(value)), value + section, b"",
                                 b"", block_of(1))
    assert (out.value, out.resident) == (8, {"counter": 8})


def test_result_bytes_reads_only_the_result_unless_resident_values_follow() -> None:
    plain, resident = compile_kernel(divide), compile_kernel(bump, ("counter",))
    assert mailbox.result_bytes(plain, header(result_size=5)) == 5
    assert mailbox.result_bytes(plain, header(result_size=1 << 20)) == P.MAILBOX_RESULT_BYTES
    assert mailbox.result_bytes(resident, header(result_size=5)) == P.MAILBOX_RESULT_BYTES
    failed = header(result_size=5, error_code=int(ErrorCode.ZeroDivisionError))
    assert mailbox.result_bytes(plain, failed) == mailbox.result_bytes(resident, failed) == 0
    assert header(result_size=5).values["result_size"] == 5


# --- the launch area -------------------------------------------------------------------------

def test_launch_area_first_fit_aligned_and_reused() -> None:
    area = dram.LaunchArea(1000, 100)
    a = area.allocate(1)
    b = area.allocate(20)
    assert a == (1000, 1008) and b == (1008, 1032)  # at least ALIGN bytes, 8-byte aligned
    area.free(a[0])
    assert area.allocate(8) == (1000, 1008)  # the hole is reused
    assert area.allocate(9) == (1032, 1048)  # a larger request goes after the last region
    assert len(area) == 3
    area.free(12345)  # not a region: nothing happens
    assert len(area) == 3


def test_launch_area_full_says_how_many_launches_hold_it() -> None:
    area = dram.LaunchArea(0, 64)
    area.allocate(40)
    with pytest.raises(BackendError, match=r"launch area in shared DRAM \(64 bytes\) is full with "
                                           r"1 launches in flight; wait for some of them"):
        area.allocate(32)
    assert area.allocate(24) == (40, 64)  # exactly what is left


def test_align() -> None:
    assert [dram.align(n) for n in (0, 1, 8, 9)] == [0, 8, 8, 16]
