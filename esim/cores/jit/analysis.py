"""The analysis the translating engine needs of each bytecode function: the static stack depth
at every instruction, the basic blocks, the definite assignment of locals at each block entry,
and the *segments* (runs of instructions whose cycles are charged at once) with what remains of
each segment after every instruction (to uncharge it when an instruction faults).
"""

from __future__ import annotations

from epython.bytecode.image import Program
from epython.bytecode.opcodes import ARG, BUILTINS, OPCODES, Op
from esim.cores.decode import decode_function
from esim.cores.heap import frame_bytes

__all__ = ["ENDS", "JUMPS", "Analysis", "JitFunction", "cuts_segment"]


class JitFunction:
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


JUMPS = (Op.JUMP, Op.POP_JUMP_IF_FALSE, Op.POP_JUMP_IF_TRUE, Op.JUMP_IF_FALSE_OR_POP,
          Op.JUMP_IF_TRUE_OR_POP, Op.FOR_ITER)
ENDS = (Op.JUMP, Op.RETURN_VALUE, Op.RAISE)


class Analysis:
    """Depths, basic blocks, definite assignment and segments of one function."""

    def __init__(self, program: Program, f: JitFunction) -> None:
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
            if op in JUMPS:
                if op == Op.POP_JUMP_IF_FALSE or op == Op.POP_JUMP_IF_TRUE or op == Op.FOR_ITER:
                    succ.append((arg, d - 1))
                else:
                    succ.append((arg, d))
            if op not in ENDS:
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
            if op in JUMPS:
                leaders.add(arg)
            if op in JUMPS or op in ENDS:
                if i + 1 < n:
                    leaders.add(i + 1)
        starts = sorted(k for k in leaders if k < n and depth[k] is not None)
        self.blocks: list[tuple[int, int]] = []  # [start, end) instruction ranges
        for s in starts:
            e = s
            while e < n and depth[e] is not None and (e == s or e not in leaders):
                e += 1
                if instrs[e - 1][0] in JUMPS or instrs[e - 1][0] in ENDS:
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
                if op in JUMPS:
                    targets.append(self.block_of[arg])
                if op not in ENDS and e < n:
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
                if cuts_segment(instrs[i]) and i + 1 < e:
                    self._remainders(instrs, seg, i + 1)
                    seg = i + 1
                    self.seg_start.add(seg)
            self._remainders(instrs, seg, e)
        self.may_yield = any(
            depth[i] is not None and (op == Op.CALL or (op == Op.CALL_BUILTIN and BUILTINS[arg].observable)
                                      or (op in JUMPS and arg <= i))
            for i, (op, arg, _, _) in enumerate(instrs))

    def _remainders(self, instrs: list[tuple[int, int, int, int]], s: int, e: int) -> None:
        c = k = 0
        for i in range(e - 1, s - 1, -1):
            self.rem_cyc[i] = c
            self.rem_cnt[i] = k
            c += instrs[i][3]
            k += 1

    def segment_cost(self, instrs: list[tuple[int, int, int, int]], s: int, e: int) -> tuple[int, int]:
        """Cycles and instructions of the segment that starts at ``s`` (it ends at the first
        instruction that cuts a segment, or at ``e``)."""
        c = k = 0
        for i in range(s, e):
            c += instrs[i][3]
            k += 1
            if cuts_segment(instrs[i]):
                break
        return c, k


def cuts_segment(ins: tuple[int, int, int, int]) -> bool:
    """Does ``ins`` end a segment (a CALL or an observable builtin: counters must be exact
    after it)?"""
    op, arg = ins[0], ins[1]
    return op == Op.CALL or (op == Op.CALL_BUILTIN and BUILTINS[arg].observable)

