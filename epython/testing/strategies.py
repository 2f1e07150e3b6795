"""Hypothesis strategies for epython kernels: random valid kernels, failing kernels, arguments.

Kernels are generated as small typed syntax trees and rendered to source text, so that
hypothesis shrinks them statement by statement and expression by expression.  Every tree is
rendered twice with the same line layout:

* ``KernelCase.source``: the kernel as a user writes it (a module with a function ``kernel``);
* ``KernelCase.ref_source``: the *reference*, the same function with each arithmetic result
  passed through the helpers of :mod:`epython.testing.compare` (int32 check, binary32
  rounding), so CPython computes what docs/language.md says the cores compute.

Generated programs terminate by construction: ``for`` loops run over ``range`` of a bounded
count, ``while`` loops count a fresh counter up to a literal bound (incremented first in the
body, so ``continue`` cannot skip it), recursion is bounded by a ``% 6`` argument.

Public strategies (all return hypothesis strategies):

``int32s()``, ``float32s()``, ``int32_arrays()``, ``float32_arrays()``
    argument values with edge values (0, -1, int32 bounds, subnormals, inf, nan, empty arrays).
``kernel_cases(floats=..., arrays=..., multicore=..., prints=...)``
    a :class:`KernelCase` (source, reference source, argument kinds and drawn arguments).
``comm_cases()``
    a :class:`CommCase`: a multi-core kernel with send/recv over a permutation, sendrecv over a
    matching for large values, bcast, reduce with each op and barriers, plus the expected
    per-core results and printed lines computed in Python.
``failing_cases()``
    a :class:`FailingCase`: a kernel that fails on a known core and line with a known class
    (ZeroDivisionError, IndexError, OverflowError, MemoryError, AssertionError, ...).

Use them on your own kernels too: see docs/testing.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "CommCase",
    "FailingCase",
    "INT32_MAX",
    "INT32_MIN",
    "KernelCase",
    "comm_cases",
    "failing_cases",
    "float32_arrays",
    "float32s",
    "int32_arrays",
    "int32s",
    "kernel_cases",
]

INT32_MIN = -(2 ** 31)
INT32_MAX = 2 ** 31 - 1
NUM_CORES = 16


def _f32(x: float) -> float:
    with np.errstate(over="ignore"):
        return float(np.float32(x))


FLT_MAX = _f32(3.4028234663852886e38)
FLT_MIN_SUBNORMAL = _f32(1.401298464324817e-45)
FLT_MAX_SUBNORMAL = _f32(1.1754942106924411e-38)
FLT_MIN_NORMAL = _f32(1.1754943508222875e-38)

INT_EDGES = [0, 1, -1, 2, -2, 3, 7, -7, 10, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1,
             46340, 46341, -46341, 65535, 65536, 2 ** 24 + 1]
F32_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.0, _f32(0.1), _f32(1 / 3), math.inf,
             -math.inf, math.nan, FLT_MIN_SUBNORMAL, -FLT_MIN_SUBNORMAL, FLT_MAX_SUBNORMAL,
             FLT_MIN_NORMAL, FLT_MAX, -FLT_MAX, 16777216.0, 1e10 if _f32(1e10) == 1e10 else 1024.0]


# --- argument strategies ------------------------------------------------------------------------
def int32s() -> st.SearchStrategy[int]:
    """int32 values, often edge values (0, +-1, the bounds, values whose square overflows)."""
    return st.one_of(st.sampled_from(INT_EDGES), st.integers(-20, 20),
                     st.integers(INT32_MIN, INT32_MAX))


def float32s() -> st.SearchStrategy[float]:
    """binary32 values as Python floats: subnormals, +-0, +-inf, nan, the largest finite, ..."""
    return st.one_of(st.sampled_from(F32_EDGES),
                     st.integers(-64, 64).map(float),
                     st.floats(width=32, allow_nan=True, allow_infinity=True))


def int32_arrays(max_size: int = 6) -> st.SearchStrategy[np.ndarray]:
    """1-D int32 arrays, empty ones included."""
    return hnp.arrays(np.int32, st.integers(0, max_size), elements=int32s())


def float32_arrays(max_size: int = 6) -> st.SearchStrategy[np.ndarray]:
    """1-D float32 arrays (nan, inf, subnormals included), empty ones included."""
    return hnp.arrays(np.float32, st.integers(0, max_size), elements=float32s())


def bools() -> st.SearchStrategy[bool]:
    return st.booleans()


ARG_STRATEGIES = {"i": int32s, "f": float32s, "b": bools, "ai": int32_arrays,
                  "af": float32_arrays}


# --- expression trees ---------------------------------------------------------------------------
class E:
    """An expression: ``k()`` renders it for the kernel, ``r()`` for the reference."""

    ty: str  # "i" int, "f" float, "b" bool

    def k(self) -> str:
        raise NotImplementedError

    def r(self) -> str:
        raise NotImplementedError


@dataclass
class Lit(E):
    ty: str
    value: Any

    def k(self) -> str:
        v = self.value
        if self.ty == "f":
            if v != v:
                return "math.nan"
            if math.isinf(v):
                return "math.inf" if v > 0 else "(-math.inf)"
            text = repr(float(v))
            return f"({text})" if text.startswith("-") else text
        if self.ty == "i" and v == INT32_MIN:
            return "(-2147483647 - 1)"
        return f"({v})" if v < 0 else repr(v)

    def r(self) -> str:
        return f"_x({self.k()})" if self.ty == "f" else self.k()


@dataclass
class Var(E):
    ty: str
    name: str

    def k(self) -> str:
        return self.name

    def r(self) -> str:
        return self.name


@dataclass
class Read(E):
    """``seq[(index) % len(seq)]`` (an empty sequence raises ZeroDivisionError) or ``seq[-1]``."""

    ty: str
    seq: str
    index: E | None
    array: bool

    def k(self) -> str:
        if self.index is None:
            return f"{self.seq}[-1]"
        return f"{self.seq}[({self.index.k()}) % len({self.seq})]"

    def r(self) -> str:
        inner = (f"{self.seq}[-1]" if self.index is None
                 else f"{self.seq}[({self.index.r()}) % len({self.seq})]")
        return f"_rd({inner})" if self.array else inner


@dataclass
class Len(E):
    ty: str
    seq: str

    def k(self) -> str:
        return f"len({self.seq})"

    def r(self) -> str:
        return self.k()


@dataclass
class Bin(E):
    ty: str
    op: str
    a: E
    b: E

    def _rhs(self, text: str) -> str:
        if self.op == "**" and self.ty == "i":
            return f"(({text}) % 5)"
        if self.op in ("<<", ">>"):
            return f"(({text}) % 40)"
        return text

    def k(self) -> str:
        return f"({self.a.k()} {self.op} {self._rhs(self.b.k())})"

    def r(self) -> str:
        a, b = self.a.r(), self._rhs(self.b.r())
        if self.ty == "i":
            return f"_i({a} {self.op} {b})"
        if self.ty == "f":
            if self.op == "**":
                return f"_fpow({a}, {b})"
            return f"_f(_x({a}) {self.op} _x({b}))"
        return f"({a} {self.op} {b})"


@dataclass
class Unary(E):
    ty: str
    op: str
    a: E

    def k(self) -> str:
        sep = " " if self.op == "not" else ""
        return f"({self.op}{sep}{self.a.k()})"

    def r(self) -> str:
        sep = " " if self.op == "not" else ""
        inner = f"({self.op}{sep}{self.a.r()})"
        return f"_i{inner}" if self.ty == "i" else inner


@dataclass
class Cmp(E):
    ty: str
    ops: list[str]
    items: list[E]

    def _render(self, texts: list[str]) -> str:
        out = texts[0]
        for op, t in zip(self.ops, texts[1:]):
            out += f" {op} {t}"
        return f"({out})"

    def k(self) -> str:
        return self._render([e.k() for e in self.items])

    def r(self) -> str:
        return self._render([e.r() for e in self.items])


@dataclass
class BoolOp(E):
    ty: str
    op: str
    a: E
    b: E

    def k(self) -> str:
        return f"({self.a.k()} {self.op} {self.b.k()})"

    def r(self) -> str:
        return f"({self.a.r()} {self.op} {self.b.r()})"


@dataclass
class IfExp(E):
    ty: str
    cond: E
    a: E
    b: E

    def k(self) -> str:
        return f"({self.a.k()} if {self.cond.k()} else {self.b.k()})"

    def r(self) -> str:
        return f"({self.a.r()} if {self.cond.r()} else {self.b.r()})"


#: builtin -> (kernel template, reference template); {0}, {1} are the arguments
CALLS: dict[str, tuple[str, str]] = {
    "abs_i": ("abs({0})", "_i(abs({0}))"),
    "abs_f": ("abs({0})", "abs({0})"),
    "int_f": ("int({0})", "_i(int({0}))"),
    "round_f": ("round({0})", "_i(round({0}))"),
    "floor_f": ("math.floor({0})", "_i(math.floor({0}))"),
    "float_i": ("float({0})", "_x({0})"),
    "sqrt": ("math.sqrt({0})", "_f(math.sqrt(_x({0})))"),
    "min": ("min({0}, {1})", "min({0}, {1})"),
    "max": ("max({0}, {1})", "max({0}, {1})"),
    "bool": ("bool({0})", "bool({0})"),
    "sum": ("sum({0})", "_i(sum({0}))"),
    "helper": ("{name}({args})", "{name}({args})"),
}


@dataclass
class Call(E):
    ty: str
    fn: str
    args: list[E]
    name: str = ""

    def _render(self, template: str, texts: list[str]) -> str:
        if self.fn == "helper":
            return template.format(name=self.name, args=", ".join(texts))
        return template.format(*texts)

    def k(self) -> str:
        return self._render(CALLS[self.fn][0], [a.k() for a in self.args])

    def r(self) -> str:
        return self._render(CALLS[self.fn][1], [a.r() for a in self.args])


@dataclass
class SumOf(E):
    """``sum(list)`` of an int list."""

    ty: str
    seq: str

    def k(self) -> str:
        return f"sum({self.seq})"

    def r(self) -> str:
        return f"_i(sum({self.seq}))"


# --- statements ---------------------------------------------------------------------------------
class S:
    def lines(self, mode: str, ind: int) -> list[str]:
        raise NotImplementedError


def _e(e: E, mode: str) -> str:
    return e.k() if mode == "k" else e.r()


def _block(stmts: list[S], mode: str, ind: int) -> list[str]:
    out: list[str] = []
    for s in stmts:
        out += s.lines(mode, ind)
    return out or ["    " * ind + "pass"]


@dataclass
class Assign(S):
    name: str
    value: E

    def lines(self, mode: str, ind: int) -> list[str]:
        return ["    " * ind + f"{self.name} = {_e(self.value, mode)}"]


@dataclass
class AugAssign(S):
    name: str
    ty: str
    op: str
    value: E

    def lines(self, mode: str, ind: int) -> list[str]:
        if mode == "k":
            return ["    " * ind + f"{self.name} {self.op}= {self.value.k()}"]
        return ["    " * ind + f"{self.name} = "
                + Bin(self.ty, self.op, Var(self.ty, self.name), self.value).r()]


@dataclass
class Store(S):
    seq: str
    index: E
    value: E

    def lines(self, mode: str, ind: int) -> list[str]:
        return ["    " * ind + f"{self.seq}[({_e(self.index, mode)}) % len({self.seq})] = "
                f"{_e(self.value, mode)}"]


@dataclass
class Append(S):
    seq: str
    value: E

    def lines(self, mode: str, ind: int) -> list[str]:
        return ["    " * ind + f"{self.seq}.append({_e(self.value, mode)})"]


@dataclass
class Print(S):
    values: list[E]

    def lines(self, mode: str, ind: int) -> list[str]:
        fn = "print" if mode == "k" else "_print"
        return ["    " * ind + f"{fn}({', '.join(_e(v, mode) for v in self.values)})"]


@dataclass
class Jump(S):
    """``if cond: break`` / ``if cond: continue``."""

    cond: E
    what: str

    def lines(self, mode: str, ind: int) -> list[str]:
        return ["    " * ind + f"if {_e(self.cond, mode)}:", "    " * (ind + 1) + self.what]


@dataclass
class If(S):
    cond: E
    body: list[S]
    elifs: list[tuple[E, list[S]]]
    orelse: list[S]

    def lines(self, mode: str, ind: int) -> list[str]:
        pad = "    " * ind
        out = [pad + f"if {_e(self.cond, mode)}:"] + _block(self.body, mode, ind + 1)
        for c, b in self.elifs:
            out += [pad + f"elif {_e(c, mode)}:"] + _block(b, mode, ind + 1)
        if self.orelse:
            out += [pad + "else:"] + _block(self.orelse, mode, ind + 1)
        return out


@dataclass
class For(S):
    var: str
    count: E | int
    body: list[S]
    orelse: list[S]

    def lines(self, mode: str, ind: int) -> list[str]:
        pad = "    " * ind
        n = str(self.count) if isinstance(self.count, int) else f"({_e(self.count, mode)}) % 4"
        out = [pad + f"for {self.var} in range({n}):"] + _block(self.body, mode, ind + 1)
        if self.orelse:
            out += [pad + "else:"] + _block(self.orelse, mode, ind + 1)
        return out


@dataclass
class While(S):
    counter: str
    limit: int
    body: list[S]
    orelse: list[S]

    def lines(self, mode: str, ind: int) -> list[str]:
        pad, inner = "    " * ind, "    " * (ind + 1)
        out = [pad + f"{self.counter} = 0", pad + f"while {self.counter} < {self.limit}:",
               inner + f"{self.counter} += 1"] + _block(self.body, mode, ind + 1)
        if self.orelse:
            out += [pad + "else:"] + _block(self.orelse, mode, ind + 1)
        return out


@dataclass
class Helper:
    """A module-level helper; ``recursive`` ones count ``n`` down to 0 (bounded depth)."""

    name: str
    params: list[tuple[str, str]]
    ty: str
    body: E
    recursive: bool = False

    def lines(self, mode: str) -> list[str]:
        ps = ", ".join(p for p, _ in self.params)
        if self.recursive:
            return [f"def {self.name}({ps}):", "    if n <= 0:", "        return acc",
                    f"    return {self.name}(n - 1, {_e(self.body, mode)})", ""]
        return [f"def {self.name}({ps}):", f"    return {_e(self.body, mode)}", ""]


HEADER_K = ["import math", "from epython.parallel import coreid, numcores", "", ""]
HEADER_R = ["import math", "from epython.parallel import coreid, numcores",
            "from epython.testing.compare import _f, _fpow, _i, _print, _rd, _x", ""]


@dataclass
class KernelCase:
    """A generated kernel: source, reference source, parameter kinds and arguments."""

    source: str
    ref_source: str
    params: list[tuple[str, str]]  # (name, kind) kinds: i f b ai af
    args: tuple[Any, ...] = ()
    uses_floats: bool = False
    name: str = "kernel"

    def describe(self) -> str:
        return f"--- kernel ---\n{self.source}\n--- arguments ---\n{_show_args(self.args)}"


def _show_args(args: tuple[Any, ...]) -> str:
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(f"np.array({a.tolist()!r}, dtype=np.{a.dtype})")
        else:
            out.append(repr(a))
    return "(" + ", ".join(out) + ("," if len(out) == 1 else "") + ")"


# --- the generator ------------------------------------------------------------------------------
INT_OPS = ["+", "-", "*", "//", "%", "&", "|", "^", "**", "<<", ">>"]
FLOAT_OPS = ["+", "-", "*", "/", "//", "%", "**"]
CMP_OPS = ["<", "<=", "==", "!=", ">", ">="]


class _Builder:
    def __init__(self, draw: Any, floats: bool, arrays: bool, multicore: bool, prints: bool,
                 helpers: bool) -> None:
        self.draw = draw
        self.floats = floats
        self.arrays = arrays
        self.multicore = multicore
        self.prints = prints
        self.use_helpers = helpers
        self.scalars: dict[str, str] = {}  # name -> type, definitely assigned
        self.lists: list[str] = []
        self.arrs: dict[str, str] = {}  # name -> element type
        self.helpers: list[Helper] = []
        self.counter = 0
        self.budget = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def types(self) -> list[str]:
        return ["i", "b", "f"] if self.floats else ["i", "b"]

    # expressions
    def leaf(self, ty: str) -> E:
        d = self.draw
        vars_ = [n for n, t in self.scalars.items() if t == ty]
        choice = d(st.integers(0, 3))
        if choice >= 1 and vars_:
            return Var(ty, d(st.sampled_from(vars_)))
        if choice == 3 and ty != "b":
            seqs = [(s, False) for s in self.lists if ty == "i"] + \
                   [(a, True) for a, t in self.arrs.items() if t == ty]
            if seqs:
                seq, is_arr = d(st.sampled_from(seqs))
                if is_arr:
                    return Read(ty, seq, self.expr("i", 0), True)
                return Read(ty, seq, None if d(st.booleans()) else self.expr("i", 0), False)
        if ty == "i":
            return Lit("i", d(st.one_of(st.integers(0, 10), st.sampled_from(INT_EDGES))))
        if ty == "f":
            return Lit("f", d(st.one_of(st.sampled_from([1.0, 0.5, 0.1, -2.5, 3.0]),
                                        st.sampled_from(F32_EDGES))))
        return Lit("b", d(st.booleans()))

    def expr(self, ty: str, depth: int) -> E:
        d = self.draw
        if depth <= 0 or d(st.integers(0, 2)) == 0:
            return self.leaf(ty)
        sub = depth - 1
        if ty == "i":
            kind = d(st.sampled_from(["bin", "unary", "call", "ifexp", "boolop", "len", "helper"]))
            if kind == "bin":
                op = d(st.sampled_from(INT_OPS))
                return Bin("i", op, self.expr(self.num_or_bool("i"), sub),
                           self.expr(self.num_or_bool("i"), sub))
            if kind == "unary":
                return Unary("i", d(st.sampled_from(["-", "~", "+"])), self.expr("i", sub))
            if kind == "call":
                fns = ["abs_i", "min", "max"] + (["int_f", "round_f", "floor_f"] if self.floats else [])
                fn = d(st.sampled_from(fns))
                if fn in ("min", "max"):
                    return Call("i", fn, [self.expr("i", sub), self.expr("i", sub)])
                if fn == "abs_i":
                    return Call("i", fn, [self.expr("i", sub)])
                return Call("i", fn, [self.expr("f", sub)])
            if kind == "ifexp":
                return IfExp("i", self.expr("b", sub), self.expr("i", sub), self.expr("i", sub))
            if kind == "boolop":
                return BoolOp("i", d(st.sampled_from(["and", "or"])), self.expr("i", sub),
                              self.expr("i", sub))
            if kind == "len" and (self.lists or self.arrs):
                seq = d(st.sampled_from(self.lists + list(self.arrs)))
                if seq in self.lists and d(st.booleans()):
                    return SumOf("i", seq)
                return Len("i", seq)
            if kind == "helper":
                call = self.helper_call("i", sub)
                if call is not None:
                    return call
            return self.leaf("i")
        if ty == "f":
            kind = d(st.sampled_from(["bin", "unary", "call", "ifexp", "helper"]))
            if kind == "bin":
                op = d(st.sampled_from(FLOAT_OPS))
                if op == "/" and d(st.booleans()):  # int / int is a float too
                    return Bin("f", op, self.expr("i", sub), self.expr("i", sub))
                a = self.expr("f", sub)
                b = self.expr(d(st.sampled_from(["f", "i"])), sub)
                if d(st.booleans()):
                    a, b = b, a
                return Bin("f", op, a, b)
            if kind == "unary":
                return Unary("f", "-", self.expr("f", sub))
            if kind == "call":
                fn = d(st.sampled_from(["abs_f", "float_i", "sqrt", "min", "max"]))
                if fn in ("min", "max"):
                    return Call("f", fn, [self.expr("f", sub), self.expr("f", sub)])
                if fn == "float_i":
                    return Call("f", fn, [self.expr("i", sub)])
                return Call("f", fn, [self.expr("f", sub)])
            if kind == "ifexp":
                return IfExp("f", self.expr("b", sub), self.expr("f", sub), self.expr("f", sub))
            call = self.helper_call("f", sub)
            return call if call is not None else self.leaf("f")
        kind = d(st.sampled_from(["cmp", "not", "boolop", "bitop", "bool"]))
        if kind == "cmp":
            n = d(st.integers(2, 3))
            items = [self.expr(d(st.sampled_from(self.types())), sub) for _ in range(n)]
            return Cmp("b", [d(st.sampled_from(CMP_OPS)) for _ in range(n - 1)], items)
        if kind == "not":
            return Unary("b", "not", self.expr(d(st.sampled_from(self.types())), sub))
        if kind == "boolop":
            return BoolOp("b", d(st.sampled_from(["and", "or"])), self.expr("b", sub),
                          self.expr("b", sub))
        if kind == "bitop":
            return Bin("b", d(st.sampled_from(["&", "|", "^"])), self.expr("b", sub),
                       self.expr("b", sub))
        return Call("b", "bool", [self.expr(d(st.sampled_from(self.types())), sub)])

    def num_or_bool(self, ty: str) -> str:
        return "b" if self.draw(st.integers(0, 5)) == 0 else ty

    def helper_call(self, ty: str, depth: int) -> E | None:
        if not self.use_helpers:
            return None
        hs = [h for h in self.helpers if h.ty == ty]
        if not hs:
            return None
        h = self.draw(st.sampled_from(hs))
        if h.recursive:
            return Call(ty, "helper", [Bin("i", "%", self.expr("i", depth), Lit("i", 6)),
                                       self.expr(ty, depth)], name=h.name)
        return Call(ty, "helper", [self.expr(t, depth) for _, t in h.params], name=h.name)

    def make_helpers(self) -> None:
        d = self.draw
        for _ in range(d(st.integers(0, 2))):
            ty = d(st.sampled_from(["i", "f"] if self.floats else ["i"]))
            name = self.fresh("h")
            saved = self.scalars
            if d(st.booleans()):
                self.scalars = {"n": "i", "acc": ty}
                body = self.expr(ty, 2)
                self.helpers.append(Helper(name, [("n", "i"), ("acc", ty)], ty, body, True))
            else:
                params = [(f"p{i}", d(st.sampled_from(self.types()))) for i in range(d(st.integers(1, 2)))]
                self.scalars = dict(params)
                body = self.expr(ty, 2)
                self.helpers.append(Helper(name, params, ty, body))
            self.scalars = saved

    # statements
    def stmts(self, depth: int, loop: bool, max_n: int = 3) -> list[S]:
        out: list[S] = []
        n = self.draw(st.integers(0, max_n))
        for _ in range(n):
            if self.budget <= 0:
                break
            self.budget -= 1
            out.append(self.stmt(depth, loop))
        return out

    def stmt(self, depth: int, loop: bool) -> S:
        d = self.draw
        kinds = ["assign", "aug"]
        if self.prints:
            kinds.append("print")
        if self.lists:
            kinds.append("append")
        if any(t == "i" for t in self.arrs.values()) or self.arrs:
            kinds.append("store")
        if depth > 0:
            kinds += ["if", "for", "while"]
        if loop:
            kinds += ["break", "continue"]
        kind = d(st.sampled_from(kinds))
        names = sorted(self.scalars)
        # loop counters are never assignment targets: the while loops' termination relies on it
        targets = [n for n in names if not (n[0] in "iw" and n[1:].isdigit())]
        cands = [n for n in targets if self.scalars[n] != "b"]
        if kind == "aug" and not cands:
            kind = "assign"
        if kind == "assign":
            name = d(st.sampled_from(targets))
            return Assign(name, self.expr(self.scalars[name], 3))
        if kind == "aug":
            name = d(st.sampled_from(cands))
            ty = self.scalars[name]
            ops = ["+", "-", "*", "//", "%", "&", "|", "^"] if ty == "i" else ["+", "-", "*", "/"]
            return AugAssign(name, ty, d(st.sampled_from(ops)),
                             self.expr(ty if ty == "f" or d(st.booleans()) else "b", 1))
        if kind == "print":
            return Print([Var(self.scalars[n], n) for n in
                          d(st.lists(st.sampled_from(names), min_size=1, max_size=3))])
        if kind == "append":
            return Append(d(st.sampled_from(self.lists)), self.expr("i", 1))
        if kind == "store":
            arr = d(st.sampled_from(sorted(self.arrs)))
            ety = self.arrs[arr]
            return Store(arr, self.expr("i", 1), self.expr(ety if ety == "i" else
                                                           d(st.sampled_from(["f", "i"])), 1))
        if kind in ("break", "continue"):
            return Jump(self.expr("b", 1), kind)
        if kind == "if":
            cond = self.expr("b", 2)
            body = self.stmts(depth - 1, loop)
            elifs = [(self.expr("b", 1), self.stmts(depth - 1, loop))
                     for _ in range(d(st.integers(0, 1)))]
            orelse = self.stmts(depth - 1, loop) if d(st.booleans()) else []
            return If(cond, body, elifs, orelse)
        if kind == "for":
            var = self.fresh("i")
            count: E | int = d(st.integers(0, 4)) if d(st.booleans()) else self.expr("i", 1)
            self.scalars[var] = "i"  # only inside the body: removed below
            body = self.stmts(depth - 1, True)
            del self.scalars[var]
            orelse = self.stmts(0, loop, 1) if d(st.booleans()) else []
            return For(var, count, body, orelse)
        counter = self.fresh("w")
        limit = d(st.integers(0, 4))
        self.scalars[counter] = "i"
        body = self.stmts(depth - 1, True)
        orelse = self.stmts(0, loop, 1) if d(st.booleans()) else []
        del self.scalars[counter]
        return While(counter, limit, body, orelse)


@st.composite
def kernel_cases(draw: Any, floats: bool = True, arrays: bool = True, multicore: bool = True,
                 prints: bool = True, helpers: bool = True, max_statements: int = 8) -> KernelCase:
    """A random valid kernel with its reference and arguments (see the module doc)."""
    b = _Builder(draw, floats, arrays, multicore, prints, helpers)
    kinds = ["i", "b"] + (["f"] if floats else [])
    params = [(f"a{i}", draw(st.sampled_from(kinds))) for i in range(draw(st.integers(0, 3)))]
    if arrays:
        for kind in draw(st.lists(st.sampled_from(["ai", "af"] if floats else ["ai"]),
                                  max_size=2, unique=True)):
            params.append((f"arr_{kind[1]}", kind))
    b.make_helpers()
    for name, kind in params:
        if kind in ("ai", "af"):
            b.arrs[name] = kind[1]
        else:
            b.scalars[name] = kind
    body: list[S] = []
    if multicore and draw(st.booleans()):
        body.append(Assign("me", Var("i", "coreid()")))
        b.scalars["me"] = "i"
    n_vars = draw(st.integers(1, 3))
    for i in range(n_vars):
        ty = draw(st.sampled_from(kinds))
        body.append(Assign(f"v{i}", b.expr(ty, 3)))
        b.scalars[f"v{i}"] = ty
    if draw(st.booleans()):
        body.append(Assign("lst", ListDisplay([b.expr("i", 1) for _ in range(draw(st.integers(1, 3)))])))
        b.lists.append("lst")
    b.budget = max_statements
    body += b.stmts(2, False, max_n=4)
    results = [f"v{i}" for i in range(n_vars)] + b.lists + (["me"] if "me" in b.scalars else [])
    ret = Ret(results)
    lines_k, lines_r = list(HEADER_K), list(HEADER_R)
    for h in b.helpers:
        lines_k += h.lines("k")
        lines_r += h.lines("r")
    sig = f"def kernel({', '.join(p for p, _ in params)}):"
    lines_k.append(sig)
    lines_r.append(sig)
    for s in body + [ret]:
        lines_k += s.lines("k", 1)
        lines_r += s.lines("r", 1)
    assert len(lines_k) == len(lines_r)
    args = tuple(draw(ARG_STRATEGIES[kind]()) for _, kind in params)  # type: ignore[operator]
    uses_floats = floats and ("f" in "".join(lines_k) and _mentions_float(lines_r))
    return KernelCase("\n".join(lines_k) + "\n", "\n".join(lines_r) + "\n", params, args,
                      uses_floats)


def _mentions_float(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return any(tok in text for tok in ("_x(", "_f(", "_fpow(", "arr_f"))


@dataclass
class ListDisplay(E):
    items: list[E]
    ty: str = "l"

    def k(self) -> str:
        return "[" + ", ".join(e.k() for e in self.items) + "]"

    def r(self) -> str:
        return "[" + ", ".join(e.r() for e in self.items) + "]"


@dataclass
class Ret(S):
    names: list[str]

    def lines(self, mode: str, ind: int) -> list[str]:
        return ["    " * ind + f"return ({', '.join(self.names)},)"]


# --- communication kernels ----------------------------------------------------------------------
MOD = 100003


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
        return (f"--- kernel (cores {self.cores}) ---\n{self.source}\n--- arguments ---\n"
                f"{_show_args(self.args)}")


@st.composite
def comm_cases(draw: Any, max_phases: int = 5) -> CommCase:
    """Phases of communication over a generated subset of the chip's cores (see module doc)."""
    cores = sorted(draw(st.one_of(st.just(list(range(NUM_CORES))),
                                  st.sets(st.integers(0, NUM_CORES - 1), min_size=1,
                                          max_size=NUM_CORES).map(sorted))))
    seed = draw(st.integers(-1000, 1000))
    x = {c: (seed + c * 7) % MOD for c in cores}
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
            x = {c: ((x[pair[c]] * size + c) % MOD if pair[c] >= 0 else x[c]) for c in cores}
        elif phase == "bcast":
            root = draw(st.sampled_from(cores))
            body.append(f"    x = bcast(x + me, {root}) % 100003")
            x = {c: (x[root] + root) % MOD for c in cores}
        elif phase in ("sum", "min", "max"):
            body.append(f'    x = reduce(x, "{phase}") % 100003')
            fn = {"sum": sum, "min": min, "max": max}[phase]
            v = fn(x[c] for c in cores) % MOD  # type: ignore[operator]
            x = {c: v for c in cores}
        elif phase == "prod":
            body.append('    x = reduce(x % 3 + 1, "prod") % 100003')
            v = 1
            for c in cores:
                v *= x[c] % 3 + 1
            x = {c: v % MOD for c in cores}
        elif phase == "local":
            m = draw(st.integers(2, 9))
            body.append(f"    x = (x * {m} + me) % 100003")
            x = {c: (x[c] * m + c) % MOD for c in cores}
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
        return (f"--- kernel (cores {self.cores}; expect {self.error.__name__} on core "
                f"{self.core}, line {self.lineno}) ---\n{self.source}\n--- arguments ---\n"
                f"{_show_args(self.args)}")


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
