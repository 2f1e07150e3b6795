"""Stress: 500 overlapping async launches with random waits and random failing kernels."""

from __future__ import annotations

import random
import threading

import pytest

from epython import KernelError, offload
from epython.parallel import coreid


def maybe_fail(x, fail_on):
    s = 0
    for i in range(x % 7):
        s += i
    if coreid() == fail_on:
        return 1 // 0
    return x * 100 + coreid()


def test_500_overlapping_launches_lose_nothing(backend: str) -> None:
    rng = random.Random(2026)
    kernel = offload(async_=True)(maybe_fail)
    threads_before = set(threading.enumerate())
    live: list[tuple[object, int, list[int], int]] = []
    checked = 0

    def finish(entry: tuple[object, int, list[int], int]) -> None:
        handle, x, cores, fail_on = entry
        seen: dict[int, object] = {}
        mode = rng.choice(["wait", "wait_any", "mixed"])
        if mode != "wait":
            for _ in range(len(cores) if mode == "wait_any" else rng.randint(0, len(cores))):
                try:
                    core, value = handle.wait_any(timeout=60)  # type: ignore[attr-defined]
                    seen[core] = value
                except ZeroDivisionError as exc:
                    assert isinstance(exc, KernelError) and exc.core == fail_on
                    seen[exc.core] = "failed"
        try:
            values = handle.wait(timeout=60)  # type: ignore[attr-defined]
            assert fail_on not in cores
            assert values == [x * 100 + c for c in cores]
        except ZeroDivisionError as exc:
            assert exc.core == fail_on  # type: ignore[attr-defined]
            for c in cores:
                if c != fail_on:
                    assert handle.result(c) == x * 100 + c  # type: ignore[attr-defined]
        for core, value in seen.items():
            assert value == ("failed" if core == fail_on else x * 100 + core)

    for x in range(500):
        cores = sorted(rng.sample(range(16), rng.randint(1, 4)))
        fail_on = rng.choice(cores) if rng.random() < 0.3 else -1
        live.append((kernel(x, fail_on, target=cores), x, cores, fail_on))
        if rng.random() < 0.1:
            live[-1][0].test()  # type: ignore[attr-defined]
        while len(live) > rng.randint(0, 24):
            finish(live.pop(rng.randrange(len(live))))
            checked += 1
    while live:
        finish(live.pop())
        checked += 1
    assert checked == 500
    leaked = [t for t in set(threading.enumerate()) - threads_before if t.is_alive()]
    for t in leaked:
        t.join(timeout=5)
    assert not [t for t in leaked if t.is_alive()]


@pytest.mark.parametrize("n", [3])
def test_queued_launches_run_in_order_on_busy_cores(backend: str, n: int) -> None:
    kernel = offload(async_=True)(maybe_fail)
    handles = [kernel(i, -1, target=[5]) for i in range(n)]
    order = []
    for h in reversed(handles):  # waiting on the last first still gets everything
        order.append(h.wait())
        # each launch was queued behind the previous one: once it is done, so are they
        assert all(earlier.test() for earlier in handles[:handles.index(h)])
    assert order == [[(n - 1 - i) * 100 + 5] for i in range(n)]
    if backend == "sim":  # simulated time: all issued at one cycle, each ends after the previous
        ends = [h.seconds for h in handles]
        assert ends[0] < ends[1] < ends[2]
