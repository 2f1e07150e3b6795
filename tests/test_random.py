"""``random`` in kernels (docs/language.md, "Random numbers"): one generator, defined once
(esim/cores/rng.py, device/core/random.c), the same numbers to the bit on every backend."""

from __future__ import annotations

import random
from random import choice, randint

import numpy as np
import pytest

from epython import KernelError, offload
from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.parallel import coreid
from epython.testing.compare import backend_available

MASK = 0xFFFFFFFF


def _fmix32(x: int) -> int:  # the documented algorithm, written again independently of esim
    x ^= x >> 16
    x = x * 0x85EBCA6B & MASK
    x ^= x >> 13
    x = x * 0xC2B2AE35 & MASK
    x ^= x >> 16
    return x or 1


def _stream(state: int, n: int) -> list[int]:
    out = []
    for _ in range(n):
        state ^= state << 13 & MASK
        state ^= state >> 17
        state ^= state << 5 & MASK
        out.append(state)
    return out


def draws():
    return [random.random() for i in range(4)]


def seeded(n):
    random.seed(n)
    a = [randint(0, 1000) for i in range(5)]
    random.seed(n)
    b = [randint(0, 1000) for i in range(5)]
    random.seed()
    c = random.random()
    return a, b, c


def everything(xs):
    random.seed(7 + coreid())
    out = [random.random(), randint(-3, 3), random.randrange(10), random.randrange(-5, 5),
           random.randrange(100, 0, -7), random.uniform(2, 3), random.uniform(-1.5, 0.5),
           choice(xs), choice("hello"), choice(range(5, 50, 5)),
           randint(-2147483648, 2147483647), random.randrange(-2147483648, 2147483647)]
    ys = [x for x in xs]
    random.shuffle(ys)
    out.append(ys)
    return out


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")


def test_random_follows_the_documented_generator() -> None:
    got = offload(target=[0, 3])(draws)()
    for core, values in zip([0, 3], got):
        words = _stream(_fmix32(0x5EED0000 + core), 4)
        assert values == [(w >> 8) / 2 ** 24 for w in words]


def test_a_launch_is_reproducible_and_the_cores_streams_differ() -> None:
    kernel = offload(draws)
    first, second = kernel(), kernel()
    assert first == second
    assert len({tuple(v) for v in first}) == len(first)
    assert all(0.0 <= x < 1.0 for v in first for x in v)


def test_seed_repeats_a_stream_and_seed_none_returns_to_the_launch_stream() -> None:
    (a, b, c), = offload(target=[2])(seeded)(12345)
    assert a == b and all(0 <= x <= 1000 for x in a)
    assert c == offload(target=2)(draws)()[0]
    # seed(n) gives the same stream on every core
    per_core = offload(target=[0, 5, 9])(seeded)(99)
    assert per_core[0][0] == per_core[1][0] == per_core[2][0]


def test_every_function_stays_in_range() -> None:
    xs = [10, 20, 30]
    for out in offload(target=[0, 1, 2, 3])(everything)(xs):
        r, ri, rr1, rr2, rr3, u1, u2, c1, c2, c3, big, big2, ys = out
        assert 0 <= r < 1 and -3 <= ri <= 3 and 0 <= rr1 < 10 and -5 <= rr2 < 5
        assert rr3 in range(100, 0, -7) and 2 <= u1 <= 3 and -1.5 <= u2 <= 0.5
        assert c1 in xs and c2 in "hello" and c3 in range(5, 50, 5)
        assert INT32_MIN <= big <= INT32_MAX and INT32_MIN <= big2 < INT32_MAX
        assert sorted(ys) == xs


def test_both_backends_give_the_same_numbers_to_the_bit() -> None:
    ok, why = backend_available("device")
    if not ok:
        pytest.skip(why)
    xs = [1, 2, 3, 4, 5, 6, 7, 8]
    sim = offload(everything, backend="sim")(xs)
    device = offload(everything, backend="device")(xs)
    assert sim == device
    assert len({str(v) for v in sim}) == len(sim)  # seeded per core: streams differ


def test_without_the_decorator_python_s_own_random_runs() -> None:
    values = draws()
    assert len(values) == 4 and all(0 <= v < 1 for v in values)


def test_shuffle_of_an_array_argument_is_refused_as_documented() -> None:
    def shuffle_array(a):
        random.shuffle(a)
        return 0

    with pytest.raises(KernelError) as info:
        offload(target=0)(shuffle_array)(np.arange(3, dtype=np.int32))
    assert isinstance(info.value, TypeError)
    assert "'numpy.ndarray' object does not support item assignment" in str(info.value)
