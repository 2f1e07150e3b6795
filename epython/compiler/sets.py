"""Code generation for sets: displays, comprehensions, ``set(...)``, the set methods and the
in-place operators on sets (docs/language.md, "Sets").

A set is built by the builtin ``set`` and filled by ``set.add``, so displays and comprehensions
need no opcode of their own.  ``a |= b`` (and ``&=``, ``-=``, ``^=``) must change a set in place,
as CPython does, which the BINARY_* opcodes cannot: in a program that makes sets those four
augmented assignments compile to the builtin ``set.inplace`` instead (the same result for
numbers), and a program that makes none keeps the plain opcodes (``ProgramBuilder.set_inplace``).
"""

from __future__ import annotations

import ast

from epython.bytecode.opcodes import BUILTIN_BY_NAME, Op
from epython.compiler.functions import UNSUPPORTED, FunctionCompilerBase

__all__ = ["SET_INPLACE_OPS", "SetsMixin", "set_method"]

#: The augmented operators that change a set in place, and the BINARY_* opcode of each.
SET_INPLACE_OPS: dict[type, str] = {ast.BitOr: "BINARY_OR", ast.BitAnd: "BINARY_AND",
                                    ast.Sub: "BINARY_SUB", ast.BitXor: "BINARY_XOR"}
#: Method names shared with lists and dicts: the shared builtin goes on to the set's method at
#: run time when the receiver is a set.
_SHARED = ("pop", "copy", "remove", "clear", "update")


def set_method(attr: str, nargs: int, keywords: bool) -> str | None:
    """The set builtin that ``x.<attr>(...)`` with ``nargs`` arguments (the receiver included)
    compiles to, or None when the list or dict method of that name serves."""
    name = f"set.{attr}"
    if name not in BUILTIN_BY_NAME or attr == "inplace":
        return None
    if attr in _SHARED and not (attr == "update" and nargs != 2 and not keywords):
        return None
    return name


class SetsMixin(FunctionCompilerBase):
    """The set-compiling part of FunctionCompiler (codegen.py has the rest)."""

    def expr_Set(self, e: ast.Set) -> None:
        """Compile a set display ``{a, b}``: its items are added in order."""
        self.b.makes_sets = True  # type: ignore[attr-defined]
        self.emit_builtin_call(e, "set", 0)
        for elt in e.elts:
            if isinstance(elt, ast.Starred):
                self.fail(elt, *UNSUPPORTED["Starred"])
            self.asm.emit("DUP_TOP")
            self.expr(elt)
            self.emit_builtin_call(elt, "set.add", 2)
            self.asm.emit("POP_TOP")

    def expr_SetComp(self, e: ast.SetComp) -> None:
        """Compile a set comprehension (``for`` clauses, each with any ``if`` clauses)."""
        self.b.makes_sets = True  # type: ignore[attr-defined]

        def add(result: int) -> None:
            self.asm.emit("LOAD_LOCAL", result)
            self.expr(e.elt)
            self.emit_builtin_call(e.elt, "set.add", 2)
            self.asm.emit("POP_TOP")

        self.comprehension(e, "set", lambda: self.emit_builtin_call(e, "set", 0), add)  # type: ignore[attr-defined]

    def call_set(self, e: ast.Call) -> None:
        """``set()`` and ``set(iterable)``."""
        self.b.makes_sets = True  # type: ignore[attr-defined]
        if e.keywords:
            self.fail(e, "set() takes no keyword arguments")
        if len(e.args) > 1:
            self.fail(e, f"set expected at most 1 argument, got {len(e.args)}")
        for arg in e.args:
            self.expr(arg)
        self.emit_builtin_call(e, "set", len(e.args))

    def set_inplace(self, s: ast.AugAssign) -> str | None:
        """The BINARY_* opcode that ``s`` passes to ``set.inplace``, or None when ``s`` compiles
        to its plain opcode (not one of | & - ^, or a program that makes no set)."""
        opname = SET_INPLACE_OPS.get(type(s.op))
        if opname is None:
            return None
        if not self.b.set_inplace:  # type: ignore[attr-defined]
            self.b.plain_bitops = True  # type: ignore[attr-defined]
            return None
        return opname

    def emit_inplace_op(self, s: ast.AugAssign, op: str, opname: str | None) -> None:
        """With ``a`` and ``b`` on the stack: ``a op= b`` by the opcode ``op``, or by
        ``set.inplace`` with the BINARY_* opcode ``opname`` (set_inplace's answer)."""
        if opname is None:
            self.asm.emit(op)
            return
        self.asm.emit("LOAD_INT", int(Op[opname]))
        self.emit_builtin_call(s, "set.inplace", 3)
