"""The translating engine and exceptions: a program with an exception table runs on the
reference engine.

A kernel that contains a ``try`` (any function of its image has exception-table entries)
(or builds, raises or matches exception objects) is not translated: the translating engine hands the whole launch to the reference engine,
the executable specification, so its results, output, errors, cycles, instructions and
memory-error points are the reference's by construction.  Kernels without ``try`` are
translated as before (a ``raise`` alone needs no table).  Translating the handlers themselves
is left for later (docs/performance.md): the cost is speed only, in kernels that use ``try``.
"""

from __future__ import annotations

from epython.bytecode.exceptions import uses_exception_objects
from epython.bytecode.image import Program
from epython.bytecode.instr import iter_code
from epython.bytecode.opcodes import Op
from esim.cores.reference import ReferenceEngine

__all__ = ["REFERENCE", "runs_on_reference"]

#: The engine that runs the programs the translator leaves out.
REFERENCE = ReferenceEngine()


#: Instructions the translator leaves to the reference engine too (``del`` of a name).
REFERENCE_OPS = frozenset((Op.DELETE_LOCAL, Op.DELETE_GLOBAL))


def runs_on_reference(program: Program) -> bool:
    """Whether ``program`` has handlers or exception objects (or deletes a name), so the
    reference engine runs it (found once per program object: every core asks)."""
    known: bool | None = program.__dict__.get("_on_reference")
    if known is None:
        known = program.__dict__["_on_reference"] = uses_exception_objects(program) or any(
            ins.info in REFERENCE_OPS for f in program.functions for ins in iter_code(f.code))
    return known
