"""A minimal reader of ELF32 little-endian files (the Epiphany build of the core program):
sections, symbols, and the function that holds an address.  Used to name the code where a
core stopped on a hardware exception, and by the size report of the build
(device/toolchain/size_report.py)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Section", "Symbol", "function_at", "functions", "read_relocations", "read_sections",
           "read_symbols", "symbolize"]

SHT_SYMTAB = 2
SHT_RELA = 4
SHF_WRITE = 1
SHF_ALLOC = 2
SHF_EXECINSTR = 4
STT_FUNC = 2


@dataclass(frozen=True)
class Section:
    """One section header."""

    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


@dataclass(frozen=True)
class Symbol:
    """One symbol: its name, value, size, type (STT_*) and section index."""

    name: str
    value: int
    size: int
    type: int
    shndx: int


def read_sections(data: bytes) -> list[Section]:
    """The section headers of an ELF32 little-endian file (ValueError if it is not one)."""
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        raise ValueError("not an ELF32 little-endian file")
    (shoff,) = struct.unpack_from("<I", data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 46)
    raw = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    names = data[raw[shstrndx][4]:raw[shstrndx][4] + raw[shstrndx][5]]

    def name(off: int) -> str:
        return names[off:names.index(b"\0", off)].decode()

    return [Section(name(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[9]) for r in raw]


def _entries(data: bytes, sections: list[Section], sh_type: int, fmt: str
             ) -> Iterator[tuple[Section, tuple[int, ...]]]:
    """(section, fields) of every fixed-size entry (``struct`` format ``fmt``) of the sections
    of type ``sh_type``, in file order."""
    step = struct.calcsize(fmt)
    for sec in sections:
        if sec.type == sh_type:
            for i in range(sec.size // step):
                yield sec, struct.unpack_from(fmt, data, sec.offset + step * i)


def read_symbols(data: bytes, sections: list[Section]) -> list[Symbol]:
    """Every symbol of the file's symbol table, in table order."""
    out = []
    for sec, (st_name, value, size, info, _other, shndx) in _entries(data, sections, SHT_SYMTAB,
                                                                     "<IIIBBH"):
        start = sections[sec.link].offset + st_name
        out.append(Symbol(data[start:data.index(b"\0", start)].decode(), value, size,
                          info & 15, shndx))
    return out


def read_relocations(data: bytes, sections: list[Section]) -> list[tuple[str, int, str, int]]:
    """(section, place, symbol, target address) of every relocation kept in a linked file
    (linked with -Wl,-q, which keeps them), so that what resident code refers to can be
    checked."""
    syms = read_symbols(data, sections)  # a linked file has one symbol table
    out = []
    for sec, (off, info, addend) in _entries(data, sections, SHT_RELA, "<IIi"):
        sym = syms[info >> 8]
        out.append((sections[sec.info].name, off, sym.name, sym.value + addend))
    return out


def functions(data: bytes, sections: list[Section]) -> list[Symbol]:
    """The functions of the file by address: sized symbols in code sections (the Epiphany
    toolchain leaves functions untyped, so STT_FUNC cannot be relied on)."""
    return sorted((s for s in read_symbols(data, sections) if s.size and s.shndx < len(sections)
                   and sections[s.shndx].flags & SHF_EXECINSTR), key=lambda s: s.value)


def function_at(functions: list[Symbol], addr: int) -> str | None:
    """'name+0xoffset' of the function among ``functions`` that holds ``addr``, or None."""
    for f in functions:
        if f.value <= addr < f.value + f.size:
            return f"{f.name}+0x{addr - f.value:x}"
    return None


@lru_cache(maxsize=4)
def _functions(path: Path, mtime: float) -> list[Symbol]:
    data = path.read_bytes()
    return functions(data, read_sections(data))


def symbolize(path: Path, addr: int) -> str | None:
    """The function of the ELF file ``path`` that holds ``addr`` ('name+0xoff'), or None when
    the file cannot be read or no function holds it."""
    try:
        return function_at(_functions(path, path.stat().st_mtime), addr)
    except (OSError, ValueError, struct.error):
        return None
