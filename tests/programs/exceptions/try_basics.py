try:
    raise ValueError("bad", 3)
except (TypeError, ValueError) as e:
    print("caught", e, repr(e), e.args, str(e))
def f(n):
    if n == 0:
        raise KeyError("k")
    return f(n - 1)
try:
    f(3)
except LookupError as e:
    print("lookup", e, repr(e))
for i in range(4):
    try:
        if i == 1:
            continue
        if i == 3:
            break
        print("body", i)
    finally:
        print("finally", i)
def g():
    try:
        return 1
    finally:
        print("g finally")
print(g())
try:
    try:
        [1][5]
    except IndexError:
        print("inner")
        raise
except Exception as e:
    print("outer", repr(e))
try:
    x = 1
except:  # noqa: E722
    print("no")
else:
    print("else", x)
finally:
    print("fin")
def reraise_object():
    e2 = RuntimeError()
    try:
        raise e2
    except RuntimeError as e:
        print("rt", repr(e), e.args)


reraise_object()
try:
    raise NotImplementedError
except RuntimeError as e:
    print(repr(e))
