"""Monte Carlo estimate of pi, one random stream per core, combined with reduce().

Every core throws SAMPLES random darts at the unit square and counts those that land inside the
quarter circle; ``reduce(hits, "sum")`` adds the counts of the 16 cores and pi is about
4 * hits / darts.

Kernels have ``random`` (docs/language.md, "Random numbers"): one generator, the same numbers to
the bit on the simulator and on the chip; each core seeds its own stream with ``seed(SEED +
coreid())``.  The darts have 15-bit integer coordinates, so the test x*x + y*y < 2**30 is exact
and the host can check every core's count with the generator's specification,
``esim.cores.rng``.  (The undecorated function would run CPython's own ``random``, a different
generator: the estimate, not the counts, would agree.)

The end of the script shows why kernels need their own generator: the usual C generator
``x = x * 1103515245 + 12345`` overflows int32, and the kernel raises OverflowError (on the host
both ``epython.KernelError`` and the built-in OverflowError).
"""

import random

from epython import KernelError, offload
from epython.parallel import coreid, reduce
from esim.cores.rng import Rng, mix32

SAMPLES = 20000         # darts per core
SEED = 2024


@offload
def estimate_pi(samples):
    random.seed(SEED + coreid())
    hits = 0
    for _ in range(samples):
        px = random.randrange(32768)        # 15-bit coordinates in 0..32767
        py = random.randrange(32768)
        if px * px + py * py < 1073741824:  # 32768**2 = 2**30
            hits += 1
    total = reduce(hits, "sum")             # every core gets the sum of all cores' hits
    return hits, total


def expected_hits(core, samples):
    """The same darts from the generator's specification (esim/cores/rng.py), on the host."""
    rng = Rng(core)
    rng.state = mix32(SEED + core)          # what seed(SEED + core) does
    hits = 0
    for _ in range(samples):
        px, py = rng.below(32768), rng.below(32768)
        hits += px * px + py * py < 1073741824
    return hits


results = estimate_pi(SAMPLES)
per_core = [h for h, _ in results]
total = results[0][1]
darts = SAMPLES * len(results)
pi = 4.0 * total / darts
print("hits per core:", per_core)
print(f"pi ~= {pi:.4f} from {darts} darts on {len(results)} cores (error {abs(pi - 3.14159265):.4f})")

# Check: the generator's specification gives exactly the same counts on the host.
expected = [expected_hits(c, SAMPLES) for c in range(len(results))]
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
print("OK: Monte Carlo counts match the generator's specification exactly")
