"""Case families: multi-core communication kernels and failing kernels, with their outcomes.

``comm_cases()`` draws a :class:`CommCase`: a kernel with send/recv over a permutation, sendrecv
over a matching for large values, bcast, reduce with each op and barriers, plus the expected
per-core results and printed lines computed in Python.  ``failing_cases()`` draws a
:class:`FailingCase`: a kernel that fails on a known core and line with a known class
(ZeroDivisionError, IndexError, OverflowError, MemoryError, AssertionError, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from epython.testing.strategies.args import format_args, int32_arrays, int32s

__all__ = ["COMM_MODULUS", "CommCase", "FAILURES", "FailingCase", "NUM_CORES", "comm_cases",
           "failing_cases"]

#: the cores of the chip the families draw from (the default e16)
NUM_CORES = 16


# --- communication kernels ----------------------------------------------------------------------
#: every value the communication kernels compute is taken modulo this prime (ints stay small)
COMM_MODULUS = 100003


@dataclass
class CommCase:
    """A multi-core kernel over ``cores`` with its expected results and printed lines per core."""

    source: str
    cores: list[int]
    args: tuple[Any, ...]
    expected: dict[int, Any]
    lines: dict[int, list[str]]
    name: str = "kernel"

    def describe(self) -> str:
        """The kernel's source, cores and arguments, for a failure report."""
        return (f"--- kernel (cores {self.cores}) ---\n{self.source}\n--- arguments ---\n"
                f"{format_args(self.args)}")


@st.composite
def comm_cases(draw: Any, max_phases: int = 5) -> CommCase:
    """Phases of communication over a generated subset of the chip's cores (see module doc)."""
    cores = sorted(draw(st.one_of(st.just(list(range(NUM_CORES))),
                                  st.sets(st.integers(0, NUM_CORES - 1), min_size=1,
                                          max_size=NUM_CORES).map(sorted))))
    seed = draw(st.integers(-1000, 1000))
    x = {c: (seed + c * 7) % COMM_MODULUS for c in cores}
    lines_out: dict[int, list[str]] = {c: [] for c in cores}
    consts: list[str] = []
    body = ["    me = coreid()", "    x = (a + me * 7) % 100003"]
    phases = draw(st.lists(st.sampled_from(["perm", "pairs", "bcast", "sum", "min", "max",
                                            "prod", "local", "print", "sync"]),
                           min_size=1, max_size=max_phases))
    for k, phase in enumerate(phases):
        if phase == "perm":
            perm = draw(st.permutations(cores))
            dest = [-1] * NUM_CORES
            src = [-1] * NUM_CORES
            for c, p in zip(cores, perm):
                dest[c] = p
                src[p] = c
            consts += [f"DEST{k} = {tuple(dest)!r}", f"SRC{k} = {tuple(src)!r}"]
            body += [f"    send(x, DEST{k}[me])", f"    x = recv(SRC{k}[me])"]
            x = {c: x[src[c]] for c in cores}
        elif phase == "pairs":
            order = draw(st.permutations(cores))
            pair = [-1] * NUM_CORES
            for i in range(0, len(order) - 1, 2):
                pair[order[i]], pair[order[i + 1]] = order[i + 1], order[i]
            size = draw(st.integers(1, 20))  # more than ~10 ints is not eager: sendrecv
            consts.append(f"PAIR{k} = {tuple(pair)!r}")
            body += [f"    if PAIR{k}[me] >= 0:",
                     f"        x = (sum(sendrecv([x] * {size}, PAIR{k}[me])) + me) % 100003"]
            x = {c: ((x[pair[c]] * size + c) % COMM_MODULUS if pair[c] >= 0 else x[c]) for c in cores}
        elif phase == "bcast":
            root = draw(st.sampled_from(cores))
            body.append(f"    x = bcast(x + me, {root}) % 100003")
            x = {c: (x[root] + root) % COMM_MODULUS for c in cores}
        elif phase in ("sum", "min", "max"):
            body.append(f'    x = reduce(x, "{phase}") % 100003')
            fn = {"sum": sum, "min": min, "max": max}[phase]
            v = fn(x[c] for c in cores) % COMM_MODULUS  # type: ignore[operator]
            x = {c: v for c in cores}
        elif phase == "prod":
            body.append('    x = reduce(x % 3 + 1, "prod") % 100003')
            v = 1
            for c in cores:
                v *= x[c] % 3 + 1
            x = {c: v % COMM_MODULUS for c in cores}
        elif phase == "local":
            m = draw(st.integers(2, 9))
            body.append(f"    x = (x * {m} + me) % 100003")
            x = {c: (x[c] * m + c) % COMM_MODULUS for c in cores}
        elif phase == "print":
            body.append(f'    print("phase", {k}, me, x)')
            for c in cores:
                lines_out[c].append(f"phase {k} {c} {x[c]}")
        else:
            body.append("    sync()")
    text_lines: list[str] = ["from epython.parallel import bcast, coreid, numcores, recv, reduce, send, sendrecv, sync",
           ""] + consts + ["", "", "def kernel(a):"] + body + ["    return x", ""]
    return CommCase("\n".join(text_lines), cores, (seed,), x, lines_out)


