"""``random`` in kernels: the generator both interpreters run, defined here as the executable spec
(device/core/random.c is its C twin; docs/language.md, "Random numbers").

* State: one 32-bit word per core, never 0.  Each launch starts a core at
  ``mix32(DEFAULT_SEED + core)``; ``seed(n)`` sets it to ``mix32(n mod 2**32)`` (the same stream on
  every core that uses the same n), ``seed()`` back to the core's launch state.
* Step: Marsaglia's xorshift32 (shifts 13, 17, 5; period 2**32 - 1).
* ``random()``: the top 24 bits of the next word times 2**-24, a binary32 in [0, 1).
* An integer below n (1 <= n <= 2**32): words are drawn until one is below the largest multiple
  of n that fits 32 bits, then taken modulo n (no bias).
* ``randrange``/``randint``: start + step * (an integer below the range's length);
  ``uniform(a, b)``: ``a + (b - a) * random()`` in the kernel's binary32 arithmetic;
  ``choice(s)``: ``s[below(len(s))]``; ``shuffle(x)``: Fisher-Yates from the end, as CPython.
"""

from __future__ import annotations

from typing import Any

from epython.bytecode.opcodes import ErrorCode, Op
from esim.cores import ops
from esim.cores.values import Array, Fault, f32, type_name

__all__ = ["DEFAULT_SEED", "Rng", "mix32"]

MASK = 0xFFFFFFFF
#: Added to the core id for the launch state of each core.
DEFAULT_SEED = 0x5EED0000


def mix32(x: int) -> int:
    """MurmurHash3's 32-bit finaliser (fmix32) of x; 0 maps to 1 (xorshift's state is never 0)."""
    x &= MASK
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & MASK
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & MASK
    x ^= x >> 16
    return x or 1


class Rng:
    """One core's generator for one launch."""

    __slots__ = ("core", "state")

    def __init__(self, core: int) -> None:
        self.core = core
        self.state = mix32(DEFAULT_SEED + core)

    def next32(self) -> int:
        """The next 32-bit word (xorshift32)."""
        x = self.state
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
        self.state = x
        return x

    def below(self, n: int) -> int:
        """An integer in [0, n), 1 <= n <= 2**32, without bias."""
        if n == 1 << 32:
            return self.next32()
        limit = ((1 << 32) // n) * n
        while True:
            x = self.next32()
            if x < limit:
                return x % n

    def random(self) -> float:
        """A binary32 in [0, 1)."""
        return (self.next32() >> 8) * (1.0 / (1 << 24))


def _int(v: Any, what: str) -> int:
    if type(v) is int or type(v) is bool:
        return int(v)
    raise Fault(ErrorCode.TypeError, f"{what}: '{type_name(v)}' object cannot be interpreted as an "
                "integer")


def _number(v: Any, what: str) -> float:
    if type(v) is float:
        return float(v)
    if type(v) is int or type(v) is bool:
        return f32(float(v))
    raise Fault(ErrorCode.TypeError, f"{what} needs numbers, not '{type_name(v)}'")


def randrange(rng: Rng, args: tuple[Any, ...]) -> int:
    """randrange(stop) / randrange(start, stop[, step])."""
    if len(args) == 1:
        stop = _int(args[0], "randrange()")
        if stop <= 0:
            raise Fault(ErrorCode.ValueError, f"empty range in randrange({stop})")
        return rng.below(stop)
    start, stop = _int(args[0], "randrange()"), _int(args[1], "randrange()")
    step = _int(args[2], "randrange()") if len(args) == 3 else 1
    if step == 0:
        raise Fault(ErrorCode.ValueError, "zero step for randrange()")
    n = (stop - start + step - 1) // step if step > 0 else (stop - start + step + 1) // step
    if n <= 0:
        shown = f"{start}, {stop}" + (f", {step}" if len(args) == 3 else "")
        raise Fault(ErrorCode.ValueError, f"empty range in randrange({shown})")
    return start + step * rng.below(n)


def call(rng: Rng, name: str, args: tuple[Any, ...], subscr: Any) -> Any:
    """The builtin ``random.<name>`` on ``args`` (``subscr``: the interpreter's indexing, for
    choice)."""
    if name == "random":
        return rng.random()
    if name == "seed":
        if not args or args[0] is None:
            rng.state = mix32(DEFAULT_SEED + rng.core)
        else:
            rng.state = mix32(_int(args[0], "seed()"))
        return None
    if name == "randint":
        a, b = _int(args[0], "randint()"), _int(args[1], "randint()")
        if b < a:
            raise Fault(ErrorCode.ValueError, f"empty range in randint({a}, {b})")
        return a + rng.below(b - a + 1)
    if name == "randrange":
        return randrange(rng, args)
    if name == "uniform":
        lo, hi = _number(args[0], "uniform()"), _number(args[1], "uniform()")
        return ops.binary(Op.BINARY_ADD, lo, ops.binary(Op.BINARY_MUL, ops.binary(
            Op.BINARY_SUB, hi, lo), rng.random()))
    if name == "choice":
        seq = args[0]
        if type(seq) not in (list, tuple, str, range) and type(seq) is not Array:
            raise Fault(ErrorCode.TypeError, f"choice() needs a sequence, not '{type_name(seq)}'")
        n = len(seq)
        if n == 0:
            raise Fault(ErrorCode.IndexError, "Cannot choose from an empty sequence")
        return subscr(seq, rng.below(n))
    if name == "shuffle":
        x = args[0]
        if type(x) is not list:
            raise Fault(ErrorCode.TypeError, f"'{type_name(x)}' object does not support item "
                        "assignment (kernels shuffle lists)")
        for i in range(len(x) - 1, 0, -1):
            j = rng.below(i + 1)
            x[i], x[j] = x[j], x[i]
        return None
    raise AssertionError(name)  # pragma: no cover - the builtin table lists these names
