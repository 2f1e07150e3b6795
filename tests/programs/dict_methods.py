d = {"a": 1, "b": 2}
print(d.get("a"), d.get("z"), d.get("z", 0), d.get("a", 0))
print(d.keys(), d.values(), d.items())
print(len(d.keys()), "a" in d.keys(), 2 in d.values(), ("a", 1) in d.items(), ("a", 2) in d.items())
print(d.setdefault("a", 5), d.setdefault("c", 7), d.setdefault("n"), d)
print(d.pop("a"), d.pop("zz", -1), d)
d.update({"b": 20, "x": 9})
print(d)
d.update([("y", 1), ["z", 2]])
d.update(zip(["u", "v"], [5, 6]))
print(d)
c = d.copy()
c["new"] = 1
print(d, c, c == d)
c.clear()
print(c, len(c))
print(dict(), dict(a=1, b=2), dict([(1, 2), (3, 4)]), dict({"k": "v"}), dict(d) == d)
print(dict([(1, 2)], z=3), dict(enumerate("ab")), dict(zip("xy", range(2))))
ks = d.keys()
d["late"] = 0
print(ks, len(ks))
print(d.pop("late"), d.pop("u"))
print({**d, "extra": 1})
counts = {}
for w in ["the", "cat", "the", "dog", "the"]:
    counts[w] = counts.get(w, 0) + 1
print(counts)
groups = {}
for n in range(10):
    groups.setdefault(n % 3, []).append(n)
print(groups)
print(d.pop("nope"))
