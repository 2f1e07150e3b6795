"""Generate every file derived from the bytecode tables (one command, one staleness check).

From the opcode table (``opcodes.py``), the image format (``image.py``) and the protocol
(``protocol.py``):

* ``device/core/opcodes.h``: opcode, builtin, error, tag and attribute numbers, the per-opcode
  tables (lengths, operand formats, stack effects, control flow, cycles), the builtins' argument
  ranges, the image layout sizes and the launch-protocol/memory-model constants;
* ``device/core/dispatch.h``: which handler of ``device/core/interp.c`` runs each opcode (the
  computed-goto table with designated initialisers and the case lists of both switches);
* ``device/core/names.c``: the opcode and builtin names of the C verifier's messages;
* ``device/core/epiphany/layout.ld``: the memory layout for the Epiphany linker script;
* the opcode and builtin tables of ``docs/bytecode.md`` (between its GENERATED markers).

Run ``python -m epython.bytecode.gen_c`` after changing one of those modules (or
``costs.py``); ``python -m epython.bytecode.gen_c --check`` exits 1 naming each stale file, and
tests/test_generated.py fails while one is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from epython.bytecode import image, protocol
from epython.bytecode.exceptions import PARENT
from epython.bytecode.gen_memory import MEMLAYOUT_PATH, generate_memlayout
from epython.bytecode.opcodes import (
    ATTRS,
    BUILTINS,
    OPCODES,
    RAISABLE_ERRORS,
    Count,
    ErrorCode,
    Handler,
    Op,
    Operand,
    ValueTag,
)
from epython.bytecode.verify import MAX_FRAME_STACK

__all__ = [
    "DISPATCH_PATH",
    "DOCS_PATH",
    "HEADER_PATH",
    "LAYOUT_PATH",
    "NAMES_PATH",
    "OUTPUTS",
    "generate",
    "generate_dispatch",
    "generate_docs",
    "generate_layout",
    "generate_names",
    "main",
]

ROOT = Path(__file__).resolve().parents[2]
HEADER_PATH = ROOT / "device" / "core" / "opcodes.h"
#: The routing of opcodes to the C interpreter's handlers (included by interp.c only).
DISPATCH_PATH = HEADER_PATH.parent / "dispatch.h"
#: The names of opcodes and builtins in the C verifier's messages.
NAMES_PATH = HEADER_PATH.parent / "names.c"
#: The memory layout for the Epiphany linker script (device/core/epiphany/epycore.ld).
LAYOUT_PATH = HEADER_PATH.parent / "epiphany" / "layout.ld"
#: The reference of the bytecode, whose opcode and builtin tables are generated.
DOCS_PATH = ROOT / "docs" / "bytecode.md"

_COMMAND = "`python -m epython.bytecode.gen_c`"
#: Bits of EPY_OP_FLOW: where control may go after an instruction (name, bit, meaning, test).
_FLOW_BITS: tuple[tuple[str, int, str, Callable[[Op], bool]], ...] = (
    ("TARGET", 1, "may jump to its operand's address", lambda info: info.is_jump),
    ("FALLS_THROUGH", 2, "may go on to the following instruction", lambda info: info.falls_through),
)


def _stamp(name: str, sources: str, what: str = "") -> list[str]:
    """The first lines of a generated C file: what it is, where it comes from, do not edit."""
    lines = [f"/* {name}: GENERATED from {sources} by",
             f" * {_COMMAND}. DO NOT EDIT; a test fails when it is stale."]
    if what:
        lines.append(f" * {what}")
    lines[-1] += " */"
    return lines


def _ident(name: str) -> str:
    """A builtin's or error's name as a C identifier suffix: "math.sqrt" -> MATH_SQRT."""
    return name.replace(".", "_").upper()


def _initializer(values: Iterable[object]) -> str:
    """A C array initializer of the values, in order."""
    return "{ " + ", ".join(str(v) for v in values) + " }"


def _flow_bits(info: Op) -> int:
    """The EPY_OP_FLOW bits of an opcode."""
    return sum(bit for _name, bit, _text, has in _FLOW_BITS if has(info))


def generate() -> str:
    """The text of opcodes.h."""
    out = _stamp("opcodes.h", "epython/bytecode/opcodes.py, image.py and protocol.py")
    out += [
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
        f"#define EPY_HANDLER_ENTRY_SIZE {image.HANDLER_ENTRY.size}",
        f"#define EPY_FLAG_HANDLERS {image.FLAG_HANDLERS}",
        f"#define EPY_MAX_FRAME_STACK {MAX_FRAME_STACK}",
        "",
        "/* Opcodes: name = code,  operand format,  stack effect */",
        "enum epy_opcode {",
    ]
    for info in OPCODES:
        out.append(f"    OP_{info.name} = {info.code},".ljust(36)
                   + f"/* {info.operand.spelling or '-':<5} {info.doc} */")
    out += ["};",
            "/* (not an enumerator: a switch over enum epy_opcode names every opcode, dispatch.h) */",
            f"#define OP__COUNT {len(OPCODES)}", ""]
    out.append("/* Operand formats (EPY_OP_FORMATS). */")
    out.append("enum epy_operand {")
    for fmt in Operand:
        out.append(f"    EPY_OPERAND_{fmt.name} = {fmt.number},".ljust(36)
                   + f"/* {fmt.length} bytes */")
    out.append("};")
    out.append("/* Stack counts that the operands give (EPY_OP_POPS, EPY_OP_PUSHES: negative). */")
    out.append("enum epy_count {")
    for count in Count:
        out.append(f"    EPY_COUNT_{count.name} = {int(count)},")
    out.append("};")
    out.append("/* Bits of EPY_OP_FLOW: where control may go after an instruction. */")
    for name, bit, text, _has in _FLOW_BITS:
        out.append(f"#define EPY_FLOW_{name} {bit}".ljust(36) + f"/* {text} */")
    out.append("/* By opcode: encoded length (opcode byte + operands), operand format, values popped")
    out.append(" * and pushed on the fall-through path, popped and pushed when the jump is taken,")
    out.append(" * control flow, cycles. */")
    out.append(f"#define EPY_OP_LENGTHS {_initializer(i.length for i in OPCODES)}")
    out.append(f"#define EPY_OP_FORMATS {_initializer(i.operand.number for i in OPCODES)}")
    out.append(f"#define EPY_OP_POPS {_initializer(int(i.pops) for i in OPCODES)}")
    out.append(f"#define EPY_OP_PUSHES {_initializer(int(i.pushes) for i in OPCODES)}")
    out.append(f"#define EPY_OP_BRANCH_POPS {_initializer(i.branch_pops for i in OPCODES)}")
    out.append(f"#define EPY_OP_BRANCH_PUSHES {_initializer(i.branch_pushes for i in OPCODES)}")
    out.append(f"#define EPY_OP_FLOW {_initializer(_flow_bits(i) for i in OPCODES)}")
    out.append(f"#define EPY_OP_CYCLES {_initializer(i.cycles for i in OPCODES)}")
    out += ["", "/* Builtins called through OP_CALL_BUILTIN. */", "enum epy_builtin {"]
    for b in BUILTINS:
        out.append(f"    BI_{_ident(b.name)} = {b.code},".ljust(36)
                   + f"/* {b.name} ({b.min_args}..{b.max_args} args) */")
    out += [f"    BI__COUNT = {len(BUILTINS)}", "};"]
    out.append(f"#define EPY_BUILTIN_MIN_ARGS {_initializer(b.min_args for b in BUILTINS)}")
    out.append(f"#define EPY_BUILTIN_MAX_ARGS {_initializer(b.max_args for b in BUILTINS)}")
    out += ["", "/* Error codes (mailbox status and RAISE operands). */", "enum epy_error {"]
    for e in ErrorCode:
        out.append(f"    ERR_{_ident(e.name)} = {int(e)},")
    out.append("};")
    out.append(f"#define EPY_RAISABLE_MAX {int(RAISABLE_ERRORS[-1])}"
               " /* RAISE takes the codes 1..EPY_RAISABLE_MAX */")
    out.append("/* The base class of each exception class (epython/bytecode/exceptions.py). */")
    out.append("#define EPY_EXC_PARENTS "
               + _initializer([0] + [int(PARENT[c]) for c in RAISABLE_ERRORS]))
    out.append("#define EPY_EXC_NAMES "
               + _initializer(['"OK"'] + [f'"{c.name}"' for c in RAISABLE_ERRORS]))
    out += ["", "/* Value tags (constant pool and marshal format). */", "enum epy_tag {"]
    for t in ValueTag:
        out.append(f"    TAG_{t.name} = {int(t)},")
    out += ["};", "", "/* Attribute ids of OP_LOAD_ATTR. */", "enum epy_attr {"]
    for i, a in enumerate(ATTRS):
        out.append(f"    ATTR_{a.upper()} = {i},")
    out += [f"    ATTR__COUNT = {len(ATTRS)}", "};", ""]
    out += _protocol_lines()
    out += ["", "#endif /* EPY_OPCODES_H */", ""]
    return "\n".join(out)


def _protocol_lines() -> list[str]:
    """The launch-protocol and memory-model constants of opcodes.h."""
    out = ["/* Launch protocol: per-core mailbox in shared DRAM (epython/bytecode/protocol.py). */"]
    for name, offset in protocol.MAILBOX_FIELDS:
        out.append(f"#define EPY_MB_{name.upper()} {offset}")
    for name in ("MAILBOX_CORES_OFFSET", "MAILBOX_MESSAGE_OFFSET", "MAILBOX_RESULT_OFFSET",
                 "MAILBOX_RESULT_BYTES", "MAILBOX_OUT_OFFSET", "MAILBOX_OUT_BYTES",
                 "MAILBOX_CHANGES_OFFSET", "MAILBOX_CHANGES_BYTES",
                 "MAILBOX_STRIDE", "VALUE_SLOT_BYTES", "OBJECT_HEADER_BYTES",
                 "FRAME_HEADER_BYTES", "MAX_CALL_DEPTH", "LOCAL_MEMORY_BYTES",
                 "RUNTIME_RESERVED_BYTES", "CORE_MAILBOX_BYTES", "MESSAGE_SLOT_HEADER_BYTES",
                 "WORKSPACE_ALIGN", "FUNC_INFO_BYTES", "MAILBOX_ERROR_CHAIN_OFFSET",
                 "ERROR_CHAIN_FRAMES", "ERROR_CHAIN_OUTER"):
        out.append(f"#define EPY_{name} {getattr(protocol, name)}")
    out.append("enum epy_wait {")
    for name, number, _text in protocol.WAIT_KINDS:
        out.append(f"    EPY_WAIT_{name} = {number},")
    out.append("};")
    out.append(f"#define EPY_DRAM_AREA_OFFSET 0x{protocol.DRAM_AREA_OFFSET:08X}")
    out.append(f"#define EPY_DRAM_WINDOW_BYTES 0x{protocol.DRAM_WINDOW_BYTES:08X}")
    for name in ("STATE_IDLE", "STATE_RUNNING", "STATE_DONE", "STATE_FAULT", "FAULT_NONE",
                 "FAULT_SOFTWARE_EXCEPTION", "FAULT_MEMORY", "MAX_NESTING",
                 "MAX_ITERATOR_NESTING"):
        out.append(f"#define EPY_{name} {getattr(protocol, name)}")
    for name in ("NESTING_REPR_MESSAGE", "NESTING_COMPARE_MESSAGE", "NESTING_ENCODE_MESSAGE",
                 "NESTING_ITER_MESSAGE", "RESULT_TOO_LARGE_MESSAGE", "RESIDENT_TOO_LARGE_MESSAGE",
                 "SHARED_ENCODE_MESSAGE"):
        out.append(f"#define EPY_{name} \"{getattr(protocol, name)}\"")
    return out


def _case_list(name: str, what: str, handlers: tuple[Handler, ...]) -> list[str]:
    """A macro of the case labels of the opcodes whose handler is one of ``handlers``."""
    cases = [f"case OP_{info.name}:" for info in OPCODES if info.handler in handlers]
    out = [f"/* {what} */", f"#define {name} \\"]
    line = "   "
    for case in cases:
        if len(line) + len(case) > 96:
            out.append(line + " \\")
            line = "   "
        line += " " + case
    out.append(line)
    return out


def generate_dispatch() -> str:
    """The text of dispatch.h: which handler of interp.c runs each opcode (the Handler column).

    interp.c defines a label ``L_OP_<name>`` (its ``vmcase``) for each opcode the dispatch loop
    handles; a missing one is a compile error of the goto table, a loop handler for an opcode
    the table sends elsewhere an unused label (an error under -Werror).  Both switches of
    interp.c (the loop's in the switch build, step_rare's) are over enum epy_opcode and compiled
    with -Wswitch-enum as an error, so an opcode that neither a handler nor these case lists
    name fails the build, and one named twice is a duplicate case.
    """
    out = _stamp("dispatch.h", "epython/bytecode/opcodes.py (the Handler column)",
                 "Included by interp.c only: it names interp.c's labels.")
    out += ["#ifndef EPY_DISPATCH_H", "#define EPY_DISPATCH_H", "",
            "/* The computed-goto table of interp_run: the loop's own handler L_OP_<name> for the",
            " * opcodes it runs, `rare` (its label that calls step_rare) for the others. */",
            "#define EPY_DISPATCH_TABLE(rare) { \\"]
    for info in OPCODES:
        target = "rare" if info.handler is Handler.RARE else f"L_OP_{info.name}"
        entry = f"    [OP_{info.name}] = &&{target},"
        out.append(f"{entry:<56}/* {info.handler.value:<10} */ \\")
    out.append("}")
    out.append("")
    out += _case_list("EPY_CASES_RARE", "The opcodes only step_rare runs: the switch build of the "
                      "loop sends them there.", (Handler.RARE,))
    out.append("")
    out += _case_list("EPY_CASES_LOOP_ONLY", "The opcodes step_rare never sees (the loop runs "
                      "them whole).", (Handler.LOOP,))
    out += ["", "#endif /* EPY_DISPATCH_H */", ""]
    return "\n".join(out)


def _names(array: str, count: str, names: Iterable[str]) -> str:
    """A C array of names, in code order (one line: the generator keeps the order)."""
    return f"const char *const {array}[{count}] = {{" + ", ".join(f'"{n}"' for n in names) + "};"


def generate_names() -> str:
    """The text of names.c: opcode and builtin names for the C verifier's messages."""
    out = _stamp("names.c", "epython/bytecode/opcodes.py",
                 "Opcode and builtin names for messages (the verifier's, device/core/verify.c).")
    out += ['#include "vm.h"', ""]
    out.append(_names("epy_op_names", "OP__COUNT", (i.name for i in OPCODES)))
    out.append("")
    out.append(_names("epy_builtin_names", "BI__COUNT", (b.name for b in BUILTINS)))
    return "\n".join(out) + "\n"


