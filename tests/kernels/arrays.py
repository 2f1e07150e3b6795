"""Kernels over numpy array arguments: reads, writes that travel back, 2-D indexing, rows."""
from __future__ import annotations

import numpy as np

from tests.kernels.case import register

I32 = np.arange(6, dtype=np.int32)
F32 = np.array([0.5, 1.5, -2.0, 4.0], dtype=np.float32)
M = np.arange(6, dtype=np.int32).reshape(2, 3)


def array_sum(arr):
    total = 0
    for v in arr:
        total += v
    return total, len(arr), arr.shape, arr[0], arr[-1]


def array_2d(m):
    total = 0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            total += m[i, j] * (i + 1)
    return total, m.shape, len(m), m[1][0]


def array_in_place(arr):
    for i in range(len(arr)):
        arr[i] = arr[i] * 2 + 1
    return arr


def array_bool(b):
    return [i for i, v in enumerate(b) if v], len(b)


def array_float_dot(x, y):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * y[i]
    return s


def array_return_rows(m):
    out = []
    for row in m:
        out.append(sum(row))
    return out


def arrays_write(v, m):
    s = 0.0
    for i in range(len(v)):
        v[i] = v[i] * 2.0 + 1
        s += v[i]
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] = m[i, j] + i - j
    row = m[1]
    row[0] = 7
    return s, v[-1], m[0, 0], len(row), m.shape, row[0]


def matvec_once(a, x, y):
    n = a.shape[0]
    k = a.shape[1]
    for i in range(n):
        acc = 0.0
        row = a[i]
        for j in range(k):
            acc += row[j] * x[j]
        y[i] = acc
    return y[0]


def arrays_printed(a):
    print(a, a.shape, len(a), a[0], a[-1], a[1:3])
    a[0] = 99
    a[1] = 2.9
    total = 0
    for v in a:
        total += v
    return total, a


def arrays_2d_printed(m):
    print(m, m.shape, m[1], m[1, 2], m[0][1])
    m[1, 1] = 7.5
    r = m[0]
    r[0] = -1
    s = 0.0
    for row in m:
        for v in row:
            s += v
    return s, m, r


def bool_array_store(b):
    b[0] = 0
    b[1] = 2.5
    return b, b[2]


# --- the cases --------------------------------------------------------------------------------
register(array_sum, (I32,), tags="cpython arrays")
register(array_2d, (M,), tags="cpython arrays")
register(array_in_place, (I32.copy(),), tags="cpython arrays")
register(array_bool, (np.array([True, False, True]),), tags="cpython arrays bools")
register(array_float_dot, (F32, F32), tags="cpython arrays floats")
register(array_return_rows, (M,), tags="cpython arrays lists")
register(arrays_write, (np.arange(6, dtype=np.float32), np.arange(12, dtype=np.int32).reshape(3, 4)),
         tags="cpython arrays floats")
register(arrays_write, (np.arange(6, dtype=np.float32), np.arange(12, dtype=np.int32).reshape(3, 4)),
         tags="cpython arrays floats memory sweep")
register(matvec_once, (np.ones((4, 5), dtype=np.float32), np.arange(5, dtype=np.float32),
                       np.zeros(4, dtype=np.float32)), tags="cpython arrays floats")
register(arrays_printed, (np.arange(5, dtype=np.int32),), (np.linspace(0, 1, 4).astype(np.float32),),
         tags="arrays print")
register(arrays_2d_printed, (np.arange(6, dtype=np.float32).reshape(2, 3),), tags="arrays floats print")
register(bool_array_store, (np.array([True, False, True]),), tags="cpython arrays bools")
