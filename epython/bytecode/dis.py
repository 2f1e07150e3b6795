"""Disassembler: a readable listing of a program image.

Usage: ``python -m epython.bytecode.dis IMAGE_FILE`` (``python -m epython dis script.py:kernel``
compiles a kernel first and lists it).
"""

from __future__ import annotations

import argparse
import sys

from epython.bytecode.image import NO_INIT, Program, decode
from epython.bytecode.instr import Instr, iter_code
from epython.bytecode.opcodes import ATTRS, BUILTINS, ErrorCode, Op

__all__ = ["disassemble", "main"]


def _comment(program: Program, ins: Instr) -> str:
    op = ins.info.code
    if op == Op.LOAD_CONST:
        return f"({program.consts[ins.arg]!r})"
    if op == Op.CALL:
        return f"({program.functions[ins.arg].name})"
    if op == Op.CALL_BUILTIN:
        return f"({BUILTINS[ins.arg].name}, {ins.args[1]} args)"
    if op in (Op.LOAD_GLOBAL, Op.STORE_GLOBAL):
        return f"({program.globals[ins.arg].name})"
    if op == Op.RAISE:
        return f"({ErrorCode(ins.arg).name})"
    if op == Op.LOAD_ATTR:
        return f"({ATTRS[ins.arg]})"
    if ins.info.is_jump:
        return f"(to {ins.arg})"
    return ""


def disassemble(program: Program) -> str:
    """Listing of every function: line, pc, opcode name, operands and what they refer to."""
    out: list[str] = []
    if program.globals:
        out.append("globals:")
        for i, g in enumerate(program.globals):
            init = "set by host" if g.init == NO_INIT else repr(program.consts[g.init])
            out.append(f"  {i:3d} {g.name} = {init}")
    for index, func in enumerate(program.functions):
        entry = "  [entry]" if index == program.entry else ""
        out.append(f"function {index} {func.name}: params={func.n_params} locals={func.n_locals} "
                   f"max_stack={func.max_stack}{entry}")
        lines = dict(func.lines)
        for ins in iter_code(func.code):
            line = f"{lines[ins.pc]:>5}" if ins.pc in lines else "     "
            args = " ".join(str(a) for a in ins.args)
            out.append(f"{line} {ins.pc:5d} {ins.info.name:<22}{args:<8} {_comment(program, ins)}".rstrip())
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: disassemble an image file."""
    parser = argparse.ArgumentParser(prog="python -m epython.bytecode.dis", description=__doc__)
    parser.add_argument("image", help="a program image file (bytes as sent to the cores)")
    ns = parser.parse_args(argv)
    with open(ns.image, "rb") as fh:
        program = decode(fh.read())
    sys.stdout.write(disassemble(program))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
