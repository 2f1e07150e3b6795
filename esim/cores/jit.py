"""The translating engine of the simulated cores: bytecode functions -> generated Python source.

The reference interpreter (:meth:`esim.cores.interp.Interpreter._run_reference`) decodes and
dispatches every instruction.  This module translates each bytecode function of a program
image once into the source of a Python generator function (compiled with :func:`compile`, cached
per program image), which :meth:`Interpreter.run` executes by default.  The observable
behaviour is the reference's, exactly: results, printed output, errors with their function and
line, ``cycles`` and ``instructions``, the Requests yielded (with their func/line) and the points
where MemoryError or RecursionError happen.

Translation scheme (docs/performance.md):

* Locals become Python locals ``l0..``; value-stack slots become ``s0..`` (the verifier proves
  the depth is static at every instruction).  Never-assigned locals hold ``UNSET``; loads are
  checked only where a forward data-flow analysis cannot prove the local is assigned.
* Basic blocks are dispatched by a block number ``b`` inside ``while True:`` through a balanced
  if-tree; a block that ends by jumping to a small block gets a copy of it (tail duplication).
* Cycle accounting: a block is cut into *segments* ending at each CALL and observable builtin;
  each segment adds its summed cycles and instruction count once, on entry, to the closure
  counters ``cyc``/``cnt`` (shared by every function of one interpreter).  Counters are therefore
  exact at every CALL, every yield, every backward branch (where the 50,000-instruction tick is
  checked, as in the reference) and every return.  When an instruction faults, the engine finds
  its generated line in the traceback, maps it to the instruction and subtracts what the segment
  charged for the instructions after it.
* int arithmetic runs as Python ints with an inline int32 range check; float arithmetic rounds
  to binary32 through a one-element ``array('f')`` (a C ``(float)`` cast: round to nearest,
  inf on overflow, as ``values.f32``).  Anything but int/int or float/float goes to the
  reference's ``ops`` functions, which raise the same Faults.
* Calls are ``yield from`` of the callee's generator (or a plain call for a callee that can
  never yield: no call, no loop, no observable builtin).
* Memory: the same charges at the same points.  The live roots for an exact trace near the limit
  are found by walking the Python frames of the generated functions (``sys._getframe``): the
  current line gives the instruction, the static depth gives which stack slots are live.
"""

from __future__ import annotations

import math
import sys
import types
from array import array
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from epython.bytecode import protocol
from epython.bytecode.costs import EXTRA_COSTS
from epython.bytecode.image import Program, encode
from epython.bytecode.opcodes import ARG, BUILTIN_BY_NAME, BUILTINS, OPCODES, ErrorCode, Op
from esim.cores import ops
from esim.cores.builtins import (
    INPLACE_BINARY,
    LIST_EXTEND,
    RANDOM_BUILTINS,
    SLOT_DELTA,
    call_builtin,
    fresh_choice,
)
from esim.cores.decode import decode_function
from esim.cores.heap import frame_bytes, object_bytes
from esim.cores.interp import TICK  # the reference engine's tick interval: both tick alike
from esim.cores.values import Array, Fault, KIter, check_int, py_format, py_str, type_name

if TYPE_CHECKING:
    from esim.cores.interp import Interpreter

__all__ = ["CompiledProgram", "compiled", "run"]

MAX_CALL_DEPTH = protocol.MAX_CALL_DEPTH
_HEAP_TYPES = (str, list, tuple)
_IMMEDIATE = (int, float, bool)
_APPEND = BUILTIN_BY_NAME["list.append"].code
_POP = BUILTIN_BY_NAME["list.pop"].code
_LEN = BUILTIN_BY_NAME["len"].code
_RANGE = BUILTIN_BY_NAME["range"].code
_COREID = BUILTIN_BY_NAME["parallel.coreid"].code
_NUMCORES = BUILTIN_BY_NAME["parallel.numcores"].code
_ABS = BUILTIN_BY_NAME["abs"].code
_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1

#: Blocks of at most this many instructions are copied into the blocks that jump to them.
_DUP_LIMIT = 4


class _Func:
    """One bytecode function, decoded and analysed for translation."""

    def __init__(self, program: Program, index: int) -> None:
        func = program.functions[index]
        self.index = index
        self.name = func.name
        self.n_params = func.n_params
        self.n_locals = func.n_locals
        self.frame_bytes = frame_bytes(func.n_locals, func.max_stack)
        self.instrs, self.pcs = decode_function(func)
        self.lines = list(func.lines)

    def line_at(self, index: int) -> int:
        """Source line of instruction ``index`` (as the reference's ``_Code.line_at``)."""
        pc = self.pcs[index] if index < len(self.pcs) else 0
        best = 0
        for p, line in self.lines:
            if p <= pc:
                best = line
            else:
                break
        return best


def _effect(program: Program, op: int, arg: int, arg2: int) -> tuple[int, int]:
    info = OPCODES[op]
    if op == Op.CALL:
        pops = program.functions[arg].n_params
    elif op == Op.CALL_BUILTIN:
        pops = arg2
    else:
        pops = arg if info.pops == ARG else info.pops
    pushes = arg if info.pushes == ARG else info.pushes
    return pops, pushes


