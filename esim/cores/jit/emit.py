"""Python source generation for the translating engine: one generator function per bytecode
function, inside one ``make(...)`` closure per program image (see ``esim/cores/jit/__init__.py``
for the scheme).  The names the generated code uses are its namespace
(``esim/cores/jit/runtime.py``) and the parameters of ``make``: ``state`` (the CoreState),
``heap``, ``glob`` (globals), ``consts``, ``core_id``, ``num_cores``, ``F32`` (a one-element
``array('f')`` that rounds to binary32), ``charge``/``charge_bytes``/``charge_deep``/``push_frame``
(the heap charges with the live roots); locals are ``l0..``, stack slots ``s0..``.
"""

from __future__ import annotations

from collections.abc import Callable

from epython.bytecode.costs import EXTRA_COSTS
from epython.bytecode.image import Program
from epython.bytecode.opcodes import OPCODES, Flow, Op
from esim.cores.builtins import INPLACE_BINARY
from esim.cores.engine import TICK
from esim.cores.jit.analysis import Analysis, JitFunction, cuts_segment
from esim.cores.jit.builtin_emit import emit_builtin
from esim.cores.jit.calls import emit_call, resume_entry, resume_targets
from esim.cores.jit.emitter import Emitter, Segment, _add, hook_text, tuple_display
from esim.cores.jit.fast import Operand, binary, compare, direct_compare, emit_arms, is_class, truth
from esim.cores.jit.subscr import emit_store_subscr, emit_subscr
from esim.cores.jit.types import BOOL, FLOAT, INT, LIST, LIST_ITER, NONE, OBJECT, RANGE, RANGE_ITER
from esim.cores.jit.variants import RESUMES, Variants

__all__ = ["Emitter", "FunctionTranslator", "tuple_display"]  # Emitter: from emitter.py

#: The conditional jumps on the top of the stack, and whether they jump when it is false.
_CONDITIONAL_JUMPS: dict[int, bool] = {Op.POP_JUMP_IF_FALSE: True, Op.POP_JUMP_IF_TRUE: False,
                                       Op.JUMP_IF_FALSE_OR_POP: True, Op.JUMP_IF_TRUE_OR_POP: False}

#: The opcodes that push a literal, and the literal.
_LITERALS: dict[int, object] = {Op.LOAD_NONE: None, Op.LOAD_TRUE: True, Op.LOAD_FALSE: False}

#: Blocks of at most this many instructions are copied into the blocks that jump to them.
_DUP_LIMIT = 4

#: The instructions that take their operands from folded slots (FunctionTranslator.lazy);
#: before any other, the folded slots are assigned.
_FOLDS = frozenset((Op.NOP, Op.LOAD_LOCAL, Op.LOAD_CONST, Op.LOAD_INT, Op.LOAD_NONE, Op.LOAD_TRUE,
                    Op.LOAD_FALSE, Op.STORE_LOCAL, Op.POP_TOP, Op.INPLACE_ADD, Op.INPLACE_MUL,
                    Op.BINARY_SUBSCR,
                    Op.POP_JUMP_IF_FALSE, Op.POP_JUMP_IF_TRUE,
                    *range(Op.BINARY_ADD, Op.BINARY_XOR + 1),
                    *range(Op.COMPARE_EQ, Op.COMPARE_IS_NOT + 1)))
_IMMEDIATE = INT | FLOAT | BOOL | NONE


