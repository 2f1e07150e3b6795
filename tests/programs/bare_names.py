# a builtin, a function or a module attribute alone as a statement: evaluated, no effect
# ruff: noqa: B018, B904
import math


def helper():
    return 1


try:
    enumerate
    str.count
    math.pi
    helper
    print("all exist")
except (NameError, AttributeError):
    print("SKIP")
    raise SystemExit
x = 3
x
print(list(enumerate("ab")), "abca".count("a"))
