"""Native loops (esim/cores/jit/native.py): a hot loop's passes in C, against the reference engine.

Every kernel here runs a loop long enough for ticks (the hook sits at a back edge's tick), so
after the first tick its passes run in C; the engines must still agree on everything
``tests.test_jit.assert_same_direct`` records: results, errors with their lines, the cycles and
instructions at every Request, memory.  Faults, exits and calls in the middle of a C pass are
bails (the Python code runs the pass again), so they are here too.  ``ESIM_NATIVE=sync`` builds
at the first hook and raises a build failure.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from epython.testing import compare as C
from epython.testing.strategies import kernel_cases
from esim.cores import jit
from esim.cores.jit import native
from esim.cores.jit.cexpr import c_float
from esim.cores.memory import to_wire
from tests.hypothesis_profiles import prop_settings
from tests.kernels.bench import monte_carlo_pi, poly_f32
from tests.test_jit import assert_same_direct, errors_over_workspaces

pytestmark = pytest.mark.skipif(not native.supported(),
                                reason="no C compiler (or a host without plain binary64 "
                                       "doubles): native loops are off")


@pytest.fixture(autouse=True)
def _sync(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("ESIM_NATIVE", "sync")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "native-cache"))


def passes(fn: Any) -> int:
    """Passes run in C by the loops of ``fn``'s translations (every one in the cache)."""
    total = 0
    for cp in list(jit._CACHE.values()):
        if cp.program.functions[cp.program.entry].name == fn.__name__ and cp.native:
            total += sum(f.passes for f in cp.native.functions())
    return total


# --- kernels ----------------------------------------------------------------------------------

def f32_specials(n):
    small = 1.0
    big = 1.0
    nans = 0
    subs = 0
    for i in range(n):
        small = small * 0.75 + 0.0
        if small < 1.1754943508222875e-38 and small > 0.0:
            subs += 1
        if small == 0.0:
            small = 1.0
        big = big * 1.5
        d = big - big
        if d != d:
            nans += 1
            big = 1.0
    return small, big, nans, subs


def int_overflow_late(n):
    s = 0
    for i in range(n):
        s += i
    return s


def zero_divisor_late(n):
    t = 0.0
    for i in range(n):
        t += 1.0 / (20000 - i)
    return t


def while_counting(n):
    i = 0
    a = 0
    b = 1.5
    while i < n:
        a = (a * 7 + i) % 1000
        b = b * 0.999 + 0.5
        i += 1
    return a, b


def break_late(n):
    t = 0
    for i in range(n):
        t += i % 5
        if i == n - 7:
            break
    return t, i


def return_late(n):
    t = 0.5
    for i in range(n):
        t = t * 0.5 + 1.0
        if i == n - 3:
            return t, i
    return t


def bool_flags(n):
    f = True
    c = 0
    for i in range(n):
        f = not f
        if f:
            c += 1
        g = f and i > 5
        if g:
            c += 2
    return f, c


def int_ops(n):
    acc = 0.0
    k = 0
    for i in range(n):
        acc += i / 3
        acc += i * 0.5
        k = k + i // 7 - i % 7 + ((i << 3) >> 2) - (i & 12) + (i | 3) - (i ^ 5) + (-i // 3)
        k = k % 100003
    return acc, k


def class_change(n):
    t = 0
    for i in range(n):
        if i % 2:
            t = t + 1
        else:
            t = t + 0.5
    return t


def prints_sometimes(n):
    t = 0
    for i in range(n):
        t += i % 3
        if i % 9000 == 0:
            print(i, t)
    return t


def nested_long(n):
    t = 0
    for i in range(3):
        for j in range(n):
            t = (t + i * j) % 65521
    return t


def nested_short(n):
    t = 0
    for i in range(n):
        for j in range(7):
            t = (t + i * j) % 10007
        for j in range(i % 5):
            t += 1
    return t


def nested_three(n):
    t = 0.5
    for i in range(n):
        for j in range(4):
            for k in range(3):
                t = t * 0.5 + (i - j + k)
    return t


def negative_steps(n):
    t = 0
    for i in range(n, 0, -3):
        t = (t * 31 + i) % 1000003
    return t, i


def over_a_list(xs):
    t = 0.0
    for _ in range(200):
        for x in xs:
            t = t + x
    return t


def float_truth(n):
    x = 3.0
    c = 0
    for i in range(n):
        x = x - 0.5
        if x:
            c += 1
        if not x:
            x = 3.0
        if abs(x) > 1.0:
            c -= 1
    return c


def inner_len(xs, n):
    t = 0
    for i in range(n):
        for j in range(len(xs)):
            t = (t + j * i) % 1009
    return t


def range_of_bool(n):
    t = 0
    for i in range(n):
        for j in range(i > 3):
            t += j + 1
        for j in range(3):
            t = (t * 3 + j) % 1009
    return t


def array_sum(a, n):
    t = 0.0
    for _ in range(n):
        for i in range(len(a)):
            t = t + a[i]
    return t


# --- the engines agree, and the loops ran in C -------------------------------------------------

