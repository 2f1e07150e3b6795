"""THE opcode table: the single definition of every instruction of the kernel bytecode.

Everything else (the encoder, verifier, disassembler, both interpreters, the cycle model and
``device/core/opcodes.h``) is derived from the tables in this module.  The cycles of each row
come from ``epython/bytecode/costs.py``, which ``python -m epython.calibrate --table`` generates
from what the real Epiphany build executes on e-sim (docs/timing-model.md).  Change an instruction
here, then run ``python -m epython.bytecode.gen_c`` to regenerate the C header (a test fails
while it is stale).

Stack notation in the docs: ``a b -> c`` pops ``b`` (top) and ``a`` and pushes ``c``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from epython.bytecode.costs import BUILTIN_CYCLES, OP_CYCLES

__all__ = [
    "ARG",
    "BUILTINS",
    "Builtin",
    "ErrorCode",
    "FORMAT_LENGTHS",
    "OPCODES",
    "OPS",
    "Op",
    "OpInfo",
    "Operand",
    "ValueTag",
]


class Operand(enum.Enum):
    """Operand format of an instruction; an instruction's length follows from its opcode."""

    NONE = ""  # no operand
    U8 = "u8"  # one unsigned byte
    I16 = "i16"  # little-endian signed 16-bit immediate
    U16 = "u16"  # little-endian unsigned 16-bit index
    ADDR = "addr"  # u16 absolute jump target inside the current function's code
    U8U8 = "u8u8"  # two unsigned bytes


FORMAT_LENGTHS: dict[Operand, int] = {
    Operand.NONE: 0,
    Operand.U8: 1,
    Operand.I16: 2,
    Operand.U16: 2,
    Operand.ADDR: 2,
    Operand.U8U8: 2,
}

#: Marks a stack count that equals the (first) operand.
ARG = -1


@dataclass(frozen=True)
class OpInfo:
    """One row of the opcode table."""

    code: int
    name: str
    operand: Operand
    pops: int  # values popped on the fall-through path (ARG: the operand)
    pushes: int  # values pushed on the fall-through path (ARG: the operand)
    cycles: int  # Epiphany cycles charged by the interpreter (docs/timing-model.md)
    doc: str
    branch_pops: int = 0  # for jumps: values popped when the branch is taken
    branch_pushes: int = 0  # for jumps: values pushed when the branch is taken (after the pops)

    @property
    def length(self) -> int:
        """Encoded length in bytes: opcode byte plus operand bytes."""
        return 1 + FORMAT_LENGTHS[self.operand]

    @property
    def is_jump(self) -> bool:
        """True for instructions whose operand is a jump target."""
        return self.operand is Operand.ADDR

    @property
    def is_unconditional(self) -> bool:
        """True for instructions after which control never falls through."""
        return self.name in ("JUMP", "RETURN_VALUE", "RAISE")


def _t(code: int, name: str, operand: Operand, pops: int, pushes: int, doc: str,
       branch: tuple[int, int] = (0, 0)) -> OpInfo:
    return OpInfo(code, name, operand, pops, pushes, OP_CYCLES[name], doc, branch[0], branch[1])


N, U8, I16, U16, ADDR, U8U8 = (Operand.NONE, Operand.U8, Operand.I16, Operand.U16, Operand.ADDR,
                               Operand.U8U8)

