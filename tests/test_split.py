"""``epython.split``: each core receives its own block of an array (docs/arrays.md), and an
array that does not fit a core is a MemoryError naming it (issue 16, items 1 and 3)."""

from __future__ import annotations

import numpy as np
import pytest

from epython import offload, split
from epython.arrays import SplitArray
from epython.parallel import coreid, numcores
from tests.kernels.sequences import list_iteration_sum as block_sum


def block_info(a):
    return coreid(), numcores(), a.shape, len(a)


def add_rank(a):
    for i in range(len(a)):
        a[i] = a[i] + 100 * coreid()
    return len(a)


def mark_corner(m):
    m[0, 0] = coreid() + 1
    return m.shape


def first_of_block(a, b):
    return a[0], b


@pytest.mark.parametrize("n", [1, 15, 16, 17, 100])
def test_cores_receive_the_blocks_of_array_split_in_core_order(backend: str, n: int) -> None:
    a = np.arange(n, dtype=np.int32)
    expected = np.array_split(a, 16)
    got = offload(block_info)(split(a))
    assert [g[0] for g in got] == list(range(16))
    assert [g[2] for g in got] == [e.shape for e in expected]
    assert offload(block_sum)(split(a)) == [int(e.sum()) for e in expected]


def test_in_place_changes_come_back_block_by_block(backend: str) -> None:
    a = np.arange(40, dtype=np.int32)
    lengths = offload(add_rank)(split(a))
    assert sum(lengths) == 40
    blocks = np.array_split(np.arange(40, dtype=np.int32), 16)
    assert a.tolist() == [int(v) + 100 * k for k, block in enumerate(blocks) for v in block]


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_two_dimensional_blocks_along_either_axis(backend: str, axis: int) -> None:
    m = np.zeros((6, 5), dtype=np.float32)
    shapes = offload(target=[2, 7, 9])(mark_corner)(split(m, axis=axis))
    parts = np.array_split(np.zeros((6, 5)), 3, axis=axis)
    assert shapes == [p.shape for p in parts]
    corners = np.array_split(np.arange(30).reshape(6, 5), 3, axis=axis)
    for core, part in zip([2, 7, 9], corners):
        r, c = np.unravel_index(int(part.flat[0]), (6, 5))
        assert m[r, c] == core + 1
    assert np.count_nonzero(m) == 3


def test_target_and_auto_split_over_the_cores_actually_used(backend: str) -> None:
    a = np.arange(10, dtype=np.int32)
    assert offload(target=5)(block_sum)(split(a)) == 45  # one core: the whole array
    assert offload(auto=3)(block_sum)(split(a)) == [int(b.sum()) for b in np.array_split(a, 3)]
    assert offload(target=[4, 1])(block_info)(split(a)) == [(4, 2, (5,), 5), (1, 2, (5,), 5)]


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.bool_, np.int64, np.float64])
def test_dtypes(backend: str, dtype: type) -> None:
    a = (np.arange(20) % 3).astype(dtype)
    got = offload(auto=4)(first_of_block)(split(a), 7)
    assert [g[0] for g in got] == [a[0].item(), a[5].item(), a[10].item(), a[15].item()]
    assert all(g[1] == 7 for g in got)


def double(a):
    for i in range(len(a)):
        a[i] = a[i] * 2
    return len(a)


def test_without_the_decorator_the_function_sees_the_whole_array() -> None:
    a = np.arange(5, dtype=np.int32)
    view = split(a)
    assert isinstance(view, SplitArray)
    assert block_sum(view) == 10
    assert double(view) == 5 and a.tolist() == [0, 2, 4, 6, 8]  # writes through to the caller
    assert type(view[1:]) is np.ndarray and type(view * 2) is np.ndarray


def test_split_refuses_what_it_cannot_cut() -> None:
    with pytest.raises(TypeError, match="split\\(\\) takes a numpy array, got list"):
        split([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1-D or 2-D"):
        split(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        split(np.zeros((2, 2)), axis=2)


def test_an_array_too_large_for_a_core_is_a_memory_error_naming_it(backend: str) -> None:
    kernel = offload(block_sum)
    with pytest.raises(MemoryError) as info:
        kernel(np.zeros(5000, dtype=np.float32))
    text = str(info.value)
    assert text.startswith("argument 'xs' of list_iteration_sum(): the float32 array of shape "
                           "(5000,) takes 20005 bytes of core memory but ")
    assert "epython.split(xs)" in text and "e16 has 15360 bytes" in text
    with pytest.raises(MemoryError, match=r"shape \(100000,\) \(400000 bytes\) does not fit a "
                                          r"core.*epython.split\(xs\)"):
        kernel(np.zeros(100000, dtype=np.float32))
    with pytest.raises(MemoryError, match=r"core 0's block of a split array\): the float32 "
                                          r"array of shape \(62500,\).*more cores"):
        kernel(split(np.zeros(1_000_000, dtype=np.float32)))
    assert kernel(split(np.ones(16 * 3000, dtype=np.float32))) == [3000.0] * 16  # fits


def test_a_non_contiguous_array_gets_its_changes_back(backend: str) -> None:
    base = np.zeros((4, 6), dtype=np.int32)
    column = base[:, 1]  # a strided view
    offload(target=3)(add_rank)(column)
    assert base[:, 1].tolist() == [300] * 4 and np.count_nonzero(base) == 4
