"""Dict kernels (issue 17): displays, comprehensions, methods, views, iteration, dicts as
arguments and results, and dicts that grow and shrink in a full workspace (the memory sweep
runs them at many workspace sizes: MemoryError at the same allocation on every engine)."""

from __future__ import annotations

from tests.kernels.case import register


def dict_display(n):
    d = {"a": n, "b": n * 2, 3: [n], (1, 2): None}
    d["c"] = d["a"] + d["b"]
    return d, len(d), "a" in d, 3 in d, "zz" not in d


def dict_numeric_keys(n):
    d = {}
    d[1] = "int"
    d[1.0] = "float"
    d[True] = "bool"
    d[n + 0.5] = "half"
    return d, d[1], len(d), 1.0 in d, d.get(True)


def dict_comprehension(n):
    sq = {i: i * i for i in range(n) if i % 3}
    inv = {v: k for k, v in sq.items()}
    return sq, inv


def dict_methods(n):
    d = dict(a=1, b=2)
    d.update({"c": 3})
    d.update([("d", 4), ("e", n)])
    r = [d.get("a"), d.get("z", -1), d.setdefault("f", 6), d.setdefault("a", 0), d.pop("b"),
         d.pop("zz", None)]
    c = d.copy()
    c.clear()
    return d, c, r, list(d.keys()), list(d.values()), list(d.items())


def dict_iteration(n):
    d = {k: k * n for k in range(5)}
    out = []
    for k in d:
        out.append(k)
    for k, v in d.items():
        out.append(v - k)
    for i, v in enumerate(d.values()):
        out.append(i + v)
    for k in d:
        d[k] = -d[k]
    return out, d, sum(d), max(d.values())


def dict_print(n):
    d = {"s": "x", "n": n, "f": 1.5, "t": (1,), "l": [None, True], "d": {}}
    print(d)
    print(d.keys(), d.values())
    print(d.items())
    print(f"{d!r} {len(d)}")
    return str(d)


def dict_equality(n):
    a = {1: [n], "k": (2, 3)}
    b = {"k": (2, 3), 1: [n]}
    return a == b, a != b, a == {1: [n]}, {1: 1} == {1: 1.0}, {} == {}, a == [1]


def dict_delete(n):
    d = {i: str(i) for i in range(n)}
    del d[0]
    del d[n - 1]
    lst = list(range(n))
    del lst[1]
    del lst[-1]
    return d, lst


def dict_argument(d, key):
    d[key] = d.get(key, 0) + 1
    d["new"] = [key]
    return d


def dict_counter(n):
    counts = {}
    for i in range(n):
        w = "abcab"[i % 5]
        counts[w] = counts.get(w, 0) + 1
    groups = {}
    for i in range(n):
        groups.setdefault(i % 3, []).append(i)
    return counts, groups


def dict_grow_shrink(n):
    d = {}
    for i in range(n):
        d[i] = str(i)
        if i % 4 == 3:
            del d[i - 2]
    total = 0
    for k, v in d.items():
        total += k + len(v)
    return total, len(d)


def dict_of_dicts(n):
    outer = {}
    for i in range(n):
        outer[i] = {"i": i, "sq": [i * i]}
    return [outer[k]["sq"][0] for k in outer]


register(dict_display, (3,), tags="cpython dicts")
register(dict_numeric_keys, (2,), tags="cpython dicts floats")
register(dict_comprehension, (10,), tags="cpython dicts")
register(dict_methods, (5,), tags="cpython dicts")
register(dict_iteration, (3,), tags="cpython dicts")
register(dict_print, (7,), tags="cpython dicts print strings")
register(dict_equality, (4,), tags="cpython dicts")
register(dict_delete, (6,), tags="cpython dicts lists")
register(dict_argument, ({"a": 1, 2: [3.5], "t": (1, "x")}, "a"), ({}, "z"), tags="cpython dicts")
register(dict_counter, (23,), tags="cpython dicts")
register(dict_grow_shrink, (40,), tags="cpython dicts memory")
register(dict_grow_shrink, (300,), tags="cpython dicts memory sweep")
register(dict_of_dicts, (30,), tags="cpython dicts memory sweep")
