"""Golden disassembly of compiled kernels (regenerate with EPYTHON_REGOLD=1 after a deliberate
compiler change, and review the diff)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from epython.bytecode import disassemble
from epython.compiler import compile_kernel
from tests.kernels import cases
from tests.kernels import golden as kernels

HERE = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted({c.name for c in cases("golden")}))
def test_disassembly_matches_golden_file(name: str) -> None:
    listing = disassemble(compile_kernel(getattr(kernels, name)).program)
    golden = HERE / f"{name}.dis"
    if os.environ.get("EPYTHON_REGOLD"):
        golden.write_text(listing)
    assert listing == golden.read_text()
