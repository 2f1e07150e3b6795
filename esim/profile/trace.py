"""Chrome trace-event export (opens in Perfetto, ui.perfetto.dev, and chrome://tracing).

Process 1 ("cores") has one track per core: ``X`` slices for each launch, nested phases
(start flag, program fetch, run, result) and sends; ``s``/``f`` flow events draw an arrow per
core-to-core message from the sender at its send cycle to the receiver at its arrival cycle.
Process 2 ("mesh") has ``C`` counters: bytes per cycle in flight on each network, and the
utilisation of the hottest cMesh links over time.  Timestamps are microseconds of chip time
(cycles / clock); every event also carries its cycle in ``args`` where useful.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from esim.mesh.routing import routing
from esim.profile.model import ProfileData, Slice

__all__ = ["nest", "trace_events", "write_trace"]

CORES_PID = 1
MESH_PID = 2
BUCKETS = 100
HOT_LINKS = 8


def nest(slices: list[Slice]) -> list[Slice]:
    """Slices of one track made properly nested, parents before children.

    A slice that runs past the end of the slice enclosing its start is clipped to that end, so
    no two slices of the track partially overlap (the trace viewers' nesting rule).
    """
    ordered = sorted(slices, key=lambda s: (s.start, -(s.end - s.start)))
    stack: list[Slice] = []
    out = []
    for s in ordered:
        while stack and stack[-1].end <= s.start:
            stack.pop()
        if stack and s.end > stack[-1].end:
            s = Slice(s.core, s.name, s.kind, s.start, stack[-1].end, s.args)
        out.append(s)
        stack.append(s)
    return out


def trace_events(data: ProfileData) -> list[dict[str, Any]]:
    """The trace events of a profile (metadata, slices, flows, counters)."""
    scale = 1e6 / data.clock_hz  # cycles -> microseconds

    def us(cycle: float) -> float:
        return round(cycle * scale, 6)

    events: list[dict[str, Any]] = [
        {"name": "process_name", "ph": "M", "ts": 0, "pid": CORES_PID, "tid": 0,
         "args": {"name": f"{data.chip} cores ({data.backend})"}},
        {"name": "process_name", "ph": "M", "ts": 0, "pid": MESH_PID, "tid": 0,
         "args": {"name": f"{data.chip} mesh"}},
    ]
    tracks: dict[int, list[Slice]] = {}
    for s in data.slices:
        tracks.setdefault(s.core, []).append(s)
    for core in sorted({c.core for c in data.cores} | set(tracks)):
        events.append({"name": "thread_name", "ph": "M", "ts": 0, "pid": CORES_PID, "tid": core,
                       "args": {"name": f"core {core} ({core // data.cols},{core % data.cols})"}})
        events.append({"name": "thread_sort_index", "ph": "M", "ts": 0, "pid": CORES_PID,
                       "tid": core, "args": {"sort_index": core}})
    for core, slices in sorted(tracks.items()):
        for s in nest(slices):
            events.append({"name": s.name, "cat": s.kind, "ph": "X", "ts": us(s.start),
                           "dur": round(us(s.end) - us(s.start), 6), "pid": CORES_PID, "tid": core,
                           "args": {"start_cycle": s.start, "cycles": s.end - s.start, **s.args}})
    for i, m in enumerate(data.messages, start=1):
        if m.arrival_cycle is None:
            continue
        common = {"name": "message", "cat": "message", "id": i, "pid": CORES_PID}
        events.append({**common, "ph": "s", "ts": us(m.send_cycle), "tid": m.src,
                       "args": {"bytes": m.bytes, "to": m.dst}})
        events.append({**common, "ph": "f", "bp": "e", "ts": us(m.arrival_cycle), "tid": m.dst,
                       "args": {"bytes": m.bytes, "from": m.src}})
    events += _counters(data, us)
    return events


def _counters(data: ProfileData, us: Any) -> list[dict[str, Any]]:
    """Counter series: per-network bytes per cycle, and the hottest cMesh links' utilisation."""
    if not data.has_links or data.end_cycle <= data.start_cycle:
        return []
    t0, width = data.start_cycle, data.cycles / BUCKETS
    nets: dict[str, list[float]] = {}
    link_busy: dict[str, list[float]] = {}
    route = routing(data.routing)

    def spread(series: list[float], start: float, end: float, amount: float) -> None:
        """Add ``amount`` uniformly over [start, end] into the buckets of ``series``."""
        end = max(end, start + 1e-9)
        a = max(0, int((start - t0) // width))
        b = min(BUCKETS - 1, int((end - t0) // width))
        for k in range(a, b + 1):
            lo, hi = max(start, t0 + k * width), min(end, t0 + (k + 1) * width)
            if hi > lo:
                series[k] += amount * (hi - lo) / (end - start)

    hot = {x.name for x in sorted((x for x in data.links if x.network == "cmesh"
                                   and x.kind == "hop"), key=lambda x: -x.busy_cycles)[:HOT_LINKS]}
    for m in data.messages:
        end = m.arrival_cycle if m.arrival_cycle is not None else data.end_cycle
        spread(nets.setdefault("cmesh", [0.0] * BUCKETS), m.send_cycle, end, m.bytes)
        packets = math.ceil(m.bytes / 8)
        for (r, c), direction in route(m.src_xy, m.dst_xy):
            name = f"cmesh.r({r},{c}).{direction}"
            if name in hot:
                spread(link_busy.setdefault(name, [0.0] * BUCKETS), m.send_cycle, end, packets)
    for t in data.launch_traffic:
        end = t.arrival_cycle if t.arrival_cycle is not None else data.end_cycle
        net = t.network.split("+")[-1]
        spread(nets.setdefault(net, [0.0] * BUCKETS), float(t.start_cycle), end, t.nbytes)
    out: list[dict[str, Any]] = []
    for k in range(BUCKETS):
        ts = us(t0 + k * width)
        out.append({"name": "bytes per cycle in flight", "ph": "C", "ts": ts, "pid": MESH_PID,
                    "tid": 0, "args": {n: round(v[k] / width, 4) for n, v in sorted(nets.items())}})
        for name, series in sorted(link_busy.items()):
            out.append({"name": f"utilisation {name}", "ph": "C", "ts": ts, "pid": MESH_PID,
                        "tid": 0, "args": {"busy": round(min(series[k] / width, 1.0), 4)}})
    return out


def write_trace(data: ProfileData, path: str | Path) -> Path:
    """Write the profile as a Chrome trace-event JSON file; return its path."""
    path = Path(path)
    doc = {"traceEvents": trace_events(data), "displayTimeUnit": "ns",
           "otherData": {"chip": data.chip, "backend": data.backend,
                         "start_cycle": data.start_cycle, "end_cycle": data.end_cycle,
                         "clock_hz": data.clock_hz}}
    path.write_text(json.dumps(doc, indent=None, separators=(",", ":")))
    return path
