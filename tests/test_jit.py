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

from epython.compiler import compile_kernel
from epython.parallel import bcast, coreid, numcores, recv, reduce, send, sendrecv, sync
from esim.chip import Chip
from esim.cores.interp import Interpreter, KernelFault
from esim.cores.memory import from_wire

ROOT = Path(__file__).resolve().parent.parent

# --- the corpus --------------------------------------------------------------------------------


def int_loops(n):
    s = 0
    for i in range(n):
        for j in range(50):
            if (i + j) % 3 == 0:
                s += i * j % 7
            else:
                s -= 1
    return s


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def poly(n):
    x = 0.5
    acc = 0.0
    for i in range(n):
        acc = acc + ((1.5 * x - 2.25) * x + 0.125) * x - 1.0 / (x + 3.0)
        x = x + 0.001
    return acc


def lcg_pi(n):
    seed = 12345
    inside = 0
    for i in range(n):
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        x = seed / 2147483647.0
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        y = seed / 2147483647.0
        if x * x + y * y <= 1.0:
            inside += 1
    return 4.0 * inside / n


def overflow_mid_block(n):
    x = 1
    for i in range(n):
        x = x * 3 + 1  # OVERFLOW
    return x


def divide(a, b):
    q = a // b
    r = a % b
    return q, r, a / b


def float_edge(x):
    big = x * 1e30
    inf = big * big
    tiny = x / 1e30 / 1e30
    return big, inf, tiny, -inf, inf - inf > 0, x ** 2, x ** 0.5, 2 ** -2, 7 // 2.5, -7 % 2.5


def bitops(a, b):
    return a & b, a | b, a ^ b, a << 3, a >> 2, ~a, -a, +a, not a, a >> 40, (-a) >> 3


def shift_overflow(a):
    return a << 30


def strings(n):
    s = ""
    for i in range(n):
        s = s + str(i) + ","
    t = f"{n:5d}|{1.5:.3f}|{s[:5]}|{'x'!r}|{n}"
    return s, t, len(s), "3," in s, s[2], s[-1], s[1:7:2]


def lists(n):
    xs = []
    for i in range(n):
        xs.append(i * i)
    ys = xs.copy()
    last = ys.pop()
    first = ys.pop(0)
    zs = [1, 2, 3] + [4] * 2
    total = 0
    for k, v in enumerate(xs):
        total += k * v
    for a, b in zip(xs, ys):
        total -= a - b
    xs[0] = 99
    return xs[:3], last, first, zs, total, min(xs), max(ys), sum(zs), len(xs), 4 in zs


def tuples(n):
    t = (n, n + 1, n + 2)
    a, b, c = t
    u = t + (a,)
    d, e = b, c
    e, d = d, e
    return u, a + b + c, d, e, t == (n, n + 1, n + 2), t < (n, n + 2), (1,) * 3


def arrays(v, m):
    s = 0.0
    for i in range(len(v)):
        v[i] = v[i] * 2.0 + 1
        s += v[i]
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] = m[i, j] + i - j
    row = m[1]
    row[0] = 7
    return s, v[-1], m[0, 0], len(row), m.shape, row[0]


def matvec(a, x, y):
    n = a.shape[0]
    k = a.shape[1]
    for i in range(n):
        acc = 0.0
        row = a[i]
        for j in range(k):
            acc += row[j] * x[j]
        y[i] = acc
    return y[0]


def builtins_math(x):
    return (abs(-3), abs(-2.5), round(2.5), round(2.567, 2), int(3.9), int("12"), float("1.5"),
            float(3), bool(0), bool([1]), str(1.1), math.sqrt(x), math.sin(x), math.cos(x),
            math.exp(x / 10), math.log(x), math.log(x, 2), math.floor(-x), math.ceil(x),
            math.fabs(-x), math.pow(x, 3), math.atan2(x, 1.0), min(3, 1, 2), max(1.5, 2),
            math.log10(x), math.tan(0.5), math.atan(1.0))


def prints(n):
    for i in range(n):
        print(i, i * 0.5, "x", sep="-", end=";" if i % 2 else "\n")
    print("done", [1, 2], (3,), None, True)
    return n


def long_loop_prints(n):
    s = 0
    for i in range(n):
        s = (s + i * 7) % 1000
        if i % 20000 == 0:
            print(i, s)
    return s


def unbound(flag):
    if flag:
        y = 1
    return y


def raises(n):
    if n > 3:
        raise ValueError("too big")
    assert n > 0, "must be positive"
    return n


def index_error(n):
    xs = [1, 2, 3]
    return xs[n]


def deep(n):
    if n == 0:
        return 0
    return 1 + deep(n - 1)


def helper_leaf(a, b):
    return a * b - (a if a > b else b)


def calls_leaf(n):
    t = 0
    for i in range(n):
        t = t + helper_leaf(i, 3)
    return t


def mutual_even(n):
    if n == 0:
        return True
    return mutual_odd(n - 1)


def mutual_odd(n):
    if n == 0:
        return False
    return mutual_even(n - 1)


def grow_list(n):
    xs = []
    for i in range(n):
        xs.append(i)
    return len(xs)


def garbage_strings(n):
    s = ""
    for i in range(n):
        s = str(i)
    return s


def long_string(n):
    s = ""
    for i in range(n):
        s = s + "abcdefgh"
    return len(s)


def nested_lists(n):
    grid = []
    for i in range(n):
        row = []
        for j in range(n):
            row.append((i, j, f"{i}{j}"))
        grid.append(row)
    out = []
    for row in grid:
        for cell in row:
            out.append(cell[2])
    return len(out), out[-1]


