"""Every example program runs as a script on the default backend, exits 0 and prints something.

The examples check their own results against numpy or CPython with ``assert``, so a wrong
result shows up here as a non-zero exit status with the assertion in stderr.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))

#: Each example is meant to finish in well under 20 s on the simulator; this only stops a hang.
TIMEOUT_SECONDS = 90


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=TIMEOUT_SECONDS, check=False)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    assert proc.stdout.strip(), f"{script.name} printed nothing"
