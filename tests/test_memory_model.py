"""The memory model's one module (epython/bytecode/memory.py): its size rules are what the C
interpreter allocates (the macros of device/core/memlayout.h) and what the simulator charges
(esim/cores/heap.py), and the figures every other part uses are its own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from epython.bytecode import memory, protocol
from epython.bytecode.gen_memory import MEMLAYOUT_PATH
from esim.config import PRESETS
from esim.cores.heap import frame_bytes, object_bytes
from esim.cores.memory import from_wire
from esim.cores.values import KIter

#: Unit counts the rules are compared at: small ones, around the rounding, and the u16 limits.
COUNTS = [*range(0, 40), 255, 256, 1000, 4095, 4096, 65534, 65535]


def test_the_c_macros_compute_what_the_rules_compute(tmp_path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    lines = [f'    printf("%u\\n", (unsigned)EPY_{rule.name}({n}u));'
             for rule in memory.SIZE_RULES for n in COUNTS]
    lines += [f'    printf("%u\\n", (unsigned)EPY_LAUNCH_TABLES_BYTES({c}u, {g}u, {f}u));'
              for c, g, f in ((0, 0, 0), (3, 1, 2), (17, 5, 9), (255, 255, 255))]
    source = tmp_path / "sizes.c"
    source.write_text('#include <stdio.h>\n#include "memlayout.h"\nint main(void)\n{\n'
                      + "\n".join(lines) + "\n    return 0;\n}\n")
    exe = tmp_path / "sizes"
    subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-I", str(MEMLAYOUT_PATH.parent),
                    str(source), "-o", str(exe)], check=True)
    got = [int(x) for x in subprocess.run([str(exe)], check=True, capture_output=True,
                                          text=True).stdout.split()]
    want = [rule(n) for rule in memory.SIZE_RULES for n in COUNTS]
    want += [memory.launch_tables_bytes(c, g, f)
             for c, g, f in ((0, 0, 0), (3, 1, 2), (17, 5, 9), (255, 255, 255))]
    assert got == want


@given(st.text(max_size=40))
def test_a_str_is_charged_its_rule(text: str) -> None:
    assert object_bytes(text) == memory.str_bytes(len(text.encode("utf-8")))


@given(st.integers(0, 300))
def test_lists_and_tuples_are_charged_their_rule(n: int) -> None:
    assert object_bytes([0] * n) == object_bytes((0,) * n) == memory.seq_bytes(n)


@pytest.mark.parametrize("dtype, itemsize", [(np.int32, 4), (np.float32, 4), (np.bool_, 1)])
@pytest.mark.parametrize("shape", [(0,), (1,), (3,), (7,), (2, 3), (5, 5)])
def test_a_received_array_is_charged_its_rule(dtype: type, itemsize: int,
                                              shape: tuple[int, ...]) -> None:
    array = from_wire(np.zeros(shape, dtype))
    assert object_bytes(array) == memory.array_bytes(itemsize * int(np.prod(shape)))


def test_ranges_iterators_and_row_views_are_small_objects() -> None:
    row = from_wire(np.zeros((2, 3), np.int32)).get(1)
    assert row.base is not None
    for value in (range(5), KIter(iter([1, 2]), ()), row):
        assert object_bytes(value) == memory.SMALL_OBJECT_BYTES, value


def test_immediates_take_no_heap() -> None:
    assert [object_bytes(v) for v in (0, 1.5, True, None)] == [0, 0, 0, 0]


@given(st.integers(0, 255), st.integers(0, 255))
def test_a_frame_is_charged_its_rule(n_locals: int, max_stack: int) -> None:
    assert frame_bytes(n_locals, max_stack) == memory.frame_bytes(n_locals + max_stack)


@given(st.integers(0, 65535), st.integers(0, 65535), st.integers(0, 65535))
def test_launch_tables_are_each_rounded_to_8(n_consts: int, n_globals: int, n_funcs: int) -> None:
    def round8(n: int) -> int:
        return (n + 7) // 8 * 8
    slot = memory.VALUE_SLOT_BYTES
    assert memory.launch_tables_bytes(n_consts, n_globals, n_funcs) == (
        round8(slot * (n_consts + 1)) + round8(slot * (n_globals + 1))
        + round8(memory.FUNC_INFO_BYTES * n_funcs))


def test_a_size_rule_needs_a_power_of_two_alignment() -> None:
    with pytest.raises(ValueError, match="power of two"):
        memory.SizeRule("BAD", "", 8, 1, 3)
    with pytest.raises(ValueError, match="dividing fixed"):
        memory.SizeRule("BAD", "", 6, 1, 4)


def test_the_protocol_carries_the_memory_models_own_figures() -> None:
    for name in ("LOCAL_MEMORY_BYTES", "RUNTIME_RESERVED_BYTES", "RUNTIME_STACK_BYTES",
                 "CORE_MAILBOX_BYTES", "VALUE_SLOT_BYTES", "OBJECT_HEADER_BYTES",
                 "FRAME_HEADER_BYTES", "WORKSPACE_ALIGN", "FUNC_INFO_BYTES",
                 "launch_tables_bytes"):
        assert getattr(protocol, name) is getattr(memory, name), name


def test_the_simulators_presets_divide_sram_as_the_device_build_does() -> None:
    for preset in ("e16", "e64"):
        chip = PRESETS[preset]
        assert (chip.local_memory_bytes, chip.runtime_reserved_bytes, chip.mailbox_bytes) == (
            memory.E16_CORE_MEMORY.local_memory_bytes,
            memory.E16_CORE_MEMORY.runtime_reserved_bytes,
            memory.E16_CORE_MEMORY.mailbox_bytes)
        assert chip.user_memory_bytes == memory.user_memory_bytes(memory.E16_CORE_MEMORY)


@pytest.mark.parametrize("rule", memory.SIZE_RULES, ids=lambda r: r.name)
def test_each_rule_as_a_function_computes_what_the_rule_computes(rule: memory.SizeRule) -> None:
    function = rule.function()
    assert [function(n) for n in range(2000)] == [rule(n) for n in range(2000)]
