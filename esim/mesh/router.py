"""Routers and networks: one router per core and network, links in four directions.

The three eMesh networks (cMesh for on-chip writes, rMesh for read requests, xMesh for
off-chip traffic) have the same shape and separate wires, so each is one :class:`Network`.
Routers and their links are built on first use: a 32x32 chip costs nothing until traffic
crosses it.
"""

from __future__ import annotations

from esim.config import ChipConfig
from esim.mesh.link import Link
from esim.mesh.routing import DIRECTIONS, Coord, RouteFn
from esim.mesh.stats import MeshStats

__all__ = ["Network", "Router"]


class Router:
    """One router: an output link per direction (``north`` ... ``west``) and ``core``.

    ``core`` is the ejection port into the core's memory, ``inject`` the core's port into the
    router; both have the core-port latency, the others the per-hop latency.
    """

    __slots__ = ("_ports", "col", "network", "row")  # one per core and network

    def __init__(self, network: Network, row: int, col: int) -> None:
        self.network = network
        self.row = row
        self.col = col
        self._ports: dict[str, Link] = {}

    @property
    def name(self) -> str:
        """``"cmesh.r(1,2)"`` (made when asked: a 32x32 chip has 3,072 routers)."""
        return f"{self.network.name}.r({self.row},{self.col})"

    def __repr__(self) -> str:
        return f"<Router {self.name}>"

    def port(self, direction: str) -> Link:
        """The link leaving this router in ``direction`` (built on first use)."""
        link = self._ports.get(direction)
        if link is None:
            cfg = self.network.config
            if direction in DIRECTIONS:
                latency = cfg.hop_latency_cycles
            elif direction in ("core", "inject"):
                latency = cfg.port_latency_cycles
            else:
                raise ValueError(f"router {self.name} has no port {direction!r}")
            link = PortLink(self, direction, latency, self.network.cycles_per_packet,
                            self.network.stats)
            self._ports[direction] = link
        return link


class PortLink(Link):
    """A router's output link, named by its router and direction when asked."""

    __slots__ = ("direction", "router")

    def __init__(self, router: Router, direction: str, latency_cycles: float,
                 cycles_per_packet: float, stats: MeshStats) -> None:
        self.router = router
        self.direction = direction
        super().__init__(None, latency_cycles, cycles_per_packet, stats)

    @property
    def name(self) -> str:
        """``"cmesh.r(1,2).east"``."""
        return f"{self.router.name}.{self.direction}"


class Network:
    """One eMesh network: routers built lazily, paths by the configured routing function."""

    def __init__(self, name: str, config: ChipConfig, stats: MeshStats, route: RouteFn) -> None:
        self.name = name
        self.config = config
        self.stats = stats
        self.route = route
        # One packet (up to 8 data bytes) crosses a link in payload / link width cycles.
        self.cycles_per_packet = config.packet_payload_bytes / config.link_bytes_per_cycle
        self._routers: dict[Coord, Router] = {}

    def __repr__(self) -> str:
        return f"<Network {self.name} {self.config.rows}x{self.config.cols}>"

    def links(self) -> list[Link]:
        """Every link of this network built so far."""
        return [link for router in self._routers.values() for link in router._ports.values()]

    def router(self, row: int, col: int) -> Router:
        """The router of core (row, col) in this network."""
        key = (row, col)
        router = self._routers.get(key)
        if router is None:
            router = self._routers[key] = Router(self, row, col)
        return router

    def hops(self, src: Coord, dst: Coord) -> list[Link]:
        """Router-to-router links from router ``src`` to router ``dst`` (may leave the chip)."""
        return [self.router(r, c).port(d) for (r, c), d in self.route(src, dst)]

    def core_to_core(self, src: Coord, dst: Coord) -> list[Link]:
        """Full path of a packet from core ``src`` into the memory of core ``dst``."""
        return [self.router(*src).port("inject"), *self.hops(src, dst),
                self.router(*dst).port("core")]

    def core_to_east_edge(self, src: Coord) -> list[Link]:
        """Path from core ``src`` off the east edge of its row (towards the eLink)."""
        return [self.router(*src).port("inject"),
                *self.hops(src, (src[0], self.config.cols))]

    def edge_to_core(self, entry: Coord, dst: Coord) -> list[Link]:
        """Path from the edge router ``entry`` (where the eLink delivers) into core ``dst``."""
        return [*self.hops(entry, dst), self.router(*dst).port("core")]
