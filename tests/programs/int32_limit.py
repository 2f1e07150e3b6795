# expect: int32
# the kernel's ints are int32: this overflows on the cores, not under CPython
x = 1
for i in range(40):
    x = x * 2
print(x)
