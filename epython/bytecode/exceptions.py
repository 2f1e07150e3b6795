"""The built-in exception classes of kernels: CPython's hierarchy over the error codes.

Every Python exception a kernel can raise or catch is an :class:`ErrorCode` below 64 (the
class's name is the code's name); :data:`PARENT` gives each class its base class, as in CPython
(``ZeroDivisionError -> ArithmeticError -> Exception -> BaseException``).  Both interpreters
match ``except`` clauses by it (``CHECK_EXC``): ``python -m epython.bytecode.gen_c`` writes it
into device/core/opcodes.h as ``epy_exc_parent``.  The per-function exception table of the
program image (which pc ranges a handler covers) is described in docs/bytecode.md.
"""

from __future__ import annotations

from epython.bytecode.image import Program
from epython.bytecode.instr import iter_code
from epython.bytecode.opcodes import RAISABLE_ERRORS, ErrorCode, Op

__all__ = ["EXCEPTION_CLASSES", "EXCEPTION_OPS", "PARENT", "is_subclass",
           "uses_exception_objects"]

#: The instructions of exception objects (the simulator's translating engine leaves programs
#: with them to the reference engine, esim/cores/jit/exceptions.py).
EXCEPTION_OPS = frozenset((Op.BUILD_EXC, Op.RAISE_VALUE, Op.CHECK_EXC))

E = ErrorCode
#: The base class of each built-in exception class (BaseException has none: itself).
PARENT: dict[ErrorCode, ErrorCode] = {
    E.BaseException: E.BaseException,
    E.Exception: E.BaseException,
    E.ArithmeticError: E.Exception,
    E.ZeroDivisionError: E.ArithmeticError,
    E.OverflowError: E.ArithmeticError,
    E.LookupError: E.Exception,
    E.IndexError: E.LookupError,
    E.KeyError: E.LookupError,
    E.TypeError: E.Exception,
    E.ValueError: E.Exception,
    E.AssertionError: E.Exception,
    E.MemoryError: E.Exception,
    E.RuntimeError: E.Exception,
    E.RecursionError: E.RuntimeError,
    E.NotImplementedError: E.RuntimeError,
    E.NameError: E.Exception,
    E.UnboundLocalError: E.NameError,
    E.AttributeError: E.Exception,
    E.StopIteration: E.Exception,
    E.SystemExit: E.BaseException,
    E.OSError: E.Exception,
    E.EOFError: E.Exception,
    E.ImportError: E.Exception,
    E.SyntaxError: E.Exception,
    E.IndentationError: E.SyntaxError,
    E.KeyboardInterrupt: E.BaseException,
}

#: The class names kernels may raise and catch, in error-code order.
EXCEPTION_CLASSES: tuple[str, ...] = tuple(code.name for code in RAISABLE_ERRORS)


def is_subclass(code: int, cls: int) -> bool:
    """Whether the exception class ``code`` is ``cls`` or derives from it."""
    while True:
        if code == cls:
            return True
        parent = PARENT[ErrorCode(code)]
        if parent == code:
            return False
        code = parent


def uses_exception_objects(program: Program) -> bool:
    """Whether ``program`` has an exception table or builds, raises or matches exception
    objects (a plain ``raise X(msg)`` and ``assert`` do neither)."""
    return any(f.handlers or any(ins.info in EXCEPTION_OPS for ins in iter_code(f.code))
               for f in program.functions)


def _check() -> None:
    """Fail at import if a raisable class has no base class."""
    missing = [code.name for code in RAISABLE_ERRORS if code not in PARENT]
    if missing:
        raise AssertionError(f"exceptions.PARENT misses {missing}")


_check()
