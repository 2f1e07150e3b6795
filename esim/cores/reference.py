"""The reference engine: decode and dispatch one instruction at a time.

This loop is the executable specification of the bytecode on a simulated core; the translating
engine (``esim/cores/jit/``) is tested against it (tests/test_jit.py).  The value semantics are
the plain functions of ``ops``, ``semantics`` and ``builtins``; this module only moves values
between the stack, the locals and the frames, and charges cycles and memory at the points the
C interpreter does.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Generator
from typing import Any

from epython.bytecode import protocol
from epython.bytecode.exceptions import is_subclass
from epython.bytecode.image import Program
from epython.bytecode.instr import Instr
from epython.bytecode.memory import VALUE_SLOT_BYTES
from epython.bytecode.opcodes import BUILTINS, OPCODES, ErrorCode, Op
from esim.cores import dicts, ops, semantics, sets
from esim.cores.builtins import (
    FRESH_ITEM_CODES,
    INPLACE_BINARY,
    LIST_EXTEND,
    RANDOM_BUILTINS,
    SLOT_DELTA,
    fresh_choice,
)
from esim.cores.decode import decode_function, table_cost
from esim.cores.engine import (
    TICK,
    TICK_REQUEST,
    UNSET,
    Request,
    check_arity,
    enter,
    kernel_fault,
)
from esim.cores.exceptions import caught_exception, raise_code
from esim.cores.heap import frame_bytes, object_bytes
from esim.cores.state import CoreState
from esim.cores.values import Array, Fault, KExc, KIter, KSet, Raised, py_format, py_str, type_name

__all__ = ["DecodedFunction", "ReferenceEngine"]

#: Types whose results are heap objects the allocator charges.
_HEAP_TYPES = (str, list, tuple, dict, KSet)
_IMMEDIATE = (int, float, bool)
#: The conditional and unconditional branches: they share the tick at a backward target.
_BRANCHES = frozenset((Op.JUMP, Op.POP_JUMP_IF_FALSE, Op.POP_JUMP_IF_TRUE, Op.FOR_ITER,
                       Op.JUMP_IF_FALSE_OR_POP, Op.JUMP_IF_TRUE_OR_POP))
_MAX_CALL_DEPTH = protocol.MAX_CALL_DEPTH


class DecodedFunction:
    """A function decoded once: instructions as (op, arg, arg2, cycles) with jumps as indexes."""

    __slots__ = ("frame_bytes", "handlers", "instrs", "lines", "n_locals", "n_params", "pcs")

    def __init__(self, program: Program, index: int,
                 cost: Callable[[Instr], int] = table_cost) -> None:
        func = program.functions[index]
        self.instrs, self.pcs = decode_function(func, cost)
        self.lines = func.lines
        self.n_locals = func.n_locals
        self.n_params = func.n_params
        self.frame_bytes = frame_bytes(func.n_locals, func.max_stack)
        at = {pc: k for k, pc in enumerate(self.pcs)}
        at[len(func.code)] = len(self.pcs)
        #: the exception table by instruction index: (start, end, target, depth)
        self.handlers = [(at[h.start], at[h.end], at[h.target], h.depth)
                         for h in func.handlers]

    def handler_at(self, index: int) -> tuple[int, int, int, int] | None:
        """The handler of an exception raised by instruction ``index`` (None: the caller's)."""
        for h in self.handlers:
            if h[0] <= index < h[1]:
                return h
        return None

    def line_at(self, index: int) -> int:
        """Source line of instruction ``index``."""
        pc = self.pcs[index] if index < len(self.pcs) else 0
        starts = [p for p, _ in self.lines]
        k = bisect.bisect_right(starts, pc) - 1
        return self.lines[k][1] if k >= 0 else 0


#: A suspended caller: (function index, its code, return pc, its locals, its stack).
_Frame = tuple[int, DecodedFunction, int, list[Any], list[Any]]


class ReferenceEngine:
    """The per-instruction engine.  ``cost`` replaces the opcode table's cycles of each
    instruction (the calibration counts what a kernel executes with it, ``epython.calibrate``)."""

    name = "reference"

    def __init__(self, cost: Callable[[Instr], int] | None = None) -> None:
        self.cost = cost
        self._decoded: dict[int, tuple[Program, list[DecodedFunction]]] = {}

    def decoded(self, program: Program) -> list[DecodedFunction]:
        """The program's functions decoded (once per program, and per engine with a ``cost``)."""
        if self.cost is not None:
            held = self._decoded.get(id(program))
            if held is None or held[0] is not program:
                held = (program, [DecodedFunction(program, i, self.cost)
                                  for i in range(len(program.functions))])
                self._decoded = {id(program): held}
            return held[1]
        codes: list[DecodedFunction] | None = program.__dict__.get("_ref_codes")
        if codes is None:
            codes = [DecodedFunction(program, i) for i in range(len(program.functions))]
            program.__dict__["_ref_codes"] = codes
        return codes

    def execute(self, state: CoreState, args: list[Any]) -> Generator[Request, Any, Any]:
        """Run the entry function with ``args`` (the Engine contract)."""
        check_arity(state, args)
        program = state.program
        codes = self.decoded(program)
        func = program.entry
        code = codes[func]
        frames: list[_Frame] = []
        heap = state.heap
        locals_ = list(args) + [UNSET] * (code.n_locals - len(args))
        stack: list[Any] = []
        instrs = code.instrs
        pc = 0
        op: int = Op.NOP
        consts = state.consts
        glob = state.globals
        cycles = 0
        count = 0
        program_handlers = any(f.handlers for f in program.functions)

        def roots(*extra: Any) -> list[Any]:
            """Everything the kernel can still reach: every frame, the globals, ``extra``."""
            out: list[Any] = list(extra)
            out.extend(stack)
            out.extend(locals_)
            for frame in frames:
                out.extend(frame[3])
                out.extend(frame[4])
            out.extend(glob)
            return out

        def charge(v: Any, *operands: Any) -> None:
            """Account the new heap object ``v`` (unless it is one of the operands)."""
            for o in operands:
                if v is o:
                    return
            heap.charge(object_bytes(v), lambda: roots(v, *operands), fresh=v)

        def charge_live(nbytes: int, extra: tuple[Any, ...]) -> None:
            """Charge an allocation with the live roots of the current frame and stack."""
            heap.charge(nbytes, lambda: roots(*extra))

        try:
            enter(state, code.frame_bytes, args)
            while True:
                try:
                    while True:
                        op, arg, arg2, cost = instrs[pc]
                        pc += 1
                        cycles += cost
                        count += 1
                        if op == Op.LOAD_LOCAL:
                            v = locals_[arg]
                            if v is UNSET:
                                raise semantics.unbound_local(program.functions[func].name, arg)
                            stack.append(v)
                        elif op == Op.STORE_LOCAL:
                            locals_[arg] = stack.pop()
                        elif op == Op.LOAD_INT:
                            stack.append(arg)
                        elif op == Op.LOAD_CONST:
                            stack.append(consts[arg])
                        elif Op.BINARY_ADD <= op <= Op.BINARY_XOR:
                            b = stack.pop()
                            a = stack[-1]
                            r = ops.binary(op, a, b)
                            if type(r) in _HEAP_TYPES:
                                charge(r, a, b)
                            stack[-1] = r
                        elif Op.COMPARE_EQ <= op <= Op.COMPARE_IS_NOT:
                            b = stack.pop()
                            stack[-1] = ops.compare(op, stack[-1], b)
                        elif op == Op.INPLACE_ADD or op == Op.INPLACE_MUL:
                            a = stack[-2]
                            if type(a) is list:
                                state.inplace_list(op, a, stack[-1], charge_live)
                                stack.pop()
                            else:
                                b = stack.pop()
                                r = ops.binary(INPLACE_BINARY[op], a, b)
                                if type(r) in _HEAP_TYPES:
                                    charge(r, a, b)
                                stack[-1] = r
                        elif op in _BRANCHES:
                            if op == Op.POP_JUMP_IF_FALSE:
                                v = stack.pop()
                                taken = not (v if type(v) is bool else ops.truth(v))
                            elif op == Op.POP_JUMP_IF_TRUE:
                                v = stack.pop()
                                taken = bool(v if type(v) is bool else ops.truth(v))
                            elif op == Op.JUMP:
                                taken = True
                            elif op == Op.FOR_ITER:
                                it = stack[-1]
                                try:
                                    v = next(it.it)
                                except StopIteration:
                                    stack.pop()
                                    taken = True
                                else:
                                    if it.fresh:
                                        charge(v)
                                    stack.append(v)
                                    taken = False
                            elif op == Op.JUMP_IF_FALSE_OR_POP:
                                taken = not ops.truth(stack[-1])
                                if not taken:
                                    stack.pop()
                            else:  # JUMP_IF_TRUE_OR_POP
                                taken = ops.truth(stack[-1])
                                if not taken:
                                    stack.pop()
                            if taken:
                                if arg < pc and count >= TICK:  # a backward branch: time may advance
                                    state.cycles += cycles
                                    state.instructions += count
                                    cycles = count = 0
                                    yield TICK_REQUEST
                                pc = arg
                        elif op == Op.CALL:
                            if count >= TICK:
                                state.cycles += cycles
                                state.instructions += count
                                cycles = count = 0
                                yield TICK_REQUEST
                            callee = codes[arg]
                            if len(frames) + 1 >= _MAX_CALL_DEPTH:
                                raise Fault(ErrorCode.RecursionError,
                                            f"maximum recursion depth exceeded ({_MAX_CALL_DEPTH} calls)")
                            heap.push_frame(callee.frame_bytes, roots)
                            n = callee.n_params
                            new_locals = stack[len(stack) - n:] + [UNSET] * (callee.n_locals - n)
                            del stack[len(stack) - n:]
                            frames.append((func, code, pc, locals_, stack))
                            func, code, pc, locals_, stack = arg, callee, 0, new_locals, []
                            instrs = code.instrs
                        elif op == Op.RETURN_VALUE:
                            v = stack.pop()
                            heap.pop_frame(code.frame_bytes)
                            if not frames:
                                return v
                            func, code, pc, locals_, stack = frames.pop()
                            instrs = code.instrs
                            stack.append(v)
                        elif op == Op.CALL_BUILTIN:
                            builtin = BUILTINS[arg]
                            if arg2:
                                call_args = tuple(stack[len(stack) - arg2:])
                                del stack[len(stack) - arg2:]
                            else:
                                call_args = ()
                            if builtin.observable:
                                state.cycles += cycles
                                state.instructions += count
                                cycles = count = 0
                                if builtin.name == "print":
                                    call_args = semantics.print_text(call_args)
                                r = yield Request(arg, call_args, func, code.line_at(pc - 1))
                                if type(r) in _HEAP_TYPES and r is not call_args[0]:
                                    heap.charge(heap.deep_bytes(r), lambda: roots(r, *call_args),
                                                fresh=r)
                                stack.append(r)
                            elif arg in RANDOM_BUILTINS:
                                r = state.random_builtin(arg, call_args)
                                if fresh_choice(arg, call_args, r):
                                    charge(r, *call_args)
                                stack.append(r)
                            elif arg in sets.SET_BUILTINS or (arg in sets.SET_SHARED and
                                                              type(call_args[0]) is KSet):
                                stack.append(sets.call(arg, call_args, charge_live, heap.release))
                            elif arg in dicts.DICT_BUILTINS or (arg in dicts.DICT_SHARED and
                                                                type(call_args[0]) is dict):
                                stack.append(dicts.call(dicts.DICT_SHARED.get(arg, arg), call_args,
                                                        charge_live, heap.release))
                            elif arg == LIST_EXTEND and call_args and type(call_args[0]) is list:
                                state.inplace_list(Op.INPLACE_ADD, call_args[0], call_args[1], charge_live)
                                stack.append(None)
                            else:
                                r = state.builtin(arg, call_args)
                                delta = SLOT_DELTA.get(arg)
                                if delta == 1:
                                    heap.charge(VALUE_SLOT_BYTES, lambda: roots(*call_args))
                                elif delta == -1:
                                    heap.release(VALUE_SLOT_BYTES)
                                elif r is not None and type(r) not in _IMMEDIATE:
                                    charge(r, *call_args)
                                    if arg in FRESH_ITEM_CODES:  # the list first, as the cores
                                        for item in r:
                                            charge(item, r, *call_args)
                                stack.append(r)
                        elif op == Op.GET_ITER:
                            a = stack[-1]
                            if type(a) is not KIter:
                                r = semantics.iterate(a)
                                charge(r, a)
                                stack[-1] = r
                        elif op == Op.BINARY_SUBSCR:
                            index = stack.pop()
                            a = stack[-1]
                            r = semantics.subscript(a, index)
                            if type(a) is Array:
                                state.cycles += state.array_get_cycles
                            if type(r) is str or type(r) is Array:
                                charge(r, a, index)
                            stack[-1] = r
                        elif op == Op.STORE_SUBSCR:
                            index = stack.pop()
                            target = stack.pop()
                            if type(target) is dict:
                                dicts.store(target, index, stack.pop(), charge_live)
                            else:
                                semantics.store_subscript(target, index, stack.pop())
                            if type(target) is Array:
                                state.cycles += state.array_set_cycles
                        elif op == Op.POP_TOP:
                            stack.pop()
                        elif op == Op.DUP_TOP:
                            stack.append(stack[-1])
                        elif op == Op.LOAD_NONE:
                            stack.append(None)
                        elif op == Op.LOAD_TRUE:
                            stack.append(True)
                        elif op == Op.LOAD_FALSE:
                            stack.append(False)
                        elif op == Op.LOAD_GLOBAL:
                            v = glob[arg]
                            if v is UNSET:
                                raise semantics.undefined_global(program.globals[arg].name)
                            stack.append(v)
                        elif op == Op.STORE_GLOBAL:
                            glob[arg] = stack.pop()
                        elif op == Op.DELETE_LOCAL:
                            if locals_[arg] is UNSET:
                                raise semantics.unbound_local(program.functions[func].name, arg)
                            locals_[arg] = UNSET
                        elif op == Op.DELETE_GLOBAL:
                            if glob[arg] is UNSET:
                                raise semantics.undefined_global(program.globals[arg].name)
                            glob[arg] = UNSET
                        elif Op.UNARY_NEG <= op <= Op.UNARY_INVERT:
                            stack[-1] = ops.unary(op, stack[-1])
                        elif op == Op.ROT_TWO:
                            stack[-1], stack[-2] = stack[-2], stack[-1]
                        elif op == Op.ROT_THREE:
                            stack[-3], stack[-2], stack[-1] = stack[-1], stack[-3], stack[-2]
                        elif op == Op.DUP_TOP_TWO:
                            stack.extend(stack[-2:])
                        elif op == Op.BUILD_TUPLE:
                            items = tuple(stack[len(stack) - arg:]) if arg else ()
                            heap.charge(object_bytes(items), roots)
                            del stack[len(stack) - arg:]
                            stack.append(items)
                        elif op == Op.BUILD_LIST:
                            items_l = stack[len(stack) - arg:] if arg else []
                            heap.charge(object_bytes(items_l), roots)
                            del stack[len(stack) - arg:]
                            stack.append(items_l)
                        elif op == Op.UNPACK_SEQUENCE:
                            seq = stack.pop()
                            stack.extend(reversed(semantics.unpack(seq, arg)))
                        elif op == Op.SLICE_SUBSCR:
                            step = stack.pop()
                            hi = stack.pop()
                            lo = stack.pop()
                            a = stack[-1]
                            r = semantics.slice_of(a, lo, hi, step)
                            charge(r, a)
                            stack[-1] = r
                        elif op == Op.RAISE:
                            msg = stack.pop()
                            if not program_handlers:
                                raise Fault(ErrorCode(arg), "" if msg is None else py_str(msg))
                            raise raise_code(arg, msg, func, code.line_at(pc - 1))
                        elif op == Op.FORMAT_VALUE:
                            spec = stack.pop()
                            a = stack[-1]
                            if type(spec) is not str:
                                raise Fault(ErrorCode.TypeError, "format spec must be a str, not "
                                            f"{type_name(spec)}")
                            r = py_format(a, spec, arg)
                            charge(r, a, spec)
                            stack[-1] = r
                        elif op == Op.BUILD_STRING:
                            parts = stack[len(stack) - arg:]
                            for part in parts:
                                if type(part) is not str:
                                    raise Fault(ErrorCode.TypeError, "can only join str parts, not "
                                                f"{type_name(part)}")
                            r = "".join(parts)
                            charge(r, *parts)
                            del stack[len(stack) - arg:]
                            stack.append(r)
                        elif op == Op.LOAD_ATTR:
                            a = stack[-1]
                            r = semantics.attribute(a, arg)
                            if type(a) is KExc:  # e.args: a new tuple (a shape is not charged)
                                charge(r, a)
                            stack[-1] = r
                        elif op == Op.NOP:
                            pass
                        elif op == Op.BUILD_EXC:
                            items_e = stack[len(stack) - arg2:] if arg2 else []
                            del stack[len(stack) - arg2:]
                            e = KExc(arg, items_e)
                            charge(e)
                            stack.append(e)
                        elif op == Op.RAISE_VALUE:
                            e = stack.pop()
                            if type(e) is not KExc:
                                raise Fault(ErrorCode.TypeError, "exceptions must derive from BaseException")
                            if e.func is None:
                                e.func, e.line = func, code.line_at(pc - 1)
                            raise Raised(e)
                        elif op == Op.CHECK_EXC:
                            e = stack[-1]
                            stack[-1] = type(e) is KExc and is_subclass(e.code, arg)
                        else:  # pragma: no cover - the verifier rejects unknown opcodes
                            raise Fault(ErrorCode.RuntimeError, f"opcode {OPCODES[op].name} not implemented")
                except (Fault, RecursionError) as exc:
                    if not program_handlers:
                        raise
                    # find the handler: this frame's, else the callers' (at their CALL)
                    depth, index, where = len(frames), pc - 1, code
                    found = where.handler_at(index)
                    while found is None and depth:
                        depth -= 1
                        where, ret = frames[depth][1], frames[depth][2]
                        found = where.handler_at(ret - 1)
                    if found is None:
                        raise
                    origin = (func, code.line_at(pc - 1))
                    if depth < len(frames):  # the frames the exception leaves
                        heap.pop_frame(code.frame_bytes)
                        for frame in frames[depth + 1:]:
                            heap.pop_frame(frame[1].frame_bytes)
                        func, code, pc, locals_, stack = frames[depth]
                        instrs = code.instrs
                        del frames[depth:]
                    del stack[found[3]:]
                    stack.append(caught_exception(exc, origin, charge_live))
                    pc = found[2]
        except BaseException as exc:
            fault = kernel_fault(exc, func, code.line_at(pc - 1), lambda: OPCODES[op].name)
            if fault is None:
                raise
            if isinstance(exc, Raised) and exc.exc.func is not None:  # where it was first raised
                fault.func, fault.lineno = exc.exc.func, exc.exc.line
            fault.chain = tuple((f, c.line_at(p - 1)) for f, c, p, _, _ in frames)
            raise fault from None
        finally:
            state.cycles += cycles
            state.instructions += count
