"""1-D Jacobi relaxation with halo exchange between neighbouring cores.

The classic first Epiphany program: solve the 1-D Laplace equation u'' = 0 on a rod whose two
ends are held at fixed temperatures, by Jacobi iteration

    u_new[i] = 0.5 * (u[i - 1] + u[i + 1])        for every interior point i

The rod (a float32 numpy array of N points) is split into 16 equal chunks, one per core.  Each
core keeps its chunk in a local list with one extra "halo" cell at each end holding its
neighbours' boundary values.  After every sweep, neighbouring cores swap their edge values with
``sendrecv`` (the halo exchange), and every ``CHECK_EVERY`` sweeps the cores compute a global
residual (the sum of squared updates) with ``reduce(..., "sum")``.

At the end each core writes its chunk back into the array argument; the host sees every core's
part once the launch ends.  The result is compared with the same iteration done by numpy.
"""

import numpy as np

from epython import offload
from epython.parallel import coreid, numcores, reduce, sendrecv

N = 512             # points on the rod (32 per core); the whole array is 2 KB per core
ITERATIONS = 500    # Jacobi sweeps
CHECK_EVERY = 100   # compute the global residual every so many sweeps
LEFT, RIGHT = 1.0, 0.0  # fixed boundary temperatures


@offload
def jacobi(u, iterations, check_every):
    me = coreid()
    p = numcores()
    n = len(u) // p                 # points per core
    start = me * n
    # Local copy of my chunk with a halo cell at each end: local[1..n] are my points.
    local = [0.0] * (n + 2)
    for i in range(n):
        local[i + 1] = u[start + i]
    new = [0.0] * (n + 2)
    # The first and last points of the rod are fixed (boundary conditions).
    first = 2 if me == 0 else 1
    last = n - 1 if me == p - 1 else n
    residual = 0.0
    for it in range(iterations):
        # Halo exchange: my first point goes west, my last point goes east, and I receive the
        # neighbours' edge points into my halo cells.  sendrecv pairs a send with a receive.
        if me > 0:
            local[0] = sendrecv(local[1], me - 1)
        if me < p - 1:
            local[n + 1] = sendrecv(local[n], me + 1)
        # One Jacobi sweep over my interior points.
        sq = 0.0
        for i in range(first, last + 1):
            v = 0.5 * (local[i - 1] + local[i + 1])
            d = v - local[i]
            sq += d * d
            new[i] = v
        for i in range(first, last + 1):
            local[i] = new[i]
        # Global residual (every core gets the sum) every check_every sweeps.
        if (it + 1) % check_every == 0:
            residual = reduce(sq, "sum")
            if me == 0:
                print(f"sweep {it + 1}: residual {residual:.3e}")
    for i in range(n):
        u[start + i] = local[i + 1]
    return residual


def reference(u0, iterations):
    """The same iteration in numpy float32 (boundary points fixed)."""
    u = u0.copy()
    for _ in range(iterations):
        v = u.copy()
        v[1:-1] = np.float32(0.5) * (u[:-2] + u[2:])
        last_sq = float(np.sum((v - u).astype(np.float64) ** 2))
        u = v
    return u, last_sq


u0 = np.zeros(N, dtype=np.float32)
u0[0], u0[-1] = LEFT, RIGHT
u = u0.copy()
residuals = jacobi(u, ITERATIONS, CHECK_EVERY)   # u is updated in place
expected, expected_residual = reference(u0, ITERATIONS)

print("first points:", np.round(u[:8], 4))
print(f"final residual {residuals[0]:.4e} (numpy {expected_residual:.4e})")

# Every core got the same residual from reduce().
assert len(set(residuals)) == 1
# Each update is one float32 addition and an exact halving, so the values match numpy's float32
# computation; we still allow a small tolerance, because float32 rounding could differ in the
# last bit if the operations were reordered.  The residual is a sum over all points done in a
# different order (per core, then across cores, in float32) than numpy's float64 sum, so it is
# compared with a relative tolerance.
assert np.allclose(u, expected, rtol=1e-5, atol=1e-6), np.max(np.abs(u - expected))
assert abs(residuals[0] - expected_residual) <= 1e-3 * expected_residual + 1e-12
print(f"OK: Jacobi on {N} points x {ITERATIONS} sweeps matches numpy "
      f"(max abs difference {np.max(np.abs(u - expected)):.1e})")
