"""Parallel sort: local insertion sort, then odd-even transposition (merge-split) between cores.

The int32 array is split into equal chunks, one per core (16 on the E16 chip).

1. Each core copies its chunk into a list and sorts it with insertion sort (written out here:
   ``list.sort`` and ``sorted`` are not part of the kernel language).
2. Odd-even transposition over the cores: in each phase the cores pair up with a neighbour
   (even phases: pairs 0-1, 2-3, ...; odd phases: pairs 1-2, 3-4, ...), swap whole sorted
   chunks with ``send``/``recv`` (a chunk is larger than the eager message size, so the two
   cores of a pair must not both send first), merge them, and the lower core keeps the smaller
   half, the upper core the larger half.  After as many phases as there are cores, the chunks
   are globally sorted.
3. Each core writes its chunk back into the array argument; the host sees the sorted array.

The result is compared with Python's ``sorted()``.
"""

import numpy as np

from epython import offload
from epython.parallel import coreid, numcores, recv, send

N = 1024            # 64 values per core (the 4 KB array is copied to every core)


def insertion_sort(xs):
    for i in range(1, len(xs)):
        v = xs[i]
        j = i - 1
        while j >= 0 and xs[j] > v:
            xs[j + 1] = xs[j]
            j -= 1
        xs[j + 1] = v


def merge_keep(mine, theirs, keep_low):
    """Merge two sorted lists of equal length and keep the lower or the upper half."""
    n = len(mine)
    out = [0] * n
    if keep_low:
        i = j = 0
        for k in range(n):                      # the n smallest, from the front
            if j >= n or (i < n and mine[i] <= theirs[j]):
                out[k] = mine[i]
                i += 1
            else:
                out[k] = theirs[j]
                j += 1
    else:
        i = j = n - 1
        for k in range(n - 1, -1, -1):          # the n largest, from the back
            if j < 0 or (i >= 0 and mine[i] > theirs[j]):
                out[k] = mine[i]
                i -= 1
            else:
                out[k] = theirs[j]
                j -= 1
    return out


@offload
def parallel_sort(a):
    me = coreid()
    p = numcores()
    n = len(a) // p
    start = me * n
    chunk = [a[start + i] for i in range(n)]
    insertion_sort(chunk)
    for phase in range(p):
        # Even phases pair (0,1), (2,3), ...; odd phases pair (1,2), (3,4), ...
        if (me + phase) % 2 == 0:
            partner = me + 1
        else:
            partner = me - 1
        if 0 <= partner < p:
            # A chunk is larger than the eager message size, so send() waits until the
            # partner has received it: the lower core sends first, the upper core receives
            # first, and the pair never waits on each other.  (sendrecv(chunk, partner) is
            # meant for exactly this, but currently deadlocks on values this large.)
            if me < partner:
                send(chunk, partner)
                theirs = recv(partner)
            else:
                theirs = recv(partner)
                send(chunk, partner)
            chunk = merge_keep(chunk, theirs, me < partner)
    for i in range(n):
        a[start + i] = chunk[i]
    return chunk[0], chunk[n - 1]       # this core's smallest and largest value


rng = np.random.default_rng(7)
data = rng.integers(-1000, 1000, size=N, dtype=np.int32)
original = data.tolist()

ranges = parallel_sort(data)        # sorts data in place
print("per-core (min, max):", ranges[:4], "...", ranges[-1])
print("sorted head:", data[:10].tolist(), "tail:", data[-5:].tolist())

assert data.tolist() == sorted(original)
# The chunks are in order: each core's largest value <= the next core's smallest.
assert all(ranges[c][1] <= ranges[c + 1][0] for c in range(len(ranges) - 1))
print(f"OK: {N} int32 values sorted on {len(ranges)} cores, equal to sorted()")
