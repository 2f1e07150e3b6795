# a function defined several times: each call goes to the def bound at that moment
def f():
    return "first"


print(f())


def f(x=2):
    return x * 10


print(f(), f(3))


def g(n):
    def h(m):
        return m + 1
    return h(n)


print(g(4))


def f():
    try:
        return "try"
    finally:
        print("finally")


print(f())
