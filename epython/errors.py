"""Exceptions raised by epython on the host.

A kernel error crosses back as an exception that is both :class:`KernelError` and the built-in
class the kernel raised, so ``except ZeroDivisionError`` works on the host.
"""

from __future__ import annotations

import builtins
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
]


class EpythonError(Exception):
    """Base class of every error epython raises itself."""


class LaunchOptionWarning(UserWarning):
    """A kernel parameter has the name of a launch option (``target``, ``timeout``, ...): passed
    by keyword, the call takes it as the option.  Warned at decoration, at the parameter."""


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
    ``filename``, ``kernel`` (the kernel's name) and ``kind`` (the built-in class name).
    """

    core: int
    lineno: int
    source_line: str
    filename: str
    kernel: str
    kind: str
    message: str

    def __init__(self, message: str, *, core: int, lineno: int, source_line: str = "",
                 filename: str = "<kernel>", kernel: str = "?", kind: str = "RuntimeError") -> None:
        self.message = message
        self.core = core
        self.lineno = lineno
        self.source_line = source_line
        self.filename = filename
        self.kernel = kernel
        self.kind = kind
        text = f"{kind}: {message} (core {core}, {filename}:{lineno}, in {kernel})"
        if source_line:
            text += f"\n    {source_line.strip()}"
        super().__init__(text)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_kernel_error, (self.kind, self.message, self.core, self.lineno,
                                        self.source_line, self.filename, self.kernel))


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
                          filename: str, kernel: str) -> KernelError:
    return kernel_error_class(kind)(message, core=core, lineno=lineno, source_line=source_line,
                                    filename=filename, kernel=kernel, kind=kind)
