"""The versions the translating engine generates of each bytecode function, and what the type
analysis (types.py) knows in each.

Every function has its generic version ``f<k>``; the entry's knows the classes of the
arguments of the launch (ints, floats, bools, lists, 1-D and 2-D float32/int32 arrays), for
which the engine translates the program (``compiled(program, arg_masks(args))``).  A function
with parameters that some CALL names also gets an *int variant* ``f<k>i``, entered only when
every argument is an int: there its parameters are INT, so the arithmetic on them needs no
class test (a recursive ``fib(n)`` runs its int variant all the way down).  A call site picks
the version by what its own analysis knows of the arguments: all INT, the int variant; each
may be an int, a class test of the others picks at run time; else the generic one.

What a call pushes is what the chosen version may return: the least fixed point over the
program, found by iterating the analyses from "returns nothing yet" (mask 0).  A call that
returns has a finite call tree, so by induction on it the fixed point holds every value a call
can return; a version that never returns keeps 0 and is then taken as ANY.

A function that only its calls make a generator (no loop, no observable builtin, and every
function it calls is such a function too) *escapes*: its versions are plain functions, which
raise Escape at a CALL whose tick is due instead of yielding, and each has a resumable
generator version ``f<k>g`` / ``f<k>ig`` that continues from the CALL (calls.py).
"""

from __future__ import annotations

from epython.bytecode.image import Program
from epython.bytecode.opcodes import Op
from esim.cores.jit.analysis import Analysis, JitFunction
from esim.cores.jit.types import ANY, INT, Slot, Types

__all__ = ["INTS", "RESUMES", "Variants"]

#: The name suffix of the int variant (the generic version has none).
INTS = "i"
#: The name suffix of the resumable version of an escaping function.
RESUMES = "g"
#: A call site whose version a class test of the arguments picks.
_PICK = "?"


class Variants:
    """The versions to generate (``keys``: (function, suffix)) and their analyses."""

    def __init__(self, program: Program, funcs: list[JitFunction], analyses: list[Analysis],
                 entry: tuple[int, ...] | None = None) -> None:
        """``entry``: the class masks of the entry's arguments (None: any), which its generic
        version then knows (unless some CALL enters it too)."""
        self.program = program
        called = {arg for f in funcs for op, arg, _, _ in f.instrs if op == Op.CALL}
        self.entry = entry if program.entry not in called else None
        #: does function k have an int variant?
        self.has_int = [f.n_params > 0 and f.index in called for f in funcs]
        self.keys: list[tuple[int, str]] = [(k, "") for k in range(len(funcs))]
        self.keys += [(k, INTS) for k in range(len(funcs)) if self.has_int[k]]
        #: does function k escape (see above)?
        straight = {f.index for f, a in zip(funcs, analyses) if a.straight}
        changed = True
        while changed:
            changed = False
            for k in sorted(straight):
                if any(op == Op.CALL and arg not in straight and analyses[k].depth[i] is not None
                       for i, (op, arg, _, _) in enumerate(funcs[k].instrs)):
                    straight.discard(k)
                    changed = True
        self.escapes = [a.may_yield and f.index in straight for f, a in zip(funcs, analyses)]
        #: the versions to generate: the analysed ones, and the resumable one of each
        #: escaping version
        self.versions = self.keys + [(k, suffix + RESUMES) for k, suffix in self.keys
                                     if self.escapes[k]]
        #: the class mask of what each version may return
        self.ret: dict[tuple[int, str], int] = dict.fromkeys(self.keys, ANY)
        self.types: dict[tuple[int, str], Types] = {}
        if not called:
            self.types = {key: self._types(funcs, analyses, key, False) for key in self.keys}
            return
        ret = dict.fromkeys(self.keys, 0)
        for _ in range(8 * len(self.keys) + 2):  # each step adds a bit to some mask
            self.ret = ret
            types = {key: self._types(funcs, analyses, key, True) for key in self.keys}
            new = {key: types[key].returned() for key in self.keys}
            if new == ret:
                break
            ret = {key: ret[key] | new[key] for key in self.keys}
        else:  # cannot happen (the masks only grow); nothing is known then
            ret = dict.fromkeys(self.keys, ANY)
        self.ret = {key: m or ANY for key, m in ret.items()}
        self.types = {key: self._types(funcs, analyses, key, False) for key in self.keys}

    def _types(self, funcs: list[JitFunction], analyses: list[Analysis], key: tuple[int, str],
               solving: bool) -> Types:
        k, suffix = key
        params: int | tuple[int, ...] = INT if suffix == INTS else ANY
        if k == self.program.entry and not suffix and self.entry is not None:
            params = self.entry
        return Types(self.program, funcs[k], analyses[k], params, self.returned, solving)

    def kind(self, callee: int, args: tuple[Slot, ...]) -> str:
        """Which version of ``callee`` a call with arguments ``args`` (what the caller knows
        of them) enters: "" (generic), INTS, or "?" (a class test picks)."""
        if not self.has_int[callee]:
            return ""
        if all(not m & ~INT for m, _, _ in args):  # (0: no value yet, as an int)
            return INTS
        if all(m & INT or not m for m, _, _ in args):
            return _PICK
        return ""

    def returned(self, callee: int, args: tuple[Slot, ...]) -> int:
        """The class mask of what a call of ``callee`` with ``args`` pushes."""
        kind = self.kind(callee, args)
        if kind == _PICK:
            return self.ret[(callee, INTS)] | self.ret[(callee, "")]
        return self.ret[(callee, kind)]

    def target(self, callee: int, args: tuple[Slot, ...], names: list[str]) -> str:
        """The expression of the function a call of ``callee`` enters, whose arguments are
        the expressions ``names``."""
        kind = self.kind(callee, args)
        if kind != _PICK:
            return f"f{callee}{kind}"
        test = " and ".join(f"{x}.__class__ is int" for x, (m, _, _) in zip(names, args) if m != INT)
        return f"(f{callee}{INTS} if {test} else f{callee})"
