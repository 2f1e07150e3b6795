"""Builtins that compile to instructions every interpreter already has (issue 17).

``all(it)`` and ``any(it)`` are a loop that stops at the first false (true) item, ``divmod(a,
b)`` is ``(a // b, a % b)`` with each operand evaluated once, and ``pow(a, b)`` is ``a ** b``.
No new opcode, builtin or C code: the results, errors and memory costs are those of the
instructions, the same on every engine and on the cores.
"""

from __future__ import annotations

import ast

from epython.compiler.functions import FunctionCompilerBase

__all__ = ["DESUGARED", "DesugarMixin"]

#: The builtins compiled here, by name.
DESUGARED = ("all", "any", "divmod", "pow")


class DesugarMixin(FunctionCompilerBase):
    """The part of FunctionCompiler that compiles the builtins of DESUGARED."""

    def call_desugared(self, e: ast.Call, name: str) -> None:
        """Compile ``name(...)`` (one of DESUGARED)."""
        if e.keywords:
            self.fail(e, f"{name}() takes no keyword arguments")
        want = {"all": 1, "any": 1, "divmod": 2, "pow": 2}[name]
        if len(e.args) != want:
            if name == "pow" and len(e.args) == 3:
                self.fail(e, "pow() with a modulus is not supported in kernels",
                          "compute pow(a, b) % m with a loop of multiplications modulo m "
                          "(int32 would overflow a ** b)")
            plural = "s" if want > 1 else ""
            self.fail(e, f"{name}() takes exactly {want} argument{plural} ({len(e.args)} given)")
        if name in ("all", "any"):
            self._all_any(e, name == "all")
        elif name == "divmod":
            self._divmod(e)
        else:
            self.expr(e.args[0])
            self.expr(e.args[1])
            self.asm.set_line(e.lineno)
            self.asm.emit("BINARY_POW")

    def _all_any(self, e: ast.Call, is_all: bool) -> None:
        """``all``: True unless an item is false (stopping there, as CPython does); ``any``:
        False unless an item is true."""
        self.expr(e.args[0])
        self.asm.set_line(e.lineno)
        self.asm.emit("GET_ITER")
        top, done, end = (self.asm.label("allany"), self.asm.label("allany_done"),
                          self.asm.label("allany_end"))
        self.asm.mark(top)
        self.asm.emit_jump("FOR_ITER", done)
        self.asm.emit_jump("POP_JUMP_IF_TRUE" if is_all else "POP_JUMP_IF_FALSE", top)
        self.asm.emit("POP_TOP")  # the iterator: the answer is known
        self.asm.emit("LOAD_FALSE" if is_all else "LOAD_TRUE")
        self.asm.emit_jump("JUMP", end)
        self.asm.mark(done)
        self.asm.emit("LOAD_TRUE" if is_all else "LOAD_FALSE")
        self.asm.mark(end)

    def _divmod(self, e: ast.Call) -> None:
        """``(a // b, a % b)``: both operands evaluated once, left to right."""
        self.expr(e.args[0])
        self.expr(e.args[1])
        self.asm.set_line(e.lineno)
        self.asm.emit("DUP_TOP_TWO")     # a b a b
        self.asm.emit("BINARY_FLOORDIV")  # a b q
        self.asm.emit("ROT_THREE")       # q a b
        self.asm.emit("BINARY_MOD")      # q r
        self.asm.emit("BUILD_TUPLE", 2)
