"""The benchmark kernels (benchmarks/suite.py times them against CPython; the corpus runs them
at small sizes).

Communicating kernels degrade gracefully under plain CPython (``numcores() == 1``): the
exchange is skipped, so the CPython column times their computation only.
"""
from __future__ import annotations

import numpy as np

from epython.parallel import bcast, coreid, numcores, recv, reduce, send, sendrecv
from tests.kernels.case import register


def int_loops(n):
    """Nested integer loops with arithmetic and branches."""
    s = 0
    for i in range(n):
        for j in range(50):
            if (i + j) % 3 == 0:
                s += i * j % 7
            else:
                s -= 1
    return s


def poly_f32(n):
    """float32 arithmetic: a polynomial evaluated on a grid (Horner)."""
    acc = 0.0
    x = -1.0
    step = 2.0 / n
    for i in range(n):
        acc += ((0.5 * x - 1.25) * x + 0.75) * x - 0.125
        x += step
    return acc


def monte_carlo_pi(n):
    """Monte Carlo pi with the kernel's own LCG (the ZX81's: products fit in int32)."""
    seed = 12345 + coreid()
    inside = 0
    for _ in range(n):
        seed = (seed * 75 + 74) % 65537
        x = seed / 65537.0
        seed = (seed * 75 + 74) % 65537
        y = seed / 65537.0
        if x * x + y * y <= 1.0:
            inside += 1
    return 4.0 * inside / n


def jacobi(cells, iters):
    """1-D Jacobi sweep; halo exchange with both neighbours through sendrecv (even/odd phases)."""
    me = coreid()
    p = numcores()
    u = [0.0] * (cells + 2)
    for i in range(1, cells + 1):
        u[i] = float((me * cells + i) % 17)
    for _ in range(iters):
        if p > 1:
            if me % 2 == 0:
                u[cells + 1] = sendrecv(u[cells], (me + 1) % p)
                u[0] = sendrecv(u[1], (me - 1) % p)
            else:
                u[0] = sendrecv(u[1], (me - 1) % p)
                u[cells + 1] = sendrecv(u[cells], (me + 1) % p)
        else:
            u[0] = u[cells]
            u[cells + 1] = u[1]
        new = [0.0] * (cells + 2)
        for i in range(1, cells + 1):
            new[i] = 0.5 * u[i] + 0.25 * (u[i - 1] + u[i + 1])
        u = new
    total = 0.0
    for i in range(1, cells + 1):
        total += u[i]
    return total


def matvec(a, x, y, reps):
    """Matrix-vector product over numpy arguments (rows of a 2-D float32 array)."""
    n = a.shape[0]
    k = a.shape[1]
    for _ in range(reps):
        for i in range(n):
            row = a[i]
            acc = 0.0
            for j in range(k):
                acc += row[j] * x[j]
            y[i] = acc
    return y[0]


def ring(rounds, work):
    """A token passed around the ring of cores, with some work per hop."""
    me = coreid()
    p = numcores()
    v = me
    for _ in range(rounds):
        t = 0
        for j in range(work):
            t += (v + j) % 5
        if p > 1:
            send(v + t, (me + 1) % p)
            v = recv((me - 1) % p)
        else:
            v = v + t
    return v


def reduce_bcast(rounds, work):
    """Collectives: a local computation, a sum reduction and a broadcast per round."""
    me = coreid()
    total = 0
    for r in range(rounds):
        t = 0
        for j in range(work):
            t += (me * j + r) % 7
        total += reduce(t, "sum")
        total += bcast(total % 1000, r % numcores())
    return total


def trivial():
    """The launch-overhead kernel."""
    return 1


# --- the cases --------------------------------------------------------------------------------
def matvec_args(n: int, k: int, reps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The arguments of :func:`matvec`: an n x k matrix, a vector of k, an output of n."""
    a = (np.arange(n * k, dtype=np.float32).reshape(n, k) % 7) / np.float32(7)
    x = np.linspace(-1, 1, k, dtype=np.float32)
    return (a, x, np.zeros(n, dtype=np.float32), reps)


register(int_loops, (30,), tags="cpython bench ints control")
register(int_loops, (5,), tags="bench ints control", cores=16)
register(poly_f32, (200,), tags="bench floats")
register(monte_carlo_pi, (100,), tags="cpython bench floats")
register(matvec, matvec_args(4, 4, 1), tags="cpython bench arrays floats")
register(jacobi, (4, 3), (6, 4), tags="bench comm floats lists", cores=16)
register(ring, (3, 5), tags="bench comm", cores=16)
register(reduce_bcast, (3, 5), tags="bench comm", cores=16)
register(trivial, tags="cpython bench")
