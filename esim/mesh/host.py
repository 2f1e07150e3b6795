"""The host (ARM) side: its path to shared DRAM and, through the FPGA, to the chip.

The host reaches DRAM directly (uncached mmap) and core memory through the FPGA's AXI slave
and the eLink.  One host thread does one thing at a time, so all host traffic shares one
port whose per-packet cost depends on the operation; its rates are the measured host rows of
``shared/hardware/epiphany.md``.
"""

from __future__ import annotations

from esim.config import ChipConfig
from esim.mesh.link import Header, Link
from esim.mesh.stats import MeshStats

__all__ = ["HOST_OPS", "HostPort"]

HOST_OPS = ("dram_write", "dram_read", "chip_write", "chip_read")


class HostPort(Link):
    """The host's transfer path: one packet (8 bytes) at a time at the operation's rate."""

    def __init__(self, config: ChipConfig, stats: MeshStats) -> None:
        super().__init__("host.port", 0.0, 0.0, stats)
        rates = {
            "dram_write": config.host_dram_write_bytes_per_s,
            "dram_read": config.host_dram_read_bytes_per_s,
            "chip_write": config.host_chip_write_bytes_per_s,
            "chip_read": config.host_chip_read_bytes_per_s,
        }
        # Cycles per 8-byte packet at the chip clock, so host and chip share one time base.
        self.cycles_per_op = {op: config.packet_payload_bytes * config.clock_hz / rate
                              for op, rate in rates.items()}

    plain_service = False

    def service_cycles(self, packets: int, header: Header, head: float, start: float) -> float:
        """Packets times the per-packet cost of the header's host operation."""
        if header.host_op is None:
            raise ValueError(f"{self.name}: a transfer without a host operation reached the host")
        return packets * self.cycles_per_op[header.host_op]
