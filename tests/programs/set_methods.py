# set methods, CPython's results
s = {1, 2}
print(s.add(3), sorted(s), s.add(3), len(s))
print(s.discard(1), s.discard(99), sorted(s))
print(s.remove(2), sorted(s))
t = {4}
print(t.pop(), t, len(t))
u = {1, 2, 3}
c = u.copy()
c.add(4)
print(sorted(u), sorted(c), u.clear(), u)
v = {1}
print(v.update([2], (3,), "ab"), sorted(v, key=str), v.update(), len(v))
w = {1, 2, 3, 4}
print(sorted(w.union()), sorted(w.union([5], {6})), sorted(w.intersection([2, 3, 9], {3})))
print(sorted(w.difference([1], {2})), sorted(w.symmetric_difference([4, 5])))
print(w.intersection_update([1, 2, 3]), sorted(w), w.difference_update({1}, [2]), sorted(w))
print(w.symmetric_difference_update([3, 7]), sorted(w))
print({1, 2}.issubset([1, 2, 3]), {1, 4}.issubset({1}), {1, 2}.issuperset([1]),
      {1}.issuperset(range(3)), {1, 2}.isdisjoint([3]), {1}.isdisjoint(range(2)))
x = {1, 2}
x.symmetric_difference_update(x)
print(x, sorted(set(range(3)).union(range(2, 5))), sorted(set("ab").intersection("bc")))
