"""Code generation: Python ``ast`` of a kernel (and the functions it calls) -> bytecode.

One :class:`FunctionCompiler` per function; the :class:`ProgramBuilder` owns the shared pools
(constants, globals, function table) and compiles called functions on demand.
"""

from __future__ import annotations

import ast
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from epython.bytecode.image import Float32, GlobalSlot, Program, float32
from epython.bytecode.opcodes import ATTRS, BUILTIN_BY_NAME, ErrorCode
from epython.compiler.assembler import Assembler
from epython.compiler.calls import CallsMixin, FunctionRef, check_signature, fail_at
from epython.compiler.resolve import (
    EXCEPTION_NAMES,
    builtin_name,
    is_constant,
    lookup_name,
    missing,
    module_kind,
)
from epython.compiler.source import get_function_source
from epython.errors import LaunchOptionWarning

__all__ = ["ProgramBuilder"]

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

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

#: Hints for constructs outside the subset, by ast class name.
UNSUPPORTED: dict[str, tuple[str, str]] = {
    "ClassDef": ("class definitions are not supported in kernels", "define classes on the host"),
    "Try": ("try/except is not supported in kernels",
            "errors propagate to the host; catch them around the launch"),
    "TryStar": ("try/except* is not supported in kernels", "catch errors on the host"),
    "With": ("with statements are not supported in kernels", "manage resources on the host"),
    "AsyncWith": ("async with is not supported in kernels", "use plain statements"),
    "AsyncFor": ("async for is not supported in kernels", "use a plain for loop"),
    "AsyncFunctionDef": ("async def is not supported in kernels", "use a plain def"),
    "Import": ("import inside a kernel is not supported",
               "import math or epython.parallel at module level"),
    "ImportFrom": ("import inside a kernel is not supported",
                   "import math or epython.parallel at module level"),
    "Delete": ("del is not supported in kernels", "assign None or rebuild the list"),
    "Nonlocal": ("nonlocal is not supported in kernels", "pass values as arguments and return them"),
    "Match": ("match statements are not supported in kernels", "use if/elif/else"),
    "Lambda": ("lambda is not supported in kernels", "define a named function with def"),
    "Dict": ("dict is not supported in kernels", "use a list or a numpy array"),
    "DictComp": ("dict comprehensions are not supported in kernels", "use a list or a numpy array"),
    "Set": ("set is not supported in kernels", "use a list"),
    "SetComp": ("set comprehensions are not supported in kernels", "use a list comprehension"),
    "GeneratorExp": ("generator expressions are not supported in kernels",
                     "use a list comprehension"),
    "Yield": ("generators (yield) are not supported in kernels", "build and return a list"),
    "YieldFrom": ("generators (yield from) are not supported in kernels", "build and return a list"),
    "Await": ("await is not supported in kernels", "kernels are synchronous; use async_=True on the host"),
    "Starred": ("starred expressions (*x) are not supported in kernels",
                "pass and unpack a fixed number of values"),
    "NamedExpr": ("assignment expressions (:=) are not supported in kernels",
                  "assign in a separate statement"),
}


@dataclass
class Loop:
    """An enclosing loop: where continue and break go, and whether an iterator is on the stack."""

    cont: Any
    brk: Any
    is_for: bool


