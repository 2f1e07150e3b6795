"""Compute costs from the real build: what each bytecode costs the Epiphany build of the core.

``python -m epython.calibrate`` runs a set of microkernels twice (two loop counts) on the device
backend over e-sim (``EPYTHON_EHAL=esim``: the real ``epycore.elf`` on Adapteva's instruction-set
simulator, whose CTIMER ticks once per instruction, so a launch's ``cycles`` are the Epiphany
instructions it executed) and counts, with the simulator's reference engine, how often each
opcode, builtin and operand-dependent cost (allocations, array elements) ran.  The difference
between the two loop counts cancels the launch's fixed cost; a least-squares fit over all
kernels gives each one's cost in Epiphany instructions, and launches that do nothing else
(``LAUNCH_KERNELS``) give the launch's own cost per image and argument byte.

It writes ``epython/calibrate/compute_costs.json`` (the toolchain, the commit of the build, the
date, the measurements and the fitted instructions);
``python -m epython.calibrate --table`` generates ``epython/bytecode/costs.py`` from that file
(cycles = instructions + the pipeline's stalls, ``STALL_RULES`` below), and
``tests/test_calibration.py`` fails when the generated table is stale.  ``--report`` prints,
per kernel, the simulator's cycles per loop iteration over the instructions the real build
executes, which the fit aims to make the same for every kind of work (docs/timing-model.md).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from epython.bytecode.costs import EXTRA_COSTS, LAUNCH_COSTS
from epython.bytecode.instr import Instr
from epython.bytecode.opcodes import BUILTIN_BY_NAME, BUILTINS, OPCODES, OPS, Op
from epython.calibrate import collectives, compaction
from epython.calibrate.prior import PRIOR
from esim.chip import argument_bytes
from esim.cores.builtins import LIST_ITEM_COST, RANDOM_DRAW_COST
from esim.cores.core import launch_cycles

__all__ = ["DATA", "KERNELS", "LAUNCH_FEATURES", "LAUNCH_KERNELS", "TABLE", "Micro", "STALL_RULES",
           "calibrate", "count_ops", "current_table", "cycles_of", "fit", "fit_launch", "generate_table",
           "launch_rows", "measure", "measure_launches", "report_rows"]

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "compute_costs.json"
TABLE = ROOT / "epython" / "bytecode" / "costs.py"

#: Bits per counter in the tally that ``count_ops`` decodes from the reference engine's cycles.
_FIELD = 48
_NOPS = len(OPCODES)

#: How Epiphany cycles follow from the instructions e-sim counts (e-sim has no pipeline model).
#: Each rule: (name, cycles added per bytecode instruction dispatched, source).
STALL_RULES: tuple[tuple[str, int, str], ...] = (
    ("dispatch branch", 3,
     "Epiphany Architecture Reference (markdown edition, olajep/epiphany-docs arch-ref/"
     "04_ecore.md): '3-cycle branch penalty on all taken branches'; every bytecode ends in the "
     "dispatch's indirect jump (computed goto)"),
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


#: The prelude of the message and collective kernels.
_PARALLEL = "from epython.parallel import bcast, probe, recv, reduce, send, sendrecv, sync"

KERNELS: tuple[Micro, ...] = (
    _k("loop", "integer loop", "pass"),
    _k("copy", "integer loop", "s = i"),
    _k("copy chain", "integer loop", "s = i\nt = s\nu = t", setup="s = 0\n    t = 0\n    u = 0"),
    _k("small int", "integer loop", "s = 7\nt = 9", setup="s = 0\n    t = 0"),
    _k("expression", "integer loop", "i + 1\ni - 1"),
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
    _k("float locals", "floats", "x = y + z", setup="x = 0.0\n    y = 1.5\n    z = 2.5", ret="x"),
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
    _k("list extend", "lists", "t.extend(u)", setup="t = []\n    u = [1, 2]", ret="len(t)",
       sizes=(30, 90)),
    _k("list insert", "lists", "t.insert(1, i)\nt.pop()", setup="t = [1, 2, 3]", ret="len(t)"),
    _k("list remove", "lists", "t.append(i)\nt.remove(i)", setup="t = [1, 2, 3]", ret="len(t)"),
    _k("list index count", "lists", "s = t.index(3)\ns = t.count(2)", setup="t = [1, 2, 3]\n    s = 0"),
    _k("list reverse", "lists", "t.reverse()", setup="t = [1, 2, 3]", ret="len(t)"),
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
    _k("random()", "random", "x = random.random()", setup="x = 0.0", ret="x",
       prelude="import random"),
    _k("randint", "random", "s = random.randint(1, 6)", prelude="import random"),
    _k("randrange", "random", "s = random.randrange(0, 100, 3)", prelude="import random"),
    _k("uniform", "random", "x = random.uniform(1.0, 2.0)", setup="x = 0.0", ret="x",
       prelude="import random"),
    _k("choice", "random", "s = random.choice(t)", setup="t = [1, 2, 3]\n    s = 0",
       prelude="import random"),
    _k("shuffle", "random", "random.shuffle(t)", setup="t = [1, 2, 3]", ret="len(t)",
       prelude="import random"),
    _k("seed", "random", "random.seed(i)", prelude="import random"),
    # messages: the core messages itself (the only exchange whose instructions e-sim counts
    # without a wait whose length depends on how the host schedules the cores' processes)
    _k("send recv", "messages", "send(i, 0)\ns = recv(0)", prelude=_PARALLEL),
    _k("sendrecv", "messages", "s = sendrecv(i, 0)", prelude=_PARALLEL),
    _k("probe", "messages", "send(i, 0)\nif probe(0):\n    s = recv(0)", prelude=_PARALLEL),
    # collectives on a launch of one core: the call's own work, without messages
    _k("reduce bcast", "collectives", "s = reduce(i, 'sum')\ns = bcast(s, 0)",
       prelude=_PARALLEL),
    _k("sync", "collectives", "sync()", prelude=_PARALLEL),
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
    _k("dart", "random", "x = random.random()\ny = random.random()\nif x * x + y * y < 1.0:\n"
       "    s = s + 1", setup="s = 0\n    x = 0.0\n    y = 0.0", prelude="import random",
       validation=True),
    _k("dice", "random", "s = s + random.randint(1, 6) + random.randrange(6)",
       prelude="import random", validation=True),
    _k("exchange", "messages", "send(s, 0)\ns = recv(0) + sendrecv(i, 0)",
       prelude=_PARALLEL, validation=True),
)


def _dead(lines: int) -> str:
    """Code that is in the image but never runs (makes the image longer)."""
    body = "".join(f"        s = s * {k + 2} + {k}\n" for k in range(lines))
    return f"    if n < 0:\n{body}"


#: Launches that do (almost) nothing, with images and arguments of different sizes: their
#: instructions are the core's fixed launch work (fit_launch).  Each: (name, source, args).
LAUNCH_KERNELS: tuple[tuple[str, str, tuple[Any, ...]], ...] = (
    ("empty", "def kernel(n):\n    s = 0\n    return s\n", (1,)),
    ("image +20 lines", "def kernel(n):\n    s = 0\n" + _dead(20) + "    return s\n", (1,)),
    ("image +60 lines", "def kernel(n):\n    s = 0\n" + _dead(60) + "    return s\n", (1,)),
    ("list of 40 ints", "def kernel(n, t):\n    s = 0\n    return s\n", (1, list(range(40)))),
    ("list of 160 ints", "def kernel(n, t):\n    s = 0\n    return s\n", (1, list(range(160)))),
    ("tuple of 80 ints", "def kernel(n, t):\n    s = 0\n    return s\n", (1, tuple(range(80)))),
    ("str of 200", "def kernel(n, t):\n    s = 0\n    return s\n", (1, "x" * 200)),
    ("str of 800", "def kernel(n, t):\n    s = 0\n    return s\n", (1, "x" * 800)),
    ("array of 100", "def kernel(n, a):\n    s = 0\n    return s\n", (1, "array100")),
    ("array of 400", "def kernel(n, a):\n    s = 0\n    return s\n", (1, "array400")),
)


# --- counting what runs (the simulator's reference engine) -------------------------------------
#: The operand-dependent costs (costs.EXTRA_COSTS): the allocator's, array element access.
_EXTRA_FEATURES = tuple(EXTRA_COSTS)
#: May be below 1 (an array element costs less than a list item): not clamped by the fit.
_SIGNED = ("array get", "array set")


#: Opcodes whose handler on the cores is another opcode's after one tag test: INPLACE_ADD and
#: INPLACE_MUL on anything but a list re-dispatch to BINARY_ADD's and BINARY_MUL's code
#: (device/core/interp.c), so they are counted, fitted and charged as those; on a list, each
#: item appended costs what the list.append builtin costs (the same list_append on the cores).
#: Measured on e-sim (2026-12-02): ``x += 1`` runs 215 Epiphany instructions per loop iteration
#: against 202 for ``x = x + 1`` (the re-dispatch), ``x *= 1`` 237 against 224; the simulator
#: charged 244 and 247 cycles, ratios 1.13 and 1.04-1.10, inside the fit's spread (1.07 median).
ALIASES: dict[str, str] = {"INPLACE_ADD": "BINARY_ADD", "INPLACE_MUL": "BINARY_MUL"}
_ALIAS_CODES = {OPS[k].code: OPS[v].code for k, v in ALIASES.items()}


def _tally_extra() -> dict[str, int]:
    k = len(_feature_names()) - len(_EXTRA_FEATURES)
    out = {name: 1 << (_FIELD * (k + j)) for j, name in enumerate(_EXTRA_FEATURES)}
    out[LIST_ITEM_COST] = 1 << (_FIELD * (_NOPS + BUILTIN_BY_NAME["list.append"].code))
    out[RANDOM_DRAW_COST] = 1 << (_FIELD * (_NOPS + BUILTIN_BY_NAME["random.random"].code))
    return out | {"compaction": 0, "compaction object": 0}  # (the kernels do not compact)


def _tally(ins: Instr) -> int:
    cost = 1 << (_FIELD * _ALIAS_CODES.get(ins.info.code, ins.info.code))
    if ins.info.code == Op.CALL_BUILTIN:
        cost += 1 << (_FIELD * (_NOPS + ins.arg))
    return cost


def _feature_names() -> list[str]:
    return ([info.name for info in OPCODES] + [f"builtin {b.name}" for b in BUILTINS]
            + list(_EXTRA_FEATURES))


def _args(micro: Micro, n: int) -> tuple[Any, ...]:
    extra = tuple(_array(max(micro.sizes) + 1) if e == "array" else e for e in micro.extra)
    return (n, *extra)


def _module(micro: Micro) -> Any:
    from epython.testing.compare import write_module

    return write_module(micro.source, "epcal")


def count_ops(func: Any, args: Sequence[Any]) -> Counter[str]:
    """How many times each opcode and builtin ran when ``func(*args)`` ran on one simulated core.

    Keys are opcode names, ``"builtin NAME"`` and the operand-dependent costs of
    ``costs.EXTRA_COSTS`` (``"alloc objects"``, ``"alloc bytes"``: what the heap model charged;
    ``"array get"``, ``"array set"``: array elements read and written).  Compute kernels and
    kernels whose messages go to core 0 itself (``_own_messages``); a kernel that prints or
    messages another core is refused.
    """
    from epython.compiler import compile_kernel
    from esim.cores.interp import Interpreter
    from esim.cores.memory import from_wire, to_wire

    program = compile_kernel(func).program
    interp = Interpreter(program, 0, 1, engine="reference", cost=_tally,
                         extra_costs=_tally_extra())
    gen = interp.run([from_wire(to_wire(a)) for a in args])
    mailbox: deque[Any] = deque()
    reply: Any = None
    try:
        while True:
            request = gen.send(reply)
            reply = _own_messages(request.name, request.args, mailbox)
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


def _own_messages(name: str, args: tuple[Any, ...], mailbox: deque[Any]) -> Any:
    """What the parallel operation ``name`` returns on a launch of core 0 alone, whose messages
    go to itself (``mailbox``); None for a tick.  Ints and floats only: calibration kernels
    send no containers."""
    if name in ("tick", "parallel.sync"):
        return None
    if name == "parallel.send":
        _own_peer(name, args[1])
        mailbox.append(args[0])
        return None
    if name == "parallel.recv":
        _own_peer(name, args[0])
        if not mailbox:
            raise ValueError("count_ops: recv(0) with no message waiting: it would deadlock")
        return mailbox.popleft()
    if name == "parallel.probe":
        _own_peer(name, args[0])
        return bool(mailbox)
    if name in ("parallel.sendrecv", "parallel.bcast"):
        _own_peer(name, args[1])
        return args[0]
    if name == "parallel.reduce":
        return args[0]
    raise ValueError(f"count_ops: {name} in a calibration kernel; use compute kernels and "
                     "messages to core 0 itself")


def _own_peer(name: str, peer: Any) -> None:
    if peer != 0:
        raise ValueError(f"count_ops: {name} with core {peer!r}: calibration kernels run on core "
                         "0 alone and message only themselves")


# --- measuring on the real build ---------------------------------------------------------------
def _image_bytes(func: Any) -> int:
    from epython.compiler import compile_kernel

    return len(compile_kernel(func).image)


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


def measure(kernels: Sequence[Micro] = KERNELS, log: Any = None) -> list[dict[str, Any]]:
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
        if log is not None:
            log(f"  {micro.name:<16} {row['instructions'][0]:>9,} {row['instructions'][1]:>9,} "
                "instructions")
        rows.append(row)
    return rows


def _launch_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(np.arange(int(a[5:]), dtype=np.float32) if isinstance(a, str) and
                 a.startswith("array") else a for a in args)


def measure_launches(log: Any = None) -> list[dict[str, Any]]:
    """Run every LAUNCH_KERNELS entry once on e-sim; what it executed beyond its operations."""
    from epython.testing.compare import write_module

    rows = []
    for name, source, raw in LAUNCH_KERNELS:
        func = write_module(source, "eplaunch").kernel
        args = _launch_args(raw)
        total, lists, arrays = argument_bytes(args)
        rows.append({"name": name, "instructions": _device_instructions(func, args),
                     "counts": dict(sorted(count_ops(func, args).items())),
                     "image_bytes": _image_bytes(func), "args_bytes": total,
                     "list_args_bytes": lists, "array_args_bytes": arrays})
        if log is not None:
            log(f"  launch: {name:<16} {rows[-1]['instructions']:>9,} instructions")
    return rows


# --- fitting -----------------------------------------------------------------------------------
def _delta(row: dict[str, Any]) -> tuple[dict[str, float], float]:
    lo, hi = row["counts"]
    dn = row["sizes"][1] - row["sizes"][0]
    d = {k: (hi.get(k, 0) - lo.get(k, 0)) / dn for k in set(lo) | set(hi)}
    return {k: v for k, v in d.items() if v}, (row["instructions"][1] - row["instructions"][0]) / dn


def _prior(name: str) -> float:
    """The hand estimate (``prior.PRIOR``) the fit pulls towards where kernels cannot tell."""
    return float(PRIOR[ALIASES.get(name, name)])


def fit(rows: Sequence[dict[str, Any]], ridge: float = 0.001) -> tuple[dict[str, float], float]:
    """Instructions per opcode/builtin from the calibration rows, and the prior's scale.

    Least squares over the per-iteration differences.  Operations that always run together (a
    loop's FOR_ITER and JUMP) cannot be told apart by any kernel, so a small ridge pulls each
    cost towards the hand estimate (``prior.PRIOR``) scaled by how much the real build costs
    overall; features no kernel runs keep that scaled estimate.  The result depends on the
    measurements only, not on the current table.
    """
    fitted = [_delta(r) for r in rows if not r["validation"]]
    names = sorted({k for d, _ in fitted for k in d})
    a = np.array([[d.get(k, 0.0) for k in names] for d, _ in fitted])
    y = np.array([v for _, v in fitted])
    prior = np.array([_prior(k) for k in names])
    scale = float(y.sum() / (a @ prior).sum())
    # relative errors: each kernel's row divided by its measurement, so that the fit evens out
    # the simulator/e-sim ratio (the target) rather than favouring the costliest kernels
    a = a / y[:, None]
    y = np.ones_like(y)
    w = np.sqrt(ridge) / (scale * prior)  # the ridge, too, in relative terms
    aa = np.vstack([a, np.diag(w)])
    yy = np.concatenate([y, w * scale * prior])
    active = np.ones(len(names), dtype=bool)
    c = np.zeros(len(names))
    for _ in range(len(names)):  # non-negative: drop what goes below 1 instruction, refit
        sol, *_ = np.linalg.lstsq(aa[:, active], yy, rcond=None)
        c[:] = 1.0
        c[active] = sol
        low = active & (c < 1.0) & ~np.array([k in _SIGNED for k in names])
        if not low.any():
            break
        yy = yy - aa[:, low].sum(axis=1)
        active &= ~low
    costs = {k: round(float(v), 1) for k, v in zip(names, c)}
    for k in _feature_names():
        costs.setdefault(k, round(scale * _prior(k), 1))
    for k, v in ALIASES.items():
        costs[k] = costs[v]
    return costs, scale


#: The launch's fixed cost on the core (verifying and copying the image, decoding its tables and
#: the arguments, posting the result): instructions per launch, per image byte, per argument
#: byte, and on top per byte of list and tuple arguments (decoded into the heap) and of array
#: arguments (compared with the argument block after the kernel, for the changes).
LAUNCH_FEATURES = ("launch", "image byte", "argument byte", "list argument byte",
                   "array argument byte")


def fit_launch(rows: Sequence[dict[str, Any]], costs: dict[str, float]) -> dict[str, float]:
    """The launch's fixed cost from ``measure_launches``' rows: what each executed beyond its
    operations, fitted to a constant plus a cost per image byte, per argument byte and per byte
    of list and of array arguments."""
    a = np.array([[1.0, r["image_bytes"], r["args_bytes"], r["list_args_bytes"],
                   r["array_args_bytes"]] for r in rows])
    y = np.array([r["instructions"] - sum(v * costs[k] for k, v in r["counts"].items())
                  for r in rows])
    keep = np.ones(len(LAUNCH_FEATURES), dtype=bool)
    c = np.zeros(len(LAUNCH_FEATURES))
    while True:  # non-negative: a part that comes out negative is dropped and the rest refitted
        c[:] = 0.0
        c[keep], *_ = np.linalg.lstsq(a[:, keep], y, rcond=None)
        if (c >= 0).all():
            break
        keep &= c > 0
    return {k: round(float(v), 1) for k, v in zip(LAUNCH_FEATURES, c)}


def cycles_of(instructions: float, name: str) -> int:
    """Cycles charged for one execution: the fitted instructions plus the STALL_RULES (a
    bytecode's dispatch; builtins and the allocator run inside one)."""
    if name in _EXTRA_FEATURES:  # inside a bytecode's handler: no dispatch of its own
        return round(instructions) if name in _SIGNED else max(0, round(instructions))
    per_dispatch = 0 if name.startswith("builtin ") else sum(r[1] for r in STALL_RULES)
    return max(1, round(instructions + per_dispatch))


def current_table() -> dict[str, int]:
    """The simulator's cycles per feature as the generated table has them now."""
    table = {i.name: i.cycles for i in OPCODES}
    table.update({f"builtin {b.name}": b.cycles for b in BUILTINS})
    table.update(EXTRA_COSTS)
    return table


def report_rows(data: dict[str, Any], table: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Per kernel: instructions per iteration on e-sim, the simulator's cycles, their ratio."""
    if table is None:
        table = current_table()
    out = []
    for row in data["kernels"]:
        d, instr = _delta(row)
        sim = sum(v * table[k] for k, v in d.items())
        out.append({"name": row["name"], "kind": row["kind"], "validation": row["validation"],
                    "instructions": instr, "cycles": sim, "ratio": sim / instr if instr else 0.0})
    return out


def launch_rows(data: dict[str, Any],
                launch: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Per launch kernel: the fixed instructions on e-sim and what ``launch`` (LAUNCH_COSTS)
    charges."""
    costs = data["instructions_per_operation"]
    launch = launch or LAUNCH_COSTS
    out = []
    for r in data["launches"]:
        measured = r["instructions"] - sum(v * costs[k] for k, v in r["counts"].items())
        model = launch_cycles(r["image_bytes"], r["args_bytes"], r["list_args_bytes"],
                              r["array_args_bytes"], launch)
        out.append({"name": r["name"], "measured": measured, "model": model,
                    "image_bytes": r["image_bytes"], "args_bytes": r["args_bytes"],
                    "list_args_bytes": r["list_args_bytes"],
                    "array_args_bytes": r["array_args_bytes"]})
    return out


# --- the generated table -----------------------------------------------------------------------
def generate_table(data: dict[str, Any]) -> str:
    """The source of ``epython/bytecode/costs.py`` from the calibration data."""
    costs = dict(data["instructions_per_operation"])
    # features added since the data were measured: the hand estimate, scaled as the fit scales
    # it, until the next calibration measures them
    unmeasured = [k for k in _feature_names() if k not in costs and k not in ALIASES]
    for k in unmeasured:
        costs[k] = round(data["scale_over_hand_estimates"] * _prior(k), 1)
    ops = {i.name: cycles_of(costs[ALIASES.get(i.name, i.name)], i.name) for i in OPCODES}
    bis = {b.name: cycles_of(costs[f"builtin {b.name}"], f"builtin {b.name}") for b in BUILTINS}
    src = data["source"]
    lines = [
        '"""Cycle costs of the opcodes and builtins: GENERATED by ``python -m epython.calibrate '
        '--table``',
        "from epython/calibrate/compute_costs.json; do not edit (tests/test_calibration.py "
        "checks it).",
        "",
        f"Measured on e-sim with {src['toolchain']}, core build {src['commit']}, {src['date']}.",
        "cycles = Epiphany instructions (fitted) + stalls (epython.calibrate.STALL_RULES).",
    ]
    if unmeasured:
        lines += ["Not yet measured (the hand estimate times the data's scale): "
                  + ", ".join(unmeasured) + "."]
    lines += [
        '"""',
        "",
        "OP_CYCLES: dict[str, int] = {",
    ]
    lines += [f"    {name!r}: {v}," for name, v in ops.items()]
    lines += ["}", "", "BUILTIN_CYCLES: dict[str, int] = {"]
    lines += [f"    {name!r}: {v}," for name, v in bis.items()]
    lines += ["}", "", "#: Costs that depend on operands, charged where they happen (both engines of esim).",
              "EXTRA_COSTS: dict[str, int] = {"]
    lines += [f"    {name!r}: {cycles_of(costs[name], name)}," for name in _EXTRA_FEATURES]
    lines += ["}", "", "#: The launch's fixed cost on a core: cycles per launch, per image byte, per argument byte, per",
              "#: byte of list and tuple arguments and per byte of array arguments (both on top).",
              "LAUNCH_COSTS: dict[str, int] = {"]
    launch = data["instructions_per_launch"]
    lines += [f"    {name!r}: {round(launch[name])}," for name in LAUNCH_FEATURES]
    lines += ["}", ""] + collectives.comm_table(data) + compaction.compaction_table(data)
    return "\n".join(lines)


def calibrate(log: Any = None) -> dict[str, Any]:
    """Measure every kernel on e-sim, fit, write DATA; returns the data (needs EPYTHON_EHAL=esim)."""
    rows = measure(log=log or (lambda _msg: None))
    data: dict[str, Any] = {
        "source": {"toolchain": _toolchain(), "commit": _commit(),
                   "date": _dt.date.today().isoformat(),
                   "what": "Epiphany instructions per launch, counted by e-sim's CTIMER"},
        "kernels": rows,
    }
    costs, scale = fit(rows)
    data["scale_over_hand_estimates"] = round(scale, 3)
    data["instructions_per_operation"] = costs
    data["launches"] = measure_launches(log)
    data["instructions_per_launch"] = fit_launch(data["launches"], costs)
    DATA.write_text(json.dumps(data, indent=1) + "\n")
    return data
