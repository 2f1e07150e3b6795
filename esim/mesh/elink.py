"""The east eLink: the chip's port to the FPGA, shared DRAM and the host.

Two independent directions (the link is duplex): ``tx`` carries packets leaving the chip
(writes to DRAM, read requests), ``rx`` packets entering it (read replies, host writes).
Each direction serialises packets at the effective eLink rate.  A packet costs its wire
bytes: 14 bytes for a single write, 8 bytes for each further beat of a burst.  A burst is a
run of ascending 8-byte writes of one transfer sent back to back; when other traffic is
interleaved with it (another transfer waited for the link), the run is broken and every
packet pays the full 14 bytes.
"""

from __future__ import annotations

from esim.config import ChipConfig
from esim.mesh.link import Header, Link
from esim.mesh.stats import MeshStats

__all__ = ["ELink", "ELinkChannel"]


class ELinkChannel(Link):
    """One direction of the eLink: a link whose service time depends on bursting."""

    def __init__(self, name: str, config: ChipConfig, stats: MeshStats) -> None:
        bytes_per_cycle = config.elink_bytes_per_s / config.clock_hz
        self.single_cycles = config.elink_packet_bytes / bytes_per_cycle
        self.beat_cycles = config.elink_burst_beat_bytes / bytes_per_cycle
        super().__init__(name, config.elink_latency_cycles, self.single_cycles, stats)
        self.last_owner: int | None = None  # transfer that used the channel last

    plain_service = False

    def service_cycles(self, packets: int, header: Header, head: float, start: float) -> float:
        """Burst beats for ascending runs of one transfer, full packets otherwise."""
        last_owner, self.last_owner = self.last_owner, header.owner
        if not header.burst:
            return packets * self.single_cycles
        if last_owner == header.owner and head <= self.free_at:
            # The previous chunk on the channel was ours and we were already queued when it
            # finished (self.free_at is still its end): the burst goes on without a gap.
            return packets * self.beat_cycles
        if start > head:
            # We waited behind another transfer: the edge routers interleave the competing
            # streams packet by packet, so no ascending run reaches the eLink.
            return packets * self.single_cycles
        # The channel was idle: a new burst starts with one full packet.
        return self.single_cycles + (packets - 1) * self.beat_cycles


class ELink:
    """The east eLink: ``tx`` (chip -> FPGA) and ``rx`` (FPGA -> chip).

    Outbound packets leave the chip on their own row (XY routing never turns towards a
    destination east of the chip) and the east edge routers merge them into ``tx``.
    Inbound packets enter the mesh at router ``(config.elink_row, cols - 1)``.
    """

    def __init__(self, config: ChipConfig, stats: MeshStats) -> None:
        if not 0 <= config.elink_row < config.rows:
            raise ValueError(f"chip {config.name!r}: elink_row {config.elink_row} is not a row "
                             f"of the {config.rows}x{config.cols} chip")
        self.tx = ELinkChannel("elink.tx", config, stats)
        self.rx = ELinkChannel("elink.rx", config, stats)
        self.entry = (config.elink_row, config.cols - 1)

    def __repr__(self) -> str:
        return f"<ELink entry={self.entry}>"
