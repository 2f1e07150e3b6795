"""The text side of the translating engine's code generation: the ``Emitter`` that collects
generated lines and the instruction/cycle counter's packed additions, the ``Segment`` of a
straight-line run, and small source helpers (split from ``emit.py``, which translates the
instructions)."""

from __future__ import annotations

from typing import Any

__all__ = ["Emitter", "Segment", "hook_text", "tuple_display"]


class Emitter:
    """Lines of generated source, each with the (function, instruction) it belongs to and the
    cycles and instructions its segment charged beyond that instruction (``rem``, resolved
    when the function is complete)."""

    def __init__(self, shift: int, real: bool = False) -> None:
        self.lines: list[str] = []
        self.owner: list[tuple[int, int] | None] = []
        self.rem: list[tuple[int, int]] = []
        self.shift = shift  # the counter ``cc`` holds instructions << shift plus cycles
        self.real = real  # ... as a float (exact: the counter stays below 2**53)
        self.ref: tuple[Segment, int, int] | None = None  # the current instruction's place
        self.patches: list[tuple[int, int, Any]] = []
        self.refs: list[tuple[int, Segment, int, int]] = []
        #: whether back edges' ticks get native hooks (native.py), and each hook's site:
        #: (generated function, line of its tick check, the stack slots live there (the
        #: loops' iterators), the locals it passes)
        self.native = False
        self.sites: list[tuple[str, int, tuple[str, ...], tuple[str, ...]]] = []

    def emit(self, indent: int, text: str, owner: tuple[int, int] | None = None) -> None:
        """Append ``text`` (possibly several lines) at ``indent``, owned by ``owner``."""
        for part in text.split("\n"):
            if owner is not None and self.ref is not None:
                self.refs.append((len(self.lines), *self.ref))
            self.lines.append("    " * indent + part)
            self.owner.append(owner)
            self.rem.append((0, 0))

    def placeholder(self, indent: int, resolve: Any) -> None:
        """A line whose text ``resolve()`` gives once every segment is complete."""
        self.patches.append((len(self.lines), indent, resolve))
        self.emit(indent, "pass")

    def resolve(self) -> None:
        """Fill in the placeholders and the remainders of the segments emitted so far."""
        for line, indent, fn in self.patches:
            self.lines[line] = "    " * indent + fn()
        for line, seg, c, n in self.refs:
            self.rem[line] = (seg.c - c, seg.n - n)
        self.patches.clear()
        self.refs.clear()

    def packed(self, c: int, n: int) -> str:
        """``c`` cycles and ``n`` instructions as one counter value (source)."""
        v = (n << self.shift) + c
        return f"{v}.0" if self.real else str(v)

    def flush(self, pending: tuple[int, int] = (0, 0)) -> str:
        """Move the counter to the core state, keeping what is charged ahead (``pending``)."""
        mask = (1 << self.shift) - 1
        k = "k = int(cc); " if self.real else ""
        var = "k" if self.real else "cc"
        p = self.packed(*pending)
        out = f"{k}state.cycles += {var} & {mask}; state.instructions += {var} >> {self.shift}"
        if pending != (0, 0):
            return f"cc -= {p}; {out}; cc = {p}"
        return f"{out}; cc = {self.packed(0, 0)}"


class Segment:
    """Straight-line generated code whose cycles and instructions are charged at once, on
    entry (``c``, ``n``: the totals)."""

    __slots__ = ("c", "n")

    def __init__(self) -> None:
        self.c = 0
        self.n = 0


def _add(em: Emitter, c: int, n: int) -> str:
    """The statement adding ``c`` cycles and ``n`` instructions to the counter."""
    if (c, n) == (0, 0):
        return "pass"
    if n < 0 or (n == 0 and c < 0):
        return f"cc -= {em.packed(-c, -n)}"
    return f"cc += {em.packed(c, n)}"


def tuple_display(items: list[str]) -> str:
    """Source of a tuple display of ``items``."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def hook_text(j: int, iters: tuple[str, ...], names: tuple[str, ...]) -> str:
    """A native hook (native.py) after a back edge's ``yield TICK_REQUEST``: while the C
    passes of hook ``j`` return at a due tick, yield it; the heap's limit ``lim``, the iterator
    slots ``iters`` and the locals ``names`` come back."""
    args = ", ".join(("lim", *iters, *names))
    call = (f"NATIVE({j}, state, heap, lim, SMALL, SMALL_CYCLES, FAST, "
            f"({''.join(x + ', ' for x in iters)}), {', '.join(names)})")
    return (f"q = {call}\n"
            f"while q is not None:\n"
            f"    {args}, t = q\n"
            f"    if not t:\n"
            f"        break\n"
            f"    yield TICK_REQUEST\n"
            f"    q = {call}")
