"""Routing algorithms: small functions registered by name (``ChipConfig.routing``).

A route is the list of ``(router, output direction)`` steps from the source router to the
destination router.  Row 0 is the north edge, column 0 the west edge.  A destination may lie
off the chip (column ``cols`` is east of the east edge): the route then ends with the step
that leaves the edge router, which is how off-chip writes reach the eLink.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["DIRECTIONS", "ROUTING", "Coord", "RouteFn", "Step", "routing", "xy_route", "yx_route"]

Coord = tuple[int, int]
Step = tuple[Coord, str]  # (router coordinates, output direction)
RouteFn = Callable[[Coord, Coord], list[Step]]

DIRECTIONS = ("north", "south", "east", "west")


def _along_row(row: int, col: int, to_col: int, steps: list[Step]) -> int:
    """Append the steps along ``row`` from ``col`` to ``to_col``; return the final column."""
    step, name = (1, "east") if to_col > col else (-1, "west")
    while col != to_col:
        steps.append(((row, col), name))
        col += step
    return col


def _along_col(col: int, row: int, to_row: int, steps: list[Step]) -> int:
    """Append the steps along ``col`` from ``row`` to ``to_row``; return the final row."""
    step, name = (1, "south") if to_row > row else (-1, "north")
    while row != to_row:
        steps.append(((row, col), name))
        row += step
    return row


def xy_route(src: Coord, dst: Coord) -> list[Step]:
    """Dimension-order routing of the eMesh: along the row to the column, then the column."""
    steps: list[Step] = []
    col = _along_row(src[0], src[1], dst[1], steps)
    _along_col(col, src[0], dst[0], steps)
    return steps


def yx_route(src: Coord, dst: Coord) -> list[Step]:
    """Column first, then row: not the Epiphany's order, kept for what-if studies."""
    steps: list[Step] = []
    row = _along_col(src[1], src[0], dst[0], steps)
    _along_row(row, src[1], dst[1], steps)
    return steps


ROUTING: dict[str, RouteFn] = {"xy": xy_route, "yx": yx_route}


def routing(name: str) -> RouteFn:
    """The routing function registered as ``name``."""
    try:
        return ROUTING[name]
    except KeyError:
        raise ValueError(f"unknown routing {name!r}: use one of {sorted(ROUTING)}") from None
