"""Link: one direction of one channel, carrying one packet at a time.

Links are reservation servers, not SimPy processes: a chunk of packets asks for the link at
the cycle its head arrives (``reserve``), starts when the link is free, and keeps it busy for
its service time.  Only the busy time is reserved, so a slow source (a DMA engine at 2.3
cycles per packet) leaves the link free for other traffic in between, as packet interleaving
does in the hardware.  Subclasses change the service time (``service_cycles``): the eLink
bursts, the host port has its own rates.
"""

from __future__ import annotations

from dataclasses import dataclass

from esim.mesh.stats import Accumulator, MeshStats

__all__ = ["Header", "Link"]


@dataclass(frozen=True)
class Header:
    """What a link may look at in the packets of a transfer (their control bits).

    ``owner`` identifies the transfer (a burst continues only within one transfer),
    ``burst`` says the packets are ascending 8-byte writes, ``host_op`` names the host
    operation (``"dram_write"``, ``"dram_read"``, ``"chip_write"``, ``"chip_read"``) for the
    host port.
    """

    owner: int
    burst: bool = False
    host_op: str | None = None


class Link(Accumulator):
    """A channel that carries one packet at a time.

    ``latency_cycles`` is the time from a packet's head entering the link to it entering the
    next one; ``cycles_per_packet`` the time the link stays busy per packet.
    """

    # A 32x32 chip has ~10,000 links: no per-link __dict__ (subclasses, a few, keep theirs),
    # and a link is its own Accumulator (its counters registered under its name in ``stats``).
    __slots__ = ("_name", "cycles_per_packet", "free_at", "latency_cycles")
    #: the service time is ``packets * cycles_per_packet`` (a subclass that overrides
    #: ``service_cycles`` says False; tests/test_mesh.py checks)
    plain_service = True
    __eq__ = object.__eq__  # a link is itself, not its counters (links key dicts)
    __hash__ = object.__hash__

    def __init__(self, name: str | None, latency_cycles: float, cycles_per_packet: float,
                 stats: MeshStats) -> None:
        """``name`` None: a subclass's ``name`` makes it when asked (PortLink)."""
        super().__init__()
        self._name = name
        self.latency_cycles = latency_cycles
        self.cycles_per_packet = cycles_per_packet
        self.free_at = 0.0  # first cycle at which the link can start a new chunk
        if name is None:
            stats.register_link(self)
        else:
            stats.register(name, self)

    @property
    def name(self) -> str:
        """The link's hierarchical name (``"cmesh.r(1,2).east"``)."""
        assert self._name is not None
        return self._name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} free_at={self.free_at:g}>"

    def service_cycles(self, packets: int, header: Header, head: float, start: float) -> float:
        """Cycles the link is busy with ``packets`` packets that start at ``start``."""
        return packets * self.cycles_per_packet

    def reserve(self, head: float, packets: int, nbytes: int,
                header: Header) -> tuple[float, float]:
        """Reserve the link for a chunk whose head arrives at cycle ``head``.

        Returns ``(start, end)``: the chunk starts when both it and the link are ready and
        holds the link until ``end``.
        """
        start = head if head >= self.free_at else self.free_at  # max(), inlined: hot path
        # (a mesh link's service time inline: a 32x32 chip's host traffic crosses ~30 of them)
        busy = (packets * self.cycles_per_packet if self.plain_service
                else self.service_cycles(packets, header, head, start))
        end = start + busy
        self.free_at = end
        self.bytes += nbytes
        self.packets += packets
        self.busy_cycles += busy
        self.wait_cycles += (start - head) * packets
        return start, end
