"""The syntax tree of generated kernels and its one renderer.

A generated kernel is a small typed tree: expressions (:class:`Expr`) and statements
(:class:`Stmt`) are plain dataclasses; :class:`Renderer` turns a tree into source text, either
as the kernel a user writes or as its *reference* (``Renderer(reference=True)``): the same
function, line for line, with each arithmetic result passed through the helpers of
:mod:`epython.testing.reference` (int32 check, binary32 rounding) so that CPython computes what
docs/language.md says the cores compute.  Both renderings differ only where a node's rule
says so (the ``if self.reference`` branches below), so the two line layouts cannot drift.

Value types are one-letter codes: ``"i"`` int, ``"f"`` float, ``"b"`` bool (``"l"`` a list).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from epython.bytecode.image import INT32_MIN

__all__ = ["Append", "Assign", "AugAssign", "BUILTIN_CALLS", "BinOp", "BoolOp", "Call", "Compare",
           "ConditionalJump", "Expr", "For", "HelperFunction", "If", "IfExp", "KERNEL_HEADER",
           "Length", "ListDisplay", "Literal", "Print", "REFERENCE_HEADER", "Renderer", "Return",
           "Stmt", "StoreItem", "Subscript", "SumOf", "UnaryOp", "Variable", "While"]


# --- expressions --------------------------------------------------------------------------------
class Expr:
    """An expression node; ``ty`` is its value type code."""

    ty: str


@dataclass
class Literal(Expr):
    """A constant."""

    ty: str
    value: Any


@dataclass
class Variable(Expr):
    """A name (a parameter, a local, or an expression such as ``coreid()`` used as one)."""

    ty: str
    name: str


@dataclass
class Subscript(Expr):
    """``seq[(index) % len(seq)]`` (an empty sequence raises ZeroDivisionError) or, without an
    index, ``seq[-1]``; ``array`` marks a numpy array argument."""

    ty: str
    seq: str
    index: Expr | None
    array: bool


@dataclass
class Length(Expr):
    """``len(seq)``."""

    ty: str
    seq: str


@dataclass
class BinOp(Expr):
    """``a op b``; the right operand of an int ``**`` is taken ``% 5``, of a shift ``% 40``."""

    ty: str
    op: str
    a: Expr
    b: Expr


@dataclass
class UnaryOp(Expr):
    """``-a``, ``+a``, ``~a`` or ``not a``."""

    ty: str
    op: str
    a: Expr


@dataclass
class Compare(Expr):
    """A (chained) comparison: ``items[0] ops[0] items[1] ops[1] ...``."""

    ty: str
    ops: list[str]
    items: list[Expr]


@dataclass
class BoolOp(Expr):
    """``a and b`` / ``a or b``."""

    ty: str
    op: str
    a: Expr
    b: Expr


@dataclass
class IfExp(Expr):
    """``a if cond else b``."""

    ty: str
    cond: Expr
    a: Expr
    b: Expr


#: builtin -> (kernel template, reference template); {0}, {1} are the arguments
BUILTIN_CALLS: dict[str, tuple[str, str]] = {
    "abs_i": ("abs({0})", "int32_result(abs({0}))"),
    "abs_f": ("abs({0})", "abs({0})"),
    "int_f": ("int({0})", "int32_result(int({0}))"),
    "round_f": ("round({0})", "int32_result(round({0}))"),
    "floor_f": ("math.floor({0})", "int32_result(math.floor({0}))"),
    "float_i": ("float({0})", "to_f32({0})"),
    "sqrt": ("math.sqrt({0})", "to_f32(math.sqrt(to_f32({0})))"),
    "min": ("min({0}, {1})", "min({0}, {1})"),
    "max": ("max({0}, {1})", "max({0}, {1})"),
    "bool": ("bool({0})", "bool({0})"),
    "sum": ("sum({0})", "int32_result(sum({0}))"),
    "helper": ("{name}({args})", "{name}({args})"),
}


@dataclass
class Call(Expr):
    """A call of a builtin of :data:`BUILTIN_CALLS`, or of the helper ``name`` (fn "helper")."""

    ty: str
    fn: str
    args: list[Expr]
    name: str = ""


@dataclass
class SumOf(Expr):
    """``sum(list)`` of an int list."""

    ty: str
    seq: str


@dataclass
class ListDisplay(Expr):
    """``[item, ...]``."""

    items: list[Expr]
    ty: str = "l"


# --- statements ---------------------------------------------------------------------------------
class Stmt:
    """A statement node."""


@dataclass
class Assign(Stmt):
    """``name = value``."""

    name: str
    value: Expr


@dataclass
class AugAssign(Stmt):
    """``name op= value`` (the reference spells it ``name = name op value``)."""

    name: str
    ty: str
    op: str
    value: Expr


@dataclass
class StoreItem(Stmt):
    """``seq[(index) % len(seq)] = value``."""

    seq: str
    index: Expr
    value: Expr


@dataclass
class Append(Stmt):
    """``seq.append(value)``."""

    seq: str
    value: Expr


@dataclass
class Print(Stmt):
    """``print(values...)``."""

    values: list[Expr]


@dataclass
class ConditionalJump(Stmt):
    """``if cond: break`` / ``if cond: continue`` (``what``)."""

    cond: Expr
    what: str


@dataclass
class If(Stmt):
    """``if``, any ``elif``s, an optional ``else``."""

    cond: Expr
    body: list[Stmt]
    elifs: list[tuple[Expr, list[Stmt]]]
    orelse: list[Stmt]


@dataclass
class For(Stmt):
    """``for var in range(count)`` with a literal count, or ``range((count) % 4)``."""

    var: str
    count: Expr | int
    body: list[Stmt]
    orelse: list[Stmt]


@dataclass
class While(Stmt):
    """``counter = 0; while counter < limit: counter += 1; body`` (the increment comes first, so
    ``continue`` cannot skip it and the loop terminates)."""

    counter: str
    limit: int
    body: list[Stmt]
    orelse: list[Stmt]


@dataclass
class Return(Stmt):
    """``return (names...,)``."""

    names: list[str]


@dataclass
class HelperFunction:
    """A module-level helper; ``recursive`` ones count ``n`` down to 0 (bounded depth)."""

    name: str
    params: list[tuple[str, str]]
    ty: str
    body: Expr
    recursive: bool = False


#: the first lines of a rendering (as many in both, so that line numbers agree)
KERNEL_HEADER = ["import math", "from epython.parallel import coreid, numcores", "", ""]
REFERENCE_HEADER = [
    "import math", "from epython.parallel import coreid, numcores",
    "from epython.testing.reference import array_item, core_print, f32_pow, int32_result, to_f32",
    ""]


# --- the renderer -------------------------------------------------------------------------------
def _shift_or_pow_operand(op: str, ty: str, text: str) -> str:
    """The right operand of a BinOp, bounded where the language would overflow or refuse."""
    if op == "**" and ty == "i":
        return f"(({text}) % 5)"
    if op in ("<<", ">>"):
        return f"(({text}) % 40)"
    return text


class Renderer:
    """Renders a tree as kernel source or (``reference=True``) as its CPython reference."""

    def __init__(self, reference: bool) -> None:
        self.reference = reference
        self._expr: dict[type, Callable[[Any], str]] = {
            Literal: self._literal, Variable: lambda e: e.name, Subscript: self._subscript,
            Length: lambda e: f"len({e.seq})", BinOp: self._binop, UnaryOp: self._unary,
            Compare: self._compare, BoolOp: lambda e: f"({self.expr(e.a)} {e.op} {self.expr(e.b)})",
            IfExp: lambda e: f"({self.expr(e.a)} if {self.expr(e.cond)} else {self.expr(e.b)})",
            Call: self._call, SumOf: self._sum,
            ListDisplay: lambda e: "[" + ", ".join(self.expr(i) for i in e.items) + "]"}
        self._stmt: dict[type, Callable[[Any, int], list[str]]] = {
            Assign: lambda s, ind: [_pad(ind) + f"{s.name} = {self.expr(s.value)}"],
            AugAssign: self._augassign, StoreItem: self._store, Append: self._append,
            Print: self._print, ConditionalJump: self._jump, If: self._if, For: self._for,
            While: self._while,
            Return: lambda s, ind: [_pad(ind) + f"return ({', '.join(s.names)},)"]}

    # expressions
    def expr(self, e: Expr) -> str:
        """The source text of an expression."""
        return self._expr[type(e)](e)

    def _literal(self, e: Literal) -> str:
        v = e.value
        if e.ty == "f":
            if v != v:
                text = "math.nan"
            elif math.isinf(v):
                text = "math.inf" if v > 0 else "(-math.inf)"
            else:
                text = repr(float(v))
                text = f"({text})" if text.startswith("-") else text
            return f"to_f32({text})" if self.reference else text
        if e.ty == "i" and v == INT32_MIN:
            return "(-2147483647 - 1)"
        return f"({v})" if v < 0 else repr(v)

    def _subscript(self, e: Subscript) -> str:
        text = (f"{e.seq}[-1]" if e.index is None
                else f"{e.seq}[({self.expr(e.index)}) % len({e.seq})]")
        return f"array_item({text})" if self.reference and e.array else text

    def _binop(self, e: BinOp) -> str:
        a, b = self.expr(e.a), _shift_or_pow_operand(e.op, e.ty, self.expr(e.b))
        if not self.reference:
            return f"({a} {e.op} {b})"
        if e.ty == "i":
            return f"int32_result({a} {e.op} {b})"
        if e.ty == "f":
            if e.op == "**":
                return f"f32_pow({a}, {b})"
            return f"to_f32(to_f32({a}) {e.op} to_f32({b}))"
        return f"({a} {e.op} {b})"

    def _unary(self, e: UnaryOp) -> str:
        sep = " " if e.op == "not" else ""
        text = f"({e.op}{sep}{self.expr(e.a)})"
        return f"int32_result{text}" if self.reference and e.ty == "i" else text

    def _compare(self, e: Compare) -> str:
        texts = [self.expr(item) for item in e.items]
        out = texts[0]
        for op, t in zip(e.ops, texts[1:]):
            out += f" {op} {t}"
        return f"({out})"

    def _call(self, e: Call) -> str:
        template = BUILTIN_CALLS[e.fn][1 if self.reference else 0]
        texts = [self.expr(a) for a in e.args]
        if e.fn == "helper":
            return template.format(name=e.name, args=", ".join(texts))
        return template.format(*texts)

    def _sum(self, e: SumOf) -> str:
        return f"int32_result(sum({e.seq}))" if self.reference else f"sum({e.seq})"

    # statements
    def lines(self, s: Stmt, indent: int) -> list[str]:
        """The source lines of a statement at ``indent`` levels of four spaces."""
        return self._stmt[type(s)](s, indent)

    def block(self, stmts: list[Stmt], indent: int) -> list[str]:
        """The lines of a body (``pass`` when it is empty)."""
        out: list[str] = []
        for s in stmts:
            out += self.lines(s, indent)
        return out or [_pad(indent) + "pass"]

    def _augassign(self, s: AugAssign, ind: int) -> list[str]:
        if not self.reference:
            return [_pad(ind) + f"{s.name} {s.op}= {self.expr(s.value)}"]
        return [_pad(ind) + f"{s.name} = "
                + self.expr(BinOp(s.ty, s.op, Variable(s.ty, s.name), s.value))]

    def _store(self, s: StoreItem, ind: int) -> list[str]:
        return [_pad(ind) + f"{s.seq}[({self.expr(s.index)}) % len({s.seq})] = "
                f"{self.expr(s.value)}"]

    def _append(self, s: Append, ind: int) -> list[str]:
        return [_pad(ind) + f"{s.seq}.append({self.expr(s.value)})"]

    def _print(self, s: Print, ind: int) -> list[str]:
        fn = "core_print" if self.reference else "print"
        return [_pad(ind) + f"{fn}({', '.join(self.expr(v) for v in s.values)})"]

    def _jump(self, s: ConditionalJump, ind: int) -> list[str]:
        return [_pad(ind) + f"if {self.expr(s.cond)}:", _pad(ind + 1) + s.what]

    def _if(self, s: If, ind: int) -> list[str]:
        out = [_pad(ind) + f"if {self.expr(s.cond)}:"] + self.block(s.body, ind + 1)
        for cond, body in s.elifs:
            out += [_pad(ind) + f"elif {self.expr(cond)}:"] + self.block(body, ind + 1)
        return out + self._orelse(s.orelse, ind)

    def _for(self, s: For, ind: int) -> list[str]:
        n = str(s.count) if isinstance(s.count, int) else f"({self.expr(s.count)}) % 4"
        out = [_pad(ind) + f"for {s.var} in range({n}):"] + self.block(s.body, ind + 1)
        return out + self._orelse(s.orelse, ind)

    def _while(self, s: While, ind: int) -> list[str]:
        out = [_pad(ind) + f"{s.counter} = 0", _pad(ind) + f"while {s.counter} < {s.limit}:",
               _pad(ind + 1) + f"{s.counter} += 1"] + self.block(s.body, ind + 1)
        return out + self._orelse(s.orelse, ind)

    def _orelse(self, orelse: list[Stmt], ind: int) -> list[str]:
        return [_pad(ind) + "else:"] + self.block(orelse, ind + 1) if orelse else []

    # functions
    def helper(self, h: HelperFunction) -> list[str]:
        """The lines of a module-level helper, with a blank line after it."""
        ps = ", ".join(p for p, _ in h.params)
        if h.recursive:
            return [f"def {h.name}({ps}):", "    if n <= 0:", "        return acc",
                    f"    return {h.name}(n - 1, {self.expr(h.body)})", ""]
        return [f"def {h.name}({ps}):", f"    return {self.expr(h.body)}", ""]


def _pad(indent: int) -> str:
    return "    " * indent
