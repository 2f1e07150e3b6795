"""Kernels that print: separators and ends, floats in their shortest binary32 form, lines
without an end, output from helpers, long loops that print now and then."""
from __future__ import annotations

from tests.kernels.case import register


def print_formats(a):
    print(a, "text", 2.5, True, None, [1, 2], (3,), -0.0)
    print("a", "b", sep="-", end="!\n")
    print()
    return a


def print_values():
    print(1, "a", 2.5, True, None)
    return 0


def print_sep_end(n):
    print("a", "b", sep="-")
    print(n, end="")
    print("!")
    print()
    print([1, "x"], (2,))
    return n


def noisy(x):
    print("eval", x)
    return x


def print_chain_middle_once(a):
    r = 1 < noisy(a) < 3
    s = noisy(0) and noisy(1)
    t = noisy(2) or noisy(3)
    return r, s, t


def print_floats_lines_unterminated():
    print("line1\nline2")
    print(0.5, 1.0, [0.5, 2.0], (1.5,), -0.0, 1e16, 1.5e-05)
    print("no newline", end="")
    return 1


def prints(n):
    for i in range(n):
        print(i, i * 0.5, "x", sep="-", end=";" if i % 2 else "\n")
    print("done", [1, 2], (3,), None, True)
    return n


def long_loop_prints(n):
    s = 0
    for i in range(n):
        s = (s + i * 7) % 1000
        if i % 20000 == 0:
            print(i, s)
    return s


# --- the cases --------------------------------------------------------------------------------
register(print_formats, (5,), tags="cpython print")
register(print_values, tags="cpython print")
register(print_sep_end, (7,), tags="cpython print")
register(print_chain_middle_once, (2,), (5,), tags="cpython print functions")
register(print_floats_lines_unterminated, tags="cpython print floats")
register(prints, (5,), tags="cpython print floats")
register(prints, (3,), tags="print floats", cores=16)
register(long_loop_prints, (60000,), tags="cpython print control")
