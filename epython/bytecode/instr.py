"""Encoding and decoding of single instructions; one helper per operand format."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from epython.bytecode.opcodes import OPCODES, Op, Operand

__all__ = ["Instr", "encode_instr", "iter_code"]

_U16 = struct.Struct("<H")
_I16 = struct.Struct("<h")


@dataclass(frozen=True)
class Instr:
    """A decoded instruction at ``pc``; ``args`` holds 0, 1 or 2 operand values."""

    pc: int
    info: Op
    args: tuple[int, ...]

    @property
    def arg(self) -> int:
        """The first operand (0 when there is none)."""
        return self.args[0] if self.args else 0

    @property
    def next_pc(self) -> int:
        """Address of the following instruction."""
        return self.pc + self.info.length


def encode_instr(info: Op, *args: int) -> bytes:
    """Encode one instruction, checking that every operand fits its format."""
    fmt = info.operand
    expected = fmt.values
    if len(args) != expected:
        raise ValueError(f"{info.name} takes {expected} operand(s), got {len(args)}")
    if fmt is Operand.NONE:
        return bytes([info.code])
    if fmt is Operand.U8:
        _check(info, args[0], 0, 0xFF)
        return bytes([info.code, args[0]])
    if fmt is Operand.U8U8:
        _check(info, args[0], 0, 0xFF)
        _check(info, args[1], 0, 0xFF)
        return bytes([info.code, args[0], args[1]])
    if fmt is Operand.I16:
        _check(info, args[0], -0x8000, 0x7FFF)
        return bytes([info.code]) + _I16.pack(args[0])
    _check(info, args[0], 0, 0xFFFF)
    return bytes([info.code]) + _U16.pack(args[0])


def _check(info: Op, value: int, lo: int, hi: int) -> None:
    """Refuse an operand value outside [lo, hi]."""
    if not lo <= value <= hi:
        raise ValueError(f"operand {value} of {info.name} outside [{lo}, {hi}]")


def iter_code(code: bytes) -> Iterator[Instr]:
    """Decode a function's code; raises ValueError on an unknown opcode or a cut operand."""
    pc = 0
    n = len(code)
    while pc < n:
        op = code[pc]
        if op >= len(OPCODES):
            raise ValueError(f"unknown opcode {op} at pc {pc}")
        info = OPCODES[op]
        end = pc + info.length
        if end > n:
            raise ValueError(f"{info.name} at pc {pc} is cut off by the end of the code")
        fmt = info.operand
        if fmt is Operand.NONE:
            args: tuple[int, ...] = ()
        elif fmt is Operand.U8:
            args = (code[pc + 1],)
        elif fmt is Operand.U8U8:
            args = (code[pc + 1], code[pc + 2])
        elif fmt is Operand.I16:
            args = (_I16.unpack_from(code, pc + 1)[0],)
        else:
            args = (_U16.unpack_from(code, pc + 1)[0],)
        yield Instr(pc, info, args)
        pc = end
