"""Code generation: Python ``ast`` of a kernel (and the functions it calls) -> bytecode.

One :class:`FunctionCompiler` per function: its scopes and statements are here, its
expressions in expressions.py and its calls in calls.py.  The :class:`ProgramBuilder` owns the
shared pools (constants, globals, function table: the :class:`ProgramPools` the function
compilers see) and compiles called functions on demand.
"""

from __future__ import annotations

import ast
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from epython.bytecode.image import Float32, GlobalSlot, Program, float32
from epython.bytecode.opcodes import ErrorCode
from epython.compiler.assembler import Assembler, Label, Region
from epython.compiler.calls import CallsMixin
from epython.compiler.desugar import DesugarMixin
from epython.compiler.dicts import DictsMixin
from epython.compiler.expressions import BINOPS, INPLACE_OPS, ExpressionsMixin, refuse_known_operands
from epython.compiler.functions import (
    UNSUPPORTED,
    FunctionRef,
    ProgramPools,
    check_signature,
    fail_at,
)
from epython.compiler.handlers import Finally, HandlersMixin, LoopBlock
from epython.compiler.resolve import is_constant, lookup_name, missing
from epython.compiler.sets import SetsMixin
from epython.compiler.source import get_function_source
from epython.errors import LaunchOptionWarning

__all__ = ["FunctionCompiler", "ProgramBuilder"]


@dataclass
class Loop:
    """An enclosing loop: where continue and break go, whether an iterator is on the stack, and
    its place among the blocks (``FunctionCompiler.blocks``) a break or continue leaves."""

    cont: Label
    brk: Label
    is_for: bool
    block: int = 0
    region: int = 0  # the regions a break or continue leaves: FunctionCompiler.regions[region:]


class ProgramBuilder(ProgramPools):
    """Compiles a kernel and everything it calls into one Program."""

    def __init__(self, kernel: Callable[..., Any], device_globals: tuple[str, ...] = (),
                 reserved: tuple[str, ...] = (), shared_globals: frozenset[str] = frozenset(),
                 set_inplace: bool = False) -> None:
        self.kernel = kernel
        self.reserved = reserved
        #: Module-level names that some function of the program declares ``global``: every
        #: function reads them from their global slot (``shared_globals``, known before the
        #: build) rather than as the constant captured at compile time.  A build that read one
        #: of them as a constant (``constant_reads & declared_globals``) is done again.
        self.shared_globals = shared_globals
        self.declared_globals: set[str] = set()
        self.constant_reads: set[str] = set()
        self.consts: list[Any] = []
        self._const_index: dict[tuple[type, Any], int] = {}
        self.globals: list[GlobalSlot] = []
        self._global_index: dict[str, int] = {}
        self.refs: list[FunctionRef] = []
        self._by_key: dict[Any, FunctionRef] = {}
        self.functions: list[Any] = []
        self.device_globals = device_globals
        self.entry_source = get_function_source(kernel)
        #: Does some function make a set, did some ``|= &= -= ^=`` compile to its plain opcode,
        #: and do they compile to ``set.inplace`` (a build that did both is done again with it).
        self.makes_sets = False
        self.plain_bitops = False
        self.set_inplace = set_inplace

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


