"""Fuzzing smoke tests (docs/testing.md, "Fuzzing") and the regressions the fuzzers found.

* ``make -C device/fuzz smoke``: the core interpreter's fuzz target built with gcc and
  -fsanitize=address,undefined, every seed and regression input once, then two seconds of
  seeded mutations; any sanitizer report, abort or hang fails it.
* a short run of the Python verifier's and simulator's fuzzer (tests/fuzz).
* the findings, as tests: a backward conditional branch loop no longer keeps a core from
  polling; f-string precisions with inf, nan and long precisions; NUL bytes in names.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from epython.bytecode.image import Function, GlobalSlot, ImageError, Program, decode, encode
from epython.bytecode.opcodes import ErrorCode
from epython.bytecode.verify import verify_bytes
from epython.compiler import compile_kernel
from epython.marshal import decode_value
from epython.testing.float32 import round_f32
from tests.fuzz import fuzz_python_verifier as pyfuzz
from tests.test_device_core import MESSAGE_BYTES, build_epy_run, run_c

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "device" / "fuzz"


@pytest.fixture(scope="module")
def core_exe() -> Path:
    """epy-run, built as tests/test_device_core.py builds it (EPYTHON_CORE_BUILD)."""
    return build_epy_run()


def _no_compiler() -> str | None:
    for tool in ("make", os.environ.get("CC", "gcc")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (the fuzz smoke test builds device/fuzz with it)"
    return None


def test_c_fuzz_smoke_under_asan_and_ubsan(tmp_path: Path) -> None:
    reason = _no_compiler()
    if reason:
        pytest.skip(reason)
    proc = subprocess.run(["make", "-j2", "-C", str(FUZZ), "smoke", "SMOKE_SECONDS=2"],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "fsanitize" in proc.stderr and "cannot find" in proc.stderr:
        pytest.skip("the C compiler has no ASan/UBSan runtime: " + proc.stderr[-300:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    assert "no crash" in proc.stderr, proc.stderr[-3000:]


def test_python_fuzzer_short_run(tmp_path: Path) -> None:
    assert pyfuzz.main(["--iterations", "300", "--seed", "7", "--out", str(tmp_path)]) == 0


class _Hang(BaseException):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Hang()


@pytest.mark.parametrize("path", sorted(p for p in (FUZZ / "regressions").iterdir()
                                        if not p.name.startswith(".")), ids=lambda p: p.name)
def test_regression_inputs_on_the_python_side(path: Path) -> None:
    image, args = pyfuzz.split(path.read_bytes())
    if pyfuzz.loop_without_tick(image):
        pytest.skip("a loop without a tick: the simulator does not poll there (docs/testing.md)")
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 60)
    try:
        outcomes = pyfuzz.check(image, args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert set(outcomes) <= {"rejected", "result", "kernel-error", "budget", "internal-error"}


# ---- a loop of backward conditional branches polls (the core can be stopped) ----------------
def test_backward_conditional_branch_loop_is_abandoned_at_the_timeout(core_exe: Path) -> None:
    # f: LOAD_TRUE; POP_JUMP_IF_TRUE 0; LOAD_NONE; RETURN_VALUE -- spins at pc 0..1 forever
    code = bytes([8, 43, 0, 0, 7, 56])
    image = encode(Program(["f"], [], [Function("f", 0, 0, 1, code)]))
    verify_bytes(image)
    (out,) = run_c(core_exe, image, [], 1, timeout=1.0)  # returns: the core polled and stopped
    assert out[0][0] == "timeout"


# ---- f-string precisions the core crashed on ---------------------------------------------------
def k_format_edges(x: Any) -> Any:
    return f"{x:.3}", f"{x:.1}", f"{x:.62}", f"{x:.30e}", f"{x:>12.5}", f"{x:+.17}"


@pytest.mark.parametrize("x", [math.inf, -math.inf, math.nan, 1.5, -2.75e-30, 3.0e38, 0.1])
def test_float_format_precisions_match_cpython(core_exe: Path, x: float) -> None:
    # CPython on the binary32 value is the reference (docs/language.md); the simulator's
    # formatting of a float with a precision and no type differs (reported, not tested here)
    image = compile_kernel(k_format_edges).image
    (out,) = run_c(core_exe, image, [x], 1)
    assert out[0][0] == "ok", out
    assert decode_value(out[0][1]) == k_format_edges(round_f32(x))


# ---- NUL bytes in function and global names ----------------------------------------------------
def k_named(a: Any) -> Any:
    return a + 1


@pytest.mark.parametrize("where", ["function", "global"])
def test_nul_in_a_name_is_rejected_by_both_verifiers(core_exe: Path, where: str) -> None:
    program = decode(compile_kernel(k_named).image)
    if where == "function":
        program.functions[0].name = "k\0named"
    else:
        program.globals.append(GlobalSlot("g\0"))
    program.consts.append("k\0named" if where == "function" else "g\0")
    image = encode(program)
    with pytest.raises(ImageError, match="name contains a NUL character") as info:
        verify_bytes(image)
    (out,) = run_c(core_exe, image, [1], 1)
    expected = f"the core's verifier rejected the program image: {info.value}"
    assert out[0][:2] == ("error", ErrorCode.BadImage), out
    assert out[0][4] == expected[:MESSAGE_BYTES]
