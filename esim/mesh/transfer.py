"""Transfers in flight and the chunked engine that moves them across links.

A transfer moves in chunks of ``ChipConfig.sim_chunk_bytes``.  Each chunk reserves every link
of its route at the cycle its head gets there (virtual cut-through): pure arithmetic, no
SimPy event per link, packet or byte.  The only events are one timeout per chunk, which keeps
reservations causal (a chunk reserves links when it is injected, never far ahead) and lets
concurrent transfers interleave chunk by chunk.  A one-chunk write needs no process at all.

Backpressure: the source may inject its next chunk once the current one has been issued and
its head has got past every busy link, so at most about one chunk per transfer waits in the
network and a store stream to a slow sink stalls the core as the hardware does.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import simpy

from esim.mesh.arbiter import Lane, Waiting
from esim.mesh.link import Header, Link
from esim.mesh.stats import Accumulator, TransferRecord

__all__ = ["ReadPlan", "Transfer", "TransferEngine", "WritePlan", "traverse", "traverse_arbitrated"]


def _walk(links: Sequence[Link], packets: int, nbytes: int, header: Header, head: float,
          tail: float, stalled: float) -> tuple[float, float, float]:
    """Reserve ``links`` in turn for one chunk whose head reaches the first at ``head``;
    returns the head, tail and stalled cycles after the last."""
    for link in links:
        start, end = link.reserve(head, packets, nbytes, header)
        stalled += start - head
        tail = max(tail, end)
        latency = link.latency_cycles
        head = start + latency
        tail += latency
    return head, tail, stalled


def traverse(route: Sequence[Link], packets: int, nbytes: int, now: float,
             source_cycles: float, header: Header) -> tuple[float, float]:
    """Reserve ``route`` for one chunk injected at ``now``.

    ``source_cycles`` is the time the source needs to emit the chunk.  Returns
    ``(issued, arrival)``: the cycle the source is free for its next chunk and the cycle the
    chunk's last byte reaches the end of the route.
    """
    head = now
    tail = now + source_cycles  # the last packet leaves the source
    stalled = 0.0  # cycles the head waited for busy links
    for link in route:  # _walk, inlined: the hot path
        start, end = link.reserve(head, packets, nbytes, header)
        stalled += start - head
        latency = link.latency_cycles
        tail = (tail if tail >= end else end) + latency
        head = start + latency
    return now + max(source_cycles, stalled), tail


def traverse_arbitrated(env: simpy.Environment, lane: Lane, packets: int, nbytes: int,
                        now: float, source_cycles: float,
                        header: Header) -> tuple[float, float] | simpy.Event:
    """``traverse`` for a route through an arbitrated link (``lane``): the same ``(issued,
    arrival)`` when the chunk need not wait its turn there; else an event that carries them
    once the arbiter has served the chunk."""
    arbiter = lane.arbiter
    link = lane.link
    if not arbiter.waiting and (link.free_at <= now or link.last_owner == header.owner):
        return traverse(lane.route, packets, nbytes, now, source_cycles, header)  # no contention
    head, tail, stalled = _walk(lane.before, packets, nbytes, header, now, now + source_cycles,
                                0.0)
    if not arbiter.busy(head, header.owner):
        head, tail, stalled = _walk((lane.link,), packets, nbytes, header, head, tail, stalled)
        _, tail, stalled = _walk(lane.after, packets, nbytes, header, head, tail, stalled)
        return now + max(source_cycles, stalled), tail
    result = env.event()

    def go_on(start: float, end: float) -> None:
        latency = lane.link.latency_cycles
        _, t, s = _walk(lane.after, packets, nbytes, header, start + latency,
                        max(tail, end) + latency, stalled + start - head)
        result.succeed((now + max(source_cycles, s), t))

    arbiter.enqueue(lane, Waiting(head, packets, nbytes, header, go_on))
    return result


class Transfer:
    """A transfer started by ``Mesh.write`` or ``Mesh.read``.

    ``issued`` fires when the source is free to continue (stores: last store issued; DMA:
    engine started; loads: with ``arrived``, since loads block), ``arrived`` when the last
    byte is visible at the destination.  Both carry the cycle number as their value.
    """

    def __init__(self, env: simpy.Environment, record: TransferRecord) -> None:
        self.env = env
        self.record = record
        # Set by the engine: timeouts when the times are known at once, events otherwise.
        self.issued: simpy.Event
        self.arrived: simpy.Event

    def __repr__(self) -> str:
        r = self.record
        return f"<Transfer {r.method} {r.src}->{r.dst} {r.nbytes} B on {r.network}>"

    @property
    def src(self) -> str:
        """Source endpoint, as recorded."""
        return self.record.src

    @property
    def dst(self) -> str:
        """Destination endpoint, as recorded."""
        return self.record.dst

    @property
    def nbytes(self) -> int:
        """Bytes moved."""
        return self.record.nbytes


@dataclass(frozen=True)
class WritePlan:
    """How a write moves: one route, the source's pace and an optional start delay."""

    route: tuple[Link, ...]
    header: Header
    source_cycles_per_packet: float
    start_delay: float = 0.0  # e.g. DMA setup; the source is free once it has elapsed
    issued_at_start: bool = False  # DMA: the core is free once the engine runs
    sink: Accumulator | None = None  # counts bytes delivered (DRAM)
    packet_bytes: int = 0  # data bytes per packet (a DMA's element size); 0: a full packet
    lane: Lane | None = None  # the route through an arbitrated link (the eLink's tx)


