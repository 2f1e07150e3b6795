"""The translating engine's entry translated for the classes of a launch's arguments (ints,
floats, bools, lists, 1-D and 2-D float32/int32 arrays: esim/cores/jit/variants.py, subscr.py),
against the reference engine: values, errors with their lines, cycles, and MemoryError at the
same points (row views of 2-D arrays are new objects)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from epython.compiler import compile_kernel
from esim.cores.jit import arg_masks, compiled
from esim.cores.jit.types import ANY, ARR_F1, ARR_F2, INT, LIST
from esim.cores.memory import from_wire, to_wire
from tests.test_jit import assert_same_direct, errors_over_workspaces


def dot_rows(a, x, y, reps):
    n = a.shape[0]
    for _ in range(reps):
        for i in range(n):
            row = a[i]
            acc = 0.0
            for j in range(len(x)):
                acc += row[j] * x[j]
            y[i] = acc
    return y[0], y[n - 1]


def int_histogram(v, bins, k):
    for i in range(len(v)):
        bins[v[i] % k] += 1
        v[i] = v[i] * 3 - 1
    return bins[0], v[len(v) - 1]


def mixed_stores(f, g, n):
    for i in range(n):
        f[i] = i  # an int into a float32 array: converted
        g[i] = 2.5 * i  # a float into an int32 array: refused
    return f[n - 1]


def out_of_bounds(a, i):
    s = 0.0
    for j in range(i):
        s += a[j]
    return s


def negative_index(a, b):
    return a[-1], b[-2][-3], b[1][-1]


def reassigned(a, n):
    t = a[0]
    a = n * 2  # the parameter is an int from here on
    return t + a, a - 1


def tuple_index(b, i):
    return b[i, 1] + b[1, i]


def rows_kept(b, n):
    keep = []
    for i in range(n):
        keep.append(b[i % 3])
    return len(keep)


def list_args(xs, words, i):
    t = 0
    for v in xs:  # a list argument: its items are not fresh
        t += v
    ys = [v * 2 for v in xs]
    s = ""
    for w in words:
        s = s + w
    xs += ys
    return t, ys[i], ys[-1], words[i % len(words)], s, xs[True], len(xs)


F1 = np.linspace(-1, 1, 9, dtype=np.float32)
I1 = np.arange(9, dtype=np.int32) - 3
F2 = np.arange(12, dtype=np.float32).reshape(3, 4) / np.float32(3)
I2 = np.arange(12, dtype=np.int32).reshape(3, 4)

CASES: list[tuple[Any, list[Any]]] = [
    (dot_rows, [F2, np.ones(4, dtype=np.float32), np.zeros(3, dtype=np.float32), 3]),
    (dot_rows, [I2, np.arange(4, dtype=np.int32), np.zeros(3, dtype=np.float32), 2]),
    (dot_rows, [F2, [1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0], 1]),  # lists: the generic paths
    (int_histogram, [I1.copy(), np.zeros(4, dtype=np.int32), 4]),
    (int_histogram, [I1.copy(), np.zeros(4, dtype=np.int32), 0]),  # modulo by zero
    (mixed_stores, [F1.copy(), I1.copy(), 3]),
    (out_of_bounds, [F1, 9]),
    (out_of_bounds, [F1, 10]),  # IndexError at the tenth read
    (out_of_bounds, [np.array([True, False, True]), 3]),  # a bool array: as any object
    (negative_index, [F1, F2]),
    (negative_index, [I1, I2]),
    (reassigned, [F1, 21]),
    (tuple_index, [F2, 2]),
    (tuple_index, [I2, 3]),  # out of bounds in axis 1
    (rows_kept, [F2, 40]),
    (list_args, [[1, 2, 3], ["a", "bc"], 1]),
    (list_args, [[1.5, 2], ["x"], 5]),  # IndexError
    (list_args, [[1], ["a"], "k"]),  # list indices must be integers
    (list_args, [[1, "b"], ["a"], 0]),  # TypeError in the sum
]


@pytest.mark.parametrize(("fn", "args"), CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_array_arguments_agree(fn: Any, args: list[Any]) -> None:
    assert_same_direct(fn, args)


def test_row_views_meet_memory_errors_at_the_same_points() -> None:
    assert errors_over_workspaces(rows_kept, [F2, 60], range(200, 3000, 97))
    assert errors_over_workspaces(list_args, [list(range(30)), ["ab"] * 9, 3],
                                  range(200, 3000, 89))


def test_the_entry_is_translated_for_its_arguments() -> None:
    """Array arguments: the subscripts take the array path alone; other arguments: one
    translation serves them all (None), the generic one."""
    program = compile_kernel(dot_rows).program
    args = [from_wire(to_wire(a)) for a in CASES[0][1]]
    masks = arg_masks(args)
    assert masks == (ARR_F2, ARR_F1, ARR_F1, INT)
    generic = compiled(program, None).source.count("is list")
    assert compiled(program, masks).source.count("is list") * 5 < generic
    assert arg_masks([from_wire(to_wire("s")), from_wire(to_wire([1]))]) == (ANY, LIST)
    assert arg_masks([from_wire(to_wire("s"))]) is None
    assert compiled(program, masks) is compiled(program, masks)
    assert compiled(program, None) is not compiled(program, masks)
