"""Futures and asyncio on top of KernelHandle."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import threading

import pytest

from epython import offload
from epython.parallel import coreid


def work():
    c = coreid()
    s = 0
    for i in range(c * 30):
        s += i
    if c == 7:
        return 1 // 0
    return c


def test_futures_one_per_core_in_core_order_with_errors() -> None:
    handle = offload(async_=True)(work)()
    futures = handle.futures
    assert len(futures) == 16
    done, pending = cf.wait(futures, timeout=60)
    assert not pending
    assert [f.result() for i, f in enumerate(futures) if i != 7] == [c for c in range(16) if c != 7]
    with pytest.raises(ZeroDivisionError):
        futures[7].result()


def test_as_completed_yields_every_core() -> None:
    handle = offload(async_=True)(work)(target=[1, 2, 3])
    got = sorted(f.result() for f in cf.as_completed(handle.futures, timeout=60))
    assert got == [1, 2, 3]
    assert handle.wait() == [1, 2, 3]


def test_first_completed() -> None:
    handle = offload(async_=True)(work)()
    done, _ = cf.wait(handle.futures, return_when=cf.FIRST_COMPLETED, timeout=60)
    assert done


def test_await_handle_and_async_wait_any() -> None:
    kernel = offload(async_=True)(work)

    async def main() -> tuple[list[int], tuple[int, int]]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        results = await kernel(target=[0, 1, 2])
        first = await kernel(target=[4]).wait_any_async()
        task.cancel()
        assert ticks > 0  # the loop kept running while the simulator worked
        return results, first

    results, first = asyncio.run(main())
    assert results == [0, 1, 2] and first == (4, 4)


def test_no_driver_threads_left_behind() -> None:
    before = set(threading.enumerate())
    handle = offload(async_=True)(work)(target=[0, 1])
    cf.wait(handle.futures, timeout=60)
    for t in set(threading.enumerate()) - before:
        t.join(timeout=5)
        assert not t.is_alive()
