# hex(), oct() and bin() of ints and bools, and their TypeError
for v in (0, 1, -1, 15, -15, 12345, 0x12345, -2147483648, 2147483647, True, False):
    print(hex(v), oct(v), bin(v))
print(bin(0b10101010101010101010), len(bin(-7)))
for bad in (1.5, "12", None, [1]):
    try:
        hex(bad)
    except TypeError as e:
        print("TypeError", e)
    try:
        bin(bad)
    except TypeError as e:
        print("TypeError", e)
