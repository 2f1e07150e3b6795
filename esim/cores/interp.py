"""The Python interpreter of the kernel bytecode, as run by a simulated core.

:meth:`Interpreter.run` is a generator: it executes instructions locally, summing their cycle
costs, and yields a :class:`Request` only at operations other parts of the chip can observe
(printing, messages, barriers).  The core process charges the accumulated cycles to SimPy time,
performs the request and sends its result back.  No SimPy event is created per instruction.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

from epython.bytecode import protocol
from epython.bytecode.costs import EXTRA_COSTS
from epython.bytecode.image import INT32_MAX, INT32_MIN, NO_INIT, Program
from epython.bytecode.instr import Instr
from epython.bytecode.opcodes import ATTRS, BUILTIN_BY_NAME, BUILTINS, OPCODES, ErrorCode, Op
from esim.cores import ops, rng
from esim.cores.builtins import (
    INPLACE_BINARY,
    LIST_EXTEND,
    LIST_ITEM_COST,
    RANDOM_BUILTINS,
    RANDOM_DRAW_COST,
    SLOT_DELTA,
    call_builtin,
    fresh_choice,
    list_inplace,
)
from esim.cores.decode import decode_function, table_cost
from esim.cores.heap import Heap, frame_bytes, object_bytes
from esim.cores.values import Array, Fault, KIter, f32, py_format, py_str, type_name

__all__ = ["ENGINES", "Interpreter", "KernelFault", "Request"]

#: Execution engines: "jit" translates each function into generated Python source once per
#: program image (esim/cores/jit.py, the default); "reference" is the per-instruction loop below,
#: kept as the executable specification the JIT is tested against (tests/test_jit.py).
ENGINES = ("jit", "reference")

#: Instructions run before the interpreter yields a "tick" so simulated time can advance.
TICK = 50_000

#: Deepest call nesting a core supports (see docs/language.md, "Memory model").
MAX_CALL_DEPTH = protocol.MAX_CALL_DEPTH
_HEAP_TYPES = (str, list, tuple)


@dataclass
class Request:
    """An observable operation the core process must carry out (``name`` is the builtin)."""

    name: str
    args: tuple[Any, ...]
    func: int = 0  # where the request was made (for reports of blocked cores)
    line: int = 0


class KernelFault(Exception):
    """A kernel error with its location: error code, message, function index and line."""

    def __init__(self, code: ErrorCode, message: str, func: int, lineno: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.func = func
        self.lineno = lineno


class _Code:
    """A function decoded once: instructions as (op, arg, arg2, cycles) with jumps as indexes."""

    __slots__ = ("frame_bytes", "instrs", "lines", "n_locals", "n_params", "pcs")

    def __init__(self, program: Program, index: int,
                 cost: Callable[[Instr], int] = table_cost) -> None:
        func = program.functions[index]
        self.instrs, self.pcs = decode_function(func, cost)
        self.lines = func.lines
        self.n_locals = func.n_locals
        self.n_params = func.n_params
        self.frame_bytes = frame_bytes(func.n_locals, func.max_stack)

    def line_at(self, index: int) -> int:
        pc = self.pcs[index] if index < len(self.pcs) else 0
        starts = [p for p, _ in self.lines]
        k = bisect.bisect_right(starts, pc) - 1
        return self.lines[k][1] if k >= 0 else 0


_UNSET = object()
_APPEND = BUILTIN_BY_NAME["list.append"].code
_POP = BUILTIN_BY_NAME["list.pop"].code
_SHUFFLE = BUILTIN_BY_NAME["random.shuffle"].code
_IMMEDIATE = (int, float, bool)
_TICK = Request("tick", ())


def _program_consts(program: Program) -> list[Any]:
    """The constant pool as the cores hold it (floats as binary32), built once per program."""
    consts: list[Any] | None = program.__dict__.get("_core_consts")
    if consts is None:
        consts = [f32(c) if isinstance(c, float) else c for c in program.consts]
        program.__dict__["_core_consts"] = consts
    return list(consts)


class Interpreter:
    """Runs one program on one core.  ``cycles`` and ``instructions`` count what it executed.

    ``engine`` is "jit" (default; ``ESIM_ENGINE`` overrides) or "reference"; both give the same
    results, output, errors, Requests, cycles, instructions and memory-error points.  ``cost``
    replaces the opcode table's cycles of each instruction (reference engine only) and
    ``extra_costs`` the costs that depend on operands (``EXTRA_COSTS``' keys: the allocator's per
    object and per byte, an array element read or written): the calibration counts what a
    kernel executes with them (``epython.calibrate``).
    """

    def __init__(self, program: Program, core: int, num_cores: int,
                 global_values: dict[str, Any] | None = None,
                 workspace: int | None = None, engine: str | None = None,
                 cost: Callable[[Instr], int] | None = None,
                 extra_costs: Mapping[str, int] | None = None) -> None:
        engine = engine or os.environ.get("ESIM_ENGINE") or "jit"
        if engine not in ENGINES:
            raise ValueError(f"unknown interpreter engine {engine!r}; choose from {ENGINES}")
        if (cost is not None or extra_costs is not None) and engine != "reference":
            raise ValueError("Interpreter(cost=..., extra_costs=...) needs engine='reference' (the "
                             "translating engine builds the table's costs into what it generates)")
        self._cost = cost
        self.engine = engine
        self.program = program
        self.core = core
        self.num_cores = num_cores
        self.consts = _program_consts(program)
        self.globals: list[Any] = []
        values = global_values or {}
        for slot in program.globals:
            if slot.name in values:
                self.globals.append(values[slot.name])
            elif slot.init != NO_INIT:
                self.globals.append(self.consts[slot.init])
            else:
                self.globals.append(_UNSET)
        self.cycles = 0
        self.instructions = 0
        extra = dict(EXTRA_COSTS, **(extra_costs or {}))
        self._aget_cycles = extra["array get"]
        self._aset_cycles = extra["array set"]
        self._item_cycles = extra.get(LIST_ITEM_COST, BUILTIN_BY_NAME["list.append"].cycles)
        self._draw_cycles = extra.get(RANDOM_DRAW_COST, BUILTIN_BY_NAME["random.random"].cycles)
        self.rng = rng.Rng(core)
        self.heap = Heap(workspace if workspace is not None else 1 << 40, self.consts, self,
                         extra["alloc objects"], extra["alloc bytes"])
        self._frames: list[tuple[int, _Code, int, list[Any], list[Any]]] = []
        self._codes: list[_Code] | None = None

    @property
    def codes(self) -> list[_Code]:
        """The decoded functions (the reference engine's form), decoded once per program."""
        if self._cost is not None:
            if self._codes is None:
                self._codes = [_Code(self.program, i, self._cost)
                               for i in range(len(self.program.functions))]
            return self._codes
        codes: list[_Code] | None = self.program.__dict__.get("_ref_codes")
        if codes is None:
            codes = [_Code(self.program, i) for i in range(len(self.program.functions))]
            self.program.__dict__["_ref_codes"] = codes
        return codes

    def _roots(self, stack: list[Any], locals_: list[Any], *extra: Any) -> list[Any]:
        """Everything a kernel can still reach: every frame, the globals, the operands."""
        roots: list[Any] = list(extra)
        roots.extend(stack)
        roots.extend(locals_)
        for frame in self._frames:
            roots.extend(frame[3])
            roots.extend(frame[4])
        roots.extend(self.globals)
        return roots

    def _charge(self, v: Any, stack: list[Any], locals_: list[Any], *operands: Any) -> None:
        """Account the new heap object ``v`` (unless it is one of the operands)."""
        for o in operands:
            if v is o:
                return
        self.heap.charge(object_bytes(v), lambda: self._roots(stack, locals_, v, *operands))

    def run(self, args: list[Any]) -> Generator[Request, Any, Any]:
        """Execute the entry function with ``args``; yields Requests, returns its result."""
        if self.engine == "jit":
            from esim.cores import jit

            return jit.run(self, args)
        return self._run_reference(args)

    def _run_reference(self, args: list[Any]) -> Generator[Request, Any, Any]:
        """The reference engine: decode and dispatch one instruction at a time."""
        entry = self.program.entry
        codes = self.codes
        code = codes[entry]
        if len(args) != code.n_params:
            raise KernelFault(ErrorCode.TypeError, f"{self.program.functions[entry].name}() takes "
                              f"{code.n_params} arguments but {len(args)} were given", entry, 0)
        frames = self._frames
        heap = self.heap
        func = entry
        locals_ = list(args) + [_UNSET] * (code.n_locals - len(args))
        stack: list[Any] = []
        instrs = code.instrs
        pc = 0
        consts = self.consts
        glob = self.globals
        cycles = 0
        count = 0

        def charge_live(nbytes: int, extra: tuple[Any, ...]) -> None:
            """Charge an allocation with the live roots of the current frame and stack."""
            heap.charge(nbytes, lambda: self._roots(stack, locals_, *extra))

        try:
            heap.push_frame(code.frame_bytes, lambda: list(args))
            resident = [g for g in glob if g is not _UNSET]
            heap.charge(sum(heap.deep_bytes(a) for a in list(args) + resident),
                        lambda: list(args) + resident)
            while True:
                op, arg, arg2, cost = instrs[pc]
                pc += 1
                cycles += cost
                count += 1
                if op == Op.LOAD_LOCAL:
                    v = locals_[arg]
                    if v is _UNSET:
                        raise self._unbound(func, arg)
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
                        self._charge(r, stack, locals_, a, b)
                    stack[-1] = r
                elif Op.COMPARE_EQ <= op <= Op.COMPARE_IS_NOT:
                    b = stack.pop()
                    stack[-1] = ops.compare(op, stack[-1], b)
                elif op == Op.INPLACE_ADD or op == Op.INPLACE_MUL:
                    a = stack[-2]
                    if type(a) is list:
                        self.inplace_list(op, a, stack[-1], charge_live)
                        stack.pop()
                    else:
                        b = stack.pop()
                        r = ops.binary(INPLACE_BINARY[op], a, b)
                        if type(r) in _HEAP_TYPES:
                            self._charge(r, stack, locals_, a, b)
                        stack[-1] = r
                elif op == Op.POP_JUMP_IF_FALSE:
                    v = stack.pop()
                    if not (v if type(v) is bool else ops.truth(v)):
                        if arg < pc and count >= TICK:  # a backward branch: tick, as at a backward JUMP
                            self.cycles += cycles
                            self.instructions += count
                            cycles = count = 0
                            yield _TICK
                        pc = arg
                elif op == Op.POP_JUMP_IF_TRUE:
                    v = stack.pop()
                    if v if type(v) is bool else ops.truth(v):
                        if arg < pc and count >= TICK:  # a backward branch: tick, as at a backward JUMP
                            self.cycles += cycles
                            self.instructions += count
                            cycles = count = 0
                            yield _TICK
                        pc = arg
                elif op == Op.JUMP:
                    if arg < pc and count >= TICK:
                        self.cycles += cycles
                        self.instructions += count
                        cycles = count = 0
                        yield _TICK
                    pc = arg
                elif op == Op.FOR_ITER:
                    it = stack[-1]
                    try:
                        v = next(it.it)
                    except StopIteration:
                        stack.pop()
                        if arg < pc and count >= TICK:  # a backward branch: tick, as at a backward JUMP
                            self.cycles += cycles
                            self.instructions += count
                            cycles = count = 0
                            yield _TICK
                        pc = arg
                    else:
                        if it.fresh:
                            self._charge(v, stack, locals_)
                        stack.append(v)
                elif op == Op.JUMP_IF_FALSE_OR_POP:
                    if ops.truth(stack[-1]):
                        stack.pop()
                    else:
                        if arg < pc and count >= TICK:  # a backward branch: tick, as at a backward JUMP
                            self.cycles += cycles
                            self.instructions += count
                            cycles = count = 0
                            yield _TICK
                        pc = arg
                elif op == Op.JUMP_IF_TRUE_OR_POP:
                    if ops.truth(stack[-1]):
                        if arg < pc and count >= TICK:  # a backward branch: tick, as at a backward JUMP
                            self.cycles += cycles
                            self.instructions += count
                            cycles = count = 0
                            yield _TICK
                        pc = arg
                    else:
                        stack.pop()
                elif op == Op.CALL:
                    if count >= TICK:
                        self.cycles += cycles
                        self.instructions += count
                        cycles = count = 0
                        yield _TICK
                    callee = codes[arg]
                    if len(frames) + 1 >= MAX_CALL_DEPTH:
                        raise Fault(ErrorCode.RecursionError,
                                    f"maximum recursion depth exceeded ({MAX_CALL_DEPTH} calls)")
                    heap.push_frame(callee.frame_bytes, lambda: self._roots(stack, locals_))
                    n = callee.n_params
                    new_locals = stack[len(stack) - n:] + [_UNSET] * (callee.n_locals - n)
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
                        self.cycles += cycles
                        self.instructions += count
                        cycles = count = 0
                        if builtin.name == "print":
                            *values, sep, end = call_args
                            self._check_str(sep, "sep")
                            self._check_str(end, "end")
                            call_args = (sep.join(py_str(v) for v in values) + end,)
                        r = yield Request(builtin.name, call_args, func, code.line_at(pc - 1))
                        if type(r) in _HEAP_TYPES and r is not call_args[0]:
                            heap.charge(heap.deep_bytes(r),
                                        lambda: self._roots(stack, locals_, r, *call_args))
                        stack.append(r)
                    elif arg in RANDOM_BUILTINS:
                        r = self.random_builtin(arg, call_args)
                        if fresh_choice(arg, call_args, r):
                            self._charge(r, stack, locals_, *call_args)
                        stack.append(r)
                    elif arg == LIST_EXTEND and call_args and type(call_args[0]) is list:
                        self.inplace_list(Op.INPLACE_ADD, call_args[0], call_args[1], charge_live)
                        stack.append(None)
                    else:
                        r = self._builtin(arg, call_args)
                        delta = SLOT_DELTA.get(arg)
                        if delta == 1:
                            heap.charge(protocol.VALUE_SLOT_BYTES,
                                        lambda: self._roots(stack, locals_, *call_args))
                        elif delta == -1:
                            heap.release(protocol.VALUE_SLOT_BYTES)
                        elif r is not None and type(r) not in _IMMEDIATE:
                            self._charge(r, stack, locals_, *call_args)
                        stack.append(r)
                elif op == Op.GET_ITER:
                    a = stack[-1]
                    if type(a) is not KIter:
                        r = self._iter(a)
                        self._charge(r, stack, locals_, a)
                        stack[-1] = r
                elif op == Op.BINARY_SUBSCR:
                    index = stack.pop()
                    a = stack[-1]
                    r = self._subscr(a, index)
                    if type(a) is Array:
                        self.cycles += self._aget_cycles
                    if type(r) is str or type(r) is Array:
                        self._charge(r, stack, locals_, a, index)
                    stack[-1] = r
                elif op == Op.STORE_SUBSCR:
                    index = stack.pop()
                    target = stack.pop()
                    self._store_subscr(target, index, stack.pop())
                    if type(target) is Array:
                        self.cycles += self._aset_cycles
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
                    if v is _UNSET:
                        raise Fault(ErrorCode.NameError,
                                    f"name '{self.program.globals[arg].name}' is not defined")
                    stack.append(v)
                elif op == Op.STORE_GLOBAL:
                    glob[arg] = stack.pop()
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
                    heap.charge(object_bytes(items), lambda: self._roots(stack, locals_))
                    del stack[len(stack) - arg:]
                    stack.append(items)
                elif op == Op.BUILD_LIST:
                    items_l = stack[len(stack) - arg:] if arg else []
                    heap.charge(object_bytes(items_l), lambda: self._roots(stack, locals_))
                    del stack[len(stack) - arg:]
                    stack.append(items_l)
                elif op == Op.UNPACK_SEQUENCE:
                    seq = stack.pop()
                    items_u = self._unpack(seq, arg)
                    stack.extend(reversed(items_u))
                elif op == Op.SLICE_SUBSCR:
                    step = stack.pop()
                    hi = stack.pop()
                    lo = stack.pop()
                    a = stack[-1]
                    r = self._slice(a, lo, hi, step)
                    self._charge(r, stack, locals_, a)
                    stack[-1] = r
                elif op == Op.RAISE:
                    msg = stack.pop()
                    raise Fault(ErrorCode(arg), "" if msg is None else py_str(msg))
                elif op == Op.FORMAT_VALUE:
                    spec = stack.pop()
                    a = stack[-1]
                    if type(spec) is not str:
                        raise Fault(ErrorCode.TypeError, "format spec must be a str, not "
                                    f"{type_name(spec)}")
                    r = py_format(a, spec, arg)
                    self._charge(r, stack, locals_, a, spec)
                    stack[-1] = r
                elif op == Op.BUILD_STRING:
                    parts = stack[len(stack) - arg:]
                    for part in parts:
                        if type(part) is not str:
                            raise Fault(ErrorCode.TypeError, "can only join str parts, not "
                                        f"{type_name(part)}")
                    r = "".join(parts)
                    self._charge(r, stack, locals_, *parts)
                    del stack[len(stack) - arg:]
                    stack.append(r)
                elif op == Op.LOAD_ATTR:
                    stack[-1] = self._attr(stack[-1], arg)
                elif op == Op.NOP:
                    pass
                else:  # pragma: no cover - the verifier rejects unknown opcodes
                    raise Fault(ErrorCode.RuntimeError, f"opcode {OPCODES[op].name} not implemented")
        except Fault as fault:
            raise KernelFault(fault.code, fault.message, func, code.line_at(pc - 1)) from None
        except RecursionError:  # pragma: no cover - host recursion in deep data structures
            raise KernelFault(ErrorCode.RecursionError, "maximum recursion depth exceeded",
                              func, code.line_at(pc - 1)) from None
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError,
                ZeroDivisionError, UnicodeError) as exc:
            # Only a program the compiler would never produce gets here (a hand-made image);
            # it is reported as a kernel error, never as a crash of the simulator.
            raise KernelFault(ErrorCode.RuntimeError, f"internal error: {type(exc).__name__}: "
                              f"{exc} (at {OPCODES[op].name})", func, code.line_at(pc - 1)) from None
        finally:
            self.cycles += cycles
            self.instructions += count

    # --- helpers -----------------------------------------------------------------------------
    def inplace_list(self, op: int, target: list[Any], other: Any,
                     charge: Callable[[int, tuple[Any, ...]], None]) -> None:
        """INPLACE_ADD/INPLACE_MUL on a list (both engines): builtins.list_inplace with this
        core's heap and the cycles of each item appended.  ``charge(nbytes, extra_roots)``
        charges an allocation with the engine's live roots."""

        def tick() -> None:
            self.cycles += self._item_cycles

        list_inplace(op, target, other, charge, self.heap.release, tick)

    def _unbound(self, func: int, slot: int) -> Fault:
        return Fault(ErrorCode.UnboundLocalError,
                     f"local variable #{slot} referenced before assignment in "
                     f"{self.program.functions[func].name}()")

    @staticmethod
    def _check_str(v: Any, what: str) -> None:
        if type(v) is not str:
            raise Fault(ErrorCode.TypeError, f"{what} must be None or a string, not {type_name(v)}")

    @staticmethod
    def _iter(v: Any) -> KIter:
        t = type(v)
        if t is range or t is list or t is tuple:
            return KIter(iter(v), (v,))
        if t is str:
            return KIter(iter(v), (v,), fresh=True)
        if t is Array:
            return KIter(v.live_items(), (v,), fresh=len(v.shape) == 2)
        raise Fault(ErrorCode.TypeError, f"'{type_name(v)}' object is not iterable")

    @staticmethod
    def _subscr(obj: Any, index: Any) -> Any:
        t = type(obj)
        if t is Array:
            return obj.get(index)
        if t in (list, tuple, str):
            if type(index) is bool:
                index = int(index)
            if type(index) is not int:
                raise Fault(ErrorCode.TypeError, f"{type_name(obj)} indices must be integers or "
                            f"slices, not {type_name(index)}")
            try:
                return obj[index]
            except IndexError:
                what = "string" if t is str else t.__name__
                raise Fault(ErrorCode.IndexError, f"{what} index out of range") from None
        if t is range:
            if type(index) is bool:
                index = int(index)
            if type(index) is not int:
                raise Fault(ErrorCode.TypeError, "range indices must be integers or slices, not "
                            f"{type_name(index)}")
            try:
                return obj[index]
            except IndexError:
                raise Fault(ErrorCode.IndexError, "range object index out of range") from None
        raise Fault(ErrorCode.TypeError, f"'{type_name(obj)}' object is not subscriptable")

    @staticmethod
    def _store_subscr(obj: Any, index: Any, value: Any) -> None:
        t = type(obj)
        if t is Array:
            obj.set(index, value)
            return
        if t is list:
            if type(index) is bool:
                index = int(index)
            if type(index) is not int:
                raise Fault(ErrorCode.TypeError,
                            f"list indices must be integers or slices, not {type_name(index)}")
            try:
                obj[index] = value
            except IndexError:
                raise Fault(ErrorCode.IndexError, "list assignment index out of range") from None
            return
        raise Fault(ErrorCode.TypeError,
                    f"'{type_name(obj)}' object does not support item assignment")

    @staticmethod
    def _slice(obj: Any, lo: Any, hi: Any, step: Any) -> Any:
        for part in (lo, hi, step):
            if part is not None and type(part) not in (int, bool):
                raise Fault(ErrorCode.TypeError, "slice indices must be integers or None")
        if step == 0:
            raise Fault(ErrorCode.ValueError, "slice step cannot be zero")
        t = type(obj)
        if t in (list, tuple, str):
            return obj[lo:hi:step]
        if t is range:
            r = obj[lo:hi:step]
            if not all(INT32_MIN <= b <= INT32_MAX for b in (r.start, r.stop, r.step)):
                raise Fault(ErrorCode.OverflowError, "range slice bounds do not fit in 32 bits")
            return r
        if t is Array:
            return obj.items()[lo:hi:step] if len(obj.shape) == 1 else obj.items()[lo:hi:step]
        raise Fault(ErrorCode.TypeError, f"'{type_name(obj)}' object is not subscriptable")

    @staticmethod
    def _unpack(seq: Any, n: int) -> Any:
        t = type(seq)
        if t is Array:
            seq = seq.items()
        elif t not in (tuple, list, str, range):
            raise Fault(ErrorCode.TypeError, f"cannot unpack non-iterable {type_name(seq)} object")
        if len(seq) != n:
            if len(seq) > n:
                raise Fault(ErrorCode.ValueError, f"too many values to unpack (expected {n})")
            raise Fault(ErrorCode.ValueError,
                        f"not enough values to unpack (expected {n}, got {len(seq)})")
        return seq

    @staticmethod
    def _attr(obj: Any, attr: int) -> Any:
        name = ATTRS[attr]
        if name == "shape" and type(obj) is Array:
            return tuple(obj.shape)
        raise Fault(ErrorCode.AttributeError,
                    f"'{type_name(obj)}' object has no attribute '{name}'")

    def random_builtin(self, code: int, args: tuple[Any, ...]) -> Any:
        """A builtin of ``random`` on this core's generator (both engines); shuffle also charges
        the cycles of each item it draws."""
        if code == _SHUFFLE and args and type(args[0]) is list and len(args[0]) > 1:
            self.cycles += self._draw_cycles * (len(args[0]) - 1)
        return rng.call(self.rng, RANDOM_BUILTINS[code], args, self._subscr)

    def _builtin(self, code: int, args: tuple[Any, ...]) -> Any:
        return call_builtin(code, args, self.core, self.num_cores)
