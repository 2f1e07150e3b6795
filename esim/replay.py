"""Launch replay: what the detailed model computed for a launch on an idle chip, replayed.

A launch whose kernels only compute (no printing, no messages) does the same traffic whenever
it starts on an idle chip: the host writes the image and the arguments to DRAM and a start
flag to each core, every core fetches the image over the eLink (all at once: the fetches
contend), computes, and posts its result, which the host reads.  In exact arithmetic its
schedule relative to its start is a pure function of the chip's configuration, the cores, the
bytes moved and each core's compute charges, so the chip simulates it once in detail,
records what the model did (:func:`record`) and replays it later (:func:`apply`): every link
left as the detailed run left it, every counter and transfer record added, one event per core
at the cycle its result reaches the host.

Floating-point times of a replay are the recorded relative times shifted by the start, so they
may differ from a detailed run at the same start in the last bits; integer cycles, counts and
results are the same (tests/test_replay.py).  The chip falls back to the detailed path when the
chip is not idle, when a kernel makes a request other than a tick, or when links carry state
this module does not know how to replay (:func:`replayable_links`).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from esim.mesh.link import Link
from esim.mesh.stats import Accumulator, TransferRow

if TYPE_CHECKING:
    from esim.cores.launch import LaunchState
    from esim.mesh import Mesh
    from esim.mesh.arbiter import Arbiter

__all__ = ["LINK_STATE", "CoreTimes", "arbiter_state", "ReplayCache", "Schedule", "Snapshot", "apply", "record",
           "replayable_links"]

#: The instance attributes of links whose meaning the replay knows: configuration, the
#: counters, ``free_at`` (replayed) and the eLink's ``last_owner`` (the transfer that used the
#: channel last: transfers are numbered afresh, so an older owner never matches a new one); a
#: router's link names itself by its router and direction.
#: A link with any other attribute carries state a replay would not restore: no replay then.
LINK_STATE = frozenset({"_name", "router", "direction", "latency_cycles", "cycles_per_packet",
                        "free_at", "bytes", "packets", "busy_cycles", "wait_cycles",
                        "single_cycles", "beat_cycles", "last_owner", "cycles_per_op"})


def replayable_links(mesh: Mesh) -> bool:
    """True when every link of ``mesh`` keeps only state the replay restores."""
    return all(LINK_STATE.issuperset(_attributes(link)) for link in mesh.links())


def _attributes(obj: object) -> set[str]:
    """The instance attributes ``obj`` has: its slots' (those assigned) and its __dict__'s."""
    names = set(getattr(obj, "__dict__", ()))
    for cls in type(obj).__mro__:
        slots = getattr(cls, "__slots__", ())
        names.update(n for n in ((slots,) if isinstance(slots, str) else slots)
                     if hasattr(obj, n))
    return names


@dataclass(frozen=True)
class CoreTimes:
    """One core's part of a recorded launch, relative to the launch's start."""

    start: int  # the core takes the launch (its start_cycle less the launch's)
    end: float  # its result reaches the host
    kinds: dict[str, float]  # cycles by what the core was doing (CoreOutcome.cycles_by_kind)


@dataclass
class Schedule:
    """What the detailed model did during one launch, relative to its start."""

    links: list[tuple[Link, float]]  # each link used, with its free_at afterwards
    counters: list[tuple[Accumulator, int, int, float, float]]  # bytes, packets, busy, wait
    #: each transfer's src, dst, nbytes, method, network and its start, issue and arrival
    #: cycles relative to the launch's start
    transfers: list[TransferRow]
    cores: dict[int, CoreTimes]
    order: list[int]  # completion order
    #: whether chunks queued at the eLink arbiter, and then its round-robin pointers before
    #: and after (Arbiter.pointers): only then do they decide anything
    arbitrated: bool = False
    arbiter_before: tuple[Any, ...] = ()
    arbiter: tuple[Any, ...] = ()

    def fits(self, mesh: Mesh, now: float) -> bool:
        """Can the recorded launch be replayed at cycle ``now``: the links it uses are free
        and, if it queued at the eLink arbiter, the arbiter's round robin stands where it did."""
        return self.links_idle(now) and (not self.arbitrated
                                          or self.arbiter_before == arbiter_state(mesh))

    def links_idle(self, now: float) -> bool:
        """True when every link the launch uses is free at cycle ``now``."""
        return all(link.free_at <= now for link, _ in self.links)