NATIVE = [
    (poly_f32, [9000]),
    (f32_specials, [12000]),
    (while_counting, [12000]),
    (break_late, [20000]),
    (return_late, [20000]),
    (bool_flags, [15000]),
    (int_ops, [9000]),
    (prints_sometimes, [30000]),
    (nested_long, [9000]),
    (nested_short, [3000]),
    (nested_three, [2500]),
    (negative_steps, [60000]),
    (float_truth, [12000]),
    (int_overflow_late, [70000]),
    (zero_divisor_late, [30000]),
]


@pytest.mark.parametrize("fn,args", NATIVE, ids=[f.__name__ for f, _ in NATIVE])
def test_native_loops_agree_with_the_reference(fn: Any, args: list[Any]) -> None:
    before = passes(fn)
    out = assert_same_direct(fn, args)
    assert out["instructions"] > 100_000
    assert passes(fn) > before, "no pass ran in C"


def test_ranges_made_in_c_charge_the_heap_as_the_python_code_does() -> None:
    """Inner loops' ranges are made in C (two small objects each, within the heap's limit or
    at a new peak); where a collection is due C bails: over a sweep of workspaces the engines
    agree on peaks, on what is in use and on where MemoryError strikes."""
    before = passes(nested_short)
    errors = errors_over_workspaces(nested_short, [3000], range(120, 2000, 97))
    assert passes(nested_short) > before
    assert errors  # the small workspaces run out


def test_faults_in_a_native_pass_are_the_reference_faults() -> None:
    over = assert_same_direct(int_overflow_late, [70000])
    assert "OverflowError" in over["error"][1] or over["error"][0]
    zero = assert_same_direct(zero_divisor_late, [30000])
    assert "division" in zero["error"][1] or "zero" in zero["error"][1]


@pytest.mark.parametrize("fn,args", [
    (class_change, [30000]),
    (over_a_list, [[1.5, 2.25, -3.0] * 40]),
    (array_sum, [np.arange(40, dtype=np.float32), 600]),
    (inner_len, [[1, 2, 3, 4], 4000]),
    (range_of_bool, [6000]),
], ids=["class_change", "over_a_list", "array_sum", "inner_len", "range_of_bool"])
def test_loops_that_stay_python_agree(fn: Any, args: list[Any]) -> None:
    out = assert_same_direct(fn, args)
    assert out["instructions"] > 60_000


