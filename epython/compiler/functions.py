"""What the compilers of single functions share: the functions of the program being built, what
they ask of the program's pools, the state and operations of the parts of a function's compiler,
and how a refusal is raised at a source position.

The program builder (``codegen.ProgramBuilder``) implements :class:`ProgramPools`; the parts of
the function compiler (``codegen``, ``expressions``, ``calls``) only know this interface, so none
of them imports the builder.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

from epython.bytecode.opcodes import BUILTIN_BY_NAME
from epython.compiler.assembler import Assembler
from epython.compiler.source import FunctionSource
from epython.errors import CompileError

__all__ = ["UNSUPPORTED", "FunctionCompilerBase", "FunctionRef", "ProgramPools", "check_signature",
           "fail_at"]


@dataclass
class FunctionRef:
    """A function of the program: its index (-1 until a call of it is emitted) and how to
    compile it."""

    index: int
    node: ast.FunctionDef
    source: FunctionSource
    env: dict[str, Any]
    pyfunc: Callable[..., Any] | None
    nested: dict[str, FunctionRef] = field(default_factory=dict)  # enclosing scope's defs
    #: parameters that receive a function (a copy of the function per set of functions passed:
    #: calls through such a parameter go straight to the function, see CallsMixin._call_user)
    bound: dict[str, FunctionRef] = field(default_factory=dict)
    origin: FunctionRef | None = None  # the function a specialised copy was made from
    key: Any = None  # its key in ProgramBuilder.function_ref
    template: bool = False  # specialised copies were made of it
    #: the names that the enclosing functions of a nested def bind (closures are refused)
    enclosing: frozenset[str] = frozenset()


class ProgramPools(Protocol):
    """What compiling one function asks of the program being built: its constant pool, its
    globals and its function table (implemented, and each method documented, by
    codegen.ProgramBuilder)."""

    reserved: tuple[str, ...]  # keywords the kernel's caller takes (launch options)
    device_globals: tuple[str, ...]  # the device-resident names
    shared_globals: frozenset[str]  # names some function declares global: read from the slot
    declared_globals: set[str]  # names declared global by the functions compiled so far
    constant_reads: set[str]  # module-level names read as captured constants so far

    def const(self, value: Any) -> int:
        """The index of ``value`` in the constant pool (added once)."""

    def global_slot(self, name: str, init: Any, has_init: bool) -> int:
        """The slot of module-level global ``name``, created on first use (``init``: its
        starting value, when ``has_init``)."""

    def function_ref(self, key: Any, make: Callable[[], FunctionRef]) -> FunctionRef:
        """The reference to the function known by ``key`` (``make()`` creates it once)."""

    def use(self, ref: FunctionRef) -> int:
        """The function's index in the program's table (assigned on first use)."""

    def specialise(self, ref: FunctionRef, binding: dict[str, FunctionRef]) -> FunctionRef:
        """``ref`` compiled with some parameters bound to functions (``binding``)."""


#: Message and hint for constructs outside the subset, by ast class name.
UNSUPPORTED: dict[str, tuple[str, str]] = {
    "ClassDef": ("class definitions are not supported in kernels", "define classes on the host"),
    "TryStar": ("try/except* is not supported in kernels", "catch errors on the host"),
    "With": ("with statements are not supported in kernels", "manage resources on the host"),
    "AsyncWith": ("async with is not supported in kernels", "use plain statements"),
    "AsyncFor": ("async for is not supported in kernels", "use a plain for loop"),
    "AsyncFunctionDef": ("async def is not supported in kernels", "use a plain def"),
    "Nonlocal": ("nonlocal is not supported in kernels", "pass values as arguments and return them"),
    "Match": ("match statements are not supported in kernels", "use if/elif/else"),
    "Lambda": ("lambda is not supported in kernels", "define a named function with def"),
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
UNSUPPORTED["Import"] = UNSUPPORTED["ImportFrom"] = (
    "import inside a kernel is not supported", "import math or epython.parallel at module level")


def fail_at(src: FunctionSource, node: ast.AST, message: str, hint: str | None = None) -> NoReturn:
    """Raise CompileError at ``node`` of ``src``."""
    lineno = getattr(node, "lineno", 0)
    col = getattr(node, "col_offset", 0) + 1
    raise CompileError(message, src.filename, lineno, col, src.line(lineno), hint)


def check_signature(src: FunctionSource, node: ast.FunctionDef) -> None:
    """Refuse the parameter kinds kernels do not have, naming the parameter and the fix."""
    a = node.args
    if a.vararg:
        fail_at(src, a.vararg, f"*{a.vararg.arg} in the signature of {node.name}() is not supported "
                "in kernels", "declare each parameter by name, or pass a list or tuple")
    if a.kwarg:
        fail_at(src, a.kwarg, f"**{a.kwarg.arg} in the signature of {node.name}() is not supported "
                "in kernels", "declare each parameter by name")
    if a.kwonlyargs:
        first = a.kwonlyargs[0]
        fail_at(src, first, f"keyword-only parameter {first.arg!r} of {node.name}() is not supported "
                "in kernels", f"make it a plain parameter: drop the '*' before {first.arg}")
    if a.posonlyargs:
        fail_at(src, a.posonlyargs[0], f"positional-only parameters of {node.name}() are not "
                "supported in kernels", "make them plain parameters: drop the '/'")


class FunctionCompilerBase:
    """The state and operations the parts of one function's compiler share.

    ``codegen.FunctionCompiler`` (scopes and statements) is made of ``ExpressionsMixin`` and
    ``CallsMixin`` on this base; each part calls the others' operations through it.
    """

    b: ProgramPools
    ref: FunctionRef
    asm: Assembler
    locals: dict[str, int]
    renames: list[dict[str, str]]  # comprehension variables: kernel name -> hidden local
    nested: dict[str, FunctionRef]
    globals_declared: set[str]

    def fail(self, node: ast.AST, message: str, hint: str | None = None) -> NoReturn:
        """Raise CompileError at ``node``."""
        raise NotImplementedError

    def expr(self, e: ast.expr) -> None:
        """Compile an expression; its value ends on the stack."""
        raise NotImplementedError

    def load_const(self, value: Any, node: ast.AST) -> None:
        """Push a constant."""
        raise NotImplementedError

    def nested_def(self, name: str, node: ast.AST) -> FunctionRef | None:
        """The nested function ``name`` is bound to at ``node`` (None: not a nested def)."""
        raise NotImplementedError

    def local(self, name: str) -> int:
        """Slot of a local variable, allocated on first use."""
        raise NotImplementedError

    def hidden(self, what: str) -> str:
        """A fresh local name invisible to the kernel."""
        raise NotImplementedError

    def global_slot(self, name: str, node: ast.AST) -> int:
        """The slot of a module-level global that the kernel reads or assigns."""
        raise NotImplementedError

    def store(self, target: ast.expr) -> None:
        """Store the value on top of the stack into an assignment target."""
        raise NotImplementedError

    def build_exception(self, e: ast.Call) -> None:
        """Compile ``ValueError(args)``: a new exception object."""
        raise NotImplementedError

    def emit_builtin_call(self, node: ast.AST, name: str, nargs: int) -> None:
        """CALL_BUILTIN of the builtin ``name`` on the ``nargs`` values on the stack, at
        ``node``'s line (the caller has checked the arity)."""
        self.asm.set_line(getattr(node, "lineno", 0))
        self.asm.emit("CALL_BUILTIN", BUILTIN_BY_NAME[name].code, nargs)

    def visit(self, node: ast.AST, prefix: str, noun: str) -> None:
        """Compile ``node`` with the method ``<prefix>_<its ast class>`` (``stmt_If``,
        ``expr_Call``); refuse a node that has none, naming the construct (UNSUPPORTED)."""
        kind = type(node).__name__
        method = getattr(self, f"{prefix}_{kind}", None)
        if method is None:
            message, hint = UNSUPPORTED.get(kind, (f"{kind} {noun} are not supported in kernels",
                                                   "see docs/language.md for the subset"))
            self.fail(node, message, hint)
        method(node)
