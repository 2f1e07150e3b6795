"""The simulator's accounting of a core's workspace: the sizes of :mod:`epython.bytecode.memory`
(the rules device/core follows too; docs/language.md, "Memory model") charged to the
interpreter's values.

A kernel's workspace is what is left of the user part of SRAM after the program image.  Frames
and heap objects are charged their model sizes; an allocation raises MemoryError only when the
bytes of *live* objects (reachable from frames, globals and the executing instruction's
operands), plus frames, plus the request exceed the workspace.  The interpreter keeps a running
counter and recomputes the live bytes by tracing only when the counter says the limit is near,
so the check is exact and cheap.

That recomputation is where the C core compacts its heap (device/core/heap.c: when its bump
pointer, the bytes allocated since the last compaction, meets the frames), so it also charges the
compaction's cost: ``costs.COMPACTION_COSTS``, per compaction and per live object it finds,
measured on the real build on e-sim (``epython.calibrate.compaction``).  Both engines allocate
through this class, so both charge it alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from epython.bytecode.costs import COMPACTION_COSTS
from epython.bytecode.memory import (
    SMALL_OBJECT_BYTES,
    array_bytes,
    dict_bytes,
    exc_bytes,
    seq_bytes,
    str_bytes,
)
from epython.bytecode.memory import frame_bytes as _frame_slots_bytes
from epython.bytecode.opcodes import ErrorCode
from esim.cores.values import Array, DictView, Fault, KExc, KIter, KSet

__all__ = ["ITEM_BYTES", "TOTALS", "Heap", "frame_bytes", "object_bytes"]

#: Compactions of every heap since it was last cleared, and the live objects and bytes they
#: found (instrumentation for ``epython.calibrate.compaction``).
TOTALS: Counter[str] = Counter()

#: Bytes of one element of an array of each dtype.
ITEM_BYTES = {"i4": 4, "f4": 4, "?": 1}
#: The size rules of epython.bytecode.memory as plain functions: object_bytes runs at every
#: allocation of both engines.
_str_bytes = str_bytes.function()
_seq_bytes = seq_bytes.function()
_array_bytes = array_bytes.function()
_dict_bytes = dict_bytes.function()


def frame_bytes(n_locals: int, max_stack: int) -> int:
    """Bytes of one call frame of a function with ``n_locals`` locals and a value stack of at
    most ``max_stack`` (one value slot each)."""
    return _frame_slots_bytes(n_locals + max_stack)


def object_bytes(v: Any) -> int:
    """Model size of one heap object, not counting what it refers to (0 for immediates)."""
    t = type(v)
    if t is str:  # (an ASCII str's UTF-8 length is its length: no encoding to count it)
        return _str_bytes(len(v) if v.isascii() else len(v.encode("utf-8")))
    if t is list or t is tuple:
        return _seq_bytes(len(v))
    if t is Array:
        if v.base is not None:  # a row view of a 2-D array
            return SMALL_OBJECT_BYTES
        n = 1
        for dim in v.shape:
            n *= dim
        return _array_bytes(ITEM_BYTES[v.dtype] * n)
    if t is KIter or t is range or t is DictView:
        return SMALL_OBJECT_BYTES
    if t is dict or t is KSet:
        return _dict_bytes(len(v))
    if t is KExc:
        return exc_bytes(len(v.args))
    return 0


class Heap:
    """Accounting of one core's workspace during one launch."""

    def __init__(self, workspace: int, constants: Iterable[Any], owner: Any = None,
                 alloc_cycles: int = 0, byte_cycles: int = 0,
                 compaction_cycles: int = COMPACTION_COSTS["compaction"],
                 object_cycles: int = COMPACTION_COSTS["compaction object"]) -> None:
        self.workspace = workspace
        # what an allocation costs the core (the allocator's work: alloc_cycles per object plus
        # byte_cycles per byte it fills), added to ``owner.cycles`` (the interpreter's count)
        self.owner = owner
        self.alloc_cycles = alloc_cycles
        self.byte_cycles = byte_cycles
        self.compaction_cycles = compaction_cycles
        self.object_cycles = object_cycles
        self.objects = 0  # live objects the last trace found
        self.free_ids = {id(c) for c in constants if type(c) is str}
        self.used = 0  # heap bytes charged since the last trace (after it: the live bytes)
        self.frames = 0
        self.peak = 0

    def exempt_in_place(self, values: Iterable[Any]) -> None:
        """Strs and arrays inside ``values`` (arguments, device-resident values) stay in the
        argument block, which is not part of the workspace: they are never charged.  Lists
        and tuples are decoded into the heap and charged like any object."""
        todo = list(values)
        while todo:
            v = todo.pop()
            t = type(v)
            if t is str or (t is Array and v.base is None):
                self.free_ids.add(id(v))
            elif t is list or t is tuple:
                todo.extend(v)
            elif t is dict:
                todo.extend(v)
                todo.extend(v.values())
            elif t is KSet:
                todo.extend(v)

    def charge(self, nbytes: int, roots: Any, fresh: Any = None) -> None:
        """Account an allocation of ``nbytes``; ``roots()`` yields the live roots if needed.

        ``fresh``: the new object (of ``nbytes``, with what it alone refers to) when it is
        already among the roots; the collection leaves it out, as the cores collect before they
        allocate it.
        """
        if self.used + self.frames + nbytes > self.workspace:
            self.compact(roots(), fresh)
            if self.used + self.frames + nbytes > self.workspace:
                raise Fault(ErrorCode.MemoryError,
                            f"out of core memory: {nbytes} bytes requested, "
                            f"{self.used} bytes of live objects and {self.frames} bytes of frames "
                            f"in a workspace of {self.workspace} bytes")
        if nbytes and self.owner is not None:
            self.owner.cycles += self.alloc_cycles + self.byte_cycles * nbytes
        self.used += nbytes
        total = self.used + self.frames
        if total > self.peak:
            self.peak = total

    def release(self, nbytes: int) -> None:
        """Give back bytes freed deterministically (a list shrinking)."""
        self.used = max(0, self.used - nbytes)

    def push_frame(self, nbytes: int, roots: Any) -> None:
        """Account a call frame; RecursionError when it does not fit."""
        if self.used + self.frames + nbytes > self.workspace:
            self.compact(roots())
            if self.used + self.frames + nbytes > self.workspace:
                raise Fault(ErrorCode.RecursionError,
                            "maximum recursion depth exceeded (the core's stack and heap are full: "
                            f"{self.frames} bytes of frames, {self.used} bytes of objects, "
                            f"workspace {self.workspace} bytes)")
        self.frames += nbytes
        total = self.used + self.frames
        if total > self.peak:
            self.peak = total

    def pop_frame(self, nbytes: int) -> None:
        """A frame returned."""
        self.frames -= nbytes

    def compact(self, roots: Iterable[Any], fresh: Any = None) -> None:
        """The heap is full: compact (the live bytes become the count) and charge its cost;
        ``fresh``, a new object not yet allocated, and what only it reaches are not live."""
        if fresh is not None:
            roots = [r for r in roots if r is not fresh]
        self.used = self.live_bytes(roots)
        if self.owner is not None:
            self.owner.cycles += self.compaction_cycles + self.object_cycles * self.objects
        TOTALS.update(compactions=1, objects=self.objects, bytes=self.used)

    def live_bytes(self, roots: Iterable[Any]) -> int:
        """Bytes of every heap object reachable from ``roots`` (each object counted once)."""
        seen: set[int] = set()
        total = 0
        todo = list(roots)
        objects = 0
        free = self.free_ids
        while todo:
            v = todo.pop()
            t = type(v)
            if t is int or t is float or t is bool or v is None:
                continue
            key = id(v)
            if key in seen or key in free:
                continue
            seen.add(key)
            size = object_bytes(v)
            total += size
            objects += size > 0
            if t is list or t is tuple:
                todo.extend(v)
            elif t is KIter:
                todo.extend(v.refs)
            elif t is dict:
                todo.extend(v)
                todo.extend(v.values())
            elif t is KSet:
                todo.extend(v)
            elif t is DictView:
                todo.append(v.d)
            elif t is KExc:
                todo.extend(v.args)
            elif t is Array and v.base is not None:
                todo.append(v.base)
        self.objects = objects
        return total

    def deep_bytes(self, v: Any) -> int:
        """Bytes of ``v`` and everything it refers to (a value arriving in this core)."""
        return self.live_bytes([v]) if id(v) not in self.free_ids else 0