class ProgramBuilder:
    """Compiles a kernel and everything it calls into one Program."""

    def __init__(self, kernel: Callable[..., Any], device_globals: tuple[str, ...] = (),
                 reserved: tuple[str, ...] = ()) -> None:
        self.kernel = kernel
        self.reserved = reserved
        self.consts: list[Any] = []
        self._const_index: dict[tuple[type, Any], int] = {}
        self.globals: list[GlobalSlot] = []
        self._global_index: dict[str, int] = {}
        self.refs: list[FunctionRef] = []
        self._by_key: dict[Any, FunctionRef] = {}
        self.functions: list[Any] = []
        self.device_globals = device_globals
        self.entry_source = get_function_source(kernel)

    # --- pools -----------------------------------------------------------------------------
    def const(self, value: Any) -> int:
        """Index of a constant in the pool (interned by type and value)."""
        key = (type(value), value)
        if isinstance(value, float):  # keep -0.0 and 0.0 apart
            key = (Float32, float32(value).hex())
        index = self._const_index.get(key)
        if index is None:
            index = len(self.consts)
            self.consts.append(value)
            self._const_index[key] = index
        return index

    def global_slot(self, name: str, init: Any, has_init: bool) -> int:
        """Index of a module-level global slot, created on first use."""
        index = self._global_index.get(name)
        if index is None:
            self.const(name)
            slot = GlobalSlot(name, self.const(init) if has_init else 0xFFFF)
            index = len(self.globals)
            self.globals.append(slot)
            self._global_index[name] = index
        return index

    def function_ref(self, key: Any, make: Callable[[], FunctionRef]) -> FunctionRef:
        """The FunctionRef for ``key`` (a Python function, a nested def node, or a specialised
        copy's key).  It gets its index in the function table, and is compiled, only when a
        call of it is emitted (:meth:`use`)."""
        ref = self._by_key.get(key)
        if ref is None:
            ref = make()
            ref.key = key
            self._by_key[key] = ref
        return ref

    def use(self, ref: FunctionRef) -> int:
        """The index of ``ref`` in the function table, given on first use (then compiled)."""
        if ref.index < 0:
            ref.index = len(self.refs)
            self.refs.append(ref)
            self.const(ref.node.name)
        return ref.index

    def specialise(self, ref: FunctionRef, binding: dict[str, FunctionRef]) -> FunctionRef:
        """The copy of ``ref`` whose parameters in ``binding`` receive those functions: a call
        through such a parameter compiles to a call of the function (one copy per set of
        functions passed, as a template is instantiated; the template itself is compiled only
        if it is also called without them)."""
        bound = dict(ref.bound, **binding)
        origin = ref.origin if ref.origin is not None else ref
        origin.template = True
        key = ("specialised", id(origin), tuple(sorted((p, id(r)) for p, r in bound.items())))
        return self.function_ref(key, lambda: FunctionRef(
            -1, ref.node, ref.source, ref.env, ref.pyfunc, dict(ref.nested), bound, origin=origin))

    # --- driver ------------------------------------------------------------------------------
    def build(self) -> Program:
        """Compile the kernel (function 0) and, transitively, every function it calls."""
        src = self.entry_source
        env = dict(getattr(self.kernel, "__globals__", {}))
        self.use(self.function_ref(self.kernel, lambda: FunctionRef(-1, src.node, src, env,
                                                                    self.kernel)))
        done = 0
        while True:
            while done < len(self.refs):
                ref = self.refs[done]
                self.functions.append(FunctionCompiler(self, ref).compile())
                done += 1
            # nested defs that nothing calls are compiled too (their refusals are reported at
            # decoration, as for the rest of the kernel), except templates of specialised copies
            unused = [r for r in self._by_key.values()
                      if r.index < 0 and r.pyfunc is None and r.origin is None and not r.template]
            if not unused:
                break
            for r in unused:
                self.use(r)
        return Program(list(self.consts), list(self.globals), self.functions, entry=0)


