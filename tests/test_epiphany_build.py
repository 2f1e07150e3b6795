"""The real Epiphany build of the core program (make -C device epiphany): it links, its
resident part fits RUNTIME_RESERVED_BYTES with the C stack, no double arithmetic runs from SRAM,
and the layout leaves the e-hal loader's words alone.

Needs the epiphany-elf cross toolchain (make -C device toolchain, 10-20 minutes once); CI
builds it, elsewhere these tests skip saying so.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from epython.bytecode import protocol as P
from tests.device_tools import load

ROOT = Path(__file__).resolve().parents[1]
DEVICE = ROOT / "device"
TOOLCHAIN = Path(os.environ.get("EPIPHANY_TOOLCHAIN", Path.home() / ".cache/epython/epiphany"))
GCC = TOOLCHAIN / "bin" / "epiphany-elf-gcc"
BUILD = DEVICE / "build" / "epiphany"

size_report = load("size_report")
stack_usage = load("stack_usage")

pytestmark = pytest.mark.skipif(
    not GCC.is_file(), reason=f"no {GCC}: run make -C device toolchain (10-20 minutes, once)")


@pytest.fixture(scope="module")
def build() -> dict[str, object]:
    proc = subprocess.run(["make", "-C", str(DEVICE), "epiphany", f"EPIPHANY_TOOLCHAIN={TOOLCHAIN}"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return size_report.report(BUILD / "epycore.elf")


def test_resident_part_and_stack_fit_the_reservation(build) -> None:
    assert build["resident_end"] + P.RUNTIME_STACK_BYTES <= P.RUNTIME_RESERVED_BYTES
    assert P.RUNTIME_RESERVED_BYTES <= 20 * 1024


def test_reservation_is_the_measured_size(build) -> None:
    # RUNTIME_RESERVED_BYTES comes from the real build: lower it when the build shrinks
    spare = build["headroom"]
    assert spare < 512, (f"the resident runtime ends at {build['resident_end']} B: set "
                         "RUNTIME_RESERVED_BYTES in epython/bytecode/memory.py to "
                         f"{build['resident_end'] + P.RUNTIME_STACK_BYTES} rounded up to 256 B "
                         "and regenerate (python -m epython.bytecode.gen_c)")


def test_no_double_precision_arithmetic_runs_from_sram(build) -> None:
    assert build["double_in_sram"] == []


def test_sections_respect_the_memory_map(build) -> None:
    by_name = {row["section"]: row for row in build["sections"]}
    assert by_name["ivt_reset"]["address"] == 0
    for row in build["sections"]:
        start, end = row["address"], row["address"] + row["bytes"]
        if row["in"] == "SRAM" and row["section"] not in ("workgroup_cfg", "ext_mem_cfg",
                                                          "loader_cfg"):
            # the e-hal loader writes 0x28..0x67 (workgroup, external memory, loader config)
            assert end <= 0x28 or start >= 0x68, row
            assert end <= P.RUNTIME_RESERVED_BYTES, row
        if row["in"] == "DRAM":
            cold = P.DRAM_CORE_BASE + P.COLD_CODE_OFFSET
            assert cold <= start and end <= cold + P.COLD_CODE_BYTES, row
    assert by_name["workgroup_cfg"]["address"] == 0x28
    assert by_name["ext_mem_cfg"]["address"] == 0x50
    assert by_name["loader_cfg"]["address"] == 0x58


def test_nothing_writable_is_shared_in_dram(build) -> None:
    data = (BUILD / "epycore.elf").read_bytes()
    for sec in size_report.read_sections(data):
        if sec.flags & 2 and sec.addr >= P.DRAM_CORE_BASE:  # SHF_ALLOC in DRAM
            assert not sec.flags & 1, f"{sec.name} is writable but every core shares it"


def test_srec_leaves_the_loader_words_alone(build) -> None:
    lines = (BUILD / "epycore.srec").read_text().split()
    records = [ln for ln in lines if ln.startswith("S3")]
    assert records
    for rec in records:
        count = int(rec[2:4], 16)
        addr = int(rec[4:12], 16)
        end = addr + count - 5  # address (4) and checksum (1) are counted
        assert end <= 0x28 or addr >= 0x68, rec


# functions that run per instruction or per allocation: they must stay in SRAM
RESIDENT = ["interp_run", "heap_alloc", "heap_release", "decref_obj", "seq_new",
            "array_get_int", "memcpy", "memset", "memmove", "__divsi3", "__modsi3",
            "__udivsi3", "__umodsi3", "__divsf3", "epy_idle_wait", "epy_software_exception",
            "epy_memory_fault"]


def test_inner_loop_functions_are_resident(build) -> None:
    data = (BUILD / "epycore.elf").read_bytes()
    where = {s.name: s.value for s in
             size_report.read_symbols(data, size_report.read_sections(data))}
    for name in RESIDENT:
        assert name in where, name
        assert where[name] < P.RUNTIME_RESERVED_BYTES, f"{name} is at 0x{where[name]:x}, not in SRAM"


def test_make_size_prints_the_report(build) -> None:
    proc = subprocess.run(["make", "-s", "-C", str(DEVICE), "size",
                           f"EPIPHANY_TOOLCHAIN={TOOLCHAIN}"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"resident in SRAM: text \d+ B, rodata \d+ B", proc.stdout)
    assert "interp_run" in proc.stdout


def test_the_c_stack_is_bounded_and_fits_its_reservation(build) -> None:
    r = stack_usage.analyse(BUILD)
    assert r["unbounded_cycles"] == [] and r["unknown_calls"] == []
    assert r["worst_case"] <= P.RUNTIME_STACK_BYTES
    # the reservation comes from the analysis: lower it when the deepest path shrinks
    assert P.RUNTIME_STACK_BYTES - r["worst_case"] < 128, (
        f"the worst-case stack is {r['worst_case']} B: set RUNTIME_STACK_BYTES to it, rounded "
        "up to 64 B, in epython/bytecode/memory.py")


def test_every_config_mode_switch_uses_a_loaded_mask(build) -> None:
    # GCC 12 left masks unloaded in array_wire_size, array_get_int and iter_next (e-sim: an array
    # argument cleared CONFIG, stopping CTIMER0); the build runs the check, so do we
    import config_check

    proc = subprocess.run([str(TOOLCHAIN / "bin" / "epiphany-elf-objdump"), "-d",
                           str(BUILD / "epycore.elf")], capture_output=True, text=True, check=True)
    assert config_check.findings(config_check.parse(proc.stdout.splitlines())) == []
