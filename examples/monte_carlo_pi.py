"""Monte Carlo estimate of pi, one random stream per core, combined with reduce().

Every core throws SAMPLES random darts at the unit square and counts those that land inside the
quarter circle; ``reduce(hits, "sum")`` adds the counts of the 16 cores and pi is about
4 * hits / darts.

Kernel integers are 32-bit and an overflow raises OverflowError instead of wrapping (see
docs/language.md), so the usual C generator ``x = x * 1103515245 + 12345`` cannot be written
directly: the product does not fit in int32.  This example uses the Park-Miller "minimal
standard" generator x = 16807 * x mod (2**31 - 1) computed with Schrage's method, which keeps
every intermediate value inside int32.  The dart test is done in integers too (15-bit
coordinates, x*x + y*y < 2**30 never exceeds 2**31 - 1), so the count is exact and the host can
check it by running the very same helper function under CPython.

The end of the script shows what happens with the naive generator: OverflowError, raised on the
host as both ``epython.KernelError`` and the built-in OverflowError.
"""

from epython import KernelError, offload
from epython.parallel import coreid, reduce

SAMPLES = 20000         # darts per core
SEED = 2024

M = 2147483647          # 2**31 - 1, the Park-Miller modulus
A = 16807
Q = M // A              # 127773: Schrage's method, M = A * Q + R
R = M % A               # 2836


def next_random(x):
    """x -> 16807 * x mod (2**31 - 1) without any intermediate value leaving int32."""
    x = A * (x % Q) - R * (x // Q)
    if x <= 0:
        x += M
    return x


def count_hits(seed, samples):
    """Darts inside the quarter circle for one random stream (runs on a core or in CPython)."""
    x = seed
    hits = 0
    for _ in range(samples):
        x = next_random(x)
        px = x >> 16            # 15-bit coordinates in 0..32767
        x = next_random(x)
        py = x >> 16
        if px * px + py * py < 1073741824:      # 32768**2 = 2**30
            hits += 1
    return hits


def stream_seed(core):
    """A distinct, non-zero seed per core."""
    return (SEED + 7919 * (core + 1)) % M


@offload
def estimate_pi(samples):
    hits = count_hits(stream_seed(coreid()), samples)
    total = reduce(hits, "sum")         # every core gets the sum of all cores' hits
    return hits, total


results = estimate_pi(SAMPLES)
per_core = [h for h, _ in results]
total = results[0][1]
darts = SAMPLES * len(results)
pi = 4.0 * total / darts
print("hits per core:", per_core)
print(f"pi ~= {pi:.4f} from {darts} darts on {len(results)} cores (error {abs(pi - 3.14159265):.4f})")

# Check: the same streams under plain CPython give exactly the same counts.
expected = [count_hits(stream_seed(c), SAMPLES) for c in range(len(results))]
assert per_core == expected, (per_core, expected)
assert all(t == sum(expected) for _, t in results)
assert abs(pi - 3.14159265) < 0.05


# The naive C generator overflows int32: the kernel raises OverflowError, and the host gets it
# as an exception that is both KernelError and OverflowError, naming the core and the line.
@offload(target=0)
def naive_lcg(x):
    for _ in range(10):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF   # C would wrap; int32 does not
    return x


try:
    naive_lcg(12345)
    raise SystemExit("expected an OverflowError from the naive generator")
except OverflowError as exc:
    assert isinstance(exc, KernelError)
    print(f"naive LCG: OverflowError on core {exc.core} at line {exc.lineno}: "
          f"{exc.source_line.strip()}")
print("OK: Monte Carlo counts match CPython exactly")
