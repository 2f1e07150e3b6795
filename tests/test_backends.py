"""Backend registry and selection by EPYTHON_BACKEND."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from epython import BackendError, offload
from epython.backends import get_backend, known_backends
from epython.backends.base import Backend

ROOT = Path(__file__).resolve().parent.parent


def add(a, b):
    return a + b


def test_sim_is_the_default_backend() -> None:
    backend = get_backend()
    assert backend.name == "sim" and isinstance(backend, Backend)
    assert backend.num_cores() == 16


def test_environment_selects_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPYTHON_BACKEND", "sim")
    assert get_backend().name == "sim"


def test_unknown_backend_name_lists_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPYTHON_BACKEND", "gpu")
    with pytest.raises(BackendError, match=r"unknown backend in EPYTHON_BACKEND='gpu'; known "
                                           r"backends: device, sim"):
        offload(add)(1, 2)


def test_registry_knows_where_the_device_backend_plugs_in() -> None:
    assert known_backends()["device"] == "epython.backends.device:DeviceBackend"


def test_device_backend_without_an_ehal_names_where_it_looked(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EPYTHON_BACKEND", "device")
    monkeypatch.setenv("EPYTHON_EHAL", str(tmp_path / "missing-libe-hal.so"))
    monkeypatch.setenv("EPIPHANY_HOME", str(tmp_path))
    with pytest.raises(BackendError, match="EPYTHON_EHAL=host"):
        offload(add)(1, 2)


def test_chip_preset_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPYTHON_CHIP", "e64")
    assert len(offload(add)(1, 2)) == 64


def test_argument_of_unsupported_type_is_a_type_error_naming_the_parameter() -> None:
    with pytest.raises(TypeError, match="argument 'b' of add"):
        offload(add)(1, {"x"})  # a set: kernels take no sets


def test_program_too_large_for_core_memory_is_refused() -> None:
    with pytest.raises(MemoryError, match="bytes of core memory"):
        offload(add)(1, list(range(3000)))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_device_backend_imports_nothing_of_esim() -> None:
    # the fit check and the report texts it shares with the simulator live in epython
    for path in sorted((ROOT / "epython" / "backends" / "device").glob("*.py")):
        esim = {m for m in _imported_modules(path) if m == "esim" or m.startswith("esim.")}
        assert not esim, f"{path.relative_to(ROOT)} imports {sorted(esim)}"


def test_esim_imports_no_backend_and_no_offload_api() -> None:
    forbidden = ("epython.backends", "epython.offload", "epython.handle")  # esim stands alone
    for path in sorted((ROOT / "esim").rglob("*.py")):
        bad = {m for m in _imported_modules(path) if m.startswith(forbidden)}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
