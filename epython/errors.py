"""Exceptions raised by epython on the host.

A kernel error crosses back as an exception that is both :class:`KernelError` and the built-in
class the kernel raised, so ``except ZeroDivisionError`` works on the host.
"""

from __future__ import annotations

import builtins
import sys
import types
from typing import Any

__all__ = [
    "BackendError",
    "CompileError",
    "CoreFault",
    "DeadlockError",
    "EpythonError",
    "KernelError",
    "LaunchCancelled",
    "LaunchOptionWarning",
    "kernel_error_class",
    "kernel_traceback",
]


class EpythonError(Exception):
    """Base class of every error epython raises itself."""


class LaunchOptionWarning(UserWarning):
    """A kernel parameter has the name of a launch option (``target``, ``timeout``, ...): passed
    by keyword, the call takes it as the option.  Warned at decoration, at the parameter."""


class UndefinedNameWarning(UserWarning):
    """A kernel reads a name that is defined nowhere the compiler looks (parameters, locals,
    module-level names, builtins).  As in CPython, running that line raises ``NameError``;
    warned at decoration, at the name, so that a typo shows before the launch."""


class CompileError(EpythonError, SyntaxError):
    """A kernel uses a construct outside the supported subset (docs/language.md).

    The message names the construct, ``file:line:col`` and a hint.
    """

    def __init__(self, message: str, filename: str = "<unknown>", lineno: int = 0,
                 col: int = 0, source_line: str | None = None, hint: str | None = None) -> None:
        self.construct_message = message
        self.hint = hint
        text = f"{filename}:{lineno}:{col}: {message}"
        if hint:
            text += f"\n  hint: {hint}"
        if source_line:
            text += f"\n    {source_line.strip()}"
        SyntaxError.__init__(self, text)
        self.msg = text
        self.filename = filename
        self.lineno = lineno
        self.offset = col
        self.text = source_line

    def __str__(self) -> str:
        return self.msg


class BackendError(EpythonError, RuntimeError):
    """A backend cannot be selected or used (unknown name, missing driver, ...)."""


class KernelError(EpythonError):
    """An exception raised by a kernel on a core.

    Instances are also instances of the built-in class the kernel raised (see
    :func:`kernel_error_class`).  Attributes: ``core``, ``lineno``, ``source_line``,
    ``filename``, ``kernel`` (the kernel's name), ``kind`` (the built-in class name),
    ``function`` (the kernel function that failed) and ``frames``: the call chain as
    ``(filename, lineno, function)`` tuples, innermost last (a chain longer than the cap,
    docs/language.md "Errors", has one ``("<kernel>", 0, "<N kernel frames omitted>")`` entry
    where it was cut).  The exception's traceback ends with one frame per entry of ``frames``
    (see :func:`kernel_traceback`), so Python, pytest and IDEs show the kernel's source lines.
    """

    core: int
    lineno: int
    source_line: str
    filename: str
    kernel: str
    kind: str
    message: str
    function: str
    frames: tuple[tuple[str, int, str], ...]

    def __init__(self, message: str, *, core: int, lineno: int, source_line: str = "",
                 filename: str = "<kernel>", kernel: str = "?", kind: str = "RuntimeError",
                 function: str = "", frames: tuple[tuple[str, int, str], ...] = ()) -> None:
        self.message = message
        self.core = core
        self.lineno = lineno
        self.source_line = source_line
        self.filename = filename
        self.kernel = kernel
        self.kind = kind
        self.function = function or kernel
        self.frames = tuple(frames) or ((filename, lineno, self.function),)
        text = f"{kind}: {message} (core {core}, {filename}:{lineno}, in {kernel})"
        if source_line:
            text += f"\n    {source_line.strip()}"
        super().__init__(text)
        self.__traceback__ = kernel_traceback(self.frames)

    def __str__(self) -> str:
        # the text as it is, also for KernelKeyError (KeyError's str() would quote it)
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_kernel_error, (self.kind, self.message, self.core, self.lineno,
                                        self.source_line, self.filename, self.kernel,
                                        self.function, self.frames))


