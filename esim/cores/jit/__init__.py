"""The translating engine of the simulated cores: bytecode functions -> generated Python source.

The reference engine (``esim/cores/reference.py``) decodes and dispatches every instruction.
This package translates each bytecode function of a program image once into the source of a
Python generator function (compiled with :func:`compile`, cached per program image), which
the cores execute by default.  The observable behaviour is the reference's, exactly: results, printed output, errors with their function and
line, ``cycles`` and ``instructions``, the Requests yielded (with their func/line) and the points
where MemoryError or RecursionError happen.

Translation scheme (docs/performance.md):

* Locals become Python locals ``l0..``; value-stack slots become ``s0..`` (the verifier proves
  the depth is static at every instruction).  Immediate loads (literals, assigned locals of
  int/float/bool/None) are folded into the instruction that takes them, and an operator's
  result goes straight into the local a STORE_LOCAL after it names (emit.py, ``lazy``).  Never-assigned locals hold ``UNSET``; loads are
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
  to binary32 by Veltkamp's splitting in binary32's normal range and through a one-element
  ``array('f')`` outside it (a C ``(float)`` cast: round to nearest, inf on overflow, as
  ``values.f32``; fast.py ``round_f32``).  Anything but int/int or float/float goes to the
  reference's ``ops`` functions, which raise the same Faults.
* Calls are ``yield from`` of the callee's generator (or a plain call for a callee that can
  never yield: no call, no loop, no observable builtin).  A called function with parameters
  also has an int variant for int arguments (variants.py); a function that only its calls
  make a generator runs as a plain function that escapes to resumable generator versions
  where a tick is due (calls.py).  The call depth is the last
  parameter ``dep`` of every generated function (the caller checks it against MAX_CALL_DEPTH
  and passes ``dep + 1``): a local, not a shared counter.
* Native loops (native.py): each back edge's tick check has a hook; the first time it runs,
  the dispatch loop from that check round to it is translated to C, built in the background,
  and from then on each tick's passes run in C, bailing to the Python pass where C has no
  form for a statement, so the counters, results and errors stay the reference's.
* Memory: the same charges at the same points.  The live roots for an exact trace near the limit
  are found by walking the Python frames of the generated functions (``sys._getframe``): the
  current line gives the instruction, the static depth gives which stack slots are live.
"""

from __future__ import annotations

import sys
import types
from array import array
from collections.abc import Generator
from typing import Any

from epython.bytecode.costs import EXTRA_COSTS
from epython.bytecode.image import Program, encode
from epython.bytecode.memory import SMALL_OBJECT_BYTES
from epython.bytecode.opcodes import OPCODES
from epython.bytecode.protocol import MAX_CALL_DEPTH
from esim.cores.engine import TICK, UNSET, Request, check_arity, enter, kernel_fault
from esim.cores.heap import object_bytes
from esim.cores.jit.analysis import Analysis, JitFunction
from esim.cores.jit.calls import Escape, resume
from esim.cores.jit.emit import Emitter, FunctionTranslator
from esim.cores.jit.exceptions import REFERENCE, runs_on_reference
from esim.cores.jit.native import NativeLoops
from esim.cores.jit.native import enabled as native_enabled
from esim.cores.jit.runtime import namespace
from esim.cores.jit.types import ANY, ARR_F1, ARR_F2, ARR_I1, ARR_I2, BOOL, FLOAT, INT, LIST, NONE
from esim.cores.jit.variants import INTS, RESUMES, Variants
from esim.cores.semantics import unbound_local, undefined_global
from esim.cores.state import CoreState
from esim.cores.values import Array

__all__ = ["CompiledProgram", "TranslatingEngine", "compiled"]