_JUMPS = (Op.JUMP, Op.POP_JUMP_IF_FALSE, Op.POP_JUMP_IF_TRUE, Op.JUMP_IF_FALSE_OR_POP,
          Op.JUMP_IF_TRUE_OR_POP, Op.FOR_ITER)
_ENDS = (Op.JUMP, Op.RETURN_VALUE, Op.RAISE)


class _Analysis:
    """Depths, basic blocks, definite assignment and segments of one function."""

    def __init__(self, program: Program, f: _Func) -> None:
        instrs = f.instrs
        n = len(instrs)
        depth: list[int | None] = [None] * n
        depth[0] = 0
        work = [0]
        while work:
            i = work.pop()
            op, arg, arg2, _ = instrs[i]
            d = depth[i]
            assert d is not None
            pops, pushes = _effect(program, op, arg, arg2)
            succ: list[tuple[int, int]] = []
            if op in _JUMPS:
                if op == Op.POP_JUMP_IF_FALSE or op == Op.POP_JUMP_IF_TRUE or op == Op.FOR_ITER:
                    succ.append((arg, d - 1))
                else:
                    succ.append((arg, d))
            if op not in _ENDS:
                succ.append((i + 1, d - pops + pushes))
            for j, dj in succ:
                if depth[j] is None:
                    depth[j] = dj
                    work.append(j)
        self.depth = depth
        leaders = {0}
        for i, (op, arg, _, _) in enumerate(instrs):
            if depth[i] is None:
                continue
            if op in _JUMPS:
                leaders.add(arg)
            if op in _JUMPS or op in _ENDS:
                if i + 1 < n:
                    leaders.add(i + 1)
        starts = sorted(k for k in leaders if k < n and depth[k] is not None)
        self.blocks: list[tuple[int, int]] = []  # [start, end) instruction ranges
        for s in starts:
            e = s
            while e < n and depth[e] is not None and (e == s or e not in leaders):
                e += 1
                if instrs[e - 1][0] in _JUMPS or instrs[e - 1][0] in _ENDS:
                    break
            self.blocks.append((s, e))
        self.block_of = {s: k for k, (s, _) in enumerate(self.blocks)}
        # Definite assignment of locals (bit masks) at each block entry.
        full = (1 << f.n_locals) - 1
        params = (1 << f.n_params) - 1
        entry_in = [full] * len(self.blocks)
        entry_in[0] = params
        changed = True
        while changed:
            changed = False
            out_of: dict[int, int] = {}
            for k, (s, e) in enumerate(self.blocks):
                m = entry_in[k]
                for i in range(s, e):
                    if instrs[i][0] == Op.STORE_LOCAL:
                        m |= 1 << instrs[i][1]
                out_of[k] = m
            new_in = [full] * len(self.blocks)
            new_in[0] = params
            reached = {0}
            for k, (_s, e) in enumerate(self.blocks):
                op, arg, _, _ = instrs[e - 1]
                targets = []
                if op in _JUMPS:
                    targets.append(self.block_of[arg])
                if op not in _ENDS and e < n:
                    targets.append(self.block_of[e])
                for t in targets:
                    reached.add(t)
                    new_in[t] &= out_of[k]
            if new_in != entry_in:
                entry_in = new_in
                changed = True
        self.assigned_in = entry_in
        # Segments: cut after CALL and observable CALL_BUILTIN; remainders for faults.
        self.seg_start: set[int] = set()
        self.rem_cyc = [0] * n
        self.rem_cnt = [0] * n
        for s, e in self.blocks:
            seg = s
            self.seg_start.add(s)
            for i in range(s, e):
                if _cuts(instrs[i]) and i + 1 < e:
                    self._remainders(instrs, seg, i + 1)
                    seg = i + 1
                    self.seg_start.add(seg)
            self._remainders(instrs, seg, e)
        self.may_yield = any(
            depth[i] is not None and (op == Op.CALL or (op == Op.CALL_BUILTIN and BUILTINS[arg].observable)
                                      or (op in _JUMPS and arg <= i))
            for i, (op, arg, _, _) in enumerate(instrs))

    def _remainders(self, instrs: list[tuple[int, int, int, int]], s: int, e: int) -> None:
        c = k = 0
        for i in range(e - 1, s - 1, -1):
            self.rem_cyc[i] = c
            self.rem_cnt[i] = k
            c += instrs[i][3]
            k += 1

    def segment_cost(self, instrs: list[tuple[int, int, int, int]], s: int, e: int) -> tuple[int, int]:
        c = k = 0
        for i in range(s, e):
            c += instrs[i][3]
            k += 1
            if _cuts(instrs[i]):
                break
        return c, k


def _cuts(ins: tuple[int, int, int, int]) -> bool:
    op, arg = ins[0], ins[1]
    return op == Op.CALL or (op == Op.CALL_BUILTIN and BUILTINS[arg].observable)


_BIN_SYM: dict[int, str] = {Op.BINARY_ADD: "+", Op.BINARY_SUB: "-", Op.BINARY_MUL: "*"}
_CMP_SYM: dict[int, str] = {Op.COMPARE_EQ: "==", Op.COMPARE_NE: "!=", Op.COMPARE_LT: "<", Op.COMPARE_LE: "<=",
            Op.COMPARE_GT: ">", Op.COMPARE_GE: ">="}