# Each row's cycles: costs.OP_CYCLES, measured on the real build (docs/timing-model.md).
# ORDER: codes are dense from 0; never reuse a retired code within one FORMAT_VERSION.
OPCODES: tuple[OpInfo, ...] = (
    _t(0, "NOP", N, 0, 0, "do nothing"),
    _t(1, "POP_TOP", N, 1, 0, "a ->"),
    _t(2, "DUP_TOP", N, 1, 2, "a -> a a"),
    _t(3, "DUP_TOP_TWO", N, 2, 4, "a b -> a b a b"),
    _t(4, "ROT_TWO", N, 2, 2, "a b -> b a"),
    _t(5, "ROT_THREE", N, 3, 3, "a b c -> c a b"),
    _t(6, "LOAD_CONST", U16, 0, 1, "-> K[arg]"),
    _t(7, "LOAD_NONE", N, 0, 1, "-> None"),
    _t(8, "LOAD_TRUE", N, 0, 1, "-> True"),
    _t(9, "LOAD_FALSE", N, 0, 1, "-> False"),
    _t(10, "LOAD_INT", I16, 0, 1, "-> int(arg)  (small integer immediate)"),
    _t(11, "LOAD_LOCAL", U8, 0, 1, "-> L[arg]  (UnboundLocalError if unset)"),
    _t(12, "STORE_LOCAL", U8, 1, 0, "a ->  L[arg] = a"),
    _t(13, "LOAD_GLOBAL", U16, 0, 1, "-> G[arg]"),
    _t(14, "STORE_GLOBAL", U16, 1, 0, "a ->  G[arg] = a"),
    _t(15, "UNARY_NEG", N, 1, 1, "a -> -a"),
    _t(16, "UNARY_POS", N, 1, 1, "a -> +a"),
    _t(17, "UNARY_NOT", N, 1, 1, "a -> not a"),
    _t(18, "UNARY_INVERT", N, 1, 1, "a -> ~a"),
    _t(19, "BINARY_ADD", N, 2, 1, "a b -> a + b"),
    _t(20, "BINARY_SUB", N, 2, 1, "a b -> a - b"),
    _t(21, "BINARY_MUL", N, 2, 1, "a b -> a * b"),
    _t(22, "BINARY_TRUEDIV", N, 2, 1, "a b -> a / b"),
    _t(23, "BINARY_FLOORDIV", N, 2, 1, "a b -> a // b"),
    _t(24, "BINARY_MOD", N, 2, 1, "a b -> a % b"),
    _t(25, "BINARY_POW", N, 2, 1, "a b -> a ** b"),
    _t(26, "BINARY_LSHIFT", N, 2, 1, "a b -> a << b"),
    _t(27, "BINARY_RSHIFT", N, 2, 1, "a b -> a >> b"),
    _t(28, "BINARY_AND", N, 2, 1, "a b -> a & b"),
    _t(29, "BINARY_OR", N, 2, 1, "a b -> a | b"),
    _t(30, "BINARY_XOR", N, 2, 1, "a b -> a ^ b"),
    _t(31, "COMPARE_EQ", N, 2, 1, "a b -> a == b"),
    _t(32, "COMPARE_NE", N, 2, 1, "a b -> a != b"),
    _t(33, "COMPARE_LT", N, 2, 1, "a b -> a < b"),
    _t(34, "COMPARE_LE", N, 2, 1, "a b -> a <= b"),
    _t(35, "COMPARE_GT", N, 2, 1, "a b -> a > b"),
    _t(36, "COMPARE_GE", N, 2, 1, "a b -> a >= b"),
    _t(37, "COMPARE_IN", N, 2, 1, "a b -> a in b"),
    _t(38, "COMPARE_NOT_IN", N, 2, 1, "a b -> a not in b"),
    _t(39, "COMPARE_IS", N, 2, 1, "a b -> a is b  (None/True/False only)"),
    _t(40, "COMPARE_IS_NOT", N, 2, 1, "a b -> a is not b"),
    _t(41, "JUMP", ADDR, 0, 0, "pc = arg"),
    _t(42, "POP_JUMP_IF_FALSE", ADDR, 1, 0, "a ->  if not a: pc = arg", branch=(1, 0)),
    _t(43, "POP_JUMP_IF_TRUE", ADDR, 1, 0, "a ->  if a: pc = arg", branch=(1, 0)),
    _t(44, "JUMP_IF_FALSE_OR_POP", ADDR, 1, 0,
       "a -> a (and pc = arg) if not a, else a ->", branch=(0, 0)),
    _t(45, "JUMP_IF_TRUE_OR_POP", ADDR, 1, 0,
       "a -> a (and pc = arg) if a, else a ->", branch=(0, 0)),
    _t(46, "GET_ITER", N, 1, 1, "a -> iter(a)  (range, list, tuple, str, array, enumerate, zip)"),
    _t(47, "FOR_ITER", ADDR, 1, 2, "it -> it next(it); when exhausted: it -> and pc = arg",
       branch=(1, 0)),
    _t(48, "BUILD_TUPLE", U8, ARG, 1, "a1..an -> (a1, ..., an)"),
    _t(49, "BUILD_LIST", U8, ARG, 1, "a1..an -> [a1, ..., an]"),
    _t(50, "UNPACK_SEQUENCE", U8, 1, ARG, "s -> s[n-1] .. s[0]  (s[0] on top)"),
    _t(51, "BINARY_SUBSCR", N, 2, 1, "a i -> a[i]  (i may be a tuple for 2-D arrays)"),
    _t(52, "STORE_SUBSCR", N, 3, 0, "v a i ->  a[i] = v"),
    _t(53, "SLICE_SUBSCR", N, 4, 1, "a lo hi step -> a[lo:hi:step]  (None for omitted)"),
    _t(54, "CALL", U16, ARG, 1,
       "a1..an -> f(a1..an)  (arg: function index; n: that function's parameter count)"),
    _t(55, "CALL_BUILTIN", U8U8, ARG, 1,
       "a1..an -> b(a1..an)  (arg1: builtin id, arg2: n)"),
    _t(56, "RETURN_VALUE", N, 1, 0, "a ->  return a to the caller"),
    _t(57, "RAISE", U8, 1, 0, "msg ->  raise ErrorCode(arg)(msg); msg is a str or None"),
    _t(58, "FORMAT_VALUE", U8, 2, 1, "a spec -> format(a, spec)  (arg 0: str(a), 1: use spec)"),
    _t(59, "BUILD_STRING", U8, ARG, 1, "s1..sn -> s1 + ... + sn"),
    _t(60, "LOAD_ATTR", U8, 1, 1, "a -> a.attr  (arg: attribute id, see ATTRS)"),
    _t(61, "INPLACE_ADD", N, 2, 1,
       "a b -> a += b  (a list: extended in place by any iterable b, a itself pushed; "
       "else a + b)"),
    _t(62, "INPLACE_MUL", N, 2, 1,
       "a b -> a *= b  (a list: repeated in place, a itself pushed; else a * b)"),
)

