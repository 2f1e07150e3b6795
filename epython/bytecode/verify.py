"""The verifier: a program image is checked before any interpreter runs it.

After :func:`verify` accepts an image, an interpreter may execute it without bounds checks on
operands or stack: every opcode is known, every operand is in range, every jump lands on an
instruction, no function or global name contains a NUL character, the stack depth at each
instruction is the same on every path into it, never negative and never above the function's
declared ``max_stack``, and control never runs off the end of a function (the last two by the
analysis of ``flow.py``).  The C interpreter implements the same checks, in the same order and
with the same messages (device/core/verify.c).
"""

from __future__ import annotations

from epython.bytecode.flow import analyse
from epython.bytecode.image import ImageError, Program, decode
from epython.bytecode.instr import Instr, iter_code
from epython.bytecode.opcodes import ATTRS, BUILTINS, RAISABLE_ERRORS, Op

__all__ = ["MAX_FRAME_STACK", "verify", "verify_bytes"]

#: Largest value stack one frame may declare.
MAX_FRAME_STACK = 255


def verify_bytes(data: bytes) -> Program:
    """Decode and verify image bytes; returns the Program or raises ImageError."""
    program = decode(data)
    verify(program)
    return program


def verify(program: Program) -> None:
    """Check every function of a decoded program; raise ImageError naming the first fault."""
    for index, slot in enumerate(program.globals):
        if "\0" in slot.name:
            raise ImageError(f"global {index}: its name contains a NUL character")
    for index, func in enumerate(program.functions):
        if "\0" in func.name:
            raise ImageError(f"function {index}: its name contains a NUL character")
        where = f"function {index} ({func.name})"
        if func.max_stack > MAX_FRAME_STACK:
            raise ImageError(f"{where}: max_stack {func.max_stack} exceeds {MAX_FRAME_STACK}")
        try:
            instrs = list(iter_code(func.code))
        except ValueError as exc:
            raise ImageError(f"{where}: {exc}") from None
        by_pc = {ins.pc: ins for ins in instrs}
        for ins in instrs:
            _check_operands(program, index, ins, by_pc)
        analyse(instrs, lambda callee: program.functions[callee].n_params, where, func.max_stack,
                func.handlers)
        last = 0
        for pc, _line in func.lines:
            if pc not in by_pc or pc < last:
                raise ImageError(f"{where}: line entry for pc {pc} is not an instruction in order")
            last = pc


def _check_operands(program: Program, index: int, ins: Instr, by_pc: dict[int, Instr]) -> None:
    """Check that the operands of one instruction are in range for this program."""
    func = program.functions[index]
    op = ins.info.code
    arg = ins.arg
    where = f"function {index} ({func.name}) pc {ins.pc} {ins.info.name}"
    if op == Op.LOAD_CONST and arg >= len(program.consts):
        raise ImageError(f"{where}: constant {arg} out of range ({len(program.consts)} constants)")
    if op in (Op.LOAD_LOCAL, Op.STORE_LOCAL, Op.DELETE_LOCAL) and arg >= func.n_locals:
        raise ImageError(f"{where}: local {arg} out of range ({func.n_locals} locals)")
    if op in (Op.LOAD_GLOBAL, Op.STORE_GLOBAL, Op.DELETE_GLOBAL) and arg >= len(program.globals):
        raise ImageError(f"{where}: global {arg} out of range ({len(program.globals)} globals)")
    if op == Op.CALL and arg >= len(program.functions):
        raise ImageError(f"{where}: function {arg} out of range ({len(program.functions)})")
    if op == Op.CALL_BUILTIN:
        if arg >= len(BUILTINS):
            raise ImageError(f"{where}: builtin {arg} out of range ({len(BUILTINS)})")
        b = BUILTINS[arg]
        if not b.min_args <= ins.args[1] <= b.max_args:
            raise ImageError(f"{where}: {b.name} takes {b.min_args}..{b.max_args} arguments, "
                             f"got {ins.args[1]}")
    if op in (Op.RAISE, Op.BUILD_EXC, Op.CHECK_EXC) and arg not in RAISABLE_ERRORS:
        raise ImageError(f"{where}: {arg} is not a raisable error code")
    if op == Op.LOAD_ATTR and arg >= len(ATTRS):
        raise ImageError(f"{where}: attribute {arg} out of range ({len(ATTRS)})")
    if op == Op.FORMAT_VALUE and arg > 1:
        raise ImageError(f"{where}: format flag {arg} is not 0 or 1")
    if ins.info.is_jump and arg not in by_pc:
        raise ImageError(f"{where}: jump target {arg} is not the start of an instruction")
