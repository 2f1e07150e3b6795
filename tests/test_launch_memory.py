"""The launch fit check both backends share (epython/bytecode/memory.py): the argument
footprint follows the simulator's heap
model, and a launch too large for a core's memory is refused with the same MemoryError on the
simulator and on the device backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from epython import offload
from epython.backends.device import DeviceBackend
from epython.backends.sim import SimBackend
from epython.bytecode import memory
from epython.bytecode.memory import (
    E16_CORE_MEMORY,
    MIN_WORKSPACE_BYTES,
    arguments_bytes,
    check_fits,
    decoded_bytes,
)
from epython.marshal import encode_value
from epython.testing.strategies import float32_arrays, float32s, int32_arrays, int32s
from esim.config import PRESETS
from esim.cores.heap import Heap
from esim.cores.memory import from_wire

leaves = st.one_of(int32s(), float32s(), st.booleans(), st.none(), st.text(max_size=5),
                   int32_arrays(), float32_arrays())
values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.tuples(inner, inner),
                                                      st.just(())), max_leaves=12)


def heap_model_bytes(args: list[Any]) -> int:
    """What esim's heap charges for the arguments decoded on a core."""
    decoded = [from_wire(a) for a in args]
    heap = Heap(0, ())
    heap.exempt_in_place(decoded)
    return heap.live_bytes(decoded)


@given(st.lists(values, max_size=4))
def test_decoded_bytes_follow_the_simulators_heap_model(args: list[Any]) -> None:
    assert decoded_bytes(args) == heap_model_bytes(args)


def test_arguments_bytes_counts_the_block_and_the_decoded_lists() -> None:
    args = [[1, 2, 3], "abc", np.zeros(4, np.int32), ((), ())]
    slot, header = memory.VALUE_SLOT_BYTES, memory.OBJECT_HEADER_BYTES
    block = 1 + sum(len(encode_value(a)) for a in args)
    assert arguments_bytes(block, args) == block + (header + 3 * slot) + (header + 2 * slot) + header


def test_device_core_memory_is_the_simulators_e16() -> None:
    e16 = PRESETS["e16"]
    for name in ("name", "local_memory_bytes", "runtime_reserved_bytes", "mailbox_bytes"):
        assert getattr(E16_CORE_MEMORY, name) == getattr(e16, name)


def test_check_fits_at_the_limit() -> None:
    have = PRESETS["e16"].user_memory_bytes
    check_fits(E16_CORE_MEMORY, 100, have - 100 - MIN_WORKSPACE_BYTES)
    with pytest.raises(MemoryError, match=rf"needs {have + 1} bytes .* has {have} bytes"):
        check_fits(E16_CORE_MEMORY, 101, have - 100 - MIN_WORKSPACE_BYTES)


def total(xs):  # type: ignore[no-untyped-def]
    return sum(xs)


def test_a_launch_too_large_fails_alike_on_both_backends() -> None:
    kernel = offload(total).compiled
    big = [np.arange(memory.LOCAL_MEMORY_BYTES // 4, dtype=np.int32)]  # more than a core's SRAM
    messages = []
    for backend in (SimBackend(), DeviceBackend()):  # the device refuses it before opening e-hal
        with pytest.raises(MemoryError) as info:
            backend.launch(kernel, big, [0])
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    user = memory.LOCAL_MEMORY_BYTES - memory.RUNTIME_RESERVED_BYTES - memory.CORE_MAILBOX_BYTES
    assert f"each core of e16 has {user} bytes for user code and data" in messages[0]
