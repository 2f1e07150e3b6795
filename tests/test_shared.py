"""``epython.shared``: arrays that stay in shared DRAM, one copy for every core (docs/arrays.md,
issue 16 item 2).  Every test runs on both backends (the ``backend`` fixture)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from epython import KernelError, offload, profile, shared
from epython.arrays import SharedArray
from epython.bytecode import protocol
from epython.parallel import coreid, numcores, recv, send, sync


def strided_scale(a, k):
    """Each core scales the elements i = rank, rank + n, ...; returns the sum it read."""
    total = 0
    i = coreid()
    while i < len(a):
        total += a[i]
        a[i] = a[i] * k
        i += numcores()
    return total


def rows_mark(m):
    """Core r writes its rank into row r % rows, column r // rows."""
    r = coreid()
    rows, cols = m.shape
    if r < rows * cols:
        row = m[r % rows]
        row[r // rows] = r + 1
    return m.shape, len(m)


def write_then_read(a):
    me = coreid()
    a[me] = me * 10 + 1
    return a[me], a[len(a) - 1]


def neighbour_after_sync(a):
    me = coreid()
    a[me] = me + 1
    sync()
    return a[(me + 1) % numcores()]


def slice_and_loop(a):
    part = a[2:6]
    s = 0.0
    for x in a:
        s += x
    return part, s, sum(a), 3.0 in a


def returns_it(a):
    return a


def returns_a_row(m):
    return m[0]


def sends_it(a):
    send(a, (coreid() + 1) % numcores())  # both cores fail before either receives
    return recv((coreid() - 1) % numcores())


@pytest.mark.parametrize("dtype", [np.int32, np.float32])
def test_cores_read_and_write_one_copy_in_dram(backend: str, dtype: type) -> None:
    a = np.arange(1, 101, dtype=dtype)
    sums = offload(strided_scale)(shared(a), 3)
    expected = [int(np.arange(1, 101)[r::16].sum()) for r in range(16)]
    assert [int(s) for s in sums] == expected
    assert a.tolist() == [3 * v for v in range(1, 101)]
    assert a.dtype == dtype


def test_larger_than_a_core_and_than_the_wire_limit(backend: str) -> None:
    """100,000 int32 values: 400 KB, beyond a core's 32 KB and the 65,535 of a local array."""
    a = np.arange(100_000, dtype=np.int32) % 1000
    sums = offload(strided_scale)(shared(a), 2)
    assert sum(sums) == int((np.arange(100_000) % 1000).sum())
    assert a.tolist() == [2 * (v % 1000) for v in range(100_000)]


def test_two_dimensional_rows_are_views_into_dram(backend: str) -> None:
    m = np.zeros((4, 3), dtype=np.int32)
    got = offload(rows_mark)(shared(m))
    assert got[0] == ((4, 3), 4)
    expected = np.zeros((4, 3), dtype=np.int32)
    for r in range(12):
        expected[r % 4, r // 4] = r + 1
    assert m.tolist() == expected.tolist()


def test_bool_and_converted_dtypes(backend: str) -> None:
    flags = np.zeros(16, dtype=bool)
    offload(write_then_read)(shared(flags))
    assert flags.tolist() == [True] * 16
    wide = np.zeros(20, dtype=np.int64)  # converted to int32 for the launch, written back
    got = offload(write_then_read)(shared(wide))
    assert [g[0] for g in got] == [r * 10 + 1 for r in range(16)]
    assert wide.dtype == np.int64 and wide[:16].tolist() == [r * 10 + 1 for r in range(16)]


def test_a_core_reads_its_own_write_and_others_after_a_barrier(backend: str) -> None:
    a = np.zeros(16, dtype=np.int32)
    assert [g[0] for g in offload(write_then_read)(shared(a))] == [r * 10 + 1 for r in range(16)]
    b = np.zeros(16, dtype=np.int32)
    # After sync() each core reads its neighbour's write: the host-threads e-hal and the
    # simulator make it visible; docs/arrays.md says what the chip guarantees.
    assert offload(neighbour_after_sync)(shared(b)) == [(r + 1) % 16 + 1 for r in range(16)]


def test_slices_iteration_and_builtins_read_dram(backend: str) -> None:
    a = np.arange(8, dtype=np.float32)
    got = offload(target=3)(slice_and_loop)(shared(a))
    assert got == ([2.0, 3.0, 4.0, 5.0], 28.0, 28.0, True)


@pytest.mark.parametrize("kernel", [returns_it, returns_a_row, sends_it])
def test_a_shared_array_cannot_leave_a_core(backend: str, kernel) -> None:
    a = np.zeros((2, 2), dtype=np.float32)
    with pytest.raises(KernelError) as info:
        offload(target=[0, 1])(kernel)(shared(a))
    assert info.value.message == protocol.SHARED_ENCODE_MESSAGE  # the same on both backends
    assert isinstance(info.value, TypeError) and info.value.core == 0


def test_without_the_decorator_it_is_the_callers_array() -> None:
    a = np.arange(5, dtype=np.int32)
    view = shared(a)
    assert isinstance(view, SharedArray) and np.shares_memory(view, a)
    assert strided_scale(view, 2) == 10  # CPython: coreid() == 0, numcores() == 1
    assert a.tolist() == [0, 2, 4, 6, 8]
    assert repr(view).startswith("shared(")
    assert type(view + 1) is np.ndarray


def test_what_shared_refuses(backend: str) -> None:
    with pytest.raises(TypeError, match="numpy array"):
        shared([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1-D or 2-D"):
        shared(np.zeros((2, 2, 2)))
    with pytest.raises(TypeError, match="argument of its own"):
        offload(returns_it)([shared(np.zeros(3, np.int32))])
    big = np.zeros(protocol.SHARED_ARRAYS_BYTES // 8 + 1, dtype=np.float32)
    with pytest.raises(MemoryError, match="returns_it.*'a'.*bytes"):
        offload(returns_it)(shared(np.concatenate([big, big])))


def test_dram_traffic_is_in_the_cycles_and_the_profile() -> None:
    """On the simulator every element read is a blocking load over the eLink (hundreds of
    cycles: shared/hardware/epiphany.md) and every store a write to DRAM."""
    a = np.arange(64, dtype=np.int32)
    local = offload(target=0)(strided_scale)
    with profile() as prof:
        local(a.copy(), 2)
    with profile() as dram:
        local(shared(a), 2)
    extra = dram.cores[0].cycles - prof.cores[0].cycles
    assert extra > 64 * 400  # 64 loads from DRAM, each a round trip over the eLink
    assert dram.cores[0].cycles_by_kind["dram"] > prof.cores[0].cycles_by_kind["dram"] + 64 * 400
    elink = sum(x.bytes for x in dram.links if x.network == "elink")
    assert elink >= sum(x.bytes for x in prof.links if x.network == "elink") + 2 * 64 * 4


def test_both_engines_count_the_same_dram_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference engine (the spec) and the JIT yield at the same points and read the same
    elements: the same results, instructions, compute cycles and bytes over the eLink."""
    seen = []
    for engine in ("reference", "jit"):
        monkeypatch.setenv("ESIM_ENGINE", engine)
        a = np.arange(300, dtype=np.float32)
        with profile() as prof:
            got = offload(auto=4)(slice_and_loop)(shared(a))
            sums = offload(auto=4)(strided_scale)(shared(a), 2)
        seen.append((got, sums, a.tolist(),
                     [(c.instructions, c.cycles_by_kind["compute"]) for c in prof.cores],
                     sum(x.bytes for x in prof.links if x.network == "elink")))
    assert seen[0] == seen[1]


def test_the_stencil_example_matches_numpy(backend: str, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """examples/stencil.py (heat diffusion streamed from DRAM) checks itself against numpy."""
    example = Path(__file__).resolve().parents[1] / "examples" / "stencil.py"
    monkeypatch.setattr(sys, "argv", [str(example), "--cells", "700", "--steps", "2"])
    runpy.run_path(str(example), run_name="__main__")
    assert "700 cells, 2 steps: identical to numpy float32" in capsys.readouterr().out
