"""Size report of the Epiphany build of the core program (``make -C device epiphany``).

Reads the linked ``epycore.elf`` and the objects beside it (its own ELF32 reader: no binutils
needed beyond the build) and prints where every byte goes: the resident part in SRAM (code,
read-only data, data, bss, the C stack) against ``RUNTIME_RESERVED_BYTES``, and the cold part in
shared DRAM.  It also enforces the rule that no double-precision arithmetic runs from SRAM: no
resident section of any object may refer to libgcc's double routines (``__adddf3``, ...).

Usage: ``python size_report.py build/epiphany/epycore.elf [--json FILE] [--summary]``.
Exit status 1 when the rule is broken or the resident part does not fit.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from epython.bytecode import protocol  # noqa: E402

#: libgcc's soft-float double routines (and the conversions to and from double).
DOUBLE_ROUTINE = re.compile(r"^__(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord|fix|fixuns|"
                            r"float|floatun|extend|trunc|pow)\w*df\w*$")
#: Sections of an object that run from DRAM (epycore.ld's .text_cold / .rodata_cold).
COLD_SECTION = re.compile(r"^\.(text|rodata)\.(epy_cold|unlikely)")


@dataclass
class Section:
    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


def read_sections(data: bytes) -> list[Section]:
    """The section headers of an ELF32 little-endian file."""
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        raise ValueError("not an ELF32 little-endian file")
    shoff, = struct.unpack_from("<I", data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 46)
    raw = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = raw[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]

    def name(off: int) -> str:
        return names[off:names.index(b"\0", off)].decode()

    return [Section(name(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[9]) for r in raw]


def read_symbols(data: bytes, sections: list[Section]) -> list[tuple[str, int, int, int]]:
    """(name, value, size, section index) of every symbol."""
    out = []
    for sec in sections:
        if sec.type != 2:  # SHT_SYMTAB
            continue
        strs = sections[sec.link]
        for i in range(sec.size // 16):
            st_name, value, size, _info, _other, shndx = struct.unpack_from(
                "<IIIBBH", data, sec.offset + 16 * i)
            start = strs.offset + st_name
            name = data[start:data.index(b"\0", start)].decode()
            out.append((name, value, size, shndx))
    return out


def double_references(obj: Path) -> list[str]:
    """'section -> symbol' of every reference from a resident section of an object to a
    double-precision routine of libgcc."""
    data = obj.read_bytes()
    sections = read_sections(data)
    symbols = read_symbols(data, sections)
    found = []
    for sec in sections:
        if sec.type != 4:  # SHT_RELA
            continue
        target = sections[sec.info].name
        if COLD_SECTION.match(target) or not sections[sec.info].flags & 2:  # not SHF_ALLOC
            continue
        for i in range(sec.size // 12):
            _off, info, _addend = struct.unpack_from("<IIi", data, sec.offset + 12 * i)
            name = symbols[info >> 8][0]
            if DOUBLE_ROUTINE.match(name):
                found.append(f"{obj.name}: {target} -> {name}")
    return sorted(set(found))


def report(elf: Path) -> dict[str, object]:
    """Everything the report prints, as data."""
    data = elf.read_bytes()
    sections = read_sections(data)
    symbols = {name: value for name, value, _size, _ndx in read_symbols(data, sections)}
    dram = protocol.DRAM_CORE_BASE
    rows = []
    for sec in sections:
        if not sec.flags & 2 or sec.size == 0:  # SHF_ALLOC
            continue
        where = "DRAM" if sec.addr >= dram else "SRAM"
        rows.append({"section": sec.name, "address": sec.addr, "bytes": sec.size, "in": where})
    resident_end = symbols["__runtime_end"]
    funcs = [(name, size) for name, value, size, ndx in read_symbols(data, sections)
             if size and 0 < value < protocol.LOCAL_MEMORY_BYTES and ndx < len(sections)
             and sections[ndx].flags & 4]  # SHF_EXECINSTR
    doubles = []
    for obj in sorted(elf.parent.rglob("*.o")):
        doubles += double_references(obj)
    resident = {kind: sum(r["bytes"] for r in rows if r["in"] == "SRAM" and
                          r["section"] in names)  # type: ignore[operator]
                for kind, names in (("text", (".text",)), ("rodata", (".rodata",)),
                                    ("data", (".data",)), ("bss", (".bss",)))}
    return {
        "elf": str(elf),
        "sections": rows,
        "resident": resident,
        "resident_end": resident_end,
        "stack_bytes": protocol.RUNTIME_STACK_BYTES,
        "reserved_bytes": protocol.RUNTIME_RESERVED_BYTES,
        "headroom": protocol.RUNTIME_RESERVED_BYTES - protocol.RUNTIME_STACK_BYTES - resident_end,
        "cold_text": sum(r["bytes"] for r in rows if r["in"] == "DRAM" and
                         r["section"] == ".text_cold"),  # type: ignore[misc]
        "cold_rodata": sum(r["bytes"] for r in rows if r["in"] == "DRAM" and
                           r["section"] == ".rodata_cold"),  # type: ignore[misc]
        "largest_resident_functions": sorted(funcs, key=lambda f: -f[1])[:25],
        "double_in_sram": doubles,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the report; exit 1 when the build breaks a rule."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("elf", type=Path)
    parser.add_argument("--json", type=Path, help="also write the report as JSON")
    parser.add_argument("--summary", action="store_true", help="sections and totals only")
    parser.add_argument("--nm", help="(ignored; kept for the Makefile's interface)")
    ns = parser.parse_args(argv)
    r = report(ns.elf)
    print(f"{r['elf']}: sections")
    for row in r["sections"]:  # type: ignore[attr-defined]
        print(f"  {row['section']:<34} {row['in']}  0x{row['address']:08x} {row['bytes']:8d} B")
    res = r["resident"]
    print(f"resident in SRAM: text {res['text']} B, rodata {res['rodata']} B, "  # type: ignore[index]
          f"data {res['data']} B, bss {res['bss']} B; ends at {r['resident_end']} "  # type: ignore[index]
          f"(0x{r['resident_end']:x}); + C stack {r['stack_bytes']} B of "
          f"RUNTIME_RESERVED_BYTES {r['reserved_bytes']}: {r['headroom']} B to spare")
    print(f"cold in DRAM: text {r['cold_text']} B, rodata {r['cold_rodata']} B")
    if not ns.summary:
        print("largest resident functions:")
        for name, size in r["largest_resident_functions"]:  # type: ignore[attr-defined]
            print(f"  {size:6d} B  {name}")
    bad = 0
    if r["double_in_sram"]:
        print("ERROR: double-precision arithmetic in resident code (make it EPY_COLD or binary32):")
        for line in r["double_in_sram"]:  # type: ignore[attr-defined]
            print(f"  {line}")
        bad = 1
    if r["headroom"] < 0:  # type: ignore[operator]
        print("ERROR: the resident part and the C stack exceed RUNTIME_RESERVED_BYTES")
        bad = 1
    if ns.json:
        ns.json.write_text(json.dumps(r, indent=1))
    return bad


if __name__ == "__main__":
    raise SystemExit(main())
