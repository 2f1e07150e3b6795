"""Kernels of tuples, lists and strings: building, indexing, slicing, methods, comparison,
repetition, aliasing, comprehensions, str(), f-strings."""
from __future__ import annotations

from tests.kernels.case import register


def tuple_pack_unpack(a, b):
    t = a, b, a + b
    x, y, z = t
    x, y = y, x
    return t, x, y, z, len(t), t[-1], t[1:]


def tuple_packing_unpacking(a, b):
    t = a, b, a + b
    x, y, z = t
    x, y = y, x
    return x, y, z, t, len(t), t[-1]


def tuple_compare_and_concat(a):
    t = (a, 2) + (3,)
    return t, t == (a, 2, 3), t[1:], t * 2


def nested_unpack(a):
    (x, y), z = (a, a + 1), a + 2
    [p, q] = [x * 2, y * 2]
    return x, y, z, p, q


def tuple_ops(n):
    t = (n, n + 1, n + 2)
    a, b, c = t
    u = t + (a,)
    d, e = b, c
    e, d = d, e
    return u, a + b + c, d, e, t == (n, n + 1, n + 2), t < (n, n + 2), (1,) * 3


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


def augmented_subscript(n):
    xs = [1, 2, 3]
    xs[1] += n
    xs[-1] *= 2
    m = [[1, 2], [3, 4]]
    m[1][0] -= n
    return xs, m


def list_argument(xs):
    return sum(xs), max(xs), sorted_copy(xs)


def sorted_copy(xs):
    ys = xs.copy()  # selection sort: the smallest of the rest, swapped into place
    for i in range(len(ys)):
        m = i
        for j in range(i + 1, len(ys)):
            if ys[j] < ys[m]:
                m = j
        ys[i], ys[m] = ys[m], ys[i]
    return ys


def list_literal_index(a):
    v = [a, 2, 3, 4]
    return v[0], v[-1], v[-4], v[len(v) - 1]


def list_repeat(n):
    return [0] * n, [1, 2] * 2, [7] * -3, 2 * [5]


def list_slicing(n):
    v = [i for i in range(n)]
    return v[1:3], v[5:1], v[-3:], v[:-2], v[::2], v[::-1], v[-100:100], v[3:100], v[1:8:3]


def list_append_pop(n):
    v = []
    for i in range(n):
        v.append(i * i)
    last = v.pop()
    first = v.pop(0)
    return v, last, first, len(v)


def list_iteration_sum(xs):
    s = 0
    for x in xs:
        s += x
    return s


def list_comprehension_two_ifs(n):
    return [x * x for x in range(n) if x % 2 == 1 if x > 2]


def list_in(xs, a):
    return a in xs, a not in xs, 99 in xs


def list_aliasing_rows():
    x = [[0] * 2] * 2
    x[0][0] = 1
    return x


def list_aliasing_names():
    a = [1, 2, 3]
    b = a
    b.append(4)
    c = a.copy()
    c[0] = 100
    return a, b, c


def list_setitem_augmented(n):
    v = [0] * n
    for i in range(n):
        v[i] += i
        v[-1] -= 1
    return v


def list_concat_compare(a):
    v = [1, 2] + [a]
    return v, v == [1, 2, a], v != [1, 2], [1, 2] < [1, 3]


def list_of_lists(n):
    m = [[i * n + j for j in range(n)] for i in range(n)]
    return m, m[1][2], len(m)


def sum_len(xs):
    return sum(xs), sum(xs, 10), len(xs), sum([]), len([])


def list_methods_mix(n):
    xs = []
    for i in range(n):
        xs.append(i * i)
    ys = xs.copy()
    last = ys.pop()
    first = ys.pop(0)
    zs = [1, 2, 3] + [4] * 2
    total = 0
    for k, v in enumerate(xs):
        total += k * v
    for a, b in zip(xs, ys):
        total -= a - b
    xs[0] = 99
    return xs[:3], last, first, zs, total, min(xs), max(ys), sum(zs), len(xs), 4 in zs


def lists_printed(n):
    xs = []
    for i in range(n):
        xs.append(i * i)
    ys = xs[:]
    ys.append(7)
    print(xs, ys, len(xs), xs[-1], xs[1:4], xs[::-2], sum(xs), min(xs), max(xs))
    zs = [[0] * 2] * 2
    zs[0][0] = 1
    print(zs, xs + ys, [1, 2] * 2, (1,), (1, 2), (), [0] * -3)
    p = xs.pop()
    q = xs.pop(0)
    print(p, q, xs, xs.copy(), 3 in xs, [1, [2]] == [1, [2]], (1, 2) < (1, 3), [1] < [1, 0])
    a, b = 1, 2
    a, b = b, a
    return xs, a, b


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


def string_concat_ops(a, b):
    s = a + b
    return s, len(s), s == "foobar", s != a, s[0], s[-1], s[1:4], "oba" in s


def str_builtin(n):
    return str(n), str(-n), str(True), str(None), str(1.0), str(0.5), str(1.5) + "!"


def fstrings_ints_floats(x, y):
    return f"x={x}", f"[{x:5d}]", f"{y:.3f}", f"{x}-{y}", f"{x!r}", f"{'s'!r}", f"{x:03d}"


def string_repeat_and_loop(s):
    t = s * 3
    n = 0
    for ch in t:
        if ch == "a":
            n += 1
    return t, n


def string_compare(a, b):
    return a < b, a == b, a > b, a + "" == a


