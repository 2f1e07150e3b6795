"""Hypothesis fuzzing of the Python verifier and interpreter with corrupted images.

Every corrupted image must be rejected with ImageError or, if the verifier accepts it, run to
a result or a kernel error: never an internal exception (IndexError, KeyError, ...).
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epython.bytecode import ImageError, verify_bytes
from epython.compiler import compile_kernel
from esim.cores.interp import Interpreter, KernelFault


def sample(a, b):
    xs = [a, b, a * b]
    s = 0
    for i, x in enumerate(xs):
        if x % 2 == 0 and i < 5:
            s += x // (i + 1)
        else:
            s -= math.floor(x / 3.0)
    t = (s, "k", 1.5)
    return f"{s}:{len(t)}"


IMAGE = compile_kernel(sample).image


def run_accepted(image: bytes) -> None:
    program = verify_bytes(image)
    n = program.functions[program.entry].n_params
    interp = Interpreter(program, 0, 1, workspace=8192)
    gen = interp.run([3] * n)
    budget = 200  # observable requests and ticks
    try:
        request = next(gen)
        while budget:
            budget -= 1
            request = gen.send(0 if request.name.startswith("parallel.") else None)
    except StopIteration:
        pass
    except KernelFault as fault:
        assert "internal error" not in fault.message, fault.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_flipped_bytes_are_rejected_or_run_safely(data: st.DataObject) -> None:
    image = bytearray(IMAGE)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(image) - 1))
        image[pos] ^= 1 << data.draw(st.integers(0, 7))
    try:
        run_accepted(bytes(image))
    except ImageError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_are_rejected(data: bytes) -> None:
    try:
        run_accepted(data)
    except ImageError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(IMAGE) - 1))
def test_every_truncation_is_rejected(cut: int) -> None:
    try:
        verify_bytes(IMAGE[:cut])
    except ImageError:
        return
    raise AssertionError(f"truncation at {cut} accepted")
