"""Places where the simulator's Python interpreter and the device's C interpreter drifted
apart (found by comparing them, docs/testing.md): each now matches CPython on both backends."""

from __future__ import annotations

import math

import numpy as np
import pytest

from epython import KernelError, offload
from epython.testing.compare import same
from epython.testing.float32 import round_f32
from epython.testing.reference import kernel_value


def log_base(x):
    return math.log(5, x)  # FAIL


def char_of(x):
    return f"{x:c}"  # FAIL


def iterate_while_storing(a):
    out = []
    for v in a:
        out.append(v)
        a[2] = 9.0  # a store ahead of the loop is seen, as in CPython
    return out


def enumerate_while_storing(a):
    out = []
    for i, v in enumerate(a):
        out.append(v)
        if i + 1 < len(a):
            a[i + 1] = a[i + 1] + v
    return out


def zip_while_storing(a):
    out = []
    for v, w in zip(a, a):
        out.append(v + w)
        a[len(a) - 1] = 7.0
    return out


def float_specs(x):
    return (f"{x:5}", f"{x:+}", f"{x:08}", f"{x:,}", f"{x:<7}|", f"{x:^9}|")


def power_of_infinity(x):
    return (x ** float("inf"), x ** float("-inf"))


def identity_of_numbers(a):
    return (a is True, a is not False, a in [1, 3], 2.5 in [2.5], a is None, (a > 0) is True)


@pytest.mark.parametrize("a", [1, 0, True])
def test_identity_and_membership_of_numbers(a: int) -> None:
    # the C interpreter's numeric compare fast path once indexed its mask table with IS/IN
    assert same(offload(target=0)(identity_of_numbers)(a), kernel_value(identity_of_numbers(a)))


def test_log_with_base_one_is_a_zero_division() -> None:
    with pytest.raises(ZeroDivisionError):
        log_base(1.0)
    with pytest.raises(KernelError) as info:
        offload(target=0)(log_base)(1.0)
    assert isinstance(info.value, ZeroDivisionError) and "float division by zero" in str(info.value)


def test_char_format_of_a_negative_int_is_an_overflow() -> None:
    with pytest.raises(KernelError) as info:
        offload(target=0)(char_of)(-5)
    assert isinstance(info.value, OverflowError) and "range(0x110000)" in str(info.value)
    assert offload(target=0)(char_of)(65) == "A"


@pytest.mark.parametrize("fn, expected", [
    (iterate_while_storing, [1.0, 2.0, 9.0, 4.0]),
    (enumerate_while_storing, [1.0, 3.0, 6.0, 10.0]),
    (zip_while_storing, [2.0, 4.0, 6.0, 14.0]),
])
def test_array_iteration_reads_elements_as_it_goes(fn: object, expected: list[float]) -> None:
    cpython = fn(np.array([1, 2, 3, 4], np.float32))  # type: ignore[operator]
    assert [float(v) for v in cpython] == expected
    assert same(offload(target=0)(fn)(np.array([1, 2, 3, 4], np.float32)), expected)


@pytest.mark.parametrize("x", [2.5, -1234567.0, 0.1, float("inf")])
def test_float_format_without_a_type_formats_the_shortest_digits(x: float) -> None:
    got = offload(target=0)(float_specs)(x)
    assert same(got, float_specs(round_f32(x) if x != 0.1 else 0.1))


@pytest.mark.parametrize("x", [-2.0, -0.5])
def test_negative_base_to_infinite_power(x: float) -> None:
    assert same(offload(target=0)(power_of_infinity)(x), kernel_value(power_of_infinity(x)))


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")
