# a name defined nowhere raises NameError when its line runs, as in CPython
# ruff: noqa: F821
try:
    foo()
except NameError as e:
    print("NameError", e)
try:
    print(1 + undefined_value)
except NameError as e:
    print("NameError", e, e.args)


def f(flag):
    if flag:
        return missing_helper(flag)
    return "fine"


print(f(False))
try:
    f(True)
except NameError as e:
    print("NameError in f", e)