class _Emitter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.owner: list[tuple[int, int] | None] = []

    def emit(self, indent: int, text: str, owner: tuple[int, int] | None = None) -> None:
        for part in text.split("\n"):
            self.lines.append("    " * indent + part)
            self.owner.append(owner)


class _FuncGen:
    """Generates the source of one function."""

    def __init__(self, program: Program, funcs: list[_Func], analyses: list[_Analysis],
                 index: int, em: _Emitter) -> None:
        self.program = program
        self.funcs = funcs
        self.f = funcs[index]
        self.a = analyses[index]
        self.analyses = analyses
        self.em = em
        self.index = index

    def generate(self) -> None:
        f, a, em = self.f, self.a, self.em
        params = ", ".join(f"l{k}" for k in range(f.n_params))
        em.emit(1, f"def f{f.index}({params}):")
        em.emit(2, "nonlocal cyc, cnt, nfr")
        rest = [f"l{k}" for k in range(f.n_params, f.n_locals)]
        if rest:
            em.emit(2, " = ".join(rest) + " = UNSET")
        if len(a.blocks) == 1:
            self.block(0, 2, set())
            return
        em.emit(2, "b = 0")
        em.emit(2, "while True:")
        self.tree(0, len(a.blocks), 3)

    def tree(self, lo: int, hi: int, indent: int) -> None:
        em = self.em
        if hi - lo == 1:
            self.block(lo, indent, set())
            return
        if hi - lo == 2:
            em.emit(indent, f"if b == {lo}:")
            self.block(lo, indent + 1, set())
            em.emit(indent, "else:")
            self.block(lo + 1, indent + 1, set())
            return
        mid = (lo + hi) // 2
        em.emit(indent, f"if b < {mid}:")
        self.tree(lo, mid, indent + 1)
        em.emit(indent, "else:")
        self.tree(mid, hi, indent + 1)

    def back(self, i: int, target: int, indent: int) -> None:
        """Tick before a backward branch from instruction ``i`` (the reference engine does)."""
        if target <= i:
            self.em.emit(indent, f"if cnt >= {TICK}:")
            self.em.emit(indent + 1, "I.cycles += cyc; I.instructions += cnt; cyc = 0; cnt = 0")
            self.em.emit(indent + 1, "yield TICK")

    def goto(self, target: int, indent: int, inlined: set[int]) -> None:
        """Continue at instruction ``target``: copy a small block or set the block number."""
        a = self.a
        k = a.block_of[target]
        s, e = a.blocks[k]
        if e - s <= _DUP_LIMIT and k not in inlined and len(inlined) < 3:
            self.block(k, indent, inlined | {k})
        else:
            self.em.emit(indent, f"b = {k}")

    def block(self, k: int, indent: int, inlined: set[int]) -> None:
        a, f = self.a, self.f
        s, e = a.blocks[k]
        assigned = a.assigned_in[k]
        bools: set[int] = set()
        for i in range(s, e):
            if i in a.seg_start:
                c, n = a.segment_cost(f.instrs, i, e)
                self.em.emit(indent, f"cyc += {c}; cnt += {n}")
            assigned = self.instr(i, indent, assigned, bools, inlined)
        op = f.instrs[e - 1][0]
        if op not in _JUMPS and op not in _ENDS:
            self.goto(e, indent, inlined)

    # --- one instruction ------------------------------------------------------------------
    def instr(self, i: int, ind: int, assigned: int, bools: set[int], inlined: set[int]) -> int:
        f, a = self.f, self.a
        op, arg, arg2, _ = f.instrs[i]
        d = a.depth[i]
        assert d is not None
        own = (f.index, i)

        def E(text: str, extra: int = 0) -> None:
            self.em.emit(ind + extra, text, own)

        def s(k: int) -> str:
            return f"s{k}"

        def charge(v: str, operands: str) -> str:
            return f"CH({v}, ({operands}))"

        top = s(d - 1) if d >= 1 else ""
        under = s(d - 2) if d >= 2 else ""
        if op == Op.NOP:
            pass
        elif op == Op.POP_TOP:
            bools.discard(d - 1)
        elif op == Op.DUP_TOP:
            E(f"{s(d)} = {top}")
            if d - 1 in bools:
                bools.add(d)
            else:
                bools.discard(d)
        elif op == Op.DUP_TOP_TWO:
            E(f"{s(d)} = {under}; {s(d + 1)} = {top}")
            bools.discard(d)
            bools.discard(d + 1)
        elif op == Op.ROT_TWO:
            E(f"{top}, {under} = {under}, {top}")
            bools.discard(d - 1)
            bools.discard(d - 2)
        elif op == Op.ROT_THREE:
            x, y, z = s(d - 3), s(d - 2), s(d - 1)
            E(f"{x}, {y}, {z} = {z}, {x}, {y}")
            bools.difference_update((d - 1, d - 2, d - 3))
        elif op == Op.LOAD_CONST:
            c = self.program.consts[arg]
            if type(c) is int or type(c) is bool or c is None:
                E(f"{s(d)} = {c!r}")
            else:
                E(f"{s(d)} = K[{arg}]")
            bools.discard(d)
        elif op == Op.LOAD_NONE:
            E(f"{s(d)} = None")
            bools.discard(d)
        elif op == Op.LOAD_TRUE:
            E(f"{s(d)} = True")
            bools.add(d)
        elif op == Op.LOAD_FALSE:
            E(f"{s(d)} = False")
            bools.add(d)
        elif op == Op.LOAD_INT:
            E(f"{s(d)} = {arg}")
            bools.discard(d)
        elif op == Op.LOAD_LOCAL:
            E(f"{s(d)} = l{arg}")
            if not assigned >> arg & 1:
                E(f"if {s(d)} is UNSET: raise UNBOUND({f.index}, {arg})")
            bools.discard(d)
        elif op == Op.STORE_LOCAL:
            E(f"l{arg} = {top}")
            assigned |= 1 << arg
        elif op == Op.LOAD_GLOBAL:
            E(f"{s(d)} = G[{arg}]")
            E(f"if {s(d)} is UNSET: raise NAMEERR({arg})")
            bools.discard(d)
        elif op == Op.STORE_GLOBAL:
            E(f"G[{arg}] = {top}")
        elif Op.UNARY_NEG <= op <= Op.UNARY_INVERT:
            if op == Op.UNARY_NOT:
                if d - 1 in bools:
                    E(f"{top} = not {top}")
                else:
                    E(f"{top} = not ({top} if {top}.__class__ is bool else TRUTH({top}))")
                bools.add(d - 1)
            elif op == Op.UNARY_NEG:
                E(f"{top} = -{top} if {top}.__class__ is float else UNARY({op}, {top})")
                bools.discard(d - 1)
            else:
                E(f"{top} = UNARY({op}, {top})")
                bools.discard(d - 1)
        elif Op.BINARY_ADD <= op <= Op.BINARY_XOR:
            self.binary(op, under, top, E)
            bools.discard(d - 2)
        elif op == Op.INPLACE_ADD or op == Op.INPLACE_MUL:
            E(f"if {under}.__class__ is list: I.inplace_list({op}, {under}, {top}, CB)")
            E("else:")
            self.binary(INPLACE_BINARY[op], under, top, lambda text, extra=0: E(text, extra + 1))
            bools.discard(d - 2)
        elif Op.COMPARE_EQ <= op <= Op.COMPARE_IS_NOT:
            if op in _CMP_SYM:
                sym = _CMP_SYM[op]
                E(f"if {under}.__class__ is int and {top}.__class__ is int: {under} = {under} {sym} {top}")
                E(f"elif {under}.__class__ is float and {top}.__class__ is float: "
                  f"{under} = {under} {sym} {top}")
                E(f"else: {under} = COMPARE({op}, {under}, {top})")
            elif op == Op.COMPARE_IS:
                E(f"{under} = {under} is {top}")
            elif op == Op.COMPARE_IS_NOT:
                E(f"{under} = {under} is not {top}")
            else:
                E(f"{under} = COMPARE({op}, {under}, {top})")
            bools.add(d - 2)
        elif op == Op.POP_JUMP_IF_FALSE or op == Op.POP_JUMP_IF_TRUE:
            cond = top if d - 1 in bools else f"({top} if {top}.__class__ is bool else TRUTH({top}))"
            neg = "not " if op == Op.POP_JUMP_IF_FALSE else ""
            E(f"if {neg}{cond}:")
            self.back(i, arg, ind + 1)
            self.goto(arg, ind + 1, inlined)
            E("else:")
            self.goto(i + 1, ind + 1, inlined)
        elif op == Op.JUMP:
            self.back(i, arg, ind)
            self.goto(arg, ind, inlined)
        elif op == Op.FOR_ITER:
            E(f"v = next({top}.it, END)")
            E("if v is END:")
            self.back(i, arg, ind + 1)
            self.goto(arg, ind + 1, inlined)
            E("else:")
            E(f"if {top}.fresh: CH(v, ())", 1)
            E(f"{s(d)} = v", 1)
            self.goto(i + 1, ind + 1, inlined)
        elif op == Op.JUMP_IF_FALSE_OR_POP or op == Op.JUMP_IF_TRUE_OR_POP:
            cond = top if d - 1 in bools else f"({top} if {top}.__class__ is bool else TRUTH({top}))"
            neg = "not " if op == Op.JUMP_IF_FALSE_OR_POP else ""
            E(f"if {neg}{cond}:")
            self.back(i, arg, ind + 1)
            self.goto(arg, ind + 1, inlined)
            E("else:")
            self.goto(i + 1, ind + 1, inlined)
        elif op == Op.GET_ITER:
            E(f"if {top}.__class__ is not KIter:")
            E(f"r = ITER({top}); CH(r, ({top},)); {top} = r", 1)
            bools.discard(d - 1)
        elif op == Op.CALL:
            callee = self.funcs[arg]
            n = callee.n_params
            fb = callee.frame_bytes
            E(f"if cnt >= {TICK}:")
            E("I.cycles += cyc; I.instructions += cnt; cyc = 0; cnt = 0", 1)
            E("yield TICK", 1)
            E(f"if nfr >= {MAX_CALL_DEPTH - 1}: raise DEPTHERR()")
            E(f"r = H.used + H.frames + {fb}")
            E(f"if r > H.workspace: PUSHF({fb})")
            E("else:")
            E(f"H.frames += {fb}", 1)
            E("if r > H.peak: H.peak = r", 1)
            E("nfr += 1")
            call_args = ", ".join(s(k) for k in range(d - n, d))
            if self.analyses[arg].may_yield:
                E(f"{s(d - n)} = yield from f{arg}({call_args})")
            else:
                E(f"{s(d - n)} = f{arg}({call_args})")
            E("nfr -= 1")
            for k in range(d - n, d + 1):
                bools.discard(k)
        elif op == Op.RETURN_VALUE:
            E(f"H.frames -= {f.frame_bytes}")
            E(f"return {top}")
        elif op == Op.CALL_BUILTIN:
            self.builtin(i, arg, arg2, d, E)
            for k in range(d - arg2, d + 1):
                bools.discard(k)
        elif op == Op.BINARY_SUBSCR:
            E(f"if {top}.__class__ is int and {under}.__class__ is list:")
            E("try:", 1)
            E(f"r = {under}[{top}]", 2)
            E("except IndexError:", 1)
            E(f"r = SUBSCR({under}, {top})", 2)
            E(f"elif {under}.__class__ is Array: r = AGET({under}, {top}){_extra('array get')}")
            E(f"else: r = SUBSCR({under}, {top})")
            E(f"if r.__class__ is str or r.__class__ is Array: CH(r, ({under}, {top}))")
            E(f"{under} = r")
            bools.discard(d - 2)
        elif op == Op.STORE_SUBSCR:
            v, t, x = s(d - 3), s(d - 2), s(d - 1)
            E(f"if {t}.__class__ is Array: ASET({t}, {x}, {v}){_extra('array set')}")
            E(f"else: STORE({t}, {x}, {v})")
        elif op == Op.LOAD_NONE:
            E(f"{s(d)} = None")
        elif op == Op.BUILD_TUPLE or op == Op.BUILD_LIST:
            items = ", ".join(s(k) for k in range(d - arg, d))
            if op == Op.BUILD_TUPLE:
                E(f"r = ({items}{',' if arg == 1 else ''})")
            else:
                E(f"r = [{items}]")
            E("CB(OBJB(r), ())")
            E(f"{s(d - arg)} = r")
            bools.discard(d - arg)
        elif op == Op.UNPACK_SEQUENCE:
            E(f"r = UNPACK({top}, {arg})")
            targets = ", ".join(s(d - 1 + arg - 1 - j) for j in range(arg))
            if arg:
                E(f"{targets}{',' if arg == 1 else ''} = r")
            for k in range(d - 1, d - 1 + arg):
                bools.discard(k)
        elif op == Op.SLICE_SUBSCR:
            av, lo, hi, st = s(d - 4), s(d - 3), s(d - 2), s(d - 1)
            E(f"r = SLICE({av}, {lo}, {hi}, {st}); CH(r, ({av},)); {av} = r")
            bools.discard(d - 4)
        elif op == Op.RAISE:
            E(f"raise Fault(ERRCODE({arg}), '' if {top} is None else PYSTR({top}))")
        elif op == Op.FORMAT_VALUE:
            E(f"if {top}.__class__ is not str: raise SPECERR({top})")
            E(f"r = PYFORMAT({under}, {top}, {arg}); CH(r, ({under}, {top})); {under} = r")
            bools.discard(d - 2)
        elif op == Op.BUILD_STRING:
            parts = ", ".join(s(k) for k in range(d - arg, d))
            for k in range(d - arg, d):
                E(f"if {s(k)}.__class__ is not str: raise PARTERR({s(k)})")
            E(f"r = ''.join([{parts}]); CH(r, {_tup([s(k) for k in range(d - arg, d)])}); "
              f"{s(d - arg)} = r")
            bools.discard(d - arg)
        elif op == Op.LOAD_ATTR:
            E(f"{top} = ATTR({top}, {arg})")
            bools.discard(d - 1)
        else:  # pragma: no cover - the verifier rejects unknown opcodes
            raise NotImplementedError(op)
        return assigned

    def binary(self, op: int, a: str, b: str, E: Any) -> None:
        generic = f"r = BINARY({op}, {a}, {b}); {a} = CH(r, ({a}, {b})) if r.__class__ in HEAPT else r"
        if op in _BIN_SYM or op == Op.BINARY_TRUEDIV:
            # Mixed int/float operands: the int is rounded to binary32 first (F[0] = int), as
            # ops.binary does with f32(); the division checks its divisor before dividing.
            sym = _BIN_SYM.get(op, "/")
            nz = f" and {b}" if op == Op.BINARY_TRUEDIV else ""
            if op == Op.BINARY_TRUEDIV:
                E(f"if {a}.__class__ is int and {b}.__class__ is int{nz}: "
                  f"F[0] = {a}; r = F[0]; F[0] = {b}; F[0] = r / F[0]; {a} = F[0]")
            else:
                E(f"if {a}.__class__ is int and {b}.__class__ is int:")
                E(f"{a} = {a} {sym} {b}", 1)
                E(f"if not -2147483648 <= {a} <= 2147483647: CHECKINT({a})", 1)
            E(f"elif {a}.__class__ is float:")
            E(f"if {b}.__class__ is float{nz}: F[0] = {a} {sym} {b}; {a} = F[0]", 1)
            E(f"elif {b}.__class__ is int{nz}: F[0] = {b}; F[0] = {a} {sym} F[0]; {a} = F[0]", 1)
            E(f"else: {generic}", 1)
            E(f"elif {a}.__class__ is int and {b}.__class__ is float{nz}: "
              f"F[0] = {a}; F[0] = F[0] {sym} {b}; {a} = F[0]")
            E(f"else: {generic}")
        elif op == Op.BINARY_MOD or op == Op.BINARY_FLOORDIV:
            sym = "%" if op == Op.BINARY_MOD else "//"
            E(f"if {a}.__class__ is int and {b}.__class__ is int and {b}:")
            E(f"{a} = {a} {sym} {b}", 1)
            if op == Op.BINARY_FLOORDIV:
                E(f"if {a} == 2147483648: CHECKINT({a})", 1)
            E(f"else: {generic}")
        elif op in (Op.BINARY_AND, Op.BINARY_OR, Op.BINARY_XOR):
            bitwise: dict[int, str] = {Op.BINARY_AND: "&", Op.BINARY_OR: "|", Op.BINARY_XOR: "^"}
            sym = bitwise[op]
            E(f"if {a}.__class__ is int and {b}.__class__ is int: {a} = {a} {sym} {b}")
            E(f"else: {generic}")
        elif op == Op.BINARY_RSHIFT:
            E(f"if {a}.__class__ is int and {b}.__class__ is int and {b} >= 0: {a} = {a} >> {b}")
            E(f"else: {generic}")
        elif op == Op.BINARY_LSHIFT:
            E(f"if {a}.__class__ is int and {b}.__class__ is int and 0 <= {b} < 32:")
            E(f"{a} = {a} << {b}", 1)
            E(f"if not -2147483648 <= {a} <= 2147483647: CHECKINT({a})", 1)
            E(f"else: {generic}")
        else:
            E(generic)

    def builtin(self, i: int, code: int, n: int, d: int, E: Any) -> None:
        f = self.f
        b = BUILTINS[code]
        args = [f"s{k}" for k in range(d - n, d)]
        tup = _tup(args)
        dst = f"s{d - n}"
        if b.observable:
            E("I.cycles += cyc; I.instructions += cnt; cyc = 0; cnt = 0")
            if b.name == "print":
                E(f"ca = PRINTARGS({tup})")
            else:
                E(f"ca = {tup}")
            E(f"r = yield Request({b.name!r}, ca, {f.index}, {f.line_at(i)})")
            E("if r.__class__ in HEAPT and r is not ca[0]: CBDEEP(r, ca)")
            E(f"{dst} = r")
            return
        if code == _COREID:
            E(f"{dst} = CORE")
            return
        if code == _NUMCORES:
            E(f"{dst} = NCORES")
            return
        if code == _LEN:
            E(f"{dst} = len({args[0]}) if {args[0]}.__class__ in LENT else CALLB({code}, {tup}, CORE, NCORES)")
            return
        if code == _ABS:
            E(f"if {args[0]}.__class__ is float: {dst} = abs({args[0]})")
            E(f"else: {dst} = CALLB({code}, {tup}, CORE, NCORES)")
            return
        if code == _RANGE:
            cond = " and ".join(f"{x}.__class__ is int" for x in args)
            if n == 3:
                cond += f" and {args[2]} != 0"
            E(f"if {cond}: r = range({', '.join(args)})")
            E(f"else: r = CALLB({code}, {tup}, CORE, NCORES)")
            E(f"CH(r, {tup}); {dst} = r")
            return
        if code in RANDOM_BUILTINS:
            E(f"r = I.random_builtin({code}, {tup})")
            if b.name == "random.choice":
                E(f"if FRESHCHOICE({code}, {tup}, r): CH(r, {tup})")
            E(f"{dst} = r")
            return
        if code == LIST_EXTEND:
            E(f"if {args[0]}.__class__ is list: I.inplace_list({int(Op.INPLACE_ADD)}, {args[0]}, "
              f"{args[1]}, CB); r = None")
            E(f"else: r = CALLB({code}, {tup}, CORE, NCORES)")
            E(f"{dst} = r")
            return
        E(f"r = CALLB({code}, {tup}, CORE, NCORES)")
        delta = SLOT_DELTA.get(code)
        if delta == 1:
            E(f"CB({protocol.VALUE_SLOT_BYTES}, {tup})")
        elif delta == -1:
            E(f"H.release({protocol.VALUE_SLOT_BYTES})")
        else:
            E(f"if r is not None and r.__class__ not in IMM: CH(r, {tup})")
        E(f"{dst} = r")


