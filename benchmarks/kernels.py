"""Benchmark kernels: plain Python functions, run both undecorated (CPython) and offloaded.

They are cases of the test corpus (tests/kernels/bench.py, tag "bench"; ``fib`` is the corpus's
own, tests/kernels/functions.py), named here for benchmarks/suite.py.  Communicating kernels
degrade gracefully under plain CPython (``numcores() == 1``): the exchange is skipped, so the
CPython column times their computation only.
"""

from tests.kernels.bench import (
    int_loops,
    jacobi,
    matvec,
    monte_carlo_pi,
    poly_f32,
    reduce_bcast,
    ring,
    trivial,
)
from tests.kernels.functions import fib

__all__ = ["fib", "int_loops", "jacobi", "matvec", "monte_carlo_pi", "poly_f32", "reduce_bcast",
           "ring", "trivial"]
