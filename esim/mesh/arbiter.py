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

from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass

import simpy

from esim.mesh.elink import ELinkChannel
from esim.mesh.link import Header, Link

__all__ = ["Arbiter", "Lane", "Waiting"]


@dataclass
class Waiting:
    """A chunk queued at an arbitrated link: where it came from and how to go on."""

    head: float  # cycle its head reaches the link
    packets: int
    nbytes: int
    header: Header
    go_on: Callable[[float, float], None]  # called with the link's (start, end) for it


#: the ``own`` queue of every node no chunk has queued at yet (never appended to)
_NO_CHUNKS: list[Waiting] = []


class _Node:
    """One router input in the arbitration tree: the chunks waiting that came through it."""

    __slots__ = ("children", "inputs", "last", "own", "waiting")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.inputs: list[str] = [""]  # "" (chunks whose route starts here), then the children
        self.last = 0  # index in inputs of the input served last
        #: chunks whose route starts at this input, oldest first (a list made when one
        #: queues, dropped when it empties: a launch on a 32x32 chip queues at thousands of
        #: nodes at once, and a deque takes ~600 bytes against a short list's ~80; the queues
        #: are a few chunks long)
        self.own: list[Waiting] = _NO_CHUNKS
        self.waiting = 0  # chunks in this subtree


class Lane:
    """One route through an arbitrated link: the links before it, the link, the links after
    it, and the tree nodes of the router inputs it comes by (root first)."""

    __slots__ = ("arbiter", "at", "link", "nodes", "route")

    def __init__(self, arbiter: Arbiter, route: tuple[Link, ...], at: int,
                 nodes: list[_Node]) -> None:
        self.arbiter = arbiter
        self.route = route
        self.at = at  # (the links before and after: sliced when a chunk waits, which is rare)
        self.link = arbiter.link
        self.nodes = nodes

    @property
    def before(self) -> tuple[Link, ...]:
        """The links of the route before the arbitrated one."""
        return self.route[:self.at]

    @property
    def after(self) -> tuple[Link, ...]:
        """The links of the route after the arbitrated one."""
        return self.route[self.at + 1:]


class Arbiter:
    """Serves the chunks waiting for ``link`` in hierarchical round-robin order."""

    def __init__(self, env: simpy.Environment, link: ELinkChannel) -> None:
        self.env = env
        self.link = link
        self.root = _Node()
        self.waiting = 0
        self.queued = 0  # chunks that ever waited here (a replay checks whether any did)
        self._wake_at: float | None = None
        self._lanes: dict[tuple[Link, ...], Lane] = {}

    def __repr__(self) -> str:
        return f"<Arbiter {self.link.name} waiting={self.waiting}>"

    def busy(self, head: float, owner: int) -> bool:
        """Must a chunk of transfer ``owner`` whose head arrives at ``head`` queue?  Yes when
        others wait, or the link is still busy with another transfer's chunk (behind its own
        transfer's previous chunk it follows on at once, as before: no one to take turns with)."""
        if self.waiting:
            return True
        return head < self.link.free_at and self.link.last_owner != owner

    def pointers(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        """The round-robin state: (path of router inputs from the root, the input it served
        last) of every node not at its first input, in a fixed order (esim/replay.py)."""
        out: list[tuple[tuple[str, ...], str]] = []
        todo: list[tuple[tuple[str, ...], _Node]] = [((), self.root)]
        while todo:
            path, node = todo.pop()
            if node.last:
                out.append((path, node.inputs[node.last]))
            todo.extend((path + (name,), child) for name, child in node.children.items())
        return tuple(sorted(out))

    def set_pointers(self, pointers: tuple[tuple[tuple[str, ...], str], ...]) -> None:
        """Restore :meth:`pointers` (the tree may grow: its inputs stay sorted by name)."""
        todo = [self.root]
        while todo:
            node = todo.pop()
            node.last = 0
            todo.extend(node.children.values())
        for path, name in pointers:
            node = self.root
            for step in path:
                node = self._child(node, step)
            if name:
                self._child(node, name)
            node.last = node.inputs.index(name)

    @staticmethod
    def _child(node: _Node, name: str) -> _Node:
        """``node``'s input ``name``, created (in sorted place) if it is new."""
        child = node.children.get(name)
        if child is None:
            child = node.children[name] = _Node()
            insort(node.inputs, name, lo=1)
            if node.inputs.index(name) <= node.last:
                node.last += 1  # the same input stays the last served
        return child

    def lane(self, route: tuple[Link, ...]) -> Lane:
        """The lane of ``route``, which crosses this arbiter's link (built once per route)."""
        lane = self._lanes.get(route)
        if lane is None:
            at = route.index(self.link)
            node = self.root
            nodes = [node]
            for k in range(at - 1, -1, -1):  # the router inputs, nearest first
                node = self._child(node, route[k].name)
                nodes.append(node)
            lane = self._lanes[route] = Lane(self, route, at, nodes)
        return lane

    def enqueue(self, lane: Lane, chunk: Waiting) -> None:
        """Queue ``chunk``, which came by ``lane``; it is served when its turn comes."""
        pending = self._wake_at
        for node in lane.nodes:
            node.waiting += 1
        node = lane.nodes[-1]
        if node.own is _NO_CHUNKS:
            node.own = [chunk]
        else:
            node.own.append(chunk)
        self.waiting += 1
        self.queued += 1
        if pending is None or chunk.head < pending:
            self._schedule(chunk.head)

    def _schedule(self, head: float) -> None:
        at = max(self.link.free_at, head, self.env.now)
        if self._wake_at is not None and self._wake_at <= at:
            return  # an earlier decision is already due; it reschedules
        self._wake_at = at
        self.env.timeout(at - self.env.now).callbacks.append(self._decide)

    def _decide(self, _event: simpy.Event) -> None:
        now = self.env.now
        if self._wake_at is None or now < self._wake_at:
            return  # superseded by an earlier decision
        self._wake_at = None
        link = self.link
        if link.free_at <= now:  # else booked meanwhile by traffic that does not arbitrate
            chunk = self._take(self.root, now)
            if chunk is not None:
                self.waiting -= 1
            else:  # every waiting chunk is still on its way: wait for the first
                self._schedule(self._first_head(self.root))
                return
            start, end = link.reserve(chunk.head, chunk.packets, chunk.nbytes, chunk.header)
            chunk.go_on(start, end)
        if self.waiting:
            self._schedule(now)

    def _take(self, node: _Node, now: float) -> Waiting | None:
        """The next chunk of ``node``'s subtree whose head has arrived, in round-robin order
        among its inputs (its own chunks count as the input ""), first come first served
        within one; removed from the tree.  None when none has arrived."""
        names = node.inputs
        n = len(names)
        k = node.last
        for step in range(1, n + 1):
            at = (k + step) % n
            if at == 0:
                own = node.own
                if not own or own[0].head > now:
                    continue
                chunk: Waiting | None = own.pop(0)
                if not own:
                    node.own = _NO_CHUNKS
            else:
                child = node.children[names[at]]
                if not child.waiting:
                    continue
                chunk = self._take(child, now)
                if chunk is None:
                    continue
            node.last = at
            node.waiting -= 1
            return chunk
        return None

    def _first_head(self, node: _Node) -> float:
        heads = [c.head for c in node.own] + [self._first_head(child)
                                              for child in node.children.values() if child.waiting]
        return min(heads)
