"""Profiling of the simulated chip: where the bytes and the cycles go.

* :class:`Recorder` (``collect.py``) snapshots a chip's link counters and gathers its launches;
  :func:`notify_launch` is the hook a launcher calls for each new launch.
* :class:`ProfileData` (``model.py``) holds :class:`LinkStat`, :class:`CoreStat` and
  :class:`Message` lists and the traffic matrix.
* ``report.py`` formats text tables and a text heatmap, ``trace.py`` writes a Chrome/Perfetto
  trace, ``heatmap.py`` draws a PNG (matplotlib, optional).

The offload API wraps all this as ``epython.profile``; ``python -m esim profile script.py``
profiles a whole script.
"""

from esim.profile.collect import Recorder, active_recorders, notify_launch
from esim.profile.heatmap import heatmap_png, link_colours
from esim.profile.model import CoreStat, LinkStat, Message, ProfileData, Slice, parse_link_name
from esim.profile.report import format_report, text_heatmap
from esim.profile.trace import trace_events, write_trace

__all__ = [
    "CoreStat",
    "LinkStat",
    "Message",
    "ProfileData",
    "Recorder",
    "Slice",
    "active_recorders",
    "format_report",
    "heatmap_png",
    "link_colours",
    "notify_launch",
    "parse_link_name",
    "text_heatmap",
    "trace_events",
    "write_trace",
]
