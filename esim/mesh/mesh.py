"""Mesh: the interconnect of one chip, the only object the rest of esim talks to.

It owns the three networks, the eLink, shared DRAM and the host port, resolves endpoints,
chooses the route of each transfer (which network, which links) and hands it to the chunked
transfer engine.  It carries bytes and knows nothing of what they mean.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import simpy

from esim.config import ChipConfig
from esim.mesh.arbiter import Arbiter
from esim.mesh.dram import Dram
from esim.mesh.elink import ELink
from esim.mesh.endpoints import Endpoint, Place, resolve
from esim.mesh.host import HostPort
from esim.mesh.link import Header, Link
from esim.mesh.router import Network
from esim.mesh.routing import routing
from esim.mesh.stats import Accumulator, MeshStats, TransferRecord
from esim.mesh.transfer import ReadPlan, Transfer, TransferEngine, WritePlan

__all__ = ["READ_METHODS", "WRITE_METHODS", "Mesh", "dma_element_bytes"]

WRITE_METHODS = ("store", "dma")
READ_METHODS = ("load", "dma_read")


@dataclass(frozen=True)
class _Direction:
    """Who may start a write or a read, and what each refusal says."""

    methods: tuple[str, ...]
    dma: str  # the DMA method, which only a core has
    host_method: str  # what the host uses instead
    dram_initiates: str  # refusal: shared DRAM cannot start a transfer
    host_addressed: str  # refusal: cores cannot address host memory


_DIRECTIONS = {
    "write": _Direction(WRITE_METHODS, "dma", "store",
                        "shared DRAM is passive and cannot write: read it from a core "
                        "('load'/'dma_read') or from the host",
                        "cores cannot address host memory: write to 'dram' and let the "
                        "host read it"),
    "read": _Direction(READ_METHODS, "dma_read", "load",
                       "shared DRAM is passive and cannot read: the requester must be a "
                       "core or the host",
                       "cores cannot address host memory: let the host write to 'dram'"),
}


def dma_element_bytes(align: int, nbytes: int) -> int:
    """The element size e_dma_copy picks (eSDK 2016.11): from ``(dst | src | n) & 7`` for two
    buffers aligned to ``align`` bytes: 8 (doublewords), 4, 2 or 1 (bytes)."""
    if isinstance(align, bool) or not isinstance(align, int) or align < 1:
        raise ValueError(f"align must be a positive int (the buffers' alignment), got {align!r}")
    low = (align | nbytes) & 7
    return 8 if low == 0 else 4 if low == 4 else 2 if low in (2, 6) else 1


def _element(align: int | None, nbytes: int) -> int:
    """A plan's packet size: 0 (whole packets) without an alignment, else the DMA element."""
    return 0 if align is None else dma_element_bytes(align, nbytes)


