# RecursionError is caught (as itself and as a RuntimeError) and the kernel goes on
def deep(n):
    return deep(n + 1) + 1


for attempt in range(2):
    try:
        deep(0)
    except RecursionError:
        print("recursion", attempt)
    try:
        deep(0)
    except RuntimeError:
        print("as a RuntimeError")
print(len([1] * 100), [k * k for k in range(5)])
try:
    raise ValueError("v")
except ValueError as e:
    print(e.args, len(e.args))
