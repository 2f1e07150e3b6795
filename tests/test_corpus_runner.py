"""The corpus runner (epython.testing.corpus): programs in the style of MicroPython's
tests/basics run as kernels and print what CPython prints (issue 17).

tests/programs/ holds our own programs; a first-line comment ``# expect: STATUS [detail]``
states another outcome than ``match`` (the int32 limit, a refusal of what is still to come).
With ``EPYTHON_MICROPYTHON_BASICS`` set to MicroPython's tests/basics, every program of it that
compiles must match CPython too (otherwise that test skips saying how to get them)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from epython.testing.corpus import STATUSES, as_kernel, run_corpus, run_program, top_level_names

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("*.py"))


def _expected(path: Path) -> tuple[str, str]:
    first = path.read_text().splitlines()[0]
    if first.startswith("# expect: "):
        status, _, detail = first[len("# expect: "):].partition(" ")
        return status, detail
    return "match", ""


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_each_program_does_what_it_says(path: Path, backend: str) -> None:
    status, detail = _expected(path)
    assert status in STATUSES
    result = run_program(path, backend=backend)
    assert (result.status, result.detail if detail else "") == (status, detail), result


def test_a_program_becomes_a_kernel_with_its_top_level_names_as_globals() -> None:
    source = "import math\nx = 2\ndef f(n):\n    return n * x\nfor i in range(2):\n    print(f(i))\n"
    module = as_kernel(source, "k")
    tree = ast.parse(module)
    assert [type(s).__name__ for s in tree.body] == ["Import", "FunctionDef", "FunctionDef"]
    kernel = tree.body[-1]
    assert isinstance(kernel, ast.FunctionDef) and kernel.name == "k"
    assert isinstance(kernel.body[0], ast.Global) and kernel.body[0].names == ["x", "i"]
    assert top_level_names(ast.parse("a = 1\nb, c = 2, 3\n[d for d in e]\ndel a\n").body) == \
        ["a", "b", "c"]


def test_outcomes_that_differ_are_mismatches(tmp_path: Path) -> None:
    # a kernel whose output differs from CPython's: float32 arithmetic shows in the digits
    prog = tmp_path / "float32.py"
    prog.write_text("print(0.1 + 0.2)\n")
    result = run_program(prog)
    assert result.status == "mismatch" and "line 1 of the output" in result.detail, result
    skip = tmp_path / "skip.py"
    skip.write_text("import no_such_module_here\nprint(1)\n")
    assert run_program(skip).status == "skipped"
    assert {r.status for r in run_corpus([tmp_path])} == {"mismatch", "skipped"}


def test_an_uncaught_system_exit_is_the_program_exiting(tmp_path: Path) -> None:
    # CPython exits without a traceback: status 2 here, 0 for SystemExit() (no error at all)
    for code in ("2", "", "'bye'"):
        prog = tmp_path / "bye.py"
        prog.write_text(f"print(1)\nraise SystemExit({code})\nprint(2)\n")
        assert run_program(prog).status == "match", code
    prog.with_name("other.py").write_text("print(1)\nraise ValueError(2)\n")
    assert run_program(prog.with_name("other.py")).status == "match"


BASICS = os.environ.get("EPYTHON_MICROPYTHON_BASICS", "")


@pytest.mark.skipif(not BASICS, reason="set EPYTHON_MICROPYTHON_BASICS to MicroPython's "
                    "tests/basics (fetch github:micropython/micropython) to run it as kernels")
def test_every_micropython_basics_program_that_compiles_matches_cpython() -> None:
    results = run_corpus([Path(BASICS)])
    bad = [r for r in results if r.status == "mismatch"]
    assert not bad, "\n".join(f"{r.path}: {r.detail}" for r in bad)
