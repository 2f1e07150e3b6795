"""A simulated core's interpreter: one core's state (``esim/cores/state.py``) driven by one of
the execution engines (``ENGINES``; the contract is ``esim/cores/engine.py``).

:meth:`Interpreter.run` is a generator: the engine executes instructions locally, summing their
cycle costs, and yields a :class:`Request` only at operations other parts of the chip can
observe (printing, messages, barriers).  The core process charges the accumulated cycles to
SimPy time, performs the request and sends its result back.  No SimPy event is created per
instruction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping
from typing import Any

from epython.bytecode.image import Program
from epython.bytecode.instr import Instr
from esim.cores.engine import Engine, KernelFault, Request
from esim.cores.jit import TranslatingEngine
from esim.cores.reference import ReferenceEngine
from esim.cores.state import CoreState

__all__ = ["ENGINES", "Interpreter", "KernelFault", "Request"]

#: The execution engines by name: "jit" translates each function into generated Python source
#: once per program image (the default); "reference" is the per-instruction loop, kept as the
#: executable specification the JIT is tested against (tests/test_jit.py).
ENGINES: dict[str, Engine] = {"jit": TranslatingEngine(), "reference": ReferenceEngine()}


class Interpreter(CoreState):
    """Runs one program on one core.  ``cycles`` and ``instructions`` count what it executed.

    ``engine`` is "jit" (default; ``ESIM_ENGINE`` overrides) or "reference"; both give the same
    results, output, errors, Requests, cycles, instructions and memory-error points.  ``cost``
    replaces the opcode table's cycles of each instruction (reference engine only) and
    ``extra_costs`` the costs that depend on operands (``EXTRA_COSTS``' keys: the allocator's per
    object and per byte, an array element read or written): the calibration counts what a
    kernel executes with them (``epython.calibrate``).
    """

    def __init__(self, program: Program, core: int, num_cores: int,
                 global_values: dict[str, Any] | None = None,
                 workspace: int | None = None, engine: str | None = None,
                 cost: Callable[[Instr], int] | None = None,
                 extra_costs: Mapping[str, int] | None = None) -> None:
        engine = engine or os.environ.get("ESIM_ENGINE") or "jit"
        if engine not in ENGINES:
            raise ValueError(f"unknown interpreter engine {engine!r}; choose from "
                             f"{tuple(ENGINES)}")
        if (cost is not None or extra_costs is not None) and engine != "reference":
            raise ValueError("Interpreter(cost=..., extra_costs=...) needs engine='reference' (the "
                             "translating engine builds the table's costs into what it generates)")
        super().__init__(program, core, num_cores, global_values, workspace, extra_costs)
        self.engine = engine
        self._engine = ENGINES[engine] if cost is None else ReferenceEngine(cost)

    def run(self, args: list[Any]) -> Generator[Request, Any, Any]:
        """Execute the entry function with ``args``; yields Requests, returns its result."""
        return self._engine.execute(self, args)