class Mesh:
    """cMesh, rMesh and xMesh of one chip, plus the east eLink, shared DRAM and the host.

    >>> env = simpy.Environment()
    >>> mesh = Mesh(env, ChipConfig())
    >>> t = mesh.write((0, 0), (0, 1), 8)
    >>> env.run()
    >>> t.arrived.value
    4.5
    """

    def __init__(self, env: simpy.Environment, config: ChipConfig) -> None:
        self.env = env
        self.config = config
        self.stats = MeshStats()
        route = routing(config.routing)
        self.cmesh = Network("cmesh", config, self.stats, route)
        self.rmesh = Network("rmesh", config, self.stats, route)
        self.xmesh = Network("xmesh", config, self.stats, route)
        self.elink = ELink(config, self.stats)
        # the cores' writes off chip meet at the eLink's tx: served in round robin per router
        self.arbiter = (Arbiter(env, self.elink.tx) if config.elink_arbitration == "round_robin"
                        else None)
        self.dram = Dram(config, self.stats)
        self.host = HostPort(config, self.stats)
        self.engine = TransferEngine(env, config.sim_chunk_bytes, config.packet_payload_bytes)
        self._ids = itertools.count(1)
        # Routes and endpoints repeat endlessly in kernels: resolve each once.
        self._write_routes: dict[tuple[Place, Place], tuple[tuple[Link, ...], str]] = {}
        self._places_cache: dict[Endpoint, Place] = {}
        self._host_routes: dict[Place, tuple[Link, ...]] = {}
        # request route, reply route, network, service time, a DMA engine's request pace
        self._read_cache: dict[tuple[Place, Place],
                               tuple[tuple[Link, ...], tuple[Link, ...], str, float, float]] = {}

    def __repr__(self) -> str:
        return f"<Mesh {self.config.name} {self.config.rows}x{self.config.cols}>"

    # -- public interface -------------------------------------------------------------------

    def write(self, src: Endpoint, dst: Endpoint, nbytes: int, method: str = "store", *,
              ascending: bool = True, align: int | None = None,
              element: int | None = None) -> Transfer:
        """Start a write of ``nbytes`` from ``src`` to ``dst``; return the :class:`Transfer`.

        ``method`` is ``"store"`` (the source core, or the host, stores; posted) or ``"dma"``
        (the source core's DMA engine pushes).  ``ascending=False`` models stores to
        descending addresses, which the eLink cannot burst.  ``align`` (DMA only) is the
        alignment of both buffers, as e_dma_copy sees them: the engine then moves elements of
        ``dma_element_bytes(align, nbytes)`` bytes, one per transaction; None (the simulator's
        own transfers) moves whole packets.  ``element`` (stores only) is the bytes of each
        store, one packet each (4 for 32-bit stores); None: 8-byte stores.
        """
        s, d = self._initiated("write", method, src, dst, nbytes)
        cfg = self.config
        header = Header(next(self._ids), burst=ascending)
        if s.kind == "host":
            op = "dram_write" if d.kind == "dram" else "chip_write"
            header = Header(header.owner, burst=False, host_op=op)
            if d.kind == "dram":
                route: tuple[Link, ...] = (self.host,)
                network = "host"
            else:
                cached_route = self._host_routes.get(d)
                if cached_route is None:
                    cached_route = self._host_routes[d] = (
                        self.host, self.elink.rx, *self.xmesh.edge_to_core(self.elink.entry, d.xy))
                route = cached_route
                network = "xmesh"
            plan = WritePlan(route, header, 0.0, sink=self._sink(d))
        else:
            key = (s, d)
            cached = self._write_routes.get(key)
            if cached is None:
                cached = self._write_routes[key] = self._write_route(s, d)
            route, network = cached
            lane = (self.arbiter.lane(route) if network == "xmesh" and self.arbiter is not None
                    else None)
            if method == "dma":
                plan = WritePlan(route, header, cfg.dma_cycles_per_packet,
                                 start_delay=cfg.dma_setup_cycles, issued_at_start=True,
                                 sink=self._sink(d),
                                 packet_bytes=_element(align, nbytes),
                                 lane=lane)
            else:
                plan = WritePlan(route, header, cfg.store_issue_cycles, sink=self._sink(d),
                                 packet_bytes=element or 0, lane=lane)
        transfer = self._transfer(s, d, nbytes, method, network)
        self.engine.start_write(transfer, plan)
        return transfer

    def read(self, requester: Endpoint, source: Endpoint, nbytes: int,
             method: str = "load", *, align: int | None = None,
             element: int | None = None) -> Transfer:
        """Start a read of ``nbytes`` by ``requester`` from ``source``; return the transfer.

        ``"load"``: blocking 8-byte loads, each request over rMesh and its reply back as a
        write (cMesh on chip, xMesh/eLink from off chip); the requester waits for
        ``arrived``.  ``"dma_read"``: the requester's DMA engine pulls, requests pipelined, in
        elements of ``dma_element_bytes(align, nbytes)`` bytes when ``align`` is given (whole
        packets otherwise).  A host requester reads DRAM directly and core memory through the
        eLink.  ``element`` (a core's loads only) is the bytes of each load, one round trip
        each (4 for 32-bit loads); None: 8-byte loads.
        """
        r, s = self._initiated("read", method, requester, source, nbytes)
        cfg = self.config
        owner = next(self._ids)
        if r.kind == "host" and s.kind == "dram":
            # The host reads DRAM directly: a stream at its measured rate.
            header = Header(owner, host_op="dram_read")
            transfer = self._transfer(s, r, nbytes, method, "host")
            self.engine.start_write(transfer, WritePlan((self.host,), header, 0.0,
                                                        sink=self.dram.reads))
            return transfer
        header = Header(owner, host_op="chip_read" if r.kind == "host" else None)
        routes = self._read_cache.get((r, s))
        if routes is None:
            request, reply, network, service = self._read_routes(r, s)
            # a DMA engine issues one request per dma_read_request_cycles, with at most
            # max_outstanding_reads in flight: a far source (DRAM) paces it by its round trip
            round_trip = service + sum(link.latency_cycles for link in (*request, *reply))
            dma_pace = max(cfg.dma_read_request_cycles, round_trip / cfg.max_outstanding_reads)
            routes = self._read_cache[(r, s)] = (request, reply, network, service, dma_pace)
        request, reply, network, service, dma_pace = routes
        dma = method == "dma_read"
        pace = dma_pace if dma else cfg.store_issue_cycles
        # The host's reads of core memory go through the FPGA, which pipelines them: a stream
        # at the measured rate (the host port paces the requests), not blocking round trips.
        pipelined = dma or r.kind == "host"
        plan = ReadPlan(
            request, reply, header,
            request_cycles_per_packet=pace,
            # Core memory answers at link speed; DRAM replies are paced by the eLink.
            reply_cycles_per_packet=0.0 if s.kind == "dram" else self.cmesh.cycles_per_packet,
            service_cycles=service, blocking=not pipelined,
            packet_bytes=_element(align, nbytes) if dma else element or 0,
            start_delay=cfg.dma_setup_cycles if dma else 0.0,
            sink=self.dram.reads if s.kind == "dram" else None)
        transfer = self._transfer(s, r, nbytes, method, network)
        self.engine.start_read(transfer, plan)
        return transfer

    def hops(self, a: Endpoint, b: Endpoint) -> int:
        """Manhattan distance between two cores (router-to-router links crossed)."""
        pa, pb = resolve(self.config, a), resolve(self.config, b)
        (r0, c0), (r1, c1) = pa.xy, pb.xy
        return abs(r0 - r1) + abs(c0 - c1)

    # -- routes -----------------------------------------------------------------------------

    def _write_route(self, s: Place, d: Place) -> tuple[tuple[Link, ...], str]:
        """Route of a write issued by core ``s``."""
        if d.is_core:
            if d == s:
                return (), "local"  # a core's own memory: no mesh traffic
            return tuple(self.cmesh.core_to_core(s.xy, d.xy)), "cmesh"
        # Off-chip: east along the row on xMesh, then out through the eLink.
        return (*self.xmesh.core_to_east_edge(s.xy), self.elink.tx), "xmesh"

    def _read_routes(self, r: Place, s: Place
                     ) -> tuple[tuple[Link, ...], tuple[Link, ...], str, float]:
        """Request route, reply route, network label and service time of a read."""
        cfg = self.config
        entry = self.elink.entry
        if r.kind == "host":  # host reads core memory through the eLink
            request = (self.host, self.elink.rx, *self.rmesh.edge_to_core(entry, s.xy))
            reply = (*self.xmesh.core_to_east_edge(s.xy), self.elink.tx)
            return request, reply, "rmesh+xmesh", cfg.remote_read_service_cycles
        if s.kind == "dram":
            request = (*self.rmesh.core_to_east_edge(r.xy), self.elink.tx)
            reply = (self.elink.rx, *self.xmesh.edge_to_core(entry, r.xy))
            return request, reply, "rmesh+xmesh", cfg.dram_read_latency_cycles
        if r == s:
            return (), (), "local", 0.0
        request = tuple(self.rmesh.core_to_core(r.xy, s.xy))
        reply = tuple(self.cmesh.core_to_core(s.xy, r.xy))
        return request, reply, "rmesh+cmesh", cfg.remote_read_service_cycles

    # -- helpers ----------------------------------------------------------------------------

    def _initiated(self, direction: str, method: str, initiator: Endpoint, other: Endpoint,
                   nbytes: int) -> tuple[Place, Place]:
        """The places of a ``direction`` transfer that ``initiator`` starts, once its method
        and its two ends are allowed (ValueError saying why not)."""
        rule = _DIRECTIONS[direction]
        if method not in rule.methods:
            raise ValueError(f"unknown {direction} method {method!r}: use one of {rule.methods}")
        a, b = self._places(initiator, other, nbytes)
        if a.kind == "dram":
            raise ValueError(rule.dram_initiates)
        if b.kind == "host":
            raise ValueError(rule.host_addressed)
        if a.kind == "host" and method == rule.dma:
            raise ValueError(f"DMA methods do not apply to the host: use '{rule.host_method}' "
                             f"for host {direction}s")
        return a, b

    def _places(self, a: Endpoint, b: Endpoint, nbytes: int) -> tuple[Place, Place]:
        if isinstance(nbytes, bool) or not isinstance(nbytes, int):
            raise ValueError(f"nbytes must be an int, got {nbytes!r}")  # noqa: TRY004 (API: ValueError)
        if nbytes <= 0:
            raise ValueError(f"nbytes must be positive, got {nbytes}")
        pa, pb = self._resolve(a), self._resolve(b)
        if pa.kind == pb.kind and pa.kind in ("host", "dram"):
            raise ValueError(f"a transfer from {pa} to {pb} does not cross the chip")
        # Core memory budgets are the core model's business (a program that does not fit
        # is fetched in pieces); only the DRAM window is a hard limit of the interconnect.
        if "dram" in (pa.kind, pb.kind):
            self.dram.check_size(nbytes)
        return pa, pb

    def _resolve(self, endpoint: Endpoint) -> Place:
        # Only exact ints, strings and int pairs are cached: True == 1 must not hit core 1.
        cacheable = type(endpoint) in (int, str) or (
            type(endpoint) is tuple and all(type(v) is int for v in endpoint))
        if cacheable:
            place = self._places_cache.get(endpoint)
            if place is None:
                place = self._places_cache[endpoint] = resolve(self.config, endpoint)
            return place
        return resolve(self.config, endpoint)

    def _sink(self, d: Place) -> Accumulator | None:
        return self.dram.writes if d.kind == "dram" else None

    def _transfer(self, src: Place, dst: Place, nbytes: int, method: str,
                  network: str) -> Transfer:
        record = TransferRecord(str(src), str(dst), nbytes, method, network, self.env.now)
        self.stats.transfers.append(record)
        return Transfer(self.env, record)
