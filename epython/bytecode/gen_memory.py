"""Generate ``device/core/memlayout.h``, the memory model's object sizes as C macros, from
:mod:`epython.bytecode.memory` (``python -m epython.bytecode.gen_c`` writes it with the other
generated files; ``--check`` fails when it is stale)."""

from __future__ import annotations

from pathlib import Path

from epython.bytecode import memory

__all__ = ["MEMLAYOUT_PATH", "c_size_macro", "generate_memlayout"]

MEMLAYOUT_PATH = Path(__file__).resolve().parents[2] / "device" / "core" / "memlayout.h"


def c_size_macro(rule: memory.SizeRule) -> str:
    """The ``#define EPY_<name>(n)`` of one size rule: unsigned arithmetic, the rounding left
    out where the units already keep the alignment."""
    scaled = "(n)" if rule.unit_bytes == 1 else f"{rule.unit_bytes}u * (n)"
    if rule.unit_bytes % rule.align:
        mask = rule.align - 1
        scaled = f"(({scaled} + {mask}u) & ~{mask}u)"
    body = f"{rule.fixed}u + {scaled}" if rule.fixed else scaled
    return f"/* {rule.doc} */\n#define EPY_{rule.name}(n) ({body})"


def generate_memlayout() -> str:
    """The text of memlayout.h."""
    out = [
        "/* memlayout.h: GENERATED from epython/bytecode/memory.py by",
        " * `python -m epython.bytecode.gen_c`. DO NOT EDIT; a test fails when it is stale.",
        " * The memory model's object sizes: what the heap allocates for each kind of object",
        " * (real size = model size), the frames and the launch's tables. */",
        "#ifndef EPY_MEMLAYOUT_H",
        "#define EPY_MEMLAYOUT_H",
        "",
    ]
    out += ["/* A range, an iterator, a row view of a 2-D array. */",
            f"#define EPY_SMALL_OBJECT_BYTES {memory.SMALL_OBJECT_BYTES}"]
    out += [c_size_macro(rule) for rule in memory.SIZE_RULES]
    params = ", ".join(what for what, _rule in memory.LAUNCH_TABLES)
    terms = " + ".join(f"EPY_{rule.name}({what})" for what, rule in memory.LAUNCH_TABLES)
    out += [
        "/* What a launch's tables take at the bottom of the workspace. */",
        f"#define EPY_LAUNCH_TABLES_BYTES({params}) ({terms})",
        "",
        "#endif /* EPY_MEMLAYOUT_H */",
        "",
    ]
    return "\n".join(out)
