"""Mesh traffic statistics: one reusable accumulator per link, one registry per mesh.

Every link is an :class:`Accumulator` (its own counters) registered under its hierarchical name
(``"cmesh.r(1,2).east"``, ``"elink.tx"``, ``"host.port"``).  The registry also keeps one
:class:`TransferRecord` per transfer.  ``rows()`` and ``network_rows()`` return plain
dataclasses so that a profiler can build reports without knowing the mesh classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Accumulator", "LinkStatRow", "MeshStats", "TransferRecord"]


@dataclass(slots=True)  # one per link: a 32x32 chip has ~20,000
class Accumulator:
    """Counters of one link (one direction of one network).

    ``busy_cycles`` is the time the link spent carrying packets; ``wait_cycles`` counts
    packet-cycles spent waiting for the link while it carried other traffic.
    """

    bytes: int = 0
    packets: int = 0
    busy_cycles: float = 0.0
    wait_cycles: float = 0.0

    def add(self, nbytes: int, packets: int, busy_cycles: float, wait_cycles: float) -> None:
        """Account one reservation of the link."""
        self.bytes += nbytes
        self.packets += packets
        self.busy_cycles += busy_cycles
        self.wait_cycles += wait_cycles

    def merge(self, other: Accumulator) -> None:
        """Add another accumulator's counters into this one (for aggregates)."""
        self.add(other.bytes, other.packets, other.busy_cycles, other.wait_cycles)

    def counters(self) -> Accumulator:
        """A plain accumulator holding these counters now (of a link too)."""
        return Accumulator(self.bytes, self.packets, self.busy_cycles, self.wait_cycles)


@dataclass(frozen=True)
class LinkStatRow:
    """One line of a traffic report: a link, or a whole network when aggregated."""

    name: str
    network: str
    bytes: int
    packets: int
    busy_cycles: float
    wait_cycles: float


@dataclass(slots=True)  # one per transfer, kept for the profiler
class TransferRecord:
    """What one transfer did: endpoints, size, network and its three instants (cycles)."""

    src: str
    dst: str
    nbytes: int
    method: str
    network: str
    start_cycle: float
    issued_cycle: float | None = None
    arrival_cycle: float | None = None


#: a transfer relative to a launch's start: src, dst, nbytes, method, network, start, issue and
#: arrival cycles (esim/replay.py)
TransferRow = tuple[str, str, int, str, str, float, float, float]


class MeshStats:
    """Registry of link accumulators and transfer records of one mesh."""

    def __init__(self) -> None:
        self._named: dict[str, Accumulator] = {}
        #: links registered by object, named when someone reads the registry (a 32x32 chip's
        #: ~10,000 link names are not kept while it runs)
        self._unnamed: list[Any] = []
        self._transfers: list[TransferRecord] = []
        #: replayed launches' transfers not yet made records: (rows, start cycle) each
        self._batches: list[tuple[Sequence[TransferRow], float]] = []

    @property
    def transfers(self) -> list[TransferRecord]:
        """Every transfer's record, oldest first (a replayed launch's are made when read)."""
        if self._batches:
            self._flush()
        return self._transfers

    def add_transfers(self, rows: Sequence[TransferRow], start: float) -> None:
        """Add the records of ``rows`` (src, dst, nbytes, method, network and the start, issue
        and arrival cycles relative to ``start``), made only when someone reads them."""
        self._batches.append((rows, start))

    def transfer_count(self) -> int:
        """``len(self.transfers)`` without making the pending records."""
        return len(self._transfers) + sum(len(rows) for rows, _ in self._batches)

    def _flush(self) -> None:
        batches, self._batches = self._batches, []
        record = TransferRecord
        for rows, now in batches:
            self._transfers.extend([
                record(src, dst, nbytes, method, network, start + now, issued + now, arrival + now)
                for src, dst, nbytes, method, network, start, issued, arrival in rows])

    @property
    def _links(self) -> dict[str, Accumulator]:
        """Every registered accumulator by name."""
        if self._unnamed:
            pending, self._unnamed = self._unnamed, []
            for link in pending:
                self.register(link.name, link)
        return self._named

    def register_link(self, link: Any) -> None:
        """Register a link, its own counters, under its ``name`` (read when the registry is)."""
        self._unnamed.append(link)

    def register(self, name: str, acc: Accumulator | None = None) -> Accumulator:
        """Return the accumulator of link ``name``, creating it on first use (``acc``: the
        one to register, a link's own counters; a name is registered once)."""
        known = self._links.get(name)
        if known is None:
            known = self._named[name] = Accumulator() if acc is None else acc
        elif acc is not None and acc is not known:
            raise ValueError(f"two links are named {name!r}")
        return known

    def __getitem__(self, name: str) -> Accumulator:
        return self._links[name]

    def __contains__(self, name: object) -> bool:
        return name in self._links

    def names(self) -> list[str]:
        """Names of all links that exist so far (links are built on first use)."""
        return sorted(self._links)

    def rows(self, *, include_idle: bool = False) -> list[LinkStatRow]:
        """Per-link rows sorted by name; idle links are left out unless asked for."""
        out = []
        for name in sorted(self._links):
            acc = self._links[name]
            if acc.packets or include_idle:
                out.append(LinkStatRow(name, _network_of(name), acc.bytes, acc.packets,
                                       acc.busy_cycles, acc.wait_cycles))
        return out

    def network_rows(self) -> list[LinkStatRow]:
        """One aggregated row per network (``cmesh``, ``rmesh``, ``xmesh``, ``elink``, ``host``)."""
        totals: dict[str, Accumulator] = {}
        for name, acc in self._links.items():
            totals.setdefault(_network_of(name), Accumulator()).merge(acc)
        return [LinkStatRow(net, net, a.bytes, a.packets, a.busy_cycles, a.wait_cycles)
                for net, a in sorted(totals.items())]


def _network_of(name: str) -> str:
    """Top-level component of a hierarchical name: ``"cmesh.r(1,2).east"`` -> ``"cmesh"``."""
    return name.split(".", 1)[0]
