"""Kernels defined in notebook cells compile and run (executed headless with nbclient)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebook.ipynb"


def test_notebook_runs_headless_and_shows_the_handle() -> None:
    nbformat = pytest.importorskip("nbformat", reason="install the notebook extra")
    nbclient = pytest.importorskip("nbclient", reason="install the notebook extra")
    pytest.importorskip("ipykernel", reason="install the notebook extra")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "ok 5400" in text
    html = [o["data"]["text/html"] for o in outputs
            if o.output_type == "execute_result" and "text/html" in o.get("data", {})]
    assert any("KernelHandle" in h and "<table>" in h for h in html)