class CompiledProgram:
    """The generated module of one program image and its tables."""

    def __init__(self, program: Program, entry: tuple[int, ...] | None = None) -> None:
        """``entry``: the class masks of the entry's arguments (``arg_masks``)."""
        self.program = program
        self.funcs = [JitFunction(program, i) for i in range(len(program.functions))]
        self.analyses = [Analysis(program, f) for f in self.funcs]
        shift, real = counter_shift(self.funcs)
        em = Emitter(shift, real)
        em.native = native_enabled()
        em.emit(0, "def make(state, heap, glob, consts, core_id, num_cores, F32, charge_, "
                   "charge_bytes_, charge_deep_, push_frame):")
        em.emit(1, f"cc = {em.packed(0, 0)}; lim = -1")
        # (an owner other than the state: never the fast path)
        em.emit(1, f"SMALL = {SMALL_OBJECT_BYTES} if heap.owner is state or heap.owner is None "
                   "else 1 << 60")
        em.emit(1, f"SMALL_CYCLES = heap.alloc_cycles + heap.byte_cycles * {SMALL_OBJECT_BYTES} "
                   "if heap.owner is state else 0")
        em.emit(1, "FAST = heap.owner is state or heap.owner is None")
        em.emit(1, "ALLOC, PER_BYTE = (heap.alloc_cycles, heap.byte_cycles) if heap.owner is state "
                   "else (0, 0)")
        em.emit(1, _FRAMES)
        #: per version (function, suffix: variants.py) and instruction, the stack slots that
        #: may hold a heap object (the others hold ints, floats, bools or None, or a literal
        #: the source carries)
        boxed: dict[str, list[tuple[int, ...]]] = {}
        variants = Variants(program, self.funcs, self.analyses, entry)
        self.escapes = variants.escapes
        for key in variants.versions:
            tr = FunctionTranslator(program, self.funcs, self.analyses, variants, key, em)
            tr.generate()
            boxed[f"f{key[0]}{key[1]}"] = [
                tuple(j for j in range(len(st)) if st[j][0] & ~_IMMEDIATE)
                if st is not None else () for st in tr.types.stack_at]
        em.emit(1, "def get_state():")
        em.emit(2, "k = int(cc)")
        em.emit(2, f"return k & {(1 << shift) - 1}, k >> {shift}")
        em.emit(1, "def set_state(c, n):")
        em.emit(2, "nonlocal cc")
        em.emit(2, f"cc = {'float' if real else ''}((n << {shift}) + c)")
        names = ", ".join(f"f{k}" for k in range(len(self.funcs)))
        em.emit(1, f"return ({names}{',' if len(self.funcs) == 1 else ''}), get_state, set_state, "
                   "begin, end")
        self.source = "\n".join(em.lines) + "\n"
        self.owner = em.owner
        self.rem = em.rem
        module = dict(_NAMESPACE)
        fnames = [fn.name for fn in program.functions]
        gnames = [g.name for g in program.globals]
        module["UNBOUND"] = lambda func, slot: unbound_local(fnames[func], slot)
        module["NAME_ERROR"] = lambda slot: undefined_global(gnames[slot])
        module["Escape"] = Escape
        module["RESUME"] = resume
        where = f"<epython-jit {program.functions[program.entry].name}>"
        #: the native hooks (native.py), None when they are off
        self.native: NativeLoops | None = None
        if em.sites:
            self.native = NativeLoops(self.source, em.sites, where)
            module["NATIVE"] = self.native.call
        code = compile(self.source, where, "exec")
        exec(code, module)
        self.make = module["make"]
        #: the function of each generated version's code, and its boxed slots
        self.func_of_code: dict[Any, int] = {}
        self.boxed: dict[Any, list[tuple[int, ...]]] = {}
        for const in self.make.__code__.co_consts:
            if hasattr(const, "co_name") and const.co_name in boxed:
                self.func_of_code[const] = int(const.co_name[1:].rstrip(INTS + RESUMES))
                self.boxed[const] = boxed[const.co_name]

    def where(self, lineno: int) -> tuple[int, int] | None:
        """(function, instruction) of a generated line."""
        if 1 <= lineno <= len(self.owner):
            return self.owner[lineno - 1]
        return None


def counter_shift(funcs: list[JitFunction]) -> tuple[int, bool]:
    """The bit position of the instruction count in the generated code's one counter ``cc``
    (cycles below it).  Between two flushes of the counter at most TICK instructions run
    before a tick check fails, then at most one back-edge-free path per frame of the call
    stack: the cycles of that many instructions at the dearest instruction's cost fit below.
    Also whether the counter may be a float (exactly, below 2**53)."""
    total = sum(len(f.instrs) for f in funcs)
    # an array access adds its extra cost to the counter too (FunctionTranslator.extra)
    extra = max(0, EXTRA_COSTS["array get"], EXTRA_COSTS["array set"])
    dearest = max((ins[3] for f in funcs for ins in f.instrs), default=1) + extra
    count = TICK + 2 * (MAX_CALL_DEPTH + 1) * total
    shift = (count * max(dearest, 1)).bit_length() + 1
    # a float adds faster than a two-digit int; it is exact while the counter is below 2**53
    return shift, (count << shift).bit_length() <= 52


