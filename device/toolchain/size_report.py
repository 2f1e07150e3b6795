"""Size report of the Epiphany build of the core program (``make -C device epiphany``).

Reads the linked ``epycore.elf`` (linked with -Wl,-q, so that its relocations are kept; its own
ELF32 reader) and prints where every byte goes: the resident part in SRAM (code, read-only data,
data, bss, the C stack) against ``RUNTIME_RESERVED_BYTES``, the cold part in shared DRAM, and
which resident functions call into DRAM.  It enforces the rule that no double-precision
arithmetic runs from SRAM: no resident code may refer to libgcc's double routines
(``__adddf3``, ...).

Usage: ``python size_report.py build/epiphany/epycore.elf [--json FILE] [--summary]``.
Exit status 1 when the rule is broken or the resident part does not fit.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from checks import finish  # noqa: E402

from epython.backends.device.elf import (  # noqa: E402
    SHF_ALLOC,
    function_at,
    functions,
    read_relocations,
    read_sections,
    read_symbols,
)
from epython.bytecode import protocol  # noqa: E402

#: libgcc's soft-float double routines (and the conversions to and from double).
DOUBLE_ROUTINE = re.compile(r"^__(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord|fix|fixuns|"
                            r"float|floatun|extend|trunc|pow)\w*df\w*$")


def report(elf: Path) -> dict[str, object]:
    """Everything the report prints, as data."""
    data = elf.read_bytes()
    sections = read_sections(data)
    symbols = read_symbols(data, sections)
    value_of = {s.name: s.value for s in symbols}
    dram = protocol.DRAM_CORE_BASE
    rows = []
    for sec in sections:
        if not sec.flags & SHF_ALLOC or sec.size == 0:
            continue
        where = "DRAM" if sec.addr >= dram else "SRAM"
        rows.append({"section": sec.name, "address": sec.addr, "bytes": sec.size, "in": where})
    resident_end = value_of["__runtime_end"]
    funcs = functions(data, sections)
    in_sram = [(f.name, f.size) for f in funcs if f.value < protocol.LOCAL_MEMORY_BYTES]
    doubles, to_dram = set(), set()
    for sec_name, place, name, target in read_relocations(data, sections):
        if place >= protocol.LOCAL_MEMORY_BYTES or not sec_name.startswith(".text"):
            continue  # only what resident code refers to
        where = (function_at(funcs, place) or f"0x{place:x}").split("+")[0]
        callee = (function_at(funcs, target) or name or f"0x{target:x}").split("+")[0]
        if DOUBLE_ROUTINE.match(callee):
            doubles.add(f"{where} -> {callee}")
        elif target >= dram and function_at(funcs, target) is not None:
            to_dram.add(f"{where} -> {callee}")
    headroom = protocol.RUNTIME_RESERVED_BYTES - protocol.RUNTIME_STACK_BYTES - resident_end
    errors = []
    if doubles:
        errors.append("double-precision arithmetic in resident code (make it EPY_COLD or "
                      "binary32):" + "".join(f"\n  {line}" for line in sorted(doubles)))
    if headroom < 0:
        errors.append("the resident part and the C stack exceed RUNTIME_RESERVED_BYTES")
    resident = {kind: sum(r["bytes"] for r in rows if r["in"] == "SRAM" and
                          r["section"] == name)  # type: ignore[misc]
                for kind, name in (("text", ".text"), ("rodata", ".rodata"),
                                   ("data", ".data"), ("bss", ".bss"))}
    return {
        "elf": str(elf),
        "sections": rows,
        "resident": resident,
        "resident_end": resident_end,
        "stack_bytes": protocol.RUNTIME_STACK_BYTES,
        "reserved_bytes": protocol.RUNTIME_RESERVED_BYTES,
        "headroom": headroom,
        "cold_text": sum(r["bytes"] for r in rows if r["in"] == "DRAM" and
                         r["section"] == ".text_cold"),  # type: ignore[misc]
        "cold_rodata": sum(r["bytes"] for r in rows if r["in"] == "DRAM" and
                           r["section"] == ".rodata_cold"),  # type: ignore[misc]
        "largest_resident_functions": sorted(in_sram, key=lambda f: -f[1])[:25],
        "double_in_sram": sorted(doubles),
        "errors": errors,
        "sram_calls_into_dram": sorted(to_dram),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the report; exit 1 when the build breaks a rule."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("elf", type=Path)
    parser.add_argument("--json", type=Path, help="also write the report as JSON")
    parser.add_argument("--summary", action="store_true", help="sections and totals only")
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
        print("resident code that calls into DRAM (slow on the chip, correct):")
        for line in r["sram_calls_into_dram"]:  # type: ignore[attr-defined]
            print(f"  {line}")
    return finish(r, ns.json)

if __name__ == "__main__":
    raise SystemExit(main())