def repr_in_containers():
    return str([1, "a", None, True]), str((1,)), str([]), str((1, 2.5))


def max_of_strings(a, b):
    return max(a, b), min(a, b)


def string_building(n):
    s = ""
    for i in range(n):
        s = s + str(i) + ","
    t = f"{n:5d}|{1.5:.3f}|{s[:5]}|{'x'!r}|{n}"
    return s, t, len(s), "3," in s, s[2], s[-1], s[1:7:2]


def strings_printed(s):
    t = s + "xyz"
    print(t, len(t), t[1], t[-1], t[1:3], t[::-1], t[::2], s * 3, "a" in t, "q" not in t)
    print(f"{t!r}", str(5), str(1.5), str(None), str(True), [s, "it's", 'q"', "tab\t", "\x01"])
    print("a" < "b", "b" <= "a", t == s + "xyz", t[-2:], t[:-2], t[5:1], s * -1)
    return t, (s,), [s, s]


def fstrings_printed(x, s):
    print(f"{x}|{x:5}|{x:<5}|{x:^7}|{x:05}|{x:+}|{x:x}|{x:#x}|{x:b}|{x:o}|{x:,}|{x:_}|{x % 1000 + 65:c}")
    print(f"{s!r}|{s:>6}|{s:.2}|{s:*^9}|{s:<4}|")
    y = x / 7
    print(f"{y}|{y:.2f}|{y:10.3f}|{y:e}|{y:g}|{y:%}|{y:+.1f}|{1234567.891:,.2f}|{y:>12}")
    print(f"{[1, 2]}|{None}|{True}|{(1,)!r}|{-0.0:z.1f}|{1e300 * 1e10 if False else 2.5:E}")
    return f"{x}-{s}"


def list_constructor(n):
    a = list()
    b = list(range(n))
    c = list("ab" * n)
    d = list((n, 2.5, "x"))
    e = list(b)
    e.append(-1)  # a new list: b is unchanged
    return a, b, c, d, e, list([[n]])[0]


# --- the cases --------------------------------------------------------------------------------
register(tuple_pack_unpack, (2, 3), tags="cpython tuples")
register(list_constructor, (3,), tags="cpython lists")
register(tuple_packing_unpacking, (3, 4), tags="cpython tuples")
register(tuple_compare_and_concat, (1,), tags="cpython tuples bools")
register(nested_unpack, (10,), tags="cpython tuples lists")
register(tuple_ops, (4,), tags="cpython tuples bools")
register(tuple_ops, (3,), tags="cpython tuples bools memory sweep")
register(list_basics, (5,), tags="cpython lists")
register(list_slices, (2,), tags="cpython lists")
register(list_repeat_negative, (2,), tags="cpython lists strings tuples")
register(list_aliasing, (7,), tags="cpython lists")
register(list_concat_copy, (9,), tags="cpython lists")
register(list_comprehension_if, (7,), tags="cpython lists strings")
register(list_of_tuples, (5,), tags="cpython lists tuples")
register(list_equality, (1,), tags="cpython lists tuples bools")
register(augmented_subscript, (5,), tags="cpython lists")
register(list_argument, ([5, 3, 8, 1],), tags="cpython lists builtins")
register(list_literal_index, (9,), tags="cpython lists")
register(list_repeat, (3,), (0,), tags="cpython lists")
register(list_slicing, (10,), tags="cpython lists")
register(list_append_pop, (5,), tags="cpython lists")
register(list_iteration_sum, ([4, -2, 9],), tags="cpython lists")
register(list_comprehension_two_ifs, (12,), tags="cpython lists")
register(list_in, ([1, 2, 3], 2), ([1, 2, 3], 7), tags="cpython lists bools")
register(list_aliasing_rows, tags="cpython lists")
register(list_aliasing_names, tags="cpython lists")
register(list_setitem_augmented, (4,), tags="cpython lists")
register(list_concat_compare, (3,), tags="cpython lists bools")
register(list_of_lists, (3,), tags="cpython lists")
register(sum_len, ([1, 2, 3, 4],), tags="cpython lists builtins")
register(list_methods_mix, (9,), tags="cpython lists builtins")
register(list_methods_mix, (120,), tags="cpython lists builtins memory sweep")
register(lists_printed, (5,), (2,), tags="cpython lists tuples print")
register(string_ops, (42,), tags="cpython strings")
register(string_iteration, ("banana",), tags="cpython strings lists")
register(fstrings, (7, 2.5), tags="cpython strings floats")
register(str_of_values, (3,), tags="cpython strings")
register(string_concat_ops, ("foo", "bar"), ("", "x"), tags="cpython strings")
register(str_builtin, (42,), tags="cpython strings floats")
register(fstrings_ints_floats, (7, 2.71875), (-123, 0.5), tags="cpython strings floats")
register(string_repeat_and_loop, ("ab",), tags="cpython strings")
register(string_compare, ("abc", "abd"), tags="cpython strings bools")
register(repr_in_containers, tags="cpython strings")
register(max_of_strings, ("pear", "apple"), tags="cpython strings builtins")
register(string_building, (12,), tags="cpython strings")
register(string_building, (80,), tags="cpython strings memory sweep")
register(strings_printed, ("ab",), ("héllo wörld",), ("",), tags="cpython strings print")
register(fstrings_printed, (1234, "ab"), (-5, "xyz"), (65, "é"), tags="strings floats print")
