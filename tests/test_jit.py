"""Differential tests: the JIT engine (esim/cores/jit.py) against the reference interpreter.

Both engines must give the same results, printed output, errors (code, message, function and
line), cycles and instruction counts (also at every Request the core sees), peak memory, and
MemoryError/RecursionError at the same points.  Kernels run (a) directly on an Interpreter with
many workspace sizes, so memory errors are hit at many different instructions, and (b) on a
whole simulated chip, comparing every core's outcome and the final simulated time.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epython.bytecode.protocol import MAX_CALL_DEPTH
from epython.compiler import compile_kernel
from esim.chip import Chip
from esim.cores.interp import Interpreter, KernelFault
from esim.cores.memory import from_wire, to_wire
from tests.kernels import Case, cases, params
from tests.kernels.functions import fib
from tests.kernels.printing import long_loop_prints

ROOT = Path(__file__).resolve().parent.parent

# --- the corpus: tests/kernels (every case that runs: one-core ones directly, the others on a
# chip; the "sweep" cases also over many workspace sizes) --------------------------------------
RUNS = cases(without=("refused", "deadlock"))
#: a direct run has no memory bound: the kernels that stop only at MemoryError run in the sweep
DIRECT = [c for c in RUNS if c.cores == 1 and c.error is not MemoryError]


# --- harness ----------------------------------------------------------------------------------


def _program(fn: Any) -> Any:
    return compile_kernel(fn).program


def run_direct(fn: Any, args: list[Any], engine: str, workspace: int | None = None) -> dict[str, Any]:
    """Run on a bare Interpreter; replies None to every Request; records everything."""
    program = _program(fn)
    interp = Interpreter(program, 0, 1, workspace=workspace, engine=engine)
    gen = interp.run([from_wire(a) for a in args])
    requests = []
    out: dict[str, Any] = {}
    try:
        request = next(gen)
        while True:
            requests.append((request.name, request.args, request.func, request.line,
                             interp.cycles, interp.instructions))
            request = gen.send(None)
    except StopIteration as stop:
        out["value"] = repr(to_wire(stop.value))  # arrays by their contents
    except KernelFault as fault:
        out["error"] = (fault.code, fault.message, fault.func, fault.lineno)
    out.update(requests=requests, cycles=interp.cycles, instructions=interp.instructions,
               peak=interp.heap.peak, used=interp.heap.used, frames=interp.heap.frames)
    return out


def assert_same_direct(fn: Any, args: list[Any], workspace: int | None = None) -> dict[str, Any]:
    ref = run_direct(fn, args, "reference", workspace)
    jit = run_direct(fn, args, "jit", workspace)
    assert jit == ref, (fn.__name__, args, workspace)
    return ref


def errors_over_workspaces(fn: Any, args: list[Any], workspaces: Any) -> set[tuple[int, int]]:
    """(error code, line) of the faults over a sweep of workspaces, the engines agreeing."""
    errors = set()
    for workspace in workspaces:
        out = assert_same_direct(fn, list(args), workspace)
        if "error" in out:
            errors.add((out["error"][0], out["error"][3]))
    return errors


def run_chip(fn: Any, args: list[Any], engine: str, monkeypatch: pytest.MonkeyPatch,
             chip: str = "e16", cores: int = 16) -> dict[str, Any]:
    monkeypatch.setenv("ESIM_ENGINE", engine)
    c = Chip(chip)
    launch = c.launch(compile_kernel(fn).image, list(args), list(range(cores)))
    c.run_until(lambda: launch.finished)
    outcomes = {}
    for core, o in launch.outcomes.items():
        d = asdict(o)
        d["value"] = repr(d["value"])
        d["array_updates"] = repr(d["array_updates"])
        outcomes[core] = d
    return {"outcomes": outcomes, "now": c.env.now, "order": launch.completion_order,
            "lines": [(line.cycle, line.core, line.text) for line in launch.lines]}


def assert_same_chip(fn: Any, args: list[Any], monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    ref = run_chip(fn, args, "reference", monkeypatch, **kw)
    jit = run_chip(fn, args, "jit", monkeypatch, **kw)
    assert jit == ref
    return ref


@pytest.mark.parametrize("case", params(DIRECT))
def test_engines_agree_directly(case: Case) -> None:
    assert_same_direct(case.fn, list(case.fresh_args()))


@pytest.mark.parametrize("case", params(cases("sweep")))
def test_memory_and_recursion_errors_at_the_same_points(case: Case) -> None:
    errors = set()
    for workspace in list(range(60, 1200, 23)) + list(range(1200, 6000, 211)):
        out = assert_same_direct(case.fn, list(case.fresh_args()), workspace)
        if "error" in out:
            errors.add((out["error"][0], out["error"][3]))
    assert errors  # the sweep hit memory errors


@pytest.mark.parametrize("case", params([c for c in RUNS if c.cores > 1]))
def test_engines_agree_on_a_chip(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_chip(case.fn, list(case.fresh_args()), monkeypatch, cores=case.cores)


def test_engines_agree_with_ticks_on_a_chip(monkeypatch: pytest.MonkeyPatch) -> None:
    ref = assert_same_chip(long_loop_prints, [120000], monkeypatch, cores=4)
    assert ref["outcomes"][0]["instructions"] > 200000


def test_unknown_engine_is_rejected() -> None:
    with pytest.raises(ValueError, match="engine"):
        Interpreter(_program(fib), 0, 1, engine="fast")


def test_translation_is_cached_per_image() -> None:
    from esim.cores import jit

    a = jit.compiled(_program(fib))
    b = jit.compiled(_program(fib))
    assert a is b
    assert "def f0(" in a.source


# --- hypothesis: random arithmetic expressions --------------------------------------------------

_OPS = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "<", "<=", "==", "!=",
        ">", ">=", "and", "or"]


def _expr(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(["a", "b", "c", "x", "y"]),
                     st.integers(-300, 300).map(str),
                     st.sampled_from(["0.5", "1.25", "-3.0", "1e20", "True", "0"]))
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(_OPS), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", "not ", "~", "abs", "int", "float"]), sub).map(
            lambda t: f"{t[0]}({t[1]})"),
        st.tuples(sub, sub, sub).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
    )


_COUNTER = [0]


def _kernel_from(body: str, tmp: Path) -> Any:
    _COUNTER[0] += 1
    name = f"hyp_kernel_{_COUNTER[0]}"
    path = tmp / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.k


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(e1=_expr(3), e2=_expr(2), a=st.integers(-2**31, 2**31 - 1), b=st.integers(-50, 50),
       c=st.sampled_from([0, 1, 7, -2, 65535]),
       x=st.floats(-1e6, 1e6, allow_nan=False, width=32), y=st.sampled_from([0.0, -0.0, 2.5, 1e-30]))
def test_random_expressions_agree(tmp_path_factory: pytest.TempPathFactory, e1: str, e2: str,
                                  a: int, b: int, c: int, x: float, y: float) -> None:
    tmp = tmp_path_factory.mktemp("hyp")
    body = f"""
    def k(a, b, c, x, y):
        t = 0
        for i in range(3):
            t = {e1}
            a = b
            b = {e2}
        return t, a, b
    """
    try:
        kernel = _kernel_from(body, tmp)
        compile_kernel(kernel)
    except Exception:  # noqa: BLE001 - the compiler may reject a generated kernel
        return
    assert_same_direct(kernel, [a, b, c, x, y])


def test_benchmarks_quick_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fib" in done.stdout and "ratio" in done.stdout
    # a progress line per kernel, then the launch and scale parts, on stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert len(progress) >= 3 and progress[0].startswith("[1/") and "fib" in done.stderr


def test_float_rounding_matches_struct_rounding() -> None:
    from array import array

    from esim.cores.values import f32

    box = array("f", [0.0])
    for v in [0.1, 1e39, -1e39, 3.4028235e38, 3.4028236e38, 3.40282357e38, 1e-46, -0.0,
              math.inf, -math.inf, 1.0000000596046448, 16777217.0, 2.0 ** -149 * 0.5]:
        box[0] = v
        assert repr(box[0]) == repr(f32(v)), v


# --- the fast paths of the static types, the counter and the loops -------------------------------


def add_literals(x, y):
    a = x + 1
    b = y - 1
    c = y + (-1)
    d = x - (-1)
    return a, b, c, d


def mul_shift_literals(x):
    a = x * 2
    b = x << 1
    c = x // -1
    return a, b, c


def locals_change_class(n):
    s = 0
    t = 1
    for i in range(n):
        s = s + 0.5 if i % 2 else s + 1
        t = t * 3 if i < 5 else t // 2
        if i == 3:
            t = True
    return s, t


def float_edges(x, y):
    a = x * y
    b = x / y
    c = a * a
    d = -x * 0.0
    e = x - x
    return a, b, c, d, e, 0.5 * x, x + 1, 3 / 7


def float_sums(x, y):
    a = x + y
    b = x - y
    c = x * 0.5
    d = x / 4.0
    e = y * 2.0
    f = 0.25 * x - y
    g = 3 * 0.5
    return a, b, c, d, e, f, g, x + x, y - x


def shifts_by_locals(x, n):
    k = 3
    t = 0
    for j in range(n):
        t = t + (x >> k) + (x << k) + (j >> k)
        k = j % 5
    return t, shift_helper(x, n % 7)


def bool_int_spans(flag, arr):
    x = 10
    if flag:
        x = True
    i = x - 5  # 5 from the int; -4 from True (through ops.binary)
    lst = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    row = arr[1]  # a view: its elements start past the first row's
    return lst[i], row[i], i + 2147483640, i * 429496729


def loop_spans(n):
    k = 0
    t = 0
    for i in range(n):
        k = k + 1000000000  # the third iteration overflows
        t = t + i % 7 * 306783378
    return k, t


def dict_paths(n, missing):
    d = {1: "a", 2.5: "b", None: 0, "k": 1, (1, 2): 2}
    t = 0
    for i in range(n):
        k = i % 4 + 10
        d[k] = d.get(k, 0) + 1  # new keys, then existing ones
        t += d[k] + d.get("k") + d.get(None, 5)
    s = d[True] + d[2.5] + d["k"] * 0 * "x" + str(d[(1, 2)])  # True: the key 1
    return t, s, d.get(missing), d[missing]


def shift_helper(a, b):
    return a >> b, a << b


def int_float_mix(i, y):
    return i * y, y - i, i / 3, i / y, 7 / i, 16777217 * y, i + 0.0


def loops_with_exits(n, word):
    total = 0
    for i in range(n):
        for ch in word:
            if ch == "x":
                break
            total += 1
        else:
            total += 100
        if i > 7:
            return total, i
        for j in range(i):
            if j % 2:
                continue
            total += j
    for k in range(0):
        total = -1
    return total, n


def long_loop_then_print(n):
    s = 0
    for i in range(n):
        s += i % 7
    print(s)
    for j in range(n):
        if j % 3 == 0:
            s -= 1
    return s


@pytest.mark.parametrize(("fn", "args"), [
    (add_literals, [2147483646, -2147483647]),
    (add_literals, [2147483647, 0]),
    (add_literals, [0, -2147483648]),
    (add_literals, [5, 7]),
    (mul_shift_literals, [1073741823]),
    (mul_shift_literals, [1073741824]),
    (mul_shift_literals, [-1073741825]),
    (mul_shift_literals, [-2147483648]),
    (locals_change_class, [12]),
    (float_edges, [3.0, 7.0]),
    (float_edges, [1e-20, 1e-20]),
    (float_edges, [3e38, 3.0]),
    (float_edges, [-1e-30, 1e10]),
    (float_edges, [1.0000001192092896, 1.0000001192092896]),
    (float_edges, [-0.0, 5.0]),
    (float_edges, [0.0, 0.0]),
    (float_sums, [1.401298464324817e-45, 2.802596928649634e-45]),  # subnormal sums
    (float_sums, [1.1754943508222875e-38, -1.1754942106924411e-38]),  # normal - normal
    (float_sums, [2.350988701644575e-38, 5e-45]),  # halving into the subnormals
    (float_sums, [3.4028234663852886e38, 3.4028234663852886e38]),  # sums overflow
    (float_sums, [-3.4028234663852886e38, 2.028240960365167e31]),  # just below the tie
    (float_sums, [3.4028234663852886e38, -0.0]),
    (float_sums, [float("inf"), float("-inf")]),
    (float_sums, [float("nan"), 1.0]),
    (float_sums, [1.0, -1.0]),
    (float_sums, [-0.0, 0.0]),
    (shifts_by_locals, [1000, 12]),  # shift counts folded from int locals and int params
    (shifts_by_locals, [-77, 9]),
    (bool_int_spans, [False, np.arange(22, dtype=np.int32).reshape(2, 11)]),  # bool operands
    (bool_int_spans, [True, np.arange(22, dtype=np.int32).reshape(2, 11)]),
    (dict_paths, [9, "k"]),  # dict lookups, get and stores of immediate keys inline
    (dict_paths, [9, 7]),  # KeyError at the last lookup
    (dict_paths, [9, [1]]),  # unhashable
    (loop_spans, [2]),  # spans widened at a loop's back edge
    (loop_spans, [3]),
    (int_float_mix, [16777217, 0.5]),
    (int_float_mix, [-16777219, 3.0]),
    (int_float_mix, [16777216, -0.0]),
    (int_float_mix, [2147483647, 1e-3]),
    (int_float_mix, [-2147483648, 2.5]),
    (loops_with_exits, [12, "abxc"]),
    (loops_with_exits, [3, "ab"]),
    (long_loop_then_print, [30000]),
])
def test_fast_paths_agree_with_the_reference(fn: Any, args: list[Any]) -> None:
    """Literal operands, one-sided int32 checks at the boundaries, ints rounded to float32
    beyond 2**24, locals whose class changes,
    float32 rounding near zero, subnormals and overflow, shift counts taken from locals, loops left by break, continue,
    return and exhaustion, and ticks inside a loop's charged-ahead segments."""
    assert_same_direct(fn, args)


