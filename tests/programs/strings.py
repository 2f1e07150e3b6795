s = "epiphany"
print(s[0], s[-1], s[2:5], s[::2], len(s))
print("ep" in s, s + "!", s * 2)
n = 42
print(f"{n:5d}|{n:<4}|{n:x}|{3.5:.2f}|{s!r}")
print(str(n) + "x", int("17") + 1, float(n) / 8)