# --- failing kernels ----------------------------------------------------------------------------
@dataclass
class FailingCase:
    """A kernel that raises ``error`` on core ``core`` at line ``lineno`` (others return ``ok``)."""

    source: str
    cores: list[int]
    args: tuple[Any, ...]
    error: type[BaseException]
    core: int
    lineno: int
    ok: dict[int, Any] = field(default_factory=dict)
    cpython: bool = True  # CPython raises the same class for the undecorated function
    name: str = "kernel"

    def describe(self) -> str:
        """The kernel's source, cores, expected error and arguments, for a failure report."""
        return (f"--- kernel (cores {self.cores}; expect {self.error.__name__} on core "
                f"{self.core}, line {self.lineno}) ---\n{self.source}\n--- arguments ---\n"
                f"{format_args(self.args)}")


#: kind -> (lines of the failing block, index of the failing line in it, class, CPython agrees)
FAILURES: dict[str, tuple[list[str], int, type[BaseException], bool]] = {
    "zerodiv_int": (["x = a // (b - b)"], 0, ZeroDivisionError, True),
    "zerodiv_mod": (["x = a % (b - b)"], 0, ZeroDivisionError, True),
    "zerodiv_float": (["x = float(a) / (b * 0.0)"], 0, ZeroDivisionError, True),
    "index_list": (["lst = [a, b]", "x = lst[len(lst) + b % 3]"], 1, IndexError, True),
    "index_neg": (["lst = [a, b, a]", "x = lst[-4 - b % 3]"], 1, IndexError, True),
    "index_array": (["x = arr[len(arr) + b % 3]"], 0, IndexError, True),
    "overflow_mul": (["x = abs(a % 1000) + 2", "for i in range(40):", "    x = x * 2 + 1"], 2,
                     OverflowError, False),
    "overflow_add": (["x = 2147483647 - b % 5", "x = x + 10"], 1, OverflowError, False),
    "overflow_neg": (["x = -2147483647 - 1", "x = -x"], 1, OverflowError, False),
    "overflow_floordiv": (["x = -2147483647 - 1", "x = x // -1"], 1, OverflowError, False),
    "overflow_shift": (["x = (a % 7 + 1) << 31"], 0, OverflowError, False),
    "memory_list": (["s = [a]", "for i in range(17):", "    s = s + s"], 2, MemoryError, False),
    "memory_append": (["s = []", "while True:", "    s.append([a, b, a, b])"], 2, MemoryError,
                      False),
    "assertion": (["x = abs(a % 100) + 5", 'assert x < 5, "x too large"'], 1, AssertionError,
                  True),
    "value_sqrt": (["x = math.sqrt(-1.0 - abs(b % 9))"], 0, ValueError, True),
    "raise": (['raise RuntimeError("stop")'], 0, RuntimeError, True),
}


@st.composite
def failing_cases(draw: Any) -> FailingCase:
    """A kernel failing on one core (or every core) at a known line with a known class."""
    kind = draw(st.sampled_from(sorted(FAILURES)))
    block, at, error, cpython = FAILURES[kind]
    cores = draw(st.one_of(st.just([0]), st.just(list(range(NUM_CORES))),
                           st.sets(st.integers(0, NUM_CORES - 1), min_size=1, max_size=4)
                           .map(sorted)))
    bad = draw(st.sampled_from(cores))
    every = draw(st.booleans()) and len(cores) == 1
    a = draw(int32s())
    b = draw(st.integers(-100, 100))
    head = ["import math", "from epython.parallel import coreid", "", "",
            "def kernel(a, b, arr):", "    me = coreid()", "    x = me * 3 + 1"]
    if every:
        inner = ["    " + line for line in block]
    else:
        inner = [f"    if me == {bad}:"] + ["        " + line for line in block]
    lineno = len(head) + (0 if every else 1) + at + 1
    src = head + inner + ["    return x + 1", ""]
    ok = {c: c * 3 + 2 for c in cores if c != bad}
    arr = draw(int32_arrays(4))
    return FailingCase("\n".join(src), cores, (a, b, arr), error, bad, lineno, ok, cpython)
