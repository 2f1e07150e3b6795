"""Check GCC's CONFIG-register mode switches in the Epiphany build (``make -C device epiphany``).

The Epiphany-III multiplies integers in the FPU: GCC's epiphany port switches CONFIG's
ARITHMODE to integer around each ``imul``/``fmul`` and back, and to truncation around
float-to-int conversions, by read-modify-write sequences::

    gid ; movfs rX,config ; orr rX,rX,rM ; movts config,rX ; gie     (to integer mode)
    gid ; movfs rX,config ; and rX,rX,rM ; movts config,rX ; gie     (back: rM = 0xfff1fffe)

where ``rM`` holds a mask that the function loads once.  GCC 12.2 sometimes leaves the load out
(e-sim found it in ``array_wire_size``: ``and`` with a register nothing in the function had
set).  The core then ANDs CONFIG with whatever the caller left in that register: on e-sim it was
0, which stopped CTIMER0 (every later launch reported 0 cycles), and a value with ARITHMODE's
bits set would have left the FPU in integer mode, so later float arithmetic would be integer
arithmetic.  This script disassembles the ELF and fails when a mask register of a CONFIG update
is not written earlier in the same function.

Usage: ``python config_check.py OBJDUMP build/epiphany/epycore.elf``; exit status 1 on a finding.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable

_FUNC = re.compile(r"^([0-9a-f]+) <([^>]+)>:$")
_INSN = re.compile(r"^\s*([0-9a-f]+):\t[0-9a-f ]+\t(\S+)\s*(.*)$")
_UPDATE = re.compile(r"^(r\d+),(r\d+),(r\d+)$")
# mnemonics whose first operand is not written
_NO_DEST = ("str", "b", "j", "movts", "gid", "gie", "rts", "rti", "nop", "idle", "trap", "sub.")


def parse(lines: Iterable[str]) -> dict[str, list[tuple[int, str, str]]]:
    """Functions of an ``objdump -d`` listing: name -> [(address, mnemonic, operands)]."""
    funcs: dict[str, list[tuple[int, str, str]]] = {}
    current: list[tuple[int, str, str]] | None = None
    for line in lines:
        line = line.rstrip("\n")
        m = _FUNC.match(line)
        if m:
            current = funcs.setdefault(m.group(2), [])
            continue
        m = _INSN.match(line)
        if m and current is not None:
            current.append((int(m.group(1), 16), m.group(2), m.group(3).strip()))
    return funcs


def _written(mnemonic: str, operands: str) -> set[str]:
    if mnemonic.startswith(_NO_DEST) or not operands:
        return set()
    first = operands.split(",")[0].strip()
    if not re.fullmatch(r"r\d+", first):
        return set()
    if mnemonic == "ldrd":  # a register pair
        return {first, f"r{int(first[1:]) + 1}"}
    return {first}


def findings(funcs: dict[str, list[tuple[int, str, str]]]) -> list[str]:
    """Each CONFIG update whose mask register the function never wrote before it."""
    out = []
    for name, insns in funcs.items():
        written: set[str] = set()
        for k, (addr, mnem, ops) in enumerate(insns):
            if mnem == "movfs" and ops.endswith(",config") and k + 2 < len(insns):
                reg = ops.split(",")[0]
                _, op2, ops2 = insns[k + 1]
                _, op3, ops3 = insns[k + 2]
                m = _UPDATE.match(ops2)
                if op2 in ("and", "orr") and m and op3 == "movts" and ops3 == f"config,{reg}":
                    mask = m.group(3) if m.group(2) == reg else m.group(2)
                    if mask not in written:
                        out.append(f"{name} at 0x{insns[k + 1][0]:08x}: '{op2} {ops2}' updates "
                                   f"CONFIG with {mask}, which {name} never set before it")
            written |= _written(mnem, ops)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    objdump, elf = args
    listing = subprocess.run([objdump, "-d", elf], capture_output=True, text=True, check=True)
    found = findings(parse(listing.stdout.splitlines()))
    for f in found:
        print(f"config_check: ERROR {f}; rewrite the function so that GCC loads the mask "
              "(device/toolchain/config_check.py says why)", file=sys.stderr)
    if not found:
        print(f"config_check: every CONFIG mode switch in {elf} uses a mask its function set")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