class FunctionTranslator:
    """Generates the source of one function."""

    def __init__(self, program: Program, funcs: list[JitFunction], analyses: list[Analysis],
                 variants: Variants, key: tuple[int, str], em: Emitter) -> None:
        """Translate version ``key`` (function, name suffix: variants.py)."""
        index, self.suffix = key
        self.program = program
        self.funcs = funcs
        self.f = funcs[index]
        #: "gen" (a generator), "plain" (cannot yield), "escape" (a plain version that
        #: raises Escape where a tick is due at a CALL) or "resume" (its resumable
        #: generator version): calls.py
        self.mode = ("resume" if self.suffix.endswith(RESUMES) else
                     "escape" if variants.escapes[index] else
                     "gen" if analyses[index].may_yield else "plain")
        self.a = Analysis(program, self.f, after_calls=True) if self.mode == "resume" \
            else analyses[index]
        self.analyses = analyses
        self.em = em
        self.index = index
        self.variants = variants
        self.types = variants.types[(index, self.suffix.removesuffix(RESUMES))]
        self.seg: Segment | None = None
        self.targets: set[int] = {0}
        self.top = 0  # the block the dispatch is running
        self.in_for = False  # emitting the body of a for_loop
        self.fused: str | None = None  # a comparison the next branch tests
        self.stored_by_for = -1  # a STORE_LOCAL the for statement or an operator does
        self.depth_checked = False
        #: Folded slots: a slot whose value is an immediate (int, float, bool, None) that a
        #: local known to be assigned or a literal holds is not assigned; the instructions of
        #: _FOLDS take the expression instead.  Roots never read such a slot (it is not boxed)
        #: and the expressions cannot raise, so faults keep their instruction.
        self.lazy: dict[int, str] = {}
        #: what a branch charged ahead and the next segment's charge takes back
        self.owed: tuple[Callable[[], int], Callable[[], int]] | None = None

    def generate(self) -> None:
        """Emit the generator function ``f<index>`` of this bytecode function.  A first pass
        into a scratch emitter finds the blocks some path dispatches to (``b = k``); only
        those get a place in the dispatch."""
        real = self.em
        self.em = Emitter(real.shift, real.real)
        entries = resume_targets(self) if self.mode == "resume" else {0}
        self.targets = set(entries)
        self.body()
        targets = sorted(self.targets)
        self.em = real
        self.targets = set(entries)
        self.body(targets)
        assert self.targets <= set(targets), (self.targets, targets)

    def body(self, targets: list[int] | None = None) -> None:
        """Emit the function (``targets``: the dispatched blocks; None: the first pass)."""
        f, a, em = self.f, self.a, self.em
        self.seg = None
        self.lazy = {}
        # ``dep``: the number of calls below the entry's frame (the call depth, a parameter)
        ks = targets if targets is not None else list(range(len(a.blocks)))
        #: what a native hook passes: what holds a value wherever the dispatch loop runs
        self.native_names = ("cc", *(("b",) if len(ks) > 1 or self.mode == "resume" else ()),
                             "dep", "fr", *(f"l{k}" for k in range(f.n_locals)))
        if self.mode == "resume":
            resume_entry(self, 2)
        else:
            params = "".join(f"l{k}, " for k in range(f.n_params))
            em.emit(1, f"def f{f.index}{self.suffix}({params}dep, fr):")
            em.emit(2, "nonlocal cc, lim" if em.native else "nonlocal cc")
            rest = [f"l{k}" for k in range(f.n_params, f.n_locals)]
            if rest:
                em.emit(2, " = ".join(rest) + " = UNSET")
        if len(ks) > 1:
            if self.mode != "resume":
                em.emit(2, "b = 0")
            em.emit(2, "while True:")
            self.tree(ks, 3)
        else:  # one block dispatched: the loop is its own
            em.emit(2, "while True:")
            self.top = ks[0]
            self.block(ks[0], 3, {ks[0]})
        em.resolve()

    def tree(self, ks: list[int], indent: int) -> None:
        """Emit the dispatch of blocks ``ks`` on the block number ``b``: a chain, the blocks
        in the deepest loops first, for a few; else a balanced if-tree.  Each block runs in a
        loop of its own: a jump back to it is ``continue``, a jump elsewhere ``b = k; break``."""
        em = self.em
        if len(ks) <= 4:
            order = sorted(ks, key=lambda k: -self.a.loop_depth[k])
            for n, k in enumerate(order):
                if n == len(order) - 1:
                    if n:
                        em.emit(indent, "else:")
                    self.top_block(k, indent + (1 if n else 0))
                else:
                    em.emit(indent, f"{'if' if n == 0 else 'elif'} b == {k}:")
                    self.top_block(k, indent + 1)
            return
        mid = len(ks) // 2
        em.emit(indent, f"if b < {ks[mid]}:")
        self.tree(ks[:mid], indent + 1)
        em.emit(indent, "else:")
        self.tree(ks[mid:], indent + 1)

    def top_block(self, k: int, indent: int) -> None:
        """Block ``k`` as the dispatch runs it, in its own loop."""
        self.em.emit(indent, "while True:")
        self.top = k
        s, e = self.a.blocks[k]
        if e - s == 1 and self.f.instrs[s][0] == Op.FOR_ITER:
            self.for_loop(s, indent + 1)
        else:
            self.block(k, indent + 1, {k})

    def for_loop(self, i: int, ind: int) -> None:
        """A loop head (a block of one FOR_ITER) as a Python ``for`` over the iterator: a jump
        back to it from the body is ``continue``, which charges the next FOR_ITER ahead (it
        is charged once on entry); the ``else`` clause is the loop's end; a ``break`` from
        the body goes to the dispatch."""
        f, a, em = self.f, self.a, self.em
        op, arg, _, cost = f.instrs[i]
        d = a.depth[i]
        assert d is not None
        own = (f.index, i)
        top = f"s{d - 1}"
        em.emit(ind, f"cc += {em.packed(cost, 1)}")
        nxt = f.instrs[i + 1] if i + 1 < len(f.instrs) else None
        if (self.types.stack(i, d - 1)[0] == RANGE_ITER and nxt is not None
                and nxt[0] == Op.STORE_LOCAL and self.inlines(a.block_of[i + 1], {a.block_of[i]})):
            # ints of a range, stored at once: the loop variable is the local
            em.emit(ind, f"for l{nxt[1]} in {top}.it:", own)
            self.stored_by_for = i + 1
        else:
            em.emit(ind, f"for v in {top}.it:", own)
            if self.types.stack(i, d - 1)[0] not in (RANGE_ITER, LIST_ITER):
                em.emit(ind + 1, f"if {top}.fresh: charge(v, (), fr)", own)
            em.emit(ind + 1, f"s{d} = v", own)
        self.seg = None
        self.in_for = True
        self.goto(i + 1, ind + 1, {a.block_of[i]})
        self.in_for = False
        self.seg = None
        em.emit(ind, "else:")
        self.back(i, arg, ind + 1)
        self.arm(arg, ind + 1, {a.block_of[i]})
        em.emit(ind, "break")

    def back(self, i: int, target: int, indent: int) -> None:
        """Tick before a backward branch from instruction ``i`` (the reference engine does)."""
        if target <= i:
            em, seg = self.em, self.seg
            line = len(em.lines) + 1  # the tick check's (a native hook's site)
            if seg is None:
                em.emit(indent, f"if cc >= {em.packed(0, TICK)}:")
                em.emit(indent + 1, em.flush())
            else:  # the segment goes on after the tick: what it charged ahead stays
                c, n = seg.c, seg.n
                em.placeholder(indent, lambda: f"if cc >= {em.packed(0, TICK + seg.n - n)}:")
                em.placeholder(indent + 1, lambda: em.flush((seg.c - c, seg.n - n)))
            em.emit(indent + 1, "yield TICK_REQUEST")
            d = self.a.depth[target]
            if em.native and d is not None:
                iters = tuple(f"s{k}" for k in range(d))  # (the loops' iterators)
                em.emit(indent + 1, hook_text(len(em.sites), iters, self.native_names))
                em.sites.append((f"f{self.f.index}{self.suffix}", line, iters,
                                 self.native_names))

    def inlines(self, k: int, inlined: set[int]) -> bool:
        """Is block ``k`` copied where a path reaches it (a small block, or one with one
        predecessor)?"""
        a = self.a
        s, e = a.blocks[k]
        small = e - s <= _DUP_LIMIT and len(inlined) < 4
        single = a.preds[k] == 1 and len(inlined) < 8
        return k not in inlined and (small or single)

    def goto(self, target: int, indent: int, inlined: set[int]) -> None:
        """Continue at instruction ``target``: copy a small block or set the block number."""
        a = self.a
        k = a.block_of[target]
        s, e = a.blocks[k]
        if self.inlines(k, inlined):
            self.block(k, indent, inlined | {k})
        elif k == self.top:
            if self.in_for:  # the next FOR_ITER, charged ahead of the loop's continue
                cost = self.f.instrs[target][3]
                if self.seg is None:
                    self.em.emit(indent, f"cc += {self.em.packed(cost, 1)}")
                else:
                    self.seg.c += cost
                    self.seg.n += 1
            self.em.emit(indent, "continue")
            self.seg = None
        else:
            self.em.emit(indent, f"b = {k}; break")
            self.targets.add(k)
            self.seg = None

    def arm(self, target: int, indent: int, inlined: set[int]) -> None:
        """One way out of a branch: a new segment starts there."""
        self.seg = None
        self.goto(target, indent, inlined)
        self.seg = None

    def block(self, k: int, indent: int, inlined: set[int]) -> None:
        """Emit basic block ``k`` (``inlined``: the blocks already copied on this path)."""
        a, f = self.a, self.f
        s, e = a.blocks[k]
        assigned = a.assigned_in[k]
        em = self.em
        self.depth_checked = False  # a CALL earlier in this block checked ``dep``
        for i in range(s, e):
            ins = f.instrs[i]
            seg = self.seg
            if seg is None:
                seg = self.seg = Segment()
                owed, self.owed = self.owed, None
                if owed is None:
                    em.placeholder(indent, lambda seg=seg: f"cc += {em.packed(seg.c, seg.n)}")
                else:  # this segment's charge also takes back what a branch charged ahead
                    back_c, back_n = owed
                    em.placeholder(indent, lambda seg=seg, b=back_c, n=back_n:
                                   _add(em, seg.c - b(), seg.n - n()))
            seg.c += ins[3]
            seg.n += 1
            em.ref = (seg, seg.c, seg.n)
            if cuts_segment(ins) or (OPCODES[ins[0]].flow is not Flow.NEXT
                                     and ins[0] not in (Op.JUMP, Op.FOR_ITER,
                                                        Op.POP_JUMP_IF_FALSE,
                                                        Op.POP_JUMP_IF_TRUE)):
                self.seg = None  # the counter is exact after this instruction
            if self.lazy and ins[0] not in _FOLDS:
                self.materialize(indent, (f.index, i))
            assigned = self.instr(i, indent, assigned, inlined)
            em.ref = None
        op = f.instrs[e - 1][0]
        if OPCODES[op].flow is Flow.NEXT:
            self.materialize(indent, (f.index, e - 1))
            self.goto(e, indent, inlined)

    def materialize(self, indent: int, own: tuple[int, int], keep: int = -1,
                    local: str | None = None) -> None:
        """Assign the folded slots (but ``keep``; only those holding ``local`` if given)."""
        for k in sorted(self.lazy):
            if k != keep and (local is None or self.lazy[k] == local):
                self.em.emit(indent, f"s{k} = {self.lazy.pop(k)}", own)

    def fold(self, i: int, d: int, expr: str) -> None:
        """Slot ``d`` (pushed by instruction ``i``) holds ``expr``: fold it when the next
        instruction takes it."""
        if self.next_in_block(i) in _FOLDS:
            self.lazy[d] = expr
        else:
            self.em.emit(self.ind, f"s{d} = {expr}", (self.f.index, i))

    def result_local(self, i: int, d: int) -> str | None:
        """The local an operator at depth ``d`` stores its result in when the next instruction
        is that STORE_LOCAL (then done: ``stored_by_for``), after assigning the folded slots
        below that read it."""
        if self.next_in_block(i) != Op.STORE_LOCAL:
            return None
        name = f"l{self.f.instrs[i + 1][1]}"
        self.materialize(self.ind, (self.f.index, i), local=name)
        self.stored_by_for = i + 1
        return name

    # --- one instruction ------------------------------------------------------------------
    def instr(self, i: int, ind: int, assigned: int, inlined: set[int]) -> int:
        """Emit instruction ``i`` at ``ind``; ``assigned`` is the mask of locals known
        to be assigned.  Returns the new mask."""
        f, a = self.f, self.a
        op, arg, arg2, _ = f.instrs[i]
        d = a.depth[i]
        assert d is not None
        own = (f.index, i)

        def emit(text: str, extra: int = 0) -> None:
            self.em.emit(ind + extra, text, own)

        def s(k: int) -> str:
            return f"s{k}"

        def opd(k: int) -> Operand:
            mask, lit, span = self.types.stack(i, k)
            return Operand(f"s{k}", mask, lit, self.lazy.pop(k, None), span)

        self.ind = ind

        top = s(d - 1) if d >= 1 else ""
        under = s(d - 2) if d >= 2 else ""
        if op == Op.NOP:
            pass
        elif op == Op.DUP_TOP:
            emit(f"{s(d)} = {top}")
        elif op == Op.DUP_TOP_TWO:
            emit(f"{s(d)} = {under}; {s(d + 1)} = {top}")
        elif op == Op.ROT_TWO:
            emit(f"{top}, {under} = {under}, {top}")
        elif op == Op.ROT_THREE:
            x, y, z = s(d - 3), s(d - 2), s(d - 1)
            emit(f"{x}, {y}, {z} = {z}, {x}, {y}")
        elif op == Op.LOAD_CONST:
            c = self.program.consts[arg]
            lit = self.types.consts[arg]  # as the cores hold it (floats as binary32)
            if type(c) is int or type(c) is bool or c is None:
                self.fold(i, d, repr(c))
            elif type(lit) is float and lit - lit == 0.0:
                self.fold(i, d, repr(lit))
            else:
                emit(f"{s(d)} = consts[{arg}]")
        elif op in _LITERALS:
            self.fold(i, d, repr(_LITERALS[op]))
        elif op == Op.LOAD_INT:
            self.fold(i, d, str(arg))
        elif op == Op.LOAD_LOCAL:
            if assigned >> arg & 1 and not self.types.local(i, arg)[0] & ~_IMMEDIATE:
                self.fold(i, d, f"l{arg}")
            else:
                emit(f"{s(d)} = l{arg}")
                if not assigned >> arg & 1:
                    emit(f"if {s(d)} is UNSET: raise UNBOUND({f.index}, {arg})")
        elif op == Op.POP_TOP:
            self.lazy.pop(d - 1, None)
        elif op == Op.STORE_LOCAL:
            value = self.lazy.pop(d - 1, top)
            if self.stored_by_for == i:
                self.stored_by_for = -1  # the for statement or the operator stored it
            else:
                self.materialize(ind, own, local=f"l{arg}")
                if value != f"l{arg}":
                    emit(f"l{arg} = {value}")
            assigned |= 1 << arg
        elif op == Op.LOAD_GLOBAL:
            emit(f"{s(d)} = glob[{arg}]")
            emit(f"if {s(d)} is UNSET: raise NAME_ERROR({arg})")
        elif op == Op.STORE_GLOBAL:
            emit(f"glob[{arg}] = {top}")
        elif Op.UNARY_NEG <= op <= Op.UNARY_INVERT:
            if op == Op.UNARY_NOT:
                emit(f"{top} = not {truth(opd(d - 1))}")
            elif op == Op.UNARY_NEG:
                emit_arms(emit, [([is_class(opd(d - 1), FLOAT)], f"{top} = -{top}"),
                                 ([], f"{top} = UNARY({op}, {top})")])
            else:
                emit(f"{top} = UNARY({op}, {top})")
        elif Op.BINARY_ADD <= op <= Op.BINARY_XOR:
            a_, b_ = opd(d - 2), opd(d - 1)
            binary(op, a_, b_, emit, self.result_local(i, d))
        elif op == Op.INPLACE_ADD or op == Op.INPLACE_MUL:
            a_, b_ = opd(d - 2), opd(d - 1)
            if a_.mask & OBJECT:
                emit(f"if {under}.__class__ is list: heap.frames = fr; "  # (for charge_cb)
                     f"state.inplace_list({op}, {under}, {b_.text}, charge_cb)")
                emit("else:")
                binary(INPLACE_BINARY[op], a_, b_, lambda text, extra=0: emit(text, extra + 1))
            else:
                binary(INPLACE_BINARY[op], a_, b_, emit, self.result_local(i, d))
        elif Op.COMPARE_EQ <= op <= Op.COMPARE_IS_NOT:
            a_, b_ = opd(d - 2), opd(d - 1)
            fused = direct_compare(op, a_, b_)
            if fused is not None and self.next_in_block(i) in (Op.POP_JUMP_IF_FALSE,
                                                               Op.POP_JUMP_IF_TRUE):
                self.fused = fused  # the branch tests it (it cannot raise)
            else:
                compare(op, a_, b_, emit)
        elif op in _CONDITIONAL_JUMPS:
            # the top of the stack decides; whether it is popped on either path is in the
            # stack depths of the two targets
            cond = truth(opd(d - 1)) if self.fused is None else self.fused
            self.fused = None
            self.materialize(ind, own)
            neg = "not " if _CONDITIONAL_JUMPS[op] else ""
            seg, ref = self.seg, self.em.ref
            emit(f"if {neg}{cond}:")
            if seg is None:  # JUMP_IF_*_OR_POP: both ways start a segment
                self.back(i, arg, ind + 1)
                self.arm(arg, ind + 1, inlined)
                emit("else:")
                self.arm(i + 1, ind + 1, inlined)
            else:
                # The segment goes on into the fall-through path, charged ahead; the jump
                # takes that back, with its own first segment's charge when it can.
                em, spec = self.em, seg
                c0, n0 = seg.c, seg.n

                def ahead_c() -> int:
                    return spec.c - c0

                def ahead_n() -> int:
                    return spec.n - n0

                self.seg = None
                if arg > i and self.inlines(self.a.block_of[arg], inlined):
                    self.owed = (ahead_c, ahead_n)
                else:
                    em.placeholder(ind + 1, lambda: _add(em, -ahead_c(), -ahead_n()))
                self.back(i, arg, ind + 1)
                self.arm(arg, ind + 1, inlined)
                self.owed = None
                em.ref = ref
                emit("else:")
                self.seg = seg
                self.goto(i + 1, ind + 1, inlined)
                self.seg = None
        elif op == Op.JUMP:
            self.back(i, arg, ind)
            self.goto(arg, ind, inlined)
        elif op == Op.FOR_ITER:
            # The segment goes on into the next item's path (the likely one), charged ahead;
            # the end of the loop takes back what that path added.
            em, seg, ref = self.em, self.seg, self.em.ref
            assert seg is not None
            c0, n0 = seg.c, seg.n
            emit(f"v = next({top}.it, END)")
            emit("if v is END:")
            em.placeholder(ind + 1, lambda: f"cc -= {em.packed(seg.c - c0, seg.n - n0)}"
                           if (seg.c, seg.n) != (c0, n0) else "pass")
            self.back(i, arg, ind + 1)
            self.arm(arg, ind + 1, inlined)
            em.ref = ref
            emit("else:")
            if opd(d - 1).mask not in (RANGE_ITER, LIST_ITER):
                emit(f"if {top}.fresh: charge(v, (), fr)", 1)
            emit(f"{s(d)} = v", 1)
            self.seg = seg
            self.goto(i + 1, ind + 1, inlined)
            self.seg = None
        elif op == Op.GET_ITER:
            it_mask = opd(d - 1).mask
            if it_mask == RANGE:
                emit(f"{top} = charge_small(RANGE_ITER({top}), ({top},), fr)")
            elif it_mask == LIST:
                emit(f"{top} = charge_small(ITER({top}), ({top},), fr)")
            elif it_mask not in (RANGE_ITER, LIST_ITER):
                emit(f"if {top}.__class__ is not KIter:")
                emit(f"{top} = charge_small(ITER({top}), ({top},), fr)", 1)
        elif op == Op.CALL:
            emit_call(self, i, d, emit)
        elif op == Op.RETURN_VALUE:
            emit(f"return {top}")
        elif op == Op.CALL_BUILTIN:
            emit_builtin(f, self.em, i, arg, arg2, d, emit)
        elif op == Op.BINARY_SUBSCR:
            emit_subscr(opd(d - 2), opd(d - 1), self.extra("array get", f.instrs[i][3]), emit)
        elif op == Op.STORE_SUBSCR:
            emit_store_subscr(opd(d - 3), opd(d - 2), opd(d - 1),
                              self.extra("array set", f.instrs[i][3]), emit)
        elif op == Op.BUILD_TUPLE or op == Op.BUILD_LIST:
            items = ", ".join(s(k) for k in range(d - arg, d))
            if op == Op.BUILD_TUPLE:
                emit(f"r = ({items}{',' if arg == 1 else ''})")
            else:
                emit(f"r = [{items}]")
            emit("charge_bytes(OBJECT_BYTES(r), (), fr)")
            emit(f"{s(d - arg)} = r")
        elif op == Op.UNPACK_SEQUENCE:
            emit(f"r = UNPACK({top}, {arg})")
            targets = ", ".join(s(d - 1 + arg - 1 - j) for j in range(arg))
            if arg:
                emit(f"{targets}{',' if arg == 1 else ''} = r")
        elif op == Op.SLICE_SUBSCR:
            av, lo, hi, st = s(d - 4), s(d - 3), s(d - 2), s(d - 1)
            emit(f"r = SLICE({av}, {lo}, {hi}, {st}); charge(r, ({av},), fr); {av} = r")
        elif op == Op.RAISE:
            emit(f"raise Fault(ERROR_CODE({arg}), '' if {top} is None else PY_STR({top}))")
        elif op == Op.FORMAT_VALUE:
            emit(f"if {top}.__class__ is not str: raise SPEC_ERROR({top})")
            emit(f"r = PY_FORMAT({under}, {top}, {arg}); charge(r, ({under}, {top}), fr); {under} = r")
        elif op == Op.BUILD_STRING:
            parts = ", ".join(s(k) for k in range(d - arg, d))
            for k in range(d - arg, d):
                emit(f"if {s(k)}.__class__ is not str: raise PART_ERROR({s(k)})")
            emit(f"r = ''.join([{parts}]); charge(r, {tuple_display([s(k) for k in range(d - arg, d)])}, fr); "
              f"{s(d - arg)} = r")
        elif op == Op.LOAD_ATTR:
            emit(f"{top} = ATTR({top}, {arg})")
        else:  # pragma: no cover - the verifier rejects unknown opcodes
            raise NotImplementedError(op)
        return assigned

    def next_in_block(self, i: int) -> int | None:
        """The opcode of instruction ``i + 1`` when control always goes there from ``i`` and
        nothing else can (the same basic block)."""
        a, f = self.a, self.f
        if (i + 1 >= len(f.instrs) or i + 1 in a.block_of or a.depth[i + 1] is None
                or OPCODES[f.instrs[i][0]].flow is not Flow.NEXT):
            return None
        return f.instrs[i + 1][0]

    def extra(self, name: str, cost: int) -> str:
        """The statement charging an operand-dependent cost (costs.EXTRA_COSTS) of an
        instruction of table cost ``cost`` ('' for 0): into the counter when the cycles part
        stays non-negative (the instruction's cost is charged ahead), else to the state."""
        cycles = EXTRA_COSTS[name]
        if not cycles:
            return ""
        if cost + cycles >= 0:
            return f"cc += {self.em.packed(cycles, 0)}" if cycles > 0 else f"cc -= {self.em.packed(-cycles, 0)}"
        return f"state.cycles += {cycles}"
