d = {1: "a"}
print(d.get((1, 2)), (1, [2]) in [1], 1 in d)
d[(1, 2, (3, 4))] = "deep"
print(d)
x = [1]
d[x] = 2