#: Opcode by name, e.g. ``OPS["LOAD_CONST"].code``.
OPS: dict[str, OpInfo] = {info.name: info for info in OPCODES}


class Op(enum.IntEnum):
    """Opcode numbers as an enum (``Op.LOAD_CONST``)."""

    NOP = 0
    POP_TOP = 1
    DUP_TOP = 2
    DUP_TOP_TWO = 3
    ROT_TWO = 4
    ROT_THREE = 5
    LOAD_CONST = 6
    LOAD_NONE = 7
    LOAD_TRUE = 8
    LOAD_FALSE = 9
    LOAD_INT = 10
    LOAD_LOCAL = 11
    STORE_LOCAL = 12
    LOAD_GLOBAL = 13
    STORE_GLOBAL = 14
    UNARY_NEG = 15
    UNARY_POS = 16
    UNARY_NOT = 17
    UNARY_INVERT = 18
    BINARY_ADD = 19
    BINARY_SUB = 20
    BINARY_MUL = 21
    BINARY_TRUEDIV = 22
    BINARY_FLOORDIV = 23
    BINARY_MOD = 24
    BINARY_POW = 25
    BINARY_LSHIFT = 26
    BINARY_RSHIFT = 27
    BINARY_AND = 28
    BINARY_OR = 29
    BINARY_XOR = 30
    COMPARE_EQ = 31
    COMPARE_NE = 32
    COMPARE_LT = 33
    COMPARE_LE = 34
    COMPARE_GT = 35
    COMPARE_GE = 36
    COMPARE_IN = 37
    COMPARE_NOT_IN = 38
    COMPARE_IS = 39
    COMPARE_IS_NOT = 40
    JUMP = 41
    POP_JUMP_IF_FALSE = 42
    POP_JUMP_IF_TRUE = 43
    JUMP_IF_FALSE_OR_POP = 44
    JUMP_IF_TRUE_OR_POP = 45
    GET_ITER = 46
    FOR_ITER = 47
    BUILD_TUPLE = 48
    BUILD_LIST = 49
    UNPACK_SEQUENCE = 50
    BINARY_SUBSCR = 51
    STORE_SUBSCR = 52
    SLICE_SUBSCR = 53
    CALL = 54
    CALL_BUILTIN = 55
    RETURN_VALUE = 56
    RAISE = 57
    FORMAT_VALUE = 58
    BUILD_STRING = 59
    LOAD_ATTR = 60
    INPLACE_ADD = 61
    INPLACE_MUL = 62


class ErrorCode(enum.IntEnum):
    """Error codes shared by both interpreters, the mailboxes and the host.

    Codes below 64 are Python exceptions raised by kernels; their names are the names of the
    built-in exception classes the host re-raises.  Codes from 64 are runtime/protocol faults.
    """

    OK = 0
    ZeroDivisionError = 1
    OverflowError = 2
    IndexError = 3
    TypeError = 4
    ValueError = 5
    AssertionError = 6
    MemoryError = 7
    RecursionError = 8
    RuntimeError = 9
    UnboundLocalError = 10
    NameError = 11
    AttributeError = 12
    NotImplementedError = 13
    BadImage = 64  # the verifier rejected the program image
    BadArgument = 65  # argument block could not be decoded


