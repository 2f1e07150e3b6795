# finally runs on every way out: the end, return, break, continue, an exception, a handler's raise
def f(x):
    try:
        if x == 0:
            return "zero"
        if x == 1:
            raise ValueError("one")
    except ValueError as e:
        print("handler", e)
        try:
            raise TypeError("in handler")
        finally:
            print("inner finally")
    else:
        print("else", x)
    finally:
        print("finally", x)
    return "end"


for x in range(3):
    try:
        print(f(x))
    except TypeError as e:
        print("outer", e)


def g():
    try:
        return 1
    finally:
        return 2  # noqa: B012


print(g())
total = 0
for i in range(6):
    try:
        try:
            if i % 2:
                continue
            if i == 4:
                break
            total += i
        finally:
            total += 100
    except ValueError:
        pass
print(total)
try:
    try:
        raise IndexError("a")
    finally:
        print("cleanup")
except IndexError as e:
    print("got", e)
try:
    raise KeyError("key")
except KeyError as e:
    print(str(e), repr(e), e.args)
try:
    raise Exception("a", 1, [2])
except BaseException as e:
    print(e, repr(e), len(e.args))
