r = range(3, 17, 4)
print(len(r), r[1], r[-1], 11 in r, 12 in r)
x, y = range(2)
print(x, y, range(5)[2:][0])
for i in range(10, 0, -3):
    print(i, end=" ")
print()
