"""The messages inside collectives on more than one core, measured on the real build.

A ``bcast``, ``reduce`` or ``sync`` on ``N`` cores sends and receives ``N - 1`` messages at its
root (and one or two at every other rank) on top of the call's own work, which the one-core
calibration kernels measure.  Each message costs the core its handling: encoding the value,
copying it into the receiver's slot, writing the flag (a send); polling the flag, copying the
piece out, decoding it, acknowledging (a receive); for ``reduce`` also combining the item.

On e-sim every core is its own process running in real time, so a core that waits for a
message spins an amount that depends on how the host schedules the processes.  The kernels here
are arranged so that the root never waits: it delays (an empty loop) until every message it
receives is already there, and the cores it sends to are still delaying.  Every rank runs the
same operations (the delay comes before or after the collective), so the root's instructions on
``N`` cores minus those of a one-core launch are exactly ``N - 1`` times its per-message
handling:

- ``bcast`` with the root first: ``N - 1`` sends (``collective send``); the other ranks delay
  first, so their count, minus the one-core launch, is one receive (``collective recv``, a check);
- ``sync`` with the root last: ``N - 1`` receives and ``N - 1`` sends;
- ``reduce(.., 'sum')`` with the root last: the same plus ``N - 1`` additions (``reduce item``).

Each core count runs in its own process (its own e-sim chip): the device backend numbers each
core's launches by itself, so cores with different launch histories would not see each other's
messages.  ``fit_collectives`` gives the three costs by least squares over the core counts;
``esim/cores/comm.py`` charges them (``costs.COMM_COSTS``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["COLLECTIVE_KERNELS", "COMM_FEATURES", "CORE_COUNTS", "DELAY", "calibrate_collectives",
           "collective_rows", "comm_table", "cost_lines", "fit_collectives", "measure_collectives", "run_collectives"]

#: The per-message costs (instructions) that ``fit_collectives`` derives.
COMM_FEATURES = ("collective send", "collective recv", "reduce item")
#: The core counts measured (1 is the baseline without messages).
CORE_COUNTS = (1, 2, 4, 16)
#: Iterations of the delay loop: about 180,000 instructions, far longer than any message takes
#: to arrive while 16 e-sim processes share the host.
DELAY = 2000

_HEAD = ("from epython.parallel import bcast, coreid, reduce, sync\n"
         "def kernel(n):\n    me = coreid()\n    s = 0\n")
_BEFORE = "    for i in range(n if me {} 0 else 0):\n        pass\n"
_AFTER = "    for i in range(0 if me {} 0 else n):\n        pass\n"

BASELINE = "none"
#: Each: (name, source, whether the root comes first).  The rank that comes late delays first.
COLLECTIVE_KERNELS: tuple[tuple[str, str, bool], ...] = (
    ("bcast", _HEAD + _BEFORE.format("!=") + "    s = bcast(me + 1, 0)\n" + _AFTER.format("!=")
     + "    return s\n", True),
    ("sync", _HEAD + _BEFORE.format("==") + "    sync()\n" + _AFTER.format("==")
     + "    return s\n", False),
    ("reduce", _HEAD + _BEFORE.format("==") + "    s = reduce(me + 1, 'sum')\n"
     + _AFTER.format("==") + "    return s\n", False),
    # the baseline: the same without a collective (the launch's own cost, which on the simulator
    # grows with the core count as the cores share the eLink to fetch their image)
    (BASELINE, _HEAD + _BEFORE.format("==") + "    s = me + 1\n" + _AFTER.format("==")
     + "    return s\n", False),
)


def run_collectives(cores: int, backend: str = "device", repeat: int = 2) -> dict[str, list[int]]:
    """Every COLLECTIVE_KERNELS entry on cores ``0..cores-1`` of ``backend``: per core, the fewest
    cycles over ``repeat`` launches (a wait can only add instructions)."""
    from epython import offload
    from epython.testing.compare import write_module

    out = {}
    for name, source, _root_first in COLLECTIVE_KERNELS:
        kernel = offload(write_module(source, "epcoll").kernel)
        best: list[int] | None = None
        for _ in range(repeat):
            handle = kernel.launch(DELAY, target=list(range(cores)), backend=backend)
            handle.wait(timeout=300)
            cycles = [int(c) for c in handle.cycles]
            best = cycles if best is None else [min(a, b) for a, b in zip(best, cycles)]
        assert best is not None
        out[name] = best
    return out


def measure_collectives(counts: Sequence[int] = CORE_COUNTS, log: Any = None) -> list[dict[str, Any]]:
    """Run the collective kernels on e-sim at each core count, each count in a fresh process
    (needs EPYTHON_EHAL=esim); one row per core count: per kernel, each core's instructions."""
    rows = []
    for n in counts:
        proc = subprocess.run([sys.executable, "-c", "import json, sys; from epython.calibrate."
                               f"collectives import run_collectives; print(json.dumps("
                               f"run_collectives({n})))"],
                              capture_output=True, text=True, env=dict(os.environ), timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"the collective kernels on {n} e-sim cores failed:\n"
                               + proc.stderr[-2000:])
        per_kernel = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append({"cores": n, "instructions": per_kernel})
        if log is not None:
            log(f"  collectives on {n:>2} cores: " + ", ".join(
                f"{k} root {v[0]:,}" for k, v in per_kernel.items()))
    return rows


