"""The ctypes e-hal binding against the eSDK 2016.11 release (the e-hal Parallella boards ship).

* Always: the ctypes struct mirrors have the layouts recorded from the real 2016.11 headers, on
  this machine (ctypes' own layout) and under the x86-64 and armhf data models (the layout the
  field types get there); the function table matches the prototypes of the host e-hal header.
* With an epiphany-libs tree (``EPIPHANY_LIBS_SRC``): a program compiled against the real
  headers prints every size and offset, which must equal ctypes' layout; the ARM cross
  compiler, when installed, agrees with the armhf model; the function table matches the real
  prototypes.

device/ehal-host/e-hal.h is compared with the mirrors in tests/test_device_backend.py.
"""

from __future__ import annotations

import ctypes
import platform
import shutil
import subprocess
from pathlib import Path

import pytest

from epython.backends.device import ehal as D
from tests import ehal_layouts as L

ROOT = Path(__file__).resolve().parent.parent
CC = shutil.which("gcc") or shutil.which("cc")
ARM_CC = shutil.which("arm-linux-gnueabihf-gcc")

#: The ctypes type each C parameter or return type of the e-hal API is bound as.
C_TYPES: dict[str, object] = {
    "int": ctypes.c_int,
    "unsigned": ctypes.c_uint,
    "unsigned int": ctypes.c_uint,
    "char *": ctypes.c_char_p,
    "const char *": ctypes.c_char_p,
    "void *": ctypes.c_void_p,
    "const void *": ctypes.c_void_p,
    "size_t": ctypes.c_size_t,
    "ssize_t": ctypes.c_ssize_t,
    "off_t": D.OFF_T,
    "e_bool_t": ctypes.c_int,  # C enums are int
    "e_hal_diag_t": ctypes.c_int,
    "e_platform_t *": ctypes.POINTER(D.EPlatform),
    "e_epiphany_t *": ctypes.POINTER(D.EEpiphany),
    "e_mem_t *": ctypes.POINTER(D.EMem),
}


def _native_model() -> str | None:
    """The recorded data model this Python runs under, if any."""
    machine, bits = platform.machine().lower(), ctypes.sizeof(ctypes.c_void_p) * 8
    if machine in ("x86_64", "amd64") and bits == 64:
        return "x86-64"
    if machine.startswith("arm") and bits == 32:
        return "armhf"
    return None


def _check_signatures(protos: dict[str, tuple[str, list[str]]], where: str,
                      table: dict[str, tuple[object, list[object]]]) -> None:
    for name, (restype, argtypes) in table.items():
        assert name in protos, f"{where} declares no {name}()"
        ret, params = protos[name]
        bound = [C_TYPES.get(p, p) for p in params]
        assert (C_TYPES.get(ret, ret), bound) == (restype, argtypes), (
            f"{name}: {where} declares {ret} {name}({', '.join(params)})")


# --- always --------------------------------------------------------------------------------------

def test_recorded_layouts_cover_every_mirrored_field() -> None:
    for model, layout in L.RECORDED.items():
        assert set(layout) == set(D.C_STRUCTS), model
        for cname, cls in D.C_STRUCTS.items():
            assert list(layout[cname]) == ["sizeof"] + [f for f, *_ in cls._fields_], (model, cname)


@pytest.mark.parametrize("model", sorted(L.RECORDED))
def test_ctypes_field_types_give_the_recorded_2016_11_layout(model: str) -> None:
    assert L.model_layout(D.C_STRUCTS, model) == L.RECORDED[model]


def test_ctypes_layout_on_this_machine_is_the_recorded_one() -> None:
    model = _native_model()
    if model is None:
        pytest.skip(f"no layout recorded for {platform.machine()} "
                    f"({ctypes.sizeof(ctypes.c_void_p) * 8}-bit); record one with "
                    "tests/ehal_layouts.py")
    assert L.ctypes_layout(D.C_STRUCTS) == L.RECORDED[model]
    assert L.model_layout(D.C_STRUCTS, model) == L.ctypes_layout(D.C_STRUCTS)


def test_2016_11_layouts_of_the_changed_structs() -> None:
    x86 = L.RECORDED["x86-64"]
    assert (x86["e_epiphany_t"]["sizeof"], x86["e_mem_t"]["sizeof"]) == (56, 88)
    assert (x86["e_platform_t"]["sizeof"], x86["e_platform_t"]["num_chips"]) == (112, 48)
    assert "regs_base" not in x86["e_platform_t"]
    assert list(x86["e_platform_t"])[-2:] == ["target_ops", "priv"]
    assert list(x86["e_epiphany_t"])[-1] == list(x86["e_mem_t"])[-1] == "priv"


def test_function_table_matches_the_host_ehal_header() -> None:
    protos = L.prototypes((ROOT / "device" / "ehal-host" / "e-hal.h").read_text())
    _check_signatures(protos, "device/ehal-host/e-hal.h", {**D.SIGNATURES, **D.OPTIONAL_SIGNATURES})


# --- with the real headers -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_headers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    include_dir, why = L.real_headers(tmp_path_factory.mktemp("epiphany-libs"))
    if include_dir is None:
        pytest.skip(f"real e-hal 2016.11 headers not available: {why}")
    return include_dir


def test_real_headers_print_the_ctypes_layout(real_headers: Path, tmp_path: Path) -> None:
    if CC is None:
        pytest.skip("needs a C compiler (gcc or cc)")
    lines = ["#include <stdio.h>", "#include <stddef.h>"]
    lines += [f"#include <{h}>" if "/" in h else f'#include "{h}"' for h in L.REAL_INCLUDES]
    lines.append("int main(void) {")
    for cname, cls in D.C_STRUCTS.items():
        lines.append(f'    printf("{cname} sizeof %zu\\n", sizeof({cname}));')
        for field, *_ in cls._fields_:
            lines.append(f'    printf("{cname} {field} %zu\\n", offsetof({cname}, {field}));')
    lines += ["    return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "layout"
    subprocess.run([CC, "-std=c99", "-Wall", "-Werror", "-I", str(real_headers), str(src), "-o",
                    str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    c_layout: L.Layout = {}
    for cname, field, value in (line.split() for line in out.splitlines()):
        c_layout.setdefault(cname, {})[field] = int(value)
    assert c_layout == L.ctypes_layout(D.C_STRUCTS)
    model = _native_model()
    if model is not None:
        assert c_layout == L.RECORDED[model]


def test_real_headers_under_the_arm_cross_compiler_give_the_armhf_layout(real_headers: Path) -> None:
    if ARM_CC is None:
        pytest.skip("needs arm-linux-gnueabihf-gcc (apt-get install gcc-arm-linux-gnueabihf)")
    measured = L.measure(ARM_CC, D.C_STRUCTS, real_headers, L.REAL_INCLUDES)
    assert measured == L.RECORDED["armhf"] == L.model_layout(D.C_STRUCTS, "armhf")


def test_function_table_matches_the_real_prototypes(real_headers: Path) -> None:
    protos: dict[str, tuple[str, list[str]]] = {}
    for header in L.REAL_PROTOTYPE_HEADERS:
        protos.update(L.prototypes((real_headers / header).read_text()))
    table = {**D.SIGNATURES, **D.OPTIONAL_SIGNATURES}
    del table["ehal_host_last_error"]  # the host e-hal's own extension
    _check_signatures(protos, f"the eSDK 2016.11 headers ({', '.join(L.REAL_PROTOTYPE_HEADERS)})",
                      table)
