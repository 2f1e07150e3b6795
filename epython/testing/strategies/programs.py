"""The program generator: random valid kernels, drawn as trees and rendered twice.

:func:`kernel_cases` draws a :class:`KernelCase`: a small typed tree (:mod:`.tree`) rendered as
the kernel (``source``) and as its reference (``ref_source``, the same lines with the language's
int32/binary32 rules made explicit), its parameter kinds and drawn arguments.  Hypothesis shrinks
the tree statement by statement and expression by expression.

Generated programs terminate by construction: ``for`` loops run over ``range`` of a bounded
count, ``while`` loops count a fresh counter up to a literal bound (incremented first in the
body, so ``continue`` cannot skip it), recursion is bounded by a ``% 6`` argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from epython.testing.strategies.args import ARGUMENTS_OF_KIND, F32_EDGES, INT_EDGES, format_args
from epython.testing.strategies.tree import (
    KERNEL_HEADER,
    REFERENCE_HEADER,
    Append,
    Assign,
    AugAssign,
    BinOp,
    BoolOp,
    Call,
    Compare,
    ConditionalJump,
    Expr,
    For,
    HelperFunction,
    If,
    IfExp,
    Length,
    ListDisplay,
    Literal,
    Print,
    Renderer,
    Return,
    Stmt,
    StoreItem,
    Subscript,
    SumOf,
    UnaryOp,
    Variable,
    While,
)

__all__ = ["CMP_OPS", "FLOAT_OPS", "INT_OPS", "KernelCase", "kernel_cases"]


@dataclass
class KernelCase:
    """A generated kernel: source, reference source, parameter kinds and arguments."""

    source: str
    ref_source: str
    params: list[tuple[str, str]]  # (name, kind): kinds of args.ARGUMENTS_OF_KIND (i f b ai af)
    args: tuple[Any, ...] = ()
    uses_floats: bool = False
    name: str = "kernel"

    def describe(self) -> str:
        """The kernel's source and arguments, for a failure report."""
        return f"--- kernel ---\n{self.source}\n--- arguments ---\n{format_args(self.args)}"


INT_OPS = ["+", "-", "*", "//", "%", "&", "|", "^", "**", "<<", ">>"]
FLOAT_OPS = ["+", "-", "*", "/", "//", "%", "**"]
CMP_OPS = ["<", "<=", "==", "!=", ">", ">="]
#: the argument types of each drawn builtin of tree.BUILTIN_CALLS ("=" the call's own type)
BUILTIN_ARGS = {"abs_i": "i", "int_f": "f", "round_f": "f", "floor_f": "f", "abs_f": "f",
                "float_i": "i", "sqrt": "f", "min": "==", "max": "=="}


