"""The verifier: a program image is checked before any interpreter runs it.

After :func:`verify` accepts an image, an interpreter may execute it without bounds checks on
operands or stack: every opcode is known, every operand is in range, every jump lands on an
instruction, no function or global name contains a NUL character, the stack depth at each instruction is the same on every path into it, never
negative and never above the function's declared ``max_stack``, and control never runs off the
end of a function.  The C interpreter implements the same checks (device/core/verify.c).
"""

from __future__ import annotations

from epython.bytecode.image import ImageError, Program, decode
from epython.bytecode.instr import Instr, iter_code
from epython.bytecode.opcodes import ARG, ATTRS, BUILTINS, ErrorCode, Op, OpInfo

__all__ = ["MAX_FRAME_STACK", "verify", "verify_bytes"]

_RAISABLE = frozenset(int(code) for code in ErrorCode)

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
        _check_stack(program, index, instrs, by_pc)
        last = 0
        for pc, _line in func.lines:
            if pc not in by_pc or pc < last:
                raise ImageError(f"{where}: line entry for pc {pc} is not an instruction in order")
            last = pc


def _check_operands(program: Program, index: int, ins: Instr, by_pc: dict[int, Instr]) -> None:
    func = program.functions[index]
    op = ins.info.code
    arg = ins.arg
    where = f"function {index} ({func.name}) pc {ins.pc} {ins.info.name}"
    if op == Op.LOAD_CONST and arg >= len(program.consts):
        raise ImageError(f"{where}: constant {arg} out of range ({len(program.consts)} constants)")
    if op in (Op.LOAD_LOCAL, Op.STORE_LOCAL) and arg >= func.n_locals:
        raise ImageError(f"{where}: local {arg} out of range ({func.n_locals} locals)")
    if op in (Op.LOAD_GLOBAL, Op.STORE_GLOBAL) and arg >= len(program.globals):
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
    if op == Op.RAISE and not (0 < arg < 64 and arg in _RAISABLE):
        raise ImageError(f"{where}: {arg} is not a raisable error code")
    if op == Op.LOAD_ATTR and arg >= len(ATTRS):
        raise ImageError(f"{where}: attribute {arg} out of range ({len(ATTRS)})")
    if op == Op.FORMAT_VALUE and arg > 1:
        raise ImageError(f"{where}: format flag {arg} is not 0 or 1")
    if ins.info.is_jump and arg not in by_pc:
        raise ImageError(f"{where}: jump target {arg} is not the start of an instruction")


def _effect(program: Program, info: OpInfo, ins: Instr) -> tuple[int, int]:
    """(pops, pushes) on the fall-through path."""
    if info.code == Op.CALL:
        pops = program.functions[ins.arg].n_params
    elif info.code == Op.CALL_BUILTIN:
        pops = ins.args[1]
    else:
        pops = ins.arg if info.pops == ARG else info.pops
    pushes = ins.arg if info.pushes == ARG else info.pushes
    return pops, pushes


def _check_stack(program: Program, index: int, instrs: list[Instr], by_pc: dict[int, Instr]) -> None:
    """Abstract interpretation of stack depths over the control-flow graph."""
    func = program.functions[index]
    depth_at: dict[int, int] = {0: 0}
    work = [0]
    end = len(func.code)

    def reach(pc: int, depth: int, src: Instr) -> None:
        where = f"function {index} ({func.name}) pc {src.pc} {src.info.name}"
        if pc >= end:
            raise ImageError(f"{where}: control runs off the end of the function")
        if depth > func.max_stack:
            raise ImageError(f"{where}: stack depth {depth} exceeds max_stack {func.max_stack}")
        known = depth_at.get(pc)
        if known is None:
            depth_at[pc] = depth
            work.append(pc)
        elif known != depth:
            raise ImageError(f"{where}: stack depth {depth} at pc {pc} disagrees with {known} "
                             "on another path")

    while work:
        pc = work.pop()
        ins = by_pc[pc]
        info = ins.info
        depth = depth_at[pc]
        pops, pushes = _effect(program, info, ins)
        where = f"function {index} ({func.name}) pc {pc} {info.name}"
        if depth < pops:
            raise ImageError(f"{where}: stack underflow (needs {pops}, has {depth})")
        if info.is_jump:
            if depth < info.branch_pops:
                raise ImageError(f"{where}: stack underflow on the branch")
            reach(ins.arg, depth - info.branch_pops + info.branch_pushes, ins)
        if not info.is_unconditional:
            reach(ins.next_pc, depth - pops + pushes, ins)
