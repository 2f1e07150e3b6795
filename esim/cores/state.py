"""The state of one simulated core during one launch: what both engines read and change.

A :class:`CoreState` holds the program image, the core's identity, its globals (device-resident
values and module constants), its heap, its random generator and its counters of cycles and
instructions; and the few operations whose cost accounting both engines share (in-place list
growth, the random builtins, the local builtins).  The engines themselves live in
``esim/cores/reference.py`` and ``esim/cores/jit/``; ``esim/cores/interp.py`` pairs a state with
an engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from epython.bytecode.costs import EXTRA_COSTS
from epython.bytecode.image import NO_INIT, Program
from epython.bytecode.opcodes import BUILTIN_BY_NAME
from esim.cores import rng
from esim.cores.builtins import (
    LIST_ITEM_COST,
    RANDOM_BUILTINS,
    RANDOM_DRAW_COST,
    call_builtin,
    list_inplace,
)
from esim.cores.heap import Heap
from esim.cores.semantics import subscript
from esim.cores.values import f32

__all__ = ["UNSET", "CoreState", "core_constants"]

_SHUFFLE = BUILTIN_BY_NAME["random.shuffle"].code


class _Unset:
    """The value of a local or global that has not been assigned (one instance, ``UNSET``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def core_constants(program: Program) -> list[Any]:
    """The constant pool as the cores hold it (floats as binary32), built once per program."""
    consts: list[Any] | None = program.__dict__.get("_core_consts")
    if consts is None:
        consts = [f32(c) if isinstance(c, float) else c for c in program.consts]
        program.__dict__["_core_consts"] = consts
    return list(consts)


class CoreState:
    """One core's state for one launch of ``program``.

    ``global_values`` are the device-resident values by name; ``workspace`` is the heap's limit
    in bytes (unlimited when None); ``extra_costs`` replaces the costs that depend on operands
    (``EXTRA_COSTS``' keys: the allocator's per object and per byte, an array element read or
    written, a list item appended, a random item drawn).
    """

    def __init__(self, program: Program, core: int, num_cores: int,
                 global_values: dict[str, Any] | None = None,
                 workspace: int | None = None,
                 extra_costs: Mapping[str, int] | None = None) -> None:
        self.program = program
        self.core = core
        self.num_cores = num_cores
        self.consts = core_constants(program)
        values = global_values or {}
        self.globals: list[Any] = []
        for slot in program.globals:
            if slot.name in values:
                self.globals.append(values[slot.name])
            elif slot.init != NO_INIT:
                self.globals.append(self.consts[slot.init])
            else:
                self.globals.append(UNSET)
        self.cycles = 0
        self.instructions = 0
        extra = dict(EXTRA_COSTS, **(extra_costs or {}))
        self.array_get_cycles = extra["array get"]
        self.array_set_cycles = extra["array set"]
        self.item_cycles = extra.get(LIST_ITEM_COST, BUILTIN_BY_NAME["list.append"].cycles)
        self.draw_cycles = extra.get(RANDOM_DRAW_COST, BUILTIN_BY_NAME["random.random"].cycles)
        self.rng = rng.Rng(core)
        self.heap = Heap(workspace if workspace is not None else 1 << 40, self.consts, self,
                         extra["alloc objects"], extra["alloc bytes"],
                         *(extra[k] for k in ("compaction", "compaction object") if k in extra))

    def inplace_list(self, op: int, target: list[Any], other: Any,
                     charge: Callable[[int, tuple[Any, ...]], None]) -> None:
        """INPLACE_ADD/INPLACE_MUL on a list: builtins.list_inplace with this core's heap and
        the cycles of each item appended.  ``charge(nbytes, extra_roots)`` charges an
        allocation with the engine's live roots."""

        def tick() -> None:
            self.cycles += self.item_cycles

        list_inplace(op, target, other, charge, self.heap.release, tick)

    def random_builtin(self, code: int, args: tuple[Any, ...]) -> Any:
        """A builtin of ``random`` on this core's generator; shuffle also charges the cycles of
        each item it draws."""
        if code == _SHUFFLE and args and type(args[0]) is list and len(args[0]) > 1:
            self.cycles += self.draw_cycles * (len(args[0]) - 1)
        return rng.call(self.rng, RANDOM_BUILTINS[code], args, subscript)

    def builtin(self, code: int, args: tuple[Any, ...]) -> Any:
        """A builtin the core computes locally (no chip traffic)."""
        return call_builtin(code, args, self.core, self.num_cores)
