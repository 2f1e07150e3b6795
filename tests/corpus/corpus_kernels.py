"""The language corpus: kernels that must give CPython's result (docs/language.md).

Each entry of CASES is (kernel, args).  tests/test_corpus.py runs every kernel on one core of
the simulator (and on every other available backend) and compares with the undecorated function
under CPython; float results are compared with CPython's value rounded to binary32 where a
single rounding makes that exact, else with the float32 reference noted in the kernel.
"""
# ruff: noqa: E731
from __future__ import annotations

import math

import numpy as np

from epython.parallel import bcast, coreid, numcores, reduce, sync

LIMIT = 7
NAMES = ("ab", "cd")


# --- integers and operators ---------------------------------------------------------------
def int_floor_ops(a, b):
    return a // b, a % b, -a // b, -a % b, a // -b, a % -b


def int_bitwise(a, b):
    return a & b, a | b, a ^ b, ~a, a << 3, a >> 2, -a >> 1


def int_pow(a, b):
    return a ** 2, b ** 3, 2 ** -1, 0 ** 0, (-2) ** 3


def bool_arith(a):
    return True + True, True * a, a + False, (a > 2) + (a > 3)


def chained_compare(a, b, c):
    return a < b < c, a < b > c, a == a < b, 1 <= a <= 10


def and_or_operands(a, b):
    return a and b, a or b, 0 or b, a and 0, None or "x", "" and 5


def conditional_expr(a):
    return "big" if a > 10 else "small" if a > 5 else "tiny"


def not_and_in(a):
    xs = [1, 2, 3]
    return not a, a in xs, a not in xs, "b" in "abc", (1, 2) in [(1, 2)]


def abs_min_max(a, b):
    return abs(-a), min(a, b), max(a, b, 3), min([4, 2, 9]), max((1, 8, 3))


def int_conversions(a):
    return int(7.9), int(-2.7), int(True), int("42"), bool(0), bool(a), float(a)


def round_half_even(a):
    return round(2.5), round(3.5), round(-2.5), round(a + 0.5), round(7, -1)


def sum_builtin(a):
    return sum([1, 2, 3]), sum(range(a)), sum((4, 5), 10)


# --- floats (inputs and results exactly representable in binary32) -------------------------
def float_ops(x, y):
    return x + y, x - y, x * y, x / y


def float_floor_mod(x, y):
    return x // y, x % y, -x // y, -x % y


def float_compare(x, y):
    return x < y, x == 0.5, x != y, -0.0 == 0.0, math.inf > x


def float_math(x):
    return math.sqrt(x), math.floor(x), math.ceil(x), math.fabs(-x), math.floor(-x)


def float_str(x):
    return str(x), str(1.0), str(-0.0), str(0.5), f"{x:.2f}", f"{x:8.3f}|"


# --- control flow --------------------------------------------------------------------------
def if_elif_else(a):
    if a < 0:
        return "neg"
    elif a == 0:
        return "zero"
    elif a < 10:
        return "small"
    else:
        return "big"


def while_else(n):
    i = 0
    while i < n:
        i += 1
    else:
        i += 100
    return i


def while_break_skips_else(n):
    i = 0
    while True:
        i += 1
        if i >= n:
            break
    else:
        i = -1
    return i


def for_else(xs):
    for x in xs:
        if x < 0:
            break
    else:
        return "no negatives"
    return "found"


def continue_loop(n):
    total = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        total += i
    return total


def nested_loops(n):
    count = 0
    for i in range(n):
        for j in range(i):
            if (i + j) % 2:
                count += j
            else:
                count -= 1
    return count


def loop_variable_survives(n):
    for i in range(n):
        pass
    return i


def range_forms(a):
    return ([x for x in range(a)], [x for x in range(2, a)], [x for x in range(a, 0, -2)],
            [x for x in range(10, 0)])


def enumerate_zip(xs):
    out = []
    for i, x in enumerate(xs, 1):
        out.append(i * x)
    pairs = []
    for a, b in zip(xs, out):
        pairs.append(a + b)
    return out, pairs


