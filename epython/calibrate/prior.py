"""The prior of the calibration's fit: the hand estimates the opcode table had before the first
measurement (cycles; epython/bytecode/opcodes.py until 2026-12-02).  The fit pulls only the
costs that no kernel tells apart towards these, scaled; the table itself comes from e-sim.
The figures are data: ``prior.json`` beside this module."""

import json
from pathlib import Path

PRIOR: dict[str, float] = json.loads(
    (Path(__file__).resolve().parent / "prior.json").read_text())["prior"]
