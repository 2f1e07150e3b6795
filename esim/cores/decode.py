"""A function's code decoded once for execution: (op, arg, arg2, cycles) tuples, jumps as indexes."""

from __future__ import annotations

from collections.abc import Callable

from epython.bytecode.image import Function
from epython.bytecode.instr import Instr, iter_code
from epython.bytecode.opcodes import BUILTINS, Op

__all__ = ["decode_function", "table_cost"]


def table_cost(ins: Instr) -> int:
    """The cycles the opcode table charges for ``ins`` (a CALL_BUILTIN adds its builtin's)."""
    cycles = ins.info.cycles
    if ins.info.code == Op.CALL_BUILTIN:
        cycles += BUILTINS[ins.arg].cycles
    return cycles


def decode_function(func: Function, cost: Callable[[Instr], int] = table_cost,
                    ) -> tuple[list[tuple[int, int, int, int]], list[int]]:
    """Instructions of ``func`` with jump targets as instruction indexes, and each one's pc.

    ``cost`` gives each instruction's cycles (``table_cost``: the opcode and builtin tables, so
    both engines charge the same; ``epython.calibrate`` passes its own to count what runs).
    """
    decoded = list(iter_code(func.code))
    pc_to_index = {ins.pc: k for k, ins in enumerate(decoded)}
    instrs: list[tuple[int, int, int, int]] = []
    for ins in decoded:
        arg = pc_to_index[ins.arg] if ins.info.is_jump else ins.arg
        arg2 = ins.args[1] if len(ins.args) > 1 else 0
        instrs.append((ins.info.code, arg, arg2, cost(ins)))
    return instrs, [ins.pc for ins in decoded]
