"""Round-robin arbitration where many flows meet a slow link (the eLink's ``tx``).

Every eMesh router has a round-robin arbiter per output among its inputs (Architecture Reference,
03_emesh.md: "round-robin arbiters in every router") and one stage of buffering, so when the
eLink is the bottleneck of many cores writing DRAM its back-pressure reaches every router of
their rows, and each east-going output alternates between the router's own core and the traffic
from the west.  The eLink's bandwidth is then shared out by a tree of round-robin arbiters: each
row alike, within a row half to the east column's core, a quarter to the next, and so on.  That
is what epiphany-bsp's memorybench measured (16 cores storing 2 KB each: columns 3, 2, 1, 0
finish at 65k, 98k, 130k, 130k cycles).

A link's plain reservations (``Link.reserve``) cannot arbitrate: they are booked first come,
first served, when a chunk is injected.  An :class:`Arbiter` serves the chunks that find its
link busy instead: they wait in its queue and, each time the link frees, it picks the next
one by hierarchical round robin over the routes the waiting chunks came by (the links before
this one, nearest first: at each router the input a chunk entered by), reserves the link for
it and lets the chunk go on.  A chunk that finds the link free and nobody waiting is booked at
once, as before, so uncontended traffic costs what it did.  One timeout per decision, only
while chunks are waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import simpy

from esim.mesh.elink import ELinkChannel
from esim.mesh.link import Header

__all__ = ["Arbiter", "Waiting"]


@dataclass
class Waiting:
    """A chunk queued at an arbitrated link: where it came from and how to go on."""

    key: tuple[str, ...]  # names of the links it crossed before this one, nearest first
    head: float  # cycle its head reaches the link
    packets: int
    nbytes: int
    header: Header
    go_on: Callable[[float, float], None]  # called with the link's (start, end) for it
    seq: int = 0
    done: bool = field(default=False, repr=False)


class Arbiter:
    """Serves the chunks waiting for ``link`` in hierarchical round-robin order."""

    def __init__(self, env: simpy.Environment, link: ELinkChannel) -> None:
        self.env = env
        self.link = link
        self.queue: list[Waiting] = []
        self._last: dict[tuple[str, ...], str] = {}  # per tree node: the input served last
        self._seq = 0
        self._wake_at: float | None = None

    def __repr__(self) -> str:
        return f"<Arbiter {self.link.name} waiting={len(self.queue)}>"

    def busy(self, head: float, owner: int) -> bool:
        """Must a chunk of transfer ``owner`` whose head arrives at ``head`` queue?  Yes when
        others wait, or the link is still busy with another transfer's chunk (behind its own
        transfer's previous chunk it follows on at once, as before: no one to take turns with)."""
        if self.queue:
            return True
        return head < self.link.free_at and self.link.last_owner != owner

    def enqueue(self, chunk: Waiting) -> None:
        """Queue ``chunk``; it is served when its turn comes."""
        self._seq += 1
        chunk.seq = self._seq
        self.queue.append(chunk)
        self._schedule()

    def _schedule(self) -> None:
        if not self.queue:
            return
        at = max(self.link.free_at, min(c.head for c in self.queue), self.env.now)
        if self._wake_at is not None and self._wake_at <= at:
            return  # an earlier decision is already due; it reschedules
        self._wake_at = at
        wake = self.env.timeout(at - self.env.now)
        wake.callbacks.append(self._decide)

    def _decide(self, event: simpy.Event) -> None:
        now = self.env.now
        if self._wake_at is None or now < self._wake_at:
            return  # superseded by an earlier decision
        self._wake_at = None
        if self.link.free_at > now:  # booked meanwhile by traffic that does not arbitrate
            self._schedule()
            return
        ready = [c for c in self.queue if c.head <= now]
        if ready:
            chunk = self._pick(ready)
            self.queue.remove(chunk)
            start, end = self.link.reserve(chunk.head, chunk.packets, chunk.nbytes, chunk.header)
            chunk.go_on(start, end)
        self._schedule()

    def _pick(self, ready: list[Waiting]) -> Waiting:
        """Round robin among the inputs at each level of the tree, nearest router first."""
        node: tuple[str, ...] = ()
        level = 0
        while len(ready) > 1:
            inputs = sorted({c.key[level] if level < len(c.key) else "" for c in ready})
            if len(inputs) == 1:
                chosen = inputs[0]
            else:
                last = self._last.get(node)
                chosen = next((i for i in inputs if last is not None and i > last), inputs[0])
            self._last[node] = chosen
            ready = [c for c in ready if (c.key[level] if level < len(c.key) else "") == chosen]
            if chosen == "":
                break
            node = (*node, chosen)
            level += 1
        # the same input all the way: first come, first served
        return min(ready, key=lambda c: c.seq)


def route_key(route: Any, index: int) -> tuple[str, ...]:
    """The key of a chunk arriving at ``route[index]``: the names of the links before it,
    nearest first."""
    return tuple(route[k].name for k in range(index - 1, -1, -1))
