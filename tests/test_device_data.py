"""Device-resident data: define_on_device, copy_to_device, copy_from_device."""

from __future__ import annotations

import numpy as np
import pytest

from epython import copy_from_device, copy_to_device, define_on_device, offload

grid: np.ndarray  # device-resident: defined with define_on_device in the tests


def bump(k):
    global counter
    counter = counter + k
    return counter


def grid_sum_and_poke():
    s = 0.0
    for v in grid:
        s += v
    grid[0] = 99.0
    return s


def poke_then_fail():
    grid[1] = -1.0
    return 1 // 0


def test_values_persist_across_launches_per_core() -> None:
    define_on_device("counter", 0)
    kernel = offload(bump)
    assert kernel(1) == [1] * 16
    assert kernel(2) == [3] * 16
    copy_to_device("counter", 100, target=[0, 1])
    assert kernel(1)[:3] == [101, 101, 4]
    assert copy_from_device("counter")[:3] == [101, 101, 4]
    assert copy_from_device("counter", target=2) == 4


def test_arrays_live_on_the_device_and_a_failing_kernel_leaves_them_intact() -> None:
    define_on_device("grid", np.arange(4, dtype=np.float32))
    assert offload(target=0)(grid_sum_and_poke)() == 6.0
    assert copy_from_device("grid", target=0).tolist() == [99.0, 1.0, 2.0, 3.0]
    with pytest.raises(ZeroDivisionError):
        offload(target=0)(poke_then_fail)()
    assert copy_from_device("grid", target=0).tolist() == [99.0, 1.0, 2.0, 3.0]


def test_copy_to_an_undeclared_name_is_refused() -> None:
    with pytest.raises(NameError, match="define_on_device first"):
        copy_to_device("never_declared_anywhere", 1)


def test_copy_from_a_core_without_the_value_is_refused() -> None:
    define_on_device("only_on_zero", 5, target=0)
    assert copy_from_device("only_on_zero", target=0) == 5
    with pytest.raises(KeyError, match="not defined on core 3"):
        copy_from_device("only_on_zero", target=3)


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")
