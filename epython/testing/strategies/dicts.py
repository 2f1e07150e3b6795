"""Random programs over one dict (issue 17): a sequence of stores, deletions, lookups, method
calls, comprehensions and loops on a dict whose keys mix the kinds that CPython hashes alike
(``1``, ``1.0`` and ``True`` are one key) with strs, tuples and None, each step printing what it
sees.  A program is module-level code in the style of the corpus (:mod:`epython.testing.corpus`
runs it under CPython and as a kernel and compares the output), so a drawn program checks
both interpreters against CPython.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["DICT_KEYS", "dict_programs"]

#: The keys the programs draw from: equal numbers of three types, strs, tuples, None.
DICT_KEYS = ("0", "1", "1.0", "True", "False", "2.5", "'a'", "'b'", "(1, 2)", "(1,)", "None",
             "()", "(0, 'a')")
_VALUES = ("0", "-3", "'x'", "[1, 2]", "(4,)", "None", "1.5", "{}", "{1: 'v'}")

#: One step of a program: a template over the drawn key(s) K, L and value V.
_STEPS = (
    "d[K] = V",
    "if K in d:\n    del d[K]",
    "print(d.get(K), d.get(K, V))",
    "print(d.pop(K, V))",
    "print(d.setdefault(K, V))",
    "d.update({K: V, L: V})",
    "d.update([(K, V)])",
    "print(K in d, K not in d, len(d), bool(d))",
    "print(d)",
    "print(list(d.items()), list(d.values()))",
    "print(d.keys())",
    "e = {k: v for k, v in d.items() if k != K}\nprint(e == d, e != d, len(e))",
    "for k in d:\n    print(k, d[k])",
    "for k, v in d.items():\n    d[k] = [v]",
    "c = d.copy()\nc[K] = V\nprint(c == d, len(c))",
    "print(dict(d) == d, {**d, K: V})",
    "print(d[K] if K in d else 'missing')",
    "if d:\n    print(d.popitem())",
    "print(dict.fromkeys(d, V), list(d.keys()) == list(d))",
    "for k in d:\n    d[K] = V",  # a new key: RuntimeError at the next step, as in CPython
    "print(d == {**d}, {k: d[k] for k in d} == d)",
)


@st.composite
def dict_programs(draw: Any, max_steps: int = 8) -> str:
    """The text of a program: a dict built from a display, then up to ``max_steps`` steps."""
    keys = st.sampled_from(DICT_KEYS)
    values = st.sampled_from(_VALUES)
    first = draw(st.lists(st.tuples(keys, values), max_size=4))
    lines = ["d = {" + ", ".join(f"{k}: {v}" for k, v in first) + "}"]
    for _ in range(draw(st.integers(0, max_steps))):
        step = draw(st.sampled_from(_STEPS))
        step = step.replace("K", draw(keys)).replace("L", draw(keys)).replace("V", draw(values))
        lines.append(step)
    lines.append("print(d)")
    return "\n".join(lines) + "\n"
