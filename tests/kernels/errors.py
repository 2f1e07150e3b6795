"""Kernels that fail: each raises one built-in class at the line marked ``# FAIL`` (runtime
errors, "errors" cases) or leaves the launch deadlocked ("deadlock" cases).

``message`` is a regex the error's text matches; the "cpython" tag says that CPython raises the
same class for the undecorated function.
"""
# ruff: noqa: F821, F841
from __future__ import annotations

import math
import random
import re
from random import choice, randint

import numpy as np

from epython.errors import DeadlockError
from epython.parallel import coreid, numcores, recv, reduce, send, sync
from tests.kernels.case import register

ARR = np.arange(5, dtype=np.int32)


def floordiv_zero(a, b):
    x = a + 1
    return a // b  # FAIL


def mod_by_arg_zero(a, b):
    return a % b  # FAIL


def truediv_zero(a, b):
    y = 1
    z = a / b  # FAIL
    return z


def float_div_by_literal_zero(a):
    return a / 0.0  # FAIL


def index_error(n):
    v = [1, 2, 3]
    return v[n]  # FAIL


def index_error_negative():
    v = [1, 2, 3]
    return v[-4]  # FAIL


def pop_from_empty():
    v = []
    return v.pop()  # FAIL


def string_index(s):
    return s[10]  # FAIL


def overflow_add(a):
    return a + 1  # FAIL


def overflow_abs():
    x = -2147483647 - 1
    return abs(x)  # FAIL


def overflow_mul(a):
    return a * a  # FAIL


def overflow_neg():
    x = -2147483647 - 1
    return -x  # FAIL


def overflow_floordiv():
    x = -2147483647 - 1
    return x // -1  # FAIL


def overflow_shift():
    return 1 << 31  # FAIL


def overflow_pow():
    return 2 ** 31  # FAIL


def shift_by_negative_arg(n):
    return 1 << n  # FAIL


def type_int_plus_str(a):
    return a + "a"  # FAIL


def type_str_plus_int(s):
    return s + 1  # FAIL


def type_index_str(v):
    return v["x"]  # FAIL


def type_len_int(a):
    return len(a)  # FAIL


def assert_message(a):
    assert a > 0, "a must be positive"  # FAIL
    return a


def assert_plain(a):
    assert a == 1  # FAIL
    return a


def raise_value_error(a):
    if a > 0:
        raise ValueError("msg")  # FAIL
    return a


def raise_runtime_error():
    raise RuntimeError("boom")  # FAIL


def raise_bare_class():
    raise NotImplementedError  # FAIL


def unbound_local_if_false(a):
    if a > 0:
        y = 1
    return y  # FAIL


def unbound_local_read_before_assign(a):
    b = c + a  # FAIL
    c = 3
    return b


def failing_helper(a, b):
    t = a + b
    return t // b  # FAIL


def helper_error(a):
    q = failing_helper(a, 0)
    return q


def int_of_bad_string(s):
    return int(s)  # FAIL


def math_domain(x):
    return math.sqrt(x)  # FAIL


def math_log_zero(x):
    return math.log(x)  # FAIL


def error_in_loop(n):
    s = 0
    for i in range(n):
        s += 10 // (3 - i)  # FAIL
    return s


def zero_pow_negative():
    return 0 ** -1  # FAIL


def float_mod_zero(a):
    return a % 0.0  # FAIL


def float_neg_frac_pow(a):
    return a ** 0.5  # FAIL


def list_index_assign(n):
    v = [0] * 3
    v[n] = 1  # FAIL
    return v


def unpack_count():
    a, b = [1, 2, 3]  # FAIL
    return a


def nested_def_error(n):
    def inner(x):
        return 10 // x  # FAIL

    return inner(n)


