"""The analysis the translating engine needs of each bytecode function: the static stack depth
at every instruction and the basic blocks (``epython.bytecode.flow``, the verifier's analysis), the definite assignment of locals at each block entry,
and whether it may yield.
"""

from __future__ import annotations

from epython.bytecode.flow import analyse
from epython.bytecode.image import Program
from epython.bytecode.opcodes import BUILTINS, OPCODES, Op
from esim.cores.decode import decode_function
from esim.cores.heap import frame_bytes

__all__ = ["Analysis", "JitFunction", "cuts_segment"]


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


class Analysis:
    """Depths, basic blocks, definite assignment and segments of one function."""

    def __init__(self, program: Program, f: JitFunction, after_calls: bool = False) -> None:
        """``after_calls``: a block also starts after each CALL (the resumable version of an
        escaping function enters there: calls.py)."""
        instrs = f.instrs
        graph = analyse(program.functions[f.index].code,
                        lambda callee: program.functions[callee].n_params)
        depth = self.depth = graph.depths
        self.blocks: list[tuple[int, int]] = graph.blocks()  # [start, end) instruction ranges
        if after_calls:
            self.blocks = [piece for s, e in self.blocks for piece in _cut_after_calls(instrs, s, e)]
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
            for k, (_s, e) in enumerate(self.blocks):
                for t in (self.block_of[j] for j in graph.successors(e - 1)):
                    new_in[t] &= out_of[k]
            if new_in != entry_in:
                entry_in = new_in
                changed = True
        self.assigned_in = entry_in
        # Predecessor edges and loop depth (blocks inside a back-edge's span) of each block.
        self.preds = [0] * len(self.blocks)
        self.loop_depth = [0] * len(self.blocks)
        for _k, (_s, e) in enumerate(self.blocks):
            for j in graph.successors(e - 1):
                self.preds[self.block_of[j]] += 1
                if j < e:
                    for m, (s2, _e2) in enumerate(self.blocks):
                        if j <= s2 < e:
                            self.loop_depth[m] += 1
        #: no backward jump and no observable builtin: only its calls may yield
        self.straight = not any(
            depth[i] is not None and ((op == Op.CALL_BUILTIN and BUILTINS[arg].observable)
                                      or (OPCODES[op].is_jump and arg <= i))
            for i, (op, arg, _, _) in enumerate(instrs))
        self.may_yield = not self.straight or any(
            depth[i] is not None and op == Op.CALL for i, (op, _, _, _) in enumerate(instrs))


def _cut_after_calls(instrs: list[tuple[int, int, int, int]], s: int, e: int
                     ) -> list[tuple[int, int]]:
    """Block [s, e) cut after each CALL in it."""
    out = []
    for i in range(s, e - 1):
        if instrs[i][0] == Op.CALL:
            out.append((s, i + 1))
            s = i + 1
    out.append((s, e))
    return out


def cuts_segment(ins: tuple[int, int, int, int]) -> bool:
    """Does ``ins`` end a segment (a CALL or an observable builtin: counters must be exact
    after it)?"""
    op, arg = ins[0], ins[1]
    return op == Op.CALL or (op == Op.CALL_BUILTIN and BUILTINS[arg].observable)

