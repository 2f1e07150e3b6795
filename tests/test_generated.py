"""Files generated from the bytecode tables against their generator, and what the generated C
dispatch guarantees: every opcode has its handler where the table says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from epython.bytecode import OPCODES, Op, gen_c
from epython.bytecode.gen_c import DISPATCH_PATH, HEADER_PATH, OUTPUTS
from epython.bytecode.opcodes import BUILTINS, RAISABLE_ERRORS, Handler

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "device" / "core"
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


def test_every_generated_file_is_current() -> None:
    for path, make in OUTPUTS:
        assert path.exists(), f"{path} is missing: run python -m epython.bytecode.gen_c"
        assert path.read_text() == make(), \
            f"{path} is stale: run python -m epython.bytecode.gen_c"


def test_every_generated_c_file_is_stamped_as_generated() -> None:
    for path, _make in OUTPUTS:
        if path.suffix in (".c", ".h", ".ld"):
            head = "\n".join(path.read_text().splitlines()[:2])
            assert "GENERATED" in head and "DO NOT EDIT" in head, path


def test_check_names_a_stale_file_and_fails(tmp_path, monkeypatch, capsys) -> None:
    stale = tmp_path / "opcodes.h"
    stale.write_text("/* an old header */\n")
    monkeypatch.setattr(gen_c, "OUTPUTS", ((stale, gen_c.generate),) + gen_c.OUTPUTS[1:])
    assert gen_c.main(["--check"]) == 1
    assert f"{stale} is stale" in capsys.readouterr().err
    monkeypatch.setattr(gen_c, "OUTPUTS", gen_c.OUTPUTS[1:])
    assert gen_c.main(["--check"]) == 0


def test_check_passes_from_the_command_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "epython.bytecode.gen_c", "--check"],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


@needs_gcc
def test_c_header_compiles_and_agrees_with_the_table(tmp_path) -> None:
    src = tmp_path / "check.c"
    src.write_text(f'#include "{HEADER_PATH}"\n#include <stdio.h>\n'
                   "static const unsigned char len[] = EPY_OP_LENGTHS;\n"
                   "static const signed char pops[] = EPY_OP_POPS;\n"
                   "int main(void) { printf(\"%d %d %d %d %d\\n\", OP__COUNT, OP_RETURN_VALUE, "
                   "(int)sizeof len, pops[OP_CALL], EPY_RAISABLE_MAX); return 0; }\n")
    exe = tmp_path / "check"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", str(src), "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(len(OPCODES)), str(int(Op.RETURN_VALUE)), str(len(OPCODES)),
                   str(int(Op.CALL.pops)), str(int(max(RAISABLE_ERRORS)))]


def test_names_c_holds_every_opcode_and_builtin_in_code_order() -> None:
    text = (CORE / "names.c").read_text()
    ops = ", ".join(f'"{info.name}"' for info in OPCODES)
    builtins = ", ".join(f'"{b.name}"' for b in BUILTINS)
    assert f"epy_op_names[OP__COUNT] = {{{ops}}};" in text
    assert f"epy_builtin_names[BI__COUNT] = {{{builtins}}};" in text


def test_docs_opcode_table_is_current() -> None:
    text = (ROOT / "docs" / "bytecode.md").read_text()
    for info in OPCODES:
        assert f"| {info.code} | `{info.name}` | {info.operand.spelling or '-'} |" in text, info.name
        assert f"| {info.cycles} |" in text
    for b in BUILTINS:
        assert f"| {b.code} | `{b.name}` | {b.min_args}..{b.max_args} | {b.cycles} |" in text, b.name


def _compile_interp(core: Path, computed_goto: int) -> str:
    """Compile interp.c of ``core`` as the builds do; the compiler's errors ('' when none)."""
    proc = subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O1",
                           f"-DEPY_COMPUTED_GOTO={computed_goto}", "-c", str(core / "interp.c"),
                           "-o", "/dev/null"], capture_output=True, text=True, check=False)
    return proc.stderr if proc.returncode else ""


def _core_copy(tmp_path: Path, rare_in_table: str | None = None,
               loop_in_table: str | None = None) -> Path:
    """device/core copied, with dispatch.h as if one opcode's Handler were changed."""
    core = tmp_path / "core"
    shutil.copytree(CORE, core, ignore=shutil.ignore_patterns("epiphany"))
    text = (core / "dispatch.h").read_text()
    if rare_in_table:  # the table says the loop handles it
        text = text.replace(f"[OP_{rare_in_table}] = &&rare,",
                            f"[OP_{rare_in_table}] = &&L_OP_{rare_in_table},")
        text = text.replace(f"case OP_{rare_in_table}: ", "").replace(f"case OP_{rare_in_table}:", "")
    if loop_in_table:  # the table says only step_rare handles it
        text = text.replace(f"[OP_{loop_in_table}] = &&L_OP_{loop_in_table},",
                            f"[OP_{loop_in_table}] = &&rare,")
        text = text.replace(f"case OP_{loop_in_table}: ", "").replace(f"case OP_{loop_in_table}:", "")
        text = text.replace("#define EPY_CASES_RARE \\", f"#define EPY_CASES_RARE case OP_{loop_in_table}: \\")
    (core / "dispatch.h").write_text(text)
    return core


@needs_gcc
@pytest.mark.parametrize("computed_goto", [0, 1])
def test_interp_compiles_with_the_generated_dispatch(tmp_path, computed_goto) -> None:
    assert _compile_interp(_core_copy(tmp_path), computed_goto) == ""


@needs_gcc
@pytest.mark.parametrize("computed_goto", [0, 1])
def test_an_opcode_without_its_loop_handler_does_not_compile(tmp_path, computed_goto) -> None:
    errors = _compile_interp(_core_copy(tmp_path, rare_in_table="DUP_TOP_TWO"), computed_goto)
    assert "DUP_TOP_TWO" in errors


@needs_gcc
@pytest.mark.parametrize("computed_goto", [0, 1])
def test_a_loop_handler_the_table_does_not_use_does_not_compile(tmp_path, computed_goto) -> None:
    errors = _compile_interp(_core_copy(tmp_path, loop_in_table="NOP"), computed_goto)
    assert "OP_NOP" in errors


def test_the_dispatch_table_names_every_opcode_once() -> None:
    text = DISPATCH_PATH.read_text()
    for info in OPCODES:
        target = "rare" if info.handler is Handler.RARE else f"L_OP_{info.name}"
        assert text.count(f"[OP_{info.name}] = &&") == 1
        assert f"[OP_{info.name}] = &&{target}," in text


@needs_gcc
@pytest.mark.parametrize("computed_goto", [0, 1])
def test_a_rare_opcode_without_its_step_rare_case_does_not_compile(tmp_path, computed_goto) -> None:
    core = _core_copy(tmp_path)
    interp = core / "interp.c"
    text = interp.read_text()
    assert text.count("    case OP_ROT_THREE: {\n") == 1
    interp.write_text(text.replace("    case OP_ROT_THREE: {\n", "    {\n"))
    assert "OP_ROT_THREE" in _compile_interp(core, computed_goto)