def _beyond(per_kernel: dict[str, list[int]], base: dict[str, list[int]], kernel: str) -> int:
    """The root's instructions of ``kernel`` beyond the baseline kernel at this core count, less
    the same difference on one core: what the collective's messages cost it."""
    return ((per_kernel[kernel][0] - per_kernel[BASELINE][0])
            - (base[kernel][0] - base[BASELINE][0]))


def _slope(rows: Sequence[dict[str, Any]], kernel: str) -> float:
    """Least-squares instructions per extra core of ``kernel``'s root over the rows."""
    base = next(r for r in rows if r["cores"] == 1)["instructions"]
    x = np.array([r["cores"] - 1 for r in rows if r["cores"] > 1], dtype=float)
    y = np.array([_beyond(r["instructions"], base, kernel) for r in rows if r["cores"] > 1],
                 dtype=float)
    return float(x @ y / (x @ x))


def fit_collectives(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The per-message costs (COMM_FEATURES, instructions) from ``measure_collectives``' rows:
    the root's instructions per extra core of bcast (sends), sync (a receive and a send each)
    and reduce (the same and an addition)."""
    send = _slope(rows, "bcast")
    recv = _slope(rows, "sync") - send
    item = _slope(rows, "reduce") - send - recv
    return {"collective send": round(send, 1), "collective recv": round(recv, 1),
            "reduce item": round(max(0.0, item), 1)}


def collective_rows(data: dict[str, Any], sim: dict[int, dict[str, list[int]]] | None = None
                    ) -> list[dict[str, Any]]:
    """Per kernel and core count above 1: the root's instructions beyond the one-core launch on
    e-sim, and (given ``sim``: ``run_collectives`` on the simulator per core count) the cycles
    the simulator's root spends beyond its one-core launch, and their ratio."""
    rows = data["collectives"]["rows"]
    base = next(r for r in rows if r["cores"] == 1)["instructions"]
    out = []
    for name, _source, _first in COLLECTIVE_KERNELS[:-1]:
        for r in rows:
            if r["cores"] == 1:
                continue
            measured = _beyond(r["instructions"], base, name)
            row: dict[str, Any] = {"kernel": name, "cores": r["cores"], "measured": measured}
            if sim is not None:
                model = _beyond(sim[r["cores"]], sim[1], name)
                row.update(model=model, ratio=model / measured if measured else 0.0)
            out.append(row)
    return out


def cost_lines(table: str, comment: list[str], features: Sequence[str],
               measured: dict[str, float], scale: float) -> list[str]:
    """Lines of the generated ``costs.py`` defining ``table``: the ``measured`` costs of
    ``features`` (cycles = instructions: inside one bytecode's handler, no dispatch of its
    own), or, until measured, the hand estimates of ``prior.json`` scaled as the fit scales the
    others."""
    from epython.calibrate.prior import PRIOR

    lines = [f"#: {c}" for c in comment]
    missing = [k for k in features if k not in measured]
    if missing:
        lines.append("#: Not yet measured (the hand estimate times the data's scale): "
                     + ", ".join(missing) + ".")
    lines.append(f"{table}: dict[str, int] = {{")
    for name in features:
        value = measured[name] if name in measured else scale * PRIOR[name]
        lines.append(f"    {name!r}: {max(0, round(value))},")
    return lines + ["}", ""]


def comm_table(data: dict[str, Any]) -> list[str]:
    """The ``COMM_COSTS`` lines of the generated ``costs.py`` (``cost_lines``)."""
    return cost_lines("COMM_COSTS", [
        "The handling of each message inside a collective on more than one core: cycles per",
        "message sent, per message received, per item ``reduce`` combines (esim/cores/comm.py)."],
        COMM_FEATURES, data.get("collectives", {}).get("instructions_per_message", {}),
        data.get("scale_over_hand_estimates", 1.0))


def calibrate_collectives(log: Any = None, data_file: Path | None = None) -> dict[str, Any]:
    """Measure the collective kernels on e-sim, fit the per-message costs and store both in the
    calibration data file (its ``collectives`` entry, with the date and the core build's commit);
    returns that entry (needs EPYTHON_EHAL=esim)."""
    path = data_file or Path(__file__).resolve().parent / "compute_costs.json"
    data = json.loads(path.read_text())
    rows = measure_collectives(log=log)
    commit = subprocess.run(["git", "-C", str(path.parents[2]), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    entry = {"source": {"commit": commit, "date": _dt.date.today().isoformat(),
                        "what": "Epiphany instructions per core of each launch, e-sim's CTIMER; "
                                f"delay loop of {DELAY} iterations"},
             "rows": rows, "instructions_per_message": fit_collectives(rows)}
    data["collectives"] = entry
    path.write_text(json.dumps(data, indent=1) + "\n")
    return entry
