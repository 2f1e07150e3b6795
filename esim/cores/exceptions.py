"""What the simulator's engines share about kernel exceptions: the exception object that a
handler receives, and the one RAISE makes (docs/bytecode.md, "Exceptions").

An exception raised by ``RAISE_VALUE`` is an object the kernel built (``BUILD_EXC``, already
charged).  One raised by ``RAISE`` (assert, the old one-message raise) or by the VM itself (a
ZeroDivisionError of ``1 // 0``, a MemoryError of the heap) has its object made, and charged,
only when a handler catches it: after the frames it leaves are gone, as the C interpreter
does.  When the core's memory cannot hold that object the kernel stops with MemoryError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from epython.bytecode.memory import exc_bytes, str_bytes
from epython.bytecode.opcodes import ErrorCode
from esim.cores.values import Fault, KExc, Raised

__all__ = ["caught_exception", "raise_code"]


def raise_code(code: int, msg: Any, func: int, line: int) -> Raised:
    """What ``RAISE code`` raises with the message ``msg`` (None: no args) at func/line."""
    e = KExc(code, [] if msg is None else [msg])
    e.func, e.line = func, line
    raised = Raised(e)
    raised.charged = False
    return raised


def caught_exception(exc: BaseException, origin: tuple[int, int],
                     charge: Callable[[int, tuple[Any, ...]], None]) -> KExc:
    """The exception object a handler receives for ``exc``, raised at ``origin`` (func, line);
    ``charge(nbytes, extra_roots)`` accounts what is made for it now."""
    if isinstance(exc, Raised):
        e = exc.exc
        if not exc.charged:
            charge(exc_bytes(len(e.args)), tuple(e.args))  # e itself is not live yet
            exc.charged = True
        return e
    if isinstance(exc, Fault):
        code, message = exc.code, exc.message
    else:  # the host's RecursionError in a deep data structure
        code, message = ErrorCode.RecursionError, "maximum recursion depth exceeded"
    if code == ErrorCode.MemoryError:  # as CPython's: no args (and the least memory to catch it)
        message = ""
    if isinstance(exc, Fault) and exc.has_key:
        e = KExc(code, [exc.key])  # CPython's KeyError(key): the key exists already
        e.func, e.line = origin
        charge(exc_bytes(1), (exc.key,))
        return e
    e = KExc(code, [message] if message else [])
    e.func, e.line = origin
    nbytes = exc_bytes(len(e.args)) + (str_bytes(len(message.encode("utf-8"))) if message else 0)
    charge(nbytes, ())
    return e
