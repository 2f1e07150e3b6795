"""Text reports of a profile: tables and a heatmap of the mesh that read well in a terminal."""

from __future__ import annotations

from esim.profile.model import KINDS, LinkStat, Node, ProfileData

__all__ = ["RAMP", "format_report", "text_heatmap"]

#: Shades from idle to the hottest link; a link that carried anything gets at least ".".
RAMP = " .:-=+*#%@"


def _shade(value: float, top: float) -> str:
    if value <= 0 or top <= 0:
        return " "
    level = min(len(RAMP) - 1, max(1, round(value / top * (len(RAMP) - 1))))
    return RAMP[level]


def _node(node: Node) -> str:
    return f"({node[0]},{node[1]})" if isinstance(node, tuple) else node


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def text_heatmap(data: ProfileData, network: str = "cmesh") -> str:
    """The chip's grid with each link direction shaded by its utilisation on ``network``.

    Between two cores of a row ``>x <y`` shows the east link (left to right) and the west
    link; between two rows ``vx ^y`` shows the south and north links.  Shades run from
    ``.`` (little) to ``@`` (the hottest link of the network); blank means idle.
    """
    hops = {(x.src, x.dst): x.utilisation for x in data.links
            if x.network == network and x.kind == "hop"}
    top = max(hops.values(), default=0.0)
    width = len(str(data.num_cores - 1))
    cell = 2 + width  # "[12]"
    gap = "  {}{} {}{}  "  # "  >@ <.  "
    lines = [f"{network} link utilisation, hottest link {top:.1%} busy "
             f"(shades '{RAMP[1:]}' up to the hottest; blank: idle)"]
    for r in range(data.rows):
        parts = []
        for c in range(data.cols):
            parts.append(f"[{r * data.cols + c:>{width}}]")
            if c + 1 < data.cols:
                parts.append(gap.format(">", _shade(hops.get(((r, c), (r, c + 1)), 0), top),
                                        "<", _shade(hops.get(((r, c + 1), (r, c)), 0), top)))
        off = hops.get(((r, data.cols - 1), "elink"), 0)
        if off:
            parts.append(f"  >{_shade(off, top)} eLink")
        lines.append("".join(parts).rstrip())
        if r + 1 < data.rows:
            below = []
            for c in range(data.cols):
                mark = (f"v{_shade(hops.get(((r, c), (r + 1, c)), 0), top)}"
                        f"^{_shade(hops.get(((r + 1, c), (r, c)), 0), top)}")
                below.append(mark.center(cell))
                if c + 1 < data.cols:
                    below.append(" " * len(gap.format(">", " ", "<", " ")))
            lines.append("".join(below).rstrip())
    return "\n".join(lines)


def _link_rows(links: list[LinkStat]) -> list[list[str]]:
    return [[x.name, f"{_node(x.src)} -> {_node(x.dst)}", f"{x.bytes:,}", f"{x.packets:,}",
             f"{x.busy_cycles:,.0f}", f"{x.utilisation:.1%}", f"{x.wait_cycles:,.0f}"]
            for x in links]


def format_report(data: ProfileData, top_links: int = 10, top_pairs: int = 10) -> str:
    """The whole report: interval, networks, hottest links, cores, messages, heatmaps."""
    us = data.cycles / data.clock_hz * 1e6
    out = [f"Profile: {data.launches} launch(es) on {data.chip} ({data.rows}x{data.cols}, "
           f"{data.backend} backend), cycles {data.start_cycle:,.0f} .. {data.end_cycle:,.0f} "
           f"({data.cycles:,.0f} cycles = {us:,.1f} us at {data.clock_hz / 1e6:g} MHz)"]
    out += [f"note: {n}" for n in data.notes]
    if data.has_links:
        nets = data.network_totals()
        out += ["", "Networks (utilisation: mean over the links used)"]
        out += _table(["network", "bytes", "packets", "busy cycles", "links used", "mean util",
                       "wait cycles"],
                      [[n, f"{x.bytes:,}", f"{x.packets:,}", f"{x.busy_cycles:,.0f}",
                        str(sum(1 for y in data.links if y.network == n)), f"{x.utilisation:.1%}",
                        f"{x.wait_cycles:,.0f}"] for n, x in nets.items()])
        if data.dram:
            out.append("shared DRAM: " + ", ".join(f"{k} {v:,} bytes"
                                                   for k, v in sorted(data.dram.items())))
        hot = sorted(data.links, key=lambda x: (-x.busy_cycles, x.name))[:top_links]
        out += ["", f"Hottest links (top {len(hot)} by busy cycles)"]
        out += _table(["link", "from -> to", "bytes", "packets", "busy", "util", "wait"],
                      _link_rows(hot))
    else:
        out += ["", "Link traffic: not available on this backend; per-link bytes, waits and "
                "the mesh heatmap need the simulator (run with EPYTHON_BACKEND=sim)."]
    out += ["", "Cores (cycles summed over launches; memory: peak of local memory)"]
    rows = []
    for c in data.cores:
        kinds = [f"{c.cycles_by_kind.get(k, 0.0):,.0f}" if c.cycles_by_kind else "-"
                 for k in KINDS]
        mem = (f"{c.peak_memory:,}/{c.memory_bytes // 1024} KB" if c.peak_memory else "-")
        rows.append([str(c.core), _node(c.coord) if c.coord else "-", f"{c.instructions:,}",
                     f"{c.cycles:,}", *kinds, mem])
    out += _table(["core", "(r,c)", "instr", "cycles", *KINDS, "peak mem"], rows)
    if data.has_links:
        sent = sum(m.bytes for m in data.messages)
        launch = sum(t.nbytes for t in data.launch_traffic)
        out += ["", f"Messages: {len(data.messages)} core-to-core transfers, {sent:,} bytes; "
                f"launch traffic (host/DRAM): {len(data.launch_traffic)} transfers, "
                f"{launch:,} bytes"]
        matrix = data.matrix
        pairs = sorted(((int(matrix[s, d]), s, d) for s in range(data.num_cores)
                        for d in range(data.num_cores) if matrix[s, d]), reverse=True)
        if pairs:
            out.append(f"Top source -> destination pairs (of {len(pairs)}; full matrix: .matrix)")
            out += _table(["src", "dst", "bytes"],
                          [[str(s), str(d), f"{b:,}"] for b, s, d in pairs[:top_pairs]])
        for net in ("cmesh", "rmesh", "xmesh"):
            if any(x.network == net and x.kind == "hop" for x in data.links):
                out += ["", text_heatmap(data, net)]
    return "\n".join(out)
