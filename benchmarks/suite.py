"""The speed suite: simulator vs CPython per kernel, launch overhead, scale (docs/performance.md).

``python -m benchmarks`` prints the table and writes JSON; ``--quick`` runs small sizes in a few
seconds and asserts only correctness (the JIT and the reference engine agree on values, cycles
and instruction counts; results match CPython where the semantics overlap), never timing.

Every figure is measured side by side in one run: each repetition times CPython and the
simulator back to back and the ratio is taken per repetition; the table shows medians.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import kernels as K
from epython import offload
from epython.backends import get_backend, reset_backends
from epython.backends.sim import SimBackend
from epython.compiler import compile_kernel

CORES = 16


@dataclass
class Case:
    """One compute kernel with its full and quick arguments."""

    name: str
    fn: Callable[..., Any]
    full: Callable[[], tuple[Any, ...]]
    quick: Callable[[], tuple[Any, ...]]
    compute_bound: bool = True
    check: str = "equal"  # how core 0's result compares with CPython's: equal, close, finite


def _matvec_args(n: int, k: int, reps: int) -> tuple[Any, ...]:
    a = (np.arange(n * k, dtype=np.float32).reshape(n, k) % 7) / np.float32(7)
    x = np.linspace(-1, 1, k, dtype=np.float32)
    return (a, x, np.zeros(n, dtype=np.float32), reps)


CASES = [
    Case("int_loops", K.int_loops, lambda: (400,), lambda: (6,)),
    Case("fib", K.fib, lambda: (20,), lambda: (8,)),
    Case("poly_f32", K.poly_f32, lambda: (20000,), lambda: (200,), check="close"),
    Case("monte_carlo_pi", K.monte_carlo_pi, lambda: (8000,), lambda: (100,), check="close"),
    Case("matvec", K.matvec, lambda: _matvec_args(16, 16, 40), lambda: _matvec_args(4, 4, 1),
         check="close"),
    Case("jacobi_sendrecv", K.jacobi, lambda: (64, 40), lambda: (4, 3), compute_bound=False,
         check="finite"),
    Case("ring", K.ring, lambda: (20, 200), lambda: (3, 5), compute_bound=False, check="finite"),
    Case("reduce_bcast", K.reduce_bcast, lambda: (20, 200), lambda: (3, 5), compute_bound=False,
         check="finite"),
]


def _copy_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _cpython(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = None
    for _ in range(CORES):
        result = fn(*_copy_args(args))
    return time.perf_counter() - t0, result


def _sim(kernel: Any, args: tuple[Any, ...], backend: str | None = None
         ) -> tuple[float, list[Any], list[int], list[int]]:
    t0 = time.perf_counter()
    opts = {} if backend is None else {"backend": backend}
    handle = kernel(*_copy_args(args), **opts)
    values = handle.wait()
    wall = time.perf_counter() - t0
    return wall, values, list(handle.cycles), list(handle.instructions)


def _check(case: Case, expected: Any, got: Any) -> None:
    if case.check == "equal":
        assert got == expected, (case.name, got, expected)
    elif case.check == "close":
        assert math.isclose(float(got), float(expected), rel_tol=2e-2, abs_tol=1e-2), \
            (case.name, got, expected)
    else:
        assert math.isfinite(float(got)), (case.name, got)


def _with_env(var: str, value: str, fn: Callable[[], Any], fresh: bool = False) -> Any:
    """``fn()`` with the environment variable ``var`` set to ``value`` (``fresh``: on a new
    chip at cycle 0), then the variable as it was."""
    old = os.environ.get(var)
    os.environ[var] = value
    if fresh:
        reset_backends()
    try:
        return fn()
    finally:
        if old is None:
            del os.environ[var]
        else:
            os.environ[var] = old


def _every_core(fn: Callable[[], Any]) -> Any:
    """``fn()`` with ESIM_SHARE_ALIKE=0, so that the time is each simulated core's own work."""
    return _with_env("ESIM_SHARE_ALIKE", "0", fn)


def _with_engine(engine: str, fn: Callable[[], Any]) -> Any:
    """``fn()`` on a fresh chip (cycle 0, so both engines start from the same state) whose
    cores run ``engine``."""
    return _with_env("ESIM_ENGINE", engine, fn, fresh=True)


