"""The heap's compaction as its own cost, measured on the real build.

The C core's heap (device/core/heap.c) allocates by bumping a pointer and frees by reference
counting, leaving holes; when the bump pointer meets the frames it slides every live object
down over the holes: one pass giving each live block its new address, one updating every
reference (roots, and the items of every list and tuple), one moving the blocks.  The
simulator's heap (esim/cores/heap.py) compacts at the same moment (its count of the bytes
allocated since the last compaction, plus the frames, would exceed the workspace) and traces the
live objects then.

The kernel below keeps ``L`` strs of ``B`` bytes alive in a list and makes a 360-byte str of
garbage per iteration, at two loop counts; the difference cancels the launch and the setup.
Per configuration the simulator counts the compactions and the live objects and bytes they
find; a least-squares fit of the e-sim instructions over the configurations gives the cost of
one loop iteration, of one compaction and of one live object (and the live bytes, whose cost
comes out near zero: the kept objects sit below the first hole and are never moved).
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["COMPACTION_FEATURES", "CONFIGS", "SIZES", "SOURCE", "calibrate_compaction",
           "compaction_table", "fit_compaction", "run_compaction"]

#: The costs ``fit_compaction`` derives (instructions): per compaction, per live object.
COMPACTION_FEATURES = ("compaction", "compaction object")
SOURCE = """\
def kernel(n, L, B):
    keep = []
    for j in range(L):
        keep.append('k' * B)
    g = 'x' * 180
    s = ''
    for i in range(n):
        s = g + g
    return len(keep)
"""
#: (live strs, their bytes) per configuration, and the two loop counts.
CONFIGS = ((0, 8), (100, 8), (300, 8), (20, 200), (40, 200))
SIZES = (200, 600)


def run_compaction(backend: str = "sim") -> list[dict[str, Any]]:
    """Every configuration at both loop counts on core 0 of ``backend``: its cycles (on e-sim:
    instructions) and, from the simulator's heap, the compactions and the live objects and
    bytes they found."""
    from epython import offload
    from epython.testing.compare import write_module
    from esim.cores import heap as H

    kernel = offload(write_module(SOURCE, "epcompact").kernel)
    rows = []
    for live, size in CONFIGS:
        for n in SIZES:
            H.TOTALS.clear()
            handle = kernel.launch(n, live, size, target=[0], backend=backend)
            handle.wait(timeout=300)
            row = {"L": live, "B": size, "n": n, "cycles": int(handle.cycles[0])}
            if backend == "sim":
                row.update({k: H.TOTALS[k] for k in ("compactions", "objects", "bytes")})
            rows.append(row)
    return rows


def fit_compaction(device: list[dict[str, Any]], sim: list[dict[str, Any]]) -> dict[str, float]:
    """COMPACTION_FEATURES (instructions) from the e-sim rows and the simulator's counts of the
    same runs: least squares of the per-configuration differences between the loop counts."""
    a, y = [], []
    for k in range(0, len(sim), 2):
        lo, hi = sim[k], sim[k + 1]
        a.append([1.0, hi["compactions"] - lo["compactions"], hi["objects"] - lo["objects"]])
        y.append(device[k + 1]["cycles"] - device[k]["cycles"])
    c, *_ = np.linalg.lstsq(np.array(a), np.array(y, dtype=float), rcond=None)
    return {"compaction": round(float(max(c[1], 0.0)), 1),
            "compaction object": round(float(max(c[2], 0.0)), 1)}


def calibrate_compaction(data_file: Path | None = None) -> dict[str, Any]:
    """Measure on e-sim (needs EPYTHON_EHAL=esim; the simulator's counts in a child process
    without it), fit, store in the data file's ``compaction`` entry; returns the entry."""
    import os
    import sys

    path = data_file or Path(__file__).resolve().parent / "compute_costs.json"
    data = json.loads(path.read_text())
    device = run_compaction("device")
    env = {k: v for k, v in os.environ.items() if k != "EPYTHON_EHAL"}
    out = subprocess.run([sys.executable, "-c", "import json; from epython.calibrate.compaction "
                          "import run_compaction; print(json.dumps(run_compaction('sim')))"],
                         capture_output=True, text=True, env=env, check=True).stdout
    sim = json.loads(out.strip().splitlines()[-1])
    commit = subprocess.run(["git", "-C", str(path.parents[2]), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    entry = {"source": {"commit": commit, "date": _dt.date.today().isoformat()},
             "device": device, "sim": sim, "instructions": fit_compaction(device, sim)}
    data["compaction"] = entry
    path.write_text(json.dumps(data, indent=1) + "\n")
    return entry


def compaction_table(data: dict[str, Any]) -> list[str]:
    """The ``COMPACTION_COSTS`` lines of the generated ``costs.py`` (``collectives.cost_lines``)."""
    from epython.calibrate.collectives import cost_lines

    return cost_lines("COMPACTION_COSTS", [
        "The heap's compaction (esim/cores/heap.py): cycles per compaction and per live object",
        "it finds (scanned, its references updated, moved)."], COMPACTION_FEATURES,
        data.get("compaction", {}).get("instructions", {}), data.get("scale_over_hand_estimates", 1.0))
