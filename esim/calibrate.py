"""Compute costs from the real build: what each bytecode costs the Epiphany build of the core.

``python -m esim.calibrate`` runs a set of microkernels twice (two loop counts) on the device
backend over e-sim (``EPYTHON_EHAL=esim``: the real ``epycore.elf`` on Adapteva's instruction-set
simulator, whose CTIMER ticks once per instruction, so a launch's ``cycles`` are the Epiphany
instructions it executed) and counts, with the simulator's reference engine, how often each
opcode and builtin ran.  The difference between the two loop counts cancels the launch's fixed
cost; a least-squares fit over all kernels gives each opcode's cost in Epiphany instructions.

It writes ``esim/data/compute_costs.json`` (the toolchain, the commit of the build, the date, the
per-kernel measurements and the fitted instructions per opcode and builtin);
``python -m esim.calibrate --table`` generates ``epython/bytecode/costs.py`` from that file
(cycles = instructions + the pipeline's stalls, ``STALL_RULES`` below), and
``tests/test_calibration.py`` fails when the generated table is stale.  ``--report`` prints,
per kernel, the simulator's cycles per loop iteration over the instructions the real build
executes, which the fit aims to make the same for every kind of work (docs/timing-model.md).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from epython.bytecode.instr import Instr
from epython.bytecode.opcodes import BUILTINS, OPCODES, Op

__all__ = ["KERNELS", "Micro", "STALL_RULES", "count_ops", "fit", "generate_table", "main"]

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "compute_costs.json"
TABLE = ROOT / "epython" / "bytecode" / "costs.py"

#: Bits per counter in the tally that ``count_ops`` decodes from the reference engine's cycles.
_FIELD = 48
_NOPS = len(OPCODES)

#: How Epiphany cycles follow from the instructions e-sim counts (e-sim has no pipeline model).
#: Each rule: (name, cycles added per bytecode instruction dispatched, source).
STALL_RULES: tuple[tuple[str, int, str], ...] = (
    ("dispatch branch", 3,
     "Epiphany Architecture Reference rev 14.03.11, pipeline section: a taken branch or jump "
     "costs 3 extra cycles; every bytecode ends in the dispatch's indirect jump (computed goto)"),
    ("load-use, FPU latency, dual issue", 0,
     "UNVERIFIED: not yet measured (e-sim counts instructions only); counted as 0"),
)


@dataclass(frozen=True)
class Micro:
    """One microkernel: ``source`` defines ``kernel(n, ...)``; ``extra`` are further arguments."""

    name: str
    kind: str
    source: str
    sizes: tuple[int, int] = (40, 120)
    extra: tuple[Any, ...] = ()
    validation: bool = False  # not fitted: checks the fitted table


def _k(name: str, kind: str, body: str, setup: str = "s = 0", ret: str = "s",
       sizes: tuple[int, int] = (40, 120), extra_params: str = "", extra: tuple[Any, ...] = (),
       validation: bool = False, prelude: str = "") -> Micro:
    params = "n" + (", " + extra_params if extra_params else "")
    lines = [prelude, f"def kernel({params}):", f"    {setup}", "    for i in range(n):"]
    lines += [f"        {line}" for line in body.splitlines()]
    lines.append(f"    return {ret}")
    return Micro(name, kind, "\n".join(lines) + "\n", sizes, extra, validation)


def _array(n: int) -> Any:
    return np.arange(n, dtype=np.float32)


KERNELS: tuple[Micro, ...] = (
    _k("loop", "integer loop", "pass"),
    _k("int add", "integer loop", "s = s + i"),
    _k("int sub", "integer loop", "s = s - i"),
    _k("int mul", "integer loop", "s = i * 3"),
    _k("int floordiv", "integer loop", "s = i // 7"),
    _k("int mod", "integer loop", "s = i % 7"),
    _k("int bitops", "integer loop", "s = (i & 5) | (s ^ 3)"),
    _k("int shifts", "integer loop", "s = (i << 2) >> 1"),
    _k("int compare", "integer loop", "if i < 20:\n    s = 1"),
    _k("int neg not", "integer loop", "s = -i\nt = not s", setup="s = 0\n    t = False"),
    _k("while", "integer loop", "j = 0\nwhile j < 3:\n    j = j + 1", setup="s = 0\n    j = 0"),
    _k("consts", "integer loop", "s = 100000\nt = None\nu = True",
       setup="s = 0\n    t = None\n    u = False"),
    _k("float add", "floats", "x = x + 1.5", setup="x = 0.0", ret="x"),
    _k("float mul", "floats", "x = y * 0.5", setup="x = 0.0\n    y = 3.0", ret="x"),
    _k("float div", "floats", "x = y / 3.0", setup="x = 0.0\n    y = 3.0", ret="x"),
    _k("float compare", "floats", "if y > 2.0:\n    x = y", setup="x = 0.0\n    y = 3.0", ret="x"),
    _k("float sqrt", "floats", "x = math.sqrt(y)", setup="x = 0.0\n    y = 3.0", ret="x",
       prelude="import math"),
    _k("call", "calls", "s = f(i)", prelude="def f(a):\n    return a\n"),
    _k("call two", "calls", "s = g(i, s)", prelude="def g(a, b):\n    return b\n"),
    _k("list build", "lists", "t = [i, i, i]", setup="t = []", ret="len(t)"),
    _k("list index", "lists", "s = t[1]\nt[2] = i", setup="t = [1, 2, 3]\n    s = 0"),
    _k("list append", "lists", "t.append(i)", setup="t = []", ret="len(t)", sizes=(30, 90)),
    _k("len", "lists", "s = len(t)", setup="t = [1, 2, 3]\n    s = 0"),
    _k("tuple unpack", "tuples", "a, b = b, a", setup="a = 1\n    b = 2", ret="a"),
    _k("tuple build", "tuples", "t = (i, i)", setup="t = ()", ret="t"),
    _k("str index", "strings", "c = w[2]", setup="w = 'hello'\n    c = ''", ret="c"),
    _k("str concat", "strings", "c = w + w", setup="w = 'ab'\n    c = ''", ret="c"),
    _k("str()", "strings", "c = str(i)", setup="c = ''", ret="c"),
    _k("f-string", "strings", "c = f'{i}'", setup="c = ''", ret="c"),
    _k("array read", "arrays", "x = a[i]", setup="x = 0.0", ret="x", extra_params="a",
       extra=("array",)),
    _k("array write", "arrays", "a[i] = 2.0", setup="x = 0", ret="x", extra_params="a",
       extra=("array",)),
    _k("abs min max", "builtins", "s = abs(-i)\ns = min(i, 3)\ns = max(i, 3)"),
    _k("globals", "globals", "s = G", prelude="G = 5\n"),
    # validation: mixtures the fit never saw
    _k("dot product", "arrays", "x = x + a[i] * a[i]", setup="x = 0.0", ret="x",
       extra_params="a", extra=("array",), validation=True),
    _k("collatz step", "integer loop", "if s % 2 == 0:\n    s = s // 2\nelse:\n    s = 3 * s + 1",
       setup="s = 27", validation=True),
    _k("polynomial", "floats", "x = ((2.0 * y + 1.0) * y - 3.0) * y",
       setup="x = 0.0\n    y = 1.25", ret="x", validation=True),
    _k("list sum", "lists", "s = s + t[i % 3] + len(t)", setup="s = 0\n    t = [1, 2, 3]",
       validation=True),
    _k("helper call", "calls", "s = h(i) + 1", prelude="def h(a):\n    return a * 2 + 1\n",
       validation=True),
    _k("string build", "strings", "c = w[0] + str(i % 10)", setup="w = 'xy'\n    c = ''",
       ret="c", validation=True),
)


# --- counting what runs (the simulator's reference engine) -------------------------------------
def _tally(ins: Instr) -> int:
    cost = 1 << (_FIELD * ins.info.code)
    if ins.info.code == Op.CALL_BUILTIN:
        cost += 1 << (_FIELD * (_NOPS + ins.arg))
    return cost


def _feature_names() -> list[str]:
    return [info.name for info in OPCODES] + [f"builtin {b.name}" for b in BUILTINS]


def _args(micro: Micro, n: int) -> tuple[Any, ...]:
    extra = tuple(_array(max(micro.sizes) + 1) if e == "array" else e for e in micro.extra)
    return (n, *extra)


def _module(micro: Micro) -> Any:
    from epython.testing.compare import write_module

    return write_module(micro.source, "epcal")


def count_ops(func: Any, args: Sequence[Any]) -> Counter[str]:
    """How many times each opcode and builtin ran when ``func(*args)`` ran on one simulated core.

    Keys are opcode names and ``"builtin NAME"``.  Compute kernels only: a kernel that prints,
    sends or waits is refused.
    """
    from epython.compiler import compile_kernel
    from esim.cores.interp import Interpreter
    from esim.cores.memory import from_wire, to_wire

    program = compile_kernel(func).program
    interp = Interpreter(program, 0, 1, engine="reference", cost=_tally)
    gen = interp.run([from_wire(to_wire(a)) for a in args])
    try:
        while True:
            request = gen.send(None)
            if request.name != "tick":
                raise ValueError(f"count_ops: {request.name} in a calibration kernel; "
                                 "use compute-only kernels")
    except StopIteration:
        pass
    total = interp.cycles
    counts: Counter[str] = Counter()
    mask = (1 << _FIELD) - 1
    for k, name in enumerate(_feature_names()):
        c = (total >> (_FIELD * k)) & mask
        if c:
            counts[name] = c
    return counts


# --- measuring on the real build ---------------------------------------------------------------
def _device_instructions(func: Any, args: Sequence[Any]) -> int:
    """Epiphany instructions of one launch of ``func(*args)`` on core 0 of e-sim."""
    from epython import offload

    kernel = offload(func)
    handle = kernel.launch(*args, target=[0], backend="device")
    handle.wait(timeout=300)
    cycles = handle.cycles[0]
    if cycles is None:
        raise RuntimeError(f"{func.__name__}: the device reported no cycles")
    return int(cycles)


def _toolchain() -> str:
    from epython.backends.device.locate import build_epiphany  # noqa: F401  (where it lives)

    prefix = Path(os.environ.get("EPIPHANY_TOOLCHAIN", Path.home() / ".cache/epython/epiphany"))
    gcc = prefix / "bin" / "epiphany-elf-gcc"
    try:
        out = subprocess.run([str(gcc), "--version"], capture_output=True, text=True, check=True)
        return out.stdout.splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "device/core"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def measure(kernels: Sequence[Micro] = KERNELS, log: Any = print) -> list[dict[str, Any]]:
    """Run every kernel at its two sizes on e-sim and count its operations on the simulator."""
    rows = []
    for micro in kernels:
        mod = _module(micro)
        row: dict[str, Any] = {"name": micro.name, "kind": micro.kind,
                               "validation": micro.validation, "sizes": list(micro.sizes),
                               "instructions": [], "counts": []}
        for n in micro.sizes:
            args = _args(micro, n)
            row["instructions"].append(_device_instructions(mod.kernel, args))
            row["counts"].append(dict(sorted(count_ops(mod.kernel, args).items())))
        log(f"  {micro.name:<16} {row['instructions'][0]:>9,} {row['instructions'][1]:>9,} "
            "instructions")
        rows.append(row)
    return rows


# --- fitting -----------------------------------------------------------------------------------
def _delta(row: dict[str, Any]) -> tuple[dict[str, float], float]:
    lo, hi = row["counts"]
    dn = row["sizes"][1] - row["sizes"][0]
    d = {k: (hi.get(k, 0) - lo.get(k, 0)) / dn for k in set(lo) | set(hi)}
    return {k: v for k, v in d.items() if v}, (row["instructions"][1] - row["instructions"][0]) / dn


def _prior(name: str) -> float:
    if name.startswith("builtin "):
        return float(next(b.cycles for b in BUILTINS if b.name == name[8:]))
    return float(next(i.cycles for i in OPCODES if i.name == name))


def fit(rows: Sequence[dict[str, Any]], ridge: float = 0.05) -> tuple[dict[str, float], float]:
    """Instructions per opcode/builtin from the calibration rows, and the prior's scale.

    Least squares over the per-iteration differences.  Operations that always run together (a
    loop's FOR_ITER and JUMP) cannot be told apart by any kernel, so a small ridge pulls each
    cost towards the old estimate scaled by how much the real build costs overall; features no
    kernel runs keep that scaled estimate.
    """
    fitted = [_delta(r) for r in rows if not r["validation"]]
    names = sorted({k for d, _ in fitted for k in d})
    a = np.array([[d.get(k, 0.0) for k in names] for d, _ in fitted])
    y = np.array([v for _, v in fitted])
    prior = np.array([_prior(k) for k in names])
    scale = float(y.sum() / (a @ prior).sum())
    w = np.sqrt(ridge) * np.sqrt(a.sum(axis=0))  # a feature seen often is pulled as much
    aa = np.vstack([a, np.diag(w)])
    yy = np.concatenate([y, w * scale * prior])
    active = np.ones(len(names), dtype=bool)
    c = np.zeros(len(names))
    for _ in range(len(names)):  # non-negative: drop what goes below 1 instruction, refit
        sol, *_ = np.linalg.lstsq(aa[:, active], yy, rcond=None)
        c[:] = 1.0
        c[active] = sol
        low = active & (c < 1.0)
        if not low.any():
            break
        yy = yy - aa[:, low].sum(axis=1)
        active &= ~low
    costs = {k: round(float(v), 1) for k, v in zip(names, c)}
    for k in _feature_names():
        costs.setdefault(k, round(scale * _prior(k), 1))
    return costs, scale


def cycles_of(instructions: float, name: str) -> int:
    """Cycles charged for one execution: the fitted instructions plus the STALL_RULES."""
    per_dispatch = 0 if name.startswith("builtin ") else sum(r[1] for r in STALL_RULES)
    return max(1, round(instructions + per_dispatch))


def report_rows(data: dict[str, Any], table: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Per kernel: instructions per iteration on e-sim, the simulator's cycles, their ratio."""
    if table is None:
        table = {i.name: i.cycles for i in OPCODES}
        table.update({f"builtin {b.name}": b.cycles for b in BUILTINS})
    out = []
    for row in data["kernels"]:
        d, instr = _delta(row)
        sim = sum(v * table[k] for k, v in d.items())
        out.append({"name": row["name"], "kind": row["kind"], "validation": row["validation"],
                    "instructions": instr, "cycles": sim, "ratio": sim / instr if instr else 0.0})
    return out


# --- the generated table -----------------------------------------------------------------------
def generate_table(data: dict[str, Any]) -> str:
    """The source of ``epython/bytecode/costs.py`` from the calibration data."""
    costs = data["instructions_per_operation"]
    ops = {i.name: cycles_of(costs[i.name], i.name) for i in OPCODES}
    bis = {b.name: cycles_of(costs[f"builtin {b.name}"], f"builtin {b.name}") for b in BUILTINS}
    src = data["source"]
    lines = [
        '"""Cycle costs of the opcodes and builtins: GENERATED by ``python -m esim.calibrate '
        '--table``',
        "from esim/data/compute_costs.json; do not edit (tests/test_calibration.py checks it).",
        "",
        f"Measured on e-sim with {src['toolchain']}, core build {src['commit']}, {src['date']}.",
        "cycles = Epiphany instructions (fitted) + stalls (esim.calibrate.STALL_RULES).",
        '"""',
        "",
        "OP_CYCLES: dict[str, int] = {",
    ]
    lines += [f"    {name!r}: {v}," for name, v in ops.items()]
    lines += ["}", "", "BUILTIN_CYCLES: dict[str, int] = {"]
    lines += [f"    {name!r}: {v}," for name, v in bis.items()]
    lines += ["}", ""]
    return "\n".join(lines)


def _print_report(rows: list[dict[str, Any]]) -> None:
    print(f"{'kernel':<16} {'kind':<13} {'e-sim instr/iter':>16} {'sim cycles/iter':>15} "
          f"{'ratio':>6}")
    for part, flag in (("calibration", False), ("validation", True)):
        print(f"-- {part}")
        for r in (r for r in rows if r["validation"] is flag):
            print(f"{r['name']:<16} {r['kind']:<13} {r['instructions']:>16.1f} "
                  f"{r['cycles']:>15.1f} {r['ratio']:>6.2f}")
    ratios = [r["ratio"] for r in rows]
    mid = float(np.median(ratios))
    worst = max(abs(r / mid - 1) for r in ratios)
    print(f"median ratio {mid:.2f}; the farthest kernel is {worst:.0%} from it")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m esim.calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true",
                        help="generate epython/bytecode/costs.py from the data file (no e-sim)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when epython/bytecode/costs.py is stale")
    parser.add_argument("--report", action="store_true",
                        help="the per-kernel ratios of the current table (no e-sim)")
    opts = parser.parse_args(argv)
    if opts.table or opts.check:
        text = generate_table(json.loads(DATA.read_text()))
        if opts.check:
            if TABLE.read_text() != text:
                print(f"{TABLE} is stale: run python -m esim.calibrate --table", file=sys.stderr)
                return 1
            return 0
        TABLE.write_text(text)
        print(f"wrote {TABLE}")
        return 0
    if opts.report:
        _print_report(report_rows(json.loads(DATA.read_text())))
        return 0
    os.environ["EPYTHON_EHAL"] = "esim"
    from epython.backends.device.esim import esim_prefix, missing_parts

    missing = missing_parts(esim_prefix())
    if missing:
        print(f"esim.calibrate needs e-sim and the esim-target libe-hal in {esim_prefix()}; it "
              f"lacks {', '.join(missing)} (docs/backends.md, 'The device backend on e-sim')",
              file=sys.stderr)
        return 2
    print(f"measuring {len(KERNELS)} kernels on e-sim (EPYTHON_EHAL=esim), core 0")
    rows = measure()
    data: dict[str, Any] = {
        "source": {"toolchain": _toolchain(), "commit": _commit(),
                   "date": _dt.date.today().isoformat(),
                   "what": "Epiphany instructions per launch, counted by e-sim's CTIMER"},
        "kernels": rows,
    }
    costs, scale = fit(rows)
    data["scale_over_old_estimates"] = round(scale, 3)
    data["instructions_per_operation"] = costs
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {DATA} (the real build costs {scale:.2f}x the old estimates)")
    fitted = {k: cycles_of(v, k) for k, v in costs.items()}
    _print_report(report_rows(data, fitted))
    print("now: python -m esim.calibrate --table")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
