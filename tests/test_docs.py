"""Examples in docs/ are run, so the documentation cannot rot."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["futures.md", "asyncio.md", "sweeps.md", "typing-and-logging.md"]


def blocks(name: str) -> str:
    text = (ROOT / "docs" / name).read_text()
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    if name == "sweeps.md":  # the Dask block reuses the first one
        if not _has("distributed"):
            code = code[:1]
    return "\n".join(code)


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("name", DOCS)
def test_doc_examples_run(name: str, tmp_path: Path) -> None:
    script = tmp_path / f"{name}.py"
    script.write_text(blocks(name))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
