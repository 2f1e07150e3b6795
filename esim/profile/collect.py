"""Collection: a Recorder snapshots a chip's link counters and gathers its launches.

A :class:`Recorder` takes a copy of every link accumulator and the length of the transfer log
when it starts and again when it stops, so only traffic of the profiled interval counts.
Launches reach it through :func:`notify_launch`, which whoever starts launches calls (the
``sim`` backend of epython does); the cores' outcomes give per-core statistics, the transfer
log gives the messages and the per-core timelines.

    with Recorder(chip) as rec:
        state = chip.launch(image, args, cores)
        rec.add_launch(state)           # or notify_launch(chip, state)
        chip.run_until(lambda: state.finished)
    data = rec.data                     # a ProfileData

A recorder created without a chip binds to the chip of the first launch it is told about and
snapshots it then (``python -m esim profile`` works this way).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from esim.mesh.stats import Accumulator, TransferRecord
from esim.profile.model import (
    KINDS,
    CoreStat,
    LinkStat,
    Message,
    ProfileData,
    Slice,
    parse_link_name,
    parse_place,
)

if TYPE_CHECKING:
    from esim.chip import Chip
    from esim.cores.launch import CoreOutcome, LaunchState

__all__ = ["Recorder", "active_recorders", "notify_launch"]

_active: list[Recorder] = []
_lock = threading.Lock()


def notify_launch(chip: Chip, launch: LaunchState, label: str = "") -> None:
    """Tell every active recorder of ``chip`` (or not yet bound) about a new launch.

    Call it right after ``chip.launch`` and before the simulation advances.  Costs one list
    check when nothing is being profiled.
    """
    if not _active:
        return
    with _lock:
        recorders = list(_active)
    for rec in recorders:
        if rec.chip is None or rec.chip is chip:
            rec.add_launch(launch, label, chip=chip)


def active_recorders() -> list[Recorder]:
    """Recorders started and not yet stopped."""
    with _lock:
        return list(_active)


@dataclass
class _Launch:
    state: LaunchState
    label: str


class Recorder:
    """Records the traffic and the launches of one chip between :meth:`start` and :meth:`stop`."""

    def __init__(self, chip: Chip | None = None) -> None:
        self.chip = chip
        self.launches: list[_Launch] = []
        self.data: ProfileData | None = None
        self._before: dict[str, Accumulator] = {}
        self._first_transfer = 0
        self._start_cycle = 0.0
        self._running = False

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Begin recording (snapshot now when bound to a chip, else at the first launch)."""
        if self._running:
            raise RuntimeError("this recorder is already recording")
        self._running = True
        self.launches.clear()
        self.data = None
        if self.chip is not None:
            self._snapshot(self.chip)
        with _lock:
            _active.append(self)

    def add_launch(self, launch: LaunchState, label: str = "", *,
                   chip: Chip | None = None) -> None:
        """Count ``launch`` in this profile (bind to ``chip`` first if the recorder is unbound)."""
        if self.chip is None:
            if chip is None:
                raise ValueError("this Recorder is bound to no chip yet: pass the launch's chip "
                                 "(rec.add_launch(launch, chip=chip)) or create it as "
                                 "Recorder(chip)")
            self.chip = chip
            self._snapshot(self.chip)
            self._start_cycle = min(self._start_cycle, float(launch.issue_cycle))
        if all(entry.state is not launch for entry in self.launches):
            self.launches.append(_Launch(launch, label))

    def stop(self) -> ProfileData:
        """End recording and build the :class:`ProfileData` (also kept in :attr:`data`)."""
        with _lock:
            if self in _active:
                _active.remove(self)
        self._running = False
        self.data = self._build()
        return self.data

    # -- internals --------------------------------------------------------------------------

    def _snapshot(self, chip: Chip) -> None:
        stats = chip.mesh.stats
        self._before = {name: stats[name].counters() for name in stats.names()}
        self._first_transfer = len(stats.transfers)
        self._start_cycle = chip.now

    def _build(self) -> ProfileData:
        chip = self.chip
        if chip is None:  # nothing was launched: an empty profile of an e16
            from esim.config import preset

            cfg = preset("e16")
            return ProfileData(cfg.name, cfg.rows, cfg.cols, cfg.clock_hz, 0.0, 0.0,
                               notes=["no launch took place while profiling"])
        cfg = chip.config
        outcomes = [(entry, o) for entry in self.launches
                    for o in entry.state.outcomes.values()]
        end = max([chip.now] + [float(o.end_cycle) for _, o in outcomes])
        data = ProfileData(cfg.name, cfg.rows, cfg.cols, cfg.clock_hz, self._start_cycle, end,
                           routing=cfg.routing, launches=len(self.launches))
        data.unfinished = sum(len(e.state.cores) - len(e.state.outcomes) for e in self.launches)
        if data.unfinished:
            data.notes.append(f"{data.unfinished} core launch(es) had not finished when the "
                              "profile ended; their traffic so far is counted, their cores not")
        stats = chip.mesh.stats
        for name in stats.names():
            now = stats[name]
            was = self._before.get(name, Accumulator())
            diff = Accumulator(now.bytes - was.bytes, now.packets - was.packets,
                               now.busy_cycles - was.busy_cycles, now.wait_cycles - was.wait_cycles)
            if not diff.packets:
                continue
            parsed = parse_link_name(name, cfg.cols)
            if parsed is None:  # dram.write / dram.read: counters, not links
                data.dram[name.split(".", 1)[-1]] = diff.bytes
                continue
            network, kind, src, dst = parsed
            data.links.append(LinkStat(network, src, dst, diff.bytes, diff.packets,
                                       diff.busy_cycles, diff.wait_cycles, name=name, kind=kind,
                                       utilisation=diff.busy_cycles / data.cycles))
        transfers = stats.transfers[self._first_transfer:]
        for t in transfers:
            src, dst = parse_place(t.src), parse_place(t.dst)
            if isinstance(src, tuple) and isinstance(dst, tuple):
                if src != dst:
                    data.messages.append(Message(
                        cfg.core_at(*src), cfg.core_at(*dst), t.nbytes, float(t.start_cycle),
                        t.arrival_cycle, src, dst, t.method, t.network))
            else:
                data.launch_traffic.append(replace(t))
        data.cores = _core_stats(cfg.cols, cfg.local_memory_bytes, [o for _, o in outcomes])
        for entry, o in outcomes:
            data.slices.extend(_timeline(entry, o, transfers, cfg.cols))
        return data


