"""Parallel prefix sum (inclusive scan) of an int32 array across the 16 cores.

The textbook three-step scan:

1. Each core scans its own chunk locally (running sum) and notes its chunk total.
2. The cores compute an *exclusive* scan of the chunk totals, i.e. the sum of all chunks to
   their left, with messages.  This uses the Hillis-Steele doubling scheme: in round k every
   core sends its running value to the core 2**k places to its right and adds what it receives
   from the core 2**k places to its left, so 16 cores need only log2(16) = 4 rounds instead of
   15 hops of a chain.  The values are single ints, which are sent eagerly, so "send right,
   then receive from the left" cannot deadlock.
3. Each core adds that offset to its chunk and writes it back into the array argument.

``split(values)`` gives each core its own chunk of the array (docs/arrays.md); the scanned
chunks come back into ``values``, each to its place.

The result is compared with ``numpy.cumsum``.
"""

import numpy as np

from epython import offload, split
from epython.parallel import coreid, numcores, recv, send

N = 16 * 40             # 40 values per core


@offload
def prefix_sum(a):              # a: this core's chunk (split() below)
    me = coreid()
    p = numcores()
    # 1. local inclusive scan
    running = 0
    for i in range(len(a)):
        running += a[i]
        a[i] = running
    total = running
    # 2. inclusive scan of the chunk totals over the cores (Hillis-Steele), in log2(p) rounds
    scan = total
    step = 1
    while step < p:
        if me + step < p:
            send(scan, me + step)
        if me - step >= 0:
            scan += recv(me - step)
        step *= 2
    offset = scan - total       # exclusive: the sum of the chunks to my left
    # 3. shift my chunk by the offset
    for i in range(len(a)):
        a[i] += offset
    return offset


rng = np.random.default_rng(3)
data = rng.integers(-50, 100, size=N, dtype=np.int32)
expected = np.cumsum(data)

values = data.copy()
offsets = prefix_sum(split(values))  # each core its chunk; values is scanned in place
print("chunk offsets:", offsets)
print("scan head:", values[:8].tolist(), "... last:", int(values[-1]))

assert values.tolist() == expected.tolist()
per_core = N // len(offsets)
assert offsets == [int(expected[c * per_core - 1]) if c else 0 for c in range(len(offsets))]
print(f"OK: prefix sum of {N} int32 values on {len(offsets)} cores equals numpy.cumsum")
