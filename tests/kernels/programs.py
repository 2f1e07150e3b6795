"""Small whole programs: gcd, primes, Collatz, sorting, matrix product, a polynomial, a
Monte Carlo estimate with its own generator."""
from __future__ import annotations

from tests.kernels.case import register


def gcd_loop(a, b):
    while b:
        a, b = b, a % b
    return a


def primes(n):
    found = []
    for k in range(2, n):
        is_prime = True
        for d in found:
            if d * d > k:
                break
            if k % d == 0:
                is_prime = False
                break
        if is_prime:
            found.append(k)
    return found


def collatz_steps(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def bubble(xs):
    ys = list_copy(xs)
    n = len(ys)
    for i in range(n):
        for j in range(n - 1 - i):
            if ys[j] > ys[j + 1]:
                ys[j], ys[j + 1] = ys[j + 1], ys[j]
    return ys


def list_copy(xs):
    return [x for x in xs]


def matrix_mult(n):
    a = [[i + j for j in range(n)] for i in range(n)]
    b = [[i * j for j in range(n)] for i in range(n)]
    c = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            s = 0
            for k in range(n):
                s += a[i][k] * b[k][j]
            c[i][j] = s
    return c


def poly(n):
    x = 0.5
    acc = 0.0
    for i in range(n):
        acc = acc + ((1.5 * x - 2.25) * x + 0.125) * x - 1.0 / (x + 3.0)
        x = x + 0.001
    return acc


def lcg_pi(n):
    seed = 12345
    inside = 0
    for i in range(n):
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        x = seed / 2147483647.0
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        y = seed / 2147483647.0
        if x * x + y * y <= 1.0:
            inside += 1
    return 4.0 * inside / n


# --- the cases --------------------------------------------------------------------------------
register(gcd_loop, (1071, 462), tags="cpython ints control")
register(primes, (40,), tags="cpython ints lists control")
register(collatz_steps, (27,), tags="cpython ints control")
register(bubble, ([5, 1, 4, 2, 8],), tags="cpython lists functions")
register(matrix_mult, (4,), tags="cpython lists ints")
register(poly, (300,), tags="floats")
register(lcg_pi, (300,), tags="ints floats")
