"""A case of the test corpus (a kernel, its arguments, its tags) and the registry of all cases."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the tags a case may carry (tests/kernels/__init__.py says what each means)
TAGS = frozenset({
    "cpython", "ints", "floats", "bools", "strings", "lists", "tuples", "arrays", "control",
    "functions", "recursion", "builtins", "math", "print", "comm", "memory", "sweep", "errors",
    "refused", "deadlock", "golden", "bench", "slow", "dicts",
})

#: the comment that marks the line where a kernel of the "errors" or "refused" tag fails
FAIL_MARKER = "# FAIL"


@dataclass(frozen=True)
class Case:
    """One kernel run: the function, its arguments and tags, on how many cores it runs, and for a
    failing case the error it raises (class, message regex, the function with the ``# FAIL``
    line when that is a helper rather than the kernel)."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    tags: frozenset[str]
    cores: int = 1
    error: type[BaseException] | None = None
    message: str | None = None
    line_of: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        """The kernel's name."""
        return self.fn.__name__

    @property
    def id(self) -> str:
        """A test id: the kernel's name and its arguments (arrays by dtype and shape)."""
        shown = ", ".join(_brief(a) for a in self.args)
        cores = f"@{self.cores}" if self.cores > 1 else ""
        return f"{self.name}({shown}){cores}"

    def fresh_args(self) -> tuple[Any, ...]:
        """A deep copy of the arguments (a run may change lists and arrays in place)."""
        return copy.deepcopy(self.args)

    def fail_line(self) -> int:
        """The line marked ``# FAIL`` in the kernel (or in ``line_of``): exactly one."""
        fn = self.line_of or self.fn
        lines, start = inspect.getsourcelines(fn)
        hits = [start + i for i, text in enumerate(lines) if FAIL_MARKER in text]
        assert len(hits) == 1, f"{fn.__name__}: expected one '{FAIL_MARKER}' line, found {len(hits)}"
        return hits[0]


def _brief(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array({value.dtype}{list(value.shape)})"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_REGISTRY: list[Case] = []


def register(fn: Callable[..., Any], *arg_sets: tuple[Any, ...], tags: str, cores: int = 1,
             error: type[BaseException] | None = None, message: str | None = None,
             line_of: Callable[..., Any] | None = None) -> None:
    """Add one case per argument tuple of ``arg_sets`` (none: one case without arguments);
    ``tags`` is a space-separated list of :data:`TAGS`."""
    tag_set = frozenset(tags.split())
    unknown = tag_set - TAGS
    assert not unknown, f"{fn.__name__}: unknown tags {sorted(unknown)}"
    assert (error is not None) == bool(tag_set & {"errors", "deadlock"}), \
        f"{fn.__name__}: error= goes with the tag 'errors' or 'deadlock'"
    for args in arg_sets or ((),):
        _REGISTRY.append(Case(fn, tuple(args), tag_set, cores, error, message, line_of))


def cases(*tags: str, without: Iterable[str] = (), cores: int | None = None) -> list[Case]:
    """The registered cases carrying every one of ``tags`` and none of ``without`` (and, when
    given, running on ``cores`` cores), in registration order."""
    wanted, unwanted = set(tags), set(without)
    assert wanted | unwanted <= TAGS, sorted((wanted | unwanted) - TAGS)
    return [c for c in _REGISTRY if wanted <= c.tags and not unwanted & c.tags
            and (cores is None or c.cores == cores)]


def params(selected: list[Case], known: dict[str, str] | None = None) -> list[Any]:
    """``selected`` as pytest parameters: each with its id, ``slow`` cases marked slow, and the
    kernels named in ``known`` (name -> reason) marked as a known disagreement (strict xfail:
    the test fails once they agree, so that the mark is removed)."""
    import pytest

    out = []
    for c in selected:
        marks = [pytest.mark.slow] if "slow" in c.tags else []
        if known and c.name in known:
            marks.append(pytest.mark.xfail(reason=known[c.name], strict=True))
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out
