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

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
