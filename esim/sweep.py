"""Sweeps: many simulations over chips x argument tuples, on any concurrent.futures Executor.

    from epython import offload
    from esim.sweep import sweep

    @offload
    def kernel(n): ...

    rows = sweep(kernel, [(10,), (100,)], chips=("e16", "e64"))
    for row in rows:
        print(row.chip, row.args, row.seconds)

By default the runs go to a ``ProcessPoolExecutor`` on this machine; pass any
``concurrent.futures.Executor`` (for instance a Dask cluster's ``client.get_executor()``) to run
the same sweep there.  Each run is an independent, deterministic simulation, so the rows do not
depend on where they ran (only ``wall_seconds`` does).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from esim.config import ChipConfig, preset

__all__ = ["SweepRow", "run_one", "sweep"]

log = logging.getLogger("esim")


@dataclass
class SweepRow:
    """One simulation of a sweep.  Rows compare equal when everything but wall time is equal."""

    chip: str
    args: tuple[Any, ...]
    results: list[Any]  # per core, in core order; None where the core failed
    errors: dict[int, str]  # core -> "ErrorName: message (line N)"
    cycles: list[int]  # per core
    seconds: float  # the launch's simulated time at the chip clock
    wall_seconds: float = field(compare=False)

    @property
    def max_cycles(self) -> int:
        """Cycles of the slowest core."""
        return max(self.cycles) if self.cycles else 0


def _image_of(kernel: Any) -> tuple[str, bytes]:
    """(name, image bytes) of an @offload kernel or a compiled kernel."""
    compiled = getattr(kernel, "compiled", kernel)
    image = getattr(compiled, "image", None)
    if not isinstance(image, bytes):
        raise TypeError(f"sweep() needs an @offload kernel (or its .compiled), got {kernel!r}; "
                        "decorate the function with @offload first")
    return str(getattr(compiled, "name", "kernel")), image


def run_one(image: bytes, args: tuple[Any, ...], chip: str | ChipConfig) -> SweepRow:
    """Run one launch of ``image`` on every core of a fresh ``chip``; a worker function."""
    from esim.chip import Chip  # imported here so that workers import only what they need

    started = time.perf_counter()
    sim = Chip(chip)
    cores = list(range(sim.config.num_cores))
    state = sim.launch(image, list(args), cores)
    sim.run_until(lambda: state.finished)
    results: list[Any] = []
    errors: dict[int, str] = {}
    for c in cores:
        o = state.outcomes[c]
        if o.error:
            from epython.bytecode.opcodes import ErrorCode

            errors[c] = f"{ErrorCode(o.error).name}: {o.message} (line {o.lineno})"
            results.append(None)
        else:
            results.append(o.value)
    end = max(o.end_cycle for o in state.outcomes.values())
    name = chip if isinstance(chip, str) else chip.name
    return SweepRow(name, tuple(args), results, errors, [state.outcomes[c].cycles for c in cores],
                    sim.config.seconds(end - state.issue_cycle), time.perf_counter() - started)


def _progress_printer(total: int) -> Callable[[int], None]:
    if not sys.stderr.isatty():
        return lambda done: log.info("sweep: %d/%d runs done", done, total)

    def show(done: int) -> None:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\rsweep [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def sweep(kernel: Any, args: Iterable[Sequence[Any]], chips: Sequence[str | ChipConfig] = ("e16",),
          executor: Executor | None = None,
          progress: Callable[[int], None] | bool = True) -> list[SweepRow]:
    """One simulation per (chip, argument tuple); rows in the order chips x args.

    ``args`` is an iterable of argument tuples.  ``executor`` defaults to a local process pool;
    ``progress`` is True (a progress bar on a terminal, log records otherwise), False, or a
    callable receiving the number of finished runs.
    """
    _, image = _image_of(kernel)
    arg_list = [tuple(a) for a in args]
    for chip in chips:
        preset(chip)  # reject unknown chips before anything starts
    jobs = [(chip, a) for chip in chips for a in arg_list]
    report = _progress_printer(len(jobs)) if progress is True else (
        progress if callable(progress) else (lambda done: None))
    own = executor is None
    pool = executor if executor is not None else ProcessPoolExecutor()
    try:
        futures = {pool.submit(run_one, image, a, chip): i for i, (chip, a) in enumerate(jobs)}
        rows: list[SweepRow | None] = [None] * len(jobs)
        for done, future in enumerate(as_completed(futures), 1):
            rows[futures[future]] = future.result()
            report(done)
    finally:
        if own:
            pool.shutdown()
    return [r for r in rows if r is not None]
