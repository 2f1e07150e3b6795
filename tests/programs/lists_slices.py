a = [5, 3, 8, 1]
b = a
a += [9]
print(b, len(a))
a *= 2
print(a[1:7:2], a[::-1][:3])
a[1] = 0
print(a)
print(min(a), max(a), sum(a), abs(-a[0]))
print([x * x for x in range(6) if x % 2], 8 in a, 4 not in a)
