"""Calls in the generated code, and escaping functions (variants.py).

A generator function calls a generator with ``yield from``, a function that cannot yield with a
plain call.  An *escaping* function (no loop, no observable builtin, only escaping or plain
callees: a recursive ``fib``) runs as a plain Python function, which saves the generator
machinery on every call.  Where its tick is due at a CALL, it cannot yield; it raises
``Escape`` with a record of its frame instead: (resumable version, CALL index, locals, stack
slots, call depth).  Each escaping caller on the way up adds its own record (its slots below
the call's arguments) and re-raises.  The first generator caller (or the engine) catches it and
runs the resumable versions, innermost first, each entered at its CALL: the innermost yields
the tick and makes the call; the others take the result of the one inside them.  So the tick is
yielded at the same instruction, with the same counters, as by the generator version, and
nothing runs twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from epython.bytecode import protocol
from epython.bytecode.opcodes import Op
from esim.cores.engine import TICK
from esim.cores.jit.analysis import Analysis, JitFunction
from esim.cores.jit.emitter import Emitter, tuple_display
from esim.cores.jit.types import ANY, Types
from esim.cores.jit.variants import Variants

__all__ = ["Escape", "emit_call", "resume", "resume_entry", "resume_targets"]


class FunctionTranslator(Protocol):
    """What these functions read of emit.py's FunctionTranslator."""

    f: JitFunction
    a: Analysis
    funcs: list[JitFunction]
    analyses: list[Analysis]
    types: Types
    variants: Variants
    em: Emitter
    mode: str
    suffix: str
    depth_checked: bool


class Escape(Exception):  # noqa: N818 (not an error: the way a plain function gives up)
    """A tick due in a plain (escaping) version: the records of its frames, innermost first."""

    def __init__(self, fn: Callable[..., Any], at: int, lc: tuple[Any, ...],
                 sl: tuple[Any, ...], dep: int, fr: int) -> None:
        super().__init__()
        self.frames = [(fn, at, lc, sl, dep, fr)]


def resume(e: Escape) -> Any:
    """The generator that continues the escaped frames of ``e`` (its outermost resumable
    version, with the others inside it)."""
    g = None
    for fn, at, lc, sl, dep, fr in e.frames:
        g = fn(at, lc, sl, dep, fr, g)
    e.__traceback__ = None  # the plain frames are done with
    return g


def _call_lines(tr: FunctionTranslator, i: int, d: int, checked: bool = False
                ) -> tuple[list[str], list[str]]:
    """(the depth check unless ``checked`` and the frame push, the call and what takes its
    result) of CALL ``i`` at depth ``d``."""
    f = tr.f
    arg = f.instrs[i][1]
    callee = tr.funcs[arg]
    n, fb = callee.n_params, callee.frame_bytes
    push = [f"nf = fr + {fb}", f"if nf > lim: nf = frame_slow({fb}, fr)"]
    if not checked:  # (``dep`` is the frame's: once checked in a block, it passes)
        push.insert(0, f"if dep >= {protocol.MAX_CALL_DEPTH - 1}: raise DEPTH_ERROR()")
    names = [f"s{k}" for k in range(d - n, d)]
    st = tr.types.stack_at[i]
    fn = tr.variants.target(arg, st[d - n:] if st is not None else ((ANY, None, None),) * n, names)
    call = f"{fn}({''.join(f'{x}, ' for x in names)}dep + 1, nf)"
    r = f"s{d - n}"
    if tr.variants.escapes[arg]:
        if tr.mode == "escape":  # a plain caller: add this frame, on up
            rec = _record(tr, i, d - n)
            return push, ["try:", f"    {r} = {call}", "except Escape as e:",
                          f"    e.frames.append({rec}); raise"]
        return push, ["try:", f"    {r} = {call}", "except Escape as e:", f"    {r} = e",
                      f"if {r}.__class__ is Escape: {r} = yield from RESUME({r})"]
    if tr.analyses[arg].may_yield:
        return push, [f"{r} = yield from {call}"]
    return push, [f"{r} = {call}"]


def _record(tr: FunctionTranslator, i: int, depth: int) -> str:
    """The Escape record of this frame at CALL ``i`` with ``depth`` stack slots."""
    f = tr.f
    lc = tuple_display([f"l{k}" for k in range(f.n_locals)]) if f.n_locals else "()"
    sl = tuple_display([f"s{k}" for k in range(depth)]) if depth else "()"
    return f"(f{f.index}{tr.suffix}g, {i}, {lc}, {sl}, dep, fr)"


def emit_call(tr: FunctionTranslator, i: int, d: int, emit: Callable[[str, int], None]) -> None:
    """CALL ``i`` at depth ``d``: the tick (a yield, or an Escape in an escaping version),
    the frame push, the call."""
    em = tr.em
    emit(f"if cc >= {em.packed(0, TICK)}:", 0)
    if tr.mode == "escape":
        emit(f"raise Escape{_record(tr, i, d)}", 1)
    else:
        emit(em.flush(), 1)
        emit("yield TICK_REQUEST", 1)
    push, call = _call_lines(tr, i, d, tr.depth_checked)
    tr.depth_checked = True
    for line in push + call:
        emit(line, 0)


def _calls(tr: FunctionTranslator) -> list[int]:
    return [i for i, ins in enumerate(tr.f.instrs)
            if ins[0] == Op.CALL and tr.a.depth[i] is not None]


def resume_targets(tr: FunctionTranslator) -> set[int]:
    """The blocks a resumable version enters (those after its CALLs)."""
    return {tr.a.block_of[i + 1] for i in _calls(tr)}


def resume_entry(tr: FunctionTranslator, ind: int) -> None:
    """The head of a resumable version ``f<k>[i]g(at, lc, sl, dep, fr, inner)``: the frame as
    the Escape recorded it, then the CALL ``at``: with no ``inner``, the tick and the call;
    else the result of ``inner`` (the callee's resumable frame); then the block after it."""
    f, em = tr.f, tr.em
    em.emit(ind - 1, f"def f{f.index}{tr.suffix}(at, lc, sl, dep, fr, inner):")
    em.emit(ind, "nonlocal cc, lim" if em.native else "nonlocal cc")
    if f.n_locals:
        em.emit(ind, f"{', '.join(f'l{k}' for k in range(f.n_locals))}, = lc")
    for inner in (False, True):
        em.emit(ind, "if inner is None:" if not inner else "else:")
        for n, i in enumerate(_calls(tr)):
            d = tr.a.depth[i]
            assert d is not None
            callee = tr.funcs[f.instrs[i][1]]
            own = (f.index, i)
            em.emit(ind + 1, f"{'if' if n == 0 else 'elif'} at == {i}:", own)
            depth = d - callee.n_params if inner else d
            if depth:
                em.emit(ind + 2, f"{', '.join(f's{k}' for k in range(depth))}, = sl", own)
            push, call = _call_lines(tr, i, d)
            if inner:
                lines = [f"s{depth} = yield from inner"]
            else:
                lines = [em.flush(), "yield TICK_REQUEST", *push, *call]
            for line in lines:
                em.emit(ind + 2, line, own)
            em.emit(ind + 2, f"b = {tr.a.block_of[i + 1]}", own)
        em.emit(ind + 1, "else:")
        em.emit(ind + 2, "raise AssertionError(at)")
