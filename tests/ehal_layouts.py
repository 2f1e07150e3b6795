"""The C layouts of the e-hal structs the ctypes binding mirrors: recorded, measured, modelled.

* ``RECORDED``: sizeof/offsetof of every mirrored struct and field, measured on the e-hal
  headers of the eSDK 2016.11 release (``RECORDED_FROM``) with the compilers in
  ``RECORDED_WITH``, for x86-64 and for the Parallella's 32-bit ARM host (armhf).
* :func:`measure`: the same numbers for any header and compiler (the program is compiled to
  assembly only, so a cross compiler works too).
* :func:`model_layout`: the layout the ctypes field types get under a data model (C alignment
  rules: each field at a multiple of its alignment, the struct padded to its largest one).
* :func:`real_headers`: the e-hal headers of the 2016.11 tag from ``EPIPHANY_LIBS_SRC``.

The recorded figures are data, in ``tests/ehal_layouts.json``.  To record again (prints the
``RECORDED`` entry, to put in that file)::

    EPIPHANY_LIBS_SRC=/path/to/epiphany-libs python -m tests.ehal_layouts gcc
    EPIPHANY_LIBS_SRC=/path/to/epiphany-libs python -m tests.ehal_layouts arm-linux-gnueabihf-gcc

(from the repository root: ``tests`` is a package).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

Layout = dict[str, dict[str, int]]  # C struct -> {"sizeof": n, field: offset}

ESDK_TAG = "epiphany-libs-esdk-2016.11"
ESDK_COMMIT = "237b6cb27460c73bcc39cd648d52d36ab1b39c56"
RECORDED_FROM = f"adapteva/epiphany-libs tag {ESDK_TAG} (commit {ESDK_COMMIT}), e-hal/src/e-hal.h"
#: The real headers, included in this order (e-hal.h includes the data and api headers).
REAL_INCLUDES = ("sys/types.h", "e-hal.h", "e-loader.h")
#: The headers whose prototypes the binding's function table must match.
REAL_PROTOTYPE_HEADERS = ("epiphany-hal-api.h", "epiphany-hal-api-local.h", "e-loader.h")
ENV_VAR = "EPIPHANY_LIBS_SRC"
_HEADER_DIR = "e-hal/src"


# --- measuring -------------------------------------------------------------------------------

def layout_source(structs: dict[str, type[ctypes.Structure]], includes: tuple[str, ...]) -> str:
    """A C file whose assembly lists ``LAYOUT struct field offset`` for every mirrored field."""
    lines = [f"#include <{h}>" if "/" in h else f'#include "{h}"' for h in includes]
    lines += ["#include <stddef.h>", "void epython_layout(void);", "void epython_layout(void) {"]
    for cname, cls in structs.items():
        items = [("sizeof", f"sizeof({cname})")]
        items += [(f, f"offsetof({cname}, {f})") for f, *_ in cls._fields_]
        for label, expr in items:
            lines.append(f'    __asm__ volatile (".ascii \\"LAYOUT {cname} {label} %c0\\"" '
                         f':: "i" ((int)({expr})));')
    lines.append("}")
    return "\n".join(lines) + "\n"


def measure(cc: str, structs: dict[str, type[ctypes.Structure]], include_dir: Path,
            includes: tuple[str, ...]) -> Layout:
    """Compile :func:`layout_source` to assembly with ``cc``; the layout it reports."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "layout.c"
        src.write_text(layout_source(structs, includes))
        asm = Path(tmp) / "layout.s"
        subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-I", str(include_dir), "-S",
                        str(src), "-o", str(asm)], check=True, capture_output=True, text=True)
        text = asm.read_text()
    layout: Layout = {}
    for cname, label, value in re.findall(r"LAYOUT (\w+) (\w+) (\d+)", text):
        layout.setdefault(cname, {})[label] = int(value)
    return layout


def compiler_version(cc: str) -> str:
    """First line of ``cc --version``."""
    out = subprocess.run([cc, "--version"], check=True, capture_output=True, text=True).stdout
    return out.splitlines()[0]


# --- modelling -------------------------------------------------------------------------------

#: (size, alignment) of the scalar ctypes types the binding uses, per data model.
#: armhf (ARM EABI, AAPCS): pointers, long, size_t and off_t 4 bytes; int and enums 4 bytes;
#: 8-byte types 8-aligned.  x86-64 (SysV LP64): pointers, long, size_t and off_t 8 bytes.
DATA_MODELS: dict[str, dict[str, tuple[int, int]]] = {
    "armhf": {"int": (4, 4), "uint": (4, 4), "long": (4, 4), "size_t": (4, 4),
              "pointer": (4, 4), "char": (1, 1), "int64": (8, 8)},
    "x86-64": {"int": (4, 4), "uint": (4, 4), "long": (8, 8), "size_t": (8, 8),
               "pointer": (8, 8), "char": (1, 1), "int64": (8, 8)},
}


def _kind(ctype: type) -> str:
    """The data-model kind of a scalar ctypes type (size_t and off_t are checked by name,
    ctypes aliases them to the platform's integer of the same size)."""
    if issubclass(ctype, (ctypes._Pointer, ctypes.c_void_p, ctypes.c_char_p)):  # type: ignore[attr-defined]
        return "pointer"
    if ctype is ctypes.c_char:
        return "char"
    if ctype is ctypes.c_size_t:
        return "size_t"
    if ctype in (ctypes.c_long, ctypes.c_ulong):
        return "long"
    if ctype in (ctypes.c_int, ctypes.c_int32):
        return "int"
    if ctype in (ctypes.c_uint, ctypes.c_uint32):
        return "uint"
    if ctype in (ctypes.c_longlong, ctypes.c_ulonglong, ctypes.c_double):
        return "int64"
    raise TypeError(f"no data-model size for {ctype!r}")


