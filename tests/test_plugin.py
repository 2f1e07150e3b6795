"""The pytest plugin's `backend` fixture runs a test on each selected backend."""

from __future__ import annotations

import os

from epython import offload

pytest_plugins = ["pytester"]


def triple(x):
    return 3 * x


def test_backend_fixture_sets_the_environment(backend: str) -> None:
    assert os.environ["EPYTHON_BACKEND"] == backend
    assert offload(target=0)(triple)(4) == 12


def test_option_selects_backends_and_skips_unavailable(pytester) -> None:  # type: ignore[no-untyped-def]
    pytester.makepyfile(test_x="""
        def test_uses(backend):
            assert backend in ("sim", "device")
    """)
    result = pytester.runpytest("--epython-backends=sim", "-q")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest("--epython-backends=sim,nosuch", "-q", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    assert "unknown backend" in result.stdout.str()
