# comprehensions with several for clauses, nested left to right as in CPython
print([(x, y) for x in range(3) for y in range(x)])
print([x * y for x in [1, 2, 3] if x != 2 for y in (10, 20) if y > x * 5])
print([c for word in ["ab", "", "cde"] for c in word])
print({k: v for k in "ab" for v in range(2)})
rows = [[1, 2], [3], []]
print([v for row in rows for v in row], sum([v for row in rows for v in row]))
print([(a, b, c) for a in range(2) for b in range(2) for c in range(2) if a + b + c == 2])
x = "outer"
print([x for x in range(2) for x in (x, x * 10)], x)
try:
    print([a for a in [1, 2] for b in 5])
except TypeError as e:
    print("TypeError", e)
