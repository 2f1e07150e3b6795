"""Kernels that allocate: growing lists and strings, garbage, nested containers (the engines'
memory sweep runs the "sweep" cases over many workspace sizes)."""
from __future__ import annotations

from tests.kernels.case import register


def grow_list(n):
    xs = []
    for i in range(n):
        xs.append(i)
    return len(xs)


def garbage_strings(n):
    s = ""
    for i in range(n):
        s = str(i)
    return s


def long_string(n):
    s = ""
    for i in range(n):
        s = s + "abcdefgh"
    return len(s)


def nested_lists(n):
    grid = []
    for i in range(n):
        row = []
        for j in range(n):
            row.append((i, j, f"{i}{j}"))
        grid.append(row)
    out = []
    for row in grid:
        for cell in row:
            out.append(cell[2])
    return len(out), out[-1]


def garbage_strings_bang(n):
    s = ""
    for i in range(n):
        s = str(i) + "!"
    return s


# --- the cases --------------------------------------------------------------------------------
register(grow_list, (50,), (100,), tags="cpython memory lists")
register(grow_list, (400,), tags="cpython memory lists sweep")
register(garbage_strings, (40,), tags="cpython memory strings")
register(garbage_strings, (300,), tags="cpython memory strings sweep")
register(long_string, (30,), (10,), tags="cpython memory strings")
register(long_string, (200,), tags="cpython memory strings sweep")
register(nested_lists, (4,), tags="cpython memory lists tuples strings")
register(nested_lists, (12,), tags="cpython memory lists tuples strings sweep")
register(garbage_strings_bang, (3000,), tags="cpython memory strings")
