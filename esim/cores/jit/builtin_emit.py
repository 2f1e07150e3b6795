"""CALL_BUILTIN in the translating engine's generated code (split from ``emit.py``): the
observable builtins as Requests, the core's identity, inline len/abs/range, and the reference's
builtins (``CALL_BUILTIN``, the dict and set methods) with the same heap charges."""

from __future__ import annotations

from typing import Any

from epython.bytecode.memory import VALUE_SLOT_BYTES
from epython.bytecode.opcodes import BUILTIN_BY_NAME, BUILTINS, Op
from esim.cores.builtins import FRESH_ITEM_CODES, LIST_EXTEND, RANDOM_BUILTINS, SLOT_DELTA
from esim.cores.dicts import DICT_BUILTINS, DICT_SHARED
from esim.cores.jit.analysis import JitFunction
from esim.cores.jit.emitter import Emitter, tuple_display
from esim.cores.sets import SET_BUILTINS, SET_SHARED

__all__ = ["emit_builtin"]

_LEN = BUILTIN_BY_NAME["len"].code
_DICT_GET = BUILTIN_BY_NAME["dict.get"].code
_RANGE = BUILTIN_BY_NAME["range"].code
#: The builtins that read the core's identity, and the generated name that holds it.
_IDENTITY = {BUILTIN_BY_NAME["parallel.coreid"].code: "core_id",
             BUILTIN_BY_NAME["parallel.numcores"].code: "num_cores"}
_ABS = BUILTIN_BY_NAME["abs"].code


def emit_builtin(f: JitFunction, em: Emitter, i: int, code: int, n: int, d: int,
                 emit: Any) -> None:
    """Emit CALL_BUILTIN ``code`` of instruction ``i`` of ``f`` with ``n`` arguments at stack
    depth ``d`` (``emit(text, extra_indent)``)."""
    b = BUILTINS[code]
    args = [f"s{k}" for k in range(d - n, d)]
    tup = tuple_display(args)
    dst = f"s{d - n}"
    if b.observable:
        emit(em.flush())
        if b.name == "print":
            emit(f"ca = PRINT_TEXT({tup})")
        else:
            emit(f"ca = {tup}")
        emit(f"r = yield Request({code}, ca, {f.index}, {f.line_at(i)})")
        emit("if r.__class__ in HEAP_TYPES and r is not ca[0]: charge_deep(r, ca, fr)")
        emit(f"{dst} = r")
        return
    if code in _IDENTITY:
        emit(f"{dst} = {_IDENTITY[code]}")
        return
    if code == _LEN:
        emit(f"{dst} = len({args[0]}) if {args[0]}.__class__ in SIZED_TYPES else CALL_BUILTIN({code}, {tup}, core_id, num_cores)")
        return
    if code == _ABS:
        emit(f"if {args[0]}.__class__ is float: {dst} = abs({args[0]})")
        emit(f"else: {dst} = CALL_BUILTIN({code}, {tup}, core_id, num_cores)")
        return
    if code == _RANGE:
        cond = " and ".join(f"{x}.__class__ is int" for x in args)
        if n == 3:
            cond += f" and {args[2]} != 0"
        emit(f"if {cond}: r = range({', '.join(args)})")
        emit(f"else: r = CALL_BUILTIN({code}, {tup}, core_id, num_cores)")
        emit(f"{dst} = charge_small(r, {tup}, fr)")
        return
    if code in RANDOM_BUILTINS:
        emit(f"r = state.random_builtin({code}, {tup})")
        if b.name == "random.choice":
            emit(f"if FRESH_CHOICE({code}, {tup}, r): charge(r, {tup}, fr)")
        emit(f"{dst} = r")
        return
    if code in SET_BUILTINS:
        emit("heap.frames = fr")  # (charge_cb: the frames are the heap's)
        emit(f"{dst} = SET_CALL({code}, {tup}, charge_cb, heap.release)")
        return
    for table, cls, fn in ((SET_SHARED, "KSet", "SET"), (DICT_SHARED, "dict", "DICT")):
        if fn == "DICT" and code in DICT_BUILTINS:
            if code == _DICT_GET and n in (2, 3):  # a key of an immediate class: dict.get
                default = args[2] if n == 3 else "None"
                emit(f"if {args[0]}.__class__ is dict and {args[1]}.__class__ in KEY_TYPES: "
                     f"{dst} = {args[0]}.get({args[1]}, {default})")
                emit("else:")
                emit = (lambda o: lambda text, extra=0: o(text, extra + 1))(emit)  # noqa: E731
            emit("heap.frames = fr")
            emit(f"{dst} = DICT_CALL({code}, {tup}, charge_cb, heap.release)")
            return
        if code in table:  # s.pop(), d.copy()...: the set's or dict's method; else what follows
            emit("heap.frames = fr")
            emit(f"if {args[0]}.__class__ is {cls}: {dst} = {fn}_CALL({table[code]}, {tup}, "
                 "charge_cb, heap.release)")
            emit("else:")
            emit = (lambda o: lambda text, extra=0: o(text, extra + 1))(emit)  # noqa: E731
    if code == LIST_EXTEND:
        emit("heap.frames = fr")
        emit(f"if {args[0]}.__class__ is list: state.inplace_list({int(Op.INPLACE_ADD)}, {args[0]}, "
          f"{args[1]}, charge_cb); r = None")
        emit(f"else: r = CALL_BUILTIN({code}, {tup}, core_id, num_cores)")
        emit(f"{dst} = r")
        return
    emit(f"r = CALL_BUILTIN({code}, {tup}, core_id, num_cores)")
    delta = SLOT_DELTA.get(code)
    if delta == 1:
        emit(f"charge_bytes({VALUE_SLOT_BYTES}, {tup}, fr)")
    elif delta == -1:
        emit(f"heap.release({VALUE_SLOT_BYTES})")
    elif code in FRESH_ITEM_CODES:
        emit(f"charge(r, {tup}, fr)")
        emit(f"for fresh_item in r: charge(fresh_item, (r, *{tup}), fr)")
    else:
        emit(f"if r is not None and r.__class__ not in IMMEDIATE_TYPES: charge(r, {tup}, fr)")
    emit(f"{dst} = r")