def _size_align(ctype: type, model: str) -> tuple[int, int]:
    if issubclass(ctype, ctypes.Structure):
        size, align, _ = _struct_layout(ctype, model)
        return size, align
    if issubclass(ctype, ctypes.Array):
        size, align = _size_align(ctype._type_, model)
        return size * ctype._length_, align
    return DATA_MODELS[model][_kind(ctype)]


def _struct_layout(cls: type[ctypes.Structure], model: str) -> tuple[int, int, dict[str, int]]:
    offset, align, offsets = 0, 1, {}
    for name, ctype, *_ in cls._fields_:
        size, field_align = _size_align(ctype, model)
        offset = (offset + field_align - 1) // field_align * field_align
        offsets[name] = offset
        offset += size
        align = max(align, field_align)
    return (offset + align - 1) // align * align, align, offsets


def model_layout(structs: dict[str, type[ctypes.Structure]], model: str) -> Layout:
    """The layout of the ctypes mirrors under ``model`` (a key of DATA_MODELS)."""
    layout: Layout = {}
    for cname, cls in structs.items():
        size, _, offsets = _struct_layout(cls, model)
        layout[cname] = {"sizeof": size, **offsets}
    return layout


def ctypes_layout(structs: dict[str, type[ctypes.Structure]]) -> Layout:
    """The layout ctypes gives the mirrors on this machine."""
    return {cname: {"sizeof": ctypes.sizeof(cls),
                    **{f: getattr(cls, f).offset for f, *_ in cls._fields_}}
            for cname, cls in structs.items()}


# --- the real headers ------------------------------------------------------------------------

def real_headers(dest: Path) -> tuple[Path | None, str]:
    """The directory holding the 2016.11 e-hal headers, and '' or why there is none.

    ``EPIPHANY_LIBS_SRC`` names an epiphany-libs source tree (its ``e-hal/src`` is used as it
    is; check it out at the tag yourself) or a git directory of the repository (bare or not),
    from which the headers of tag ``epiphany-libs-esdk-2016.11`` are extracted into ``dest``.
    """
    hint = (f"set {ENV_VAR} to an adapteva/epiphany-libs source tree at tag {ESDK_TAG}, or to "
            f"a git directory of that repository (git clone --bare "
            f"https://github.com/adapteva/epiphany-libs)")
    src = os.environ.get(ENV_VAR, "").strip()
    if not src:
        return None, hint
    root = Path(src)
    if (root / _HEADER_DIR / "e-hal.h").is_file():
        return root / _HEADER_DIR, ""
    try:
        archive = subprocess.run(["git", "--git-dir", str(root / ".git" if (root / ".git").is_dir()
                                                         else root),
                                  "archive", ESDK_TAG, _HEADER_DIR], check=True,
                                 capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(
            exc, subprocess.CalledProcessError) else str(exc)
        return None, f"{ENV_VAR}={src}: no {_HEADER_DIR}/e-hal.h and no tag {ESDK_TAG} ({detail}); {hint}"
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / _HEADER_DIR, ""


def prototypes(header_text: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (return type, parameter types) of the function prototypes in a C header."""
    text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", header_text, flags=re.S)
    found: dict[str, tuple[str, list[str]]] = {}
    for ret, name, params in re.findall(
            r"^[ \t]*((?:const\s+)?[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*[\s*]+?)\s*\b(e_\w+|ee_\w+|ehal_\w+)"
            r"\s*\(([^;{)]*)\)\s*;", text, flags=re.M):
        types = []
        for param in (p.strip() for p in params.split(",")):
            if param in ("", "void"):
                continue
            # drop the parameter name: the last identifier, unless the declarator is bare
            m = re.match(r"(.*?[\s*])([A-Za-z_]\w*)$", param)
            types.append(" ".join((m.group(1) if m else param).replace("*", " * ").split()))
        found[name] = (" ".join(ret.replace("*", " * ").split()), types)
    return found


# --- recorded with the commands in the module doc ---------------------------------------------

_DATA = json.loads((Path(__file__).resolve().parent / "ehal_layouts.json").read_text())
#: the compiler each model was recorded with
RECORDED_WITH: dict[str, str] = _DATA["recorded_with"]
#: sizeof/offsetof of every mirrored struct and field, per data model (tests/ehal_layouts.json)
RECORDED: dict[str, Layout] = _DATA["recorded"]


def main(argv: list[str]) -> int:
    """Record the layout of the real headers with the compiler ``argv[1]`` (default gcc)."""
    from epython.backends.device.ehal import C_STRUCTS

    cc = argv[1] if len(argv) > 1 else "gcc"
    with tempfile.TemporaryDirectory() as tmp:
        include_dir, why = real_headers(Path(tmp))
        if include_dir is None:
            print(why, file=sys.stderr)
            return 2
        layout = measure(cc, C_STRUCTS, include_dir, REAL_INCLUDES)
    print(f"# {compiler_version(cc)}")
    print("{")
    for cname, fields in layout.items():
        print(f"    {cname!r}: {fields!r},")
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