def depth_chain(n):
    if n <= 0:
        return 0
    return depth_chain(n - 1) + 1


def leaf_plus(x):
    return x + 1


def depth_then_leaf(n):
    if n <= 0:
        return leaf_plus(n)
    return depth_then_leaf(n - 1) + 1


@pytest.mark.parametrize("fn", [depth_chain, depth_then_leaf])
@pytest.mark.parametrize("n", [MAX_CALL_DEPTH - 3, MAX_CALL_DEPTH - 2, MAX_CALL_DEPTH - 1,
                               MAX_CALL_DEPTH, MAX_CALL_DEPTH + 5])
def test_call_depth_limit_inside_calls(fn: Any, n: int) -> None:
    """The call depth (a parameter of the generated functions) hits MAX_CALL_DEPTH at the
    reference's call, with a yielding recursive callee and a plain (never-yielding) leaf."""
    out = assert_same_direct(fn, [n])
    total = n + 1 + (fn is depth_then_leaf)  # frames, the entry's included
    assert ("error" in out) == (total > MAX_CALL_DEPTH), out.get("error")


def test_recursion_with_ticks_and_memory_limits_agree() -> None:
    """Deep recursion across ticks (fib: ~40,000 instructions) and MemoryError from frames
    pushed inside nested calls, over a sweep of workspaces."""
    out = assert_same_direct(fib, [17])
    assert len(out["requests"]) >= 1  # ticks
    assert errors_over_workspaces(depth_chain, [50], range(200, 4000, 97))