class FunctionCompiler(ExpressionsMixin, CallsMixin, DictsMixin, SetsMixin, HandlersMixin,
                       DesugarMixin):
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
        self.blocks: list[LoopBlock | Finally] = []
        self.regions: list[Region] = []
        self.handling: list[int] = []
        self.nested: dict[str, FunctionRef] = dict(ref.nested)
        #: nested functions defined more than once: (index of the def in the body, function)
        self.redefined: dict[str, list[tuple[int, FunctionRef]]] = {}
        self.top_index = 0  # the statement of the function's own body being compiled
        self.binds: frozenset[str] = frozenset()  # set by _scan
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
        self.b.declared_globals.update(self.globals_declared)
        defs: dict[str, list[ast.FunctionDef]] = {}
        for stmt in fn.body:
            for node in _walk_scope(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    if node.id not in self.globals_declared:
                        self.local(node.id)
                elif isinstance(node, ast.ExceptHandler) and node.name is not None:
                    self.local(node.name)
                elif isinstance(node, ast.FunctionDef) and node is not fn:
                    defs.setdefault(node.name, []).append(node)
        # what the nested defs may not read (closures): the names this function binds
        self.binds = self.ref.enclosing | frozenset(self.locals) | frozenset(defs)
        top = {id(stmt): k for k, stmt in enumerate(fn.body)}
        for name, nodes in defs.items():
            nodes.sort(key=lambda d: (d.lineno, d.col_offset))
            if len(nodes) == 1:
                self.nested[name] = self._nested_ref(nodes[0])
                continue
            inner = next((n for n in nodes if id(n) not in top), None)
            if inner is not None:
                self.fail(inner, f"{name}() is defined twice in {fn.name}() (first at line "
                          f"{nodes[0].lineno}), here inside a block; kernels bind a function "
                          "defined more than once only where each def is a statement of the "
                          "function's body itself", "give each definition its own name")
            self.redefined[name] = [(top[id(n)], self._nested_ref(n)) for n in nodes]

    def _nested_ref(self, node: ast.FunctionDef) -> FunctionRef:
        """The function of a nested ``def`` (it sees the other defs of this function that are
        defined once; those defined several times it does not see)."""
        return self.b.function_ref(node, lambda: FunctionRef(
            -1, node, self.src, self.ref.env, None, nested=dict(self.nested),
            enclosing=self.binds))

    def nested_def(self, name: str, node: ast.AST) -> FunctionRef | None:
        """The nested function that ``name`` is bound to where ``node`` is: the one def of that
        name, or, for a name defined several times, the last def in a statement before the
        current one (where CPython's binding is at run time)."""
        if name not in self.redefined:
            return self.nested.get(name)
        bound = [ref for k, ref in self.redefined[name] if k < self.top_index]
        if not bound:
            self.fail(node, f"{name}() is used before its first definition in "
                      f"{self.node.name}()", "define it first")
        return bound[-1]

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
        for index, stmt in enumerate(self.node.body):
            self.top_index = index
            self.stmt(stmt)
        return self.asm.finish(len(self.locals))

    def body(self, stmts: list[ast.stmt]) -> None:
        """Compile a statement list."""
        for s in stmts:
            self.stmt(s)

    # --- statements --------------------------------------------------------------------------
    def stmt(self, s: ast.stmt) -> None:
        """Compile one statement."""
        self.asm.set_line(s.lineno)
        self.visit(s, "stmt", "statements")

    def stmt_Expr(self, s: ast.Expr) -> None:
        """Compile an expression statement (its value is dropped; a bare string is no code)."""
        if isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
            return  # docstring or bare string: no code
        if self._inert(s.value):
            return  # a builtin or module-level name (or its attribute) alone: nothing to do
        self.expr(s.value)
        self.asm.emit("POP_TOP")

    def _inert(self, e: ast.expr) -> bool:
        """Whether ``e`` is a name that the compiler resolves to a module-level or builtin value
        (or such a value's existing attribute, as ``str.count``), which CPython evaluates
        without effect or error: the statement ``enumerate`` that MicroPython's tests use to
        ask whether a builtin exists."""
        if isinstance(e, ast.Attribute):
            if not isinstance(e.value, ast.Name) or not self._inert(e.value):
                return False
            base = lookup_name(self.ref.pyfunc, self.ref.env, e.value.id)
            return (isinstance(base, (type, types.ModuleType)) and hasattr(base, e.attr))
        if not isinstance(e, ast.Name):
            return False
        name = e.id
        if (any(name in scope for scope in self.renames) or name in self.locals
                or name in self.ref.bound or name in self.globals_declared
                or name in self.b.device_globals or name in self.b.shared_globals
                or name in self.b.declared_globals):
            return False
        return not missing(lookup_name(self.ref.pyfunc, self.ref.env, name))

    def stmt_Pass(self, s: ast.Pass) -> None:
        """``pass``: no code."""
        pass

    def stmt_Global(self, s: ast.Global) -> None:
        """``global``: no code (_scan has recorded the names)."""
        pass  # handled by _scan

    def stmt_FunctionDef(self, s: ast.FunctionDef) -> None:
        """A nested ``def``: no code here (it is compiled as a function of its own, see _scan)."""
        pass  # compiled separately, see _scan

    def stmt_Return(self, s: ast.Return) -> None:
        """Compile ``return`` (``return`` alone returns None)."""
        if s.value is None:
            self.asm.emit("LOAD_NONE")
        else:
            self.expr(s.value)
        if self.crosses_finally(0):  # the finally bodies run after the value is computed
            hidden = self.local(self.hidden("return"))
            self.asm.emit("STORE_LOCAL", hidden)
            left = self.unwind(0, 0, pop_iterators=True)
            self.asm.emit("LOAD_LOCAL", hidden)
            self.asm.emit("RETURN_VALUE")
            self.resume_all(left)
            return
        self.asm.emit("RETURN_VALUE")

    def stmt_Assign(self, s: ast.Assign) -> None:
        """Compile ``a = b = value``: the value is stored into each target from left to right."""
        self.expr(s.value)
        for i, target in enumerate(s.targets):
            if i < len(s.targets) - 1:
                self.asm.emit("DUP_TOP")
            self.store(target)

    def stmt_AnnAssign(self, s: ast.AnnAssign) -> None:
        """Compile ``name: type = value`` (the annotation is ignored; without a value, no code)."""
        if s.value is None:
            return
        self.expr(s.value)
        self.store(s.target)

    def stmt_AugAssign(self, s: ast.AugAssign) -> None:
        """Compile ``target op= value`` (in place on lists for += and *=, as in CPython)."""
        # += and *= work in place on lists (a = b = []; a += [1] changes b too), as in CPython
        op = INPLACE_OPS.get(type(s.op)) or BINOPS.get(type(s.op))
        if op is None:
            self.fail(s, f"operator {type(s.op).__name__} is not supported")
        refuse_known_operands(self, s, s.op, s.target, s.value)
        t = s.target
        in_set = self.set_inplace(s)
        if isinstance(t, ast.Name):
            self.load_name(t)
            self.expr(s.value)
            self.emit_inplace_op(s, op, in_set)
            self.store(t)
        elif isinstance(t, ast.Subscript):
            self.expr(t.value)
            self.subscript_index(t)
            self.asm.emit("DUP_TOP_TWO")
            self.asm.emit("BINARY_SUBSCR")
            self.expr(s.value)
            self.emit_inplace_op(s, op, in_set)
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
        """Compile ``if``/``elif``/``else``."""
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
        """Compile ``while`` (with ``else``, which runs when the test fails, not after a break)."""
        top, orelse = self.asm.label("while"), self.asm.label("while_else")
        self.asm.mark(top)
        self.expr(s.test)
        self.asm.emit_jump("POP_JUMP_IF_FALSE", orelse)
        self._loop(s, top, orelse, self.asm.label("endwhile"), is_for=False)

    def stmt_For(self, s: ast.For) -> None:
        """Compile ``for`` over an iterable (with ``else``, as ``while``)."""
        top, orelse = self.asm.label("for"), self.asm.label("for_else")
        self.expr(s.iter)
        self.asm.emit("GET_ITER")
        self.asm.mark(top)
        self.asm.emit_jump("FOR_ITER", orelse)
        self.store(s.target)
        self._loop(s, top, orelse, self.asm.label("endfor"), is_for=True)

    def _loop(self, s: ast.While | ast.For, top: Label, orelse: Label, end: Label,
              is_for: bool) -> None:
        """The rest of a loop after its test: the body (continue goes to ``top``, break to
        ``end``), the jump back, then the ``else`` clause at ``orelse``."""
        self.loops.append(Loop(top, end, is_for, len(self.blocks) + 1, len(self.regions)))
        self.blocks.append(LoopBlock(is_for))
        self.body(s.body)
        self.blocks.pop()
        self.loops.pop()
        self.asm.emit_jump("JUMP", top)
        self.asm.mark(orelse)
        self.body(s.orelse)
        self.asm.mark(end)

    def stmt_Break(self, s: ast.Break) -> None:
        """Compile ``break`` (a ``for`` loop's iterator is dropped first)."""
        if not self.loops:
            self.fail(s, "'break' outside a loop")
        loop = self.loops[-1]
        left = self.unwind(loop.block, loop.region, pop_iterators=False)
        if loop.is_for:
            self.asm.emit("POP_TOP")  # the iterator
        self.asm.emit_jump("JUMP", loop.brk)
        self.resume_all(left)

    def stmt_Continue(self, s: ast.Continue) -> None:
        """Compile ``continue``."""
        if not self.loops:
            self.fail(s, "'continue' not in a loop")
        loop = self.loops[-1]
        left = self.unwind(loop.block, loop.region, pop_iterators=False)
        self.asm.emit_jump("JUMP", loop.cont)
        self.resume_all(left)

    def stmt_Assert(self, s: ast.Assert) -> None:
        """Compile ``assert test, message`` (AssertionError with the message, or None)."""
        ok = self.asm.label("assert_ok")
        self.expr(s.test)
        self.asm.emit_jump("POP_JUMP_IF_TRUE", ok)
        if s.msg is None:
            self.asm.emit("LOAD_NONE")
        else:
            self.expr(s.msg)
        self.asm.emit("RAISE", ErrorCode.AssertionError)
        self.asm.mark(ok)


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