def comprehension_error(n):
    return [10 // x for x in range(n)]  # FAIL


def while_condition_error(n):
    i = 3
    while 10 // (i - n) > 0:  # FAIL
        i -= 1
    return i


def third_pop(n):
    v = [1, 2]
    for i in range(n):
        if i > 1:
            v.pop()
            v.pop()
            v.pop()  # FAIL
    return v


def conditional_branch_error(n):
    return n if n > 0 else 1 // n  # FAIL


def compare_int_str(a):
    return a < "a"  # FAIL


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


def overflow_mid_block(n):
    x = 1
    for i in range(n):
        x = x * 3 + 1  # FAIL
    return x


def shift_by_30(a):
    return a << 30  # FAIL


def unbound(flag):
    if flag:
        y = 1
    return y  # FAIL


def raises(n):
    if n > 3:
        raise ValueError("too big")
    assert n > 0, "must be positive"
    return n


def type_error(a):
    return a + "x"  # FAIL


def compare_error(a):
    return a < "x"  # FAIL


def zero_div(a):
    return 1 // a  # FAIL


def pow_overflow_20(a):
    return a ** 20  # FAIL


def assert_too_small(a):
    assert a > 5, "too small"  # FAIL
    return a


def raise_if_true(a):
    if a:
        raise ValueError("bad value " + str(a))  # FAIL
    return 0


def bad_int_format(a):
    return f"{a:.2d}"  # FAIL


def send_outside_launch(a):
    send(1, 5)  # FAIL


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



# the errors of the list methods and of random, with the messages the kernels give
def remove_missing():
    a = [1, 2]
    a.remove(3)  # FAIL
    return a

def index_missing():
    return [1, 2].index(3)  # FAIL

def insert_by_float():
    a = [1]
    a.insert(0.5, 2)  # FAIL
    return a

def extend_by_int():
    a = [1]
    a.extend(3)  # FAIL
    return a

def tuple_index_missing():
    return (1, 2).index(3)  # FAIL

def tuple_append():
    t = (1, 2)
    t.append(3)  # FAIL
    return t

def insert_past_memory():
    a = []
    for i in range(100000):
        a.insert(0, i)  # FAIL
    return len(a)

def empty_randint():
    return randint(3, 2)  # FAIL

def zero_step():
    return random.randrange(0, 10, 0)  # FAIL

def empty_range():
    return random.randrange(5, 5)  # FAIL

def float_bound():
    return random.randrange(2.5)  # FAIL

def empty_choice():
    return choice([])  # FAIL

def shuffle_tuple():
    random.shuffle((1, 2))  # FAIL
    return 0


# --- the cases --------------------------------------------------------------------------------
ZDE = ZeroDivisionError
OVERFLOW = "does not fit in int32"

#: (kernel, arguments, class, message regex or None, tags besides "errors")
def list_of_an_int(n):
    return list(n)  # FAIL


def dict_missing_key(n):
    d = {"a": 1, (1, "b"): 2}
    return d[(n, "b")]  # FAIL


def dict_del_missing(n):
    d = {1: 2}
    del d[n]  # FAIL


def dict_pop_missing(n):
    d = {}
    return d.pop("k" * n)  # FAIL


def dict_list_key(n):
    d = {}
    d[[n]] = 1  # FAIL


def dict_tuple_with_list_key(n):
    d = {1: 1}
    return (n, [n]) in d  # FAIL


def dict_changed_size(n):
    d = {1: 1, 2: 2}
    for k in d:  # FAIL
        d[k + n] = 0


def dict_shrunk_in_items(n):
    d = {1: 1, 2: 2, 3: 3}
    for k, v in d.items():  # FAIL
        d.pop(n)


def dict_in_comparison(n):
    return {1: n} < {2: n}  # FAIL


def dict_update_bad_item(n):
    d = {}
    d.update([(1, 2), (n,)])  # FAIL


def dict_method_of_a_list(n):
    xs = [n]
    return xs.get(0)  # FAIL


def tuple_delete(n):
    t = (n, n)
    del t[0]  # FAIL


def dict_deep_key(n):
    t = 1
    for i in range(n):
        t = (t,)
    return {t: 1}  # FAIL


def dict_past_memory():
    d = {}
    i = 0
    while True:
        d[i] = i  # FAIL
        i += 1


RAISING = [
    (floordiv_zero, (7, 0), ZDE, "integer division or modulo by zero", "cpython ints"),
    (mod_by_arg_zero, (7, 0), ZDE, "modulo by zero", "cpython ints"),
    (truediv_zero, (7, 0), ZDE, "division by zero", "cpython ints"),
    (float_div_by_literal_zero, (1.5,), ZDE, "float division by zero", "cpython floats"),
    (float_mod_zero, (1.5,), ZDE, "float modulo", "cpython floats"),
    (zero_pow_negative, (), ZDE, None, "cpython ints"),
    (error_in_loop, (5,), ZDE, None, "cpython ints control"),
    (index_error, (3,), IndexError, None, "cpython lists"),
    (index_error, (-4,), IndexError, None, "cpython lists"),
    (index_error, (7,), IndexError, None, "cpython lists"),
    (index_error_negative, (), IndexError, None, "cpython lists"),
    (pop_from_empty, (), IndexError, None, "cpython lists"),
    (string_index, ("abc",), IndexError, None, "cpython strings"),
    (list_index_assign, (5,), IndexError, None, "cpython lists"),
    (overflow_add, (2147483647,), OverflowError, None, "ints"),
    (overflow_abs, (), OverflowError, None, "ints"),
    (overflow_mul, (65536,), OverflowError, None, "ints"),
    (overflow_mul, (100000,), OverflowError, None, "ints"),
    (overflow_neg, (), OverflowError, None, "ints"),
    (overflow_floordiv, (), OverflowError, None, "ints"),
    (overflow_shift, (), OverflowError, None, "ints"),
    (overflow_pow, (), OverflowError, None, "ints"),
    (shift_by_negative_arg, (-1,), ValueError, "negative shift count", "cpython ints"),
    (type_int_plus_str, (1,), TypeError, None, "cpython ints strings"),
    (type_str_plus_int, ("a",), TypeError, None, "cpython ints strings"),
    (type_index_str, ([1, 2],), TypeError, None, "cpython lists strings"),
    (type_len_int, (5,), TypeError, None, "cpython ints builtins"),
    (assert_message, (-1,), AssertionError, "a must be positive", "cpython"),
    (assert_plain, (2,), AssertionError, None, "cpython"),
    (raise_value_error, (1,), ValueError, "msg", "cpython"),
    (raise_runtime_error, (), RuntimeError, "boom", "cpython"),
    (raise_bare_class, (), NotImplementedError, None, "cpython"),
    (unbound_local_if_false, (0,), UnboundLocalError, None, "cpython control"),
    (unbound_local_read_before_assign, (1,), UnboundLocalError, None, "cpython"),
    (int_of_bad_string, ("abc",), ValueError, None, "cpython strings builtins"),
    (math_domain, (-1.0,), ValueError, "math domain error", "cpython floats math"),
    (math_log_zero, (0.0,), ValueError, None, "cpython floats math"),
    (float_neg_frac_pow, (-8.0,), ValueError, None, "floats"),
    (unpack_count, (), ValueError, None, "cpython lists"),
    (nested_def_error, (0,), ZDE, None, "cpython functions"),
    (comprehension_error, (3,), ZDE, None, "cpython lists"),
    (while_condition_error, (1,), ZDE, None, "cpython control"),
    (third_pop, (3,), IndexError, "pop from empty list", "cpython lists"),
    (conditional_branch_error, (0,), ZDE, None, "cpython control"),
    (compare_int_str, (1,), TypeError, "not supported between", "cpython strings"),
    # the bad-input corpus: its messages to the letter
    (div_zero, (1,), ZDE, r"integer division or modulo by zero", "cpython ints"),
    (mod_zero, (1,), ZDE, r"integer modulo by zero", "cpython ints"),
    (true_div_zero, (1,), ZDE, r"division by zero", "cpython ints"),
    (float_div_zero, (1,), ZDE, r"float division by zero", "cpython floats"),
    (add_overflow, (1,), OverflowError, OVERFLOW, "ints"),
    (mul_overflow, (1,), OverflowError, OVERFLOW, "ints"),
    (neg_min, (1,), OverflowError, OVERFLOW, "ints"),
    (abs_min, (1,), OverflowError, OVERFLOW, "ints"),
    (floordiv_min, (1,), OverflowError, OVERFLOW, "ints"),
    (shift_overflow, (2,), OverflowError, OVERFLOW, "ints"),
    (negative_shift, (1,), ValueError, r"negative shift count", "cpython ints"),
    (pow_overflow, (1,), OverflowError, OVERFLOW, "ints"),
    (index_list, (1,), IndexError, r"list index out of range", "cpython lists"),
    (index_negative, (1,), IndexError, r"list index out of range", "cpython lists"),
    (index_str, (1,), IndexError, r"string index out of range", "cpython strings"),
    (index_array, (ARR,), IndexError, r"index 5 is out of bounds for axis 0 with size 5", "cpython arrays"),
    (store_index, (1,), IndexError, r"list assignment index out of range", "cpython lists"),
    (pop_empty, (1,), IndexError, r"pop from empty list", "cpython lists"),
    (add_str_int, (1,), TypeError, r'can only concatenate str \(not "int"\) to str', "cpython strings"),
    (compare_str_int, (1,), TypeError, r"'<' not supported between instances of 'str' and 'int'", "cpython strings"),
    (call_len_int, (1,), TypeError, r"object of type 'int' has no len\(\)", "cpython builtins"),
    (iterate_int, (1,), TypeError, r"'int' object is not iterable", "cpython control"),
    (subscript_int, (1,), TypeError, r"'int' object is not subscriptable", "cpython"),
    (assert_false, (1,), AssertionError, r"a must exceed 5", "cpython"),
    (raise_value, (7,), ValueError, r"bad value 7", "cpython strings"),
    (raise_runtime, (7,), RuntimeError, r"stop", "cpython"),
    (unpack_wrong, (1,), ValueError, r"too many values to unpack \(expected 2\)", "cpython tuples"),
    (int_of_str, (1,), ValueError, r"invalid literal for int\(\) with base 10: 'x1'", "cpython strings builtins"),
    (int_of_nan, (1,), ValueError, r"cannot convert float NaN to integer", "cpython floats builtins"),
    (sqrt_negative, (1,), ValueError, r"math domain error", "cpython floats math"),
    (log_zero, (1,), ValueError, r"math domain error", "cpython floats math"),
    (range_zero_step, (1,), ValueError, r"range\(\) arg 3 must not be zero", "cpython control"),
    (min_empty, (1,), ValueError, r"min\(\) arg is an empty sequence", "cpython builtins"),
    (unbound_local, (1,), UnboundLocalError, r"referenced before assignment", "cpython control"),
    (recursion, (1,), RecursionError, r"maximum recursion depth exceeded", "cpython recursion"),
    (memory_list, (1,), MemoryError, r"out of core memory", "memory lists sweep"),
    (memory_string, (1,), MemoryError, r"out of core memory", "memory strings sweep"),
    (send_outside, (1,), ValueError, r"parallel.send: core \d+ is not part of this launch", "comm"),
    (recv_type, (1,), TypeError, r"parallel.recv: core id must be an int, not str", "comm"),
    (reduce_bad_op, (1,), ValueError, r"parallel.reduce: op must be one of sum, min, max, prod", "cpython comm"),
    # the list methods and random: the kernels' messages, word for word
    (remove_missing, (), ValueError, re.escape("list.remove(x): x not in list"), "cpython lists"),
    (index_missing, (), ValueError, re.escape("list.index(x): x not in list"), "cpython lists"),
    (insert_by_float, (), TypeError, re.escape("'float' object cannot be interpreted as an integer"), "cpython lists floats"),
    (extend_by_int, (), TypeError, re.escape("'int' object is not iterable"), "cpython lists"),
    (tuple_index_missing, (), ValueError, re.escape("tuple.index(x): x not in tuple"), "cpython tuples"),
    (tuple_append, (), AttributeError, re.escape("'tuple' object has no attribute 'append'"), "cpython tuples"),
    (insert_past_memory, (), MemoryError, re.escape("out of core memory"), "memory lists"),
    (empty_randint, (), ValueError, re.escape("empty range in randint(3, 2)"), "cpython builtins"),
    (zero_step, (), ValueError, re.escape("zero step for randrange()"), "cpython builtins"),
    (empty_range, (), ValueError, re.escape("empty range in randrange(5, 5)"), "cpython builtins"),
    (float_bound, (), TypeError, re.escape("'float' object cannot be interpreted as an integer"), "builtins floats"),
    (empty_choice, (), IndexError, re.escape("Cannot choose from an empty sequence"), "cpython builtins lists"),
    (shuffle_tuple, (), TypeError, re.escape("'tuple' object does not support item assignment"), "cpython builtins tuples"),
    # the engines' and the C core's failing kernels
    (overflow_mid_block, (40,), OverflowError, None, "ints control"),
    (shift_by_30, (7,), OverflowError, None, "ints"),
    (unbound, (False,), UnboundLocalError, None, "cpython control"),
    (unbound, (0,), UnboundLocalError, None, "cpython control"),
    (type_error, (1,), TypeError, None, "cpython strings"),
    (compare_error, (1,), TypeError, None, "cpython strings"),
    (zero_div, (0,), ZDE, None, "cpython ints"),
    (pow_overflow_20, (7,), OverflowError, None, "ints"),
    (assert_too_small, (1,), AssertionError, "too small", "cpython"),
    (raise_if_true, (3,), ValueError, "bad value 3", "cpython strings"),
    (bad_int_format, (1,), ValueError, None, "cpython strings"),
    (list_of_an_int, (4,), TypeError, "'int' object is not iterable", "cpython lists"),
    # dicts: CPython's KeyError (the key's repr), unhashable keys, a dict changed while a loop
    # walks it
    (dict_missing_key, (7,), KeyError, re.escape("(7, 'b')"), "cpython dicts"),
    (dict_del_missing, (3,), KeyError, "3", "cpython dicts"),
    (dict_pop_missing, (2,), KeyError, re.escape("'kk'"), "cpython dicts"),
    (dict_list_key, (1,), TypeError, re.escape("unhashable type: 'list'"), "cpython dicts"),
    (dict_tuple_with_list_key, (1,), TypeError, re.escape("unhashable type: 'list'"), "cpython dicts"),
    (dict_changed_size, (5,), RuntimeError, "dictionary changed size during iteration", "cpython dicts"),
    (dict_shrunk_in_items, (2,), RuntimeError, "dictionary changed size during iteration", "cpython dicts"),
    (dict_in_comparison, (1,), TypeError, re.escape("'<' not supported between instances of 'dict' and 'dict'"), "cpython dicts"),
    (dict_update_bad_item, (1,), ValueError, re.escape("dictionary update sequence element #1 has length 1; 2 is required"), "cpython dicts"),
    (dict_method_of_a_list, (1,), AttributeError, re.escape("'list' object has no attribute 'get'"), "cpython dicts lists"),
    (tuple_delete, (1,), TypeError, re.escape("'tuple' object doesn't support item deletion"), "cpython tuples"),
    (dict_past_memory, (), MemoryError, re.escape("out of core memory"), "memory dicts"),
    (dict_deep_key, (17,), RecursionError, "in comparison", "dicts tuples"),
]
for fn, args, error, message, tags in RAISING:
    register(fn, args, tags="errors " + tags, error=error, message=message)

register(helper_error, (4,), tags="errors cpython functions", error=ZDE, line_of=failing_helper)
register(index_error, (1,), tags="cpython lists")
register(shift_by_30, (1,), tags="cpython ints")
register(unbound, (True,), tags="cpython control")
register(raises, (2,), tags="cpython control")
register(raises, (5,), (0,), tags="control")
register(raises, (5,), tags="control", cores=16)
# a failing kernel of a two-core launch, and the deadlocks of every core of the chip
register(send_outside_launch, (0,), tags="errors comm", error=ValueError, cores=2)
register(deadlock_recv, (1,), tags="deadlock comm", error=DeadlockError, cores=16,
         message=r"(?s)core 0 waits for a message from core 1 \(recv\) at .*errors.py:\d+")
register(deadlock_barrier, (1,), tags="deadlock comm", error=DeadlockError, cores=16,
         message=r"barrier \(sync\), which cores \[0\] have not reached")
register(deadlock_large_send, (np.zeros(64, dtype=np.float32),), tags="deadlock comm arrays",
         error=DeadlockError, cores=16, message=r"to receive its message \(send\)")
