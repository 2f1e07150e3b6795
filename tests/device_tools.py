"""The scripts of device/toolchain for the tests, imported by path (device/ is no Python package,
and the tests leave sys.path alone)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TOOLCHAIN = Path(__file__).resolve().parents[1] / "device" / "toolchain"


def load(name: str) -> ModuleType:
    """device/toolchain/<name>.py as the module ``name`` (imported once)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLCHAIN / f"{name}.py")
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    spec.loader.exec_module(module)
    return module
