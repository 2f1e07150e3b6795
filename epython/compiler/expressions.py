"""Code generation for expressions: names, constants, operators, comparisons, subscripts,
attributes, f-strings and list comprehensions (calls are in calls.py)."""

from __future__ import annotations

import ast
import types
import warnings
from collections.abc import Callable
from typing import Any

from epython.bytecode.image import INT32_MAX, INT32_MIN, Float32, float32
from epython.bytecode.opcodes import ATTRS, BUILTIN_BY_NAME, ErrorCode
from epython.compiler.functions import FunctionCompilerBase
from epython.compiler.resolve import (
    builtin_name,
    is_constant,
    lookup_name,
    missing,
    module_kind,
)
from epython.errors import UndefinedNameWarning

__all__ = ["BINOPS", "CMPOPS", "INPLACE_OPS", "UNARYOPS", "ExpressionsMixin", "refuse_known_operands"]

BINOPS = {ast.Add: "BINARY_ADD", ast.Sub: "BINARY_SUB", ast.Mult: "BINARY_MUL",
          ast.Div: "BINARY_TRUEDIV", ast.FloorDiv: "BINARY_FLOORDIV", ast.Mod: "BINARY_MOD",
          ast.Pow: "BINARY_POW", ast.LShift: "BINARY_LSHIFT", ast.RShift: "BINARY_RSHIFT",
          ast.BitAnd: "BINARY_AND", ast.BitOr: "BINARY_OR", ast.BitXor: "BINARY_XOR"}
INPLACE_OPS = {ast.Add: "INPLACE_ADD", ast.Mult: "INPLACE_MUL"}
UNARYOPS = {ast.USub: "UNARY_NEG", ast.UAdd: "UNARY_POS", ast.Not: "UNARY_NOT",
            ast.Invert: "UNARY_INVERT"}
CMPOPS = {ast.Eq: "COMPARE_EQ", ast.NotEq: "COMPARE_NE", ast.Lt: "COMPARE_LT",
          ast.LtE: "COMPARE_LE", ast.Gt: "COMPARE_GT", ast.GtE: "COMPARE_GE",
          ast.In: "COMPARE_IN", ast.NotIn: "COMPARE_NOT_IN", ast.Is: "COMPARE_IS",
          ast.IsNot: "COMPARE_IS_NOT"}


