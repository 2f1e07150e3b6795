"""Kernels of functions: helpers with defaults and keywords, recursion (fib, fact, mutual),
nested definitions, module constants and globals.

The helpers come first: a kernel's helpers must be defined before it (the compiler reads them
from the module when it compiles the kernel).
"""
# ruff: noqa: F841
from __future__ import annotations

from tests.kernels.case import register

LIMIT = 7
NAMES = ("ab", "cd")
SCALE = 3


def add3(a, b=10, c=100):
    return a + b + c


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def divmod_pair(a, b):
    return a // b, a % b


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


def helper_scale(x, factor=2, offset=0):
    return x * factor + offset


def keyword_defaults(a):
    return helper_scale(a), helper_scale(a, 3), helper_scale(a, offset=1), \
        helper_scale(offset=5, x=a, factor=1)


def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)


def nested_def(a):
    def square(v):
        return v * v

    def apply_twice(v):
        return square(square(v))

    return apply_twice(a)


def module_constants(a):
    return a + LIMIT, NAMES, len(NAMES[0])


def global_counter(a):
    global LIMIT
    LIMIT = LIMIT + a
    return LIMIT


def multiple_returns(a, b):
    def divmod2(x, y):
        return x // y, x % y

    q, r = divmod2(a, b)
    return q, r, q * b + r == a


def global_constant(a):
    return a * SCALE


def helper_defaults_keywords(a):
    return add3(a), add3(a, 1), add3(a, c=1), add3(c=2, b=3, a=a)


def recursion_fib_fact(n):
    return fib(n), fact(n)


def mutual_recursion(n):
    return is_even(n), is_odd(n)


def nested_def_defaults(n):
    def square(x):
        return x * x

    def sum_squares(m, start=0):
        t = start
        for i in range(m):
            t += square(i)
        return t

    return sum_squares(n), sum_squares(n, start=5)


def return_none():
    x = 1


def multiple_return_values(a, b):
    q, r = divmod_pair(a, b)
    return q, r


def deep(n):
    if n == 0:
        return 0
    return 1 + deep(n - 1)


def helper_leaf(a, b):
    return a * b - (a if a > b else b)


def calls_leaf(n):
    t = 0
    for i in range(n):
        t = t + helper_leaf(i, 3)
    return t


def recursive_strings(n):
    if n == 0:
        return "x"
    return recursive_strings(n - 1) + str(n)


def helper_args(a, b, c):
    return three_list(c, b, a)


def three_list(x, y, z):
    return [x, y, z]


# --- the cases --------------------------------------------------------------------------------
register(fib, (12,), (22,), tags="cpython functions recursion ints")
register(factorial, (10,), tags="cpython functions recursion ints")
register(keyword_defaults, (4,), tags="cpython functions")
register(nested_def, (3,), tags="cpython functions")
register(module_constants, (1,), tags="cpython functions tuples strings")
register(multiple_returns, (17, 5), (-17, 5), tags="cpython functions tuples")
register(global_constant, (14,), tags="cpython functions")
register(helper_defaults_keywords, (1,), tags="cpython functions tuples")
register(recursion_fib_fact, (10,), (0,), tags="cpython functions recursion")
register(mutual_recursion, (7,), tags="cpython functions recursion bools")
register(nested_def_defaults, (4,), tags="cpython functions")
register(return_none, tags="cpython functions")
register(multiple_return_values, (-17, 5), tags="cpython functions tuples")
register(deep, (10,), (30,), tags="cpython functions recursion")
register(deep, (70,), (100,), tags="functions recursion")
register(deep, (60,), tags="cpython functions recursion memory sweep")
register(deep, (70,), tags="functions recursion", cores=16)
register(calls_leaf, (20,), tags="cpython functions ints")
register(is_even, (21,), tags="cpython functions recursion bools")
register(is_even, (100,), tags="functions recursion bools")
register(is_even, (60,), tags="cpython functions recursion bools memory sweep")
register(recursive_strings, (8,), tags="cpython functions recursion strings")
register(recursive_strings, (40,), tags="cpython functions recursion strings memory sweep")
register(helper_args, (1, "b", (3.5,)), tags="cpython functions lists tuples")
