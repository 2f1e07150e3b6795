"""Shared fixtures: every test starts with fresh backends (a new simulated chip)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from epython.backends import reset_backends


@pytest.fixture(autouse=True)
def fresh_backends(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Isolate tests: no backend state and no EPYTHON_* selection leaks between them."""
    for var in ("EPYTHON_BACKEND", "EPYTHON_CHIP"):
        if var in os.environ:
            monkeypatch.delenv(var)
    reset_backends()
    yield
    reset_backends()
