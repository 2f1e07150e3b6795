"""The backend interface: what the offload API needs from a place that runs kernels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from epython.compiler import CompiledKernel

__all__ = ["Backend", "CoreResult", "Launch", "PerCore", "core_arguments"]


@dataclass
class CoreResult:
    """One core's outcome of a launch: its value or its error, and its cycle count."""

    core: int
    value: Any = None
    error: BaseException | None = None
    cycles: int | None = None  # simulated or measured core cycles, when the backend knows them
    instructions: int | None = None
    lines: list[str] = field(default_factory=list)
    #: numpy array arguments the core changed: argument index -> {flat index: new value}
    array_updates: dict[int, dict[int, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class PerCore:
    """An argument with a value of its own for each core of the launch, in the order of the
    launch's cores (``epython.split`` makes them)."""

    values: tuple[Any, ...]


def core_arguments(args: list[Any], cores: list[int]) -> dict[int, list[Any]] | None:
    """Each core's own argument list when some argument is :class:`PerCore`; None when every
    core receives ``args`` as they are."""
    if not any(isinstance(a, PerCore) for a in args):
        return None
    return {c: [a.values[rank] if isinstance(a, PerCore) else a for a in args]
            for rank, c in enumerate(cores)}


@runtime_checkable
class Launch(Protocol):
    """A launch in progress.  Per-core completions come in the order the cores finish.

    A launch may also have ``stream(sink)``: it then calls ``sink()`` while a wait runs it and
    printed lines are ready, and the handle takes and prints them (output streams during
    blocking calls); without it, lines are printed as results are collected.
    """

    cores: list[int]

    def poll(self) -> list[CoreResult]:
        """Results that completed since the last call, without blocking."""
        ...

    def wait_next(self, timeout: float | None) -> CoreResult | None:
        """Block until one more core completes (None when every core already has)."""
        ...

    def cancel(self, reason: str) -> None:
        """Stop the cores of this launch that have not finished, freeing them."""
        ...

    def take_lines(self) -> list[tuple[int, str]]:
        """Printed lines that reached the host since the last call, as (core, text)."""
        ...

    @property
    def seconds(self) -> float | None:
        """Duration of the launch in seconds of chip time, once finished (None if unknown)."""
        ...


@runtime_checkable
class Backend(Protocol):
    """A place that runs kernels: the simulator, the real chip, or a third-party target."""

    name: str

    def available(self) -> bool:
        """True when this backend can run here (e.g. the device's driver is found)."""
        ...

    def num_cores(self) -> int:
        """Number of cores a launch may use."""
        ...

    def busy_cores(self) -> set[int]:
        """Cores that still have unfinished launches (for ``auto=`` placement)."""
        ...

    def launch(self, kernel: CompiledKernel, args: list[Any], cores: list[int]) -> Launch:
        """Start ``kernel`` with ``args`` on ``cores`` and return at once.  An argument that is
        a :class:`PerCore` gives each core its own value (:func:`core_arguments`)."""
        ...

    def copy_to_device(self, name: str, value: Any, cores: list[int]) -> None:
        """Store a named device-resident value on ``cores`` (after their queued launches)."""
        ...

    def copy_from_device(self, name: str, cores: list[int]) -> list[Any]:
        """Read a named device-resident value from each of ``cores``."""
        ...
