"""Sweeps over chips x arguments: locally and on a Dask cluster, with equal rows."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from epython import offload
from epython.parallel import coreid, numcores, reduce
from esim.sweep import SweepRow, sweep


@offload
def spread(n):
    s = 0
    for i in range(n * coreid()):
        s += i % 7
    return reduce(s, "sum") + numcores()


ARGS = [(1,), (5,)]


def test_sweep_rows_follow_chips_times_args() -> None:
    with ThreadPoolExecutor(2) as pool:
        rows = sweep(spread, ARGS, chips=("e16", "2x2"), executor=pool, progress=False)
    assert [(r.chip, r.args) for r in rows] == [("e16", (1,)), ("e16", (5,)), ("2x2", (1,)),
                                                 ("2x2", (5,))]
    assert all(isinstance(r, SweepRow) for r in rows)
    assert len(rows[0].results) == 16 and len(rows[2].results) == 4
    assert rows[1].max_cycles > rows[0].max_cycles and rows[0].seconds > 0
    for row in rows:
        cores = len(row.results)
        expected = sum(i % 7 for c in range(cores) for i in range(row.args[0] * c)) + cores
        assert row.results == [expected] * cores and not row.errors


def test_local_process_pool_is_the_default_and_deterministic() -> None:
    seen: list[int] = []
    first = sweep(spread, ARGS, progress=seen.append)
    assert seen == [1, 2]
    with ThreadPoolExecutor(1) as pool:
        assert sweep(spread, ARGS, executor=pool, progress=False) == first


def test_unknown_chip_is_refused_before_running() -> None:
    with pytest.raises(ValueError, match="unknown chip 'e17'"):
        sweep(spread, ARGS, chips=("e17",), progress=False)


def test_plain_function_is_refused_with_a_hint() -> None:
    with pytest.raises(TypeError, match="decorate the function with @offload"):
        sweep(spread.__wrapped__, ARGS, progress=False)


def test_dask_cluster_gives_the_same_rows_as_the_local_sweep() -> None:
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    local = sweep(spread, ARGS, chips=("e16", "2x2"), progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = sweep(spread, ARGS, chips=("e16", "2x2"), executor=client.get_executor(),
                       progress=False)
    assert remote == local
