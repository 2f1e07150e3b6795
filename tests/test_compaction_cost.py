"""The heap's compaction as its own cost: measured on e-sim, charged alike by both engines."""

from __future__ import annotations

import json

import pytest

from epython import calibrate as C
from epython.bytecode import costs
from epython.calibrate import compaction as K


@pytest.fixture(scope="module")
def entry() -> dict:
    return json.loads(C.DATA.read_text())["compaction"]


def test_the_table_charges_what_the_fit_gives(entry: dict) -> None:
    fitted = K.fit_compaction(entry["device"], entry["sim"])
    assert fitted == entry["instructions"]
    assert costs.COMPACTION_COSTS == {k: round(v) for k, v in fitted.items()}


def test_the_simulator_compacts_when_it_did_at_calibration(entry: dict) -> None:
    # the fit rests on the simulator's counts of compactions and live objects: they must
    # still be what they were when the e-sim instructions were measured
    now = K.run_compaction("sim")
    keys = ("L", "B", "n", "compactions", "objects", "bytes")
    assert [{k: r[k] for k in keys} for r in now] == [{k: r[k] for k in keys}
                                                       for r in entry["sim"]]


def test_the_fit_recovers_known_costs() -> None:
    sim = [{"compactions": k, "objects": k * o}
           for o, ks in ((5, (3, 9)), (50, (4, 14)), (300, (5, 20))) for k in ks]
    device = [{"cycles": 1000 * n + 1200 * r["compactions"] + 100 * r["objects"]}
              for n, r in zip((200, 600) * 3, sim)]
    assert K.fit_compaction(device, sim) == {"compaction": 1200.0, "compaction object": 100.0}


def test_both_engines_charge_a_compaction_alike() -> None:
    from epython.compiler import compile_kernel
    from epython.testing.compare import write_module
    from esim.cores import heap as H
    from esim.cores.interp import Interpreter

    program = compile_kernel(write_module(K.SOURCE, "epcompact").kernel).program
    out = {}
    for engine in ("reference", "jit"):
        H.TOTALS.clear()
        interp = Interpreter(program, 0, 1, workspace=8000, engine=engine)
        gen = interp.run([300, 100, 8])
        try:
            while True:
                gen.send(None)
        except StopIteration:
            pass
        out[engine] = (interp.cycles, H.TOTALS["compactions"], H.TOTALS["objects"])
    assert out["reference"] == out["jit"] and out["jit"][1] > 0
    compactions, objects = out["jit"][1:]
    charged = (costs.COMPACTION_COSTS["compaction"] * compactions
               + costs.COMPACTION_COSTS["compaction object"] * objects)
    assert charged > 0.1 * out["jit"][0]  # a sizeable part of this kernel's time
