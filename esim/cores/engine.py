"""The contract of a simulated core's execution engines, and what every engine shares.

An *engine* runs a program image on one core's state (:class:`esim.cores.state.CoreState`): it
executes instructions locally, adding their cycle costs to ``state.cycles`` and
``state.instructions``, and yields a :class:`Request` only at operations other parts of the chip
can observe (printing, messages, barriers, and a "tick" every :data:`TICK` instructions so that
simulated time can advance).  The core process (``esim/cores/core.py``) charges the accumulated
cycles to SimPy time, carries out the request and sends its result back into the generator.

Two engines implement the contract (``esim.cores.interp.ENGINES``): "reference", the per-instruction loop that is
the executable specification (``esim/cores/reference.py``), and "jit", which translates each
function into Python source once per image (``esim/cores/jit/``, the default).  Both give the
same results, output, errors, Requests, cycles, instructions and memory-error points
(tests/test_jit.py).  This module holds what they share: the launch prologue (:func:`enter`),
the translation of errors into :class:`KernelFault` (:func:`kernel_fault`) and the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Protocol

from epython.bytecode.opcodes import BUILTINS, ErrorCode
from esim.cores.state import UNSET, CoreState
from esim.cores.values import Fault

__all__ = ["INTERNAL_ERRORS", "TICK", "TICK_CODE", "TICK_REQUEST", "UNSET", "Engine", "KernelFault",
           "Request", "check_arity", "enter", "kernel_fault"]

#: Instructions an engine runs before it yields a "tick" so simulated time can advance.  Both
#: engines tick at the same points: at a backward branch or a CALL once this many instructions
#: have run since the last yield.
TICK = 50_000


#: The code of the request an engine yields every TICK instructions (not a builtin's code).
TICK_CODE = -1


@dataclass
class Request:
    """An observable operation the core process must carry out: the observable builtin
    ``code`` (``BUILTINS[code]``: print, the parallel module) called with ``args``, or a tick."""

    code: int
    args: tuple[Any, ...]
    func: int = 0  # where the request was made (for reports of blocked cores)
    line: int = 0

    @property
    def name(self) -> str:
        """The builtin's name ("tick" for a tick)."""
        return "tick" if self.code == TICK_CODE else BUILTINS[self.code].name


#: The request an engine yields every TICK instructions (the core process only charges time).
TICK_REQUEST = Request(TICK_CODE, ())


class KernelFault(Exception):
    """A kernel error with its location: error code, message, function index and line."""

    def __init__(self, code: ErrorCode, message: str, func: int, lineno: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.func = func
        self.lineno = lineno
        #: (function, line) of each caller, outermost first; set by the engine that raised it
        self.chain: tuple[tuple[int, int], ...] = ()


class Engine(Protocol):
    """An execution engine of the simulated cores."""

    name: str

    def execute(self, state: CoreState, args: list[Any]) -> Generator[Request, Any, Any]:
        """Run the program's entry function with ``args`` on ``state``: a generator that yields
        Requests and returns the kernel's result, or raises :class:`KernelFault`."""
        ...


#: Python exceptions that only a program the compiler would never produce (a hand-made image)
#: can raise inside an engine: reported as a kernel's RuntimeError, never as a simulator crash.
INTERNAL_ERRORS = (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError,
                   ZeroDivisionError, UnicodeError)


def check_arity(state: CoreState, args: list[Any]) -> None:
    """The TypeError of a launch whose argument count differs from the entry's parameters."""
    program = state.program
    entry = program.functions[program.entry]
    if len(args) != entry.n_params:
        raise KernelFault(ErrorCode.TypeError, f"{entry.name}() takes {entry.n_params} arguments "
                          f"but {len(args)} were given", program.entry, 0)


def enter(state: CoreState, frame_bytes: int, args: list[Any]) -> None:
    """The launch prologue both engines run before the entry function's first instruction:
    its frame, then the arguments and the device-resident values, are charged to the heap."""
    heap = state.heap
    heap.push_frame(frame_bytes, lambda: list(args))
    resident = [g for g in state.globals if g is not UNSET]
    heap.charge(sum(heap.deep_bytes(a) for a in list(args) + resident),
                lambda: list(args) + resident)


def kernel_fault(exc: BaseException, func: int, line: int,
                 op_name: Callable[[], str]) -> KernelFault | None:
    """The KernelFault that ``exc``, raised while executing function ``func`` at source line
    ``line``, becomes (``op_name()`` names the instruction, for internal errors); None when
    ``exc`` is not a kernel's error and must propagate as it is."""
    if isinstance(exc, Fault):
        return KernelFault(exc.code, exc.message, func, line)
    if isinstance(exc, RecursionError):  # host recursion in deep data structures
        return KernelFault(ErrorCode.RecursionError, "maximum recursion depth exceeded",
                           func, line)
    if isinstance(exc, INTERNAL_ERRORS):
        return KernelFault(ErrorCode.RuntimeError, f"internal error: {type(exc).__name__}: "
                           f"{exc} (at {op_name()})", func, line)
    return None