# --- functions -------------------------------------------------------------------------------
def helper_scale(x, factor=2, offset=0):
    return x * factor + offset


def keyword_defaults(a):
    return helper_scale(a), helper_scale(a, 3), helper_scale(a, offset=1), \
        helper_scale(offset=5, x=a, factor=1)


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def recursion_fib(n):
    return fib(n)


def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)


def recursion_factorial(n):
    return factorial(n)


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


# --- tuples, lists, strings ------------------------------------------------------------------
def tuple_pack_unpack(a, b):
    t = a, b, a + b
    x, y, z = t
    x, y = y, x
    return t, x, y, z, len(t), t[-1], t[1:]


def list_basics(n):
    xs = [0] * n
    for i in range(n):
        xs[i] = i * i
    xs.append(99)
    last = xs.pop()
    first = xs.pop(0)
    return xs, last, first, len(xs), xs[-1], xs[-2]


def list_slices(a):
    xs = [1, 2, 3, 4, 5, 6]
    return xs[1:4], xs[:a], xs[a:], xs[::2], xs[::-1], xs[5:1], xs[-2:], xs[10:]


def list_repeat_negative(a):
    return [0] * -3, [1, 2] * a, "ab" * a, (1,) * 2


def list_aliasing(a):
    x = [[0] * 2] * 2
    x[0][0] = a
    y = x[1]
    return x, y[0]


def list_concat_copy(a):
    xs = [1, 2]
    ys = xs.copy()
    ys.append(a)
    return xs + ys, xs, ys


def list_comprehension_if(n):
    return [i * i for i in range(n) if i % 2 == 1], [c for c in "hello" if c != "l"]


def list_of_tuples(n):
    pts = [(i, i * i) for i in range(n)]
    total = 0
    for x, y in pts:
        total += x * y
    return pts[-1], total


def list_equality(a):
    return [1, 2] == [1, 2], [1, 2] < [1, 3], (1, 2) != (1, 2), [a] == [a], [] == ()


def string_ops(a):
    s = "ab" + "cd"
    return s, len(s), s[1], s[-1], s[1:3], s == "abcd", s != "x", s < "abd", str(a) + "!"


def string_iteration(s):
    count = 0
    for ch in s:
        if ch == "a":
            count += 1
    return count, [ch for ch in s][::-1]


def fstrings(a, x):
    return f"a={a}", f"{a:5d}|", f"{a:<4}|", f"{x:.3f}", f"{'s'!r}", f"{[a, 1]}", f"{None}"


def str_of_values(a):
    return str(None), str(True), str([1, "a"]), str((1,)), str((a, "b")), str(12)


def print_formats(a):
    print(a, "text", 2.5, True, None, [1, 2], (3,), -0.0)
    print("a", "b", sep="-", end="!\n")
    print()
    return a


# --- arrays ----------------------------------------------------------------------------------
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


def list_argument(xs):
    return sum(xs), max(xs), sorted_copy(xs)


def sorted_copy(xs):
    ys = xs.copy()
    for i in range(1, len(ys)):
        key = ys[i]
        j = i - 1
        while j >= 0 and ys[j] > key:
            ys[j + 1] = ys[j]
            j -= 1
        ys[j + 1] = key
    return ys


# --- the parallel module, single-core semantics ---------------------------------------------
def single_core_parallel(a):
    sync()
    return coreid(), numcores(), bcast(a, 0), reduce(a, "sum"), reduce(a, "max")


def gcd_loop(a, b):
    while b:
        a, b = b, a % b
    return a


def primes(n):
    found = []
    for k in range(2, n):
        is_prime = True
        for d in found:
            if d * d > k:
                break
            if k % d == 0:
                is_prime = False
                break
        if is_prime:
            found.append(k)
    return found


