"""Speed suite of epython + esim: ``python -m benchmarks`` (see benchmarks/suite.py)."""