class CompiledProgram:
    """The generated module of one program image and its tables."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.funcs = [_Func(program, i) for i in range(len(program.functions))]
        self.analyses = [_Analysis(program, f) for f in self.funcs]
        em = _Emitter()
        em.emit(0, "def make(I, H, G, K, CORE, NCORES, F, CH, CB, CBDEEP, PUSHF):")
        em.emit(1, "cyc = 0; cnt = 0; nfr = 0")
        for k in range(len(self.funcs)):
            _FuncGen(program, self.funcs, self.analyses, k, em).generate()
        em.emit(1, "def get_state():")
        em.emit(2, "return cyc, cnt")
        em.emit(1, "def set_state(c, n):")
        em.emit(2, "nonlocal cyc, cnt")
        em.emit(2, "cyc = c; cnt = n")
        names = ", ".join(f"f{k}" for k in range(len(self.funcs)))
        em.emit(1, f"return ({names}{',' if len(self.funcs) == 1 else ''}), get_state, set_state")
        self.source = "\n".join(em.lines) + "\n"
        self.owner = em.owner
        namespace = dict(_NAMESPACE)
        fnames = [fn.name for fn in program.functions]
        gnames = [g.name for g in program.globals]
        namespace["UNBOUND"] = lambda func, slot: Fault(
            ErrorCode.UnboundLocalError,
            f"local variable #{slot} referenced before assignment in {fnames[func]}()")
        namespace["NAMEERR"] = lambda slot: Fault(ErrorCode.NameError,
                                                  f"name '{gnames[slot]}' is not defined")
        code = compile(self.source, f"<epython-jit {program.functions[program.entry].name}>", "exec")
        exec(code, namespace)
        self.make = namespace["make"]
        self.func_of_code: dict[Any, int] = {}
        make_code = self.make.__code__
        for const in make_code.co_consts:
            if hasattr(const, "co_name") and const.co_name.startswith("f") and \
                    const.co_name[1:].isdigit():
                self.func_of_code[const] = int(const.co_name[1:])

    def where(self, lineno: int) -> tuple[int, int] | None:
        """(function, instruction) of a generated line."""
        if 1 <= lineno <= len(self.owner):
            return self.owner[lineno - 1]
        return None


def _extra(name: str) -> str:
    """The statement charging an operand-dependent cost (costs.EXTRA_COSTS), if it is not 0."""
    cycles = EXTRA_COSTS[name]
    return f"; I.cycles += {cycles}" if cycles else ""


def _aget(a: Array, i: Any) -> Any:
    """``a[i]`` for an Array: the common 1-D int index inline, the rest through Array.get."""
    if i.__class__ is int and len(a.shape) == 1:
        n = a.shape[0]
        if 0 <= i < n:
            return a.data[a.offset + i]
    return a.get(i)


def _aset(a: Array, i: Any, v: Any) -> None:
    """``a[i] = v`` for an Array (as Array.set)."""
    if i.__class__ is int and len(a.shape) == 1 and 0 <= i < a.shape[0]:
        dtype = a.dtype
        if (dtype == "f4" and v.__class__ is float) or (dtype == "i4" and v.__class__ is int):
            flat = a.offset + i
            a.data[flat] = v
            a.dirty.add(flat)
            return
    a.set(i, v)


def _print_args(call_args: tuple[Any, ...]) -> tuple[str]:
    from esim.cores.interp import Interpreter

    *values, sep, end = call_args
    Interpreter._check_str(sep, "sep")
    Interpreter._check_str(end, "end")
    return (sep.join(py_str(v) for v in values) + end,)


def _depth_error() -> Fault:
    return Fault(ErrorCode.RecursionError,
                 f"maximum recursion depth exceeded ({MAX_CALL_DEPTH} calls)")


def _tup(items: list[str]) -> str:
    """Source of a tuple display of ``items``."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def _check_int_raise(v: int) -> None:
    check_int(v)


