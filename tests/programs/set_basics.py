# sets: displays, set(), comprehensions, in, len, truth, ==, subset order, operators
# ruff: noqa: B015, B018, B033
s = {1, 2, 3}
print(s, len(s), 2 in s, 5 not in s, bool(s), bool(set()), set())
print(set(range(4)), set([3, 3, 1]) == {1, 3}, {1, 1.0, True}, {0, False})
print(sorted(set("hello")), sorted({x % 3 for x in range(10)}), {(1, 2), (1, 2)})
a, b = {1, 2, 3, 4}, {3, 4, 5}
print(sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b), sorted(b - a))
print(a <= a, a < a, {3} < a, a > {1}, a >= b, {1} == {1.0}, {1} != {2}, {1} == [1])
total = 0
for x in {5, 6, 7}:
    total += x
print(total, sorted({"b", "a"}), sum({1, 2}), min({4, 2, 9}), max({4, 2, 9}))
p, q = {7, 8}
print(sorted([p, q]), list({1, 2}), [{1}], {"k": {2}}, ({3},))
alias = a
a |= {9}
a -= {1}
a &= {2, 3, 9, 10}
a ^= {2, 11}
print(sorted(a), alias == a, sorted(alias))
n = 6
n |= 1
n &= 5
n ^= 3
n -= 1
f = 1.5
f -= 1
print(n, f)
empty = set()
print(empty, len(empty), sorted(empty | {1}))
