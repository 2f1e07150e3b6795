"""Kernels whose disassembly is kept as golden files (catches unintended compiler changes)."""
from epython.parallel import coreid, reduce
from tests.kernels.case import register


def golden_mix(a, b=3):
    s = 0
    for i in range(a):
        if i % 2 == 0 and i > b:
            s += i * b
        elif 1 < i < 5:
            continue
        else:
            s -= 1
    xs = [i * i for i in range(4) if i]
    t = f"{s:5d}|{xs!r}"
    return reduce(s, "sum") + coreid(), t, xs[-1]


# the golden file's line numbers are those of the function above: it stays at line 6
register(golden_mix, (9,), (6, 1), tags="cpython golden control strings lists comm")
