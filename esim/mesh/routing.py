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


#: The direction of one hop by (axis, sign): axis 1 moves along a row (the column changes),
#: axis 0 along a column (the row changes).
_DIRECTIONS = {(1, 1): "east", (1, -1): "west", (0, 1): "south", (0, -1): "north"}


def _walk(at: Coord, axis: int, to: int, steps: list[Step]) -> Coord:
    """Append the hops from ``at`` along ``axis`` until that coordinate is ``to``; return where
    they end."""
    sign = 1 if to > at[axis] else -1
    name = _DIRECTIONS[axis, sign]
    pos = [at[0], at[1]]
    while pos[axis] != to:
        steps.append(((pos[0], pos[1]), name))
        pos[axis] += sign
    return pos[0], pos[1]


def xy_route(src: Coord, dst: Coord) -> list[Step]:
    """Dimension-order routing of the eMesh: along the row to the column, then the column."""
    steps: list[Step] = []
    _walk(_walk(src, 1, dst[1], steps), 0, dst[0], steps)
    return steps


def yx_route(src: Coord, dst: Coord) -> list[Step]:
    """Column first, then row: not the Epiphany's order, kept for what-if studies."""
    steps: list[Step] = []
    _walk(_walk(src, 0, dst[0], steps), 1, dst[1], steps)
    return steps


ROUTING: dict[str, RouteFn] = {"xy": xy_route, "yx": yx_route}


def routing(name: str) -> RouteFn:
    """The routing function registered as ``name``."""
    try:
        return ROUTING[name]
    except KeyError:
        raise ValueError(f"unknown routing {name!r}: use one of {sorted(ROUTING)}") from None
