"""The simulation loops raise the cyclic collector's first threshold while they run and give
the process's back when they return (esim/chip.py ``_fewer_collections``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from epython.compiler import compile_kernel
from esim.chip import SIM_GC_THRESHOLD, Chip


def spin(n):
    t = 0
    for i in range(n):
        t += i % 3
    return t


@pytest.fixture
def threshold() -> Iterator[tuple[int, int, int]]:
    old = gc.get_threshold()
    yield old
    gc.set_threshold(*old)


def _run(seen: list[tuple[int, int, int]]) -> None:
    chip = Chip("e16")
    launch = chip.launch(compile_kernel(spin).image, [20000], [0, 1])

    def done() -> bool:
        seen.append(gc.get_threshold())
        return bool(launch.finished)

    chip.run_until(done)


def test_raised_while_simulating_and_given_back(threshold: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 11, 12)
    seen: list[tuple[int, int, int]] = []
    _run(seen)
    assert (SIM_GC_THRESHOLD, 11, 12) in seen[1:]
    assert gc.get_threshold() == (700, 11, 12)


def test_a_disabled_or_higher_threshold_is_kept(threshold: tuple[int, int, int]) -> None:
    for mine in ((0, 10, 10), (SIM_GC_THRESHOLD * 2, 10, 10)):
        gc.set_threshold(*mine)
        seen: list[tuple[int, int, int]] = []
        _run(seen)
        assert set(seen) == {mine}
        assert gc.get_threshold() == mine
