"""Property test of dicts (issue 17): random programs over one dict (stores, deletions,
lookups, methods, comprehensions, loops, keys that CPython hashes alike) print what CPython
prints, on the simulator and on the C interpreter (epython.testing.strategies.dicts)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given

from epython.testing.corpus import run_program
from epython.testing.strategies.dicts import dict_programs
from tests.hypothesis_profiles import prop_settings


@prop_settings(weight=0.3)
@given(program=dict_programs())
def test_random_dict_programs_print_what_cpython_prints(program: str, backend: str) -> None:
    assert_prints_what_cpython_prints(program, backend)


def assert_prints_what_cpython_prints(program: str, backend: str) -> None:
    """Run ``program`` as a corpus program on ``backend``: it must print what CPython prints."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "program.py"
        path.write_text(program)
        result = run_program(path, backend=backend)
    assert result.status == "match", f"{result.detail}\n--- program ---\n{program}"