def _core_stats(cols: int, memory: int, outcomes: list[CoreOutcome]) -> list[CoreStat]:
    """Per-core sums over outcomes (peak memory: the maximum), in core order."""
    by_core: dict[int, list[CoreOutcome]] = {}
    for o in outcomes:
        by_core.setdefault(o.core, []).append(o)
    out = []
    for core in sorted(by_core):
        group = by_core[core]
        kinds = dict.fromkeys(KINDS, 0.0)
        for o in group:
            for k, v in o.cycles_by_kind.items():
                kinds[k] = kinds.get(k, 0.0) + v
        out.append(CoreStat(core, sum(o.instructions for o in group),
                            sum(o.cycles for o in group), kinds,
                            max(o.peak_memory for o in group), len(group),
                            divmod(core, cols), memory))
    return out


def _timeline(entry: _Launch, o: CoreOutcome, transfers: list[TransferRecord],
              cols: int) -> list[Slice]:
    """Slices of one core's launch, from the outcome and the transfer log.

    The core model keeps per-kind totals, not intervals; the phases of the launch protocol
    (start flag, program fetch, run, result) and the core's sends are placed from the transfers
    they caused.  If an outcome carries ``intervals`` (``(kind, start, end)`` triples), those
    are used instead of the sends.
    """
    core = o.core
    me = f"({core // cols},{core % cols})"
    start, end = float(o.start_cycle), float(o.end_cycle)
    label = entry.label or "launch"
    args: dict[str, Any] = {"instructions": o.instructions, "peak_memory": o.peak_memory,
                            **{f"{k}_cycles": round(v, 1) for k, v in o.cycles_by_kind.items()}}
    if o.error:
        args["error"] = o.message
    out = [Slice(core, label, "launch", start, end, args)]
    mine = [t for t in transfers if start <= t.start_cycle <= end and t.arrival_cycle is not None]
    flag = next((t for t in mine if t.src == "host" and t.dst == me and t.nbytes == 4), None)
    t1 = max(start, float(flag.arrival_cycle)) if flag and flag.arrival_cycle else start
    out.append(Slice(core, "wait for start flag", "host_io", start, t1))
    fetch = next((t for t in mine if t.src == "dram" and t.dst == me and t.method == "dma_read"
                  and t.start_cycle >= t1 - 1e-9), None)
    t2 = float(fetch.arrival_cycle) if fetch and fetch.arrival_cycle else t1
    out.append(Slice(core, "fetch program", "dram", t1, min(t2, end)))
    posts = [t for t in mine if t.src == me and t.dst == "dram"]
    t3 = float(posts[-1].start_cycle) if posts else end
    t3 = max(t3, t2)
    run = Slice(core, "run", "run", t2, t3, {f"{k}_cycles": round(v, 1)
                                             for k, v in o.cycles_by_kind.items()})
    out.append(run)
    intervals = getattr(o, "intervals", None)
    if intervals:
        for kind, a, b in intervals:
            if b > a:
                out.append(Slice(core, kind, kind, float(a), float(b)))
    else:
        for t in mine:
            if t.src != me or not t2 <= t.start_cycle < t3 or t.issued_cycle is None:
                continue
            if t.dst == "dram":
                out.append(Slice(core, "print", "host_io", float(t.start_cycle),
                                 float(t.issued_cycle), {"bytes": t.nbytes}))
            elif t.dst.startswith("("):
                out.append(Slice(core, f"send to {t.dst}", "message", float(t.start_cycle),
                                 float(t.issued_cycle), {"bytes": t.nbytes}))
    out.append(Slice(core, "post result", "host_io", t3, end))
    return [s for s in out if s.end >= s.start]
