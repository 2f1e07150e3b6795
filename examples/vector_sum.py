"""Sum a million float32 values on the 16 cores, each core summing its own block (split()).

``split(v)`` gives each core of the launch its own contiguous block of ``v`` (the blocks of
``numpy.array_split``), so the data is divided among the cores instead of copied to each.  A
core has about 15 KB for user data, room for some 3,500 float32 values next to the kernel, so
16 cores hold about 56,000 values per launch: the host sends the million values in chunks of
48,000 (3,000 per core), one launch per chunk, and adds the 16 partial sums of each.

The values are multiples of 1/4 below 250, so every partial sum (at most 3,000 of them) is
exact in float32 and the total can be checked exactly against numpy in float64.

Run: ``python examples/vector_sum.py`` (simulator) or ``EPYTHON_BACKEND=device python
examples/vector_sum.py``; it prints the total, the wall time and the chip time of the
launches (simulated on the simulator; docs/arrays.md).
"""

import time

import numpy as np

from epython import offload, split

N = 1_000_000
PER_CORE = 3000
CORES = 16


@offload(async_=True)
def block_sum(v):
    s = 0.0
    for x in v:
        s += x
    return s


def vector_sum(values: np.ndarray) -> tuple[float, float | None]:
    """The sum of ``values`` and the chip time it took (None if the backend does not know)."""
    total = 0.0
    chip_seconds: float | None = 0.0
    chunk = PER_CORE * CORES
    for start in range(0, len(values), chunk):
        handle = block_sum(split(values[start:start + chunk]))
        total += sum(handle.wait())
        seconds = handle.seconds
        chip_seconds = None if seconds is None or chip_seconds is None else chip_seconds + seconds
    return total, chip_seconds


if __name__ == "__main__":
    values = (np.arange(N) % 1000 * 0.25).astype(np.float32)
    t0 = time.perf_counter()
    total, chip_seconds = vector_sum(values)
    wall = time.perf_counter() - t0
    expected = float(values.astype(np.float64).sum())
    assert total == expected, (total, expected)
    launches = -(-N // (PER_CORE * CORES))
    print(f"sum of {N} float32 values: {total} (numpy: {expected}), {launches} launches")
    print(f"wall time {wall:.2f} s" + ("" if chip_seconds is None else
                                       f", launches {chip_seconds * 1e3:.1f} ms of chip time "
                                       "(simulated, or as the device backend measured it)"))
