"""Random programs over sets (issue 17): a sequence of adds, discards, operators, in-place
operators and method calls on two sets whose items mix ints, strs, tuples and None, each step
printing what it sees in an order CPython and the kernels share (``sorted(..., key=repr)``:
a kernel's set iterates in insertion order, CPython's by hash).  A program is module-level code
in the style of the corpus (:mod:`epython.testing.corpus` runs it under CPython and as a kernel
and compares the output).  The items have no two of different types that are equal (``1`` and
``True``): which of two such items an intersection keeps differs (docs/language.md, "Sets").
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["SET_ITEMS", "set_programs"]

#: The items the programs draw from.
SET_ITEMS = ("0", "1", "2", "3", "7", "-4", "'a'", "'b'", "''", "(1, 2)", "(1,)", "None", "()")

#: One step of a program: a template over the drawn items X, Y and the sets S, T.
_STEPS = (
    "S.add(X)",
    "S.discard(X)",
    "if X in S:\n    S.remove(X)",
    "print(X in S, X not in S, len(S), bool(S))",
    "print(sorted(S | T, key=repr), sorted(S & T, key=repr))",
    "print(sorted(S - T, key=repr), sorted(S ^ T, key=repr))",
    "S |= T",
    "S &= T",
    "S -= {X}",
    "S ^= {X, Y}",
    "print(S == T, S != T, S <= T, S < T, S >= T, S > T)",
    "S.update([X, Y], (Y,))",
    "print(sorted(S.union([X], T), key=repr), sorted(S.intersection([X, Y]), key=repr))",
    "print(sorted(S.difference(T, [X]), key=repr), sorted(S.symmetric_difference([Y]), key=repr))",
    "S.intersection_update(T, [X, Y, 0])",
    "S.difference_update([X])",
    "S.symmetric_difference_update(T)",
    "print(S.issubset(T), S.issuperset([X]), S.isdisjoint(T))",
    "C = S.copy()\nC.add(X)\nprint(C == S, len(C))",
    "print(sorted({x for x in S if x != X}, key=repr), sorted(set(S), key=repr) == sorted(S, key=repr))",
    "for x in S:\n    T.add(x)",
    "print(len(S), len(T))",
)


@st.composite
def set_programs(draw: Any, max_steps: int = 8) -> str:
    """The text of a program: two sets from displays, then up to ``max_steps`` steps."""
    items = st.sampled_from(SET_ITEMS)
    lines = []
    for name in ("s", "t"):
        first = draw(st.lists(items, max_size=4))
        lines.append(f"{name} = " + ("{" + ", ".join(first) + "}" if first else "set()"))
    for _ in range(draw(st.integers(0, max_steps))):
        step = draw(st.sampled_from(_STEPS))
        s, t = draw(st.sampled_from((("s", "t"), ("t", "s"))))
        step = step.replace("S", s).replace("T", t).replace("X", draw(items)).replace(
            "Y", draw(items))
        lines.append(step)
    lines.append("print(sorted(s, key=repr), sorted(t, key=repr))")
    return "\n".join(lines) + "\n"