class ValueTag(enum.IntEnum):
    """Type tags of the constant pool and of the marshal format (epython/marshal.py)."""

    NONE = 0
    FALSE = 1
    TRUE = 2
    INT = 3  # int32, little-endian
    FLOAT = 4  # IEEE binary32, little-endian
    STR = 5  # u16 byte length + UTF-8 bytes
    TUPLE = 6  # u16 count + items
    LIST = 7  # u16 count + items
    ARRAY = 8  # u8 dtype, u8 ndim, u16 shape[ndim], raw little-endian data


@dataclass(frozen=True)
class Builtin:
    """A function reachable from kernels through ``CALL_BUILTIN``."""

    code: int
    name: str  # the Python spelling: "len", "math.sqrt", "parallel.send", "list.append"
    min_args: int
    max_args: int
    cycles: int  # base cost on top of CALL_BUILTIN's dispatch
    observable: bool = False  # other parts of the chip can observe it (the simulator yields)


def _b(code: int, name: str, lo: int, hi: int, observable: bool = False) -> Builtin:
    return Builtin(code, name, lo, hi, BUILTIN_CYCLES[name], observable)


# ORDER: codes are dense from 0.
BUILTINS: tuple[Builtin, ...] = (
    _b(0, "print", 2, 255, observable=True),  # args: values..., sep, end (compiler adds them)
    _b(1, "len", 1, 1),
    _b(2, "abs", 1, 1),
    _b(3, "min", 1, 255),
    _b(4, "max", 1, 255),
    _b(5, "sum", 1, 2),
    _b(6, "int", 0, 1),
    _b(7, "float", 0, 1),
    _b(8, "bool", 0, 1),
    _b(9, "str", 0, 1),
    _b(10, "round", 1, 2),
    _b(11, "range", 1, 3),
    _b(12, "enumerate", 1, 2),
    _b(13, "zip", 2, 2),
    _b(14, "list.append", 2, 2),
    _b(15, "list.pop", 1, 2),
    _b(16, "math.sqrt", 1, 1),
    _b(17, "math.sin", 1, 1),
    _b(18, "math.cos", 1, 1),
    _b(19, "math.tan", 1, 1),
    _b(20, "math.asin", 1, 1),
    _b(21, "math.acos", 1, 1),
    _b(22, "math.atan", 1, 1),
    _b(23, "math.atan2", 2, 2),
    _b(24, "math.exp", 1, 1),
    _b(25, "math.log", 1, 2),
    _b(26, "math.log10", 1, 1),
    _b(27, "math.floor", 1, 1),
    _b(28, "math.ceil", 1, 1),
    _b(29, "math.fabs", 1, 1),
    _b(30, "math.pow", 2, 2),
    _b(31, "parallel.coreid", 0, 0),
    _b(32, "parallel.numcores", 0, 0),
    _b(33, "parallel.send", 2, 2, observable=True),
    _b(34, "parallel.recv", 1, 1, observable=True),
    _b(35, "parallel.sendrecv", 2, 2, observable=True),
    _b(36, "parallel.probe", 1, 1, observable=True),
    _b(37, "parallel.bcast", 2, 2, observable=True),
    _b(38, "parallel.reduce", 2, 2, observable=True),
    _b(39, "parallel.sync", 0, 0, observable=True),
    _b(40, "list.copy", 1, 1),
    _b(41, "random.random", 0, 0),
    _b(42, "random.randint", 2, 2),
    _b(43, "random.randrange", 1, 3),
    _b(44, "random.uniform", 2, 2),
    _b(45, "random.choice", 1, 1),
    _b(46, "random.shuffle", 1, 1),
    _b(47, "random.seed", 0, 1),
    _b(48, "list.extend", 2, 2),
    _b(49, "list.insert", 3, 3),
    _b(50, "list.remove", 2, 2),
    _b(51, "list.index", 2, 2),
    _b(52, "list.count", 2, 2),
    _b(53, "list.reverse", 1, 1),
)

BUILTIN_BY_NAME: dict[str, Builtin] = {b.name: b for b in BUILTINS}

#: Attribute ids of LOAD_ATTR.
ATTRS: tuple[str, ...] = ("shape",)


def _check_tables() -> None:
    """Fail at import if the tables are inconsistent (dense codes, enum in step)."""
    for index, info in enumerate(OPCODES):
        if info.code != index:
            raise AssertionError(f"opcode table not dense at {info.name}: {info.code} != {index}")
        if Op[info.name] != info.code:
            raise AssertionError(f"Op enum out of step for {info.name}")
    if len(Op) != len(OPCODES):
        raise AssertionError("Op enum and OPCODES differ in length")
    for index, builtin in enumerate(BUILTINS):
        if builtin.code != index:
            raise AssertionError(f"builtin table not dense at {builtin.name}")


_check_tables()
