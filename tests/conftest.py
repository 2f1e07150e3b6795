"""Shared fixtures: every test starts with fresh backends (a new simulated chip)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from epython.backends import reset_backends
from epython.backends.device import prefer_host_ehal

# The device backend runs over the project's host e-hal in the test suite unless a real eSDK is
# installed (or EPYTHON_EHAL names a library): every `backend`-parametrised test then runs on
# both backends, on any machine with a C compiler.
prefer_host_ehal()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked slow run only when asked for (``-m slow``, or any other -m expression)."""
    if config.getoption("markexpr"):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fresh_backends(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Isolate tests: no backend state and no EPYTHON_* selection leaks between them."""
    for var in ("EPYTHON_BACKEND", "EPYTHON_CHIP"):
        if var in os.environ:
            monkeypatch.delenv(var)
    reset_backends()
    yield
    reset_backends()
