"""device/toolchain/config_check.py: the check of GCC's CONFIG mode switches in the Epiphany
build (GCC 12 left a mask register unloaded; e-sim showed CONFIG cleared by an array argument);
and checks.py, how the build's checks end."""

from __future__ import annotations

from tests.device_tools import load

config_check = load("config_check")

HEAD = "00000100 <f>:\n"


def listing(*insns: str) -> list[str]:
    return [HEAD] + [f"     {0x100 + 4 * k:x}:\t0000 0000 \t{i}\n" for k, i in enumerate(insns)]


def test_a_mask_the_function_never_loaded_is_found() -> None:
    found = config_check.findings(config_check.parse(listing(
        "gid", "movfs r1,config", "and r1,r1,r17", "movts config,r1", "gie", "rts")))
    assert len(found) == 1 and "r17" in found[0] and found[0].startswith("f at 0x")


def test_a_mask_loaded_before_the_switch_passes() -> None:
    assert config_check.findings(config_check.parse(listing(
        "mov r17,0xfffe", "movt r17,0xfff1", "gid", "movfs r1,config", "and r1,r1,r17",
        "movts config,r1", "gie", "mov r3,0x0", "movt r3,0x8", "movfs r16,config",
        "orr r16,r16,r3", "movts config,r16", "rts"))) == []


def test_a_mask_loaded_only_after_the_switch_is_found() -> None:
    # array_get_int of the first real build: the load sat on another path, later in the code
    found = config_check.findings(config_check.parse(listing(
        "movfs r1,config", "and r1,r1,r17", "movts config,r1", "rts", "mov r17,0xfffe")))
    assert len(found) == 1


def test_stores_and_branches_do_not_count_as_loading_the_mask() -> None:
    found = config_check.findings(config_check.parse(listing(
        "str r17,[sp,+0x2]", "b 100", "movfs r2,config", "orr r2,r2,r17",
        "movts config,r2", "rts")))
    assert len(found) == 1


def test_a_check_ends_with_its_errors_printed_and_in_the_json(tmp_path, capsys) -> None:
    checks = load("checks")
    out = tmp_path / "r.json"
    assert checks.finish({"errors": ["too big", "a cycle"], "n": 3}, out) == 1
    assert capsys.readouterr().out == "ERROR: too big\nERROR: a cycle\n"
    assert '"too big"' in out.read_text()
    assert checks.finish({"errors": []}, None) == 0
    assert capsys.readouterr().out == ""
