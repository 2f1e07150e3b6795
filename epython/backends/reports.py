"""What every backend reports about a launch's cores: the exception a core's error becomes, and
the words of deadlock and timeout reports, so that both backends say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping

from epython.bytecode.opcodes import ErrorCode
from epython.bytecode.protocol import ERROR_CHAIN_OUTER, cut_chain
from epython.compiler import CompiledKernel
from epython.errors import DeadlockError, KernelError, kernel_error_class

__all__ = ["blocked_core", "deadlock_error", "kernel_error", "omitted_frame", "timeout_error"]


def kernel_error(kernel: CompiledKernel, code: int, message: str, *, core: int, func: int,
                 line: int, chain: tuple[tuple[int, int], ...] = (),
                 omitted: int = 0) -> KernelError:
    """The exception for error ``code`` (an ErrorCode) that ``core`` reported at ``line`` of
    function ``func`` of ``kernel``: both KernelError and the built-in class it names, with the
    kernel's source line.  ``chain``: the ``(func, line)`` of each caller (the line of the call
    in progress), outermost first (the failing frame itself is ``func``/``line``); the error's
    traceback ends with them all.  A chain longer than the cap is cut the same way on every
    backend (:func:`epython.bytecode.protocol.cut_chain`); ``omitted`` says that ``chain`` was
    cut already (the device's record): that many callers were left out after its first
    ERROR_CHAIN_OUTER.  The cut is one :func:`omitted_frame` in ``frames``.  An unknown code
    becomes a RuntimeError that says so."""
    try:
        kind = ErrorCode(code).name
    except ValueError:
        kind = "RuntimeError"
        message = f"unknown error code {code} from core {core}: {message}"
    if not omitted:
        chain, omitted = cut_chain(chain)
    frames = [(kernel.filename_of(f), n, _function_name(kernel, f))
              for f, n in (*chain, (func, line))]
    if omitted:
        frames.insert(min(ERROR_CHAIN_OUTER, len(chain)), omitted_frame(omitted))
    return kernel_error_class(kind)(
        message, core=core, lineno=line, source_line=kernel.source_line(func, line),
        filename=kernel.filename_of(func), kernel=kernel.name, kind=kind,
        function=frames[-1][2], frames=tuple(frames))


def omitted_frame(count: int) -> tuple[str, int, str]:
    """The entry of ``KernelError.frames`` that marks where a long chain was cut: ``count``
    frames were left out there (the traceback shows it as ``File "<kernel>", line 1, in <N
    kernel frames omitted>``, no source line)."""
    return ("<kernel>", 0, f"<{count} kernel frame{'s' if count != 1 else ''} omitted>")


def _function_name(kernel: CompiledKernel, func: int) -> str:
    """The name of function ``func`` of ``kernel`` (the kernel's own name if out of range)."""
    functions = kernel.program.functions
    return functions[func].name if 0 <= func < len(functions) else kernel.name


def blocked_core(kernel: CompiledKernel, core: int, what: str, func: int, line: int) -> str:
    """One line of a deadlock or timeout report: ``core`` waits for ``what`` (a
    :func:`epython.bytecode.protocol.describe_wait` text) at ``line`` of function ``func``."""
    return (f"core {core} waits for {what} at {kernel.filename_of(func)}:{line}: "
            f"{kernel.source_line(func, line).strip()}")


def deadlock_error(kernel: CompiledKernel, waiting: list[str],
                   failed: Mapping[int, BaseException] | None = None) -> DeadlockError:
    """The DeadlockError of a launch whose running cores are all blocked (``waiting``: one
    :func:`blocked_core` line per core).  ``failed``: the errors, by core, of the launch's cores
    that stopped on an error before (often the reason the others wait); the message lists them
    and the handle keeps them in ``errors``."""
    text = (f"kernel {kernel.name}: deadlock, every running core is blocked:\n  "
            + ("\n  ".join(waiting) if waiting else "no core can make progress"))
    if failed:
        text += "\nbefore it, these cores of the launch failed:\n  " + "\n  ".join(
            f"core {core}: {str(error).splitlines()[0]}"
            for core, error in sorted(failed.items()))
    return DeadlockError(text)


def timeout_error(kernel: CompiledKernel, what: str, timeout: float, states: list[str], *,
                  backend: str = "", free: str = "cancel the launch",
                  source: str = "") -> TimeoutError:
    """The TimeoutError of a wait that gave up: ``what`` did not happen (``"no core finished"``,
    ``"not finished"``) within ``timeout`` seconds; ``states`` says what each unfinished core is
    doing.  ``backend`` names the backend after the time, ``free`` is how to free the cores,
    ``source`` where the states come from (each backend's own words)."""
    return TimeoutError(f"kernel {kernel.name}: {what} within {timeout:.3g} s of wall time"
                        f"{backend}; {free} to free its cores. Unfinished cores{source}:\n  "
                        + "\n  ".join(states))
