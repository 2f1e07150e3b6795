"""Kernels for tests/test_semantics.py: each runs under CPython and on one simulated core.

Not a test module. Kernels must live in a real file (the compiler reads them through inspect),
and helpers must be defined before the kernels that call them.

Negative kernels mark the failing line with a ``# FAIL`` comment (runtime errors) or a
``# CONSTRUCT`` comment (compile errors); the tests find the line number from that marker.
"""

# ruff: noqa: B002, E731, F401, F821, F841, PLR2004, SIM108
from __future__ import annotations

import math

SCALE = 3


# ---------------------------------------------------------------------------------------------
# helpers (module level, defined before the kernels that call them)


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


# ---------------------------------------------------------------------------------------------
# int arithmetic


def k_floordiv_mod_signs(a, b):
    return a // b, a % b, -a // b, -a % b, a // -b, a % -b, -a // -b, -a % -b


def k_divmod_identity(a, b):
    return (a // b) * b + a % b == a


def k_true_div_ints(a, b):
    return a / b


def k_bitwise(a, b):
    return a & b, a | b, a ^ b, ~a, ~b


def k_shifts(a, n):
    return a << n, a >> n, -a >> n, -1 >> 1, -1 >> 5


def k_pow_int(a, n):
    return a ** n, 0 ** 0, (-a) ** 3


def k_pow_negative_exponent(a, n):
    return a ** n


def k_true_plus_true():
    return True + True, True * 5, False - True, True << 2


def k_chained_comparison(a, b, c):
    return a < b < c, a < b > c, a <= a < c, a == a == b, 1 < 2 != 3 >= 3


def k_and_or_operands(a, b):
    return a and b, a or b, 0 or b, 0 and b, a or 0, "" or "x", [] or [1]


def k_not(a):
    return not a, not not a, not 0, not ""


def k_conditional_expression(a):
    return "neg" if a < 0 else "zero" if a == 0 else "pos"


def k_unary(a):
    return -a, +a, -(-a), ~~a


def k_augmented(a):
    x = a
    x += 3
    x -= 1
    x *= 4
    x //= 3
    x %= 7
    x <<= 2
    x >>= 1
    x |= 8
    x &= 13
    x ^= 5
    return x


def k_int_mixed_float_mul(a, b):
    return a * b


def k_float_add(a, b):
    return a + b


def k_float_div(a, b):
    return a / b


def k_float_floordiv_mod(a, b):
    return a // b, a % b


def k_int_compare_float(a, b):
    return a == b, a < b, a >= b


def k_global_constant(a):
    return a * SCALE


# ---------------------------------------------------------------------------------------------
# control flow


def k_if_elif_else(x):
    if x < 0:
        r = -1
    elif x == 0:
        r = 0
    elif x < 10:
        r = 1
    else:
        r = 2
    return r


def k_while_else_no_break(n):
    i = 0
    s = 0
    while i < n:
        s += i
        i += 1
    else:
        s += 1000
    return s


def k_while_else_break(n):
    i = 0
    while i < 100:
        if i == n:
            break
        i += 1
    else:
        return -1
    return i


def k_for_else(xs, wanted):
    for x in xs:
        if x == wanted:
            found = True
            break
    else:
        found = False
    return found


def k_continue(n):
    s = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        s += i
    return s


def k_nested_loops(n):
    count = 0
    for i in range(n):
        for j in range(i):
            if (i + j) % 2 == 0:
                count += 1
    return count


def k_nested_break(n):
    pairs = 0
    for i in range(n):
        j = 0
        while True:
            if j > i:
                break
            pairs += 1
            j += 1
    return pairs


def k_loop_variable_survives(n):
    for i in range(n):
        pass
    return i


def k_range_forms(a, b):
    return ([i for i in range(a)], [i for i in range(a, b)], [i for i in range(b, a)],
            [i for i in range(b, a, -2)], [i for i in range(10, 0)], len(range(0, 10, 3)),
            [i for i in range(-3, 3, 2)])


# ---------------------------------------------------------------------------------------------
# functions


def k_helper_defaults_keywords(a):
    return add3(a), add3(a, 1), add3(a, c=1), add3(c=2, b=3, a=a)


def k_recursion(n):
    return fib(n), fact(n)


def k_mutual_recursion(n):
    return is_even(n), is_odd(n)


def k_nested_def(n):
    def square(x):
        return x * x

    def sum_squares(m, start=0):
        t = start
        for i in range(m):
            t += square(i)
        return t

    return sum_squares(n), sum_squares(n, start=5)


def k_early_return(n):
    for i in range(n):
        if i * i > n:
            return i
    return -1


def k_return_none():
    x = 1


def k_multiple_return_values(a, b):
    q, r = divmod_pair(a, b)
    return q, r


# ---------------------------------------------------------------------------------------------
# tuples


def k_tuple_packing_unpacking(a, b):
    t = a, b, a + b
    x, y, z = t
    x, y = y, x
    return x, y, z, t, len(t), t[-1]


def k_tuple_compare_and_concat(a):
    t = (a, 2) + (3,)
    return t, t == (a, 2, 3), t[1:], t * 2


def k_nested_unpack(a):
    (x, y), z = (a, a + 1), a + 2
    [p, q] = [x * 2, y * 2]
    return x, y, z, p, q


# ---------------------------------------------------------------------------------------------
# lists


def k_list_literal_index(a):
    v = [a, 2, 3, 4]
    return v[0], v[-1], v[-4], v[len(v) - 1]


def k_list_repeat(n):
    return [0] * n, [1, 2] * 2, [7] * -3, 2 * [5]


def k_list_slicing(n):
    v = [i for i in range(n)]
    return v[1:3], v[5:1], v[-3:], v[:-2], v[::2], v[::-1], v[-100:100], v[3:100], v[1:8:3]


def k_list_append_pop(n):
    v = []
    for i in range(n):
        v.append(i * i)
    last = v.pop()
    first = v.pop(0)
    return v, last, first, len(v)


def k_list_iteration_sum(xs):
    s = 0
    for x in xs:
        s += x
    return s


def k_list_comprehension_if(n):
    return [x * x for x in range(n) if x % 2 == 1 if x > 2]


def k_comprehension_var_does_not_leak(n):
    x = -1
    v = [x for x in range(n)]
    return x, v


def k_list_in(xs, a):
    return a in xs, a not in xs, 99 in xs


def k_list_aliasing_rows():
    x = [[0] * 2] * 2
    x[0][0] = 1
    return x


def k_list_aliasing_names():
    a = [1, 2, 3]
    b = a
    b.append(4)
    c = a.copy()
    c[0] = 100
    return a, b, c


def k_list_setitem_augmented(n):
    v = [0] * n
    for i in range(n):
        v[i] += i
        v[-1] -= 1
    return v


def k_list_concat_compare(a):
    v = [1, 2] + [a]
    return v, v == [1, 2, a], v != [1, 2], [1, 2] < [1, 3]


def k_list_of_lists(n):
    m = [[i * n + j for j in range(n)] for i in range(n)]
    return m, m[1][2], len(m)


# ---------------------------------------------------------------------------------------------
# strings


def k_string_ops(a, b):
    s = a + b
    return s, len(s), s == "foobar", s != a, s[0], s[-1], s[1:4], "oba" in s


def k_str_builtin(n):
    return str(n), str(-n), str(True), str(None), str(1.0), str(0.5), str(1.5) + "!"


def k_fstrings(x, y):
    return f"x={x}", f"[{x:5d}]", f"{y:.3f}", f"{x}-{y}", f"{x!r}", f"{'s'!r}", f"{x:03d}"


def k_string_repeat_and_loop(s):
    t = s * 3
    n = 0
    for ch in t:
        if ch == "a":
            n += 1
    return t, n


def k_string_compare(a, b):
    return a < b, a == b, a > b, a + "" == a


def k_repr_in_containers():
    return str([1, "a", None, True]), str((1,)), str([]), str((1, 2.5))


# ---------------------------------------------------------------------------------------------
# builtins


def k_abs_min_max(a, b):
    return abs(a), abs(-b), min(a, b), max(a, b), min([3, a, b]), max(a, b, 7), min(5, 2, 8)


def k_sum_len(xs):
    return sum(xs), sum(xs, 10), len(xs), sum([]), len([])


def k_int_float_bool_conversions(x):
    return int(x), int(-x), int("42"), int(-2.7), int(True), bool(0), bool(3), bool(""), bool([0])


def k_float_conversion(n):
    return float(n), float(-n)


def k_round(x):
    return round(x), round(2.5), round(3.5), round(-2.5), round(-0.5)


def k_enumerate_zip(xs, ys):
    out = []
    for i, x in enumerate(xs):
        out.append(i * x)
    for i, x in enumerate(xs, 10):
        out.append(i + x)
    for a, b in zip(xs, ys):
        out.append(a - b)
    return out


def k_zip_uneven():
    return [p for p in zip([1, 2, 3], [4, 5])], [p for p in enumerate([7, 8])]


def k_max_of_strings(a, b):
    return max(a, b), min(a, b)


# ---------------------------------------------------------------------------------------------
# math (float32-exact: inputs representable, one libm call rounded once)


def k_math_sqrt(x):
    return math.sqrt(x)


def k_math_floor_ceil(x):
    return math.floor(x), math.ceil(x), math.floor(-x), math.ceil(-x)


def k_math_sin(x):
    return math.sin(x)


def k_math_exp(x):
    return math.exp(x)


def k_math_log(x):
    return math.log(x)


def k_math_fabs(x):
    return math.fabs(x)


def k_math_atan2(y, x):
    return math.atan2(y, x)


# ---------------------------------------------------------------------------------------------
# print


def k_print_values():
    print(1, "a", 2.5, True, None)
    return 0


def k_print_sep_end(n):
    print("a", "b", sep="-")
    print(n, end="")
    print("!")
    print()
    print([1, "x"], (2,))
    return n


def noisy(x):
    print("eval", x)
    return x


def k_print_chain_middle_once(a):
    r = 1 < noisy(a) < 3
    s = noisy(0) and noisy(1)
    t = noisy(2) or noisy(3)
    return r, s, t


def k_print_floats_lines_unterminated():
    print("line1\nline2")
    print(0.5, 1.0, [0.5, 2.0], (1.5,), -0.0, 1e16, 1.5e-05)
    print("no newline", end="")
    return 1


# ---------------------------------------------------------------------------------------------
# negative cases: runtime errors (the failing statement is marked "# FAIL")


def e_floordiv_zero(a, b):
    x = a + 1
    return a // b  # FAIL


def e_mod_zero(a, b):
    return a % b  # FAIL


def e_truediv_zero(a, b):
    y = 1
    z = a / b  # FAIL
    return z


def e_float_div_zero(a):
    return a / 0.0  # FAIL


def e_index_error(n):
    v = [1, 2, 3]
    return v[n]  # FAIL


def e_index_error_negative():
    v = [1, 2, 3]
    return v[-4]  # FAIL


def e_pop_empty():
    v = []
    return v.pop()  # FAIL


def e_string_index(s):
    return s[10]  # FAIL


def e_overflow_add(a):
    return a + 1  # FAIL


def e_overflow_abs():
    x = -2147483647 - 1
    return abs(x)  # FAIL


def e_overflow_mul(a):
    return a * a  # FAIL


def e_overflow_neg():
    x = -2147483647 - 1
    return -x  # FAIL


def e_overflow_floordiv():
    x = -2147483647 - 1
    return x // -1  # FAIL


def e_overflow_shift():
    return 1 << 31  # FAIL


def e_overflow_pow():
    return 2 ** 31  # FAIL


def e_negative_shift(n):
    return 1 << n  # FAIL


def e_type_int_plus_str(a):
    return a + "a"  # FAIL


def e_type_str_plus_int(s):
    return s + 1  # FAIL


def e_type_index_str(v):
    return v["x"]  # FAIL


def e_type_len_int(a):
    return len(a)  # FAIL


def e_assert_message(a):
    assert a > 0, "a must be positive"  # FAIL
    return a


def e_assert_plain(a):
    assert a == 1  # FAIL
    return a


def e_raise_value_error(a):
    if a > 0:
        raise ValueError("msg")  # FAIL
    return a


def e_raise_runtime_error():
    raise RuntimeError("boom")  # FAIL


def e_raise_bare_class():
    raise NotImplementedError  # FAIL


def e_unbound_local(a):
    if a > 0:
        y = 1
    return y  # FAIL


def e_unbound_local_read_before_assign(a):
    b = c + a  # FAIL
    c = 3
    return b


def h_failing_helper(a, b):
    t = a + b
    return t // b  # FAIL


def e_helper_error(a):
    q = h_failing_helper(a, 0)
    return q


def e_int_of_bad_string(s):
    return int(s)  # FAIL


def e_math_domain(x):
    return math.sqrt(x)  # FAIL


def e_math_log_zero(x):
    return math.log(x)  # FAIL


def e_error_in_loop(n):
    s = 0
    for i in range(n):
        s += 10 // (3 - i)  # FAIL
    return s


def e_zero_pow_negative():
    return 0 ** -1  # FAIL


def e_float_mod_zero(a):
    return a % 0.0  # FAIL


def e_float_neg_frac_pow(a):
    return a ** 0.5  # FAIL


def e_list_index_assign(n):
    v = [0] * 3
    v[n] = 1  # FAIL
    return v


def e_unpack_count():
    a, b = [1, 2, 3]  # FAIL
    return a


def e_nested_def_error(n):
    def inner(x):
        return 10 // x  # FAIL

    return inner(n)


def e_comprehension_error(n):
    return [10 // x for x in range(n)]  # FAIL


def e_while_condition_error(n):
    i = 3
    while 10 // (i - n) > 0:  # FAIL
        i -= 1
    return i


def e_third_pop(n):
    v = [1, 2]
    for i in range(n):
        if i > 1:
            v.pop()
            v.pop()
            v.pop()  # FAIL
    return v


def e_conditional_branch_error(n):
    return n if n > 0 else 1 // n  # FAIL


def e_compare_int_str(a):
    return a < "a"  # FAIL


# ---------------------------------------------------------------------------------------------
# negative cases: compile errors (the construct is marked "# CONSTRUCT")


def c_dict():
    d = {"a": 1}  # CONSTRUCT
    return 0


def c_lambda():
    f = lambda x: x + 1  # CONSTRUCT
    return 0


def c_try():
    try:  # CONSTRUCT
        x = 1
    except ValueError:
        x = 2
    return x


def c_class():
    class P:  # CONSTRUCT
        pass

    return 0


def c_with(a):
    with a:  # CONSTRUCT
        pass
    return 0


def c_import():
    import os  # CONSTRUCT

    return 0


def c_import_from():
    from os import path  # CONSTRUCT

    return 0


def c_genexpr(n):
    return sum(x for x in range(n))  # CONSTRUCT


def c_set():
    s = {1, 2}  # CONSTRUCT
    return 0


def c_del():
    x = 1
    del x  # CONSTRUCT
    return 0


def c_nonlocal():
    x = 1

    def inner():
        nonlocal x  # CONSTRUCT
        x = 2

    inner()
    return x


def c_yield():
    yield 1  # CONSTRUCT


def c_starred_call(v):
    return max(*v)  # CONSTRUCT


def c_dict_comprehension(n):
    d = {i: i for i in range(n)}  # CONSTRUCT
    return 0


def c_set_comprehension(n):
    s = {i for i in range(n)}  # CONSTRUCT
    return 0


def c_walrus(n):
    if (m := n + 1) > 0:  # CONSTRUCT
        return m
    return 0


def c_match(n):
    match n:  # CONSTRUCT
        case 1:
            return 1
    return 0


def c_bare_raise():
    raise  # CONSTRUCT


def c_raise_from():
    raise ValueError("x") from None  # CONSTRUCT


def c_double_for_comprehension(n):
    return [i + j for i in range(n) for j in range(n)]  # CONSTRUCT


def c_slice_assign(v):
    v[0:1] = [5]  # CONSTRUCT
    return v


def c_varargs(*args):  # CONSTRUCT
    return 0


def c_kwargs_call(v):
    return max(**v)  # CONSTRUCT
