"""THE opcode table: the single definition of every instruction of the kernel bytecode.

Each member of :class:`Op` is one row: opcode, operand format, stack effect, control flow and
the C interpreter's handler.  Everything else (the encoder, the verifier, the stack-depth
analysis of ``flow.py``, the disassembler, both interpreters, the cycle model and the generated
C files ``device/core/opcodes.h``, ``dispatch.h`` and ``names.c``) is derived from it.  The
cycles of each row come from ``epython/bytecode/costs.py``, which ``python -m epython.calibrate
--table`` generates from what the real Epiphany build executes on e-sim (docs/timing-model.md).
Change an instruction here, then run ``python -m epython.bytecode.gen_c`` to regenerate the C
files and the tables of docs/bytecode.md (a test fails while one is stale).

Stack notation in the docs: ``a b -> c`` pops ``b`` (top) and ``a`` and pushes ``c``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from epython.bytecode.costs import BUILTIN_CYCLES, OP_CYCLES

__all__ = [
    "ATTRS",
    "BUILTINS",
    "BUILTIN_BY_NAME",
    "Builtin",
    "Count",
    "ErrorCode",
    "Flow",
    "Handler",
    "OPCODES",
    "OPS",
    "Op",
    "Operand",
    "RAISABLE_ERRORS",
    "ValueTag",
]


class Operand(enum.Enum):
    """Operand format of an instruction; an instruction's length follows from its opcode.

    Each format has a fixed number in the C tables (``EPY_OPERAND_*``), a spelling in listings
    and docs, a length in bytes after the opcode byte and a number of operand values.
    """

    number: int
    spelling: str
    length: int
    values: int

    NONE = (0, "", 0, 0)  # no operand
    U8 = (1, "u8", 1, 1)  # one unsigned byte
    I16 = (2, "i16", 2, 1)  # little-endian signed 16-bit immediate
    U16 = (3, "u16", 2, 1)  # little-endian unsigned 16-bit index
    ADDR = (4, "addr", 2, 1)  # u16 absolute jump target inside the current function's code
    U8U8 = (5, "u8u8", 2, 2)  # two unsigned bytes

    def __init__(self, number: int, spelling: str, length: int, values: int) -> None:
        self.number = number
        self.spelling = spelling
        self.length = length
        self.values = values


class Count(enum.IntEnum):
    """A stack count that the operands give, not the row (negative: never a literal count)."""

    OPERAND = -1  # the (first) operand: BUILD_LIST n pops n
    SECOND_OPERAND = -2  # the second operand: CALL_BUILTIN id n pops n
    CALLEE_PARAMS = -3  # the called function's parameter count: CALL f pops f's n_params


class Flow(enum.Enum):
    """How control leaves an instruction."""

    NEXT = "next"  # always on to the following instruction
    BRANCH = "branch"  # on to the following instruction, or to the operand's address
    JUMP = "jump"  # always to the operand's address
    RETURN = "return"  # out of the function (RETURN_VALUE)
    RAISE = "raise"  # out of the kernel with an error (RAISE)


class Handler(enum.Enum):
    """Where the C interpreter (device/core/interp.c) runs an instruction.

    Its dispatch loop is resident in the core's SRAM; the rare instructions run from shared
    DRAM (``step_rare``), which keeps the resident part small.  The generated dispatch.h routes
    each opcode by this column, and the C build fails when a handler is missing or misplaced.
    """

    LOOP = "loop"  # a case of the dispatch loop (interp_run)
    RARE = "rare"  # a case of step_rare
    LOOP_THEN_RARE = "loop, rare"  # the loop's fast path, step_rare for the rest (on lists)


def _row(code: int, operand: Operand, pops: int, pushes: int, flow: Flow, branch: tuple[int, int],
         handler: Handler, doc: str) -> tuple[int, Operand, int, int, Flow, int, int, Handler, str]:
    """The value of one member of :class:`Op` (the enum passes it on to ``Op.__init__``)."""
    return code, operand, pops, pushes, flow, branch[0], branch[1], handler, doc


N, U8, I16, U16, ADDR, U8U8 = (Operand.NONE, Operand.U8, Operand.I16, Operand.U16, Operand.ADDR,
                               Operand.U8U8)
OPERAND, SECOND, CALLEE = Count.OPERAND, Count.SECOND_OPERAND, Count.CALLEE_PARAMS
NEXT, BRANCHES, JUMPS, RETURNS, RAISES = Flow.NEXT, Flow.BRANCH, Flow.JUMP, Flow.RETURN, Flow.RAISE
LOOP, RARE, LOOP_RARE = Handler.LOOP, Handler.RARE, Handler.LOOP_THEN_RARE


@enum.unique
class Op(enum.IntEnum):
    """The instructions: each member is an opcode number and its row of the table.

    ``pops``/``pushes`` are the stack effect on the fall-through path (a :class:`Count` where
    the operands give it), ``branch_pops``/``branch_pushes`` the effect when a jump is taken;
    ``cycles`` are the Epiphany cycles the interpreters charge (costs.OP_CYCLES).
    """

    code: int
    operand: Operand
    pops: int
    pushes: int
    doc: str
    flow: Flow
    branch_pops: int
    branch_pushes: int
    handler: Handler
    cycles: int
    length: int
    is_jump: bool
    falls_through: bool

    def __new__(cls, code: int, *row: object) -> Op:
        member = int.__new__(cls, code)
        member._value_ = code
        return member

    def __init__(self, *row: Any) -> None:
        (self.code, self.operand, self.pops, self.pushes, self.flow, self.branch_pops,
         self.branch_pushes, self.handler, self.doc) = row
        self.cycles = OP_CYCLES[self.name]
        self.length = 1 + self.operand.length  # the opcode byte and the operand bytes
        self.is_jump = self.flow in (Flow.BRANCH, Flow.JUMP)  # the operand is a jump target
        self.falls_through = self.flow in (Flow.NEXT, Flow.BRANCH)  # may go on to the next one

    # ORDER: codes are dense from 0; never reuse a retired code within one FORMAT_VERSION.
    # NAME = _row(code, operand, pops, pushes, flow, (branch pops, pushes), C handler, effect)
    NOP = _row(0, N, 0, 0, NEXT, (0, 0), LOOP, "do nothing")
    POP_TOP = _row(1, N, 1, 0, NEXT, (0, 0), LOOP, "a ->")
    DUP_TOP = _row(2, N, 1, 2, NEXT, (0, 0), LOOP, "a -> a a")
    DUP_TOP_TWO = _row(3, N, 2, 4, NEXT, (0, 0), RARE, "a b -> a b a b")
    ROT_TWO = _row(4, N, 2, 2, NEXT, (0, 0), LOOP, "a b -> b a")
    ROT_THREE = _row(5, N, 3, 3, NEXT, (0, 0), RARE, "a b c -> c a b")
    LOAD_CONST = _row(6, U16, 0, 1, NEXT, (0, 0), LOOP, "-> K[arg]")
    LOAD_NONE = _row(7, N, 0, 1, NEXT, (0, 0), LOOP, "-> None")
    LOAD_TRUE = _row(8, N, 0, 1, NEXT, (0, 0), LOOP, "-> True")
    LOAD_FALSE = _row(9, N, 0, 1, NEXT, (0, 0), LOOP, "-> False")
    LOAD_INT = _row(10, I16, 0, 1, NEXT, (0, 0), LOOP, "-> int(arg)  (small integer immediate)")
    LOAD_LOCAL = _row(11, U8, 0, 1, NEXT, (0, 0), LOOP, "-> L[arg]  (UnboundLocalError if unset)")
    STORE_LOCAL = _row(12, U8, 1, 0, NEXT, (0, 0), LOOP, "a ->  L[arg] = a")
    LOAD_GLOBAL = _row(13, U16, 0, 1, NEXT, (0, 0), LOOP, "-> G[arg]")
    STORE_GLOBAL = _row(14, U16, 1, 0, NEXT, (0, 0), LOOP, "a ->  G[arg] = a")
    UNARY_NEG = _row(15, N, 1, 1, NEXT, (0, 0), RARE, "a -> -a")
    UNARY_POS = _row(16, N, 1, 1, NEXT, (0, 0), RARE, "a -> +a")
    UNARY_NOT = _row(17, N, 1, 1, NEXT, (0, 0), RARE, "a -> not a")
    UNARY_INVERT = _row(18, N, 1, 1, NEXT, (0, 0), RARE, "a -> ~a")
    BINARY_ADD = _row(19, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a + b")
    BINARY_SUB = _row(20, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a - b")
    BINARY_MUL = _row(21, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a * b")
    BINARY_TRUEDIV = _row(22, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a / b")
    BINARY_FLOORDIV = _row(23, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a // b")
    BINARY_MOD = _row(24, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a % b")
    BINARY_POW = _row(25, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a ** b")
    BINARY_LSHIFT = _row(26, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a << b")
    BINARY_RSHIFT = _row(27, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a >> b")
    BINARY_AND = _row(28, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a & b")
    BINARY_OR = _row(29, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a | b")
    BINARY_XOR = _row(30, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a ^ b")
    COMPARE_EQ = _row(31, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a == b")
    COMPARE_NE = _row(32, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a != b")
    COMPARE_LT = _row(33, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a < b")
    COMPARE_LE = _row(34, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a <= b")
    COMPARE_GT = _row(35, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a > b")
    COMPARE_GE = _row(36, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a >= b")
    COMPARE_IN = _row(37, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a in b")
    COMPARE_NOT_IN = _row(38, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a not in b")
    COMPARE_IS = _row(39, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a is b  (None/True/False only)")
    COMPARE_IS_NOT = _row(40, N, 2, 1, NEXT, (0, 0), LOOP, "a b -> a is not b")
    JUMP = _row(41, ADDR, 0, 0, JUMPS, (0, 0), LOOP, "pc = arg")
    POP_JUMP_IF_FALSE = _row(42, ADDR, 1, 0, BRANCHES, (1, 0), LOOP, "a ->  if not a: pc = arg")
    POP_JUMP_IF_TRUE = _row(43, ADDR, 1, 0, BRANCHES, (1, 0), LOOP, "a ->  if a: pc = arg")
    JUMP_IF_FALSE_OR_POP = _row(44, ADDR, 1, 0, BRANCHES, (0, 0), RARE,
                                "a -> a (and pc = arg) if not a, else a ->")
    JUMP_IF_TRUE_OR_POP = _row(45, ADDR, 1, 0, BRANCHES, (0, 0), RARE,
                               "a -> a (and pc = arg) if a, else a ->")
    GET_ITER = _row(46, N, 1, 1, NEXT, (0, 0), LOOP,
                    "a -> iter(a)  (range, list, tuple, str, array, enumerate, zip)")
    FOR_ITER = _row(47, ADDR, 1, 2, BRANCHES, (1, 0), LOOP,
                    "it -> it next(it); when exhausted: it -> and pc = arg")
    BUILD_TUPLE = _row(48, U8, OPERAND, 1, NEXT, (0, 0), LOOP, "a1..an -> (a1, ..., an)")
    BUILD_LIST = _row(49, U8, OPERAND, 1, NEXT, (0, 0), LOOP, "a1..an -> [a1, ..., an]")
    UNPACK_SEQUENCE = _row(50, U8, 1, OPERAND, NEXT, (0, 0), RARE, "s -> s[n-1] .. s[0]  (s[0] on top)")
    BINARY_SUBSCR = _row(51, N, 2, 1, NEXT, (0, 0), LOOP, "a i -> a[i]  (i may be a tuple for 2-D arrays)")
    STORE_SUBSCR = _row(52, N, 3, 0, NEXT, (0, 0), LOOP, "v a i ->  a[i] = v")
    SLICE_SUBSCR = _row(53, N, 4, 1, NEXT, (0, 0), RARE, "a lo hi step -> a[lo:hi:step]  (None for omitted)")
    CALL = _row(54, U16, CALLEE, 1, NEXT, (0, 0), LOOP,
                "a1..an -> f(a1..an)  (arg: function index; n: that function's parameter count)")
    CALL_BUILTIN = _row(55, U8U8, SECOND, 1, NEXT, (0, 0), RARE,
                        "a1..an -> b(a1..an)  (arg1: builtin id, arg2: n)")
    RETURN_VALUE = _row(56, N, 1, 0, RETURNS, (0, 0), LOOP, "a ->  return a to the caller")
    RAISE = _row(57, U8, 1, 0, RAISES, (0, 0), RARE,
                 "msg ->  raise ErrorCode(arg)(msg); msg is a str or None")
    FORMAT_VALUE = _row(58, U8, 2, 1, NEXT, (0, 0), RARE,
                        "a spec -> format(a, spec)  (arg 0: str(a), 1: use spec)")
    BUILD_STRING = _row(59, U8, OPERAND, 1, NEXT, (0, 0), RARE, "s1..sn -> s1 + ... + sn")
    LOAD_ATTR = _row(60, U8, 1, 1, NEXT, (0, 0), RARE, "a -> a.attr  (arg: attribute id, see ATTRS)")
    INPLACE_ADD = _row(61, N, 2, 1, NEXT, (0, 0), LOOP_RARE,
                       "a b -> a += b  (a list: extended in place by any iterable b, a itself "
                       "pushed; else a + b)")
    INPLACE_MUL = _row(62, N, 2, 1, NEXT, (0, 0), LOOP_RARE,
                       "a b -> a *= b  (a list: repeated in place, a itself pushed; else a * b)")
    BUILD_EXC = _row(63, U8U8, SECOND, 1, NEXT, (0, 0), RARE,
                     "a1..an -> E(a1, ..., an)  (arg1: exception class, an ErrorCode; arg2: n)")
    RAISE_VALUE = _row(64, N, 1, 0, RAISES, (0, 0), RARE,
                       "e ->  raise e  (e an exception; its handler or the host receives it)")
    CHECK_EXC = _row(65, U8, 1, 1, NEXT, (0, 0), RARE,
                     "e -> m  (m: e is an instance of the class arg or of a subclass of it)")
    DELETE_LOCAL = _row(66, U8, 0, 0, NEXT, (0, 0), RARE,
                        "->  del L[arg]: unset again (UnboundLocalError if unset)")
    DELETE_GLOBAL = _row(67, U16, 0, 0, NEXT, (0, 0), RARE,
                         "->  del G[arg]: unset again (NameError if unset)")


#: Every instruction, indexed by opcode: ``OPCODES[code]``.
OPCODES: tuple[Op, ...] = tuple(Op)

#: Opcode by name, e.g. ``OPS["LOAD_CONST"].code``.
OPS: dict[str, Op] = {info.name: info for info in OPCODES}


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
    KeyError = 14
    StopIteration = 15
    LookupError = 16  # the abstract classes: raisable and catchable, never raised by the VM
    ArithmeticError = 17
    Exception = 18
    BaseException = 19
    SystemExit = 20  # derives from BaseException: `except Exception` does not catch it
    OSError = 21  # the classes below are never raised by the VM: raisable and catchable
    EOFError = 22
    ImportError = 23
    SyntaxError = 24
    IndentationError = 25
    KeyboardInterrupt = 26
    BadImage = 64  # the verifier rejected the program image
    BadArgument = 65  # argument block could not be decoded


#: The error codes RAISE may raise: the Python exceptions (codes 1..63), dense from 1 so that the
#: C verifier checks a range.
RAISABLE_ERRORS: tuple[ErrorCode, ...] = tuple(code for code in ErrorCode if 0 < code < 64)


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
    SHARED = 9  # an array in shared DRAM (epython.shared): u8 dtype, u8 ndim, u32 shape[ndim], u32 offset in epython's DRAM area
    DICT = 10  # u16 count + count (key, value) pairs in insertion order
    SET = 11  # u16 count + count items in insertion order


@dataclass(frozen=True)
class Builtin:
    """A function reachable from kernels through ``CALL_BUILTIN``."""

    code: int
    name: str  # the Python spelling: "len", "math.sqrt", "parallel.send", "list.append"
    min_args: int
    max_args: int
    cycles: int  # base cost on top of CALL_BUILTIN's dispatch
    observable: bool = False  # other parts of the chip can observe it (the simulator yields)


def _builtin(code: int, name: str, lo: int, hi: int, observable: bool = False) -> Builtin:
    """One row of the builtin table (its cycles from costs.BUILTIN_CYCLES)."""
    return Builtin(code, name, lo, hi, BUILTIN_CYCLES[name], observable)


# ORDER: codes are dense from 0.
BUILTINS: tuple[Builtin, ...] = (
    _builtin(0, "print", 2, 255, observable=True),  # args: values..., sep, end (compiler adds them)
    _builtin(1, "len", 1, 1),
    _builtin(2, "abs", 1, 1),
    _builtin(3, "min", 1, 255),
    _builtin(4, "max", 1, 255),
    _builtin(5, "sum", 1, 2),
    _builtin(6, "int", 0, 2),
    _builtin(7, "float", 0, 1),
    _builtin(8, "bool", 0, 1),
    _builtin(9, "str", 0, 1),
    _builtin(10, "round", 1, 2),
    _builtin(11, "range", 1, 3),
    _builtin(12, "enumerate", 1, 2),
    _builtin(13, "zip", 2, 2),
    _builtin(14, "list.append", 2, 2),
    _builtin(15, "list.pop", 1, 2),
    _builtin(16, "math.sqrt", 1, 1),
    _builtin(17, "math.sin", 1, 1),
    _builtin(18, "math.cos", 1, 1),
    _builtin(19, "math.tan", 1, 1),
    _builtin(20, "math.asin", 1, 1),
    _builtin(21, "math.acos", 1, 1),
    _builtin(22, "math.atan", 1, 1),
    _builtin(23, "math.atan2", 2, 2),
    _builtin(24, "math.exp", 1, 1),
    _builtin(25, "math.log", 1, 2),
    _builtin(26, "math.log10", 1, 1),
    _builtin(27, "math.floor", 1, 1),
    _builtin(28, "math.ceil", 1, 1),
    _builtin(29, "math.fabs", 1, 1),
    _builtin(30, "math.pow", 2, 2),
    _builtin(31, "parallel.coreid", 0, 0),
    _builtin(32, "parallel.numcores", 0, 0),
    _builtin(33, "parallel.send", 2, 2, observable=True),
    _builtin(34, "parallel.recv", 1, 1, observable=True),
    _builtin(35, "parallel.sendrecv", 2, 2, observable=True),
    _builtin(36, "parallel.probe", 1, 1, observable=True),
    _builtin(37, "parallel.bcast", 2, 2, observable=True),
    _builtin(38, "parallel.reduce", 2, 2, observable=True),
    _builtin(39, "parallel.sync", 0, 0, observable=True),
    _builtin(40, "list.copy", 1, 1),
    _builtin(41, "random.random", 0, 0),
    _builtin(42, "random.randint", 2, 2),
    _builtin(43, "random.randrange", 1, 3),
    _builtin(44, "random.uniform", 2, 2),
    _builtin(45, "random.choice", 1, 1),
    _builtin(46, "random.shuffle", 1, 1),
    _builtin(47, "random.seed", 0, 1),
    _builtin(48, "list.extend", 2, 2),
    _builtin(49, "list.insert", 3, 3),
    _builtin(50, "list.remove", 2, 2),
    _builtin(51, "list.index", 2, 4),
    _builtin(52, "list.count", 2, 4),
    _builtin(53, "list.reverse", 1, 1),
    _builtin(54, "dict", 0, 1),  # dict() / dict(d) / dict(pairs); {} and {k: v} build on it
    _builtin(55, "dict.get", 2, 3),
    _builtin(56, "dict.keys", 1, 1),
    _builtin(57, "dict.values", 1, 1),
    _builtin(58, "dict.items", 1, 1),
    _builtin(59, "dict.setdefault", 2, 3),
    _builtin(60, "dict.update", 2, 2),
    _builtin(61, "dict.clear", 1, 1),
    _builtin(62, "dict.pop", 2, 3),  # d.pop(k) runs list.pop, which goes here for a dict
    _builtin(63, "dict.copy", 1, 1),  # d.copy() runs list.copy, which goes here for a dict
    _builtin(64, "del", 2, 2),  # del a[i]: a dict's key or a list's index
    _builtin(65, "dict.popitem", 1, 1),
    _builtin(66, "dict.fromkeys", 1, 2),  # dict.fromkeys(iterable[, value]): no receiver
    _builtin(67, "str.split", 1, 3),
    _builtin(68, "str.rsplit", 1, 3),
    _builtin(69, "str.join", 2, 2),
    _builtin(70, "str.strip", 1, 2),
    _builtin(71, "str.lstrip", 1, 2),
    _builtin(72, "str.rstrip", 1, 2),
    _builtin(73, "str.upper", 1, 1),
    _builtin(74, "str.lower", 1, 1),
    _builtin(75, "str.replace", 3, 4),
    _builtin(76, "str.find", 2, 4),
    _builtin(77, "str.rfind", 2, 4),
    _builtin(78, "str.rindex", 2, 4),
    _builtin(79, "str.startswith", 2, 4),
    _builtin(80, "str.endswith", 2, 4),
    _builtin(81, "str.isdigit", 1, 1),
    _builtin(82, "str.isalpha", 1, 1),
    _builtin(83, "str.isspace", 1, 1),
    _builtin(84, "str.isalnum", 1, 1),
    _builtin(85, "str.isupper", 1, 1),
    _builtin(86, "str.islower", 1, 1),
    _builtin(87, "list.sort", 1, 3),
    _builtin(88, "min.keyed", 2, 3),
    _builtin(89, "max.keyed", 2, 3),
    _builtin(90, "ord", 1, 1),
    _builtin(91, "chr", 1, 1),
    _builtin(92, "hex", 1, 1),
    _builtin(93, "oct", 1, 1),
    _builtin(94, "bin", 1, 1),
    _builtin(95, "set", 0, 1),  # set() / set(iterable); {a, b} and set comprehensions build on it
    _builtin(96, "set.add", 2, 2),
    _builtin(97, "set.discard", 2, 2),
    _builtin(98, "set.remove", 2, 2),  # s.remove(x) runs list.remove, which goes here for a set
    _builtin(99, "set.pop", 1, 1),  # s.pop() runs list.pop, which goes here for a set
    _builtin(100, "set.copy", 1, 1),  # s.copy() runs list.copy, which goes here for a set
    _builtin(101, "set.clear", 1, 1),  # s.clear() runs dict.clear, which goes here for a set
    _builtin(102, "set.update", 1, 9),  # s.update(x) runs dict.update, which goes here for a set
    _builtin(103, "set.union", 1, 9),
    _builtin(104, "set.intersection", 1, 9),
    _builtin(105, "set.difference", 1, 9),
    _builtin(106, "set.symmetric_difference", 2, 2),
    _builtin(107, "set.intersection_update", 1, 9),
    _builtin(108, "set.difference_update", 1, 9),
    _builtin(109, "set.symmetric_difference_update", 2, 2),
    _builtin(110, "set.issubset", 2, 2),
    _builtin(111, "set.issuperset", 2, 2),
    _builtin(112, "set.isdisjoint", 2, 2),
    _builtin(113, "set.inplace", 3, 3),  # a op= b for |, &, ^, - (op: its BINARY_* opcode)
)

BUILTIN_BY_NAME: dict[str, Builtin] = {b.name: b for b in BUILTINS}

#: Attribute ids of LOAD_ATTR.
ATTRS: tuple[str, ...] = ("shape", "args")


def _check_tables() -> None:
    """Fail at import if the tables are inconsistent (dense codes, flows that match operands)."""
    for index, info in enumerate(OPCODES):
        if info.code != index:
            raise AssertionError(f"opcode table not dense at {info.name}: {info.code} != {index}")
        if info.is_jump != (info.operand is Operand.ADDR):
            raise AssertionError(f"{info.name}: only jumps, and every jump, take an addr operand")
        if not info.is_jump and (info.branch_pops or info.branch_pushes):
            raise AssertionError(f"{info.name}: a branch effect without a branch")
        if info.pushes in (Count.SECOND_OPERAND, Count.CALLEE_PARAMS):
            raise AssertionError(f"{info.name}: pushes a count the C verifier does not resolve")
    for index, builtin in enumerate(BUILTINS):
        if builtin.code != index:
            raise AssertionError(f"builtin table not dense at {builtin.name}")
    if list(RAISABLE_ERRORS) != list(range(1, len(RAISABLE_ERRORS) + 1)):
        raise AssertionError("the raisable error codes are not dense from 1")


_check_tables()
