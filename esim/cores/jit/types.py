"""What the translating engine knows statically about the values of one function: for every
reachable instruction, the classes each local and each stack slot may hold before it runs, and
the literal value of a slot when every path gives it the same int or float constant.

A type is a bit mask of the classes below (``ANY``: nothing known).  The transfer functions
follow ``ops.binary`` exactly where they claim anything: an int/int arithmetic result is an int
(or the instruction raises), a result with a float operand is a float (or it raises: a float
with anything but a number is a TypeError), a comparison is a bool, ``range()`` is a range,
``iter()`` of a range is a KIter of ints that are not fresh objects.  Parameters are ``ANY``
(``INT`` in a function's int variant, which callers enter only with ints: variants.py); a
call's result is what the callee's variant may return (variants.py finds the least fixed
point over the program, starting from 0, "no value yet", which every operator passes on);
globals and everything else are ``ANY``.  The emitter uses the masks only to drop class tests
whose outcome is known, so the generated code computes the same values as the generic code.
"""

from __future__ import annotations

from collections.abc import Callable

from epython.bytecode.flow import stack_effect
from epython.bytecode.image import INT32_MAX, Program
from epython.bytecode.opcodes import BUILTIN_BY_NAME, OPCODES, Flow, Op
from esim.cores.jit.analysis import Analysis, JitFunction
from esim.cores.jit.spans import FULL, Span, binary_span, clamp, join_span
from esim.cores.state import core_constants

__all__ = ["ANY", "ARRAYS_1D", "ARRAYS_2D", "ARR_F1", "ARR_F2", "ARR_I1", "ARR_I2", "BOOL", "FLOAT", "INT",
           "LIST", "LIST_ITER", "NONE", "OBJECT", "OTHER", "RANGE", "RANGE_ITER", "Slot", "Types"]

INT, FLOAT, BOOL, NONE, RANGE, RANGE_ITER, OTHER = 1, 2, 4, 8, 16, 32, 64
#: values.Array of float32 or int32 elements, 1-D or 2-D (a kernel's arguments, whose row
#: views a subscript gives); other arrays are OTHER
ARR_F1, ARR_I1, ARR_F2, ARR_I2 = 128, 256, 512, 1024
ARRAYS_1D, ARRAYS_2D = ARR_F1 | ARR_I1, ARR_F2 | ARR_I2
#: a list, and a KIter over one (its items are not fresh objects)
LIST, LIST_ITER = 2048, 4096
#: every class a heap object may have
OBJECT = OTHER | ARRAYS_1D | ARRAYS_2D | LIST | LIST_ITER
ANY = 8191

#: A slot's static knowledge: (class mask, literal or None, span: the range of its value when
#: it is an int, or None: spans.py).
Slot = tuple[int, object, Span | None]
_UNKNOWN: Slot = (ANY, None, None)

_INT_RESULT = frozenset((Op.BINARY_ADD, Op.BINARY_SUB, Op.BINARY_MUL, Op.BINARY_FLOORDIV,
                         Op.BINARY_MOD, Op.BINARY_LSHIFT, Op.BINARY_RSHIFT, Op.BINARY_AND,
                         Op.BINARY_OR, Op.BINARY_XOR))
_FLOAT_RESULT = frozenset((Op.BINARY_ADD, Op.BINARY_SUB, Op.BINARY_MUL, Op.BINARY_TRUEDIV,
                           Op.BINARY_FLOORDIV, Op.BINARY_MOD, Op.BINARY_POW))
_INPLACE: dict[int, int] = {Op.INPLACE_ADD: Op.BINARY_ADD, Op.INPLACE_MUL: Op.BINARY_MUL}
_NUMBERS = INT | FLOAT | BOOL
_BOOL_BITS = frozenset((Op.BINARY_AND, Op.BINARY_OR, Op.BINARY_XOR))
_INT_BUILTINS = frozenset(BUILTIN_BY_NAME[n].code for n in ("len", "parallel.coreid",
                                                             "parallel.numcores"))
