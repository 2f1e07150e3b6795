"""Device-resident data: named values that live in core memory between launches.

    define_on_device("grid", np.zeros(64, np.float32))   # on every core
    copy_to_device("step", 3, target=[0, 1])
    copy_from_device("grid")                              # one value per core, in core order

Kernels use these names as module-level globals: they read them directly and assign them
after ``global name``.  A kernel's assignments persist for the next launch when the kernel
succeeds; a failing kernel leaves the values as they were.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from epython.backends import get_backend
from epython.marshal import MarshalError, check_value, to_array

__all__ = ["copy_from_device", "copy_to_device", "define_on_device", "defined_names"]

_lock = threading.Lock()
_defined: dict[str, None] = {}
_version = 0


def defined_names() -> tuple[tuple[str, ...], int]:
    """The names declared with define_on_device, and a version that changes with them."""
    with _lock:
        return tuple(_defined), _version


def _cores(target: int | Sequence[int] | None, n: int, where: str) -> tuple[list[int], bool]:
    if target is None:
        return list(range(n)), False
    single = isinstance(target, int) and not isinstance(target, bool)
    cores: list[int] = [target] if single else list(target)  # type: ignore[list-item,arg-type]
    bad = [c for c in cores if not isinstance(c, int) or not 0 <= c < n]
    if bad or not cores:
        raise ValueError(f"{where}: target {target!r} names a core that does not exist; "
                         f"this backend has cores 0..{n - 1}")
    return cores, single


def _check_name(name: object, where: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"{where}: the name must be a Python identifier string, got {name!r}")
    return name


def define_on_device(name: str, value: Any = None, target: int | Sequence[int] | None = None,
                     backend: str | None = None) -> None:
    """Declare ``name`` as device-resident and store ``value`` on the target cores."""
    global _version
    name = _check_name(name, "define_on_device")
    with _lock:
        if name not in _defined:
            _defined[name] = None
            _version += 1
    copy_to_device(name, value, target=target, backend=backend)


def copy_to_device(name: str, value: Any, target: int | Sequence[int] | None = None,
                   backend: str | None = None) -> None:
    """Store ``value`` under ``name`` on the target cores (all by default)."""
    name = _check_name(name, "copy_to_device")
    with _lock:
        if name not in _defined:
            raise NameError(f"copy_to_device: {name!r} is not device-resident; declare it with "
                            "define_on_device first")
    if isinstance(value, np.ndarray):
        value = to_array(value, f"copy_to_device({name!r})")
    try:
        check_value(value, f"copy_to_device({name!r})")
    except MarshalError as exc:
        raise TypeError(str(exc)) from None
    be = get_backend(backend)
    cores, _ = _cores(target, be.num_cores(), "copy_to_device")
    be.copy_to_device(name, value, cores)


def copy_from_device(name: str, target: int | Sequence[int] | None = None,
                     backend: str | None = None) -> Any:
    """The value of ``name`` on each target core (a list in core order; one value for an int)."""
    name = _check_name(name, "copy_from_device")
    be = get_backend(backend)
    cores, single = _cores(target, be.num_cores(), "copy_from_device")
    values = be.copy_from_device(name, cores)
    return values[0] if single else values
