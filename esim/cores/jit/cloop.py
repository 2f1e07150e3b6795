"""The C function of a native loop (native.py): the generated function's dispatch loop,
translated statement by statement from the hook's site round to it again.

The function starts with a jump to just after the site (``entry``); every return is at the
site: a due tick (after its accounting, ``tick``), or a bail (``bail`` puts back the snapshot
taken when the pass started at the site).  The classes of the names where each statement
starts are found by iterating the translation to a fixed point over the loops' heads and the
site; a passed local whose class differs between passes makes the loop Untranslatable.
"""

from __future__ import annotations

import ast
from typing import Any

from esim.cores.jit.cexpr import CExpressions, Untranslatable, c_var, for_of, is_tick, next_of, tick_yield

__all__ = ["Loop", "Translator"]


class Loop:
    """One hook: the tick check where a C pass starts and ends (``site``), the generated
    function's dispatch loop around it (``region``), the locals it passes (``cc`` first), the
    stack slots live at the site (``iters``: the loops' iterators, which C steps when they are
    ranges' and makes anew for ``range(n)``), and its builds per combination of the locals'
    classes."""

    def __init__(self, region: ast.While, path: tuple[ast.AST, ...], names: tuple[str, ...],
                 temps: tuple[str, ...], iters: tuple[str, ...], where: str) -> None:
        self.region = region
        self.site = path[-1]
        #: the statements that contain the site (for the jump into the C loop)
        self.around = {id(n) for n in path}
        self.names = names
        #: the generated code's temporaries in the region (C variables, never passed)
        self.temps = temps
        self.iters = iters
        #: the slots whose iterators Python ``for`` statements around the site iterate (when
        #: C makes such a slot's range anew, it must be the range it had: the statement keeps
        #: iterating its iterator object, which then takes the new one's position)
        self.held = tuple(x for n in path if (x := for_of(n)) is not None and x in iters)
        self.where = where
        #: classes -> None (cannot be translated), a Future (building) or a NativeFunction
        self.builds: dict[tuple[type, ...], Any] = {}


