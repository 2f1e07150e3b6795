"""Matrix-vector product y = A @ x over numpy arrays, rows split across the 16 cores.

The host passes three numpy arrays: the float32 matrix ``A`` (ROWS x COLS), the vector ``x``
and the output vector ``y``.  Every core receives the arguments, computes the dot products of
its own block of rows with ``x`` and stores them in ``y``.  Changes to array arguments are
copied back to the host's arrays when the launch ends (only the elements a core changed, in
core order), so after the call ``y`` holds the whole product.  Each core also returns how many
rows it did and its share of the checksum sum(y), which the host adds up.

Each core gets its own copy of the arguments in its 32 KB of local memory (about 11 KB of it is
for user data), so the matrix is kept to 1536 float32 values (6 KB).

The result is compared with numpy's ``A @ x``.  A kernel float is IEEE binary32 and every
multiplication and addition is rounded to float32, as numpy's float32 arithmetic is, but numpy
(BLAS) sums the products in a different order, so the two can differ in the last bits: the
comparison uses a relative tolerance of a few float32 ulps times the row length.
"""

import numpy as np

from epython import offload
from epython.parallel import coreid, numcores

ROWS, COLS = 48, 32     # 3 rows per core


@offload
def matvec(a, x, y):
    rows, cols = a.shape
    p = numcores()
    per_core = (rows + p - 1) // p
    first = min(coreid() * per_core, rows)     # cores past the last row get no rows
    last = min(first + per_core, rows)
    partial = 0.0
    for i in range(first, last):
        s = 0.0
        for j in range(cols):
            s += a[i, j] * x[j]
        y[i] = s
        partial += s
    return last - first, partial


rng = np.random.default_rng(1)
A = rng.standard_normal((ROWS, COLS)).astype(np.float32)
x = rng.standard_normal(COLS).astype(np.float32)
y = np.zeros(ROWS, dtype=np.float32)

results = matvec(A, x, y)
print("rows per core:", [r for r, _ in results])
print("y[:6] =", np.round(y[:6], 4))

expected = A @ x
# The same sums in the kernel's order, in float32, are reproduced exactly:
sequential = np.zeros(ROWS, dtype=np.float32)
for i in range(ROWS):
    s = np.float32(0.0)
    for j in range(COLS):
        s = np.float32(s + A[i, j] * x[j])
    sequential[i] = s

assert sum(r for r, _ in results) == ROWS
assert np.array_equal(y, sequential), "kernel float32 arithmetic differs from numpy float32"
assert np.allclose(y, expected, rtol=1e-5, atol=COLS * 4 * np.finfo(np.float32).eps), \
    np.max(np.abs(y - expected))
checksum = sum(float(s) for _, s in results)
assert abs(checksum - float(expected.sum())) < 1e-3 * (1 + abs(float(expected.sum())))
print(f"OK: {ROWS}x{COLS} float32 matvec on {len(results)} cores matches numpy "
      f"(max abs difference to A @ x {np.max(np.abs(y - expected)):.1e}, "
      f"bit-identical to the sequential float32 sum)")
