"""Testing support: the pytest plugin (``backend`` fixture) and hypothesis strategies."""
