"""Generate ``device/core/opcodes.h`` from the opcode table (the single source of truth).

Run ``python -m epython.bytecode.gen_c`` after changing ``opcodes.py`` or ``image.py``;
``python -m epython.bytecode.gen_c --check`` exits 1 when the header is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from epython.bytecode import image, protocol
from epython.bytecode.opcodes import (
    ARG,
    ATTRS,
    BUILTINS,
    FORMAT_LENGTHS,
    OPCODES,
    ErrorCode,
    ValueTag,
)
from epython.bytecode.verify import MAX_FRAME_STACK

__all__ = ["HEADER_PATH", "generate", "main"]

HEADER_PATH = Path(__file__).resolve().parents[2] / "device" / "core" / "opcodes.h"


def _ident(name: str) -> str:
    return name.replace(".", "_").upper()


def generate() -> str:
    """The text of opcodes.h."""
    out = [
        "/* opcodes.h: GENERATED from epython/bytecode/opcodes.py by",
        " * `python -m epython.bytecode.gen_c`. DO NOT EDIT; a test fails when it is stale. */",
        "#ifndef EPY_OPCODES_H",
        "#define EPY_OPCODES_H",
        "",
        f"#define EPY_IMAGE_MAGIC \"{image.MAGIC.decode()}\"",
        f"#define EPY_FORMAT_VERSION {image.FORMAT_VERSION}",
        f"#define EPY_NO_INIT 0x{image.NO_INIT:04X}",
        f"#define EPY_HEADER_SIZE {image.HEADER.size}",
        f"#define EPY_GLOBAL_ENTRY_SIZE {image.GLOBAL_ENTRY.size}",
        f"#define EPY_FUNC_ENTRY_SIZE {image.FUNC_ENTRY.size}",
        f"#define EPY_LINE_ENTRY_SIZE {image.LINE_ENTRY.size}",
        f"#define EPY_MAX_FRAME_STACK {MAX_FRAME_STACK}",
        f"#define EPY_ARG_COUNT ({ARG}) /* stack count equal to the operand */",
        "",
        "/* Opcodes: name = code,  operand format,  stack effect */",
        "enum epy_opcode {",
    ]
    for info in OPCODES:
        out.append(f"    OP_{info.name} = {info.code},".ljust(36) + f"/* {info.operand.value or '-':<5} {info.doc} */")
    out += [f"    OP__COUNT = {len(OPCODES)}", "};", ""]
    out.append("/* Encoded length of each instruction (opcode byte + operands), by opcode. */")
    lengths = ", ".join(str(info.length) for info in OPCODES)
    out.append(f"#define EPY_OP_LENGTHS {{ {lengths} }}")
    out.append("/* Operand format by opcode: 0 none, 1 u8, 2 i16, 3 u16, 4 addr, 5 u8u8. */")
    order = list(FORMAT_LENGTHS)
    out.append(f"#define EPY_OP_FORMATS {{ {', '.join(str(order.index(i.operand)) for i in OPCODES)} }}")
    out.append(f"#define EPY_OP_POPS {{ {', '.join(str(i.pops) for i in OPCODES)} }}")
    out.append(f"#define EPY_OP_PUSHES {{ {', '.join(str(i.pushes) for i in OPCODES)} }}")
    out.append(f"#define EPY_OP_BRANCH_POPS {{ {', '.join(str(i.branch_pops) for i in OPCODES)} }}")
    out.append(f"#define EPY_OP_BRANCH_PUSHES {{ {', '.join(str(i.branch_pushes) for i in OPCODES)} }}")
    out.append(f"#define EPY_OP_CYCLES {{ {', '.join(str(i.cycles) for i in OPCODES)} }}")
    out += ["", "/* Builtins called through OP_CALL_BUILTIN. */", "enum epy_builtin {"]
    for b in BUILTINS:
        out.append(f"    BI_{_ident(b.name)} = {b.code},".ljust(36) + f"/* {b.name} ({b.min_args}..{b.max_args} args) */")
    out += [f"    BI__COUNT = {len(BUILTINS)}", "};"]
    out.append(f"#define EPY_BUILTIN_MIN_ARGS {{ {', '.join(str(b.min_args) for b in BUILTINS)} }}")
    out.append(f"#define EPY_BUILTIN_MAX_ARGS {{ {', '.join(str(b.max_args) for b in BUILTINS)} }}")
    out += ["", "/* Error codes (mailbox status and RAISE operands). */", "enum epy_error {"]
    for e in ErrorCode:
        out.append(f"    ERR_{_ident(e.name)} = {int(e)},")
    out += ["};", "", "/* Value tags (constant pool and marshal format). */", "enum epy_tag {"]
    for t in ValueTag:
        out.append(f"    TAG_{t.name} = {int(t)},")
    out += ["};", "", "/* Attribute ids of OP_LOAD_ATTR. */", "enum epy_attr {"]
    for i, a in enumerate(ATTRS):
        out.append(f"    ATTR_{a.upper()} = {i},")
    out += [f"    ATTR__COUNT = {len(ATTRS)}", "};", ""]
    out.append("/* Launch protocol: per-core mailbox in shared DRAM (epython/bytecode/protocol.py). */")
    for name, offset in protocol.MAILBOX_FIELDS:
        out.append(f"#define EPY_MB_{name.upper()} {offset}")
    for name in ("MAILBOX_CORES_OFFSET", "MAILBOX_MESSAGE_OFFSET", "MAILBOX_RESULT_OFFSET",
                 "MAILBOX_RESULT_BYTES", "MAILBOX_OUT_OFFSET", "MAILBOX_OUT_BYTES",
                 "MAILBOX_STRIDE", "VALUE_SLOT_BYTES", "OBJECT_HEADER_BYTES",
                 "FRAME_HEADER_BYTES", "MAX_CALL_DEPTH", "LOCAL_MEMORY_BYTES",
                 "RUNTIME_RESERVED_BYTES", "CORE_MAILBOX_BYTES", "MESSAGE_SLOT_HEADER_BYTES"):
        out.append(f"#define EPY_{name} {getattr(protocol, name)}")
    out.append("enum epy_wait {")
    for name, number, _text in protocol.WAIT_KINDS:
        out.append(f"    EPY_WAIT_{name} = {number},")
    out.append("};")
    out.append(f"#define EPY_DRAM_AREA_OFFSET 0x{protocol.DRAM_AREA_OFFSET:08X}")
    out += ["", "#endif /* EPY_OPCODES_H */", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Write the header, or with --check report whether it is current."""
    parser = argparse.ArgumentParser(prog="python -m epython.bytecode.gen_c", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the header is stale")
    parser.add_argument("--output", type=Path, default=HEADER_PATH)
    ns = parser.parse_args(argv)
    text = generate()
    if ns.check:
        current = ns.output.read_text() if ns.output.exists() else ""
        if current != text:
            print(f"{ns.output} is stale: run python -m epython.bytecode.gen_c", file=sys.stderr)
            return 1
        return 0
    ns.output.parent.mkdir(parents=True, exist_ok=True)
    ns.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