def _namespace() -> dict[str, Any]:
    from esim.cores.interp import _TICK, _UNSET, Interpreter, Request

    return {
        "UNSET": _UNSET, "TICK": _TICK, "Request": Request, "Fault": Fault, "KIter": KIter,
        "Array": Array, "END": object(), "TRUTH": ops.truth, "UNARY": ops.unary,
        "BINARY": ops.binary, "COMPARE": ops.compare, "CHECKINT": _check_int_raise,
        "HEAPT": frozenset(_HEAP_TYPES), "IMM": frozenset(_IMMEDIATE),
        "LENT": frozenset((list, tuple, str, range, Array)), "ITER": Interpreter._iter,
        "SUBSCR": Interpreter._subscr, "STORE": Interpreter._store_subscr,
        "SLICE": Interpreter._slice, "UNPACK": Interpreter._unpack, "ATTR": Interpreter._attr,
        "AGET": _aget, "ASET": _aset, "CALLB": call_builtin, "FRESHCHOICE": fresh_choice, "OBJB": object_bytes,
        "ERRCODE": ErrorCode, "PYSTR": py_str, "PYFORMAT": py_format, "PRINTARGS": _print_args,
        "DEPTHERR": _depth_error, "math": math,
        "SPECERR": lambda v: Fault(ErrorCode.TypeError,
                                   f"format spec must be a str, not {type_name(v)}"),
        "PARTERR": lambda v: Fault(ErrorCode.TypeError,
                                   f"can only join str parts, not {type_name(v)}"),
    }


