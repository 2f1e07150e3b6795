# errors raised by the VM itself are caught as in CPython, by class and by base class
def attempt(k):
    try:
        if k == 0:
            return 1 // 0
        if k == 1:
            return [1, 2][9]
        if k == 2:
            return 1 + "a"
        if k == 3:
            return int("x")
        if k == 4:
            return (1, 2)[0:1][5]
        if k == 5:
            assert k < 0, "five"
        return "ok"
    except ArithmeticError as e:
        return "arith " + str(e)
    except LookupError as e:
        return "lookup " + repr(e)
    except (TypeError, ValueError) as e:
        return "tv " + str(e.args)
    except AssertionError as e:
        return "assert " + str(e)


for k in range(7):
    print(k, attempt(k))


def depth(n):
    try:
        return depth2(n)
    finally:
        print("unwound", n)


def depth2(n):
    if n == 0:
        raise RuntimeError("deep", n)
    return depth(n - 1)


try:
    depth(2)
except Exception as e:
    print("caught", repr(e))
