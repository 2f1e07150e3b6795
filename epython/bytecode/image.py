"""The program image: the bytes the host sends to every core (format in docs/bytecode.md).

All integers are little-endian (the Epiphany and x86-64 hosts both are).  Layout::

    header     magic "EPYB", u16 version, u16 flags, u16 n_consts, u16 n_globals,
               u16 n_funcs, u16 entry, u32 code_size, u32 n_lines        (24 bytes)
    consts     n_consts x (u8 tag, payload)                               (variable)
    globals    n_globals x (u16 name_const, u16 init_const | 0xFFFF)      (4 bytes each)
    functions  n_funcs x (u16 name_const, u8 n_params, u8 n_locals, u16 max_stack,
                          u16 code_len, u32 code_offset, u32 line_start, u16 n_lines)
                                                                           (18 bytes each)
    code       code_size bytes: the functions' instructions
    lines      n_lines x (u16 pc, u16 line): per function, sorted by pc
    handlers   only when flags has FLAG_HANDLERS: u16 n_handlers, then n_handlers x
               (u16 func, u16 start, u16 end, u16 target, u16 depth): the exception table,
               sorted by function, the innermost handler of a pc first          (10 bytes each)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any, Union

from epython.bytecode.opcodes import ValueTag

__all__ = [
    "FLAG_HANDLERS",
    "FORMAT_VERSION",
    "MAGIC",
    "NO_INIT",
    "Const",
    "Function",
    "GlobalSlot",
    "Handler",
    "ImageError",
    "Program",
    "decode",
    "encode",
    "float32",
]

MAGIC = b"EPYB"
FORMAT_VERSION = 1
NO_INIT = 0xFFFF  # a global with no initial constant: set by the host (device-resident data)

HEADER = struct.Struct("<4sHHHHHHII")
GLOBAL_ENTRY = struct.Struct("<HH")
FUNC_ENTRY = struct.Struct("<HBBHHIIH")
LINE_ENTRY = struct.Struct("<HH")
HANDLER_ENTRY = struct.Struct("<HHHHH")
#: Header flag: an exception table follows the line table (images without try have none, so
#: they are byte for byte what they were before try/except existed).
FLAG_HANDLERS = 1
_F32 = struct.Struct("<f")
_I32 = struct.Struct("<i")
_U16 = struct.Struct("<H")

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


class Float32(float):
    """A float constant that is stored as binary32 (distinguishes 1.0 from int 1 in the pool)."""


Const = Union[None, bool, int, Float32, str]  # noqa: UP007  (a runtime alias)


def float32(value: float) -> float:
    """Round a Python float to the nearest IEEE binary32 value (inf when out of range)."""
    try:
        return _F32.unpack(_F32.pack(value))[0]  # type: ignore[no-any-return]
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


class ImageError(ValueError):
    """The program image is malformed; the message says where."""


@dataclass
class GlobalSlot:
    """A module-level name visible to the kernel."""

    name: str
    init: int = NO_INIT  # index into the constant pool, or NO_INIT


@dataclass(frozen=True)
class Handler:
    """One entry of a function's exception table: an exception raised by an instruction at a pc
    in ``[start, end)`` truncates the value stack to ``depth`` values, pushes the exception and
    continues at ``target`` (docs/bytecode.md, "Exceptions")."""

    start: int
    end: int
    target: int
    depth: int


@dataclass
class Function:
    """One compiled function: code plus the facts a core needs to build its frame."""

    name: str
    n_params: int
    n_locals: int
    max_stack: int
    code: bytes
    lines: list[tuple[int, int]] = field(default_factory=list)  # (pc, source line), sorted
    #: the exception table, innermost handler of a pc first (the first entry covering it wins)
    handlers: list[Handler] = field(default_factory=list)

    def handler_at(self, pc: int) -> Handler | None:
        """The handler of an exception raised by the instruction at ``pc`` (None: the caller's)."""
        for h in self.handlers:
            if h.start <= pc < h.end:
                return h
        return None


@dataclass
class Program:
    """A whole program image before encoding (or after decoding)."""

    consts: list[Const]
    globals: list[GlobalSlot]
    functions: list[Function]
    entry: int = 0
    flags: int = 0

    def line_of(self, func: int, pc: int) -> int:
        """Source line of the instruction at ``pc`` in function ``func`` (0 if unknown)."""
        line = 0
        for start, lineno in self.functions[func].lines:
            if start > pc:
                break
            line = lineno
        return line


#: The constants that are a tag alone, by tag.
_TAG_ONLY: dict[int, Const] = {ValueTag.NONE: None, ValueTag.FALSE: False, ValueTag.TRUE: True}


def _encode_const(value: Const) -> bytes:
    """One constant of the pool: its tag byte and payload."""
    for tag, constant in _TAG_ONLY.items():
        if value is constant:
            return bytes([tag])
    if isinstance(value, Float32):
        return bytes([ValueTag.FLOAT]) + _F32.pack(value)
    if isinstance(value, int):
        if not INT32_MIN <= value <= INT32_MAX:
            raise ImageError(f"integer constant {value} does not fit in int32")
        return bytes([ValueTag.INT]) + _I32.pack(value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        if len(data) > 0xFFFF:
            raise ImageError(f"string constant of {len(data)} bytes exceeds 65535")
        return bytes([ValueTag.STR]) + _U16.pack(len(data)) + data
    raise ImageError(f"unsupported constant {value!r}")


def encode(program: Program) -> bytes:
    """Serialise a Program to image bytes (the inverse of :func:`decode`)."""
    consts = b"".join(_encode_const(c) for c in program.consts)
    globs = b"".join(GLOBAL_ENTRY.pack(_name_const(program, g.name), g.init) for g in program.globals)
    funcs = bytearray()
    code = bytearray()
    lines = bytearray()
    n_lines = 0
    for f in program.functions:
        funcs += FUNC_ENTRY.pack(_name_const(program, f.name), f.n_params, f.n_locals, f.max_stack,
                                 len(f.code), len(code), n_lines, len(f.lines))
        code += f.code
        for pc, line in f.lines:
            lines += LINE_ENTRY.pack(pc, min(line, 0xFFFF))
        n_lines += len(f.lines)
    flags = program.flags & ~FLAG_HANDLERS
    handlers = bytearray()
    entries = [(k, h) for k, f in enumerate(program.functions) for h in f.handlers]
    if entries:
        flags |= FLAG_HANDLERS
        handlers += _U16.pack(len(entries))
        for k, h in entries:
            handlers += HANDLER_ENTRY.pack(k, h.start, h.end, h.target, h.depth)
    header = HEADER.pack(MAGIC, FORMAT_VERSION, flags, len(program.consts),
                         len(program.globals), len(program.functions), program.entry,
                         len(code), n_lines)
    return header + consts + globs + bytes(funcs) + bytes(code) + bytes(lines) + bytes(handlers)


def _name_const(program: Program, name: str) -> int:
    """Index of the string constant holding ``name`` (the compiler interns every name)."""
    for index, value in enumerate(program.consts):
        if isinstance(value, str) and value == name:
            return index
    raise ImageError(f"name {name!r} is not in the constant pool")


class _Reader:
    """Bounds-checked cursor over image bytes; every overrun is an ImageError."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        """The next ``n`` bytes (``what`` names them in the truncation message)."""
        if self.pos + n > len(self.data):
            raise ImageError(f"truncated image: {what} needs {n} bytes at offset {self.pos}, "
                             f"image has {len(self.data)}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: struct.Struct, what: str) -> tuple[Any, ...]:
        """The next ``fmt.size`` bytes unpacked with ``fmt``."""
        return fmt.unpack(self.take(fmt.size, what))


def decode(data: bytes) -> Program:
    """Parse image bytes into a Program, checking the structure (not the code: see verify)."""
    r = _Reader(bytes(data))
    magic, version, flags, n_consts, n_globals, n_funcs, entry, code_size, n_lines = r.unpack(
        HEADER, "header")
    if magic != MAGIC:
        raise ImageError(f"bad magic {magic!r}: not an epython program image (expected {MAGIC!r})")
    if version != FORMAT_VERSION:
        raise ImageError(f"image format version {version}, this interpreter reads {FORMAT_VERSION}")
    consts: list[Const] = []
    for i in range(n_consts):
        (tag,) = r.take(1, f"tag of constant {i}")
        if tag in _TAG_ONLY:
            consts.append(_TAG_ONLY[tag])
        elif tag == ValueTag.INT:
            consts.append(_I32.unpack(r.take(4, f"constant {i}"))[0])
        elif tag == ValueTag.FLOAT:
            consts.append(Float32(_F32.unpack(r.take(4, f"constant {i}"))[0]))
        elif tag == ValueTag.STR:
            (length,) = _U16.unpack(r.take(2, f"length of constant {i}"))
            raw = r.take(length, f"string constant {i}")
            try:
                consts.append(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise ImageError(f"string constant {i} is not valid UTF-8: {exc}") from None
        else:
            raise ImageError(f"constant {i} has unknown tag {tag}")

    def name_at(index: int, what: str) -> str:
        if index >= len(consts) or not isinstance(consts[index], str):
            raise ImageError(f"{what}: name constant {index} is not a string constant")
        return consts[index]  # type: ignore[return-value]

    globs = []
    for i in range(n_globals):
        name_idx, init = r.unpack(GLOBAL_ENTRY, f"global {i}")
        if init != NO_INIT and init >= n_consts:
            raise ImageError(f"global {i}: initial constant {init} out of range ({n_consts} constants)")
        globs.append(GlobalSlot(name_at(name_idx, f"global {i}"), init))
    raw_funcs = [r.unpack(FUNC_ENTRY, f"function {i}") for i in range(n_funcs)]
    code = r.take(code_size, "code section")
    line_data = r.take(LINE_ENTRY.size * n_lines, "line table")
    handler_rows: list[tuple[int, ...]] = []
    if flags & FLAG_HANDLERS:
        (n_handlers,) = r.unpack(_U16, "exception table count")
        handler_rows = [r.unpack(HANDLER_ENTRY, f"exception table entry {i}")
                        for i in range(n_handlers)]
    if r.pos != len(r.data):
        raise ImageError(f"{len(r.data) - r.pos} trailing bytes after the line table")
    if n_funcs == 0:
        raise ImageError("image has no functions")
    if entry >= n_funcs:
        raise ImageError(f"entry function {entry} out of range ({n_funcs} functions)")
    functions = []
    for i, (name_idx, n_params, n_locals, max_stack, code_len, offset, line_start, count) in enumerate(
            raw_funcs):
        if offset + code_len > code_size or code_len == 0:
            raise ImageError(f"function {i}: code [{offset}, {offset + code_len}) outside the "
                             f"code section of {code_size} bytes or empty")
        if line_start + count > n_lines:
            raise ImageError(f"function {i}: line entries [{line_start}, {line_start + count}) "
                             f"outside the table of {n_lines}")
        if n_params > n_locals:
            raise ImageError(f"function {i}: {n_params} parameters but only {n_locals} locals")
        lines = [LINE_ENTRY.unpack_from(line_data, LINE_ENTRY.size * (line_start + k))
                 for k in range(count)]
        functions.append(Function(name_at(name_idx, f"function {i}"), n_params, n_locals,
                                  max_stack, code[offset:offset + code_len],
                                  [(pc, ln) for pc, ln in lines]))
    last = 0
    for i, (k, start, end, target, depth) in enumerate(handler_rows):
        if k >= n_funcs or k < last:
            raise ImageError(f"exception table entry {i}: function {k} out of range or out of "
                             "order")
        last = k
        functions[k].handlers.append(Handler(start, end, target, depth))
    return Program(consts, globs, functions, entry, flags)
