"""``make -C device size``: the report parses, the hot text fits the SRAM budget, and the
functions of the interpreter's inner loops stay hot (never in the cold section).  No timing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DEVICE = Path(__file__).resolve().parent.parent / "device"
BUDGET = 20480

# functions that run per instruction or per loop iteration: they must stay in SRAM
HOT = {
    "interp.o": ["interp_run"],
    "heap.o": ["heap_alloc", "heap_release", "decref_obj", "heap_list_grow"],
    "iter.o": ["iter_next", "iter_new", "range_new"],
    "arith.o": ["binary_op", "compare_order", "values_eq", "truth"],
    "float.o": ["float_binary"],
    "array.o": ["array_get_int", "array_subscr", "array_store"],
    "builtins.o": ["call_builtin"],
    "seq.o": ["seq_new", "list_append"],
}


@pytest.fixture(scope="module")
def report() -> str:
    for tool in ("make", "gcc", "size", "objdump"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    proc = subprocess.run(["make", "-s", "-C", str(DEVICE), "size"], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_size_report_parses_and_adds_up(report: str) -> None:
    rows = re.findall(r"^(\w+\.o)\s+(\d+)\s+(\d+)\s+(\d+)$", report, re.M)
    assert {name for name, *_ in rows} >= set(HOT)
    total = re.search(r"^TOTAL\s+(\d+)\s+(\d+)\s+(\d+)$", report, re.M)
    assert total is not None
    assert int(total.group(1)) == sum(int(r[1]) for r in rows)
    assert int(total.group(2)) == sum(int(r[2]) for r in rows)
    hot = re.search(r"hot text in SRAM: (\d+) bytes", report)
    assert hot is not None and int(hot.group(1)) == int(total.group(1))


def test_hot_text_fits_the_budget(report: str) -> None:
    hot = re.search(r"hot text in SRAM: (\d+) bytes", report)
    assert hot is not None
    assert int(hot.group(1)) <= BUDGET, report


def test_inner_loop_functions_stay_hot(report: str) -> None:
    for obj, names in HOT.items():
        dump = subprocess.run(["objdump", "-t", str(DEVICE / "build" / "size" / obj)],
                              capture_output=True, text=True, check=True).stdout
        sections = {line.split()[-1]: line.split()[3] for line in dump.splitlines()
                    if " F " in line}
        for name in names:
            assert sections.get(name) == ".text", (obj, name, sections.get(name))
