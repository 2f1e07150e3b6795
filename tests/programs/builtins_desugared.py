# all(), any(), divmod() and pow() (compiled to loops and operators)
tests = ((), [], [False], [True], [False, True], [True, False], [0, 0], [1, 2], range(10), "ab", "")
for t in tests:
    print(all(t), any(t))
print(all([x > 0 for x in [1, 2, 3]]), any([x > 2 for x in [1, 2, 3]]))
print(all({}), any({0: 1}), any({1: 0}))
for i in range(-3, 4):
    for j in (-4, -1, 2, 3):
        print(i, j, divmod(i, j), pow(i, 2), pow(j, 3))
print(divmod(7.5, 2), divmod(-7.5, 2.0), divmod(True, 2))
print(pow(2, -1), pow(2.0, 3), pow(-8, 0))
try:
    divmod(1, 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
try:
    divmod("a", "b")
except TypeError:
    print("TypeError")
try:
    all(5)
except TypeError as e:
    print("TypeError", e)
try:
    pow(2, "x")
except TypeError as e:
    print("TypeError", e)
