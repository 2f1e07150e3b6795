"""``profile()``: where the bytes and the cycles of the kernels in a ``with`` block go.

    from epython import offload, profile

    with profile() as prof:
        result = kernel(data)
    print(prof.report())            # tables + a text heatmap of the mesh
    prof.links, prof.cores, prof.messages, prof.matrix
    prof.to_perfetto("trace.json")  # Chrome trace events: open in ui.perfetto.dev
    prof.heatmap("mesh.png")        # needs matplotlib: pip install "epython[plot]"

On the simulator (``EPYTHON_BACKEND=sim``, the default) every launch started inside the block
is recorded, with the traffic of every link of the chip.  On another backend (the real chip)
only what the results carry is known: per-core cycles and instructions; the report says that
link traffic needs the simulator.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from epython.backends import get_backend
from epython.backends.base import Backend, CoreResult

if TYPE_CHECKING:  # esim is imported on first use: importing epython must not import esim
    from esim.mesh.stats import TransferRecord
    from esim.profile import CoreStat, LinkStat, Message, ProfileData, Recorder

__all__ = ["Profile", "profile"]


class _ObservedLaunch:
    """Wraps a non-simulator backend's launch and keeps every CoreResult it delivers."""

    _COLLECTING = ("poll", "wait_next", "wait_all")

    def __init__(self, launch: Any, sink: list[CoreResult]) -> None:
        self._launch = launch
        self._sink = sink

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._launch, name)
        if name not in self._COLLECTING:
            return attr

        def collecting(*args: Any, **kwargs: Any) -> Any:
            got = attr(*args, **kwargs)
            if isinstance(got, CoreResult):
                self._sink.append(got)
            elif isinstance(got, list):
                self._sink.extend(r for r in got if isinstance(r, CoreResult))
            return got

        return collecting


