"""Hypothesis profiles of the property tests (tests/test_properties.py).

* ``ci``: derandomized, no deadline, modest example counts (every property together runs in
  well under 90 s on a 2-core machine); chosen when the ``CI`` environment variable is set.
* ``dev``: the default locally: random, no deadline, a few more examples than ``ci``.
* ``thorough``: at least 2,000 examples per property (``tox -e thorough``).

Select one with ``EPYTHON_HYPOTHESIS_PROFILE=ci|dev|thorough``.  The profiles are applied to the
property tests only (through :func:`prop_settings`), never loaded globally, so the other tests'
hypothesis settings do not change.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
           HealthCheck.function_scoped_fixture]

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=100,
                          suppress_health_check=_CHECKS, print_blob=True, database=None)
settings.register_profile("dev", deadline=None, max_examples=60, suppress_health_check=_CHECKS,
                          print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=2000,
                          suppress_health_check=_CHECKS, print_blob=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target,
                                  Phase.shrink, Phase.explain])

PROFILE = os.environ.get("EPYTHON_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")


def prop_settings(weight: float = 1.0, **overrides: object) -> settings:
    """The selected profile, with ``max_examples`` scaled by ``weight`` (never below 2,000 in
    the thorough profile)."""
    base = settings.get_profile(PROFILE)
    n = max(5, int(base.max_examples * weight))
    if PROFILE == "thorough":
        n = max(n, base.max_examples)
    return settings(base, max_examples=n, **overrides)  # type: ignore[arg-type]
