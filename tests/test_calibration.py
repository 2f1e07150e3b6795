"""epython.calibrate: the cost table generated from what the real build executes on e-sim."""

from __future__ import annotations

import json

import pytest

from epython import calibrate as C
from epython.bytecode import costs
from epython.bytecode.opcodes import BUILTINS, OPCODES, OPS


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(C.DATA.read_text())


def test_the_generated_table_is_current(data: dict) -> None:
    assert C.TABLE.read_text() == C.generate_table(data), \
        "epython/bytecode/costs.py is stale: run python -m epython.calibrate --table"


def test_the_data_file_says_where_it_comes_from(data: dict) -> None:
    src = data["source"]
    assert src["toolchain"].startswith("epiphany-elf-gcc")
    assert src["commit"] != "unknown" and src["date"]
    names = {k.name for k in C.KERNELS}
    assert {r["name"] for r in data["kernels"]} == names, \
        "the kernels changed since the last calibration: rerun python -m epython.calibrate on e-sim"
    assert all(r["instructions"][1] > r["instructions"][0] > 0 for r in data["kernels"])


def test_every_opcode_and_builtin_has_a_cost() -> None:
    assert set(costs.OP_CYCLES) == {i.name for i in OPCODES}
    assert set(costs.BUILTIN_CYCLES) == {b.name for b in BUILTINS}
    assert OPS["BINARY_ADD"].cycles == costs.OP_CYCLES["BINARY_ADD"]


def test_count_ops_counts_what_runs() -> None:
    micro = next(k for k in C.KERNELS if k.name == "int add")
    counts = C.count_ops(C._module(micro).kernel, (10,))
    assert counts["BINARY_ADD"] == 10 and counts["FOR_ITER"] == 11 and counts["JUMP"] == 10
    assert counts["LOAD_LOCAL"] == 22 and counts["builtin range"] == 1
    strs = next(k for k in C.KERNELS if k.name == "str concat")
    assert C.count_ops(C._module(strs).kernel, (10,))["alloc objects"] >= 10


def test_the_fit_recovers_known_costs() -> None:
    # synthetic measurements made from a known table: the fit must give it back
    truth = {"LOAD_LOCAL": 30.0, "STORE_LOCAL": 25.0, "FOR_ITER": 50.0, "JUMP": 15.0,
             "BINARY_ADD": 60.0, "BINARY_MUL": 80.0, "LOAD_INT": 20.0}
    rows = []
    for name, body in (("a", {"FOR_ITER": 1, "JUMP": 1, "STORE_LOCAL": 1}),
                       ("b", {"FOR_ITER": 1, "JUMP": 1, "STORE_LOCAL": 2, "LOAD_LOCAL": 2,
                              "BINARY_ADD": 1}),
                       ("c", {"FOR_ITER": 1, "JUMP": 1, "STORE_LOCAL": 2, "LOAD_LOCAL": 1,
                              "LOAD_INT": 1, "BINARY_MUL": 1}),
                       ("d", {"FOR_ITER": 1, "JUMP": 1, "STORE_LOCAL": 2, "LOAD_LOCAL": 2,
                              "BINARY_MUL": 1}),
                       ("e", {"FOR_ITER": 1, "JUMP": 2, "STORE_LOCAL": 1, "LOAD_INT": 1}),
                       ("f", {"FOR_ITER": 2, "JUMP": 1, "STORE_LOCAL": 1, "LOAD_INT": 2}),
                       ("g", {"FOR_ITER": 1, "JUMP": 1, "STORE_LOCAL": 2, "LOAD_LOCAL": 1}),
                       ("h", {"FOR_ITER": 1, "JUMP": 1, "STORE_LOCAL": 3, "LOAD_INT": 2})):
        per = sum(truth[k] * v for k, v in body.items())
        rows.append({"name": name, "kind": "x", "validation": False, "sizes": [10, 30],
                     "instructions": [1000 + 10 * per, 1000 + 30 * per],
                     "counts": [{k: 10 * v for k, v in body.items()},
                                {k: 30 * v for k, v in body.items()}]})
    fitted, _ = C.fit(rows, ridge=1e-6)
    for k, v in truth.items():
        assert fitted[k] == pytest.approx(v, rel=0.02), k


def test_the_table_matches_the_real_build_across_kinds_of_work(data: dict) -> None:
    # the target of docs/timing-model.md: the simulator's cycles over the real build's
    # instructions the same (within 25% of the median) for every kernel of the calibration
    rows = C.report_rows(data)
    ratios = sorted(r["ratio"] for r in rows)
    mid = ratios[len(ratios) // 2]
    off = {r["name"]: round(r["ratio"] / mid, 2) for r in rows if abs(r["ratio"] / mid - 1) > 0.25}
    assert not off, f"kernels more than 25% from the median ratio {mid:.2f}: {off}"


def test_the_launch_cost_matches_the_real_build(data: dict) -> None:
    # the core's own launch work (image verification and copy, tables, arguments, result):
    # LAUNCH_COSTS against each launch kernel measured on e-sim
    rows = C.launch_rows(data, costs.LAUNCH_COSTS)
    assert len(rows) == len(C.LAUNCH_KERNELS)
    off = {r["name"]: round(r["model"] / r["measured"], 2) for r in rows
           if abs(r["model"] / r["measured"] - 1) > 0.15}
    assert not off, off


def test_a_launch_charges_its_fixed_cost_in_the_simulator() -> None:
    from epython import offload
    from epython.testing.compare import write_module

    short = write_module("def kernel(n):\n    return n\n", "eplc").kernel
    longer = write_module("def kernel(n):\n    if n < 0:\n" + "".join(
        f"        n = n * {k + 2}\n" for k in range(30)) + "    return n\n", "eplc").kernel
    a = offload(short).launch(1, target=[0], backend="sim")
    a.wait()
    b = offload(longer).launch(1, target=[0], backend="sim")
    b.wait()
    # the longer image costs its bytes' verification and copy (more than the DMA fetch of them)
    extra_bytes = len(offload(longer).compiled.image) - len(offload(short).compiled.image)
    assert b.cycles[0] - a.cycles[0] >= costs.LAUNCH_COSTS["image byte"] * extra_bytes


def test_the_docs_show_the_current_ratios(data: dict) -> None:
    # docs/timing-model.md's per-kernel table is the one --report computes from the data file
    import numpy as np

    text = (C.ROOT / "docs" / "timing-model.md").read_text()
    rows = C.report_rows(data)
    mid = float(np.median([r["ratio"] for r in rows]))
    for r in rows:
        line = (f"| {r['name']} | {r['kind']} | {'no (validation)' if r['validation'] else 'yes'} "
                f"| {r['instructions']:.1f} | {r['cycles']:.0f} | {r['ratio']:.2f} "
                f"| {r['ratio'] / mid:.2f} |")
        assert line in text, f"docs/timing-model.md is stale for {r['name']}: {line}"
