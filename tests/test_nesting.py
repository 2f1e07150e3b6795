"""Lists, tuples and iterators nest at most protocol.MAX_NESTING levels in what the cores walk
recursively (repr/str, ==, <, marshalling, next() of iterators over iterators): the same limit
and the same RecursionError on both backends, and on the chip a C stack that stays within its
reservation (device/toolchain/stack_usage.py)."""

from __future__ import annotations

import pytest

from epython import offload
from epython.bytecode import protocol as P
from epython.errors import KernelError

LIMIT = P.MAX_NESTING


@offload(target=[0])
def nested_str(levels):
    a = []
    for i in range(levels - 1):
        a = [a]
    return len(str(a))


@offload(target=[0])
def nested_eq(levels, order):
    a = []
    b = []
    for i in range(levels - 1):
        a = [a]
        b = [b]
    if order:
        return a <= b
    return a == b


@offload(target=[0])
def nested_result(levels):
    a = (1,)
    for i in range(levels - 1):
        a = [a]
    return a


@offload(target=[0])
def nested_iterators(levels):
    it = enumerate([1, 2, 3])
    for i in range(levels - 1):
        it = enumerate(it)
    n = 0
    for x in it:
        n += 1
    return n


def test_repr_walks_the_limit_and_refuses_one_level_more(backend: str) -> None:
    assert nested_str(LIMIT) == [2 * LIMIT]
    with pytest.raises(RecursionError, match="while getting the repr") as info:
        nested_str(LIMIT + 1)
    assert isinstance(info.value, KernelError)
    assert str(P.MAX_NESTING) in str(info.value)


@pytest.mark.parametrize("order", [False, True])
def test_comparisons_walk_the_limit_and_refuse_one_level_more(backend: str, order: bool) -> None:
    assert nested_eq(LIMIT, order) == [True]
    with pytest.raises(RecursionError, match="in comparison"):
        nested_eq(LIMIT + 1, order)


def test_results_nest_to_the_limit(backend: str) -> None:
    value = nested_result(LIMIT)[0]
    for _ in range(LIMIT - 1):
        value = value[0]
    assert value == (1,)
    with pytest.raises(RecursionError, match="while encoding"):
        nested_result(LIMIT + 1)


def test_iterators_over_iterators_nest_to_the_limit(backend: str) -> None:
    most = P.MAX_ITERATOR_NESTING
    assert nested_iterators(most) == [3]  # that many enumerate objects, one inside the other
    with pytest.raises(RecursionError, match="nesting iterators"):
        nested_iterators(most + 1)


@offload(target=[0])
def depth_of(a):
    d = 0
    while a:
        a = a[0]
        d += 1
    return d


def test_an_argument_nested_too_deep_is_refused_at_launch(backend: str) -> None:
    arg: list = []
    for _ in range(LIMIT - 1):
        arg = [arg]
    assert depth_of(arg) == [LIMIT - 1]
    with pytest.raises(TypeError, match=f"nest more than {LIMIT} levels"):
        depth_of([arg])
