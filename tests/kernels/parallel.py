"""Kernels of epython.parallel: one core's view of the collectives, rings, collectives over the
chip, arrays and large values as messages, channels, probe."""
from __future__ import annotations

import numpy as np

from epython.parallel import bcast, coreid, numcores, probe, recv, reduce, send, sendrecv, sync
from tests.kernels.case import register


def single_core_parallel(a):
    sync()
    return coreid(), numcores(), bcast(a, 0), reduce(a, "sum"), reduce(a, "max")


def ring_increment(n):
    me = coreid()
    p = numcores()
    v = me
    for _ in range(n):
        send(v, (me + 1) % p)
        v = recv((me - 1) % p) + 1
    return v


def collectives(n):
    me = coreid()
    total = 0
    for i in range(n):
        total += reduce(me + i, "sum")
        total += bcast(me * i, i % numcores())
    sync()
    print(me, total)
    return total


def ring_collectives(x):
    me = coreid()
    n = numcores()
    send(me * 10 + x, (me + 1) % n)
    got = recv((me - 1) % n)
    total = reduce(got, "sum")
    top = reduce(float(me), "max")
    low = reduce(me, "min")
    prod = reduce(me % 3 + 1, "prod")
    b = bcast([me, "root"], 0)
    sync()
    print("core", me, got, total, top, low, prod, b)
    return total


def ring_array(data):
    me = coreid()
    n = numcores()
    if me % 2 == 0:
        send(data, (me + 1) % n)
        got = recv((me - 1) % n)
    else:
        got = recv((me - 1) % n)
        send(data, (me + 1) % n)
    got[0] = me
    return len(got), got[0], got.shape


def big_message(n):
    me = coreid()
    if me == 0:
        xs = []
        for i in range(n):
            xs.append((i, str(i)))
        send(xs, 1)
        return 0
    if me == 1:
        v = recv(0)
        return len(v), v[-1]
    return -1


def channels(x):
    me = coreid()
    if me == 0:
        send("first", 1)
        v = bcast(42, 0)
    else:
        v = bcast(0, 0)
        print(recv(0))
    return v, sendrecv(me, me ^ 1)


def probe_then_recv(x):
    me = coreid()
    if me == 1:
        send(7, 0)
        sync()
        return 0
    sync()
    return probe(1), recv(1), probe(1)


# --- the cases --------------------------------------------------------------------------------
register(single_core_parallel, (6,), tags="cpython comm ints tuples")
register(ring_increment, (5,), tags="comm", cores=16)
register(collectives, (3,), tags="comm print", cores=16)
register(ring_collectives, (1,), tags="comm print", cores=4)
register(ring_collectives, (3,), tags="comm print", cores=16)
register(ring_array, (np.arange(100, dtype=np.int32),), tags="comm arrays", cores=4)
register(ring_array, (np.arange(12, dtype=np.float32).reshape(3, 4),), tags="comm arrays", cores=2)
register(big_message, (40,), tags="comm lists", cores=3)
register(channels, (0,), tags="comm print", cores=2)
register(probe_then_recv, (0,), tags="comm", cores=2)
