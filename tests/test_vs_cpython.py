"""CPython as the oracle: every "cpython" case of the corpus (tests/kernels) gives, on one core of
every available backend, the result of the undecorated function under CPython and the same
printed lines (docs/language.md).

Results are compared by ``epython.testing.compare.same``: types strictly (``True`` is not ``1``,
a list is not a tuple), floats bitwise (every nan equal) against CPython's float64 result
rounded once to binary32 (``reference.kernel_value``; the corpus keeps to computations where
one rounding makes that exact), arrays by dtype, shape and elements.
"""

from __future__ import annotations

from typing import Any

import pytest

from epython import offload
from epython.testing.compare import same
from epython.testing.reference import kernel_value
from tests.kernels import Case, cases, params
from tests.kernels import functions as F
from tests.kernels import numbers as N
from tests.kernels import printing as P

# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")


def as_core_prints(cpython_out: str) -> str:
    """CPython's output as the host prints a core's lines (``[core 0] ...``)."""
    return "".join(f"[core 0] {line}\n" for line in cpython_out.splitlines())


@pytest.mark.parametrize("case", params(cases("cpython", without=("errors",), cores=1)))
def test_kernel_gives_the_cpython_result_and_output(case: Case,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    got = offload(target=0)(case.fn)(*case.fresh_args())
    printed = capsys.readouterr().out
    expected = case.fn(*case.fresh_args())
    cpython_out = capsys.readouterr().out
    assert same(got, kernel_value(expected)), f"{case.id}: chip {got!r} != CPython {expected!r}"
    assert printed == as_core_prints(cpython_out)


def test_corpus_is_large_enough() -> None:
    agree = cases("cpython", without=("errors",))
    assert len(agree) >= 170
    assert len({c.name for c in agree}) >= 120
    assert len(cases("errors")) + len(cases("refused")) >= 30


def test_print_basic_values(capsys: pytest.CaptureFixture[str]) -> None:
    k = offload(target=0)(P.print_values)
    capsys.readouterr()
    assert k() == 0
    assert capsys.readouterr().out == "[core 0] 1 a 2.5 True None\n"


def test_global_assignment_stays_on_the_core() -> None:
    kernel = offload(target=0)(F.global_counter)
    before = F.LIMIT
    assert kernel(3) == before + 3
    assert kernel(3) == before + 3  # each launch starts from the captured module value
    assert F.LIMIT == before  # the host's module is untouched


def test_float_reprs_are_the_shortest_binary32_ones() -> None:
    got = offload(target=0)(N.shortest_float_repr)(1)
    assert got == ("0.3", "0.33333334", "1e-05", "1e+16", "123456.0")


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((1,), {"c": 5}), ((), {"a": 2, "b": 0}),
                                          ((1, 2, 3), {})])
def test_kernel_defaults_and_keywords_from_the_host(args: tuple[Any, ...],
                                                    kwargs: dict[str, Any]) -> None:
    k = offload(target=0)(F.add3)
    assert same(k(*args, **kwargs), F.add3(*args, **kwargs))
