"""Property test of sets (issue 17): random programs over two sets (adds, discards, operators,
in-place operators, methods, comprehensions, loops) print what CPython prints, on the simulator
and on the C interpreter (epython.testing.strategies.sets)."""

from __future__ import annotations

from hypothesis import given

from epython.testing.strategies.sets import set_programs
from tests.hypothesis_profiles import prop_settings
from tests.test_dict_properties import assert_prints_what_cpython_prints


@prop_settings(weight=0.3)
@given(program=set_programs())
def test_random_set_programs_print_what_cpython_prints(program: str, backend: str) -> None:
    assert_prints_what_cpython_prints(program, backend)
