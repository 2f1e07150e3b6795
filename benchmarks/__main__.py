"""``python -m benchmarks [--quick]``."""

import sys

from benchmarks.suite import main

sys.exit(main())
