"""Library diagnostics go through logging, never bare prints."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

from epython import offload

ROOT = Path(__file__).resolve().parents[1]
# print() is allowed where it is the product: kernel output, CLIs and reports
ALLOWED = {"epython/handle.py", "esim/microbench.py", "esim/__main__.py", "benchmarks",
           # the CPython reference of the testing helpers prints as a kernel would
           "epython/testing/reference.py",
           # the corpus runner's command line prints its report (and progress on stderr)
           "epython/testing/corpus.py"}


def add(a, b):
    return a + b


def test_launch_is_logged_on_the_epython_logger(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="epython"):
        offload(add)(1, 2)
    messages = [r.getMessage() for r in caplog.records if r.name == "epython"]
    assert any("compiled add" in m for m in messages)
    assert any("launching add" in m for m in messages)


def test_no_bare_prints_in_library_code() -> None:
    offenders = []
    for path in list((ROOT / "epython").rglob("*.py")) + list((ROOT / "esim").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.endswith("__main__.py") or "/profile/" in rel:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id == "print" and not rel.endswith(("dis.py", "gen_c.py")):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, offenders
