"""The bytecode: opcode table, program image format, stack effects and control-flow analysis,
verifier, disassembler and the generator of the C tables.

This package is the ground floor of the project: it imports nothing else from it.
"""

from epython.bytecode.dis import disassemble
from epython.bytecode.flow import FlowGraph, analyse, stack_effect
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
    "FlowGraph",
    "Function",
    "GlobalSlot",
    "ImageError",
    "Instr",
    "Op",
    "Program",
    "ValueTag",
    "analyse",
    "decode",
    "disassemble",
    "encode",
    "encode_instr",
    "float32",
    "iter_code",
    "stack_effect",
    "verify",
    "verify_bytes",
]