def test_the_rotated_while_loop_runs_in_c(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    monkeypatch.setattr(builtins, "coreid", lambda: 0, raising=False)
    before = passes(monte_carlo_pi)
    assert_same_direct(monte_carlo_pi, [9000])
    assert passes(monte_carlo_pi) > before


def test_off_means_no_pass_in_c(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESIM_NATIVE", "0")
    before = passes(while_counting)
    assert_same_direct(while_counting, [13000])
    assert passes(while_counting) == before


def test_a_build_failure_is_an_error_in_sync_mode_and_a_warning_otherwise(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # nothing built yet
    monkeypatch.setenv("CC", "false")
    jit._CACHE.clear()
    with pytest.raises(native.BuildError, match="failed on a native loop"):
        assert_same_direct(break_late, [20001])
    jit._CACHE.clear()
    monkeypatch.setenv("ESIM_NATIVE", "1")
    with caplog.at_level(logging.WARNING, logger="esim.cores.jit.native"):
        for _ in range(3):  # the background build fails; the loop stays Python
            assert_same_direct(break_late, [20002])
    assert passes(break_late) == 0
    jit._CACHE.clear()


def test_built_loops_come_from_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    jit._CACHE.clear()
    assert_same_direct(negative_steps, [60001])
    built = list((tmp_path / "epython" / "native").glob("loop-*.so"))
    assert built
    monkeypatch.setenv("CC", "false")  # a build now would fail: the cache serves
    jit._CACHE.clear()
    before = passes(negative_steps)
    assert_same_direct(negative_steps, [60001])
    assert passes(negative_steps) > before
    jit._CACHE.clear()


def test_the_cache_keeps_the_newest_libraries(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    libs = [native.build(f"int epy_loop(void) {{ return {k}; }}\n") for k in range(4)]
    for k, lib in enumerate(libs):
        os.utime(lib, (1000 + k, 1000 + k))
    monkeypatch.setattr(native, "CACHE_LIMIT", 2)
    native._prune(libs[0].parent)
    assert sorted(p.name for p in libs[0].parent.glob("loop-*.so")) == sorted(
        p.name for p in libs[2:])


def test_the_translation_keeps_doubles_exact() -> None:
    """The C source rounds as the Python does: hex float literals, the float cast, and the
    compiler's flags forbid contraction into fused multiply-adds."""
    assert "-ffp-contract=off" in native.CFLAGS and "-fno-fast-math" in native.CFLAGS
    assert c_float(0.1) == "(0x1.999999999999ap-4)"
    assert c_float(float("-inf")) == "(-__builtin_inf())"


# --- generated kernels, repeated past many ticks ------------------------------------------------

def repeated(source: str, reps: int) -> str:
    """The generated kernel with its body (all but the final return) in a loop of ``reps``."""
    lines = source.rstrip("\n").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("def kernel("))
    body, ret = lines[at + 1:-1], lines[-1]
    assert ret.startswith("    return")
    loop = ["    for _rep in range(%d):" % reps] + ["    " + line for line in body]
    return "\n".join(lines[:at + 1] + loop + [ret]) + "\n"


@prop_settings(weight=0.3)
@given(case=kernel_cases(floats=True, arrays=True, multicore=False, prints=False,
                         helpers=False))
def test_generated_kernels_repeated_agree_with_the_reference(case: Any) -> None:
    source = repeated(case.source, 1500)
    note(source)
    kernel = C.write_module(source).kernel
    assert_same_direct(kernel, [to_wire(a) for a in case.args])


# --- generated numeric loops (what the translation has forms for, faults included) ----------

INTS, FLOATS = ("i0", "i1", "i2", "k", "j"), ("f0", "f1", "f2")


@st.composite
def int_expr(draw: Any, depth: int = 2) -> str:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(INTS)) if draw(st.booleans()) else str(
            draw(st.integers(-60, 60)))
    op = draw(st.sampled_from(["+", "-", "*", "//", "%", "&", "|", "^", ">>", "<<", "neg"]))
    a = draw(int_expr(depth - 1))
    if op == "neg":
        return f"(-{a})"
    b = str(draw(st.integers(0, 5))) if op in (">>", "<<") else draw(int_expr(depth - 1))
    return f"({a} {op} {b})"


@st.composite
def float_expr(draw: Any, depth: int = 2) -> str:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        kind = draw(st.integers(0, 3))
        if kind == 0:
            return draw(st.sampled_from(INTS))
        if kind == 1:
            return repr(draw(st.sampled_from([0.0, 0.5, -1.25, 3.0, 1e-30, 7.5e37, 1e-38])))
        return draw(st.sampled_from(FLOATS))
    op = draw(st.sampled_from(["+", "-", "*", "/", "neg"]))
    a = draw(float_expr(depth - 1))
    if op == "neg":
        return f"(-{a})"
    return f"({a} {op} {draw(float_expr(depth - 1))})"


@st.composite
def condition(draw: Any) -> str:
    if draw(st.booleans()):
        a, b = draw(int_expr(1)), draw(int_expr(1))
    else:
        a, b = draw(float_expr(1)), draw(float_expr(1))
    test = f"{a} {draw(st.sampled_from(['<', '<=', '>', '>=', '==', '!=']))} {b}"
    if draw(st.integers(0, 3)) == 0:
        test = f"not ({test}) {draw(st.sampled_from(['and', 'or']))} {draw(int_expr(1))}"
    return test


@st.composite
def statements(draw: Any, depth: int, ind: int) -> list[str]:
    out = []
    pad = "    " * ind
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 9))
        if kind <= 3:
            var = draw(st.sampled_from(INTS[:3]))
            out.append(f"{pad}{var} = ({draw(int_expr())}) % {draw(st.sampled_from([97, 10007, 65521]))}")
        elif kind <= 6:
            var = draw(st.sampled_from(FLOATS))
            out.append(f"{pad}{var} = {draw(float_expr())}")
            out.append(f"{pad}if {var} > 1e30 or {var} < -1e30:")
            out.append(f"{pad}    {var} = 0.5")
        elif kind == 7 and depth > 0:  # an inner loop: its range made in C
            out.append(f"{pad}for j in range(({draw(int_expr(1))}) % {draw(st.integers(1, 9))}):")
            out += draw(statements(depth - 1, ind + 1))
        elif kind <= 8 and depth > 0:
            out.append(f"{pad}if {draw(condition())}:")
            out += draw(statements(depth - 1, ind + 1))
            if draw(st.booleans()):
                out.append(f"{pad}else:")
                out += draw(statements(depth - 1, ind + 1))
        else:
            out.append(f"{pad}if k == {draw(st.integers(3000, 9000))}:")
            out.append(f"{pad}    {draw(st.sampled_from(['break', 'continue']))}")
    return out


@st.composite
def numeric_loops(draw: Any) -> str:
    body = draw(statements(2, 2))
    return "\n".join(["def kernel(n, a, b):",
                      "    i0 = a", "    i1 = 3", "    i2 = a - 7",
                      "    f0 = b", "    f1 = 0.5", "    f2 = b * 3.0", "    j = 0",
                      "    for k in range(n):", *body,
                      "    return i0, i1, i2, f0, f1, f2"]) + "\n"


@prop_settings(weight=0.3)
@given(source=numeric_loops(), a=st.integers(-1000, 1000), b=st.sampled_from([0.1, -2.5, 1e-20]))
def test_generated_numeric_loops_agree_with_the_reference(source: str, a: int, b: float) -> None:
    note(source)
    kernel = C.write_module(source).kernel
    assert_same_direct(kernel, [6000, a, b])
