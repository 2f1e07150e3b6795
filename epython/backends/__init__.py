"""Backends: the registry and the selection by ``EPYTHON_BACKEND``.

Built-in backends are ``sim`` (the esim simulator, the default) and ``device`` (the real chip
through e-hal).  Third-party packages add backends through the entry-point group
``epython.backends`` (name = ``"module:Class"``); backends are created on first use and kept,
so a simulated chip keeps its state (time, busy cores) across launches.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from importlib.metadata import entry_points

from epython.backends.base import Backend, CoreResult, Launch
from epython.errors import BackendError

__all__ = ["Backend", "CoreResult", "Launch", "get_backend", "known_backends", "reset_backends"]

ENV_VAR = "EPYTHON_BACKEND"
DEFAULT = "sim"
BUILTIN: dict[str, str] = {
    "sim": "epython.backends.sim:SimBackend",
    "device": "epython.backends.device:DeviceBackend",
}
ENTRY_POINT_GROUP = "epython.backends"

log = logging.getLogger("epython")
_instances: dict[str, Backend] = {}
_lock = threading.Lock()


def known_backends() -> dict[str, str]:
    """Name -> "module:Class" of every backend: built-ins and entry points."""
    found = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def get_backend(name: str | None = None) -> Backend:
    """The backend called ``name``, or the one ``EPYTHON_BACKEND`` selects (default "sim")."""
    chosen = name or os.environ.get(ENV_VAR, "").strip() or DEFAULT
    with _lock:
        backend = _instances.get(chosen)
        if backend is not None:
            return backend
        known = known_backends()
        spec = known.get(chosen)
        if spec is None:
            source = f"{ENV_VAR}={chosen!r}" if name is None else f"backend {chosen!r}"
            raise BackendError(f"unknown backend in {source}; known backends: "
                               f"{', '.join(sorted(known))}")
        module_name, _, class_name = spec.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            raise BackendError(f"backend {chosen!r} ({spec}) cannot be loaded: {exc}") from exc
        backend = cls()
        _instances[chosen] = backend
        log.info("epython backend %r ready (%s)", chosen, spec)
        return backend  # type: ignore[no-any-return]


def reset_backends() -> None:
    """Forget every backend instance (a fresh simulated chip on next use)."""
    with _lock:
        for backend in _instances.values():
            close = getattr(backend, "close", None)
            if close is not None:
                close()
        _instances.clear()
