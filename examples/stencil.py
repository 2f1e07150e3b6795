"""Heat diffusion along a rod, streamed through the cores from shared DRAM with shared().

The rod's N temperatures live in shared DRAM, one copy for all cores (``epython.shared``, see
docs/arrays.md).  Each time step is one launch: core k updates cells of its contiguous part of
the rod, reading them from ``u`` and writing the new values into ``v``, a block of BLOCK cells
at a time: one slice of ``u`` (a local list: BLOCK + 2 loads from DRAM), then BLOCK stores into
``v``.  The host swaps ``u`` and ``v`` between steps; the end of a launch is the barrier.

The kernel's arithmetic is binary32, as numpy's float32, in the same order, so the host checks
the result exactly.  With ``--profile`` the last step runs under ``epython.profile()`` and the
report shows the eLink and DRAM traffic (docs/profiling.md has one).

    python examples/stencil.py [--cells N] [--steps S] [--profile]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from epython import offload, profile, shared
from epython.parallel import coreid, numcores

ALPHA = 0.25     # diffusion number (stable below 0.5)
BLOCK = 128      # cells per slice read from DRAM


@offload
def diffuse(u, v):
    """One explicit step v[i] = u[i] + ALPHA * (u[i-1] - 2 u[i] + u[i+1]); the ends are held."""
    n = len(u)
    per = (n + numcores() - 1) // numcores()
    lo = max(coreid() * per, 1)
    hi = min(coreid() * per + per, n - 1)
    if coreid() == 0:
        v[0] = u[0]
    if coreid() == numcores() - 1:
        v[n - 1] = u[n - 1]
    start = lo
    while start < hi:
        stop = min(start + BLOCK, hi)
        cells = u[start - 1:stop + 1]   # one read of the block and its two neighbours
        for k in range(1, stop - start + 1):
            left = cells[k - 1]
            mid = cells[k]
            v[start + k - 1] = mid + ALPHA * (left - 2.0 * mid + cells[k + 1])
        start = stop
    return hi - lo


def reference(u: np.ndarray, steps: int) -> np.ndarray:
    """The same steps in numpy float32 (same operations, same order)."""
    u = u.copy()
    alpha = np.float32(ALPHA)
    for _ in range(steps):
        v = u.copy()
        v[1:-1] = u[1:-1] + alpha * (u[:-2] - np.float32(2.0) * u[1:-1] + u[2:])
        u = v
    return u


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=8192)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="profile the last step")
    opts = parser.parse_args()
    rod = np.zeros(opts.cells, dtype=np.float32)
    rod[opts.cells // 2] = 1000.0   # a hot spot in the middle
    rod[0] = 100.0
    u, v = rod.copy(), rod.copy()
    started = time.perf_counter()
    chip = 0.0
    for step in range(opts.steps):
        if opts.profile and step == opts.steps - 1:
            with profile() as prof:
                handle = diffuse.launch(shared(u), shared(v))
                handle.wait()
            print(prof.report())
        else:
            handle = diffuse.launch(shared(u), shared(v))
            handle.wait()
        chip += handle.seconds or 0.0
        u, v = v, u
    wall = time.perf_counter() - started
    expected = reference(rod, opts.steps)
    assert np.array_equal(u, expected), "the kernel's rod differs from numpy's"
    print(f"{opts.cells} cells, {opts.steps} steps: identical to numpy float32; "
          f"wall {wall:.2f} s, chip {chip * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