@dataclass
class _ProgramBuilder:
    """Draws the tree of one kernel: its helpers, statements and expressions, in scope."""

    draw: Any
    floats: bool  # float values and operations
    prints: bool  # print statements
    use_helpers: bool  # module-level helper functions
    scalars: dict[str, str] = field(default_factory=dict)  # name -> type, definitely assigned
    lists: list[str] = field(default_factory=list)
    arrs: dict[str, str] = field(default_factory=dict)  # name -> element type
    helpers: list[HelperFunction] = field(default_factory=list)
    counter: int = 0
    budget: int = 0

    def fresh(self, prefix: str) -> str:
        """A new name: ``prefix`` and a number."""
        self.counter += 1
        return f"{prefix}{self.counter}"

    def types(self) -> list[str]:
        """The scalar type codes in play."""
        return ["i", "b", "f"] if self.floats else ["i", "b"]

    # expressions
    def leaf(self, ty: str) -> Expr:
        """A variable, a read of a list or array, or a literal of type ``ty``."""
        d = self.draw
        vars_ = [n for n, t in self.scalars.items() if t == ty]
        choice = d(st.integers(0, 3))
        if choice >= 1 and vars_:
            return Variable(ty, d(st.sampled_from(vars_)))
        if choice == 3 and ty != "b":
            seqs = [(s, False) for s in self.lists if ty == "i"] + \
                   [(a, True) for a, t in self.arrs.items() if t == ty]
            if seqs:
                seq, is_arr = d(st.sampled_from(seqs))
                if is_arr:
                    return Subscript(ty, seq, self.expr("i", 0), True)
                return Subscript(ty, seq, None if d(st.booleans()) else self.expr("i", 0), False)
        if ty == "i":
            return Literal("i", d(st.one_of(st.integers(0, 10), st.sampled_from(INT_EDGES))))
        if ty == "f":
            return Literal("f", d(st.one_of(st.sampled_from([1.0, 0.5, 0.1, -2.5, 3.0]),
                                        st.sampled_from(F32_EDGES))))
        return Literal("b", d(st.booleans()))

    def expr(self, ty: str, depth: int) -> Expr:
        """An expression of type ``ty`` at most ``depth`` operators deep."""
        d = self.draw
        if depth <= 0 or d(st.integers(0, 2)) == 0:
            return self.leaf(ty)
        sub = depth - 1
        if ty == "i":
            kind = d(st.sampled_from(["bin", "unary", "call", "ifexp", "boolop", "len", "helper"]))
            if kind == "bin":
                op = d(st.sampled_from(INT_OPS))
                return BinOp("i", op, self.expr(self.num_or_bool("i"), sub),
                           self.expr(self.num_or_bool("i"), sub))
            if kind == "unary":
                return UnaryOp("i", d(st.sampled_from(["-", "~", "+"])), self.expr("i", sub))
            if kind == "call":
                fns = ["abs_i", "min", "max"] + (["int_f", "round_f", "floor_f"] if self.floats else [])
                return self.builtin_call("i", d(st.sampled_from(fns)), sub)
            if kind == "ifexp":
                return IfExp("i", self.expr("b", sub), self.expr("i", sub), self.expr("i", sub))
            if kind == "boolop":
                return BoolOp("i", d(st.sampled_from(["and", "or"])), self.expr("i", sub),
                              self.expr("i", sub))
            if kind == "len" and (self.lists or self.arrs):
                seq = d(st.sampled_from(self.lists + list(self.arrs)))
                if seq in self.lists and d(st.booleans()):
                    return SumOf("i", seq)
                return Length("i", seq)
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
                    return BinOp("f", op, self.expr("i", sub), self.expr("i", sub))
                a = self.expr("f", sub)
                b = self.expr(d(st.sampled_from(["f", "i"])), sub)
                if d(st.booleans()):
                    a, b = b, a
                return BinOp("f", op, a, b)
            if kind == "unary":
                return UnaryOp("f", "-", self.expr("f", sub))
            if kind == "call":
                return self.builtin_call("f", d(st.sampled_from(["abs_f", "float_i", "sqrt", "min",
                                                                  "max"])), sub)
            if kind == "ifexp":
                return IfExp("f", self.expr("b", sub), self.expr("f", sub), self.expr("f", sub))
            call = self.helper_call("f", sub)
            return call if call is not None else self.leaf("f")
        kind = d(st.sampled_from(["cmp", "not", "boolop", "bitop", "bool"]))
        if kind == "cmp":
            n = d(st.integers(2, 3))
            items = [self.expr(d(st.sampled_from(self.types())), sub) for _ in range(n)]
            return Compare("b", [d(st.sampled_from(CMP_OPS)) for _ in range(n - 1)], items)
        if kind == "not":
            return UnaryOp("b", "not", self.expr(d(st.sampled_from(self.types())), sub))
        if kind == "boolop":
            return BoolOp("b", d(st.sampled_from(["and", "or"])), self.expr("b", sub),
                          self.expr("b", sub))
        if kind == "bitop":
            return BinOp("b", d(st.sampled_from(["&", "|", "^"])), self.expr("b", sub),
                       self.expr("b", sub))
        return Call("b", "bool", [self.expr(d(st.sampled_from(self.types())), sub)])

    def builtin_call(self, ty: str, fn: str, depth: int) -> Call:
        """A call of the builtin ``fn`` giving a ``ty``, its arguments drawn left to right."""
        return Call(ty, fn, [self.expr(ty if t == "=" else t, depth) for t in BUILTIN_ARGS[fn]])

    def num_or_bool(self, ty: str) -> str:
        """``ty``, or now and then bool (bools are ints in arithmetic)."""
        return "b" if self.draw(st.integers(0, 5)) == 0 else ty

    def helper_call(self, ty: str, depth: int) -> Expr | None:
        """A call of a drawn helper returning ``ty`` (None when there is none)."""
        if not self.use_helpers:
            return None
        hs = [h for h in self.helpers if h.ty == ty]
        if not hs:
            return None
        h = self.draw(st.sampled_from(hs))
        if h.recursive:
            return Call(ty, "helper", [BinOp("i", "%", self.expr("i", depth), Literal("i", 6)),
                                       self.expr(ty, depth)], name=h.name)
        return Call(ty, "helper", [self.expr(t, depth) for _, t in h.params], name=h.name)

    def make_helpers(self) -> None:
        """Draw up to two module-level helpers (half of them bounded recursions)."""
        d = self.draw
        for _ in range(d(st.integers(0, 2))):
            ty = d(st.sampled_from(["i", "f"] if self.floats else ["i"]))
            name = self.fresh("h")
            saved = self.scalars
            if d(st.booleans()):
                self.scalars = {"n": "i", "acc": ty}
                body = self.expr(ty, 2)
                self.helpers.append(HelperFunction(name, [("n", "i"), ("acc", ty)], ty, body, True))
            else:
                params = [(f"p{i}", d(st.sampled_from(self.types()))) for i in range(d(st.integers(1, 2)))]
                self.scalars = dict(params)
                body = self.expr(ty, 2)
                self.helpers.append(HelperFunction(name, params, ty, body))
            self.scalars = saved

    # statements
    def stmts(self, depth: int, loop: bool, max_n: int = 3) -> list[Stmt]:
        """Up to ``max_n`` statements, within the statement budget."""
        out: list[Stmt] = []
        n = self.draw(st.integers(0, max_n))
        for _ in range(n):
            if self.budget <= 0:
                break
            self.budget -= 1
            out.append(self.stmt(depth, loop))
        return out

    def stmt(self, depth: int, loop: bool) -> Stmt:
        """One statement; ``loop`` allows break/continue, ``depth`` nested blocks."""
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
            return Print([Variable(self.scalars[n], n) for n in
                          d(st.lists(st.sampled_from(names), min_size=1, max_size=3))])
        if kind == "append":
            return Append(d(st.sampled_from(self.lists)), self.expr("i", 1))
        if kind == "store":
            arr = d(st.sampled_from(sorted(self.arrs)))
            ety = self.arrs[arr]
            return StoreItem(arr, self.expr("i", 1), self.expr(ety if ety == "i" else
                                                           d(st.sampled_from(["f", "i"])), 1))
        if kind in ("break", "continue"):
            return ConditionalJump(self.expr("b", 1), kind)
        if kind == "if":
            cond = self.expr("b", 2)
            body = self.stmts(depth - 1, loop)
            elifs = [(self.expr("b", 1), self.stmts(depth - 1, loop))
                     for _ in range(d(st.integers(0, 1)))]
            orelse = self.stmts(depth - 1, loop) if d(st.booleans()) else []
            return If(cond, body, elifs, orelse)
        if kind == "for":
            var = self.fresh("i")
            count: Expr | int = d(st.integers(0, 4)) if d(st.booleans()) else self.expr("i", 1)
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
    b = _ProgramBuilder(draw, floats, prints, helpers)
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
    body: list[Stmt] = []
    if multicore and draw(st.booleans()):
        body.append(Assign("me", Variable("i", "coreid()")))
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
    ret = Return(results)
    kernel, reference = Renderer(reference=False), Renderer(reference=True)
    lines_k, lines_r = list(KERNEL_HEADER), list(REFERENCE_HEADER)
    for h in b.helpers:
        lines_k += kernel.helper(h)
        lines_r += reference.helper(h)
    sig = f"def kernel({', '.join(p for p, _ in params)}):"
    lines_k.append(sig)
    lines_r.append(sig)
    for s in body + [ret]:
        lines_k += kernel.lines(s, 1)
        lines_r += reference.lines(s, 1)
    assert len(lines_k) == len(lines_r)
    args = tuple(draw(ARGUMENTS_OF_KIND[kind]()) for _, kind in params)
    uses_floats = floats and ("f" in "".join(lines_k) and _mentions_float(lines_r))
    return KernelCase("\n".join(lines_k) + "\n", "\n".join(lines_r) + "\n", params, args,
                      uses_floats)


def _mentions_float(lines: list[str]) -> bool:
    """Does the reference convert to binary32 anywhere (a float operation or array)?"""
    text = "\n".join(lines)
    return any(tok in text for tok in ("to_f32(", "f32_pow(", "arr_f"))
