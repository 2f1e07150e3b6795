d = {"a": 1, 2: [3]}
print(f"{d!s:>30}|{d!r:<25}|{d.keys()!s:^30}|")
print([d.keys(), d.values(), d.items()], (d,))
e = {range(3): 1, -0.0: "z", 1.5: "f"}
print(e, e[0], e[range(0, 3)], 0 in e, 0.0 in e)
k, v = {"p": 1, "q": 2}.items()
print(k, v)
a, b = {"p": 1, "q": 2}.values()
print(a + b, len(d.items()), bool({}.values()), bool(d.keys()))
print(sum({1: 0, 2: 0}), min({"b": 1, "a": 2}), max({3: 1, 5: 2}.values()))
print(list(enumerate(d)), list(zip(d, d.values())))
x = {}
for i in range(3):
    x[i] = {j: i * j for j in range(i)}
print(x, x == {0: {}, 1: {0: 0}, 2: {0: 0, 1: 2}})
print({1: 2} == {1: 2, 3: 4}, {"a": [1, {2: 3}]} == {"a": [1, {2: 3}]})
y = dict(x)
y[0][5] = 5
print(x[0], y == x)
print(str(d), str(d.items()), f"{d.values()}")
z = {1: 1}
print(z.get(1.0), z.get(True), {True: "t"}[1], {1.0: "f"}[True])
for k in {}:
    print("never")
print({i: i for i in []}, dict([]), dict(()), dict({}))
