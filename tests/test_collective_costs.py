"""The messages inside collectives on several cores: measured on e-sim, charged by esim."""

from __future__ import annotations

import json

import pytest

from epython import calibrate as C
from epython.bytecode import costs
from epython.calibrate import collectives as K


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(C.DATA.read_text())


def test_the_data_holds_every_kernel_at_every_core_count(data: dict) -> None:
    entry = data["collectives"]
    assert entry["source"]["commit"] != "unknown" and entry["source"]["date"]
    assert sorted(r["cores"] for r in entry["rows"]) == list(K.CORE_COUNTS)
    names = {name for name, _src, _first in K.COLLECTIVE_KERNELS}
    for row in entry["rows"]:
        assert set(row["instructions"]) == names
        assert all(len(v) == row["cores"] for v in row["instructions"].values())


def test_the_table_charges_what_the_fit_gives(data: dict) -> None:
    fitted = K.fit_collectives(data["collectives"]["rows"])
    assert fitted == data["collectives"]["instructions_per_message"]
    assert costs.COMM_COSTS == {k: round(v) for k, v in fitted.items()}


def test_the_root_counts_are_linear_in_the_cores(data: dict) -> None:
    # the design of the kernels: the root never waits, so each extra core adds the same
    rows = K.collective_rows(data)
    for name in ("bcast", "sync", "reduce"):
        per_core = [r["measured"] / (r["cores"] - 1) for r in rows if r["kernel"] == name]
        assert max(per_core) / min(per_core) < 1.05, (name, per_core)


def test_the_fit_recovers_known_costs() -> None:
    send, recv, item, launch = 900.0, 600.0, 250.0, 195_000

    def row(n: int) -> dict:
        m, fixed = n - 1, launch + 12 * n  # the launch decodes its list of cores
        return {"cores": n, "instructions": {
            "bcast": [fixed + m * send] + [fixed + recv] * m,
            "sync": [fixed + m * (send + recv)] * n,
            "reduce": [fixed + m * (send + recv + item)] * n,
            "none": [fixed] * n}}

    fitted = K.fit_collectives([row(n) for n in K.CORE_COUNTS])
    assert fitted == {"collective send": send, "collective recv": recv, "reduce item": item}


def test_the_simulator_reproduces_the_measured_messages(data: dict) -> None:
    # every kernel at every core count: the root's cycles for the collective's messages on the
    # simulator within 10% of the instructions the real build executes on e-sim
    sim = {n: K.run_collectives(n, backend="sim", repeat=1) for n in K.CORE_COUNTS}
    for r in K.collective_rows(data, sim):
        assert 0.9 < r["ratio"] < 1.1, r


def test_unmeasured_costs_fall_back_to_scaled_estimates() -> None:
    lines = K.comm_table({"scale_over_hand_estimates": 2.0})
    assert any("Not yet measured" in line for line in lines)
    assert "    'reduce item': 32," in lines
