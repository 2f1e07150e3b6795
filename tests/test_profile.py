"""The mesh traffic profiler: hand-computable traffic, the trace format, the heatmap, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from epython import offload, profile
from epython.backends import _instances as backend_instances
from epython.backends import get_backend
from epython.parallel import bcast, coreid, recv, send
from epython.profile import Profile
from esim.profile import LinkStat, parse_link_name
from esim.profile.heatmap import CMAP, link_colours

ROOT = Path(__file__).resolve().parents[1]
N = 256  # bytes of the ring's array (64 float32): above the eager size, so it rendezvous
COLS = 4


def row_ring(data):
    me = coreid()
    row = me // 4
    col = me % 4
    east = row * 4 + (col + 1) % 4
    west = row * 4 + (col - 1) % 4
    if col % 2 == 0:  # large values rendezvous: alternate the order to avoid a deadlock
        send(data, east)
        got = recv(west)
    else:
        got = recv(west)
        send(data, east)
    return len(got)


def broadcast(data):
    got = bcast(data, 0)
    return len(got)


def only_compute(data):
    total = 0
    for i in range(len(data)):
        total += i
    return total


def _profiled(kernel: Any) -> Profile:
    with profile() as prof:
        offload(kernel)(np.zeros(N // 4, dtype=np.float32))
    return prof


@pytest.fixture(scope="module")
def ring() -> Profile:
    return _profiled(row_ring)


@pytest.fixture(scope="module")
def bcast_profile() -> Profile:
    return _profiled(broadcast)


@pytest.fixture(scope="module")
def compute() -> Profile:
    return _profiled(only_compute)


def _vertical(links: list[LinkStat]) -> dict[str, int]:
    return {x.name: x.bytes for x in links if x.kind == "hop" and isinstance(x.dst, tuple)
            and isinstance(x.src, tuple) and x.src[1] == x.dst[1]}


# -- hand-computable traffic --------------------------------------------------------------------

def test_ring_shift_loads_every_east_west_link_it_crosses(ring: Profile) -> None:
    for r in range(4):
        for c in range(COLS - 1):  # each core sends east to its neighbour ...
            east = ring.data.link("cmesh", (r, c), (r, c + 1))
            assert east is not None and east.bytes >= N, (r, c)
        for c in range(COLS - 1, 0, -1):  # ... and the last column wraps west across the row
            west = ring.data.link("cmesh", (r, c), (r, c - 1))
            assert west is not None and west.bytes >= N, (r, c)


def test_ring_shift_puts_nothing_on_column_links_beyond_launch_traffic(
        ring: Profile, compute: Profile) -> None:
    assert not any(v for k, v in _vertical(ring.links).items() if k.startswith("cmesh"))
    # Column links carry only launch traffic (program fetch, results): the same links as a
    # kernel that only computes, with the same arguments.
    assert set(_vertical(ring.links)) == set(_vertical(compute.links))
    assert all(m.src_xy[0] == m.dst_xy[0] for m in ring.messages)


def test_ring_shift_matrix_and_messages(ring: Profile) -> None:
    matrix = ring.matrix
    assert matrix.shape == (16, 16)
    for core in range(16):
        row, col = divmod(core, COLS)
        assert matrix[core, row * COLS + (col + 1) % COLS] >= N
    assert all(m.arrival_cycle is not None and m.arrival_cycle > m.send_cycle
               for m in ring.messages)
    assert sum(m.bytes for m in ring.messages) == matrix.sum()
    assert all(t.src in ("host", "dram") or t.dst in ("host", "dram")
               for t in ring.launch_traffic)


def test_broadcast_from_core_0_loads_the_links_near_core_0_most(bcast_profile: Profile) -> None:
    hops = [x for x in bcast_profile.links if x.network == "cmesh" and x.kind == "hop"]
    hottest = max(hops, key=lambda x: x.bytes)
    assert hottest.src == (0, 0)
    near = [x.bytes for x in hops if (0, 0) in (x.src, x.dst)]
    far = [x.bytes for x in hops if (0, 0) not in (x.src, x.dst)]
    assert max(near) > max(far)
    assert bcast_profile.matrix[0, 1:].min() >= N


def test_local_compute_shows_no_core_to_core_traffic(compute: Profile) -> None:
    assert compute.messages == []
    assert not compute.matrix.any()
    assert not [x for x in compute.links if x.network == "cmesh"]
    assert compute.launch_traffic  # the launch itself still moves bytes


def test_only_traffic_inside_the_block_counts() -> None:
    offload(row_ring)(np.zeros(N // 4, dtype=np.float32))  # before: not profiled
    with profile() as prof:
        offload(only_compute)(np.zeros(4, dtype=np.float32))
    assert prof.messages == []
    assert not [x for x in prof.links if x.network == "cmesh"]
    assert prof.data.start_cycle > 0


def test_core_stats_split_cycles_and_memory(ring: Profile) -> None:
    cores = ring.cores
    assert [c.core for c in cores] == list(range(16))
    for c in cores:
        assert c.instructions > 0 and c.cycles > 0
        assert set(c.cycles_by_kind) == {"compute", "message", "barrier", "dram", "host_io"}
        assert c.cycles_by_kind["compute"] > 0 and c.cycles_by_kind["message"] > 0
        assert sum(c.cycles_by_kind.values()) <= c.cycles + 1
        assert 0 < c.peak_memory <= c.memory_bytes == 32 * 1024


def test_link_names_parse_to_their_ends() -> None:
    assert parse_link_name("cmesh.r(1,2).east", 4) == ("cmesh", "hop", (1, 2), (1, 3))
    assert parse_link_name("rmesh.r(1,2).north", 4) == ("rmesh", "hop", (1, 2), (0, 2))
    assert parse_link_name("xmesh.r(2,3).east", 4) == ("xmesh", "hop", (2, 3), "elink")
    assert parse_link_name("cmesh.r(0,0).inject", 4) == ("cmesh", "inject", (0, 0), (0, 0))
    assert parse_link_name("cmesh.r(0,0).core", 4) == ("cmesh", "eject", (0, 0), (0, 0))
    assert parse_link_name("elink.rx", 4) == ("elink", "elink", "dram", "elink")
    assert parse_link_name("host.port", 4) == ("host", "host", "host", "dram")
    assert parse_link_name("dram.write", 4) is None


def test_report_has_tables_and_a_text_heatmap(ring: Profile) -> None:
    text = ring.report()
    for part in ("Networks", "Hottest links", "Cores", "Messages:", "cmesh link utilisation",
                 "[15]"):
        assert part in text
    assert "@" in ring.text_heatmap()
    assert "16 cores" in repr(ring)


# -- the trace ----------------------------------------------------------------------------------

def _check_trace(events: list[dict[str, Any]]) -> None:
    """Required fields of the Chrome trace-event format and the nesting rule of slices."""
    flows: dict[Any, dict[str, list[dict[str, Any]]]] = {}
    tracks: dict[tuple[Any, Any], list[tuple[float, float]]] = {}
    for e in events:
        for key in ("name", "ph", "ts", "pid", "tid"):
            assert key in e, (key, e)
        assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0
        ph = e["ph"]
        assert ph in ("X", "s", "f", "C", "M"), e
        if ph == "X":
            assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0
            tracks.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
        elif ph in ("s", "f"):
            assert "id" in e and e.get("cat")
            flows.setdefault(e["id"], {"s": [], "f": []})[ph].append(e)
        elif ph == "C":
            assert isinstance(e["args"], dict) and e["args"]
            assert all(isinstance(v, (int, float)) for v in e["args"].values())
        else:
            assert "args" in e
    for ident, pair in flows.items():
        assert len(pair["s"]) == 1 and len(pair["f"]) == 1, ident
        s, f = pair["s"][0], pair["f"][0]
        assert s["name"] == f["name"] and s["cat"] == f["cat"] and s["ts"] <= f["ts"]
        # Each end binds to a slice on its own track.
        for end in (s, f):
            assert any(a <= end["ts"] <= b for a, b in tracks[(end["pid"], end["tid"])]), end
    eps = 1e-6
    for spans in tracks.values():
        spans.sort(key=lambda ab: (ab[0], -ab[1]))
        stack: list[tuple[float, float]] = []
        for a, b in spans:
            while stack and stack[-1][1] <= a + eps:
                stack.pop()
            assert not stack or b <= stack[-1][1] + eps, ("partial overlap", stack[-1], (a, b))
            stack.append((a, b))


def test_trace_follows_the_chrome_trace_event_format(ring: Profile, tmp_path: Path) -> None:
    path = ring.to_perfetto(tmp_path / "trace.json")
    doc = json.loads(path.read_text())
    events = doc["traceEvents"]
    _check_trace(events)
    phases = {e["ph"] for e in events}
    assert {"X", "s", "f", "C", "M"} <= phases
    assert len([e for e in events if e["ph"] == "s"]) == len(ring.messages)
    assert {e["tid"] for e in events if e["ph"] == "X"} == set(range(16))


def test_trace_checker_rejects_partial_overlap() -> None:
    bad = [{"name": "a", "ph": "X", "ts": 0, "dur": 10, "pid": 1, "tid": 0},
           {"name": "b", "ph": "X", "ts": 5, "dur": 10, "pid": 1, "tid": 0}]
    with pytest.raises(AssertionError):
        _check_trace(bad)


# -- the PNG heatmap ----------------------------------------------------------------------------

def test_heatmap_is_drawn_from_the_data(ring: Profile, bcast_profile: Profile,
                                        tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="install the plot extra")
    import matplotlib.image
    import matplotlib.pyplot as plt

    a, b = tmp_path / "ring.png", tmp_path / "bcast.png"
    ring.heatmap(a)
    bcast_profile.heatmap(b)
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.read_bytes() != b.read_bytes()
    top = tuple(plt.get_cmap(CMAP)(1.0))
    colours = link_colours(bcast_profile.data)
    hottest = max((x for x in bcast_profile.links if x.network == "cmesh" and x.kind == "hop"),
                  key=lambda x: x.utilisation)
    assert colours[hottest.name] == pytest.approx(top)
    pixels = matplotlib.image.imread(str(b))[..., :3]
    close = np.abs(pixels - np.array(top[:3])).max(axis=-1) < 2 / 255
    assert close.sum() > 50  # the hottest bar is painted in the top colour


def test_heatmap_without_matplotlib_says_what_to_install(ring: Profile,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=re.escape('pip install "epython[plot]"')):
        ring.heatmap()
    assert "<pre>" in ring._repr_html_()


def test_repr_html_inlines_the_heatmap(ring: Profile) -> None:
    pytest.importorskip("matplotlib", reason="install the plot extra")
    assert "data:image/png;base64," in ring._repr_html_()


# -- other backends, the CLI, the docs ----------------------------------------------------------

class _NamedBackend:
    """A backend without a chip model (stands in for the device backend)."""

    name = "fake"

    def __init__(self) -> None:
        self._sim = get_backend("sim")

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._sim, attr)

    def launch(self, kernel: Any, args: list[Any], cores: list[int]) -> Any:
        return self._sim.launch(kernel, args, cores)


@pytest.fixture
def fake_backend() -> Iterator[None]:
    backend_instances["fake"] = _NamedBackend()  # type: ignore[assignment]
    yield
    backend_instances.pop("fake", None)


def test_other_backends_report_core_cycles_and_say_links_need_the_sim(fake_backend: None) -> None:
    with profile(backend="fake") as prof:
        offload(only_compute, backend="fake")(np.zeros(4, dtype=np.float32))
    assert [c.core for c in prof.cores] == list(range(16))
    assert all(c.cycles > 0 and c.instructions > 0 for c in prof.cores)
    assert prof.links == [] and prof.messages == []
    assert "EPYTHON_BACKEND=sim" in prof.report()
    assert "launch" not in vars(backend_instances["fake"])  # the wrapper is gone


def test_cli_profiles_a_script(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="--png needs matplotlib: install the plot extra")
    script = tmp_path / "ring_script.py"
    source = (Path(__file__).read_text().split("def row_ring", 1)[1].split("\n\n\n", 1)[0])
    script.write_text("import numpy as np\nfrom epython import offload\n"
                      "from epython.parallel import coreid, recv, send\n\n"
                      f"@offload\ndef row_ring{source}\n\n"
                      "print(row_ring(np.zeros(64, dtype=np.float32)))\n")
    trace, png = tmp_path / "t.json", tmp_path / "m.png"
    proc = subprocess.run([sys.executable, "-m", "esim", "profile", str(script),
                           "--trace", str(trace), "--png", str(png)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "[64, 64," in proc.stdout and "Hottest links" in proc.stdout
    _check_trace(json.loads(trace.read_text())["traceEvents"])
    assert png.stat().st_size > 1000


def test_docs_example_runs_and_matches_its_heatmap(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "profiling.md").read_text()
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    script = tmp_path / "example.py"
    script.write_text(code)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    heatmap = proc.stdout.split("cmesh link utilisation", 1)[1].split("\n\n", 1)[0]
    assert heatmap.strip() in text  # the documented picture is the real one
    assert (tmp_path / "profiling-mesh.png").exists()
    assert (ROOT / "docs" / "profiling-mesh.png").exists()