#: The frame accounting of the generated code: the last parameter ``fr`` of every generated
#: function is the heap's frame bytes while it runs, its own frame included (``begin`` gives
#: the entry's, ``end`` gives the heap the frames left; every heap operation takes ``fr`` and
#: sets ``heap.frames`` first, ``charge_cb``, a callback's, after the code set it), and
#: ``lim`` at most what the frames may grow to before they would set a new peak or exceed the
#: workspace (peak - used; every operation that may raise ``used`` recomputes it), so a call
#: only adds and compares (``nf = fr + frame``; a return undoes nothing) and goes to
#: ``heap.push_frame`` (``frame_slow``) past ``lim``.
#: ``charge_small`` charges a new object of SMALL_OBJECT_BYTES (a range, an iterator) the same
#: way: within ``lim`` no collection and no new peak can happen, so it only adds what
#: ``Heap.charge`` adds (the bytes, the allocator's cycles).
#: ``charge``, ``charge_bytes`` and ``charge_small`` past ``lim`` add the bytes inline
#: (``add_bytes``) whenever no collection is due, setting a new peak as ``Heap.charge`` does
#: (``charge`` after the engine's test that the object is not one of the operands, by the same
#: ``object_bytes``); only a collection takes the engine's path.
_FRAMES = """\
def begin():
    nonlocal lim
    lim = heap.peak - heap.used
    return heap.frames
def end(frames):
    heap.frames = frames
def frame_slow(nb, fr):
    nonlocal lim
    heap.frames = fr
    push_frame(nb)
    lim = heap.peak - heap.used
    return heap.frames
def add_bytes(nb, fr):
    nonlocal lim
    if FAST and fr + nb <= heap.workspace - heap.used:  # no collection (a new peak at most)
        used = heap.used = heap.used + nb
        if nb: state.cycles += ALLOC + PER_BYTE * nb
        if used + fr > heap.peak:
            heap.peak = used + fr
        lim = heap.peak - used
        return True
    return False
def charge(v, operands, fr):
    nonlocal lim
    for o in operands:
        if v is o:
            return v
    if add_bytes(OBJECT_BYTES(v), fr):
        return v
    heap.frames = fr
    v = charge_(v, operands)
    lim = heap.peak - heap.used
    return v
def charge_small(v, operands, fr):
    nonlocal lim
    if fr + SMALL <= lim:
        heap.used += SMALL; lim -= SMALL; state.cycles += SMALL_CYCLES
        return v
    if add_bytes(SMALL, fr):
        return v
    return charge(v, operands, fr)
def charge_bytes(nbytes, extra, fr):
    nonlocal lim
    if add_bytes(nbytes, fr):
        return
    heap.frames = fr
    charge_bytes_(nbytes, extra)
    lim = heap.peak - heap.used
def charge_cb(nbytes, extra):
    nonlocal lim
    if add_bytes(nbytes, heap.frames):
        return
    charge_bytes_(nbytes, extra)
    lim = heap.peak - heap.used
def charge_deep(r, call_args, fr):
    nonlocal lim
    heap.frames = fr
    charge_deep_(r, call_args)
    lim = heap.peak - heap.used"""

_NAMESPACE: dict[str, Any] = namespace()
_IMMEDIATE = INT | FLOAT | BOOL | NONE
_CACHE: dict[tuple[bytes, tuple[int, ...] | None], CompiledProgram] = {}


def compiled(program: Program, entry: tuple[int, ...] | None = None) -> CompiledProgram:
    """The translation of ``program`` for entry arguments of the classes ``entry`` (None:
    any; cached on the object and by image bytes)."""
    mine: dict[Any, CompiledProgram] = program.__dict__.setdefault("_jit", {})
    cp = mine.get(entry)
    if cp is not None:
        return cp
    key = (encode(program), entry)
    cp = _CACHE.get(key)
    if cp is None:
        cp = CompiledProgram(program, entry)
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = cp
    mine[entry] = cp
    return cp


_ARRAYS = {(1, float): ARR_F1, (1, int): ARR_I1, (2, float): ARR_F2, (2, int): ARR_I2}


def arg_masks(args: list[Any]) -> tuple[int, ...] | None:
    """The class masks of a launch's arguments as the type analysis takes them (None when
    none is known: one translation serves them all)."""
    out = []
    for a in args:
        c = a.__class__
        m = (INT if c is int else FLOAT if c is float else BOOL if c is bool else
             LIST if c is list else
             _ARRAYS.get((len(a.shape), a.kind), ANY) if c is Array else ANY)
        out.append(m)
    return tuple(out) if any(m != ANY for m in out) else None