@dataclass(frozen=True)
class ReadPlan:
    """How a read moves: requests out, a service time, replies back."""

    request_route: tuple[Link, ...]
    reply_route: tuple[Link, ...]
    header: Header
    request_cycles_per_packet: float
    reply_cycles_per_packet: float
    service_cycles: float
    blocking: bool  # loads: one request at a time (8 bytes, or packet_bytes), each waits for its reply
    start_delay: float = 0.0
    sink: Accumulator | None = None  # counts bytes read at the source (DRAM)
    packet_bytes: int = 0  # data bytes per packet (a DMA's or a load's element); 0: a full packet


class TransferEngine:
    """Runs write and read plans in chunks on one SimPy environment."""

    def __init__(self, env: simpy.Environment, chunk_bytes: int, packet_bytes: int) -> None:
        if chunk_bytes < packet_bytes:
            raise ValueError(f"sim_chunk_bytes ({chunk_bytes}) must be at least one packet "
                             f"({packet_bytes} bytes)")
        self.env = env
        self.packet_bytes = packet_bytes
        self.chunk_bytes = chunk_bytes - chunk_bytes % packet_bytes

    def _packets(self, nbytes: int, size: int = 0) -> int:
        return -(-nbytes // (size or self.packet_bytes))

    def start_write(self, transfer: Transfer, plan: WritePlan) -> None:
        """Start moving a write; a single chunk with no delay is scheduled without a process."""
        nbytes = transfer.record.nbytes
        if nbytes <= self.chunk_bytes and not plan.start_delay:
            env = self.env
            now = env.now
            packets = self._packets(nbytes, plan.packet_bytes)
            result = self._traverse(plan, packets, nbytes, now)
            if isinstance(result, simpy.Event):
                self._when_served(transfer, plan, nbytes, packets, result)
                return
            issued, arrival = result
            if plan.sink is not None:
                plan.sink.add(nbytes, packets, 0.0, 0.0)
            transfer.record.issued_cycle = issued
            transfer.record.arrival_cycle = arrival
            transfer.issued = env.timeout(issued - now, issued)
            transfer.arrived = env.timeout(arrival - now, arrival)
            return
        transfer.issued, transfer.arrived = self.env.event(), self.env.event()
        self.env.process(self._write(transfer, plan))

    def _write(self, transfer: Transfer, plan: WritePlan) -> Generator[simpy.Event, Any, None]:
        env = self.env
        if plan.start_delay:
            yield env.timeout(plan.start_delay)
        if plan.issued_at_start:
            self._fire(transfer, "issued")
        remaining = transfer.record.nbytes
        last_arrival = env.now
        while remaining > 0:
            chunk = min(remaining, self.chunk_bytes)
            packets = self._packets(chunk, plan.packet_bytes)
            result = self._traverse(plan, packets, chunk, env.now)
            queued = False
            if isinstance(result, simpy.Event):
                queued = True
                result = cast("tuple[float, float]", (yield result))  # waited for its turn
            issued, arrival = result
            if plan.sink is not None:
                plan.sink.add(chunk, packets, 0.0, 0.0)
            last_arrival = max(last_arrival, arrival)
            remaining -= chunk
            if not queued or issued > env.now:  # a served chunk's source is usually free now
                yield env.timeout(max(0.0, issued - env.now))
        if not plan.issued_at_start:
            self._fire(transfer, "issued")
        yield env.timeout(max(0.0, last_arrival - env.now))
        self._fire(transfer, "arrived")

    def _traverse(self, plan: WritePlan, packets: int, nbytes: int,
                  now: float) -> tuple[float, float] | simpy.Event:
        source = packets * plan.source_cycles_per_packet
        if plan.lane is None:
            return traverse(plan.route, packets, nbytes, now, source, plan.header)
        return traverse_arbitrated(self.env, plan.lane, packets, nbytes, now, source, plan.header)

    def _when_served(self, transfer: Transfer, plan: WritePlan, nbytes: int, packets: int,
                     served: simpy.Event) -> None:
        """A one-chunk write that queued at an arbitrated link: its events fire once it is
        served."""
        env = self.env
        transfer.issued, transfer.arrived = env.event(), env.event()

        def fire(event: simpy.Event) -> None:
            issued, arrival = cast("tuple[float, float]", event.value)  # go_on's
            if plan.sink is not None:
                plan.sink.add(nbytes, packets, 0.0, 0.0)
            for which, at in (("issued", issued), ("arrived", arrival)):
                env.timeout(max(0.0, at - env.now)).callbacks.append(
                    self._firing(transfer, which))

        served.callbacks.append(fire)

    def start_read(self, transfer: Transfer, plan: ReadPlan) -> None:
        """Start a read: blocking loads one packet at a time, DMA reads pipelined in chunks."""
        transfer.issued, transfer.arrived = self.env.event(), self.env.event()
        self.env.process(self._read(transfer, plan))

    def _read(self, transfer: Transfer, plan: ReadPlan) -> Generator[simpy.Event, Any, None]:
        env = self.env
        if plan.start_delay:
            yield env.timeout(plan.start_delay)
        if not plan.blocking:
            self._fire(transfer, "issued")
        step = (plan.packet_bytes or self.packet_bytes) if plan.blocking else self.chunk_bytes
        remaining = transfer.record.nbytes
        last_arrival = [env.now]  # updated by reply callbacks of pipelined reads
        last_ready = env.now
        while remaining > 0:
            chunk = min(remaining, step)
            remaining -= chunk
            packets = self._packets(chunk, plan.packet_bytes)
            # Requests carry no data bytes; they still occupy links packet by packet.
            issued, request_arrival = traverse(plan.request_route, packets, 0, env.now,
                                               packets * plan.request_cycles_per_packet,
                                               plan.header)
            if plan.sink is not None:
                plan.sink.add(chunk, packets, 0.0, 0.0)
            ready = request_arrival + plan.service_cycles
            if plan.blocking:
                yield env.timeout(max(0.0, ready - env.now))
                _, arrival = traverse(plan.reply_route, packets, chunk, env.now,
                                      packets * plan.reply_cycles_per_packet, plan.header)
                yield env.timeout(max(0.0, arrival - env.now))
                last_arrival[0] = env.now
            else:
                # The reply is reserved when it is ready, not now, to keep links causal.
                reply = env.timeout(max(0.0, ready - env.now))
                reply.callbacks.append(self._reply_callback(plan, packets, chunk, last_arrival))
                last_ready = max(last_ready, ready)
                yield env.timeout(max(0.0, issued - env.now))
        if not plan.blocking:
            # Reply callbacks at cycles <= last_ready were scheduled before this timeout, so
            # they have all run when it fires.
            yield env.timeout(max(0.0, last_ready - env.now))
            yield env.timeout(max(0.0, last_arrival[0] - env.now))
        else:
            self._fire(transfer, "issued")
        self._fire(transfer, "arrived")

    def _reply_callback(self, plan: ReadPlan, packets: int, chunk: int,
                        last_arrival: list[float]) -> Any:
        def reply(_event: simpy.Event) -> None:
            _, arrival = traverse(plan.reply_route, packets, chunk, self.env.now,
                                  packets * plan.reply_cycles_per_packet, plan.header)
            last_arrival[0] = max(last_arrival[0], arrival)
        return reply

    def _firing(self, transfer: Transfer, which: str) -> Callable[[simpy.Event], None]:
        return lambda _event: self._fire(transfer, which)

    def _fire(self, transfer: Transfer, which: str) -> None:
        now = self.env.now
        if which == "issued":
            transfer.record.issued_cycle = now
            transfer.issued.succeed(now)
        else:
            transfer.record.arrival_cycle = now
            transfer.arrived.succeed(now)
