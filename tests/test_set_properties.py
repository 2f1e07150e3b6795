"""Property test of sets (issue 17): random programs over two sets (adds, discards, operators,
in-place operators, methods, comprehensions, loops) print what CPython prints, on the simulator
and on the C interpreter (epython.testing.strategies.sets)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given

from epython.testing.corpus import run_program
from epython.testing.strategies.sets import set_programs
from tests.hypothesis_profiles import prop_settings


@prop_settings(weight=0.3)
@given(program=set_programs())
def test_random_set_programs_print_what_cpython_prints(program: str, backend: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "set_program.py"
        path.write_text(program)
        result = run_program(path, backend=backend)
    assert result.status == "match", f"{result.detail}\n--- program ---\n{program}"
