"""numpy array arguments: indexing, shape, in-place changes copied back, arrays as results."""

from __future__ import annotations

import numpy as np
import pytest

from epython import offload
from epython.parallel import coreid


def fill_my_slice(a):
    c = coreid()
    for i in range(4):
        a[c * 4 + i] = c * 10 + i
    return a[c * 4]


def scale(m, f):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] = m[i, j] * f
    return m


def row_sums(m):
    out = []
    for row in m:
        s = 0
        for v in row:
            s += v
        out.append(s)
    return out, len(m), m.shape


def flags(b):
    return [x for x in b if x]


def test_each_core_writes_its_slice_and_the_host_sees_all() -> None:
    x = np.zeros(64, dtype=np.int32)
    assert offload(fill_my_slice)(x) == [c * 10 for c in range(16)]
    assert x.tolist() == [c * 10 + i for c in range(16) for i in range(4)]


def test_float64_array_is_converted_and_returned_as_float32() -> None:
    y = np.arange(6, dtype=np.float64).reshape(2, 3)
    r = offload(target=0)(scale)(y, 1.5)
    assert r.dtype == np.float32 and r.shape == (2, 3)
    assert r.tolist() == [[0.0, 1.5, 3.0], [4.5, 6.0, 7.5]]
    assert y.tolist() == r.tolist()  # changed in place on the host too


def test_iteration_over_rows_and_shape() -> None:
    m = np.arange(6, dtype=np.int32).reshape(3, 2)
    assert offload(target=0)(row_sums)(m) == ([1, 5, 9], 3, (3, 2))


def test_bool_arrays() -> None:
    assert offload(target=0)(flags)(np.array([True, False, True])) == [True, True]


def test_int64_values_out_of_int32_range_are_refused() -> None:
    with pytest.raises(TypeError, match="outside int32"):
        offload(target=0)(flags)(np.array([2**40], dtype=np.int64))


def test_unsupported_dtype_is_refused() -> None:
    with pytest.raises(TypeError, match="dtype complex128 are not supported"):
        offload(target=0)(flags)(np.zeros(3, dtype=complex))


def float_divmod(a, b):
    return a // b, a % b


@pytest.mark.parametrize("a, b", [(np.inf, 2.0), (2.0, np.inf), (-2.0, np.inf), (-np.inf, 3.0),
                                  (5.5, -np.inf), (np.nan, 2.0), (-7.5, 2.0), (7.5, -2.0)])
def test_float_floor_division_and_modulo_follow_cpython_at_the_edges(a: float, b: float) -> None:
    got = offload(target=0)(float_divmod)(a, b)
    assert str(got) == str(float_divmod(a, b))


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")


def rewrite_all(a, b):
    for i in range(len(a)):
        a[i] = i * 2 - 1
    for i in range(len(b)):
        b[i] = b[i] * 0.5
    return len(a) + len(b)


def test_a_kernel_may_change_every_element_of_large_arrays(backend: str) -> None:
    # 3,000 int32 and 500 float32 elements changed: every change comes back (the changes do not
    # have to fit the result area: each changed array travels whole)
    a = np.zeros(3000, np.int32)
    b = np.arange(500, dtype=np.float32)
    assert offload(target=0)(rewrite_all)(a, b) == 3500
    assert np.array_equal(a, np.arange(3000, dtype=np.int32) * 2 - 1)
    assert np.array_equal(b, np.arange(500, dtype=np.float32) * np.float32(0.5))
