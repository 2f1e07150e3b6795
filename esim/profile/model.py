"""What a profile holds: link, core and message statistics of one profiled interval.

Plain dataclasses, with no reference to a chip, so that reports, traces and heatmaps can be
built from a profile of the simulator and, in part, from a profile of the real chip.

Link naming.  The mesh names each link hierarchically (``cmesh.r(1,2).east``); a
:class:`LinkStat` turns the name into its two ends:

==========================  ===========  =================  =================
mesh name                   ``kind``     ``src``            ``dst``
==========================  ===========  =================  =================
``<net>.r(r,c).east``       ``"hop"``    ``(r, c)``         ``(r, c+1)``, or ``"elink"`` off the east edge
``<net>.r(r,c).west``       ``"hop"``    ``(r, c)``         ``(r, c-1)``
``<net>.r(r,c).north``      ``"hop"``    ``(r, c)``         ``(r-1, c)``
``<net>.r(r,c).south``      ``"hop"``    ``(r, c)``         ``(r+1, c)``
``<net>.r(r,c).inject``     ``"inject"`` ``(r, c)``         ``(r, c)`` (core into its router)
``<net>.r(r,c).core``       ``"eject"``  ``(r, c)``         ``(r, c)`` (router into its core)
``elink.tx``                ``"elink"``  ``"elink"``        ``"dram"`` (chip -> FPGA)
``elink.rx``                ``"elink"``  ``"dram"``         ``"elink"`` (FPGA -> chip)
``host.port``               ``"host"``   ``"host"``         ``"dram"``
==========================  ===========  =================  =================

``<net>`` is ``cmesh`` (on-chip writes), ``rmesh`` (read requests) or ``xmesh`` (off-chip
traffic).  The DRAM counters (``dram.write``, ``dram.read``) are not links: a profile keeps
them in :attr:`ProfileData.dram`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from esim.mesh.stats import TransferRecord

__all__ = [
    "KINDS",
    "CoreStat",
    "Coord",
    "LinkStat",
    "Message",
    "Node",
    "ProfileData",
    "Slice",
    "parse_link_name",
    "parse_place",
]

Coord = tuple[int, int]
Node = Coord | str
"""One end of a link or transfer: core coordinates (row, col), ``"elink"``, ``"dram"``, ``"host"``."""

#: What a core's cycles are spent on (same keys as ``esim.cores.core.KINDS``).
KINDS = ("compute", "message", "barrier", "dram", "host_io")

_STEP = {"east": (0, 1), "west": (0, -1), "north": (-1, 0), "south": (1, 0)}
_ROUTER = re.compile(r"^(\w+)\.r\((\d+),(\d+)\)\.(\w+)$")
_FIXED: dict[str, tuple[str, Node, Node]] = {
    "elink.tx": ("elink", "elink", "dram"),
    "elink.rx": ("elink", "dram", "elink"),
    "host.port": ("host", "host", "dram"),
}


def parse_link_name(name: str, cols: int) -> tuple[str, str, Node, Node] | None:
    """``(network, kind, src, dst)`` of a mesh link name, or None for a non-link counter.

    >>> parse_link_name("cmesh.r(1,2).east", cols=4)
    ('cmesh', 'hop', (1, 2), (1, 3))
    >>> parse_link_name("xmesh.r(0,3).east", cols=4)
    ('xmesh', 'hop', (0, 3), 'elink')
    >>> parse_link_name("elink.tx", cols=4)
    ('elink', 'elink', 'elink', 'dram')
    """
    fixed = _FIXED.get(name)
    if fixed is not None:
        kind, src, dst = fixed
        return name.split(".", 1)[0], kind, src, dst
    m = _ROUTER.match(name)
    if m is None:
        return None
    network, row, col, port = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    here = (row, col)
    if port == "inject":
        return network, "inject", here, here
    if port == "core":
        return network, "eject", here, here
    if port not in _STEP:
        return None
    dr, dc = _STEP[port]
    there: Node = (row + dr, col + dc)
    if col + dc >= cols:
        there = "elink"  # the east edge router's link off the chip
    return network, "hop", here, there


def parse_place(text: str) -> Node:
    """A transfer endpoint as the mesh prints it (``"(1,2)"``, ``"dram"``) -> :data:`Node`."""
    if text.startswith("("):
        row, col = text[1:-1].split(",")
        return int(row), int(col)
    return text


@dataclass(frozen=True)
class LinkStat:
    """Traffic of one link (one direction of one network) over the profiled interval.

    ``utilisation`` is ``busy_cycles`` over the profiled interval's cycles; ``wait_cycles``
    counts packet-cycles spent waiting for the link while it carried other traffic.
    """

    network: str
    src: Node
    dst: Node
    bytes: int
    packets: int
    busy_cycles: float
    wait_cycles: float
    name: str = ""
    kind: str = "hop"
    utilisation: float = 0.0


@dataclass(frozen=True)
class CoreStat:
    """What one core did over the launches of the profiled interval (summed; memory: peak)."""

    core: int
    instructions: int
    cycles: int
    cycles_by_kind: dict[str, float]
    peak_memory: int
    launches: int = 1
    coord: Coord | None = None
    memory_bytes: int = 32 * 1024


@dataclass(frozen=True)
class Message:
    """One core-to-core transfer (a message, a piece of a large message, or an ack flag)."""

    src: int
    dst: int
    bytes: int
    send_cycle: float
    arrival_cycle: float | None
    src_xy: Coord
    dst_xy: Coord
    method: str = "store"
    network: str = "cmesh"


@dataclass(frozen=True)
class Slice:
    """An interval of one core's timeline: ``kind`` is one of :data:`KINDS` or ``"launch"``/``"run"``."""

    core: int
    name: str
    kind: str
    start: float
    end: float
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProfileData:
    """Everything a profile measured; reports, traces and heatmaps are built from it."""

    chip: str
    rows: int
    cols: int
    clock_hz: float
    start_cycle: float
    end_cycle: float
    backend: str = "sim"
    routing: str = "xy"
    links: list[LinkStat] = field(default_factory=list)
    cores: list[CoreStat] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    launch_traffic: list[TransferRecord] = field(default_factory=list)
    slices: list[Slice] = field(default_factory=list)
    launches: int = 0
    unfinished: int = 0
    dram: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def num_cores(self) -> int:
        """Cores of the chip."""
        return self.rows * self.cols

    @property
    def cycles(self) -> float:
        """Length of the profiled interval in cycles (at least 1, to divide by)."""
        return max(self.end_cycle - self.start_cycle, 1.0)

    @property
    def has_links(self) -> bool:
        """True when link traffic was measured (the simulator); False on the real chip."""
        return self.backend == "sim"

    @property
    def matrix(self) -> np.ndarray:
        """Source x destination core-to-core traffic in bytes (``num_cores`` square, int64)."""
        out = np.zeros((self.num_cores, self.num_cores), dtype=np.int64)
        for m in self.messages:
            out[m.src, m.dst] += m.bytes
        return out

    def network_totals(self) -> dict[str, LinkStat]:
        """One aggregated :class:`LinkStat` per network (src/dst empty; utilisation: mean)."""
        groups: dict[str, list[LinkStat]] = {}
        for link in self.links:
            groups.setdefault(link.network, []).append(link)
        out = {}
        for net, links in sorted(groups.items()):
            busy = sum(x.busy_cycles for x in links)
            out[net] = LinkStat(net, "", "", sum(x.bytes for x in links),
                                sum(x.packets for x in links), busy,
                                sum(x.wait_cycles for x in links), name=net, kind="network",
                                utilisation=busy / self.cycles / len(links))
        return out

    def link(self, network: str, src: Node, dst: Node, kind: str = "hop") -> LinkStat | None:
        """The statistics of one link, or None when it carried nothing."""
        for x in self.links:
            if x.network == network and x.src == src and x.dst == dst and x.kind == kind:
                return x
        return None
