"""``python -m epython.calibrate``: measure the real build on e-sim and fit the cost table.

``--table`` regenerates ``epython/bytecode/costs.py`` from the data file, ``--check`` says
whether it is stale, ``--report`` prints the per-kernel ratios of the current table;
``--collectives`` and ``--compaction`` measure only the messages of collectives on several
cores and the heap's compaction (both also part of a full run).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import numpy as np

from epython.calibrate import (
    DATA,
    KERNELS,
    TABLE,
    calibrate,
    cycles_of,
    generate_table,
    report_rows,
)
from epython.calibrate.collectives import calibrate_collectives
from epython.calibrate.compaction import calibrate_compaction


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


def _print_collectives(data: dict[str, Any]) -> None:
    from epython.calibrate.collectives import CORE_COUNTS, collective_rows, run_collectives

    sim = {n: run_collectives(n, backend="sim", repeat=1) for n in CORE_COUNTS}
    print("-- collectives on several cores: the root's messages (beyond the baseline)")
    print(f"{'kernel':<8} {'cores':>5} {'e-sim instr':>11} {'sim cycles':>10} {'ratio':>6}")
    for r in collective_rows(data, sim):
        print(f"{r['kernel']:<8} {r['cores']:>5} {r['measured']:>11} {r['model']:>10} "
              f"{r['ratio']:>6.2f}")


def main(argv: list[str] | None = None) -> int:
    """The command line: measure on e-sim, or write the cost table; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m epython.calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true",
                        help="generate epython/bytecode/costs.py from the data file (no e-sim)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when epython/bytecode/costs.py is stale")
    parser.add_argument("--collectives", action="store_true",
                        help="measure only the collectives on 1, 2, 4 and 16 e-sim cores")
    parser.add_argument("--compaction", action="store_true",
                        help="measure only the heap's compaction on one e-sim core")
    parser.add_argument("--report", action="store_true",
                        help="the per-kernel ratios of the current table (no e-sim)")
    opts = parser.parse_args(argv)
    if opts.table or opts.check:
        text = generate_table(json.loads(DATA.read_text()))
        if opts.check:
            if TABLE.read_text() != text:
                print(f"{TABLE} is stale: run python -m epython.calibrate --table", file=sys.stderr)
                return 1
            return 0
        TABLE.write_text(text)
        print(f"wrote {TABLE}")
        return 0
    if opts.report:
        data = json.loads(DATA.read_text())
        _print_report(report_rows(data))
        if "collectives" in data:
            _print_collectives(data)
        return 0
    os.environ["EPYTHON_EHAL"] = "esim"
    from epython.backends.device.esim import esim_prefix, missing_parts

    missing = missing_parts(esim_prefix())
    if missing:
        print(f"epython.calibrate needs e-sim and the esim-target libe-hal in {esim_prefix()}; it "
              f"lacks {', '.join(missing)} (docs/backends.md, 'The device backend on e-sim')",
              file=sys.stderr)
        return 2
    if opts.collectives or opts.compaction:
        if opts.collectives:
            print(calibrate_collectives(log=print)["instructions_per_message"])
        if opts.compaction:
            print(calibrate_compaction()["instructions"])
        print(f"wrote {DATA}; now: python -m epython.calibrate --table")
        return 0
    print(f"measuring {len(KERNELS)} kernels on e-sim (EPYTHON_EHAL=esim), core 0")
    data = calibrate(log=print)
    calibrate_collectives(log=print)
    calibrate_compaction()
    print(f"wrote {DATA} (the real build executes {data['scale_over_hand_estimates']:.2f}x the "
          "instructions the hand estimates charged as cycles)")
    fitted = {k: cycles_of(v, k) for k, v in data["instructions_per_operation"].items()}
    _print_report(report_rows(data, fitted))
    print("now: python -m epython.calibrate --table")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
