# module-level names that functions read and assign (global), as MicroPython's basics do
count = 0
step = 3


def bump():
    global count
    count = count + step


def show():
    print("count", count)


for i in range(4):
    bump()
    show()
total = count * 2
print(total)