class FunctionCompiler(CallsMixin):
    """Compiles one function body."""

    def __init__(self, builder: ProgramBuilder, ref: FunctionRef) -> None:
        self.b = builder
        self.ref = ref
        self.src = ref.source
        node = ref.node
        self.node = node
        self._check_signature(node)
        self.params = [a.arg for a in node.args.args]
        self.asm = Assembler(node.name, len(self.params))
        self.globals_declared: set[str] = set()
        self.locals: dict[str, int] = {}
        self.renames: list[dict[str, str]] = []
        self.loops: list[Loop] = []
        self.nested: dict[str, FunctionRef] = dict(ref.nested)
        self._hidden = 0
        for p in self.params:
            self.local(p)
        self._scan(node)

    def fail(self, node: ast.AST, message: str, hint: str | None = None) -> NoReturn:
        """Raise CompileError at ``node``."""
        fail_at(self.src, node, message, hint)

    def _check_signature(self, node: ast.FunctionDef) -> None:
        check_signature(self.src, node)
        a = node.args
        if len(a.args) > 255:
            self.fail(node, f"{node.name}() has more than 255 parameters")
        if self.ref.index == 0:
            for arg in a.args:
                if arg.arg in self.b.reserved:
                    warnings.warn_explicit(
                        f"parameter {arg.arg!r} of kernel {node.name}() has the name of a launch "
                        f"option: {node.name}(..., {arg.arg}=...) sets the option, not the "
                        f"argument; pass it by position, or rename the parameter (the launch "
                        f"options are {', '.join(self.b.reserved)})",
                        LaunchOptionWarning, self.src.filename, arg.lineno)

    # --- scopes ------------------------------------------------------------------------------
    def local(self, name: str) -> int:
        """Slot of a local variable, allocated on first use."""
        slot = self.locals.get(name)
        if slot is None:
            slot = len(self.locals)
            if slot > 255:
                self.fail(self.node, f"{self.node.name}() uses more than 256 local variables",
                          "split the function")
            self.locals[name] = slot
        return slot

    def hidden(self, what: str) -> str:
        """A fresh local name invisible to the kernel (comprehension results, loop state)."""
        self._hidden += 1
        return f".{what}{self._hidden}"

    def _scan(self, fn: ast.FunctionDef) -> None:
        """Find locals (assigned names), globals and nested defs, as CPython's symtable does."""
        for stmt in fn.body:
            for node in _walk_scope(stmt):
                if isinstance(node, ast.Global):
                    self.globals_declared.update(node.names)
        own_defs: dict[str, ast.FunctionDef] = {}
        for stmt in fn.body:
            for node in _walk_scope(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    if node.id not in self.globals_declared:
                        self.local(node.id)
                elif isinstance(node, ast.FunctionDef) and node is not fn:
                    earlier = own_defs.setdefault(node.name, node)
                    if earlier is not node:
                        first, second = sorted((earlier, node), key=lambda d: (d.lineno, d.col_offset))
                        self.fail(second, f"{node.name}() is defined twice in {fn.name}() (first at "
                                  f"line {first.lineno}); kernels bind a nested function once, so a "
                                  "call could not tell which definition is meant",
                                  "give each definition its own name")
                    nested_node = node
                    self.nested[node.name] = self.b.function_ref(
                        node, lambda n=nested_node: FunctionRef(  # type: ignore[misc]
                            -1, n, self.src, self.ref.env, None,
                            nested=dict(self.nested)))

    def resolve_store(self, name: str, node: ast.AST) -> tuple[str, int]:
        """Where an assignment to ``name`` goes: ("local", slot) or ("global", slot)."""
        for scope in reversed(self.renames):
            if name in scope:
                return "local", self.local(scope[name])
        if name in self.ref.bound:
            self.fail(node, f"assignment to {name}, a parameter that receives a function",
                      "use another name for the new value")
        if name in self.globals_declared:
            return "global", self.global_slot(name, node)
        return "local", self.local(name)

    def global_slot(self, name: str, node: ast.AST) -> int:
        """The slot of a module-level global that the kernel reads or assigns.

        A device-resident name starts from the value on the core, never from the host module's
        value of the same name; any other global starts each launch from the module's value.
        """
        if name in self.b.device_globals:
            return self.b.global_slot(name, None, False)
        value = lookup_name(None, self.ref.env, name)
        if missing(value):
            return self.b.global_slot(name, None, False)
        if not is_constant(value):
            self.fail(node, f"global {name} holds a {type(value).__name__}, which kernels "
                      "cannot use", "module-level globals must be int, float, bool, str, None "
                      "or tuples of them; pass arrays and lists as arguments, or keep them on "
                      "the cores with epython.define_on_device")
        return self.b.global_slot(name, value, True)

    # --- driver ------------------------------------------------------------------------------
    def compile(self) -> Any:
        """Compile the body and return the finished Function."""
        if self.ref.index != 0 and self.node.decorator_list:
            self.fail(self.node.decorator_list[0], f"decorators on {self.node.name}() are not "
                      "supported inside kernels", "call an undecorated helper function")
        self.asm.set_line(self.node.lineno)
        self.body(self.node.body)
        return self.asm.finish(len(self.locals))

    def body(self, stmts: list[ast.stmt]) -> None:
        """Compile a statement list."""
        for s in stmts:
            self.stmt(s)

    # --- statements --------------------------------------------------------------------------
    def stmt(self, s: ast.stmt) -> None:
        """Compile one statement."""
        self.asm.set_line(s.lineno)
        kind = type(s).__name__
        method = getattr(self, f"stmt_{kind}", None)
        if method is None:
            message, hint = UNSUPPORTED.get(kind, (f"{kind} statements are not supported in kernels",
                                                   "see docs/language.md for the subset"))
            self.fail(s, message, hint)
        method(s)

    def stmt_Expr(self, s: ast.Expr) -> None:
        if isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
            return  # docstring or bare string: no code
        self.expr(s.value)
        self.asm.emit("POP_TOP")

    def stmt_Pass(self, s: ast.Pass) -> None:
        pass

    def stmt_Global(self, s: ast.Global) -> None:
        pass  # handled by _scan

    def stmt_FunctionDef(self, s: ast.FunctionDef) -> None:
        pass  # compiled separately, see _scan

    def stmt_Return(self, s: ast.Return) -> None:
        if s.value is None:
            self.asm.emit("LOAD_NONE")
        else:
            self.expr(s.value)
        self.asm.emit("RETURN_VALUE")

    def stmt_Assign(self, s: ast.Assign) -> None:
        self.expr(s.value)
        for i, target in enumerate(s.targets):
            if i < len(s.targets) - 1:
                self.asm.emit("DUP_TOP")
            self.store(target)

    def stmt_AnnAssign(self, s: ast.AnnAssign) -> None:
        if s.value is None:
            return
        self.expr(s.value)
        self.store(s.target)

    def stmt_AugAssign(self, s: ast.AugAssign) -> None:
        # += and *= work in place on lists (a = b = []; a += [1] changes b too), as in CPython
        op = INPLACE_OPS.get(type(s.op)) or BINOPS.get(type(s.op))
        if op is None:
            self.fail(s, f"operator {type(s.op).__name__} is not supported")
        t = s.target
        if isinstance(t, ast.Name):
            self.load_name(t)
            self.expr(s.value)
            self.asm.emit(op)
            self.store(t)
        elif isinstance(t, ast.Subscript):
            self.expr(t.value)
            self.subscript_index(t)
            self.asm.emit("DUP_TOP_TWO")
            self.asm.emit("BINARY_SUBSCR")
            self.expr(s.value)
            self.asm.emit(op)
            self.asm.emit("ROT_THREE")
            self.asm.emit("STORE_SUBSCR")
        else:
            self.fail(t, f"augmented assignment to {type(t).__name__} is not supported")

    def store(self, target: ast.expr) -> None:
        """Store the value on top of the stack into an assignment target."""
        if isinstance(target, ast.Name):
            where, slot = self.resolve_store(target.id, target)
            self.asm.emit("STORE_LOCAL" if where == "local" else "STORE_GLOBAL", slot)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if len(target.elts) > 255:
                self.fail(target, "cannot unpack more than 255 values")
            for elt in target.elts:
                if isinstance(elt, ast.Starred):
                    self.fail(elt, *UNSUPPORTED["Starred"])
            self.asm.emit("UNPACK_SEQUENCE", len(target.elts))
            for elt in target.elts:
                self.store(elt)
        elif isinstance(target, ast.Subscript):
            if isinstance(target.slice, ast.Slice):
                self.fail(target, "assignment to a slice is not supported",
                          "assign the elements one by one")
            self.expr(target.value)
            self.subscript_index(target)
            self.asm.emit("STORE_SUBSCR")
        elif isinstance(target, ast.Attribute):
            self.fail(target, "assignment to attributes is not supported in kernels")
        else:
            self.fail(target, f"cannot assign to {type(target).__name__}")

    def stmt_If(self, s: ast.If) -> None:
        orelse = self.asm.label("else")
        end = self.asm.label("endif")
        self.expr(s.test)
        self.asm.emit_jump("POP_JUMP_IF_FALSE", orelse)
        self.body(s.body)
        if s.orelse:
            self.asm.emit_jump("JUMP", end)
        self.asm.mark(orelse)
        if s.orelse:
            self.body(s.orelse)
        self.asm.mark(end)

    def stmt_While(self, s: ast.While) -> None:
        top = self.asm.label("while")
        orelse = self.asm.label("while_else")
        end = self.asm.label("endwhile")
        self.asm.mark(top)
        self.expr(s.test)
        self.asm.emit_jump("POP_JUMP_IF_FALSE", orelse)
        self.loops.append(Loop(top, end, is_for=False))
        self.body(s.body)
        self.loops.pop()
        self.asm.emit_jump("JUMP", top)
        self.asm.mark(orelse)
        self.body(s.orelse)
        self.asm.mark(end)

    def stmt_For(self, s: ast.For) -> None:
        top = self.asm.label("for")
        orelse = self.asm.label("for_else")
        end = self.asm.label("endfor")
        self.expr(s.iter)
        self.asm.emit("GET_ITER")
        self.asm.mark(top)
        self.asm.emit_jump("FOR_ITER", orelse)
        self.store(s.target)
        self.loops.append(Loop(top, end, is_for=True))
        self.body(s.body)
        self.loops.pop()
        self.asm.emit_jump("JUMP", top)
        self.asm.mark(orelse)
        self.body(s.orelse)
        self.asm.mark(end)

    def stmt_Break(self, s: ast.Break) -> None:
        if not self.loops:
            self.fail(s, "'break' outside a loop")
        loop = self.loops[-1]
        if loop.is_for:
            self.asm.emit("POP_TOP")  # the iterator
        self.asm.emit_jump("JUMP", loop.brk)

    def stmt_Continue(self, s: ast.Continue) -> None:
        if not self.loops:
            self.fail(s, "'continue' not in a loop")
        self.asm.emit_jump("JUMP", self.loops[-1].cont)

    def stmt_Assert(self, s: ast.Assert) -> None:
        ok = self.asm.label("assert_ok")
        self.expr(s.test)
        self.asm.emit_jump("POP_JUMP_IF_TRUE", ok)
        if s.msg is None:
            self.asm.emit("LOAD_NONE")
        else:
            self.expr(s.msg)
        self.asm.emit("RAISE", ErrorCode.AssertionError)
        self.asm.mark(ok)

    def stmt_Raise(self, s: ast.Raise) -> None:
        exc = s.exc
        if exc is None:
            self.fail(s, "bare 'raise' is not supported in kernels (there is no try/except)",
                      "raise a built-in exception with a message")
        if s.cause is not None:
            self.fail(s, "'raise ... from ...' is not supported in kernels")
        call_args: list[ast.expr] = []
        if isinstance(exc, ast.Call):
            call_args = exc.args
            if exc.keywords or len(call_args) > 1:
                self.fail(exc, "raise takes at most one message argument in kernels")
            exc = exc.func
        if not (isinstance(exc, ast.Name) and exc.id in EXCEPTION_NAMES):
            self.fail(exc, "kernels can raise only built-in exceptions: "
                      + ", ".join(EXCEPTION_NAMES), "raise ValueError('message') and the like")
        if call_args:
            self.expr(call_args[0])
        else:
            self.asm.emit("LOAD_NONE")
        self.asm.emit("RAISE", ErrorCode[exc.id])

    # --- expressions -------------------------------------------------------------------------
    def expr(self, e: ast.expr) -> None:
        """Compile an expression; its value ends on the stack."""
        if hasattr(e, "lineno"):
            self.asm.set_line(e.lineno)
        kind = type(e).__name__
        method = getattr(self, f"expr_{kind}", None)
        if method is None:
            message, hint = UNSUPPORTED.get(kind, (f"{kind} expressions are not supported in kernels",
                                                   "see docs/language.md for the subset"))
            self.fail(e, message, hint)
        method(e)

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
        if isinstance(e.value, (complex, bytes)) or e.value is Ellipsis:
            self.fail(e, f"{type(e.value).__name__} constants are not supported in kernels")
        self.load_const(e.value, e)

    def expr_Name(self, e: ast.Name) -> None:
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
        if name in self.globals_declared or name in self.b.device_globals:
            self.asm.emit("LOAD_GLOBAL", self.global_slot(name, e))
            return
        value = lookup_name(self.ref.pyfunc, self.ref.env, name)
        if missing(value):
            if name in self.nested:
                self.fail(e, f"function {name} used as a value", "kernels can call functions and "
                          "pass them by name as arguments to kernel functions")
            self.fail(e, f"name {name!r} is not defined", "kernels see their parameters, locals, "
                      "module-level constants and functions, math, random and epython.parallel")
        if is_constant(value):
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
        op = BINOPS.get(type(e.op))
        if op is None:
            self.fail(e, f"operator {type(e.op).__name__} is not supported in kernels")
        self.expr(e.left)
        self.expr(e.right)
        self.asm.set_line(e.lineno)
        self.asm.emit(op)

    def expr_UnaryOp(self, e: ast.UnaryOp) -> None:
        if isinstance(e.op, ast.USub) and isinstance(e.operand, ast.Constant) and \
                isinstance(e.operand.value, (int, float)) and not isinstance(e.operand.value, bool):
            self.load_const(-e.operand.value, e)  # so that -2147483648 is a constant
            return
        self.expr(e.operand)
        self.asm.emit(UNARYOPS[type(e.op)])

    def expr_BoolOp(self, e: ast.BoolOp) -> None:
        end = self.asm.label("boolop")
        jump = "JUMP_IF_FALSE_OR_POP" if isinstance(e.op, ast.And) else "JUMP_IF_TRUE_OR_POP"
        for value in e.values[:-1]:
            self.expr(value)
            self.asm.emit_jump(jump, end)
        self.expr(e.values[-1])
        self.asm.mark(end)

    def expr_Compare(self, e: ast.Compare) -> None:
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
        self._sequence(e, "BUILD_TUPLE")

    def expr_List(self, e: ast.List) -> None:
        self._sequence(e, "BUILD_LIST")

    def _sequence(self, e: ast.Tuple | ast.List, op: str) -> None:
        if len(e.elts) > 255:
            self.fail(e, "sequence displays are limited to 255 items", "build the list in a loop")
        for elt in e.elts:
            self.expr(elt)
        self.asm.emit(op, len(e.elts))

    def expr_Subscript(self, e: ast.Subscript) -> None:
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
        if len(e.generators) != 1 or e.generators[0].is_async:
            self.fail(e, "list comprehensions with several 'for' clauses are not supported",
                      "use nested loops")
        gen = e.generators[0]
        result = self.local(self.hidden("listcomp"))
        scope: dict[str, str] = {}
        for node in ast.walk(gen.target):
            if isinstance(node, ast.Name):
                scope[node.id] = self.hidden(node.id)
        self.asm.emit("BUILD_LIST", 0)
        self.asm.emit("STORE_LOCAL", result)
        self.expr(gen.iter)
        self.asm.emit("GET_ITER")
        top = self.asm.label("comp")
        done = self.asm.label("comp_done")
        self.asm.mark(top)
        self.asm.emit_jump("FOR_ITER", done)
        self.renames.append(scope)
        self.store(gen.target)
        for cond in gen.ifs:
            self.expr(cond)
            self.asm.emit_jump("POP_JUMP_IF_FALSE", top)
        self.asm.emit("LOAD_LOCAL", result)
        self.expr(e.elt)
        self.asm.emit("CALL_BUILTIN", BUILTIN_BY_NAME["list.append"].code, 2)
        self.asm.emit("POP_TOP")
        self.renames.pop()
        self.asm.emit_jump("JUMP", top)
        self.asm.mark(done)
        self.asm.emit("LOAD_LOCAL", result)


def _kind(value: object) -> str:
    """A value's type as a message names it ("numpy.ndarray", "list")."""
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def _walk_scope(node: ast.AST) -> Any:
    """ast.walk that does not descend into nested function bodies or comprehensions."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
                          ast.DictComp, ast.GeneratorExp)):
            if isinstance(n, ast.FunctionDef):
                todo.extend(n.decorator_list)
            continue
        todo.extend(ast.iter_child_nodes(n))