class DeadlockError(EpythonError, RuntimeError):
    """Every running core of a launch is blocked; the message lists who waits for what."""


class CoreFault(BackendError):
    """A core of the chip stopped on a hardware exception (an unaligned access, an illegal
    instruction, a memory fault) while it ran a kernel: a bug of epython's core program, not of
    the kernel.  ``core``, ``pc`` (where it stopped, and ``function``, its name in the core
    program) and ``cause`` say where; the backend reloads the core program on that core."""

    def __init__(self, message: str, *, core: int, pc: int, cause: str, function: str = "") -> None:
        super().__init__(message)
        self.core = core
        self.pc = pc
        self.cause = cause
        self.function = function


class LaunchCancelled(EpythonError, RuntimeError):
    """The host cancelled the launch (``handle.cancel()``, Ctrl-C or a timeout of a blocking call)."""


_CLASSES: dict[str, type[KernelError]] = {}
#: Kernel error kinds that are not Python exception names, and the built-in class they extend.
_RUNTIME_KINDS: dict[str, type[BaseException]] = {"BadImage": ValueError, "BadArgument": TypeError}


def kernel_error_class(kind: str) -> type[KernelError]:
    """The class that is both KernelError and the built-in exception named ``kind``."""
    cls = _CLASSES.get(kind)
    if cls is None:
        base = _RUNTIME_KINDS.get(kind) or getattr(builtins, kind, None)
        if not (isinstance(base, type) and issubclass(base, BaseException)):
            base = RuntimeError
        name = f"Kernel{kind}" if kind not in _RUNTIME_KINDS else f"{kind}Error"
        cls = type(name, (KernelError, base), {"__module__": "epython.errors"})
        _CLASSES[kind] = cls
    return cls


def _rebuild_kernel_error(kind: str, message: str, core: int, lineno: int, source_line: str,
                          filename: str, kernel: str, function: str = "",
                          frames: tuple[tuple[str, int, str], ...] = ()) -> KernelError:
    return kernel_error_class(kind)(message, core=core, lineno=lineno, source_line=source_line,
                                    filename=filename, kernel=kernel, kind=kind,
                                    function=function, frames=frames)


class _StubRaise(Exception):
    """Raised by a traceback stub to capture the frame it runs in."""


def _stub_frame(filename: str, lineno: int, function: str) -> types.TracebackType | None:
    """A traceback entry whose frame is at ``filename:lineno`` in a code object named
    ``function``: a one-statement stub compiled at that place, so that :mod:`traceback` reads the
    real source line through :mod:`linecache` (the way Jinja2 shows template lines)."""
    try:
        code = compile("\n" * max(lineno - 1, 0) + "raise __epy_stub__", filename, "exec")
    except (SyntaxError, ValueError):  # pragma: no cover - a filename compile() refuses
        return None
    marker = function.startswith("<") and function.endswith(">")  # reports.omitted_frame
    name = function if function.isidentifier() or marker else "<kernel>"
    code = code.replace(co_name=name)
    if sys.version_info >= (3, 11):  # tracebacks name frames by co_qualname from 3.11 on
        code = code.replace(co_qualname=name)
    try:
        exec(code, {"__name__": "epython.kernel", "__epy_stub__": _StubRaise})
    except _StubRaise as exc:
        tb = exc.__traceback__
        return tb.tb_next if tb is not None else None
    return None  # pragma: no cover - the stub always raises


def kernel_traceback(frames: tuple[tuple[str, int, str], ...]) -> types.TracebackType | None:
    """A traceback with one entry per ``(filename, lineno, function)`` of a kernel's call chain,
    outermost first, for a :class:`KernelError` to end with."""
    head: types.TracebackType | None = None
    for filename, lineno, function in reversed(frames):
        stub = _stub_frame(filename, lineno, function)
        if stub is not None:
            head = types.TracebackType(head, stub.tb_frame, stub.tb_lasti, stub.tb_lineno)
    return head