class Profile:
    """A profile of the launches started inside a ``with`` block (see :func:`profile`).

    The statistics are available once the block has ended: :attr:`links`, :attr:`cores`,
    :attr:`messages`, :attr:`launch_traffic`, :attr:`matrix`, :meth:`report`,
    :meth:`to_perfetto` and :meth:`heatmap`.
    """

    def __init__(self, backend: str | None = None) -> None:
        self._backend_name = backend
        self._backend: Backend | None = None
        self._recorder: Recorder | None = None
        self._results: list[CoreResult] = []
        self._launch_count = 0
        self._data: ProfileData | None = None
        self._lock = threading.Lock()

    # -- context manager ---------------------------------------------------------------------

    def __enter__(self) -> Profile:
        if self._backend is not None:
            raise RuntimeError("a profile records one with block; create a new profile()")
        backend = get_backend(self._backend_name)
        self._backend = backend
        chip = getattr(backend, "chip", None)
        if backend.name == "sim" and chip is not None:
            from esim.profile import Recorder

            self._recorder = Recorder(chip)
            self._recorder.start()
        else:
            self._wrap(backend)
        return self

    def __exit__(self, *exc: object) -> None:
        backend = self._backend
        if self._recorder is not None:
            self._data = self._recorder.stop()
        elif backend is not None:
            backend.__dict__.pop("launch", None)  # drop the instance wrapper
            self._data = self._from_results(backend)

    def _wrap(self, backend: Backend) -> None:
        """Record the launches of a backend that has no chip model (instance-level wrapper)."""
        original = backend.launch

        def launch(kernel: Any, args: list[Any], cores: list[int]) -> Any:
            with self._lock:
                self._launch_count += 1
            return _ObservedLaunch(original(kernel, args, cores), self._results)

        backend.launch = launch  # type: ignore[method-assign]

    def _from_results(self, backend: Backend) -> ProfileData:
        """Per-core statistics from the results the hardware returned (cycles, instructions)."""
        from esim.profile import CoreStat, ProfileData

        n = backend.num_cores()
        cols = 4 if n == 16 else (8 if n == 64 else n)
        rows = max(1, n // cols)
        by_core: dict[int, list[CoreResult]] = {}
        for r in self._results:
            by_core.setdefault(r.core, []).append(r)
        cores = [CoreStat(core, sum(r.instructions or 0 for r in rs),
                          sum(r.cycles or 0 for r in rs), {}, 0, len(rs), divmod(core, cols))
                 for core, rs in sorted(by_core.items())]
        cycles = max((c.cycles for c in cores), default=0)
        data = ProfileData(f"{rows}x{cols} chip", rows, cols, 600e6, 0.0, float(cycles),
                           backend=backend.name, cores=cores, launches=self._launch_count)
        data.notes.append(f"the {backend.name} backend reports per-core cycles and instructions "
                          "only; link traffic, messages and waits need the simulator "
                          "(EPYTHON_BACKEND=sim)")
        return data

    # -- results -----------------------------------------------------------------------------

    @property
    def data(self) -> ProfileData:
        """Everything measured (an ``esim.profile.ProfileData``); available after the block."""
        if self._data is None:
            raise RuntimeError("the profile is still recording: use its results after the "
                               "with block")
        return self._data

    @property
    def links(self) -> list[LinkStat]:
        """Per link and direction: network, src, dst, bytes, packets, busy and wait cycles."""
        return list(self.data.links)

    @property
    def cores(self) -> list[CoreStat]:
        """Per core: instructions, cycles, cycles by kind, peak local memory."""
        return list(self.data.cores)

    @property
    def messages(self) -> list[Message]:
        """Core-to-core transfers: source, destination, bytes, send and arrival cycles."""
        return list(self.data.messages)

    @property
    def launch_traffic(self) -> list[TransferRecord]:
        """Transfers to or from the host or shared DRAM (program, arguments, results, prints)."""
        return list(self.data.launch_traffic)

    @property
    def matrix(self) -> np.ndarray:
        """Source x destination core-to-core traffic in bytes (cores x cores)."""
        return self.data.matrix

    @property
    def cycles(self) -> float:
        """Length of the profiled interval in cycles."""
        return self.data.cycles

    def report(self) -> str:
        """Tables (networks, hottest links, cores, messages) and text heatmaps of the mesh."""
        from esim.profile import format_report

        return format_report(self.data)

    def text_heatmap(self, network: str = "cmesh") -> str:
        """The grid of cores with each link shaded by its utilisation on ``network``."""
        if not self.data.has_links:
            return "link traffic needs the simulator (EPYTHON_BACKEND=sim)"
        from esim.profile import text_heatmap

        return text_heatmap(self.data, network)

    def to_perfetto(self, path: str | Path) -> Path:
        """Write a Chrome trace-event JSON file (open it in ui.perfetto.dev); return its path."""
        from esim.profile import write_trace

        return write_trace(self.data, path)

    def heatmap(self, path: str | Path | None = None, network: str = "cmesh") -> bytes:
        """Draw link utilisation on the grid as a PNG (written to ``path`` if given).

        ``network`` is ``"cmesh"``, ``"rmesh"``, ``"xmesh"`` or ``"all"``.  Needs matplotlib
        (``pip install "epython[plot]"``); raises ImportError saying so otherwise.
        """
        from esim.profile import heatmap_png

        return heatmap_png(self.data, path, network)

    # -- display -----------------------------------------------------------------------------

    def __repr__(self) -> str:
        if self._data is None:
            return "<Profile recording>"
        d = self._data
        sent = sum(m.bytes for m in d.messages)
        return (f"<Profile {d.backend} {d.chip}: {d.launches} launch(es), {d.cycles:,.0f} cycles, "
                f"{len(d.cores)} cores, {len(d.messages)} messages ({sent:,} bytes), "
                f"{len(d.links)} links used>")

    def _repr_html_(self) -> str:
        if self._data is None:
            return f"<p>{html.escape(repr(self))}</p>"
        from esim.profile import text_heatmap
        from esim.profile.heatmap import png_base64

        picture = ""
        if self._data.has_links:
            try:
                picture = (f'<img src="data:image/png;base64,{png_base64(self._data)}" '
                           'alt="mesh heatmap"/>')
            except ImportError:
                picture = f"<pre>{html.escape(text_heatmap(self._data))}</pre>"
        return (f"<p>{html.escape(repr(self))}</p>{picture}"
                f"<details><summary>report</summary><pre>{html.escape(self.report())}</pre>"
                "</details>")


def profile(backend: str | None = None) -> Profile:
    """Profile the kernels launched inside a ``with`` block.

    ``backend`` names the backend to observe (default: the one ``EPYTHON_BACKEND`` selects,
    i.e. the one ``@offload`` kernels use).

    >>> with profile() as prof:           # doctest: +SKIP
    ...     kernel(data)
    >>> print(prof.report())              # doctest: +SKIP
    """
    return Profile(backend)