_RANGE = BUILTIN_BY_NAME["range"].code
_LEN = BUILTIN_BY_NAME["len"].code
_LITERALS: dict[int, Slot] = {Op.LOAD_TRUE: (BOOL, None, None), Op.LOAD_FALSE: (BOOL, None, None),
                              Op.LOAD_NONE: (NONE, None, None)}


def literal_slot(value: object) -> Slot:
    """The knowledge of a slot holding the constant ``value``."""
    if type(value) is int:
        return (INT, value, (value, value))
    if type(value) is float:
        return (FLOAT, value if value - value == 0.0 else None, None)  # inf, nan: no literal
    if type(value) is bool:
        return (BOOL, None, None)
    if value is None:
        return (NONE, None, None)
    return (OTHER, None, None)


def binary_result(op: int, a: int, b: int) -> int:
    """The class mask of ``a <op> b`` (masks) when it does not raise (0, no value, when an
    operand has none yet)."""
    if not a or not b:
        return 0
    if op in _INPLACE:
        if a & OBJECT:
            return ANY  # a list grows in place; anything else as the binary op
        op = _INPLACE[op]
    if a == INT and b == INT:
        if op in _INT_RESULT:
            return INT
        if op == Op.BINARY_TRUEDIV:
            return FLOAT
    if (a == FLOAT or b == FLOAT) and op in _FLOAT_RESULT:
        return FLOAT
    if op == Op.BINARY_TRUEDIV and not (a | b) & ~(INT | FLOAT):
        return FLOAT
    if op != Op.BINARY_MUL and (not a & ~_NUMBERS or not b & ~_NUMBERS):
        # a number with anything: ops.binary gives a number or raises (but * repeats a
        # sequence); bools' & | ^ give a bool
        return INT | BOOL if op in _BOOL_BITS else INT | FLOAT
    return ANY


def _join(x: Slot, y: Slot, widen: bool = False) -> Slot:
    """One of ``x`` and ``y``; ``widen`` (a loop's back edge): a span that grows is dropped, so
    that the analysis ends."""
    same = x[1] is not None and type(x[1]) is type(y[1]) and repr(x[1]) == repr(y[1])
    if not x[0] & INT:
        span = y[2]
    elif not y[0] & INT:
        span = x[2]
    else:
        span = join_span(x[2], y[2])
        if widen and span != x[2]:
            span = None
    return (x[0] | y[0], x[1] if same else None, span)


