"""e_dma_copy's instructions, counted on e-sim (device/toolchain/dma_count.py), are the figure
the DMA model's fixed cost is built from (esim.config.ChipConfig.dma_copy_instructions).

Needs the epiphany-elf toolchain, e-sim and e-lib 2016.11's sources; elsewhere it skips saying
what to run."""

from __future__ import annotations

import pytest

from esim.config import preset
from tests.device_tools import load

dma_count = load("dma_count")
ELIB = dma_count.elib_dir(None)
LACKING = dma_count.missing(ELIB)

pytestmark = pytest.mark.skipif(bool(LACKING), reason="; ".join(LACKING))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return dma_count.count(ELIB)


def test_small_copies_cost_the_instructions_the_model_charges(rows) -> None:
    small = {r["instructions"] for r in rows
             if str(r["what"]).startswith("e_dma_copy") and int(r["bytes"]) in (8, 16, 64)}
    assert small == {preset("e16").dma_copy_instructions}


def test_a_longer_copy_adds_whole_status_polls(rows) -> None:
    poll = next(r["instructions"] for r in rows if r["what"] == "e_dma_busy idle")
    base = preset("e16").dma_copy_instructions
    for r in rows:
        if r["what"] == "e_dma_copy local" and int(r["bytes"]) > 64:
            extra = int(r["instructions"]) - base
            assert extra > 0 and extra % int(poll) == 0, r