@dataclass
class Snapshot:
    """The mesh's link state and counters before a detailed launch (see :func:`record`)."""

    start: float
    free_at: dict[Link, float]
    counters: dict[str, tuple[int, int, float, float]]
    transfers: int
    queued: int = 0  # the eLink arbiter's count of chunks that waited
    arbiter: tuple[Any, ...] = ()  # its round-robin pointers

    @classmethod
    def take(cls, mesh: Mesh, now: float) -> Snapshot:
        """The state of ``mesh`` at cycle ``now``."""
        stats = mesh.stats
        return cls(now, {link: link.free_at for link in mesh.links()},
                   {name: (a.bytes, a.packets, a.busy_cycles, a.wait_cycles)
                    for name in stats.names() for a in (stats[name],)},
                   stats.transfer_count(),
                   mesh.arbiter.queued if mesh.arbiter is not None else 0, arbiter_state(mesh))


def record(mesh: Mesh, before: Snapshot, launch: LaunchState) -> Schedule | None:
    """The schedule of ``launch``, run in detail since ``before``; None when it cannot be
    replayed (a link it used was busy at its start, a core printed or was aborted)."""
    t0 = before.start
    links = []
    for link in mesh.links():
        was = before.free_at.get(link, 0.0)
        if link.free_at != was:
            if was > t0:
                return None
            links.append((link, link.free_at - t0))
    stats = mesh.stats
    counters = []
    for name in stats.names():
        acc = stats[name]
        b, p, busy, wait = before.counters.get(name, (0, 0, 0.0, 0.0))
        if acc.packets != p or acc.bytes != b:
            counters.append((acc, acc.bytes - b, acc.packets - p, acc.busy_cycles - busy,
                             acc.wait_cycles - wait))
    transfers = []
    for t in stats.transfers[before.transfers:]:
        if t.issued_cycle is None or t.arrival_cycle is None:
            return None
        transfers.append((t.src, t.dst, t.nbytes, t.method, t.network, t.start_cycle - t0,
                          t.issued_cycle - t0, t.arrival_cycle - t0))
    cores = {}
    for c in launch.cores:
        o = launch.outcomes.get(c)
        if o is None or o.aborted or o.lines:
            return None
        cores[c] = CoreTimes(o.start_cycle - int(t0), launch.end_times[c] - t0,
                             dict(o.cycles_by_kind))
    arbitrated = mesh.arbiter is not None and mesh.arbiter.queued != before.queued
    return Schedule(links, counters, transfers, cores, list(launch.completion_order),
                    arbitrated, before.arbiter, arbiter_state(mesh))


#: each arbiter's pointers as last read or set, with its count of queued chunks then: the
#: pointers move only when a chunk is served from a queue, so while the count stays the same
#: they are the ones kept here (a replay reads them twice per launch: walking the tree costs)
_POINTERS: weakref.WeakKeyDictionary[Arbiter, tuple[int, tuple[Any, ...]]] = \
    weakref.WeakKeyDictionary()


def arbiter_state(mesh: Mesh) -> tuple[Any, ...]:
    """The eLink arbiter's round-robin pointers (part of a replay's key and of its result)."""
    arbiter = mesh.arbiter
    if arbiter is None:
        return ()
    known = _POINTERS.get(arbiter)
    if known is not None and known[0] == arbiter.queued:
        return known[1]
    pointers = arbiter.pointers()
    _POINTERS[arbiter] = (arbiter.queued, pointers)
    return pointers


def _set_arbiter(arbiter: Arbiter, pointers: tuple[Any, ...]) -> None:
    """Leave ``arbiter``'s round robin at ``pointers`` (Arbiter.set_pointers)."""
    known = _POINTERS.get(arbiter)
    if known is None or known != (arbiter.queued, pointers):
        arbiter.set_pointers(pointers)
        _POINTERS[arbiter] = (arbiter.queued, pointers)


def apply(mesh: Mesh, schedule: Schedule, now: float) -> None:
    """Leave the mesh as the recorded launch, started at cycle ``now``, leaves it."""
    for link, free_at in schedule.links:
        link.free_at = now + free_at
    if mesh.arbiter is not None and schedule.arbitrated:
        _set_arbiter(mesh.arbiter, schedule.arbiter)
    for acc, nbytes, packets, busy, wait in schedule.counters:
        acc.bytes += nbytes
        acc.packets += packets
        acc.busy_cycles += busy
        acc.wait_cycles += wait
    mesh.stats.add_transfers(schedule.transfers, now)  # records made when read


@dataclass
class ReplayCache:
    """Recorded schedules by launch key, the most recently used kept (at most ``size``);
    ``hits`` counts the launches replayed, ``misses`` those recorded."""

    size: int = 128
    hits: int = 0
    misses: int = 0
    _entries: OrderedDict[Any, Schedule] = field(default_factory=OrderedDict)

    def get(self, key: Any) -> Schedule | None:
        """The schedule recorded for ``key``."""
        schedule = self._entries.get(key)
        if schedule is not None:
            self._entries.move_to_end(key)
        return schedule

    def put(self, key: Any, schedule: Schedule) -> None:
        """Keep ``schedule`` for ``key`` (counts a miss)."""
        self.misses += 1
        self._entries[key] = schedule
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