def cross_check(case: Case, kernel: Any) -> dict[str, Any]:
    """Quick sizes on both engines: identical values, cycles and instruction counts."""
    args = case.quick()
    ref = _with_engine("reference", lambda: _sim(kernel, args))
    jit = _with_engine("jit", lambda: _sim(kernel, args))
    assert repr(ref[1]) == repr(jit[1]), (case.name, ref[1], jit[1])
    assert ref[2] == jit[2], (case.name, "cycles differ", ref[2], jit[2])
    assert ref[3] == jit[3], (case.name, "instructions differ", ref[3], jit[3])
    _, expected = _cpython(case.fn, args)
    _check(case, expected, jit[1][0])
    return {"cycles": sum(jit[2]), "instructions": sum(jit[3])}


def bench_kernel(case: Case, reps: int, quick: bool, device: bool) -> dict[str, Any]:
    kernel = offload(async_=True)(case.fn)
    check = cross_check(case, kernel)
    args = case.quick() if quick else case.full()
    rows: list[dict[str, float]] = []
    for _ in range(reps):
        gc.collect()
        cp, expected = _cpython(case.fn, args)
        # every core interprets its kernel: a kernel that computes the same on every core
        # would otherwise run once for all of them (esim/chip.py, _share_alike)
        wall, values, cycles, instrs = _every_core(lambda: _sim(kernel, args))
        _check(case, expected, values[0])
        dev = None
        if device:
            dev, dvalues, _, _ = _sim(kernel, args, backend="device")
            assert repr(dvalues) == repr(values), (case.name, "device result differs")
        rows.append({"sim_s": wall, "cpython_s": cp, "ratio": wall / cp,
                     "instr_per_s": sum(instrs) / wall, "device_s": dev,
                     "device_ratio": None if dev is None else dev / cp,
                     "instructions": sum(instrs), "max_cycles": max(cycles)})
    out: dict[str, Any] = {"kernel": case.name, "args": _describe(args),
                           "compute_bound": case.compute_bound, "engines_agree": check}
    for key in ("sim_s", "cpython_s", "ratio", "instr_per_s", "device_s", "device_ratio",
                "instructions", "max_cycles"):
        vals = [r[key] for r in rows if r[key] is not None]
        out[key] = statistics.median(vals) if vals else None
    out["runs"] = rows
    return out


def _describe(args: tuple[Any, ...]) -> str:
    return ", ".join(f"array{a.shape}" if isinstance(a, np.ndarray) else repr(a) for a in args)


def bench_launch(n: int, reps: int, device: bool = False) -> dict[str, Any]:
    """Trivial kernel: per blocking launch, per async launch, vs a 16-task ThreadPoolExecutor;
    with ``device``, per blocking launch on the device backend too (the host e-hal's C
    interpreter, unless an eSDK is installed)."""
    blocking = offload(K.trivial)
    asynchronous = offload(async_=True)(K.trivial)
    on_device = offload(backend="device")(K.trivial)
    assert blocking() == [1] * CORES
    if device:
        assert on_device() == [1] * CORES
    sim = get_backend()
    replays = sim.chip.replays if isinstance(sim, SimBackend) else None
    replayed = replays.hits if replays is not None else 0
    rows = []
    with concurrent.futures.ThreadPoolExecutor(CORES) as pool:
        for _ in range(reps):
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(n):
                blocking()
            t_block = (time.perf_counter() - t0) / n
            t0 = time.perf_counter()
            handles = [asynchronous() for _ in range(n)]
            for h in handles:
                assert h.wait() == [1] * CORES
            t_async = (time.perf_counter() - t0) / n
            t0 = time.perf_counter()
            for _ in range(n):
                futures = [pool.submit(K.trivial) for _ in range(CORES)]
                concurrent.futures.wait(futures)
            t_pool = (time.perf_counter() - t0) / n
            row = {"blocking_ms": t_block * 1e3, "async_ms": t_async * 1e3,
                   "threadpool_ms": t_pool * 1e3, "blocking_vs_pool": t_block / t_pool,
                   "async_vs_pool": t_async / t_pool}
            if device:
                t0 = time.perf_counter()
                for _ in range(n):
                    on_device()
                row["device_ms"] = (time.perf_counter() - t0) / n * 1e3
            rows.append(row)
    out: dict[str, Any] = {"launches": n}
    for key in rows[0]:
        out[key] = statistics.median(r[key] for r in rows)
    # blocking launches on the idle chip replay their recorded schedule (esim/replay.py)
    out["blocking_replayed"] = (None if replays is None
                                else (replays.hits - replayed) / (n * reps))
    return out


