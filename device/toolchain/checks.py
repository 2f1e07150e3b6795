"""What the build's checks of the Epiphany core program share (size_report.py, stack_usage.py):
how a check ends.  Each check computes its report as data, with the broken rules under
``"errors"``; ``finish`` prints those, writes the report as JSON when asked, and gives the exit
status."""

from __future__ import annotations

import json
from pathlib import Path


def finish(report: dict[str, object], json_path: Path | None) -> int:
    """Print each of ``report["errors"]`` as an ERROR line, write ``report`` to ``json_path``
    (when given); 1 when there were errors, else 0."""
    errors = report["errors"]
    assert isinstance(errors, list)
    for error in errors:
        print(f"ERROR: {error}")
    if json_path:
        json_path.write_text(json.dumps(report, indent=1))
    return 1 if errors else 0
