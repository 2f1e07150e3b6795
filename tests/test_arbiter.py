"""Round-robin arbitration at the eLink's tx (esim/mesh/arbiter.py)."""

from __future__ import annotations

import dataclasses

import pytest
import simpy

from esim.config import ChipConfig, preset
from esim.mesh import Mesh
from esim.microbench import Flow, run_flows

ALL = [(r, c) for r in range(4) for c in range(4)]
FCFS = dataclasses.replace(preset("e16"), elink_arbitration="fcfs")


def _last_by_column(res: list) -> list[float]:
    return [max(r.cycles for r in res if r.flow.src[1] == c) for c in range(4)]


def test_first_come_first_served_shares_per_transfer() -> None:
    res = run_flows([Flow(c, "dram", 2048) for c in ALL], FCFS)
    cols = _last_by_column(res)
    assert max(cols) / min(cols) < 1.02


def test_round_robin_per_router_input_gives_the_measured_column_shares() -> None:
    for method in ("store", "dma"):
        cols = _last_by_column(run_flows([Flow(c, "dram", 2048, method) for c in ALL]))
        ratios = [c / cols[0] for c in cols]
        assert ratios == pytest.approx([1.0, 1.0, 0.75, 0.5], abs=0.02), method


def test_the_aggregate_does_not_change() -> None:
    flows = [Flow(c, "dram", 2048, "dma") for c in ALL]
    rr, fcfs = run_flows(flows), run_flows(flows, FCFS)
    assert max(r.cycles for r in rr) == pytest.approx(max(r.cycles for r in fcfs), rel=0.01)


@pytest.mark.parametrize("flows", [
    [Flow((0, 0), "dram", 8)], [Flow((1, 2), "dram", 8192)], [Flow((0, 0), "dram", 2048, "dma")],
    [Flow((0, 0), "dram", 64), Flow((2, 1), (3, 3), 4096)],
])
def test_uncontended_writes_take_what_they_took(flows: list[Flow]) -> None:
    rr, fcfs = run_flows(flows), run_flows(flows, FCFS)
    assert [(r.cycles, r.issued_cycles) for r in rr] == [(r.cycles, r.issued_cycles) for r in fcfs]


def test_a_queued_one_chunk_write_fires_its_events_in_order() -> None:
    env = simpy.Environment()
    mesh = Mesh(env, ChipConfig())
    big = mesh.write((0, 0), "dram", 4096)
    small = [mesh.write(c, "dram", 8) for c in ((0, 1), (1, 3), (2, 2))]
    seen: list[tuple[str, float]] = []
    for t in small:
        t.issued.callbacks.append(lambda e: seen.append(("issued", e.value)))
        t.arrived.callbacks.append(lambda e: seen.append(("arrived", e.value)))
    env.run()
    assert all(t.arrived.value >= t.issued.value > 0 for t in small)
    assert big.arrived.value > max(t.arrived.value for t in small)  # they got turns
    tx = mesh.stats.rows()
    busy = next(r for r in tx if r.name == "elink.tx").busy_cycles
    assert busy <= max(t.arrived.value for t in (big, *small))  # never booked twice at once


def test_reads_that_do_not_arbitrate_still_share_the_link() -> None:
    flows = [Flow(c, "dram", 2048) for c in ALL] + [Flow("dram", (3, 0), 512, "dma_read")]
    res = run_flows(flows)
    assert all(r.cycles > 0 for r in res)


def test_a_bad_arbitration_is_refused() -> None:
    with pytest.raises(ValueError, match="elink_arbitration must be"):
        dataclasses.replace(ChipConfig(), elink_arbitration="lottery")
