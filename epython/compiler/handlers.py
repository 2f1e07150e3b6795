"""Code generation for exceptions: ``try``/``except``/``else``/``finally`` and ``raise``.

A ``try`` costs nothing until something is raised: its body is a protected :class:`Region` of
the assembler, which becomes entries of the function's exception table (docs/bytecode.md,
"Exceptions").  The handler code receives the exception on the stack, keeps it in a hidden
local (bare ``raise`` re-raises it), tests the ``except`` clauses in order with ``CHECK_EXC``
and re-raises when none matches.  A ``finally`` body is compiled inline on every way out of
its ``try``: falling off the end, ``return``, ``break``, ``continue`` (the code inlined for
those is outside the regions it leaves), and in a handler that runs it and re-raises.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from epython.bytecode.exceptions import EXCEPTION_CLASSES
from epython.bytecode.opcodes import ErrorCode
from epython.compiler.assembler import Region
from epython.compiler.functions import FunctionCompilerBase
from epython.compiler.resolve import lookup_name, missing

__all__ = ["Finally", "HandlersMixin", "LoopBlock"]

_CLASS_HINT = ("kernels raise and catch the built-in exception classes: "
               + ", ".join(EXCEPTION_CLASSES))


def _is_none(node: ast.expr) -> bool:
    """The literal None (``raise X(None)`` has the args ``(None,)``: BUILD_EXC)."""
    return isinstance(node, ast.Constant) and node.value is None


@dataclass
class LoopBlock:
    """An enclosing loop among the blocks a return, break or continue leaves."""

    is_for: bool


@dataclass
class Finally:
    """An enclosing ``try`` with a ``finally`` body (or the regions of a ``try``)."""

    body: list[ast.stmt]
    regions: list[Region] = field(default_factory=list)  # what its inlined copies leave


class HandlersMixin(FunctionCompilerBase):
    """try/except/finally and raise, for the function compiler."""

    #: the enclosing loops and finally blocks, outermost first
    blocks: list[LoopBlock | Finally]
    #: the regions protecting the code emitted now, outermost first
    regions: list[Region]
    #: hidden locals holding the exceptions being handled, innermost last (for bare raise)
    handling: list[int]

    def stack_base(self) -> int:
        """Values the enclosing for loops keep on the stack (their iterators)."""
        return sum(1 for b in self.blocks if isinstance(b, LoopBlock) and b.is_for)

    def exception_class(self, node: ast.expr) -> ErrorCode:
        """The built-in exception class that ``node`` names; a CompileError naming it otherwise."""
        if isinstance(node, ast.Name) and node.id not in self.locals:
            value = lookup_name(self.ref.pyfunc, self.ref.env, node.id)
            if node.id in EXCEPTION_CLASSES and value is getattr(builtins, node.id):
                return ErrorCode[node.id]
            if isinstance(value, type) and issubclass(value, BaseException):
                self.fail(node, f"{node.id} is not a built-in exception class; user-defined "
                          "exception classes are not supported in kernels", _CLASS_HINT)
            what = "is not defined" if missing(value) else "is not an exception class"
            self.fail(node, f"{node.id} {what}", _CLASS_HINT)
        if isinstance(node, ast.Name):
            self.fail(node, f"{node.id} is a variable, not an exception class", _CLASS_HINT)
        self.fail(node, "except and raise take the name of a built-in exception class",
                  _CLASS_HINT)

    def build_exception(self, e: ast.Call) -> None:
        """``ValueError(a, b)``: a new exception object (BUILD_EXC)."""
        code = self.exception_class(e.func)
        if e.keywords:
            self.fail(e.keywords[0], f"{code.name}() takes no keyword arguments")
        if len(e.args) > 255:
            self.fail(e, "an exception takes at most 255 arguments")
        for arg in e.args:
            self.expr(arg)
        self.asm.emit("BUILD_EXC", code, len(e.args))

    # --- raise ----------------------------------------------------------------------------
    def stmt_Raise(self, s: ast.Raise) -> None:
        """``raise X``, ``raise X(args)``, ``raise e`` and bare ``raise`` (re-raise)."""
        if s.cause is not None:
            self.fail(s, "'raise ... from ...' is not supported in kernels",
                      "raise the new exception alone (kernels keep no exception chains)")
        exc = s.exc
        if exc is None:
            if not self.handling:
                self.load_const("No active exception to reraise", s)
                self.asm.emit("RAISE", ErrorCode.RuntimeError)
                return
            self.asm.emit("LOAD_LOCAL", self.handling[-1])
        elif self._names_class(exc):
            self.load_const(None, s)  # RAISE: no args
            self.asm.emit("RAISE", self.exception_class(exc))
            return
        elif (isinstance(exc, ast.Call) and self._names_class(exc.func) and not exc.keywords
              and len(exc.args) == 1 and not _is_none(exc.args[0])):
            self.expr(exc.args[0])  # RAISE: the one message
            self.asm.emit("RAISE", self.exception_class(exc.func))
            return
        else:
            self.expr(exc)
        self.asm.emit("RAISE_VALUE")

    def _names_class(self, node: ast.expr) -> bool:
        """Whether ``node`` names an exception class (not a variable holding an exception)."""
        if not isinstance(node, ast.Name) or node.id in self.locals or node.id in \
                self.globals_declared or any(node.id in scope for scope in self.renames):
            return False
        value = lookup_name(self.ref.pyfunc, self.ref.env, node.id)
        return isinstance(value, type) and issubclass(value, BaseException)

    # --- try ------------------------------------------------------------------------------
    def stmt_Try(self, s: ast.Try) -> None:
        """``try`` with ``except`` clauses, ``else`` and ``finally`` (CPython's semantics)."""
        if not s.finalbody:
            self._try_except(s)
            return
        block = Finally(s.finalbody)
        handler, end = self.asm.label("finally_handler"), self.asm.label("finally_end")
        region = self.asm.protect(handler, self.stack_base())
        block.regions = self.regions[:]  # an inlined copy leaves these and the ones inside
        self.regions.append(region)
        self.blocks.append(block)
        if s.handlers:
            self._try_except(s)
        else:
            self.body(s.body)
        self.blocks.pop()
        self.regions.pop()
        self.asm.end_protect(region)
        self.body(s.finalbody)  # the way out by the end
        self.asm.emit_jump("JUMP", end)
        self.asm.mark(handler)  # the way out by an exception: run the body, raise it again
        hidden = self.local(self.hidden("finally_exc"))
        self.asm.emit("STORE_LOCAL", hidden)
        self.handling.append(hidden)
        self.body(s.finalbody)
        self.handling.pop()
        self.asm.emit("LOAD_LOCAL", hidden)
        self.asm.emit("RAISE_VALUE")
        self.asm.mark(end)

    def _try_except(self, s: ast.Try) -> None:
        """The ``try`` body, its ``except`` clauses and its ``else`` (without the finally)."""
        handler, end = self.asm.label("except"), self.asm.label("try_end")
        region = self.asm.protect(handler, self.stack_base())
        self.regions.append(region)
        self.body(s.body)
        self.regions.pop()
        self.asm.end_protect(region)
        self.body(s.orelse)
        self.asm.emit_jump("JUMP", end)
        self.asm.mark(handler)
        hidden = self.local(self.hidden("exc"))
        self.asm.emit("STORE_LOCAL", hidden)
        for clause in s.handlers:
            self.asm.set_line(clause.lineno)
            nxt = self.asm.label("except_next")
            if clause.type is not None:
                classes = (clause.type.elts if isinstance(clause.type, ast.Tuple)
                           else [clause.type])
                if not classes:
                    self.fail(clause.type, "an empty tuple of exception classes matches nothing",
                              "name at least one exception class")
                match = self.asm.label("except_match")
                for k, cls in enumerate(classes):
                    code = self.exception_class(cls)
                    self.asm.emit("LOAD_LOCAL", hidden)
                    self.asm.emit("CHECK_EXC", code)
                    if k < len(classes) - 1:
                        self.asm.emit_jump("POP_JUMP_IF_TRUE", match)
                    else:
                        self.asm.emit_jump("POP_JUMP_IF_FALSE", nxt)
                self.asm.mark(match)
            if clause.name is not None:
                self.asm.emit("LOAD_LOCAL", hidden)
                self.store(ast.Name(clause.name, ast.Store()))
            self.handling.append(hidden)
            self.body(clause.body)
            self.handling.pop()
            if clause.name is not None:  # CPython unbinds it; here it becomes None
                self.asm.emit("LOAD_NONE")
                self.store(ast.Name(clause.name, ast.Store()))
            self.asm.emit_jump("JUMP", end)
            self.asm.mark(nxt)
        self.asm.emit("LOAD_LOCAL", hidden)  # no clause matched: on to the next handler
        self.asm.emit("RAISE_VALUE")
        self.asm.mark(end)

    # --- leaving blocks: return, break, continue -------------------------------------------
    def crosses_finally(self, upto: int) -> bool:
        """Whether leaving ``blocks[upto:]`` runs some finally body."""
        return any(isinstance(b, Finally) for b in self.blocks[upto:])

    def unwind(self, upto: int, upto_region: int, pop_iterators: bool) -> list[Region]:
        """Leave ``blocks[upto:]`` innermost first: the finally bodies run, each protected by
        the regions around its ``try`` only, and, for a return, the for loops' iterators are
        popped.  The regions from ``upto_region`` on are left suspended (the jump or return
        that follows is outside them): the caller resumes them after it."""
        saved = (self.blocks, self.regions, self.handling)
        every = self.regions[:]
        for k in range(len(saved[0]) - 1, upto - 1, -1):
            block = saved[0][k]
            if isinstance(block, LoopBlock):
                if block.is_for and pop_iterators:
                    self.asm.emit("POP_TOP")
                continue
            for region in every:
                if region not in block.regions:
                    self.asm.suspend(region)
            self.blocks, self.regions = saved[0][:k], block.regions
            self.body(block.body)
            self.blocks, self.regions, self.handling = saved
        left = every[upto_region:]
        for region in left:
            self.asm.suspend(region)
        return left

    def resume_all(self, regions: list[Region]) -> None:
        """Protect again with the regions :meth:`unwind` left suspended."""
        for region in regions:
            self.asm.resume(region)

    def body(self, stmts: list[ast.stmt]) -> None:
        """Compile a statement list."""
        raise NotImplementedError
