"""Control flow and stack depths of one function's code: the one analysis behind the verifier,
the assembler's ``max_stack`` and the simulator's translating engine.

:func:`stack_effect` says what one instruction pops and pushes; :func:`analyse` follows every
path from a function's first instruction, records the stack depth on entry to each instruction
it reaches, and rejects code whose depths disagree between paths, underflow, exceed a limit or
run off the end (with the verifier's messages, docs/bytecode.md).  The C verifier
(device/core/verify.c) implements the same walk, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from epython.bytecode.image import Handler, ImageError
from epython.bytecode.instr import Instr, iter_code
from epython.bytecode.opcodes import Count, Flow, Op

__all__ = ["CalleeParams", "FlowGraph", "analyse", "stack_effect"]

#: Gives the parameter count of the function with a given index (what ``CALL f`` pops).
CalleeParams = Callable[[int], int]


def stack_effect(info: Op, args: Sequence[int], callee_params: CalleeParams) -> tuple[int, int]:
    """(pops, pushes) of an instruction with operands ``args`` on its fall-through path.

    The row's counts are literal, or a :class:`Count` that the operands give; ``CALL f`` pops
    ``callee_params(f)``.  When a jump is taken the effect is the row's ``branch_pops`` and
    ``branch_pushes`` instead.
    """
    return _count(info.pops, args, callee_params), _count(info.pushes, args, callee_params)


def _count(count: int, args: Sequence[int], callee_params: CalleeParams) -> int:
    """A stack count of the row resolved against the operands."""
    if count >= 0:
        return count
    if count == Count.OPERAND:
        return args[0]
    if count == Count.SECOND_OPERAND:
        return args[1]
    return callee_params(args[0])


@dataclass(frozen=True)
class FlowGraph:
    """One function's instructions with the stack depth on entry to each (None: unreachable).

    Instructions are numbered by their position in the code (``index_of`` maps a pc to it).
    """

    instrs: list[Instr]
    depths: list[int | None]
    index_of: dict[int, int]

    @property
    def max_depth(self) -> int:
        """The deepest stack on entry to any reachable instruction (a function's max_stack)."""
        return max((d for d in self.depths if d is not None), default=0)

    def successors(self, index: int) -> list[int]:
        """Where control may go after instruction ``index``: the jump target first, then the
        following instruction."""
        ins = self.instrs[index]
        out = [self.index_of[ins.arg]] if ins.info.is_jump else []
        if ins.info.falls_through and index + 1 < len(self.instrs):
            out.append(index + 1)
        return out

    def blocks(self) -> list[tuple[int, int]]:
        """The basic blocks of the reachable code as [start, end) index ranges, in code order.

        A block starts at the entry, at a jump target and after an instruction that does not
        just go on to the next one (a jump, a branch, a return or a raise); it ends after such an
        instruction, before another block's start, or before unreachable code.
        """
        instrs, depths, n = self.instrs, self.depths, len(self.instrs)
        starts = {0}
        for k, ins in enumerate(instrs):
            if depths[k] is None:
                continue
            if ins.info.is_jump:
                starts.add(self.index_of[ins.arg])
            if ins.info.flow is not Flow.NEXT and k + 1 < n:
                starts.add(k + 1)
        blocks = []
        for start in sorted(k for k in starts if k < n and depths[k] is not None):
            end = start + 1
            while (end < n and depths[end] is not None and end not in starts
                   and instrs[end - 1].info.flow is Flow.NEXT):
                end += 1
            blocks.append((start, end))
        return blocks


def analyse(code: bytes | Sequence[Instr], callee_params: CalleeParams, where: str = "code",
            max_stack: int | None = None, handlers: Sequence[Handler] = ()) -> FlowGraph:
    """Follow every path through one function's code and record the stack depths.

    ``code`` is the function's bytes or its decoded instructions; ``where`` names the function
    in messages (the verifier passes ``"function 3 (helper)"``).  Raises :class:`ImageError`
    naming the first fault found: a stack underflow, a depth above ``max_stack`` (None: no
    limit), two paths that reach an instruction with different depths, or control running off
    the end of the code.  The worklist order, and so which fault is named first, is the C
    verifier's.

    ``handlers`` is the function's exception table: after the walk from the entry, each
    handler's target is walked from in table order with its depth plus the exception; then every
    reachable instruction a handler covers must leave at least the handler's depth on the stack
    under what it pops, since a raise truncates the stack to that depth.
    """
    instrs = list(iter_code(bytes(code))) if isinstance(code, (bytes, bytearray)) else list(code)
    index_of = {ins.pc: k for k, ins in enumerate(instrs)}
    depths: list[int | None] = [None] * len(instrs)
    graph = FlowGraph(instrs, depths, index_of)
    if not instrs:
        return graph
    end = instrs[-1].next_pc
    depths[0] = 0
    work = [0]

    def fault(ins: Instr, what: str) -> ImageError:
        return ImageError(f"{where} pc {ins.pc} {ins.info.name}: {what}")

    def reach(pc: int, depth: int, src: Instr) -> None:
        if pc >= end:
            raise fault(src, "control runs off the end of the function")
        if max_stack is not None and depth > max_stack:
            raise fault(src, f"stack depth {depth} exceeds max_stack {max_stack}")
        index = index_of.get(pc)
        if index is None:
            raise fault(src, f"jump target {pc} is not the start of an instruction")
        known = depths[index]
        if known is None:
            depths[index] = depth
            work.append(index)
        elif known != depth:
            raise fault(src, f"stack depth {depth} at pc {pc} disagrees with {known} on another path")

    def drain() -> None:
        while work:
            index = work.pop()
            ins, depth = instrs[index], depths[index]
            info = ins.info
            assert depth is not None
            pops, pushes = stack_effect(info, ins.args, callee_params)
            if depth < pops:
                raise fault(ins, f"stack underflow (needs {pops}, has {depth})")
            if info.is_jump:
                if depth < info.branch_pops:
                    raise fault(ins, "stack underflow on the branch")
                reach(ins.arg, depth - info.branch_pops + info.branch_pushes, ins)
            if info.falls_through:
                reach(ins.next_pc, depth - pops + pushes, ins)

    drain()
    for k, h in enumerate(handlers):
        bounds = (h.start, h.end)
        if not h.start < h.end or any(b not in index_of and b != end for b in bounds):
            raise ImageError(f"{where}: exception table entry {k}: range [{h.start}, {h.end}) "
                             "is empty or does not fall on instructions")
        if h.target not in index_of:
            raise ImageError(f"{where}: exception table entry {k}: handler {h.target} is not "
                             "the start of an instruction")
        reach(h.target, h.depth + 1, instrs[index_of[h.target]])
        drain()
    for k, h in enumerate(handlers):
        for index in range(index_of[h.start], index_of.get(h.end, len(instrs))):
            ins, depth = instrs[index], depths[index]
            if depth is not None and depth - stack_effect(ins.info, ins.args,
                                                          callee_params)[0] < h.depth:
                raise fault(ins, f"exception table entry {k}: the stack is shallower than "
                            f"the handler's depth {h.depth}")
    return graph