def collatz_steps(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def bubble(xs):
    ys = list_copy(xs)
    n = len(ys)
    for i in range(n):
        for j in range(n - 1 - i):
            if ys[j] > ys[j + 1]:
                ys[j], ys[j + 1] = ys[j + 1], ys[j]
    return ys


def list_copy(xs):
    return [x for x in xs]


def matrix_mult(n):
    a = [[i + j for j in range(n)] for i in range(n)]
    b = [[i * j for j in range(n)] for i in range(n)]
    c = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            s = 0
            for k in range(n):
                s += a[i][k] * b[k][j]
            c[i][j] = s
    return c


def assert_passes(a):
    assert a > 0, "positive"
    assert a
    return a


def unpack_in_for(n):
    total = 0
    for a, (b, c) in [(1, (2, 3)), (4, (5, 6))]:
        total += a * b - c
    return total + n


def augmented_subscript(n):
    xs = [1, 2, 3]
    xs[1] += n
    xs[-1] *= 2
    m = [[1, 2], [3, 4]]
    m[1][0] -= n
    return xs, m


def shortest_float_repr(x):
    return str(0.1 + 0.2 * x), str(1 / 3), str(1e-5), str(1e16), str(123456.0)


I32 = np.arange(6, dtype=np.int32)
F32 = np.array([0.5, 1.5, -2.0, 4.0], dtype=np.float32)
M = np.arange(6, dtype=np.int32).reshape(2, 3)

CASES = [
    (int_floor_ops, (7, 2)), (int_floor_ops, (9, 4)), (int_bitwise, (12, 10)),
    (int_bitwise, (-5, 3)), (int_pow, (3, 4)), (bool_arith, (3,)), (chained_compare, (1, 2, 3)),
    (chained_compare, (3, 2, 1)), (and_or_operands, (0, 5)), (and_or_operands, (3, 4)),
    (conditional_expr, (12,)), (conditional_expr, (7,)), (conditional_expr, (1,)),
    (not_and_in, (2,)), (not_and_in, (9,)), (abs_min_max, (4, 9)), (int_conversions, (3,)),
    (round_half_even, (2,)), (sum_builtin, (5,)),
    (float_ops, (1.5, 0.25)), (float_ops, (-3.0, 8.0)), (float_floor_mod, (7.5, 2.0)),
    (float_floor_mod, (-1.25, 0.5)), (float_compare, (0.5, 1.0)), (float_math, (6.25,)),
    (float_math, (2.5,)), (float_str, (1.5,)),
    (if_elif_else, (-3,)), (if_elif_else, (0,)), (if_elif_else, (4,)), (if_elif_else, (40,)),
    (while_else, (5,)), (while_break_skips_else, (4,)), (for_else, ([1, 2],)),
    (for_else, ([1, -2],)), (continue_loop, (10,)), (nested_loops, (8,)),
    (loop_variable_survives, (5,)), (range_forms, (6,)), (enumerate_zip, ([3, 4, 5],)),
    (keyword_defaults, (4,)), (recursion_fib, (12,)), (recursion_factorial, (10,)),
    (nested_def, (3,)), (module_constants, (1,)),
    (multiple_returns, (17, 5)), (multiple_returns, (-17, 5)),
    (tuple_pack_unpack, (2, 3)), (list_basics, (5,)), (list_slices, (2,)),
    (list_repeat_negative, (2,)), (list_aliasing, (7,)), (list_concat_copy, (9,)),
    (list_comprehension_if, (7,)), (list_of_tuples, (5,)), (list_equality, (1,)),
    (string_ops, (42,)), (string_iteration, ("banana",)), (fstrings, (7, 2.5)),
    (str_of_values, (3,)), (print_formats, (5,)),
    (array_sum, (I32,)), (array_2d, (M,)), (array_in_place, (I32.copy(),)), (array_bool,
                                                                              (np.array([True, False, True]),)),
    (array_float_dot, (F32, F32)), (array_return_rows, (M,)), (list_argument, ([5, 3, 8, 1],)),
    (single_core_parallel, (6,)), (gcd_loop, (1071, 462)), (primes, (40,)), (collatz_steps, (27,)),
    (bubble, ([5, 1, 4, 2, 8],)), (matrix_mult, (4,)), (assert_passes, (3,)), (unpack_in_for, (1,)),
    (augmented_subscript, (5,)),
]
