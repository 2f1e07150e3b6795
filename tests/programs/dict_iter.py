d = {"one": 1, "two": 2, "three": 3}
for k in d:
    print(k, d[k])
for k in d.keys():
    print(k, end=" ")
print()
for v in d.values():
    print(v, end=" ")
print()
for k, v in d.items():
    print(k, "=", v)
for i, (k, v) in enumerate(d.items()):
    print(i, k, v)
print(list(d), list(d.values()), list(d.items()))
print(sum(d.values()), max(d), min(d.values()), len(d))
sq = {i: i * i for i in range(6) if i != 3}
print(sq)
inv = {v: k for k, v in d.items()}
print(inv)
pairs = {(i, j): i * j for i, j in zip(range(3), range(3, 6))}
print(pairs)
for k in d:
    d[k] = d[k] * 10
print(d)
lst = []
lst += d
lst.extend(d.values())
print(lst)
a, b, c = d.values()
print(a, b, c)
print([k for k in d if d[k] > 15])
for k in list(d):
    if d[k] == 20:
        del d[k]
print(d)
n = 0
for k in d:
    n += 1
    if n == 2:
        d["new"] = 1
print("not reached")