def _run_on(chip: str, args: tuple[Any, ...]) -> tuple[float, int, int, float]:
    """One ring launch on a new ``chip``: wall seconds, core-instructions, cores, CPU seconds
    (this process's: the machine's other load moves it less than the wall clock)."""
    backend = SimBackend(chip)
    compiled = compile_kernel(K.ring)
    cores = list(range(backend.num_cores()))
    t0 = time.perf_counter()
    c0 = time.process_time()
    launch = backend.launch(compiled, list(args), cores)
    instructions = 0
    n = 0
    while True:
        r = launch.wait_next(None)
        if r is None:
            break
        assert r.error is None, r.error
        instructions += r.instructions or 0
        n += 1
    assert n == len(cores)
    return time.perf_counter() - t0, instructions, len(cores), time.process_time() - c0


def bench_scale(quick: bool, reps: int) -> list[dict[str, Any]]:
    """The ring kernel on e16, e64 and 32x32: host time per simulated core-instruction, memory.

    A chip's figure is the median of ``reps`` runs, and of as many more as make about half a
    second of runs in all (an e16 run takes a few hundredths of a second: one run alone would
    measure the machine's other load as much as the simulator)."""
    args = (2, 20) if quick else (4, 100)
    chips = ("e16", "e64") if quick else ("e16", "e64", "32x32")
    out = []
    for chip in chips:
        rows = []
        first = time.perf_counter()
        _run_on(chip, args)  # warm: the program's translation (each run builds its own chip)
        runs = reps if quick else max(reps, min(50, math.ceil(0.5 / (time.perf_counter() - first))))
        for _ in range(runs):
            gc.collect()
            rows.append(_run_on(chip, args))
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[3] for r in rows)
        instructions, cores = rows[0][1], rows[0][2]
        gc.collect()
        tracemalloc.start()
        _run_on(chip, (1, 5))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.append({"chip": chip, "cores": cores, "wall_s": wall, "instructions": instructions,
                    "us_per_core_instruction": wall / instructions * 1e6,
                    "cpu_us_per_core_instruction": cpu / instructions * 1e6,
                    "host_kib_per_core": peak / cores / 1024})
    base, cpu_base = out[0]["us_per_core_instruction"], out[0]["cpu_us_per_core_instruction"]
    for row in out:
        row["vs_e16"] = row["us_per_core_instruction"] / base
        row["vs_e16_cpu"] = row["cpu_us_per_core_instruction"] / cpu_base
    return out


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpu": cpu, "cpus": os.cpu_count()}


def _fmt(v: float | None, spec: str) -> str:
    return "n/a" if v is None else format(v, spec)


