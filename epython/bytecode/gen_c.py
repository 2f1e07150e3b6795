"""Generate ``device/core/opcodes.h`` from the opcode table (the single source of truth), and
``device/core/epiphany/layout.ld`` (the memory layout for the Epiphany linker script) from the
protocol.

Run ``python -m epython.bytecode.gen_c`` after changing ``opcodes.py``, ``image.py`` or
``protocol.py``; ``python -m epython.bytecode.gen_c --check`` exits 1 when a file is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from epython.bytecode import image, protocol
from epython.bytecode.gen_memory import MEMLAYOUT_PATH, generate_memlayout
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

__all__ = ["HEADER_PATH", "LAYOUT_PATH", "OUTPUTS", "generate", "generate_layout", "main"]

HEADER_PATH = Path(__file__).resolve().parents[2] / "device" / "core" / "opcodes.h"
#: The memory layout for the Epiphany linker script (device/core/epiphany/epycore.ld).
LAYOUT_PATH = HEADER_PATH.parent / "epiphany" / "layout.ld"


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
                 "MAILBOX_CHANGES_OFFSET", "MAILBOX_CHANGES_BYTES",
                 "MAILBOX_STRIDE", "VALUE_SLOT_BYTES", "OBJECT_HEADER_BYTES",
                 "FRAME_HEADER_BYTES", "MAX_CALL_DEPTH", "LOCAL_MEMORY_BYTES",
                 "RUNTIME_RESERVED_BYTES", "CORE_MAILBOX_BYTES", "MESSAGE_SLOT_HEADER_BYTES",
                 "WORKSPACE_ALIGN", "FUNC_INFO_BYTES"):
        out.append(f"#define EPY_{name} {getattr(protocol, name)}")
    out.append("enum epy_wait {")
    for name, number, _text in protocol.WAIT_KINDS:
        out.append(f"    EPY_WAIT_{name} = {number},")
    out.append("};")
    out.append(f"#define EPY_DRAM_AREA_OFFSET 0x{protocol.DRAM_AREA_OFFSET:08X}")
    for name in ("STATE_IDLE", "STATE_RUNNING", "STATE_DONE", "STATE_FAULT", "FAULT_NONE",
                 "FAULT_SOFTWARE_EXCEPTION", "FAULT_MEMORY", "MAX_NESTING",
                 "MAX_ITERATOR_NESTING"):
        out.append(f"#define EPY_{name} {getattr(protocol, name)}")
    for name in ("NESTING_REPR_MESSAGE", "NESTING_COMPARE_MESSAGE", "NESTING_ENCODE_MESSAGE",
                 "NESTING_ITER_MESSAGE", "RESULT_TOO_LARGE_MESSAGE", "RESIDENT_TOO_LARGE_MESSAGE"):
        out.append(f"#define EPY_{name} \"{getattr(protocol, name)}\"")
    out += ["", "#endif /* EPY_OPCODES_H */", ""]
    return "\n".join(out)


def generate_layout() -> str:
    """The text of layout.ld: the protocol's memory layout as linker-script symbols."""
    out = [
        "/* layout.ld: GENERATED from epython/bytecode/protocol.py by",
        " * `python -m epython.bytecode.gen_c`. DO NOT EDIT; a test fails when it is stale.",
        " * Included by epycore.ld: where the runtime, the user area and the cold code go. */",
    ]
    for name in ("LOCAL_MEMORY_BYTES", "RUNTIME_RESERVED_BYTES", "RUNTIME_STACK_BYTES",
                 "CORE_MAILBOX_BYTES"):
        out.append(f"EPY_{name} = {getattr(protocol, name)};")
    for name in ("DRAM_CORE_BASE", "COLD_CODE_OFFSET", "COLD_CODE_BYTES", "DRAM_AREA_OFFSET"):
        out.append(f"EPY_{name} = 0x{getattr(protocol, name):08X};")
    return "\n".join(out) + "\n"


#: Every generated file: (path, generator).
OUTPUTS = ((HEADER_PATH, generate), (LAYOUT_PATH, generate_layout),
           (MEMLAYOUT_PATH, generate_memlayout))


def main(argv: list[str] | None = None) -> int:
    """Write the generated files, or with --check report whether they are current."""
    parser = argparse.ArgumentParser(prog="python -m epython.bytecode.gen_c", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    ns = parser.parse_args(argv)
    stale = 0
    for path, make in OUTPUTS:
        text = make()
        if ns.check:
            current = path.read_text() if path.exists() else ""
            if current != text:
                print(f"{path} is stale: run python -m epython.bytecode.gen_c", file=sys.stderr)
                stale = 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return stale


if __name__ == "__main__":
    raise SystemExit(main())