class Types:
    """The static knowledge before each instruction: ``locals_at[i]`` and ``stack_at[i]``
    (None for unreachable instructions)."""

    def __init__(self, program: Program, f: JitFunction, a: Analysis,
                 params: int | tuple[int, ...] = ANY,
                 returns: Callable[[int, tuple[Slot, ...]], int] | None = None,
                 solving: bool = False) -> None:
        """``params``: the class mask of every parameter (or of each); ``returns(callee, args)``: the mask
        of what a CALL of ``callee`` with arguments ``args`` pushes (None: ANY); ``solving``:
        a step of the fixed point, where a local never assigned loads as 0 (the load raises,
        no value flows on) rather than ANY, so that a result not known yet stays 0."""
        self.program = program
        self.f = f
        self.params = params
        self.returns = returns
        self.solving = solving
        self.consts = core_constants(program)
        n = len(f.instrs)
        self.locals_at: list[tuple[Slot, ...] | None] = [None] * n
        self.stack_at: list[tuple[Slot, ...] | None] = [None] * n
        try:
            self._solve(a)
        except _Unknown:  # a shape this analysis does not follow: nothing is known
            self.locals_at = [None] * n
            self.stack_at = [None] * n

    def stack(self, i: int, slot: int) -> Slot:
        """What is known of stack ``slot`` before instruction ``i``."""
        st = self.stack_at[i]
        if st is None or slot >= len(st):
            return _UNKNOWN
        return st[slot]

    def local(self, i: int, k: int) -> Slot:
        """What is known of local ``k`` before instruction ``i`` (when it is assigned)."""
        lo = self.locals_at[i]
        if lo is None:
            return _UNKNOWN
        return lo[k]

    def _solve(self, a: Analysis) -> None:
        f = self.f
        unset: Slot = (0, None, None)  # no class yet: only ever assigned on paths that store it
        pm = self.params if isinstance(self.params, tuple) else (self.params,) * f.n_params
        entry_locals = tuple([(m, None, None) for m in pm] + [unset] * (f.n_locals - f.n_params))
        work = [0]
        self.locals_at[0] = entry_locals
        self.stack_at[0] = ()
        while work:
            i = work.pop()
            lo, st = self.locals_at[i], self.stack_at[i]
            assert lo is not None and st is not None
            for target, state in self._step(i, lo, st):
                if a.depth[target] != len(state[1]):
                    raise _Unknown
                old_l, old_s = self.locals_at[target], self.stack_at[target]
                if old_l is None or old_s is None:
                    new = state
                else:
                    back = target <= i
                    new = (tuple(_join(x, y, back) for x, y in zip(old_l, state[0])),
                           tuple(_join(x, y, back) for x, y in zip(old_s, state[1])))
                    if new == (old_l, old_s):
                        continue
                self.locals_at[target], self.stack_at[target] = new
                work.append(target)

    def _step(self, i: int, lo: tuple[Slot, ...], st: tuple[Slot, ...]
              ) -> list[tuple[int, tuple[tuple[Slot, ...], tuple[Slot, ...]]]]:
        """The states after instruction ``i`` on each way out of it."""
        f = self.f
        op, arg, arg2, _ = f.instrs[i]
        info = OPCODES[op]
        pops, pushes = stack_effect(info, (arg, arg2),
                                    lambda k: self.program.functions[k].n_params)
        if pops > len(st):
            raise _Unknown
        out: list[tuple[int, tuple[tuple[Slot, ...], tuple[Slot, ...]]]] = []
        if info.is_jump:
            bp = info.branch_pops
            taken = st[:len(st) - bp] + (_UNKNOWN,) * info.branch_pushes
            out.append((arg, (lo, taken)))
        if info.flow in (Flow.NEXT, Flow.BRANCH) and i + 1 < len(f.instrs):
            new_lo, pushed = self._effect(op, arg, arg2, lo, st)
            if pushed is None:
                pushed = (_UNKNOWN,) * pushes
            if len(pushed) != pushes:
                raise _Unknown
            keep = st[:len(st) - pops]
            if op == Op.FOR_ITER:  # the iterator stays, the item comes
                keep = st
                pushed = (self._item(st[-1]),)
            out.append((i + 1, (new_lo, keep + pushed)))
        return out

    def returned(self) -> int:
        """The class mask of what this function may return (0: it never returns)."""
        m = 0
        for i, (op, _, _, _) in enumerate(self.f.instrs):
            st = self.stack_at[i]
            if op == Op.RETURN_VALUE and st is not None:
                m |= st[-1][0] if st else ANY
        if self.stack_at[0] is None:  # the analysis gave up
            return ANY
        return m

    @staticmethod
    def _span(op: int, a: Slot, b: Slot) -> Span | None:
        """The span of an int result of ``a <op> b``: ints come from int operands or bools
        (0 and 1, through ops.binary); with anything else that could give one, none."""
        if (a[0] | b[0]) & ~(INT | FLOAT | BOOL):
            return None
        return binary_span(op, *(join_span(x[2] or FULL, (0, 1)) if x[0] & BOOL else x[2]
                                 for x in (a, b)))

    def _range_items(self, st: tuple[Slot, ...], n: int) -> Span | None:
        """The span of the items of ``range()`` of the top ``n`` slots (a RANGE slot's span
        is its items')."""
        if n == 1:  # (a bool stop too: items of range(True) are ints from 0)
            stop = st[-1]
            return clamp((0, (stop[2] if stop[0] == INT and stop[2] else FULL)[1] - 1))
        if n == 2 and st[-2][0] == INT and st[-1][0] == INT:
            return clamp(((st[-2][2] or FULL)[0], (st[-1][2] or FULL)[1] - 1))
        return None

    def _item(self, it: Slot) -> Slot:
        return (INT, None, it[2]) if it[0] == RANGE_ITER else _UNKNOWN

    def _effect(self, op: int, arg: int, arg2: int, lo: tuple[Slot, ...], st: tuple[Slot, ...]
                ) -> tuple[tuple[Slot, ...], tuple[Slot, ...] | None]:
        """(locals after, slots pushed) of a falling-through instruction (None: unknown)."""
        if op == Op.LOAD_LOCAL:
            v = lo[arg]
            return lo, ((v[0] or (0 if self.solving else ANY), v[1], v[2]),)
        if op == Op.STORE_LOCAL:
            return lo[:arg] + (st[-1],) + lo[arg + 1:], ()
        if op == Op.LOAD_INT:
            return lo, ((INT, arg, (arg, arg)),)
        if op == Op.LOAD_CONST:
            return lo, (literal_slot(self.consts[arg]),)
        if op in _LITERALS:
            return lo, (_LITERALS[op],)
        if op == Op.DUP_TOP:
            return lo, (st[-1], st[-1])
        if op == Op.DUP_TOP_TWO:
            return lo, (st[-2], st[-1], st[-2], st[-1])
        if op == Op.ROT_TWO:
            return lo, (st[-1], st[-2])
        if op == Op.ROT_THREE:
            return lo, (st[-1], st[-3], st[-2])
        if Op.BINARY_ADD <= op <= Op.BINARY_XOR or op in _INPLACE:
            mask = binary_result(op, st[-2][0], st[-1][0])
            return lo, ((mask, None, self._span(op, st[-2], st[-1]) if mask & INT else None),)
        if Op.COMPARE_EQ <= op <= Op.COMPARE_IS_NOT or op == Op.UNARY_NOT:
            return lo, ((BOOL, None, None),)
        if op == Op.UNARY_NEG or op == Op.UNARY_POS:
            t = st[-1][0]
            return lo, ((t if t in (0, INT, FLOAT) else ANY, None, None),)
        if op == Op.BINARY_SUBSCR and not st[-1][0] & ~(INT | BOOL):
            c = st[-2][0]
            if c and not c & ~(ARRAYS_1D | ARRAYS_2D):
                m = ((FLOAT if c & ARR_F1 else 0) | (INT if c & ARR_I1 else 0)
                     | (ARR_F1 if c & ARR_F2 else 0) | (ARR_I1 if c & ARR_I2 else 0))
                return lo, ((m, None, None),)
        if op == Op.CALL and self.returns is not None:
            n = self.program.functions[arg].n_params
            return lo, ((self.returns(arg, st[len(st) - n:]), None, None),)
        if op == Op.GET_ITER:
            t = st[-1][0]
            if t in (LIST, LIST_ITER):
                return lo, ((LIST_ITER, None, None),)
            return lo, ((RANGE_ITER if t in (RANGE, RANGE_ITER) else ANY, None,
                         st[-1][2] if t in (RANGE, RANGE_ITER) else None),)
        if op == Op.BUILD_LIST:
            return lo, ((LIST, None, None),)
        if op == Op.CALL_BUILTIN:
            if arg == _RANGE:
                return lo, ((RANGE, None, self._range_items(st, arg2)),)
            if arg in _INT_BUILTINS:
                return lo, ((INT, None, (0, INT32_MAX) if arg == _LEN else None),)
        return lo, None


class _Unknown(Exception):
    """The analysis met a stack shape it does not follow."""