def generate_layout() -> str:
    """The text of layout.ld: the protocol's memory layout as linker-script symbols."""
    out = [
        "/* layout.ld: GENERATED from epython/bytecode/protocol.py by",
        f" * {_COMMAND}. DO NOT EDIT; a test fails when it is stale.",
        " * Included by epycore.ld: where the runtime, the user area and the cold code go. */",
    ]
    for name in ("LOCAL_MEMORY_BYTES", "RUNTIME_RESERVED_BYTES", "RUNTIME_STACK_BYTES",
                 "CORE_MAILBOX_BYTES"):
        out.append(f"EPY_{name} = {getattr(protocol, name)};")
    for name in ("DRAM_CORE_BASE", "COLD_CODE_OFFSET", "COLD_CODE_BYTES", "DRAM_AREA_OFFSET"):
        out.append(f"EPY_{name} = 0x{getattr(protocol, name):08X};")
    return "\n".join(out) + "\n"


def _count_text(count: int) -> str:
    """A stack count as the docs table writes it (n: given by the operands)."""
    return "n" if count < 0 else str(count)


def _docs_tables() -> dict[str, list[str]]:
    """The generated tables of docs/bytecode.md, by the name of their GENERATED marker."""
    ops = ["| Code | Name | Operand | Pops | Pushes | Branch (pops, pushes) | Flow | C handler "
           "| Cycles | Effect |",
           "|---:|---|---|---:|---:|---|---|---|---:|---|"]
    for i in OPCODES:
        branch = f"{i.branch_pops}, {i.branch_pushes}" if i.is_jump else ""
        doc = i.doc.replace("|", "\\|")
        ops.append(f"| {i.code} | `{i.name}` | {i.operand.spelling or '-'} | {_count_text(i.pops)} "
                   f"| {_count_text(i.pushes)} | {branch} | {i.flow.value} | {i.handler.value} "
                   f"| {i.cycles} | `{doc}` |")
    builtins = ["| Code | Name | Args | Cycles | Observable |", "|---:|---|---|---:|---|"]
    for b in BUILTINS:
        builtins.append(f"| {b.code} | `{b.name}` | {b.min_args}..{b.max_args} | {b.cycles} "
                        f"| {'yes' if b.observable else ''} |")
    return {"opcodes": ops, "builtins": builtins}


