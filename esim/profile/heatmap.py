"""PNG heatmap: link utilisation drawn on the chip's grid (needs matplotlib, extra "plot").

Each core is a square; each direction of each router-to-router link is a thick bar beside
the line joining two cores (east above, west below; south on the left, north on the right),
coloured by its utilisation on a colour scale from 0 to the hottest link, so the hottest
link always gets the top colour of the colormap.  Off-chip links of the east edge are drawn
as short bars leaving the grid.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from esim.profile.model import LinkStat, ProfileData

__all__ = ["CMAP", "PLOT_HINT", "heatmap_png", "link_colours", "require_matplotlib"]

CMAP = "YlOrRd"  # pale yellow (little) to dark red (the hottest): readable on white
PLOT_HINT = 'the heatmap needs matplotlib: pip install "epython[plot]"'


def require_matplotlib() -> Any:
    """Import matplotlib (Agg backend) or raise an ImportError that says what to install."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(PLOT_HINT) from exc
    return plt


def _hops(data: ProfileData, network: str) -> list[LinkStat]:
    return [x for x in data.links if x.kind == "hop" and (network == "all" or x.network == network)]


def link_colours(data: ProfileData, network: str = "cmesh") -> dict[str, tuple[float, ...]]:
    """RGBA colour of every used router-to-router link of ``network`` ("all": every network)."""
    plt = require_matplotlib()
    links = _hops(data, network)
    top = max((x.utilisation for x in links), default=0.0) or 1.0
    cmap = plt.get_cmap(CMAP)
    return {x.name: tuple(float(v) for v in cmap(x.utilisation / top)) for x in links}


def _figure(data: ProfileData, network: str) -> Any:
    plt = require_matplotlib()
    from matplotlib.colors import Normalize

    links = _hops(data, network)
    colours = link_colours(data, network)
    top = max((x.utilisation for x in links), default=0.0) or 1.0
    fig, ax = plt.subplots(figsize=(1.6 * data.cols + 2.4, 1.6 * data.rows + 0.8), dpi=100)
    half, off = 0.22, 0.09  # core half-size, offset of each direction's bar from the centre line
    for r in range(data.rows):  # the grid's wires, idle unless a coloured bar covers them
        ax.plot([-half, data.cols - 1 + half], [r, r], color="#cccccc", linewidth=1, zorder=0)
    for c in range(data.cols):
        ax.plot([c, c], [-half, data.rows - 1 + half], color="#cccccc", linewidth=1, zorder=0)
    for r in range(data.rows):
        for c in range(data.cols):
            ax.add_patch(plt.Rectangle((c - half, r - half), 2 * half, 2 * half,
                                       facecolor="#dddddd", edgecolor="#555555", zorder=2))
            ax.text(c, r, str(r * data.cols + c), ha="center", va="center", fontsize=10, zorder=3)
    for x in links:
        r0, c0 = (float(v) for v in x.src) if isinstance(x.src, tuple) else (0.0, 0.0)
        if isinstance(x.dst, tuple):
            r1, c1 = float(x.dst[0]), float(x.dst[1])
        else:  # off the east edge
            r1, c1 = r0, c0 + 0.6
        dr, dc = r1 - r0, c1 - c0
        # Offset perpendicular to the direction so that both directions are visible.
        if dr == 0:
            shift = (-off if dc > 0 else off, 0.0)  # east above (y grows downwards), west below
            start = (c0 + (half if dc > 0 else -half), r0 + shift[0])
            end = (c1 - (half if dc > 0 and isinstance(x.dst, tuple) else 0.0)
                   + (half if dc < 0 else 0.0), r1 + shift[0])
        else:
            dx = -off if dr > 0 else off  # south on the left, north on the right
            start = (c0 + dx, r0 + (half if dr > 0 else -half))
            end = (c1 + dx, r1 - (half if dr > 0 else -half))
        ax.plot([start[0], end[0]], [start[1], end[1]], color=colours[x.name], linewidth=7,
                solid_capstyle="butt", zorder=1)
    ax.set_xlim(-0.6, data.cols - 0.4 + (0.6 if any(not isinstance(x.dst, tuple)
                                                   for x in links) else 0.0))
    ax.set_ylim(data.rows - 0.4, -0.6)  # row 0 (north) on top
    ax.set_aspect("equal")
    ax.axis("off")
    mappable = plt.cm.ScalarMappable(norm=Normalize(0, top * 100), cmap=CMAP)
    fig.colorbar(mappable, ax=ax, fraction=0.04, pad=0.02, label="link busy, % of the interval")
    ax.set_title(f"{network} link utilisation, {data.chip} ({data.cycles:,.0f} cycles)",
                 fontsize=10)
    return fig


def heatmap_png(data: ProfileData, path: str | Path | None = None,
                network: str = "cmesh") -> bytes:
    """Draw the heatmap; write it to ``path`` when given; return the PNG bytes."""
    if not data.has_links:
        raise ValueError("link traffic needs the simulator (run with EPYTHON_BACKEND=sim): "
                         "there is nothing to draw")
    plt = require_matplotlib()
    fig = _figure(data, network)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    png = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(png)
    return png


def png_base64(data: ProfileData, network: str = "cmesh") -> str:
    """The heatmap as base64 text (for an HTML ``<img src="data:image/png;base64,...">``)."""
    return base64.b64encode(heatmap_png(data, None, network)).decode("ascii")
