"""The memory model agrees between the simulator and the device's C interpreter: the first
failing allocation is the same whatever the arguments and device-resident values carry."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from epython import define_on_device, offload
from epython.backends import get_backend

# --- the limit is the same on both backends, whatever the arguments carry --------------------

def grow_with_args(n, data, text, arr):
    xs = [len(data), len(text), len(arr)]
    for i in range(n):
        xs.append(i)  # GROW
    return len(xs)


def grow_with_resident(n):
    xs = [len(kept_list), len(kept_text)]  # noqa: F821 (device-resident)
    for i in range(n):
        xs.append(i)  # GROW
    return len(xs)


def _first_failure(kernel: Any, args: tuple[Any, ...], backend: str) -> int:
    """The smallest n for which kernel(n, *args) raises MemoryError on ``backend``."""
    low, high = 0, 4096  # kernel(low) succeeds, kernel(high) fails
    while high - low > 1:
        mid = (low + high) // 2
        try:
            kernel(mid, *args, backend=backend)
            low = mid
        except MemoryError:
            high = mid
    return high


ARG_SETS = {
    "none": ([], "", np.zeros(0, np.float32)),
    "list": (list(range(300)), "", np.zeros(0, np.float32)),
    "nested": ([[1, 2], (3, "four"), [5.5] * 40], "x", np.zeros(0, np.int32)),
    "text": ([], "abcdefgh" * 200, np.zeros(0, np.float32)),
    "array": ([], "", np.arange(1000, dtype=np.float32)),
}


@pytest.mark.parametrize("name", sorted(ARG_SETS))
def test_memory_limit_is_the_same_on_both_backends(name: str) -> None:
    if not get_backend("device").available():
        pytest.skip("the device backend is not available here")
    kernel = offload(target=0)(grow_with_args)
    sim = _first_failure(kernel, ARG_SETS[name], "sim")
    device = _first_failure(kernel, ARG_SETS[name], "device")
    assert sim == device, (name, sim, device)


def test_memory_limit_with_device_resident_values_is_the_same_on_both_backends() -> None:
    if not get_backend("device").available():
        pytest.skip("the device backend is not available here")
    limits = {}
    for backend in ("sim", "device"):
        define_on_device("kept_list", [1.5] * 200, backend=backend)
        define_on_device("kept_text", "resident" * 30, backend=backend)
        kernel = offload(target=0)(grow_with_resident)
        limits[backend] = _first_failure(kernel, (), backend)
    assert limits["sim"] == limits["device"], limits
