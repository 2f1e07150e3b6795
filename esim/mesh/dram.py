"""Shared DRAM: the 32 MB window east of the chip, behind the eLink.

DRAM is passive: it answers reads after a fixed latency and absorbs writes.  Its bandwidth is
never the bottleneck on the Parallella (the eLink and the host path are), so it has no queue;
it only counts traffic.
"""

from __future__ import annotations

from esim.config import ChipConfig
from esim.mesh.stats import MeshStats

__all__ = ["Dram"]


class Dram:
    """Shared DRAM: size, read latency and traffic counters (``dram.write``, ``dram.read``)."""

    def __init__(self, config: ChipConfig, stats: MeshStats) -> None:
        self.size_bytes = config.dram_bytes
        self.read_latency_cycles = config.dram_read_latency_cycles
        self.writes = stats.register("dram.write")
        self.reads = stats.register("dram.read")

    def __repr__(self) -> str:
        return f"<Dram {self.size_bytes // (1024 * 1024)} MB>"

    def check_size(self, nbytes: int) -> None:
        """Reject a transfer larger than the DRAM window."""
        if nbytes > self.size_bytes:
            raise ValueError(f"{nbytes} bytes do not fit in the {self.size_bytes}-byte shared DRAM")