class TranslatingEngine:
    """The engine that runs each program's generated module (the Engine contract)."""

    name = "jit"

    def execute(self, state: CoreState, args: list[Any]) -> Generator[Request, Any, Any]:
        """Run the entry function with ``args`` (the Engine contract)."""
        program = state.program
        if runs_on_reference(program):  # a kernel with try: see jit/exceptions.py
            return (yield from REFERENCE.execute(state, args))
        check_arity(state, args)
        cp = compiled(program, arg_masks(args))
        entry = program.entry
        fentry = cp.funcs[entry]
        heap = state.heap
        glob = state.globals
        func_of_code = cp.func_of_code
        boxed = cp.boxed
        analyses = cp.analyses
        funcs = cp.funcs

        def roots(extra: tuple[Any, ...]) -> list[Any]:
            """Everything the kernel can reach: the generated frames' live slots, globals,
            ``extra``."""
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
                        v = loc.get(f"l{j}", UNSET)
                        if v is not UNSET:
                            out.append(v)
                    for j in boxed[frame.f_code][idx]:
                        if j < depth:
                            out.append(loc[f"s{j}"])
                frame = frame.f_back
            out.extend(glob)
            return out

        def charge(v: Any, operands: tuple[Any, ...]) -> Any:
            """Account the new heap object ``v`` (unless it is one of the operands)."""
            for o in operands:
                if v is o:
                    return v
            heap.charge(object_bytes(v), lambda: roots((v, *operands)), fresh=v)
            return v

        def charge_bytes(nbytes: int, extra: tuple[Any, ...]) -> None:
            heap.charge(nbytes, lambda: roots(extra))

        def charge_deep(r: Any, call_args: tuple[Any, ...]) -> None:
            heap.charge(heap.deep_bytes(r), lambda: roots((r, *call_args)), fresh=r)

        def push_frame(nbytes: int) -> None:
            heap.push_frame(nbytes, lambda: roots(()))

        fs, get_state, set_state, begin, end = cp.make(state, heap, glob, state.consts, state.core,
                                           state.num_cores, array("f", [0.0]), charge,
                                           charge_bytes, charge_deep, push_frame)
        begun = False
        fr = 0
        try:
            enter(state, fentry.frame_bytes, args)
            fr = begin()
            begun = True
            left = fr - fentry.frame_bytes  # the frames when the entry has returned
            if cp.escapes[entry]:
                try:
                    r = fs[entry](*args, 0, fr)
                except Escape as e:
                    r = e
                if r.__class__ is Escape:
                    r = yield from resume(r)
            else:
                r = fs[entry](*args, 0, fr)
                if analyses[entry].may_yield:
                    r = yield from r
            fr = left
            return r
        except BaseException as exc:
            fr = _frames_at(cp, exc, fr)
            func, idx = _locate(cp, exc, entry, set_state, get_state)
            fault = kernel_fault(exc, func, cp.funcs[func].line_at(idx),
                                 lambda: OPCODES[cp.funcs[func].instrs[idx][0]].name)
            if fault is None:  # not a kernel's error: counters as the reference's, re-raised
                raise
            fault.chain = _callers(cp, exc)
            raise fault from None
        finally:
            if begun:
                end(fr)
            cyc, cnt = get_state()
            state.cycles += cyc
            state.instructions += cnt
            set_state(0, 0)


def _innermost(cp: CompiledProgram, exc: BaseException) -> types.TracebackType | None:
    """The traceback entry of the innermost generated frame that ``exc`` passed through (a
    line that maps to an instruction), None when none ran."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in cp.func_of_code and cp.where(tb.tb_lineno) is not None:
            found = tb
        tb = tb.tb_next
    return found


def _frames_at(cp: CompiledProgram, exc: BaseException, entry_frames: int) -> int:
    """The heap's frame bytes where ``exc`` was raised: the ``fr`` of the innermost kernel
    frame in its traceback (its frame and its callers' still pushed, as the reference leaves
    them), ``entry_frames`` when none ran."""
    tb = _innermost(cp, exc)
    return entry_frames if tb is None else tb.tb_frame.f_locals.get("fr", entry_frames)


def _callers(cp: CompiledProgram, exc: BaseException) -> tuple[tuple[int, int], ...]:
    """(function, line) of each kernel frame in ``exc``'s traceback but the innermost (the
    callers of the function that failed), outermost first; only computed for an error."""
    chain: list[tuple[int, int]] = []
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in cp.func_of_code and (where := cp.where(tb.tb_lineno)):
            chain.append((where[0], cp.funcs[where[0]].line_at(where[1])))
        tb = tb.tb_next
    return tuple(chain[:-1])


def _locate(cp: CompiledProgram, exc: BaseException, entry: int, set_state: Any,
            get_state: Any) -> tuple[int, int]:
    """(function, instruction index) that raised ``exc`` (index -1 when it was raised before
    the entry's first instruction); uncharges what its segment charged for the instructions
    after it."""
    tb = _innermost(cp, exc)
    if tb is None:
        return entry, -1
    where = cp.where(tb.tb_lineno)
    assert where is not None
    func, idx = where
    rem_c, rem_n = cp.rem[tb.tb_lineno - 1]
    cyc, cnt = get_state()
    set_state(cyc - rem_c, cnt - rem_n)
    return func, idx
