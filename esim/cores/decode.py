"""A function's code decoded once for execution: (op, arg, arg2, cycles) tuples, jumps as indexes."""

from __future__ import annotations

from epython.bytecode.image import Function
from epython.bytecode.instr import iter_code
from epython.bytecode.opcodes import BUILTINS, Op

__all__ = ["decode_function"]


def decode_function(func: Function) -> tuple[list[tuple[int, int, int, int]], list[int]]:
    """Instructions of ``func`` with jump targets as instruction indexes, and each one's pc.

    ``cycles`` includes a CALL_BUILTIN's builtin cost, so both engines charge the same.
    """
    decoded = list(iter_code(func.code))
    pc_to_index = {ins.pc: k for k, ins in enumerate(decoded)}
    instrs: list[tuple[int, int, int, int]] = []
    for ins in decoded:
        arg = pc_to_index[ins.arg] if ins.info.is_jump else ins.arg
        arg2 = ins.args[1] if len(ins.args) > 1 else 0
        cycles = ins.info.cycles
        if ins.info.code == Op.CALL_BUILTIN:
            cycles += BUILTINS[ins.arg].cycles
        instrs.append((ins.info.code, arg, arg2, cycles))
    return instrs, [ins.pc for ins in decoded]
