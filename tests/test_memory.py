"""The core memory model: MemoryError and RecursionError where 32 KB runs out."""

from __future__ import annotations

import pytest

from epython import KernelError, offload
from epython.bytecode import memory
from esim.config import PRESETS


def grow_list(n):
    xs = []
    for i in range(n):
        xs.append(i)  # GROW
    return len(xs)


def deep(n):
    if n == 0:
        return 0
    return 1 + deep(n - 1)  # DEEP


def garbage_strings(n):
    s = ""
    for i in range(n):
        s = str(i)  # each old string becomes garbage
    return s


def long_string(n):
    s = ""
    for i in range(n):
        s = s + "abcdefgh"  # LONG
    return len(s)


def line_of(fn, marker: str) -> int:
    import inspect

    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, t in enumerate(lines) if marker in t)


def test_workspace_is_what_32_kb_leaves() -> None:
    e16 = PRESETS["e16"]
    assert e16.user_memory_bytes == (memory.LOCAL_MEMORY_BYTES - memory.RUNTIME_RESERVED_BYTES
                                     - memory.CORE_MAILBOX_BYTES)


def test_long_list_raises_memory_error_at_the_append() -> None:
    k = offload(target=0)(grow_list)
    assert k(100) == 100
    with pytest.raises(MemoryError) as info:
        k(5000)
    assert isinstance(info.value, KernelError)
    assert info.value.lineno == line_of(grow_list, "# GROW")
    assert "out of core memory" in str(info.value)


def test_list_limit_is_exact_and_deterministic() -> None:
    k = offload(target=0)(grow_list)
    lo, hi = 100, 5000
    while hi - lo > 1:  # the largest n that fits
        mid = (lo + hi) // 2
        try:
            k(mid)
            lo = mid
        except MemoryError:
            hi = mid
    user = memory.LOCAL_MEMORY_BYTES - memory.RUNTIME_RESERVED_BYTES - memory.CORE_MAILBOX_BYTES
    assert 0.8 * user / 8 < lo < user / 8  # 8 bytes per item, less the image and frames
    assert k(lo) == lo
    with pytest.raises(MemoryError):
        k(lo + 1)


def test_deep_recursion_raises_recursion_error() -> None:
    k = offload(target=0)(deep)
    assert k(30) == 30
    with pytest.raises(RecursionError) as info:
        k(200)
    assert info.value.lineno == line_of(deep, "# DEEP")


def test_garbage_is_collected_so_loops_of_temporaries_run() -> None:
    assert offload(target=0)(garbage_strings)(5000) == "4999"


def test_growing_string_exhausts_memory_and_next_launch_works() -> None:
    k = offload(target=0)(long_string)
    with pytest.raises(MemoryError) as info:
        k(5000)
    assert info.value.lineno == line_of(long_string, "# LONG")
    assert k(10) == 80


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")
