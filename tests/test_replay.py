"""Launch replay (esim/replay.py): a replayed launch gives what the detailed model gives.

Each scenario runs the same launches on two chips, one replaying and one always detailed, and
compares everything observable: results, integer cycles, instructions, traffic counters and the
transfer log (floating-point cycles to rounding: a replay shifts recorded relative times).
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest

from epython.backends.sim import SimBackend
from epython.compiler import compile_kernel
from epython.parallel import coreid
from esim.cores.core import core_independent
from esim.profile import Recorder


def trivial():
    return 1


def sums(xs):
    total = 0
    for x in xs:
        total += x * coreid()
    return total


def bigger(n):
    acc = 0
    for i in range(n):
        if i % 3 == 0:
            acc += i
        elif i % 3 == 1:
            acc -= 1
        else:
            acc ^= i
    return [acc, coreid(), n]


def scale(a, k):
    for i in range(len(a)):
        a[i] = a[i] * k + coreid()
    return len(a)


def fails(n):
    return n // (coreid() - 2)


def bump(k):
    global counter
    counter = counter + k
    return counter


def talks():
    print("hello from", coreid())
    return coreid()


def same_everywhere(n):
    rows = [[i * i, float(i) / 3] for i in range(n)]
    return (rows, {"n": n, "last": rows[-1]}, "done")


def doubles(a):
    for i in range(len(a)):
        a[i] = a[i] * 2.0
    return a[0]


def divides(n):
    return [1, 2][n] // (n - n)


def draws():
    return random.randint(0, 1000)


CASES = [
    (trivial, (), list(range(16))),
    (trivial, (), [0, 5, 10, 15]),
    (sums, ([1, 2, 3, 4, 5, 6, 7, 8] * 4,), list(range(16))),
    (bigger, (300,), [3]),
    (bigger, (40,), list(range(8))),
    (scale, (np.arange(12, dtype=np.float32), 3), list(range(16))),
    (fails, (7,), [0, 1, 2, 3]),
    # the cores cannot tell themselves apart: one runs ahead for all (esim/chip.py, _alike)
    (same_everywhere, (6,), list(range(16))),
    (doubles, (np.arange(10, dtype=np.float32),), [1, 4, 9]),
    (divides, (1,), list(range(16))),
    (draws, (), list(range(16))),  # random: per-core generators, so each core runs
]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-6)


def _run(replay: bool, launches: list[tuple[Any, tuple[Any, ...], list[int]]]) -> dict[str, Any]:
    backend = SimBackend("e16")
    chip = backend.chip
    chip.replay = replay
    results = []
    with Recorder(chip) as rec:
        for fn, args, cores in launches:
            launch = backend.launch(compile_kernel(fn), list(args), cores)
            results.append([(r.core, repr(r.value), repr(r.error), r.cycles, r.instructions,
                             r.lines, repr(r.array_updates)) for r in launch.wait_all(None)])
            results.append([(o.core, o.start_cycle, o.end_cycle, o.peak_memory,
                             sorted(o.cycles_by_kind)) for o in launch.state.outcomes.values()])
    stats = chip.mesh.stats
    return {"results": results, "rows": stats.rows(), "transfers": list(stats.transfers),
            "now": chip.now, "profile": rec.data, "hits": chip.replays.hits,
            "links": sorted((link.name, link.free_at) for link in chip.mesh.links())}


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["results"] == b["results"]
    assert _close(a["now"], b["now"])
    assert [(r.name, r.bytes, r.packets) for r in a["rows"]] == \
        [(r.name, r.bytes, r.packets) for r in b["rows"]]
    for x, y in zip(a["rows"], b["rows"]):
        assert _close(x.busy_cycles, y.busy_cycles) and _close(x.wait_cycles, y.wait_cycles), (x, y)
    assert len(a["transfers"]) == len(b["transfers"])
    for x, y in zip(a["transfers"], b["transfers"]):
        assert (x.src, x.dst, x.nbytes, x.method, x.network) == \
            (y.src, y.dst, y.nbytes, y.method, y.network)
        assert _close(x.start_cycle, y.start_cycle) and _close(x.issued_cycle, y.issued_cycle) \
            and _close(x.arrival_cycle, y.arrival_cycle), (x, y)
    assert [n for n, _ in a["links"]] == [n for n, _ in b["links"]]
    assert all(_close(x, y) for (_, x), (_, y) in zip(a["links"], b["links"]))
    pa, pb = a["profile"], b["profile"]
    assert [(c.core, c.instructions, c.cycles) for c in pa.cores] == \
        [(c.core, c.instructions, c.cycles) for c in pb.cores]
    assert [(m.src, m.dst, m.bytes, m.packets) for m in pa.links] == \
        [(m.src, m.dst, m.bytes, m.packets) for m in pb.links]
    assert len(pa.launch_traffic) == len(pb.launch_traffic)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_replay_matches_the_detailed_model(case: int) -> None:
    launches = [CASES[case]] * 4
    replayed, detailed = _run(True, launches), _run(False, launches)
    # the first launch is recorded, the others replayed; a launch whose results queued at the
    # eLink arbiter is recorded again when its round robin stands elsewhere (the second)
    assert replayed["hits"] in (2, 3)
    assert detailed["hits"] == 0
    _same(replayed, detailed)


def test_interleaved_launches_replay_per_shape() -> None:
    launches = [CASES[0], CASES[2], CASES[0], CASES[1], CASES[2], CASES[1], CASES[3], CASES[3]]
    replayed, detailed = _run(True, launches), _run(False, launches)
    assert replayed["hits"] >= 2  # fewer than 4 where the eLink's round robin moved
    _same(replayed, detailed)


def test_printing_kernels_and_busy_chips_run_in_detail() -> None:
    backend = SimBackend("e16")
    chip = backend.chip
    kernel = compile_kernel(talks)
    for _ in range(3):  # a kernel that prints makes traffic of its own: never replayed
        assert [r.value for r in backend.launch(kernel, [], [0, 1]).wait_all(None)] == [0, 1]
    assert chip.replays.hits == 0 and len(chip.replays) == 0
    quick = compile_kernel(trivial)
    backend.launch(quick, [], [0, 1]).wait_all(None)  # recorded
    first = backend.launch(quick, [], [0, 1])
    second = backend.launch(quick, [], [2, 3])  # issued while the first is not finished
    assert [r.value for r in second.wait_all(None)] == [1, 1]
    assert [r.value for r in first.wait_all(None)] == [1, 1]
    assert chip.replays.hits == 0  # the chip was not idle: both ran in detail


def test_a_busy_link_falls_back_to_the_detailed_path() -> None:
    backend = SimBackend("e16")
    chip = backend.chip
    kernel = compile_kernel(trivial)
    backend.launch(kernel, [], [0, 1]).wait_all(None)
    chip.mesh.elink.tx.free_at = chip.now + 1000.0  # traffic still on the eLink
    backend.launch(kernel, [], [0, 1]).wait_all(None)
    assert chip.replays.hits == 0
    backend.launch(kernel, [], [0, 1]).wait_all(None)
    assert chip.replays.hits == 1


def test_device_resident_values_replay_as_in_detail() -> None:
    def run(replay: bool) -> tuple[list[Any], list[Any], int]:
        backend = SimBackend("e16")
        backend.chip.replay = replay
        backend.copy_to_device("counter", 10, [0, 1, 2])
        kernel = compile_kernel(bump)
        values = []
        for k in (1, 1, 2, 1):
            values.append([(r.value, r.cycles)
                           for r in backend.launch(kernel, [k], [0, 1, 2]).wait_all(None)])
        return values, backend.copy_from_device("counter", [0, 1, 2]), backend.chip.replays.hits

    replayed, detailed = run(True), run(False)
    assert replayed[:2] == detailed[:2]
    assert replayed[1] == [15, 15, 15]
    assert replayed[2] > 0


def test_shared_arrays_run_in_detail() -> None:
    from epython import offload, shared
    from epython.backends import get_backend

    def triple(a, k):
        for i in range(coreid(), len(a), 16):
            a[i] = a[i] * k
        return len(a)

    chip = get_backend("sim").chip
    before = chip.replays.hits
    data = np.arange(64, dtype=np.float32)
    for _ in range(3):  # their DRAM traffic happens as the kernel runs: never replayed
        assert offload(triple)(shared(data), 2) == [64] * 16
    assert data.tolist() == [v * 8.0 for v in range(64)]
    assert chip.replays.hits == before


def test_cores_that_cannot_be_told_apart_run_once_ahead() -> None:
    """A kernel that reads no core identity runs ahead on one core for a replay; the others
    get copies of its result (their own objects) and the same cycles as in detail."""
    assert core_independent(compile_kernel(same_everywhere).program)
    assert core_independent(compile_kernel(doubles).program)
    for fn in (sums, draws, talks, fails):  # coreid, random, print
        assert not core_independent(compile_kernel(fn).program)
    backend = SimBackend("e16")
    kernel = compile_kernel(same_everywhere)
    for _ in range(4):
        results = backend.launch(kernel, [4], list(range(16))).wait_all(None)
    assert backend.chip.replays.hits in (2, 3)  # (the second may be recorded again: above)
    values = [r.value for r in results]
    assert all(v == values[0] for v in values)
    assert len({id(v[0]) for v in values}) == 16 and len({id(v[1]) for v in values}) == 16
    values[0][0].append("mine")
    assert values[1][0] == values[0][0][:-1]


def test_every_core_interprets_its_kernel_with_share_alike_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """ESIM_SHARE_ALIKE=0 (what the benchmarks time) runs every core: the same values and
    cycles as the shared run."""
    def run() -> tuple[list[Any], list[int]]:
        backend = SimBackend("e16")
        kernel = compile_kernel(same_everywhere)
        results = [backend.launch(kernel, [4], list(range(16))).wait_all(None)
                   for _ in range(3)][-1]
        return [r.value for r in results], [r.cycles for r in results]
    shared = run()
    monkeypatch.setenv("ESIM_SHARE_ALIKE", "0")
    assert run() == shared


def test_polling_replays_as_waiting_does() -> None:
    """test() on a launch left for a replay replays it (all its results at once, as a fast
    host's poll would find them), with the cycles a blocking wait gives; a launch that cannot
    be replayed is started in detail and polled as before."""
    def blocking(chip_replay: bool) -> list[Any]:
        backend = SimBackend("e16")
        backend.chip.replay = chip_replay
        kernel = compile_kernel(same_everywhere)
        out = []
        for polled in (False, False, True, True):  # (two waits: see above)
            launch = backend.launch(kernel, [5], list(range(16)))
            if polled:
                got: list[Any] = []
                while len(got) < 16:
                    got += launch.poll()
            else:
                got = launch.wait_all(None)
            out.append(sorted((r.core, repr(r.value), r.cycles, r.instructions) for r in got))
        out.append(backend.chip.replays.hits)
        return out

    replayed, detailed = blocking(True), blocking(False)
    assert replayed[:4] == detailed[:4]
    assert replayed[4] >= 2 and detailed[4] == 0
    backend = SimBackend("e16")
    launch = backend.launch(compile_kernel(talks), [], [0, 1])  # prints: never replayed
    got = []
    while len(got) < 2:
        got += launch.poll()
    assert sorted(r.value for r in got) == [0, 1] and backend.chip.replays.hits == 0
