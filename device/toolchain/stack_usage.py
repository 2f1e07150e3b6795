"""Worst-case C stack of the Epiphany build, from GCC's call graphs (-fcallgraph-info=su).

Every object of ``make -C device epiphany`` comes with a ``.ci`` file: the functions it defines
with their frame sizes, and the calls each one makes.  This script joins them into one call graph
and computes the deepest stack any path from the program's entry points can reach: ``main`` (the
runtime loop and everything under it) plus the deepest interrupt handler, which may run on top of
any frame.  The result is what ``RUNTIME_STACK_BYTES`` must hold.

Recursion is the hard part.  Each cycle of the graph must be listed in RECURSION below with the
bound on how often it can repeat and where that bound is enforced; an unlisted cycle is an error
(an unbounded C recursion would overflow the 2-3 KB stack on the chip).

Usage: ``python stack_usage.py build/epiphany [--json FILE]``; exit 1 on an unbounded cycle, a
call to an unknown function, or a worst case beyond ``RUNTIME_STACK_BYTES``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from checks import finish  # noqa: E402

from epython.bytecode import protocol  # noqa: E402

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"( shape : ellipse)? \}')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
BYTES = re.compile(r"\\n(\d+) bytes \((static|dynamic|dynamic,bounded)\)")

#: Functions without a call graph of their own (assembly, libgcc) and their frame bytes: the
#: libgcc routines the core calls are leaves or call only the leaves listed here (measured
#: from their disassembly: `str lr,[sp],#-N` and `add sp,sp,#-N`).
LEAVES = {
    "__divsi3": 16, "__modsi3": 16, "__udivsi3": 16, "__umodsi3": 16,
    "__addsf3": 96, "__subsf3": 96, "__mulsf3": 96, "__divsf3": 96,
    "__adddf3": 160, "__subdf3": 160, "__muldf3": 160, "__divdf3": 160,
    "__eqdf2": 96, "__nedf2": 96, "__ltdf2": 96, "__ledf2": 96, "__gtdf2": 96, "__gedf2": 96,
    "__unorddf2": 96, "__floatsidf": 96, "__floatunsidf": 96, "__fixdfsi": 96,
    "__fixunsdfsi": 96, "__extendsfdf2": 96, "__truncdfsf2": 96, "__negdf2": 96,
    "__floatdidf": 96, "__floatundidf": 96, "__fixdfdi": 96, "__fixunsdfdi": 96,
    "__muldi3": 32, "__divdi3": 64, "__moddi3": 64, "__udivdi3": 64, "__umoddi3": 64,
    "__ashldi3": 16, "__ashrdi3": 16, "__lshrdi3": 16, "__clzsi2": 16,
    "__eqsf2": 32, "__nesf2": 32, "__ltsf2": 32, "__lesf2": 32, "__gtsf2": 32, "__gesf2": 32,
    "__gtesf2": 32, "__unordsf2": 32, "__floatsisf": 32, "__fixsfsi": 32,
    "memcpy": 0, "memmove": 0, "memset": 0, "memcmp": 0, "memchr": 0, "strlen": 0,
    "epy_idle_wait": 0,
}
#: What an interrupt runs on top of whatever frame it interrupts: the fault handlers of crt0.S
#: jump to epy_fault (its frames are in the graph); the user interrupt's handler (crt0.S) uses
#: USER_ISR_BYTES below the stack pointer.
INTERRUPT_ROOTS = ("epy_fault",)
USER_ISR_BYTES = 12

#: Every recursion of the core and its bound: (functions of the cycle) -> (how many frames of
#: the cycle can be on the stack at once, where the bound is enforced).  protocol.MAX_NESTING
#: limits the nesting of lists, tuples and iterators that the cores walk (docs/language.md).
_N = protocol.MAX_NESTING
RECURSION: dict[frozenset[str], tuple[int, str]] = {
    frozenset({"write_value"}): (_N + 1, "format.c: a list or tuple inside MAX_NESTING raises"),
    frozenset({"eq_at"}): (_N + 1, "arith.c: a pair of lists inside MAX_NESTING raises"),
    frozenset({"order_at"}): (_N + 1, "arith.c: as eq_at"),
    frozenset({"encode"}): (_N + 1, "marshal.c: a list, tuple, range or iterator inside "
                                    "MAX_NESTING raises"),
    frozenset({"decode"}): (_N + 1, "marshal.c: a list or tuple inside MAX_NESTING is refused"),
    frozenset({"skip_value"}): (_N + 1, "runtime.c: values inside MAX_NESTING are refused"),
    frozenset({"iter_next", "source_next"}): (protocol.MAX_ITERATOR_NESTING,
                                              "iter.c: iter_make refuses an iterator made of "
                                              "more than MAX_ITERATOR_NESTING iterators"),
    frozenset({"truth"}): (2, "arith.c: truth of a one-element array is that of its element, "
                              "a number"),
}


def load(build: Path) -> tuple[dict[str, int], dict[str, set[str]], dict[str, str]]:
    """Frame bytes per function, calls per function, and the external name of each node."""
    frames: dict[str, int] = {}
    calls: dict[str, set[str]] = defaultdict(set)
    for ci in sorted(build.rglob("*.ci")):
        text = ci.read_text()
        for title, label, ellipse in NODE.findall(text):
            if ellipse:
                continue
            m = BYTES.search(label)
            if m is None or m.group(2) != "static":
                raise SystemExit(f"{ci}: {title} has no static frame size ({label!r})")
            frames[title] = int(m.group(1))
        for src, dst in EDGE.findall(text):
            calls[src].add(dst)
    # an external reference "f" names a global "f" defined in another file
    names = {t.split(":")[-1]: t for t in frames if ":" not in t}
    return frames, calls, names


def resolve(name: str, frames: dict[str, int], names: dict[str, str]) -> str | None:
    """The defined node a call target refers to (None for LEAVES)."""
    if name in frames:
        return name
    base = name.split(":")[-1]
    if base in names:
        return names[base]
    if base.removeprefix("__builtin_") in LEAVES or base in LEAVES:
        return None
    raise KeyError(name)


def sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), each a list of nodes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def analyse(build: Path) -> dict[str, object]:
    """The worst-case stack per root and the recursion found."""
    frames, raw_calls, names = load(build)
    graph: dict[str, set[str]] = {f: set() for f in frames}
    leaf_cost: dict[str, int] = defaultdict(int)
    unknown = set()
    for src, dsts in raw_calls.items():
        if src not in frames:
            continue
        for d in dsts:
            try:
                r = resolve(d, frames, names)
            except KeyError:
                unknown.add(f"{src} -> {d}")
                continue
            if r is None:
                base = d.split(":")[-1].removeprefix("__builtin_")
                leaf_cost[src] = max(leaf_cost[src], LEAVES[base])
            else:
                graph[src].add(r)
    comps = sccs(graph)
    comp_of = {v: i for i, c in enumerate(comps) for v in c}
    cycles = []
    unbounded = []
    bound_of: dict[int, int] = {}
    for i, c in enumerate(comps):
        if len(c) == 1 and c[0] not in graph[c[0]]:
            continue
        key = frozenset(n.split(":")[-1] for n in c)
        cycles.append(sorted(key))
        if key in RECURSION:
            bound_of[i] = RECURSION[key][0]
        else:
            unbounded.append(sorted(key))
            bound_of[i] = 1
    # deepest stack from each component (components come out of Tarjan in reverse topological
    # order: callees first), and the callee component that gives it
    deep: dict[int, int] = {}
    via: dict[int, int | None] = {}
    for i, c in enumerate(comps):
        inner = max(frames[v] + leaf_cost[v] for v in c)
        below, by = 0, None
        for v in c:
            for w in graph[v]:
                j = comp_of[w]
                if j != i and deep[j] > below:
                    below, by = deep[j], j
        via[i] = by
        if i in bound_of:  # a cycle: its frames nest up to the bound
            deep[i] = bound_of[i] * sum(frames[v] for v in c) + below + max(leaf_cost[v] for v in c)
        else:
            deep[i] = inner + below

    def depth(fn: str) -> int:
        return deep[comp_of[names.get(fn, fn)]]

    def path(fn: str) -> list[str]:
        out, i = [], comp_of[names.get(fn, fn)]
        while i is not None:
            c = comps[i]
            times = f" x{bound_of[i]}" if i in bound_of else ""
            out.append(f"{' + '.join(sorted(v.split(':')[-1] for v in c))}{times}: "
                       f"{sum(frames[v] for v in c)} B")
            i = via[i]
        return out

    main = depth("main")
    interrupt = max([USER_ISR_BYTES] + [depth(r) for r in INTERRUPT_ROOTS
                                        if names.get(r, r) in comp_of])
    errors = []
    if main + interrupt > protocol.RUNTIME_STACK_BYTES:
        errors.append(f"the worst-case stack exceeds RUNTIME_STACK_BYTES "
                      f"({protocol.RUNTIME_STACK_BYTES}): raise it in epython/bytecode/memory.py "
                      "(and RUNTIME_RESERVED_BYTES with it) or shorten the deepest path")
    errors += [f"recursion without a listed bound: {' <-> '.join(cyc)}" for cyc in unbounded]
    errors += [f"call to a function with no call graph and no entry in LEAVES: {call}"
               for call in sorted(unknown)]
    return {
        "errors": errors,
        "main": main,
        "interrupt": interrupt,
        "worst_case": main + interrupt,
        "deepest_path": path("main"),
        "cycles": cycles,
        "unbounded_cycles": unbounded,
        "unknown_calls": sorted(unknown),
        "largest_frames": sorted(((f, b) for f, b in frames.items()), key=lambda x: -x[1])[:15],
    }


def main(argv: list[str] | None = None) -> int:
    """Print the worst-case stack; exit 1 on an unbounded recursion or an unknown call."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--json", type=Path)
    ns = parser.parse_args(argv)
    r = analyse(ns.build)
    print(f"worst-case C stack: {r['worst_case']} B (main {r['main']} B + an interrupt "
          f"{r['interrupt']} B)")
    print("the deepest path from main (frames of each function, cycles times their bound):")
    for step in r["deepest_path"]:  # type: ignore[attr-defined]
        print(f"  {step}")
    for cyc in r["cycles"]:  # type: ignore[attr-defined]
        print(f"  recursion: {' <-> '.join(cyc)}")
    return finish(r, ns.json)

if __name__ == "__main__":
    raise SystemExit(main())
