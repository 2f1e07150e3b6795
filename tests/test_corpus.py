"""The language corpus: every kernel gives CPython's result on the simulator (and on every
other available backend), with the same printed lines."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "corpus"))

import corpus_kernels as ck  # noqa: E402

from epython import offload  # noqa: E402
from epython.bytecode import float32  # noqa: E402


def same(a: Any, b: Any) -> bool:
    """Equality that treats numpy arrays and scalars as values and nan as equal to nan."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if isinstance(a, float) or isinstance(b, float):
        # the kernel's binary32 result against CPython's float64 one rounded to binary32
        # (the corpus keeps to computations where one rounding makes this exact)
        return str(float(a)) == str(float32(float(b)))
    is_bool = (isinstance(a, (bool, np.bool_)), isinstance(b, (bool, np.bool_)))
    return bool(a == b) and is_bool[0] == is_bool[1]


@pytest.mark.parametrize("fn, args", ck.CASES,
                         ids=[f"{fn.__name__}-{i}" for i, (fn, _) in enumerate(ck.CASES)])
def test_kernel_matches_cpython(backend: str, fn: Any, args: tuple[Any, ...],
                                capsys: pytest.CaptureFixture[str]) -> None:
    got = offload(target=0)(fn)(*copy.deepcopy(args))
    sim_out = capsys.readouterr().out
    expected = fn(*copy.deepcopy(args))
    cpython_out = capsys.readouterr().out
    assert same(got, expected), (got, expected)
    assert sim_out == "".join(f"[core 0] {line}\n" for line in cpython_out.splitlines())


def test_corpus_is_large_enough() -> None:
    assert len(ck.CASES) >= 60
    assert len({fn.__name__ for fn, _ in ck.CASES}) >= 60


def test_global_assignment_stays_on_the_core() -> None:
    kernel = offload(target=0)(ck.global_counter)
    before = ck.LIMIT
    assert kernel(3) == before + 3
    assert kernel(3) == before + 3  # each launch starts from the captured module value
    assert ck.LIMIT == before  # the host's module is untouched


def test_float_reprs_are_the_shortest_binary32_ones() -> None:
    got = offload(target=0)(ck.shortest_float_repr)(1)
    assert got == ("0.3", "0.33333334", "1e-05", "1e+16", "123456.0")
