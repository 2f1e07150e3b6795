"""Endpoints of transfers: a core (id or (row, col)), ``"dram"`` or ``"host"``."""

from __future__ import annotations

from dataclasses import dataclass

from esim.config import ChipConfig
from esim.mesh.routing import Coord

__all__ = ["Endpoint", "Place", "resolve"]

Endpoint = int | tuple[int, int] | str
"""What callers pass: core id (row-major, relative), (row, col), ``"dram"`` or ``"host"``."""


@dataclass(frozen=True)
class Place:
    """A resolved endpoint: ``kind`` is ``"core"``, ``"dram"`` or ``"host"``."""

    kind: str
    coord: Coord | None = None

    @property
    def is_core(self) -> bool:
        """True for a core endpoint."""
        return self.kind == "core"

    @property
    def xy(self) -> Coord:
        """Coordinates of a core endpoint."""
        if self.coord is None:
            raise ValueError(f"{self} is not a core")
        return self.coord

    def __str__(self) -> str:
        if self.coord is None:
            return self.kind
        name = _CORE_NAMES.get(self.coord)
        if name is None:  # one string per core, shared by all its transfers' records
            name = _CORE_NAMES[self.coord] = f"({self.coord[0]},{self.coord[1]})"
        return name


_CORE_NAMES: dict[Coord, str] = {}


DRAM = Place("dram")
HOST = Place("host")


def resolve(config: ChipConfig, endpoint: Endpoint) -> Place:
    """Check an endpoint against the chip and resolve it to a :class:`Place`."""
    if isinstance(endpoint, str):
        if endpoint == "dram":
            return DRAM
        if endpoint == "host":
            return HOST
        raise ValueError(f"unknown endpoint {endpoint!r}: use (row, col), a core id, 'dram' or 'host'")
    if isinstance(endpoint, bool):
        raise ValueError(f"endpoint {endpoint!r} is a bool, not a core")  # noqa: TRY004 (API: ValueError)
    if isinstance(endpoint, int):
        return Place("core", config.coords(endpoint))
    if isinstance(endpoint, (tuple, list)) and len(endpoint) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in endpoint):
        row, col = endpoint
        config.core_at(row, col)  # raises ValueError off the chip
        return Place("core", (row, col))
    raise ValueError(f"bad endpoint {endpoint!r}: use (row, col), a core id, 'dram' or 'host'")
