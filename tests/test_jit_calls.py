"""Calls in the translating engine: int variants and escaping functions (esim/cores/jit/
variants.py, calls.py) against the reference engine.

An escaping function runs as a plain Python function and raises Escape where a tick is due at a
CALL; its callers record their frames and the resumable versions continue.  Every case here
crosses ticks inside such call trees, so the engines must agree on the tick Requests (with their
cycles and instructions), the results, the errors with their lines, and MemoryError at the same
points over workspace sweeps (the escaped frames' stack slots are live roots).
"""

from __future__ import annotations

from typing import Any

import pytest

from epython.bytecode.protocol import MAX_CALL_DEPTH
from epython.compiler import compile_kernel
from esim.cores.jit import compiled
from tests.kernels.functions import is_even
from tests.test_jit import assert_same_chip, assert_same_direct, errors_over_workspaces


def fib_ticks(n):
    if n < 2:
        return n
    return fib_ticks(n - 1) + fib_ticks(n - 2)


def parity_loop(n):
    t = 0
    for i in range(n):
        if is_even(i % 45):
            t += 1
    return t


def tree_lists(n):
    if n <= 0:
        return [n]
    return [n] + tree_lists(n - 1) + tree_lists(n - 2)


def mixed(x):
    if x < 1:
        return x
    return mixed(x - 1) + mixed(x - 1.5)


def grow(n, acc):
    if n == 0:
        return acc
    return grow(n - 1, acc * 3 + fib_ticks(15))


def flag_calls(x, n):
    if n <= 0:
        return x
    return flag_calls(not x, n - 1) + flag_calls(x, n - 2)


def loop_leaf(k):
    s = 0
    for i in range(k):
        s += i
    return s


def rec_over_loop(n):
    if n <= 0:
        return loop_leaf(300)
    return rec_over_loop(n - 1) + rec_over_loop(n - 2) + 1


def deep_escape(n, k):
    if n <= 0:
        return fib_ticks(k)
    return fib_ticks(k - 6) + deep_escape(n - 1, k)


def args_below(a, b, n):
    if n <= 0:
        return a * b
    return (a + args_below(b, a % 7 + 1, n - 1) * (b - args_below(a % 5, 1, n - 2))) % 10007


CASES = [
    (fib_ticks, [20]),
    (parity_loop, [2500]),
    (tree_lists, [17]),
    (mixed, [16]),
    (mixed, [16.5]),
    (grow, [12, 1]),
    (flag_calls, [True, 20]),
    (flag_calls, [1, 20]),
    (rec_over_loop, [9]),
    (deep_escape, [MAX_CALL_DEPTH - 21, 20]),  # 63 frames at the deepest
    (deep_escape, [MAX_CALL_DEPTH - 19, 20]),  # RecursionError after ticks
    (args_below, [2, 3, 20]),
]


@pytest.mark.parametrize(("fn", "args"), CASES, ids=lambda v: getattr(v, "__name__", repr(v)))
def test_call_trees_across_ticks_agree(fn: Any, args: list[Any]) -> None:
    out = assert_same_direct(fn, args)
    assert out["requests"], "the case must cross at least one tick"


def test_escaping_functions_are_plain() -> None:
    """fib runs as plain Python functions (an int variant beside the generic one), and each
    has a resumable generator version; a function with a loop does not escape."""
    def version(fn: Any, name: str) -> str:
        src = compiled(compile_kernel(fn).program).source
        return src.split(f"\n    def {name}(")[1].split("\n    def ")[0]

    assert "yield" in version(rec_over_loop, "f0")  # its callee loops: a generator
    assert "yield" not in version(fib_ticks, "f0") + version(fib_ticks, "f0i")
    assert "yield TICK_REQUEST" in version(fib_ticks, "f0ig")
    loop_src = compiled(compile_kernel(parity_loop).program).source
    assert "def f0(l0, dep, fr):" in loop_src and "yield TICK_REQUEST" in loop_src


def test_memory_errors_in_escaping_trees_at_the_same_points() -> None:
    """Lists live in the stack slots of escaped frames: collections near the limit trace them
    (the roots walk reads the resumable versions' frames), so MemoryError comes at the
    reference's points."""
    assert errors_over_workspaces(tree_lists, [9], range(300, 6000, 173))
    assert errors_over_workspaces(args_below, [2, 3, 12], range(150, 3000, 131))


def test_int_overflow_after_resumes() -> None:
    out = assert_same_direct(grow, [30, 1])
    assert "error" in out and len(out["requests"]) >= 1


def test_escaping_calls_on_a_chip(monkeypatch: pytest.MonkeyPatch) -> None:
    ref = assert_same_chip(fib_ticks, [19], monkeypatch, cores=4)
    assert ref["outcomes"][0]["instructions"] > 100000
