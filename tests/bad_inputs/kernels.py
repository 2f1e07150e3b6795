"""Kernels of the bad-input corpus: each fails in one documented way (line marked ``# FAIL``)."""
# ruff: noqa: F841
from __future__ import annotations

import math

from epython.parallel import coreid, numcores, recv, reduce, send, sync


def div_zero(a):
    return a // 0  # FAIL


def mod_zero(a):
    return a % 0  # FAIL


def true_div_zero(a):
    return a / 0  # FAIL


def float_div_zero(a):
    return 1.5 / (a - a)  # FAIL


def add_overflow(a):
    return a + 2147483647  # FAIL


def mul_overflow(a):
    return a * 1000000 * 1000000  # FAIL


def neg_min(a):
    x = -2147483647 - a
    return -x  # FAIL


def abs_min(a):
    x = -2147483647 - a
    return abs(x)  # FAIL


def floordiv_min(a):
    x = -2147483647 - a
    return x // -1  # FAIL


def shift_overflow(a):
    return a << 31  # FAIL


def negative_shift(a):
    return a >> -1  # FAIL


def pow_overflow(a):
    return (a + 1) ** 40  # FAIL


def index_list(a):
    xs = [1, 2, 3]
    return xs[a + 5]  # FAIL


def index_negative(a):
    xs = [1, 2, 3]
    return xs[-4 * a]  # FAIL


def index_str(a):
    return "abc"[a + 10]  # FAIL


def index_array(arr):
    return arr[len(arr)]  # FAIL


def store_index(a):
    xs = [0] * 3
    xs[a + 3] = 1  # FAIL
    return xs


def pop_empty(a):
    xs = []
    return xs.pop()  # FAIL


def add_str_int(a):
    return "x" + a  # FAIL


def compare_str_int(a):
    return "x" < a  # FAIL


def call_len_int(a):
    return len(a)  # FAIL


def iterate_int(a):
    for x in a:  # FAIL
        pass
    return 0


def subscript_int(a):
    return a[0]  # FAIL


def assert_false(a):
    assert a > 5, "a must exceed 5"  # FAIL
    return a


def raise_value(a):
    raise ValueError("bad value " + str(a))  # FAIL


def raise_runtime(a):
    raise RuntimeError("stop")  # FAIL


def unpack_wrong(a):
    x, y = (a, a, a)  # FAIL
    return x


def int_of_str(a):
    return int("x" + str(a))  # FAIL


def int_of_nan(a):
    return int(float(a) * math.inf * 0.0)  # FAIL


def sqrt_negative(a):
    return math.sqrt(-1.0 * a)  # FAIL


def log_zero(a):
    return math.log(a - a)  # FAIL


def range_zero_step(a):
    return [i for i in range(0, 10, a - a)]  # FAIL


def min_empty(a):
    return min([])  # FAIL


def unbound_local(a):
    if a > 100:
        y = 1
    return y  # FAIL


def recursion(a):
    return recursion(a + 1)  # FAIL


def memory_list(a):
    xs = []
    while True:
        xs.append(a)  # FAIL


def memory_string(a):
    s = "x"
    while True:
        s = s + s  # FAIL


def send_outside(a):
    send(a, numcores() + 3)  # FAIL
    return 0


def recv_type(a):
    return recv("core")  # FAIL


def reduce_bad_op(a):
    return reduce(a, "mean")  # FAIL


def deadlock_recv(a):
    return recv((coreid() + 1) % numcores())  # FAIL


def deadlock_barrier(a):
    if coreid() == 0:
        return 0
    sync()  # FAIL
    return 1


def deadlock_large_send(arr):
    send(arr, (coreid() + 1) % numcores())  # FAIL
    return recv((coreid() - 1) % numcores())
