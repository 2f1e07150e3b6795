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


#: Distribution that provides each module the tests skip without (import name -> PyPI name).
DISTRIBUTIONS = {"matplotlib": "matplotlib", "distributed": "dask", "nbclient": "nbclient",
                 "nbformat": "nbformat", "ipykernel": "ipykernel"}


def _extra(name: str) -> set[str]:
    """The distributions an extra of pyproject.toml installs, following epython[...] references."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    out: set[str] = set()
    for req in extras[name]:
        nested = re.fullmatch(r"epython\[(.*)\]", req)
        if nested:
            for sub in nested.group(1).split(","):
                out |= _extra(sub.strip())
        else:
            out.add(re.split(r"[\[<>=!~ ]", req, maxsplit=1)[0])
    return out


def test_the_test_extra_installs_every_module_the_tests_skip_without() -> None:
    skipped = set()
    for path in (ROOT / "tests").rglob("*.py"):
        skipped |= set(re.findall(r"importorskip\(\s*\"([\w.]+)\"", path.read_text()))
    assert skipped, "the scan found no importorskip: the pattern is stale"
    unknown = skipped - set(DISTRIBUTIONS)
    assert not unknown, f"add {sorted(unknown)} to DISTRIBUTIONS and to the test extra"
    missing = {DISTRIBUTIONS[m] for m in skipped} - _extra("test")
    assert not missing, f"pip install -e '.[test]' would skip tests: add {sorted(missing)} to the test extra"


def test_ci_runs_the_readme_commands_as_written() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.search(r"```\n(.*?)```", readme, flags=re.S)
    assert commands is not None
    ci = (ROOT / ".ci" / "run").read_text()
    for line in commands.group(1).strip().splitlines():
        for part in line.split("&&"):
            part = part.strip().replace("pip install", "python -m pip install --quiet")
            assert part in ci, f".ci/run does not run the README's {part!r}"
