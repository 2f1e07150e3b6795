"""pytest plugin: run a test on every epython backend.

Installed with epython (entry point ``pytest11``).  A test that takes the ``backend`` fixture
runs once per selected backend with ``EPYTHON_BACKEND`` set accordingly::

    def test_my_kernel(backend):
        assert my_kernel(3) == [9] * 16

Select backends with ``--epython-backends=sim,device`` (default: every backend whose
``available()`` is true).  A requested backend that is not available here is skipped with the
reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from epython.backends import get_backend, known_backends, reset_backends
from epython.errors import BackendError

__all__ = ["backend", "pytest_addoption", "pytest_generate_tests"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--epython-backends``."""
    group = parser.getgroup("epython")
    group.addoption("--epython-backends", default=None,
                    help="comma-separated backends for the `backend` fixture "
                         "(default: every available backend, e.g. sim,device)")


def _available(name: str) -> tuple[bool, str]:
    try:
        backend = get_backend(name)
    except BackendError as exc:
        return False, str(exc)
    ok = backend.available()
    return ok, "" if ok else f"backend {name!r} is not available here"


def _selected(config: pytest.Config) -> list[str]:
    option = config.getoption("--epython-backends") or os.environ.get("EPYTHON_TEST_BACKENDS")
    if option:
        return [n.strip() for n in str(option).split(",") if n.strip()]
    return [n for n in sorted(known_backends()) if _available(n)[0]]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise the ``backend`` fixture over the selected backends."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _selected(metafunc.config), indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The name of the backend this run of the test uses (``EPYTHON_BACKEND`` is set to it)."""
    name = str(request.param)
    ok, why = _available(name)
    if not ok:
        pytest.skip(why)
    monkeypatch.setenv("EPYTHON_BACKEND", name)
    yield name
    reset_backends()