class ExpressionsMixin(FunctionCompilerBase):
    """The expression-compiling part of FunctionCompiler (codegen.py has the rest)."""

    def expr(self, e: ast.expr) -> None:
        """Compile an expression; its value ends on the stack."""
        if hasattr(e, "lineno"):
            self.asm.set_line(e.lineno)
        self.visit(e, "expr", "expressions")

    def load_const(self, value: Any, node: ast.AST) -> None:
        """Push a constant with the shortest instruction."""
        if value is None:
            self.asm.emit("LOAD_NONE")
        elif value is True:
            self.asm.emit("LOAD_TRUE")
        elif value is False:
            self.asm.emit("LOAD_FALSE")
        elif isinstance(value, int):
            if not INT32_MIN <= value <= INT32_MAX:
                self.fail(node, f"integer constant {value} does not fit in 32 bits",
                          f"kernel ints are int32 in [{INT32_MIN}, {INT32_MAX}]")
            if -0x8000 <= value <= 0x7FFF:
                self.asm.emit("LOAD_INT", value)
            else:
                self.asm.emit("LOAD_CONST", self.b.const(value))
        elif isinstance(value, float):
            self.asm.emit("LOAD_CONST", self.b.const(Float32(float32(value))))
        elif isinstance(value, str):
            if len(value.encode("utf-8")) > 0xFFFF:
                self.fail(node, "string constant longer than 65535 bytes")
            self.asm.emit("LOAD_CONST", self.b.const(value))
        elif isinstance(value, tuple):
            for item in value:
                self.load_const(item, node)
            self.asm.emit("BUILD_TUPLE", len(value))
        else:
            self.fail(node, f"constants of type {type(value).__name__} are not supported in kernels",
                      "use int, float, bool, str, None or tuples of them")

    def expr_Constant(self, e: ast.Constant) -> None:
        """Compile a literal."""
        if isinstance(e.value, (complex, bytes)) or e.value is Ellipsis:
            self.fail(e, f"{type(e.value).__name__} constants are not supported in kernels")
        self.load_const(e.value, e)

    def expr_Name(self, e: ast.Name) -> None:
        """Compile a name read."""
        self.load_name(e)

    def load_name(self, e: ast.Name) -> None:
        """Push the value of a name: local, global, or a captured module-level constant."""
        name = e.id
        for scope in reversed(self.renames):
            if name in scope:
                self.asm.emit("LOAD_LOCAL", self.local(scope[name]))
                return
        if name in self.ref.bound:
            self.fail(e, f"function parameter {name} used as a value", "a parameter that receives "
                      "a function can be called or passed on to a kernel function, nothing else")
        if name in self.locals:
            self.asm.emit("LOAD_LOCAL", self.locals[name])
            return
        if (name in self.globals_declared or name in self.b.device_globals
                or name in self.b.shared_globals):
            self.asm.emit("LOAD_GLOBAL", self.global_slot(name, e))
            return
        value = lookup_name(self.ref.pyfunc, self.ref.env, name)
        if missing(value) and name in self.b.declared_globals:
            # not a module-level name, but a global the kernel creates: read its slot (unset
            # until assigned: NameError, as in CPython)
            self.asm.emit("LOAD_GLOBAL", self.global_slot(name, e))
            return
        if missing(value):
            if self.nested_def(name, e) is not None:
                self.fail(e, f"function {name} used as a value", "kernels can call functions and "
                          "pass them by name as arguments to kernel functions")
            self.undefined_name(e, name)
            return
        if is_constant(value):
            self.b.constant_reads.add(name)
            self.load_const(value, e)
            return
        if isinstance(value, type) and issubclass(value, BaseException):
            self.fail(e, f"exception class {name} used as a value", "use it in a raise statement")
        if builtin_name(value) or isinstance(value, types.FunctionType) or module_kind(value):
            self.fail(e, f"{name} used as a value", "kernels can call functions and pass their own "
                      "functions by name as arguments to kernel functions; builtins and module "
                      "functions cannot be stored or passed")
        self.fail(e, f"module-level name {name!r} holds a {_kind(value)}, which kernels cannot "
                  "read from the host module", f"pass {name} to the kernel as an argument (arrays, "
                  "lists, tuples) or keep it on the cores with epython.define_on_device; "
                  "module-level constants must be int, float, bool, str, None or tuples of them")

    def expr_BinOp(self, e: ast.BinOp) -> None:
        """Compile a binary operator."""
        op = BINOPS.get(type(e.op))
        if op is None:
            self.fail(e, f"operator {type(e.op).__name__} is not supported in kernels")
        refuse_known_operands(self, e, e.op, e.left, e.right)
        self.expr(e.left)
        self.expr(e.right)
        self.asm.set_line(e.lineno)
        self.asm.emit(op)

    def undefined_name(self, e: ast.Name, name: str) -> None:
        """A name defined nowhere the compiler looks: a warning now, and ``NameError`` when the
        line runs, as in CPython (``try: foo() except NameError:`` works).  A variable of an
        enclosing function is a CompileError: CPython would read it (a closure)."""
        if name in self.ref.enclosing:
            self.fail(e, f"name {name!r} is not defined", "nested functions cannot read the "
                      "enclosing function's variables (closures): pass them as arguments")
        warnings.warn_explicit(
            f"name {name!r} is not defined: running line {e.lineno} raises NameError (kernels see "
            "their parameters, locals, module-level constants and functions, builtins, math, "
            "random and epython.parallel)", UndefinedNameWarning, self.ref.source.filename, e.lineno)
        self.load_const(f"name {name!r} is not defined", e)
        self.asm.set_line(e.lineno)
        self.asm.emit("RAISE", ErrorCode.NameError)

    def expr_UnaryOp(self, e: ast.UnaryOp) -> None:
        """Compile a unary operator (a negated numeric literal is one constant)."""
        if isinstance(e.op, ast.USub) and isinstance(e.operand, ast.Constant) and \
                isinstance(e.operand.value, (int, float)) and not isinstance(e.operand.value, bool):
            self.load_const(-e.operand.value, e)  # so that -2147483648 is a constant
            return
        self.expr(e.operand)
        self.asm.emit(UNARYOPS[type(e.op)])

    def expr_BoolOp(self, e: ast.BoolOp) -> None:
        """Compile ``and``/``or``: the value that decides stays on the stack."""
        end = self.asm.label("boolop")
        jump = "JUMP_IF_FALSE_OR_POP" if isinstance(e.op, ast.And) else "JUMP_IF_TRUE_OR_POP"
        for value in e.values[:-1]:
            self.expr(value)
            self.asm.emit_jump(jump, end)
        self.expr(e.values[-1])
        self.asm.mark(end)

    def expr_Compare(self, e: ast.Compare) -> None:
        """Compile a comparison, chained ones evaluating each operand once."""
        operands = [e.left, *e.comparators]
        for k, op in enumerate(e.ops):
            if isinstance(op, (ast.Is, ast.IsNot)) and not any(
                    isinstance(side, ast.Constant) and any(side.value is v for v in (None, True, False))
                    for side in operands[k:k + 2]):
                self.fail(e, "'is' compares identity, which kernels define only against None, "
                          "True and False", "use == to compare values")
        self.expr(e.left)
        if len(e.ops) == 1:
            self.expr(e.comparators[0])
            self.asm.emit(CMPOPS[type(e.ops[0])])
            return
        cleanup = self.asm.label("cmp_cleanup")
        end = self.asm.label("cmp_end")
        for op, right in zip(e.ops[:-1], e.comparators[:-1]):
            self.expr(right)
            self.asm.emit("DUP_TOP")
            self.asm.emit("ROT_THREE")
            self.asm.emit(CMPOPS[type(op)])
            self.asm.emit_jump("JUMP_IF_FALSE_OR_POP", cleanup)
        self.expr(e.comparators[-1])
        self.asm.emit(CMPOPS[type(e.ops[-1])])
        self.asm.emit_jump("JUMP", end)
        self.asm.mark(cleanup)
        self.asm.emit("ROT_TWO")
        self.asm.emit("POP_TOP")
        self.asm.mark(end)

    def expr_IfExp(self, e: ast.IfExp) -> None:
        """Compile ``a if test else b``."""
        orelse = self.asm.label("ifexp_else")
        end = self.asm.label("ifexp_end")
        self.expr(e.test)
        self.asm.emit_jump("POP_JUMP_IF_FALSE", orelse)
        self.expr(e.body)
        self.asm.emit_jump("JUMP", end)
        self.asm.mark(orelse)
        self.expr(e.orelse)
        self.asm.mark(end)

    def expr_Tuple(self, e: ast.Tuple) -> None:
        """Compile a tuple display."""
        self._sequence(e, "BUILD_TUPLE")

    def expr_List(self, e: ast.List) -> None:
        """Compile a list display."""
        self._sequence(e, "BUILD_LIST")

    def _sequence(self, e: ast.Tuple | ast.List, op: str) -> None:
        """Push the items of a tuple or list display and build it with ``op``."""
        if len(e.elts) > 255:
            self.fail(e, "sequence displays are limited to 255 items", "build the list in a loop")
        for elt in e.elts:
            self.expr(elt)
        self.asm.emit(op, len(e.elts))

    def expr_Subscript(self, e: ast.Subscript) -> None:
        """Compile ``a[i]``, ``a[i, j]`` and ``a[lo:hi:step]``."""
        self.expr(e.value)
        if isinstance(e.slice, ast.Slice):
            for part in (e.slice.lower, e.slice.upper, e.slice.step):
                if part is None:
                    self.asm.emit("LOAD_NONE")
                else:
                    self.expr(part)
            self.asm.emit("SLICE_SUBSCR")
            return
        self.subscript_index(e)
        self.asm.emit("BINARY_SUBSCR")

    def subscript_index(self, e: ast.Subscript) -> None:
        """Push the index of a subscript (a tuple for ``a[i, j]``)."""
        index = e.slice
        if isinstance(index, ast.Tuple):
            for part in index.elts:
                if isinstance(part, ast.Slice):
                    self.fail(part, "slices inside multi-dimensional indexes are not supported")
        self.expr(index)

    def expr_Attribute(self, e: ast.Attribute) -> None:
        """Compile an attribute read: math constants and ``.shape`` of arrays."""
        base = e.value
        if isinstance(base, ast.Name) and base.id not in self.locals:
            value = lookup_name(self.ref.pyfunc, self.ref.env, base.id)
            kind = module_kind(value)
            if kind == "math":
                attr = getattr(value, e.attr, None)
                if e.attr in ("pi", "e", "inf", "nan", "tau"):
                    self.load_const(attr, e)
                    return
                self.fail(e, f"math.{e.attr} used as a value", "call math functions directly")
            if kind is not None:
                self.fail(e, f"{base.id}.{e.attr} used as a value", "call it")
        if e.attr not in ATTRS:
            self.fail(e, f"attribute .{e.attr} is not supported in kernels",
                      "arrays have .shape; lists have .append(), .pop() and .copy()")
        self.expr(base)
        self.asm.emit("LOAD_ATTR", ATTRS.index(e.attr))

    def expr_JoinedStr(self, e: ast.JoinedStr) -> None:
        """Compile an f-string."""
        parts = 0
        for value in e.values:
            if isinstance(value, ast.Constant):
                self.load_const(value.value, value)
            elif isinstance(value, ast.FormattedValue):
                self.expr(value.value)
                if value.format_spec is None:
                    self.load_const("", value)
                else:
                    spec = value.format_spec
                    if not (isinstance(spec, ast.JoinedStr) and all(
                            isinstance(v, ast.Constant) for v in spec.values)):
                        self.fail(value, "f-string format specs must be constant",
                                  "write the spec literally, e.g. {x:.3f}")
                    self.load_const("".join(str(v.value) for v in spec.values  # type: ignore[attr-defined]
                                            ), value)
                if value.conversion not in (-1, ord("s"), ord("r")):
                    self.fail(value, "only !s and !r conversions are supported in f-strings")
                self.asm.emit("FORMAT_VALUE", 1 if value.conversion == ord("r") else 0)
            parts += 1
        if parts > 255:
            self.fail(e, "f-string has too many parts")
        if parts != 1:
            self.asm.emit("BUILD_STRING", parts)
        elif not isinstance(e.values[0], ast.FormattedValue):
            pass  # a lone constant is already a str

    def expr_ListComp(self, e: ast.ListComp) -> None:
        """Compile a list comprehension (any ``for`` and ``if`` clauses)."""
        def add(result: int) -> None:
            self.asm.emit("LOAD_LOCAL", result)
            self.expr(e.elt)
            self.asm.emit("CALL_BUILTIN", BUILTIN_BY_NAME["list.append"].code, 2)
            self.asm.emit("POP_TOP")

        self.comprehension(e, "list", lambda: self.asm.emit("BUILD_LIST", 0), add)

    def comprehension(self, e: ast.ListComp | ast.DictComp, kind: str, build: Callable[[], None],
                      add: Callable[[int], None]) -> None:
        """A comprehension with ``for`` clauses (each with any ``if`` clauses), nested left to
        right as CPython nests them: ``build()`` pushes the new list or dict, kept in a hidden
        local, and ``add(slot)`` adds the element of each iteration to the one in local
        ``slot``; the loop variables do not leak.  The first iterable is evaluated outside,
        the others inside the loops (a name of an outer clause is the loop's variable)."""
        if any(gen.is_async for gen in e.generators):
            self.fail(e, "async comprehensions are not supported in kernels")
        result = self.local(self.hidden(f"{kind}comp"))
        scope: dict[str, str] = {}  # every clause's targets are the comprehension's locals
        for gen in e.generators:
            for node in ast.walk(gen.target):
                if isinstance(node, ast.Name):
                    scope.setdefault(node.id, self.hidden(node.id))
        build()
        self.asm.emit("STORE_LOCAL", result)
        loops = []
        for k, gen in enumerate(e.generators):
            if k:
                self.renames.append(scope)
            self.expr(gen.iter)
            if k:
                self.renames.pop()
            self.asm.emit("GET_ITER")
            top = self.asm.label("comp")
            done = self.asm.label("comp_done")
            loops.append((top, done))
            self.asm.mark(top)
            self.asm.emit_jump("FOR_ITER", done)
            self.renames.append(scope)
            self.store(gen.target)
            for cond in gen.ifs:
                self.expr(cond)
                self.asm.emit_jump("POP_JUMP_IF_FALSE", top)
            self.renames.pop()
        self.renames.append(scope)
        add(result)
        self.renames.pop()
        for top, done in reversed(loops):
            self.asm.emit_jump("JUMP", top)
            self.asm.mark(done)
        self.asm.emit("LOAD_LOCAL", result)


def refuse_known_operands(fc: FunctionCompilerBase, node: ast.AST, op: ast.operator,
                          left: ast.expr, right: ast.expr) -> None:
    """Refuse what CPython does but kernels do not, where the operands' types show in the
    source: ``"..." % x`` and ``d | {...}`` (elsewhere they are a TypeError at run time)."""
    if isinstance(op, ast.Mod) and (isinstance(left, ast.JoinedStr) or (
            isinstance(left, ast.Constant) and isinstance(left.value, str))):
        fc.fail(node, "%-formatting of strings is not supported in kernels",
                "use an f-string: f'{x:5d}' for '%5d' % x")
    if isinstance(op, ast.BitOr) and any(isinstance(side, (ast.Dict, ast.DictComp))
                                         for side in (left, right)):
        fc.fail(node, "dict union (|) is not supported in kernels",
                "copy and update: d = dict(a); d.update(b)")


def _kind(value: object) -> str:
    """A value's type as a message names it ("numpy.ndarray", "list")."""
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"
