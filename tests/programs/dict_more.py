d = {1: 2, 3: 4, "k": [5]}
print(d.popitem(), d.popitem(), d, len(d))
print(dict.fromkeys([1, 2, 3]), dict.fromkeys("ab", 0), dict.fromkeys(range(3), [1]))
print(dict.fromkeys({"x": 1, "y": 2}.items()), dict.fromkeys([]))
d.update(a=5)
d.update([(1, 5)], b=6)
d.update({"c": 7}, a=8)
d.update(["xy"])
print(d, d.update(z=0), len(d))
lst = [1, 2, 3]
alias = lst
lst.clear()
print(lst, alias, len(lst))
lst.append(4)
print(alias)
e = {}
e.clear()
print(e, {}.popitem() if e else "empty")
print(e.popitem())