class Translator(CExpressions):
    """The C function of one hook for the classes ``types`` (name -> 'i', 'f', 'b' or 'o': a
    value C never reads) its passed locals hold: :meth:`source`, or Untranslatable when no
    pass can run in C."""

    def __init__(self, loop: Loop, types: dict[str, str]) -> None:
        self.loop = loop
        self.entry = dict(types)
        self.lines: list[str] = []
        #: the classes where a pass starts (set by :meth:`source`)
        self.boundary: dict[str, str] = {}
        #: per translation: the states at the site, the loops around, the states arriving at
        #: each loop's head and leaving it
        self.heads: dict[int, dict[str, str]] = {}
        self.site_in: list[dict[str, str]] = []
        self.stack: list[ast.stmt] = []
        self.heads_in: dict[int, list[dict[str, str]]] = {}
        self.leave: dict[int, list[dict[str, str]]] = {}
        self.labels = 0

    # statements ---------------------------------------------------------------------------------
    #
    # A state maps each name to its class where a statement starts; None: no path from the
    # site reaches it (yet).  Loops' head states, the site's state and the states that leave
    # loops are found by iterating the translation to a fixed point (:meth:`source`).

    def emit(self, ind: int, text: str) -> None:
        """Append a line of C at indent ``ind``."""
        self.lines.append("    " * ind + text)

    def contains_site(self, s: ast.stmt) -> bool:
        """Whether the hook's check is ``s`` or inside it."""
        return id(s) in self.loop.around

    def block(self, stmts: list[ast.stmt], st: dict[str, str] | None, ind: int
              ) -> dict[str, str] | None:
        """Translate ``stmts`` from state ``st``; the state after them (None: never falls
        through)."""
        i = 0
        while i < len(stmts):
            s = stmts[i]
            if st is None and not self.contains_site(s):
                i += 1  # dead: no path from the site reaches it
                continue
            if st is not None and self.is_new_range(stmts, i):
                try:
                    st = self.new_range(stmts[i], st, ind)  # type: ignore[arg-type]
                except Untranslatable as exc:
                    self.bail(ind, str(exc))
                    st = None
                i += 4
                continue
            if (st is not None and i + 1 < len(stmts) and self.is_next(s, stmts[i + 1])
                    and not self.contains_site(stmts[i + 1])):
                st = self.next_item(s, stmts[i + 1], st, ind)  # type: ignore[arg-type]
                i += 2
                continue
            st = self.stmt(s, st, ind)
            i += 1
        return st

    def is_new_range(self, stmts: list[ast.stmt], i: int) -> bool:
        """``X = n``, ``range(X)`` and its iterator charged as small objects into the slot X
        (emit.py's ``range`` and ``GET_ITER`` of an int), none of them the site."""
        s = stmts[i]
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1
                and isinstance(s.targets[0], ast.Name) and s.targets[0].id in self.loop.iters
                and i + 3 < len(stmts)) or any(self.contains_site(t) for t in stmts[i:i + 4]):
            return False
        x = s.targets[0].id
        made = ast.unparse(stmts[i + 1]).split("\n")
        return (made[:3] == [f"if {x}.__class__ is int:", f"    r = range({x})", "else:"]
                and ast.unparse(stmts[i + 2]) == f"{x} = charge_small(r, ({x},), fr)"
                and ast.unparse(stmts[i + 3])
                == f"{x} = charge_small(RANGE_ITER({x}), ({x},), fr)")

    def new_range(self, s: ast.Assign, st: dict[str, str], ind: int) -> dict[str, str]:
        """``range(n)`` and its iterator in slot k: two small objects charged as
        ``charge_small`` does (where it would collect: a bail, the Python code does)."""
        x = s.targets[0]
        assert isinstance(x, ast.Name)
        k = self.loop.iters.index(x.id)
        c, t = self.expr(s.value, st)
        if t != "i" or st.get("fr") != "i":
            raise Untranslatable("range of a non-int")
        # charge_small: within lim; else add_bytes (a new peak at most); else a collection
        charge = ("if (fr_i + small <= lim) { used += small; lim -= small; dcy += small_cycles; }"
                  " else if (fast && fr_i + small <= workspace - used) { used += small; "
                  "dcy += small_cycles; if (used + fr_i > peak) peak = used + fr_i; "
                  "lim = peak - used; } else goto bail;")
        self.emit(ind, f"{{ int64_t n_ = {c}; {charge} {charge}")
        self.emit(ind, f"  ix{k} = 0; ln{k} = n_ > 0 ? n_ : 0; st{k} = 0; sp{k} = 1; mk{k} = 1; }}")
        return {**st, x.id: "r"}

    @staticmethod
    def is_next(s: ast.stmt, t: ast.stmt) -> bool:
        """``v = next(X.it, END)`` then ``if v is END: ... else: ...``."""
        return (isinstance(s, ast.Assign) and len(s.targets) == 1
                and isinstance(s.targets[0], ast.Name) and next_of(s.value) is not None
                and isinstance(t, ast.If) and isinstance(t.test, ast.Compare)
                and isinstance(t.test.left, ast.Name) and t.test.left.id == s.targets[0].id
                and len(t.test.ops) == 1 and isinstance(t.test.ops[0], ast.Is)
                and isinstance(t.test.comparators[0], ast.Name)
                and t.test.comparators[0].id == "END")

    def next_item(self, s: ast.Assign, t: ast.If, st: dict[str, str], ind: int
                  ) -> dict[str, str] | None:
        """The range's next item, or its end."""
        v = s.targets[0]
        assert isinstance(v, ast.Name)
        x = next_of(s.value)
        if x not in self.loop.iters or st.get(x) != "r" or not self.known(v.id):
            self.bail(ind, "an item of an iterator not passed")
            return None
        k = self.loop.iters.index(x)
        self.emit(ind, f"if (ln{k} < 0) goto bail;  /* not a range's */")
        self.emit(ind, f"if (ix{k} >= ln{k}) {{")
        a = self.block(t.body, st, ind + 1)
        self.emit(ind, "} else {")
        self.emit(ind + 1, f"{v.id}_i = st{k} + ix{k} * sp{k}; ix{k} += 1;")
        b = self.block(t.orelse, {**st, v.id: "i"}, ind + 1)
        self.emit(ind, "}")
        return _join(a, b)

    def bail(self, ind: int, why: str) -> None:
        """A jump to ``bail`` with the reason as a comment."""
        self.emit(ind, f"goto bail;  /* {why.replace('*/', '* /')} */")

    def stmt(self, s: ast.stmt, st: dict[str, str] | None, ind: int) -> dict[str, str] | None:
        """Translate one statement; the state after it (None: it does not fall through).  An
        Untranslatable statement bails (keeping, dead from above, the site inside it)."""
        if s is self.loop.site:
            assert isinstance(s, ast.If)
            return self.at_site(s, st, ind)
        if st is None:  # a statement the site is in, entered only by the jump to the site
            return self.structure(s, None, ind)
        try:
            if isinstance(s, (ast.If, ast.While, ast.For)):
                return self.structure(s, st, ind)
            return self.simple(s, st, ind)
        except Untranslatable as exc:
            self.bail(ind, str(exc))
            if self.contains_site(s):  # (raised before any of ``s`` was emitted)
                self.emit(ind, "if (0) {")
                left = self.structure(s, None, ind + 1)
                self.emit(ind, "}")
                return left
            return None

    def simple(self, s: ast.stmt, st: dict[str, str], ind: int) -> dict[str, str] | None:
        """``continue``, ``break``, ``pass``, an assignment, a counter's increment."""
        if isinstance(s, ast.Continue):
            self.arrive(self.stack[-1], st)
            self.emit(ind, "continue;")
            return None
        if isinstance(s, ast.Break):
            self.leave.setdefault(id(self.stack[-1]), []).append(dict(st))
            self.emit(ind, "break;")
            return None
        if isinstance(s, ast.Pass):
            return st
        if isinstance(s, ast.Assign) and len(s.targets) == 1:
            return self.assign(s.targets[0], self.expr(s.value, st), st, ind)
        if isinstance(s, ast.AugAssign):
            t = s.target
            if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                    and t.value.id == "state" and t.attr in ("cycles", "instructions")
                    and isinstance(s.op, ast.Add)):
                c, ty = self.expr(s.value, st)
                if ty not in ("i", "b"):
                    raise Untranslatable("counter increment")
                self.emit(ind, f"{'dcy' if t.attr == 'cycles' else 'dni'} += {c};")
                return st
            if isinstance(t, ast.Name):
                load = ast.Name(id=t.id, ctx=ast.Load())
                return self.assign(t, self.binop(s.op, self.expr(load, st),
                                                 self.expr(s.value, st)), st, ind)
            raise Untranslatable("augmented assignment")
        raise Untranslatable(type(s).__name__)

    def arrive(self, loop: ast.stmt, st: dict[str, str] | None) -> None:
        """Record a state reaching the head of ``loop`` (for the next round of the fixed point)."""
        if st is not None:
            self.heads_in.setdefault(id(loop), []).append(dict(st))

    def structure(self, s: ast.stmt, st: dict[str, str] | None, ind: int
                  ) -> dict[str, str] | None:
        """An ``if``, a ``while True:`` or a ``for`` over the stepped iterator."""
        if isinstance(s, ast.If):
            if st is not None and is_tick(s):  # another tick check: Python yields it
                self.emit(ind, f"if ({self.truth(s.test, st)}) goto bail;  /* a tick */")
                return st
            folded = self.fold(s.test, st) if st is not None else None
            test = ("1" if folded else "0") if folded is not None else (
                self.truth(s.test, st) if st is not None else "0")
            ta = st if folded is not False else None
            tb = st if folded is not True else None
            self.emit(ind, f"if ({test}) {{")
            a = self.block(s.body, ta, ind + 1)
            self.emit(ind, "} else {")
            b = self.block(s.orelse, tb, ind + 1)
            self.emit(ind, "}")
            return _join(a, b)
        if isinstance(s, ast.While) and isinstance(s.test, ast.Constant) \
                and s.test.value is True and not s.orelse:
            self.arrive(s, st)
            self.stack.append(s)
            self.emit(ind, "for (;;) {")
            end = self.block(s.body, self.heads.get(id(s)), ind + 1)
            self.arrive(s, end)
            self.emit(ind, "}")
            self.stack.pop()
            return _join_all(self.leave.get(id(s), []))
        if isinstance(s, ast.For) and for_of(s) in self.loop.iters:
            assert isinstance(s.target, ast.Name)
            if not self.known(s.target.id):
                raise Untranslatable("loop variable not passed")
            x = for_of(s)
            assert x is not None
            k = self.loop.iters.index(x)
            head = self.heads.get(id(s))
            if (head is not None and head.get(x) != "r") or (st is not None and st.get(x) != "r"):
                raise Untranslatable("a for over a slot that holds no range iterator")
            self.arrive(s, st)
            self.stack.append(s)
            n = self.label()
            self.emit(ind, "for (;;) {")
            self.emit(ind + 1, f"if (ln{k} < 0) goto bail;  /* not a range's */")
            self.emit(ind + 1, f"if (ix{k} >= ln{k}) goto else{n};")
            self.emit(ind + 1, f"{s.target.id}_i = st{k} + ix{k} * sp{k}; ix{k} += 1;")
            end = self.block(s.body, None if head is None else {**head, s.target.id: "i"},
                             ind + 1)
            self.arrive(s, end)
            self.emit(ind, "}")
            self.stack.pop()
            self.emit(ind, f"goto end{n};")
            self.emit(ind, f"else{n}: ;")
            done = self.block(s.orelse, head, ind)
            self.emit(ind, f"end{n}: ;")
            return _join_all([*self.leave.get(id(s), []), *([done] if done else [])])
        raise Untranslatable(f"a {type(s).__name__} statement")

    def known(self, name: str) -> bool:
        """A name C has a variable for."""
        return name in self.loop.names or name in self.loop.temps or name in self.loop.iters

    def label(self) -> int:
        """A fresh number for a ``for``'s labels."""
        self.labels += 1
        return self.labels

    def assign(self, target: ast.expr, value: tuple[str, str], st: dict[str, str], ind: int
               ) -> dict[str, str]:
        """Store ``value`` to a name C has (not the stepped iterator's) or to ``F32[0]``."""
        c, t = value
        if t not in ("i", "f", "b"):
            raise Untranslatable("store of an int-or-float")
        if isinstance(target, ast.Name):
            if not self.known(target.id):
                raise Untranslatable(f"store to {target.id}")
            self.emit(ind, f"{c_var(target.id, t)} = {c};")
            return {**st, target.id: t}
        if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                and target.value.id == "F32" and isinstance(target.slice, ast.Constant)
                and target.slice.value == 0):
            self.emit(ind, f"F32_0 = (float){self.as_double(value)};")
            return {**st, "F32": "f"}
        raise Untranslatable("store target")

    def at_site(self, s: ast.If, st: dict[str, str] | None, ind: int) -> dict[str, str]:
        """The site: a due tick's accounting then the return the hook yields; else a new pass
        (its snapshot); the jump from the function's start lands after it."""
        try:
            test = self.truth(s.test, st) if st is not None else None
        except Untranslatable as exc:
            self.bail(ind, str(exc))
            st = test = None
        if st is not None:
            self.site_in.append(dict(st))
            self.emit(ind, f"if ({test}) {{")
            k = tick_yield(s)
            assert k is not None
            after = self.block(s.body[:k], st, ind + 1)  # the accounting (then the yield)
            if after is not None:
                self.site_in.append(after)
                self.emit(ind + 1, "passes += 1; goto tick;")
            self.emit(ind, "}")
            for k in (self.loop.iters.index(x) for x in self.loop.held):
                self.emit(ind, f"if (mk{k} && (ln{k} != oln{k} || st{k} != ost{k} || "
                               f"sp{k} != osp{k})) goto bail;  /* another range than its for's */")
            self.emit(ind, "passes += 1; SNAPSHOT;")
        self.emit(ind, "entry: ;")
        return dict(self.boundary)

    # the function ---------------------------------------------------------------------------------

    def source(self) -> str:
        """The C source; Untranslatable when no pass returns to the site in C."""
        loop = self.loop
        names = loop.names
        # ('r': an iterator slot holding the range iterator its R block describes)
        start = {**self.entry, **dict.fromkeys(loop.temps, "o"), **dict.fromkeys(loop.iters, "r")}
        self.boundary = dict(start)
        self.heads = {}
        for _ in range(40):
            self.lines, self.site_in, self.stack = [], [], []
            self.heads_in, self.leave = {}, {}
            self.labels = 0
            self.stmt(loop.region, None, 1)
            # (joined with the last round's: a bail removes paths, the states only grow)
            joined = _join_all([start, self.boundary, *self.site_in])
            assert joined is not None
            boundary = {n: joined.get(n, "x") for n in start}
            heads = dict(self.heads)
            for k, v in self.heads_in.items():
                heads[k] = _join_all([heads[k], *v] if k in heads else v)  # type: ignore[assignment]
            if boundary == self.boundary and heads == self.heads:
                break
            self.boundary, self.heads = boundary, heads
        else:  # pragma: no cover - the lattice is three levels deep
            raise Untranslatable("classes do not settle")
        if not self.site_in:
            raise Untranslatable("no pass returns to the site")
        entry = self.boundary
        for n in names:
            if entry.get(n) == "x":
                raise Untranslatable(f"local {n} changes class between passes")
        for x in loop.iters:
            if entry.get(x) != "r":
                raise Untranslatable(f"slot {x} holds no range iterator where a pass starts")
        kept = [n for n in names if entry.get(n) in ("i", "f", "b")]
        saved = [c_var(n, entry[n]) for n in kept]
        # per iterator slot k: index, length (-1: not a range's), start, step, made in C
        ranged = [f"{v}{k}" for k in range(len(loop.iters)) for v in ("ix", "ln", "st", "sp", "mk")]
        saved += ["dcy", "dni", "used", "lim", "peak", *ranged]
        snapshot = " ".join(f"sv_{v} = {v};" for v in saved)
        out = ["#include <stdint.h>",
               f"/* {loop.where}: {', '.join(f'{n}:{entry.get(n)}' for n in names)} */",
               "int epy_loop(double *F, int64_t *I, int64_t *R, int64_t *O, int64_t *H) {",
               "    int64_t used = H[0], lim = H[1], small = H[2], small_cycles = H[3];",
               "    int64_t fast = H[4], workspace = H[5], peak = H[6];",
               "    (void)small; (void)small_cycles; (void)fast; (void)workspace;",
               "    int64_t dcy = 0, dni = 0, passes = 0;",
               "    float F32_0 = 0.0f;"]
        for k in range(len(loop.iters)):
            out.append(f"    int64_t ix{k} = R[{5 * k}], ln{k} = R[{5 * k + 1}], "
                       f"st{k} = R[{5 * k + 2}], sp{k} = R[{5 * k + 3}], mk{k} = 0;")
            out.append(f"    const int64_t oln{k} = ln{k}, ost{k} = st{k}, osp{k} = sp{k};"
                       f" (void)oln{k}; (void)ost{k}; (void)osp{k};")
        for n in (*names, *loop.temps, *loop.iters):
            out.append(f"    int64_t {n}_i = 0; double {n}_f = 0.0; (void){n}_i; (void){n}_f;")
            if n in kept:
                t = entry[n]
                out.append(f"    {c_var(n, t)} = {'F' if t == 'f' else 'I'}[{names.index(n)}];")
        out.extend(f"    {'double' if v.endswith('_f') else 'int64_t'} sv_{v} = {v};"
                   for v in saved)
        assert sum(line.strip() == "entry: ;" for line in self.lines) == 1, loop.where
        out.append("    goto entry;")
        out.extend(line.replace("SNAPSHOT;", snapshot) for line in self.lines)
        out.append("    goto bail;")
        out.append("bail:")
        out.append("    " + " ".join(f"{v} = sv_{v};" for v in saved))
        store = " ".join(f"{'F' if entry[n] == 'f' else 'I'}[{names.index(n)}] = "
                         f"{c_var(n, entry[n])};" for n in kept)
        for label, ret in (("", 0), ("tick:", 1)):  # (after bail's restore: return 0)
            if label:
                out.append(label)
            iters = " ".join(f"R[{5 * k}] = ix{k}; R[{5 * k + 1}] = ln{k}; R[{5 * k + 4}] = mk{k};"
                             for k in range(len(loop.iters)))
            out.append(f"    {store} {iters} H[0] = used; H[1] = lim; H[6] = peak;")
            out.append("    O[0] = dcy; O[1] = dni; O[2] = passes;")
            out.append(f"    return {ret};")
        out.append("}")
        return "\n".join(out) + "\n"


def _join_all(states: list[dict[str, str]]) -> dict[str, str] | None:
    out: dict[str, str] | None = None
    for s in states:
        out = _join(out, s)
    return out


def _join(a: dict[str, str] | None, b: dict[str, str] | None) -> dict[str, str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return {n: (a[n] if a.get(n) == b.get(n) else "x") for n in set(a) | set(b)}