_NAMESPACE: dict[str, Any] = {}
_CACHE: dict[bytes, CompiledProgram] = {}


def compiled(program: Program) -> CompiledProgram:
    """The translation of ``program`` (cached on the object and by image bytes)."""
    cp: CompiledProgram | None = program.__dict__.get("_jit")
    if cp is not None:
        return cp
    if not _NAMESPACE:
        _NAMESPACE.update(_namespace())
    key = encode(program)
    cp = _CACHE.get(key)
    if cp is None:
        cp = CompiledProgram(program)
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = cp
    program.__dict__["_jit"] = cp
    return cp


def run(interp: Interpreter, args: list[Any]) -> Generator[Any, Any, Any]:
    """The JIT engine behind :meth:`Interpreter.run` (same contract)."""
    from esim.cores.interp import _UNSET, KernelFault

    program = interp.program
    cp = compiled(program)
    entry = program.entry
    fentry = cp.funcs[entry]
    if len(args) != fentry.n_params:
        raise KernelFault(ErrorCode.TypeError, f"{program.functions[entry].name}() takes "
                          f"{fentry.n_params} arguments but {len(args)} were given", entry, 0)
    heap = interp.heap
    glob = interp.globals
    func_of_code = cp.func_of_code
    analyses = cp.analyses
    funcs = cp.funcs

    def roots(extra: tuple[Any, ...]) -> list[Any]:
        """Everything the kernel can reach: the generated frames' live slots, globals, extra."""
        out = list(extra)
        frame: types.FrameType | None = sys._getframe(1)
        first = True
        while frame is not None:
            k = func_of_code.get(frame.f_code)
            if k is not None:
                where = cp.where(frame.f_lineno)
                assert where is not None and where[0] == k
                idx = where[1]
                depth = analyses[k].depth[idx]
                assert depth is not None
                if not first:  # a caller, suspended in its CALL: the arguments left its stack
                    depth -= funcs[funcs[k].instrs[idx][1]].n_params
                first = False
                loc = frame.f_locals
                for j in range(funcs[k].n_locals):
                    v = loc.get(f"l{j}", _UNSET)
                    if v is not _UNSET:
                        out.append(v)
                for j in range(depth):
                    out.append(loc[f"s{j}"])
            frame = frame.f_back
        out.extend(glob)
        return out

    def ch(v: Any, operands: tuple[Any, ...]) -> Any:
        for o in operands:
            if v is o:
                return v
        heap.charge(object_bytes(v), lambda: roots((v, *operands)))
        return v

    def cb(nbytes: int, extra: tuple[Any, ...]) -> None:
        heap.charge(nbytes, lambda: roots(extra))

    def cbdeep(r: Any, call_args: tuple[Any, ...]) -> None:
        heap.charge(heap.deep_bytes(r), lambda: roots((r, *call_args)))

    def pushf(nbytes: int) -> None:
        heap.push_frame(nbytes, lambda: roots(()))

    fs, get_state, set_state = cp.make(interp, heap, glob, interp.consts, interp.core,
                                       interp.num_cores, array("f", [0.0]), ch, cb, cbdeep, pushf)
    try:
        heap.push_frame(fentry.frame_bytes, lambda: list(args))
        resident = [g for g in glob if g is not _UNSET]
        heap.charge(sum(heap.deep_bytes(a) for a in list(args) + resident),
                    lambda: list(args) + resident)
        gen = fs[entry](*args)
        if analyses[entry].may_yield:
            return (yield from gen)
        return gen
    except Fault as fault:
        func, line = _locate(cp, fault, entry, set_state, get_state)
        raise KernelFault(fault.code, fault.message, func, line) from None
    except RecursionError as exc:  # pragma: no cover - host recursion in deep data structures
        func, line = _locate(cp, exc, entry, set_state, get_state)
        raise KernelFault(ErrorCode.RecursionError, "maximum recursion depth exceeded",
                          func, line) from None
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError,
            ZeroDivisionError, UnicodeError) as exc:
        # Only a program the compiler would never produce gets here (as in the reference).
        func, line, op = _locate(cp, exc, entry, set_state, get_state, with_op=True)
        raise KernelFault(ErrorCode.RuntimeError, f"internal error: {type(exc).__name__}: "
                          f"{exc} (at {op})", func, line) from None
    except BaseException as exc:  # anything else: counters as the reference's, then re-raise
        _locate(cp, exc, entry, set_state, get_state)
        raise
    finally:
        cyc, cnt = get_state()
        interp.cycles += cyc
        interp.instructions += cnt
        set_state(0, 0)


def _locate(cp: CompiledProgram, exc: BaseException, entry: int, set_state: Any,
            get_state: Any, with_op: bool = False) -> Any:
    """(function, source line) of the instruction that raised ``exc``; uncharge what follows."""
    tb = exc.__traceback__
    found: tuple[int, int] | None = None
    while tb is not None:
        if tb.tb_frame.f_code in cp.func_of_code:
            where = cp.where(tb.tb_lineno)
            if where is not None:
                found = where
        tb = tb.tb_next
    if found is None:
        func, idx = entry, -1
    else:
        func, idx = found
        a = cp.analyses[func]
        cyc, cnt = get_state()
        set_state(cyc - a.rem_cyc[idx], cnt - a.rem_cnt[idx])
    line = cp.funcs[func].line_at(idx)
    if with_op:
        return func, line, OPCODES[cp.funcs[func].instrs[idx][0]].name
    return func, line