def recursive_strings(n):
    if n == 0:
        return "x"
    return recursive_strings(n - 1) + str(n)


def while_loops(n):
    i = 0
    total = 0
    while i < n and total < 100000:
        total += i if i % 2 == 0 or i % 5 == 0 else -i
        i += 1
    while True:
        i -= 7
        if i < 0:
            break
    return total, i, not total, n > 3 or n < -3


def mixed_types(a, b):
    return a + b, a * b, a - b, a / b, a < b, a == b, a != b, True + 1, False * 2.0


def type_error(a):
    return a + "x"


def compare_error(a):
    return a < "x"


# --- parallel kernels (chip-level comparison) ---------------------------------------------------


def ring(n):
    me = coreid()
    p = numcores()
    v = me
    for _ in range(n):
        send(v, (me + 1) % p)
        v = recv((me - 1) % p) + 1
    return v


def stencil(cells, iters):
    me = coreid()
    p = numcores()
    u = []
    for i in range(cells + 2):
        u.append(float(me * cells + i))
    for _ in range(iters):
        # two phases of pairwise exchanges (p even): first with one neighbour, then the other
        if me % 2 == 0:
            u[cells + 1] = sendrecv(u[cells], (me + 1) % p)
            u[0] = sendrecv(u[1], (me - 1) % p)
        else:
            u[0] = sendrecv(u[1], (me - 1) % p)
            u[cells + 1] = sendrecv(u[cells], (me + 1) % p)
        new = [0.0] * (cells + 2)
        for i in range(1, cells + 1):
            new[i] = 0.5 * u[i] + 0.25 * (u[i - 1] + u[i + 1])
        u = new
    return sum(u)


def collectives(n):
    me = coreid()
    total = 0
    for i in range(n):
        total += reduce(me + i, "sum")
        total += bcast(me * i, i % numcores())
    sync()
    print(me, total)
    return total


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
        out["value"] = repr(stop.value)
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


CASES: list[tuple[Any, list[Any]]] = [
    (int_loops, [30]), (fib, [12]), (poly, [300]), (lcg_pi, [300]),
    (overflow_mid_block, [40]), (divide, [17, 5]), (divide, [-17, 5]), (divide, [17, 0]),
    (divide, [-2147483648, -1]), (divide, [7.5, 2]), (divide, [7.5, 0.0]),
    (float_edge, [3.0]), (float_edge, [1e10]), (bitops, [12345, 678]), (bitops, [-5, 3]),
    (shift_overflow, [1]), (shift_overflow, [7]), (strings, [12]), (lists, [9]), (tuples, [4]),
    (arrays, [np.arange(6, dtype=np.float32), np.arange(12, dtype=np.int32).reshape(3, 4)]),
    (matvec, [np.ones((4, 5), dtype=np.float32), np.arange(5, dtype=np.float32),
              np.zeros(4, dtype=np.float32)]),
    (builtins_math, [2.0]), (builtins_math, [-1.0]), (prints, [5]), (long_loop_prints, [60000]),
    (unbound, [True]), (unbound, [False]), (raises, [2]), (raises, [5]), (raises, [0]),
    (index_error, [1]), (index_error, [-4]), (index_error, [7]), (deep, [10]), (deep, [70]),
    (calls_leaf, [20]), (mutual_even, [21]), (mutual_even, [100]), (grow_list, [50]),
    (garbage_strings, [40]), (long_string, [30]), (nested_lists, [4]),
    (recursive_strings, [8]), (while_loops, [30]), (mixed_types, [3, 2.5]),
    (mixed_types, [True, 4]), (type_error, [1]), (compare_error, [1]), (fib, [22]),
]


@pytest.mark.parametrize(("fn", "args"), CASES, ids=lambda v: getattr(v, "__name__", None))
def test_engines_agree_directly(fn: Any, args: list[Any]) -> None:
    assert_same_direct(fn, args)


MEMORY_CASES: list[tuple[Any, list[Any]]] = [
    (grow_list, [400]), (garbage_strings, [300]), (long_string, [200]), (nested_lists, [12]),
    (recursive_strings, [40]), (deep, [60]), (lists, [120]), (strings, [80]), (mutual_even, [60]),
    (tuples, [3]), (arrays, [np.arange(6, dtype=np.float32), np.arange(12, dtype=np.int32).reshape(3, 4)]),
]


@pytest.mark.parametrize(("fn", "args"), MEMORY_CASES, ids=lambda v: getattr(v, "__name__", None))
def test_memory_and_recursion_errors_at_the_same_points(fn: Any, args: list[Any]) -> None:
    errors = set()
    for workspace in list(range(60, 1200, 23)) + list(range(1200, 6000, 211)):
        out = assert_same_direct(fn, args, workspace)
        if "error" in out:
            errors.add((out["error"][0], out["error"][3]))
    assert errors  # the sweep hit memory errors


@pytest.mark.parametrize(("fn", "args"), [
    (ring, [5]), (stencil, [6, 4]), (collectives, [3]), (prints, [3]), (int_loops, [5]),
    (deep, [70]), (raises, [5]),
], ids=lambda v: getattr(v, "__name__", None))
def test_engines_agree_on_a_chip(fn: Any, args: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_chip(fn, args, monkeypatch)


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


def test_float_rounding_matches_struct_rounding() -> None:
    from array import array

    from esim.cores.values import f32

    box = array("f", [0.0])
    for v in [0.1, 1e39, -1e39, 3.4028235e38, 3.4028236e38, 3.40282357e38, 1e-46, -0.0,
              math.inf, -math.inf, 1.0000000596046448, 16777217.0, 2.0 ** -149 * 0.5]:
        box[0] = v
        assert repr(box[0]) == repr(f32(v)), v
