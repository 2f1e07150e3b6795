"""The seed tutorial (examples/hello.py) gives exactly the documented output."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HELLO = ROOT / "examples" / "hello.py"

EXPECTED = (
    "".join(f"[core {c}] Hello World\n" for c in range(16)) + str([30] * 16) + "\n"
) * 2


def test_hello_example_prints_exact_output(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(HELLO), run_name="__main__")
    assert capsys.readouterr().out == EXPECTED


def test_hello_example_runs_as_a_script(backend: str) -> None:
    """`EPYTHON_BACKEND=device EPYTHON_EHAL=host python examples/hello.py` prints what the
    simulator prints (the backend fixture sets EPYTHON_BACKEND for the child)."""
    proc = subprocess.run([sys.executable, str(HELLO)], capture_output=True, text=True,
                          timeout=120, check=False, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED


def test_undecorated_function_runs_once_under_cpython(capsys: pytest.CaptureFixture[str]) -> None:
    source = HELLO.read_text()
    namespace: dict[str, object] = {}
    plain = source.split("@offload\n")[1].split("\n\n\n")[0]
    exec(compile(plain, str(HELLO), "exec"), namespace)
    result = namespace["helloworld"](10, 20)  # type: ignore[operator]
    assert result == 30
    assert capsys.readouterr().out == "Hello World\n"
