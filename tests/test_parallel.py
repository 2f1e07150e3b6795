"""The parallel module on the simulator: messages, collectives, barriers, deadlock reports."""

from __future__ import annotations

import numpy as np
import pytest

from epython import DeadlockError, offload
from epython.parallel import bcast, coreid, numcores, probe, recv, reduce, send, sendrecv, sync


def ring_shift():
    me = coreid()
    n = numcores()
    send(me * 10, (me + 1) % n)  # eager: returns before the matching recv
    return recv((me - 1) % n)


def ring_array(data):
    me = coreid()
    n = numcores()
    if me % 2 == 0:  # large values rendezvous: alternate the order to avoid a deadlock
        send(data, (me + 1) % n)
        got = recv((me - 1) % n)
    else:
        got = recv((me - 1) % n)
        send(data, (me + 1) % n)
    return len(got)


def ring_array_naive(data):
    me = coreid()
    n = numcores()
    send(data, (me + 1) % n)  # too large to be eager: every core waits for its receiver
    return len(recv((me - 1) % n))


def exchange():
    me = coreid()
    peer = me ^ 1
    return sendrecv(me, peer)


def collectives(x):
    me = coreid()
    total = reduce(me, "sum")
    biggest = reduce(me * x, "max")
    smallest = reduce(me - 3, "min")
    root_value = bcast(me + 100, 5)
    sync()
    return (total, biggest, smallest, root_value)


def probe_then_recv():
    me = coreid()
    if me == 0:
        send(42, 1)
        return 0
    if me == 1:
        while not probe(0):
            pass
        return recv(0)
    return -1


def deadlocks():
    return recv((coreid() + 1) % numcores())


def test_ring_shift_gives_each_core_its_west_neighbour() -> None:
    assert offload(ring_shift)() == [((c - 1) % 16) * 10 for c in range(16)]


def test_sendrecv_pairs_exchange_values() -> None:
    assert offload(exchange)() == [c ^ 1 for c in range(16)]


def test_reduce_bcast_and_barrier_give_mpi_results() -> None:
    results = offload(collectives)(2)
    assert results == [(120, 30, -3, 105)] * 16


def test_probe_sees_a_waiting_message() -> None:
    assert offload(probe_then_recv)(target=[0, 1]) == [0, 42]


def send_to_two():
    send(1, 2)
    return 0


def test_send_to_a_core_outside_the_launch_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"core 2 is not part of this launch \(cores \[0, 1\]\)"):
        offload(send_to_two)(target=[0, 1])


def test_large_sends_in_a_ring_deadlock_as_documented() -> None:
    with pytest.raises(DeadlockError, match=r"core 0 waits for core 1 to receive its message \(send\)"):
        offload(ring_array_naive)(np.zeros(64, dtype=np.float32))


def test_small_values_are_eager_and_large_ones_wait() -> None:
    from epython.bytecode import protocol

    assert protocol.eager_bytes(16) == 56


def test_deadlock_is_reported_with_every_blocked_core() -> None:
    with pytest.raises(DeadlockError, match=r"(?s)core 0 waits for a message from core 1 \(recv\).*core 15 waits"):
        offload(deadlocks)()


def test_ring_time_grows_roughly_linearly_with_message_size(backend: str) -> None:
    if backend != "sim":
        pytest.skip("a timing-model property: the host e-hal's cycle counts are host time")
    kernel = offload(async_=True)(ring_array)
    times = {}
    for n in (64, 256, 1024):
        handle = kernel(np.zeros(n, dtype=np.float32))
        assert handle.wait() == [n] * 16
        times[n] = max(handle.cycles)
    assert times[64] < times[256] < times[1024]
    # four times the bytes: between 2x and 6x the time (fixed costs dilute small messages)
    ratio = (times[1024] - times[256]) / (times[256] - times[64])
    assert 2.0 < ratio < 6.0, times


def test_cores_are_usable_after_a_deadlock() -> None:
    with pytest.raises(DeadlockError):
        offload(deadlocks)()
    assert offload(ring_shift)() == [((c - 1) % 16) * 10 for c in range(16)]


def partial_deadlock():
    if coreid() == 0:
        return recv(1)
    return coreid()


def test_deadlock_of_some_cores_keeps_the_finished_results() -> None:
    handle = offload(async_=True)(partial_deadlock)()
    with pytest.raises(DeadlockError, match=r"core 0 waits for a message from core 1 \(recv\)"):
        handle.wait()
    assert handle.result(5) == 5


def all_to_all():
    me = coreid()
    n = numcores()
    for peer in range(n):
        if peer != me:
            send(me * 100 + peer, peer)
    got = []
    for peer in range(n):
        if peer != me:
            got.append(recv(peer))
    return sum(got)


def test_all_to_all_exchange() -> None:
    expected = [sum(p * 100 + c for p in range(16) if p != c) for c in range(16)]
    assert offload(all_to_all)() == expected


def barrier_phases():
    me = coreid()
    total = 0
    for phase in range(3):
        total += reduce(me + phase, "sum")
        sync()
    return total


def test_barriers_between_phases() -> None:
    assert offload(barrier_phases)() == [sum(range(16)) * 3 + 16 * 3] * 16


def bcast_list():
    data = [coreid(), "from", 3.5] if coreid() == 7 else None
    return bcast(data, 7)


def test_bcast_of_a_list_from_a_generated_root() -> None:
    assert offload(bcast_list)() == [[7, "from", 3.5]] * 16


def reduce_ops(x):
    return reduce(x + coreid(), "sum"), reduce(x + coreid(), "min"), \
        reduce(x + coreid(), "max"), reduce(1 + coreid() % 3, "prod")


def test_reduce_with_each_op() -> None:
    prod = 1
    for c in range(16):
        prod *= 1 + c % 3
    assert offload(reduce_ops)(2) == [(2 * 16 + 120, 2, 17, prod)] * 16


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")


def rank_sum():
    return reduce(coreid(), "sum")


def test_launches_on_different_core_sets_agree_on_their_messages(backend: str) -> None:
    """Cores with different launch histories take part in one launch: the launch's messages
    carry one epoch on every core (the device numbered launches per core, so cores 0-1 after
    two launches and cores 2-3 after none ignored each other's messages and deadlocked)."""
    kernel = offload(rank_sum)
    assert kernel(target=[0, 1]) == [1, 1]
    assert kernel(target=[0, 1]) == [1, 1]
    assert kernel(target=[0, 1, 2, 3], timeout=30) == [6] * 4
    assert kernel(target=[3, 5]) == [8, 8]  # coreid() is the chip core id
    assert kernel(timeout=30) == [120] * 16