def print_table(result: dict[str, Any]) -> None:
    m = result["machine"]
    print(f"epython benchmarks ({'quick' if result['quick'] else 'full'}, engine "
          f"{result['engine']}) on {m['cpu']}, "
          f"{m['cpus']} CPUs, {m['implementation']} {m['python']}; medians of "
          f"{result['reps']} side-by-side runs")
    print()
    head = (f"{'kernel':<16} {'sim 16 cores s':>14} {'CPython x16 s':>14} {'ratio':>7} "
            f"{'instr/s':>10}  device (C interp, host e-hal)")
    print(head)
    print("-" * len(head))
    for k in result["kernels"]:
        device = ("n/a (device backend unavailable)" if not result["device_available"] else
                  f"{_fmt(k['device_s'], '.3f')} s, ratio {_fmt(k['device_ratio'], '.2f')}")
        mark = "" if k["compute_bound"] else " *"
        print(f"{k['kernel'] + mark:<16} {k['sim_s']:>14.3f} {k['cpython_s']:>14.4f} "
              f"{k['ratio']:>7.1f} {k['instr_per_s']:>10.3g}  {device}")
    cb = [k["ratio"] for k in result["kernels"] if k["compute_bound"]]
    if cb:  # --only may select no compute kernel
        print(f"median ratio over compute-bound kernels: {statistics.median(cb):.1f} "
              f"(target <= 3);  * communicating kernel (CPython column skips the exchange)")
    lo = result["launch"]
    print()
    print(f"launch overhead (trivial kernel, 16 cores, {lo['launches']} launches): "
          f"blocking {lo['blocking_ms']:.2f} ms/launch, async {lo['async_ms']:.2f} ms/launch; "
          f"ThreadPoolExecutor 16 tasks {lo['threadpool_ms']:.3f} ms "
          f"(blocking x{lo['blocking_vs_pool']:.1f}, async x{lo['async_vs_pool']:.0f}); "
          f"target <= 0.5 ms (blocking)"
          + ("" if lo.get("blocking_replayed") is None
             else f"; {lo['blocking_replayed']:.0%} of blocking launches replayed"))
    if lo.get("device_ms") is not None:
        print(f"device backend (C interpreter, host e-hal), trivial blocking launch on 16 cores: "
              f"{lo['device_ms']:.2f} ms/launch (target <= 1 ms)")
    print()
    print(f"{'scale (ring)':<14} {'cores':>6} {'wall s':>8} {'core-instr':>11} "
          f"{'us/core-instr':>14} {'vs e16':>7} {'CPU us/c-i':>11} {'vs e16':>7} "
          f"{'host KiB/core':>14}")
    for row in result["scale"]:
        print(f"{row['chip']:<14} {row['cores']:>6} {row['wall_s']:>8.3f} "
              f"{row['instructions']:>11} {row['us_per_core_instruction']:>14.3f} "
              f"{row['vs_e16']:>7.2f} {row['cpu_us_per_core_instruction']:>11.3f} "
              f"{row['vs_e16_cpu']:>7.2f} {row['host_kib_per_core']:>14.1f}")


def _progress(line: str) -> None:
    """One progress line on stderr (the table on stdout stays as it is)."""
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, one run, assert correctness only (for CI)")
    parser.add_argument("--reps", type=int, default=None, help="runs per figure (default 5)")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the JSON (default benchmarks/results.json; "
                             "quick: a temporary file)")
    parser.add_argument("--only", default=None, help="comma-separated kernel names")
    parser.add_argument("--engine", choices=("jit", "reference"), default=None,
                        help="simulated cores' interpreter engine to time (default: jit)")
    opts = parser.parse_args(argv)
    if opts.engine:
        os.environ["ESIM_ENGINE"] = opts.engine
    quick = opts.quick
    reps = opts.reps or (1 if quick else 5)
    reset_backends()
    from epython.backends.device import prefer_host_ehal

    prefer_host_ehal()  # the device column runs over the host e-hal unless an eSDK is installed
    try:
        device = bool(get_backend("device").available())
    except Exception:  # noqa: BLE001 - a broken device backend is simply unavailable
        device = False
    cases = CASES
    if opts.only:
        wanted = set(opts.only.split(","))
        cases = [c for c in CASES if c.name in wanted]
    started = time.perf_counter()
    result: dict[str, Any] = {"machine": _machine(), "quick": quick, "reps": reps,
                              "engine": os.environ.get("ESIM_ENGINE", "jit"),
                              "device_available": device, "kernels": []}
    total = len(cases) + 2
    for k, case in enumerate(cases):
        t0 = time.perf_counter()
        row = bench_kernel(case, reps, quick, device)
        result["kernels"].append(row)
        _progress(f"[{k + 1}/{total}] {case.name}: sim/CPython {row['ratio']:.1f}x "
                  f"({time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    result["launch"] = bench_launch(10 if quick else 200, reps, device)
    _progress(f"[{total - 1}/{total}] launch overhead: {result['launch']['blocking_ms']:.2f} ms "
              f"per blocking launch"
              + (f", device {result['launch']['device_ms']:.2f} ms" if device else "")
              + f" ({time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    result["scale"] = bench_scale(quick, 1 if quick else reps)
    _progress(f"[{total}/{total}] scale: {result['scale'][-1]['chip']} "
              f"{result['scale'][-1]['vs_e16']:.2f}x e16 per core-instruction "
              f"({time.perf_counter() - t0:.1f} s)")
    result["seconds"] = time.perf_counter() - started
    print_table(result)
    path = opts.json
    if path is None:
        path = (Path(tempfile.gettempdir()) / "epython-benchmarks-quick.json" if quick
                else Path(__file__).resolve().parent / "results.json")
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwrote {path} ({result['seconds']:.0f} s)")
    return 0
