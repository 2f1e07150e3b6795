"""The bytecode: opcode table, program image format, verifier and disassembler.

This package is the ground floor of the project: it imports nothing else from it.
"""

from epython.bytecode.dis import disassemble
from epython.bytecode.image import (
    FORMAT_VERSION,
    MAGIC,
    Function,
    GlobalSlot,
    ImageError,
    Program,
    decode,
    encode,
    float32,
)
from epython.bytecode.instr import Instr, encode_instr, iter_code
from epython.bytecode.opcodes import BUILTINS, OPCODES, OPS, ErrorCode, Op, ValueTag
from epython.bytecode.verify import verify, verify_bytes

__all__ = [
    "BUILTINS",
    "FORMAT_VERSION",
    "MAGIC",
    "OPCODES",
    "OPS",
    "ErrorCode",
    "Function",
    "GlobalSlot",
    "ImageError",
    "Instr",
    "Op",
    "Program",
    "ValueTag",
    "decode",
    "disassemble",
    "encode",
    "encode_instr",
    "float32",
    "iter_code",
    "verify",
    "verify_bytes",
]
