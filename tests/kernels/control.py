"""Kernels of control flow: if/elif/else, while and for with else, break and continue, loops
over ranges, enumerate and zip, comprehension scopes, early returns."""
from __future__ import annotations

from tests.kernels.case import register


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


def unpack_in_for(n):
    total = 0
    for a, (b, c) in [(1, (2, 3)), (4, (5, 6))]:
        total += a * b - c
    return total + n


def assert_passes(a):
    assert a > 0, "positive"
    assert a
    return a


def if_elif_else_values(x):
    if x < 0:
        r = -1
    elif x == 0:
        r = 0
    elif x < 10:
        r = 1
    else:
        r = 2
    return r


def while_else_no_break(n):
    i = 0
    s = 0
    while i < n:
        s += i
        i += 1
    else:
        s += 1000
    return s


def while_else_break(n):
    i = 0
    while i < 100:
        if i == n:
            break
        i += 1
    else:
        return -1
    return i


def for_else_found(xs, wanted):
    for x in xs:
        if x == wanted:
            found = True
            break
    else:
        found = False
    return found


def nested_loops_count(n):
    count = 0
    for i in range(n):
        for j in range(i):
            if (i + j) % 2 == 0:
                count += 1
    return count


def nested_break(n):
    pairs = 0
    for i in range(n):
        j = 0
        while True:
            if j > i:
                break
            pairs += 1
            j += 1
    return pairs


def range_forms_two(a, b):
    return ([i for i in range(a)], [i for i in range(a, b)], [i for i in range(b, a)],
            [i for i in range(b, a, -2)], [i for i in range(10, 0)], len(range(0, 10, 3)),
            [i for i in range(-3, 3, 2)])


def early_return(n):
    for i in range(n):
        if i * i > n:
            return i
    return -1


def comprehension_var_does_not_leak(n):
    x = -1
    v = [x for x in range(n)]
    return x, v


def enumerate_zip_offsets(xs, ys):
    out = []
    for i, x in enumerate(xs):
        out.append(i * x)
    for i, x in enumerate(xs, 10):
        out.append(i + x)
    for a, b in zip(xs, ys):
        out.append(a - b)
    return out


def zip_uneven():
    return [p for p in zip([1, 2, 3], [4, 5])], [p for p in enumerate([7, 8])]


def while_loops(n):
    i = 0
    total = 0
    while i < n and total < 100000:
        total += i if i % 2 == 0 or i % 5 == 0 else -i
        i += 1
    while True:
        i -= 7
        if i < 0:
            break
    return total, i, not total, n > 3 or n < -3


def control_printed(n):
    total = 0
    i = 0
    while i < n:
        if i % 3 == 0:
            total += i
        elif i % 3 == 1:
            total -= 1
        else:
            total += 2
        i += 1
    else:
        print("else ran")
    for j in range(10):
        if j == 5:
            break
    else:
        print("no")
    print(j, total, 1 < 2 < 3, 3 > 2 > 5, 0 or 5, 3 and 0, None or "x", not [])
    return total


# --- the cases --------------------------------------------------------------------------------
register(if_elif_else, (-3,), (0,), (4,), (40,), tags="cpython control strings")
register(while_else, (5,), tags="cpython control")
register(while_break_skips_else, (4,), tags="cpython control")
register(for_else, ([1, 2],), ([1, -2],), tags="cpython control lists strings")
register(continue_loop, (10,), tags="cpython control")
register(nested_loops, (8,), tags="cpython control")
register(loop_variable_survives, (5,), (3,), tags="cpython control")
register(range_forms, (6,), tags="cpython control lists")
register(enumerate_zip, ([3, 4, 5],), tags="cpython control lists builtins")
register(unpack_in_for, (1,), tags="cpython control tuples")
register(assert_passes, (3,), tags="cpython control")
register(if_elif_else_values, (-5,), (0,), (5,), (50,), tags="cpython control")
register(while_else_no_break, (5,), tags="cpython control")
register(while_else_break, (7,), (200,), tags="cpython control")
register(for_else_found, ([1, 2, 3], 2), ([1, 2, 3], 9), tags="cpython control lists bools")
register(nested_loops_count, (6,), tags="cpython control")
register(nested_break, (5,), tags="cpython control")
register(range_forms_two, (3, 9), tags="cpython control lists")
register(early_return, (30,), (0,), tags="cpython control")
register(comprehension_var_does_not_leak, (3,), tags="cpython control lists")
register(enumerate_zip_offsets, ([1, 2, 3], [3, 2, 1]), tags="cpython control lists builtins")
register(zip_uneven, tags="cpython control lists tuples builtins")
register(while_loops, (30,), tags="cpython control ints bools")
register(control_printed, (20,), tags="cpython control print")
