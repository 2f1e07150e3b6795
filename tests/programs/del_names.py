# del of locals and globals: the name is unset again, as in CPython
# ruff: noqa: F821
def f():
    x = 1
    y = [2]
    del x
    try:
        print(x)
    except NameError:
        print("NameError after del")
    try:
        del x
    except NameError:
        print("NameError on a second del")
    x = 5
    del (x, y)
    try:
        print(y)
    except UnboundLocalError:
        print("UnboundLocalError")
    return "done"


print(f())
g = 1
print(g)
del g
try:
    print(g)
except NameError:
    print("NameError for a global")
a, b = 1, 2
del [a], b
try:
    print(a)
except NameError:
    print("NameError", "a")
a = 3
print(a)
