"""Kernels of ints, bools and floats: operators, conversions, math, number builtins."""
# ruff: noqa: B002
from __future__ import annotations

import math

from tests.kernels.case import register


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


def floordiv_mod_signs(a, b):
    return a // b, a % b, -a // b, -a % b, a // -b, a % -b, -a // -b, -a % -b


def divmod_identity(a, b):
    return (a // b) * b + a % b == a


def true_div_ints(a, b):
    return a / b


def bitwise(a, b):
    return a & b, a | b, a ^ b, ~a, ~b


def shifts(a, n):
    return a << n, a >> n, -a >> n, -1 >> 1, -1 >> 5


def pow_int(a, n):
    return a ** n, 0 ** 0, (-a) ** 3


def pow_negative_exponent(a, n):
    return a ** n


def true_plus_true():
    return True + True, True * 5, False - True, True << 2


def chained_comparison(a, b, c):
    return a < b < c, a < b > c, a <= a < c, a == a == b, 1 < 2 != 3 >= 3


def and_or_values(a, b):
    return a and b, a or b, 0 or b, 0 and b, a or 0, "" or "x", [] or [1]


def logical_not(a):
    return not a, not not a, not 0, not ""


def conditional_expression(a):
    return "neg" if a < 0 else "zero" if a == 0 else "pos"


def unary(a):
    return -a, +a, -(-a), ~~a


def augmented_int_ops(a):
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


def abs_min_max_mixed(a, b):
    return abs(a), abs(-b), min(a, b), max(a, b), min([3, a, b]), max(a, b, 7), min(5, 2, 8)


def int_float_bool_conversions(x):
    return int(x), int(-x), int("42"), int(-2.7), int(True), bool(0), bool(3), bool(""), bool([0])


def divide(a, b):
    q = a // b
    r = a % b
    return q, r, a / b


def bitops(a, b):
    return a & b, a | b, a ^ b, a << 3, a >> 2, ~a, -a, +a, not a, a >> 40, (-a) >> 3


def mixed_types(a, b):
    return a + b, a * b, a - b, a / b, a < b, a == b, a != b, True + 1, False * 2.0


def int_ops(a, b):
    print(a + b, a - b, a * b, a / b, a // b, a % b, -a, +a, ~a, abs(a))
    print(a << 3, a >> 2, a & b, a | b, a ^ b, a ** 2, 2 ** -1, 0 ** 0, True + True, True & True)
    return a // b, a % b, a < b, a == b, a != b


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


def shortest_float_repr(x):
    return str(0.1 + 0.2 * x), str(1 / 3), str(1e-5), str(1e16), str(123456.0)


def int_mixed_float_mul(a, b):
    return a * b


def float_add(a, b):
    return a + b


def float_div(a, b):
    return a / b


def float_floordiv_mod(a, b):
    return a // b, a % b


def int_compare_float(a, b):
    return a == b, a < b, a >= b


def float_conversion(n):
    return float(n), float(-n)


def round_floats(x):
    return round(x), round(2.5), round(3.5), round(-2.5), round(-0.5)


def math_sqrt(x):
    return math.sqrt(x)


def math_floor_ceil(x):
    return math.floor(x), math.ceil(x), math.floor(-x), math.ceil(-x)


def math_sin(x):
    return math.sin(x)


def math_exp(x):
    return math.exp(x)


def math_log(x):
    return math.log(x)


def math_fabs(x):
    return math.fabs(x)


def math_atan2(y, x):
    return math.atan2(y, x)


def float_edge(x):
    big = x * 1e30
    inf = big * big
    tiny = x / 1e30 / 1e30
    return big, inf, tiny, -inf, inf - inf > 0, x ** 2, x ** 0.5, 2 ** -2, 7 // 2.5, -7 % 2.5


def builtins_math(x):
    return (abs(-3), abs(-2.5), round(2.5), round(2.567, 2), int(3.9), int("12"), float("1.5"),
            float(3), bool(0), bool([1]), str(1.1), math.sqrt(x), math.sin(x), math.cos(x),
            math.exp(x / 10), math.log(x), math.log(x, 2), math.floor(-x), math.ceil(x),
            math.fabs(-x), math.pow(x, 3), math.atan2(x, 1.0), min(3, 1, 2), max(1.5, 2),
            math.log10(x), math.tan(0.5), math.atan(1.0))


def float_ops_printed(x, y):
    print(x + y, x - y, x * y, x / y, x // y, x % y, x ** 2, -x, abs(x), x < y, x == y)
    print(0.1, 1e20, 1e16, 1e15, 1.5e-05, 0.0001, 123456789.0, 16777217.0, -0.0, 1 / 3)
    print(float("nan"), float("inf"), -float("inf"), 3.4e38, 1.17549435e-38, 1e-45, 2.5e-7)
    return x * y, int(x), round(x), round(x, 1)


def builtins_printed(x):
    print(abs(-3), abs(-2.5), min(3, 1, 2), max([1, 5, 2]), sum([1.5, 2]), int(2.7), int(-2.7))
    print(int("42"), int(" -7 "), int("1_000"), float("1.5"), float(" -inf "), float(3),
          bool(0), bool([1]), str(12))
    print(round(2.5), round(3.5), round(-2.5), round(1.2345, 2), round(1234, -2),
          round(2.675, 2), round(-0.5))
    print(len(range(7)), max("hello"), min((3, 1)), sum(range(5), 10))
    for i, v in enumerate([10, 20], 1):
        print(i, v)
    for a, b in zip([1, 2, 3], "ab"):
        print(a, b)
    for v in range(10, 0, -3):
        print(v, end=" ")
    print(sep="")
    print(math.sqrt(2.0), math.sin(1.0), math.cos(1.0), math.tan(0.5), math.exp(1.0),
          math.log(10.0), math.log(8, 2), math.asin(0.5), math.acos(0.5), math.atan(1.0))
    print(math.floor(-2.5), math.ceil(2.1), math.fabs(-3), math.pow(2, 10),
          math.atan2(1, 2), math.log10(1000), x, sep=", ", end="!\n")
    return x


# --- the cases --------------------------------------------------------------------------------
register(int_floor_ops, (7, 2), (9, 4), tags="cpython ints")
register(int_bitwise, (12, 10), (-5, 3), tags="cpython ints")
register(int_pow, (3, 4), tags="cpython ints floats")
register(bool_arith, (3,), tags="cpython ints bools")
register(chained_compare, (1, 2, 3), (3, 2, 1), tags="cpython ints bools")
register(and_or_operands, (0, 5), (3, 4), tags="cpython ints bools strings")
register(conditional_expr, (12,), (7,), (1,), tags="cpython ints control strings")
register(not_and_in, (2,), (9,), tags="cpython ints bools lists")
register(abs_min_max, (4, 9), tags="cpython ints builtins")
register(int_conversions, (3,), tags="cpython ints floats bools builtins")
register(round_half_even, (2,), tags="cpython ints floats builtins")
register(sum_builtin, (5,), tags="cpython ints builtins")
register(floordiv_mod_signs, (7, 2), (7, 3), (6, 3), (1, 7), tags="cpython ints")
register(divmod_identity, (-7, 2), (13, -5), tags="cpython ints")
register(true_div_ints, (7, 2), (1, 3), (-7, 2), (6, 3), tags="cpython ints floats")
register(bitwise, (12, 10), (-12, 10), tags="cpython ints")
register(shifts, (5, 3), (1, 30), tags="cpython ints")
register(pow_int, (3, 4), tags="cpython ints")
register(pow_negative_exponent, (2, -1), (2, -3), (-4, -2), tags="cpython ints floats")
register(true_plus_true, tags="cpython ints bools")
register(chained_comparison, (1, 2, 3), (3, 2, 1), tags="cpython ints bools")
register(and_or_values, (3, 5), (0, 5), (3, 0), tags="cpython ints bools")
register(logical_not, (0,), (4,), tags="cpython ints bools")
register(conditional_expression, (-3,), (0,), (9,), tags="cpython ints control strings")
register(unary, (5,), tags="cpython ints")
register(augmented_int_ops, (11,), tags="cpython ints")
register(abs_min_max_mixed, (-3, 8), tags="cpython ints builtins lists")
register(int_float_bool_conversions, (2.7,), tags="cpython ints floats bools builtins")
register(divide, (17, 5), (-17, 5), (7.5, 2), tags="cpython ints floats")
register(divide, (17, 0), (-2147483648, -1), (7.5, 0.0), tags="ints floats")
register(bitops, (12345, 678), (-5, 3), tags="cpython ints bools")
register(mixed_types, (3, 2.5), (True, 4), tags="cpython ints floats bools")
register(int_ops, (17, 5), (-17, 5), (17, -5), (-7, 2), tags="cpython ints print")
register(int_ops, (-2147483647, 3), tags="ints print")
register(float_ops, (1.5, 0.25), (-3.0, 8.0), tags="cpython floats")
register(float_floor_mod, (7.5, 2.0), (-1.25, 0.5), tags="cpython floats")
register(float_compare, (0.5, 1.0), tags="cpython floats bools")
register(float_math, (6.25,), (2.5,), tags="cpython floats math")
register(float_str, (1.5,), tags="cpython floats strings")
register(int_mixed_float_mul, (3, 0.25), tags="cpython ints floats")
register(float_add, (1.5, 0.25), (0.1, 0.2), tags="cpython floats")
register(float_div, (1.0, 3.0), tags="cpython floats")
register(float_floordiv_mod, (-7.5, 2.0), (7.5, -2.0), tags="cpython floats")
register(int_compare_float, (16777217, 16777216.0), (3, 3.0), tags="cpython ints floats bools")
register(float_conversion, (7,), tags="cpython ints floats builtins")
register(round_floats, (1.5,), (2.25,), tags="cpython floats builtins")
register(math_sqrt, (2.0,), (0.25,), tags="cpython floats math")
register(math_floor_ceil, (2.5,), tags="cpython floats math")
register(math_sin, (0.5,), tags="cpython floats math")
register(math_exp, (1.0,), tags="cpython floats math")
register(math_log, (2.0,), tags="cpython floats math")
register(math_fabs, (-1.75,), tags="cpython floats math")
register(math_atan2, (1.0, 2.0), tags="cpython floats math")
register(float_edge, (3.0,), tags="floats")
register(float_edge, (1e10,), tags="cpython floats")
register(builtins_math, (2.0,), tags="cpython floats math builtins")
register(builtins_math, (-1.0,), tags="floats math builtins")
register(float_ops_printed, (1.5, 0.25), (-7.5, 2.0), (0.1, 3.0), (3e9, -0.001), tags="floats print")
register(builtins_printed, (1.25,), tags="builtins math print")