def test_float32_splitting_is_the_store_rounding() -> None:
    """Veltkamp's splitting (the generated code's float32 rounding in the normal range) is
    round-to-nearest-even on 24 bits: the array('f') store's result, ties included."""
    import random
    from array import array

    box = array("f", [0.0])
    rnd = random.Random(19)
    for _ in range(20000):
        e = rnd.randint(-126, 127)
        m = rnd.getrandbits(25) | (1 << 24) | (rnd.random() < 0.5)  # ties when odd
        r = math.ldexp(m, e - 24) * rnd.choice((1, -1))
        if rnd.random() < 0.5:
            r = math.ldexp(rnd.getrandbits(53) | (1 << 52), e - 52)
        if not 1.1754943508222875e-38 <= abs(r) <= 3.4028234663852886e38:
            continue
        rc = r * 536870913.0
        box[0] = r
        assert rc - (rc - r) == box[0], r


def test_sum_and_power_of_two_roundings_are_the_store_rounding() -> None:
    """round_f32's "sum" form (a sum or difference of two binary32 values: the splitting, then
    the range test) and its "exact" form (a product with a power of two: the range test
    alone) give the array('f') store's result, across the subnormals, zeros and overflow."""
    import random
    import struct
    from array import array

    from esim.cores.jit.fast import round_f32

    box = array("f", [0.0])
    env: dict[str, Any] = {"F32": box}
    forms = {how: compile(round_f32("t", "a " + sym + " b", how), how, "exec")
             for how, sym in (("sum", "+"), ("exact", "*"))}
    rnd = random.Random(23)

    def f32() -> float:
        bits = rnd.getrandbits(32)
        if rnd.random() < 0.3:  # small exponents: subnormals and the bottom of the normals
            bits = (bits & 0x80FFFFFF) | (rnd.randint(0, 3) << 23)
        if rnd.random() < 0.1:  # the top: overflow
            bits = (bits & 0x80FFFFFF) | (rnd.randint(250, 254) << 23)
        return struct.unpack("<f", struct.pack("<I", bits))[0]

    def same(x: float, y: float) -> bool:  # bit for bit, any nan for any nan
        return struct.pack("<f", x) == struct.pack("<f", y) or (x != x and y != y)

    for _ in range(30000):
        a, b = f32(), f32()
        env.update(a=a, b=b)
        exec(forms["sum"], env)
        box[0] = a + b
        assert same(env["t"], box[0]), (a, b)
        env["b"] = math.ldexp(1.0, rnd.randint(-30, 30)) * rnd.choice((1, -1))
        exec(forms["exact"], env)
        box[0] = a * env["b"]
        assert same(env["t"], box[0]), (a, env["b"])


def strs_and_literals(n):
    s = "x"
    t = 0
    parts = []
    for i in range(n):
        s = s + "ab"
        t = t + 3
        if t % 2 == 0:
            parts.append(s * 2)
        t = t - 1 if len(s) > 9 else t + 2
    return len(parts), t


def test_dict_growth_meets_memory_errors_at_the_same_points() -> None:
    assert errors_over_workspaces(dict_paths, [40, "k"], range(200, 2000, 61))


def test_literal_slots_are_not_roots() -> None:
    """Literals an operator takes from the source leave their stack slot stale: the live roots
    skip slots that only ever hold immediates, so MemoryError comes at the reference's points."""
    assert errors_over_workspaces(strs_and_literals, [30], range(100, 1500, 37))