def generate_docs(current: str | None = None) -> str:
    """docs/bytecode.md with its generated tables replaced (``current``: its text, else read)."""
    text = DOCS_PATH.read_text() if current is None else current
    for name, rows in _docs_tables().items():
        begin = f"<!-- GENERATED {name}: {_COMMAND} writes this table; do not edit it -->"
        end = f"<!-- end of GENERATED {name} -->"
        start, stop = text.index(begin) + len(begin), text.index(end)
        text = text[:start] + "\n" + "\n".join(rows) + "\n" + text[stop:]
    return text


#: Every generated file: (path, generator of its text).
OUTPUTS: tuple[tuple[Path, Callable[[], str]], ...] = (
    (HEADER_PATH, generate),
    (DISPATCH_PATH, generate_dispatch),
    (NAMES_PATH, generate_names),
    (LAYOUT_PATH, generate_layout),
    (MEMLAYOUT_PATH, generate_memlayout),
    (DOCS_PATH, generate_docs),
)


def stale_outputs() -> list[Path]:
    """The generated files whose text differs from what their generator writes now."""
    return [path for path, make in OUTPUTS
            if not path.exists() or path.read_text() != make()]


def main(argv: list[str] | None = None) -> int:
    """Write the generated files, or with --check report whether they are current."""
    parser = argparse.ArgumentParser(prog="python -m epython.bytecode.gen_c", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    ns = parser.parse_args(argv)
    if ns.check:
        stale = stale_outputs()
        for path in stale:
            print(f"{path} is stale: run python -m epython.bytecode.gen_c", file=sys.stderr)
        return 1 if stale else 0
    for path, make in OUTPUTS:
        text = make()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
