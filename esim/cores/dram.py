"""Shared-DRAM arrays (``epython.shared``) on the simulated chip.

A launch keeps each shared array's elements once, in a :class:`DramStore` (the contents of
shared DRAM).  Each core sees it through its own :class:`DramView`, the ``data`` of an ordinary
:class:`esim.cores.values.Array`, so every engine and builtin indexes it as any array, and every
element the core reads or writes is counted there.  The core process turns the counts into
transfers over the mesh model whenever the engine yields (a request, a tick, the end of the
kernel): blocking loads from DRAM, each one round trip over rMesh, the eLink and xMesh, and
posted stores over xMesh and the eLink (``esim/cores/core.py``).  So DRAM traffic is in the
cycles and in the profile, batched per stretch of execution between two yields.

Visibility: a core's own writes are visible to it at once; another core's writes are visible
once that core's engine has executed them, which happens in simulated-time order of the
stretches the cores run.  Both engines yield at the same points, so the result is the same on
both; on the chip, writes of different cores reach DRAM in an order the hardware does not
promise (docs/arrays.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from epython.marshal import SharedArg
from esim.cores.heap import ITEM_BYTES
from esim.cores.values import Array

__all__ = ["DramStore", "DramView"]


class DramStore:
    """The elements of one shared array in the simulated DRAM, for one launch: those of
    ``decoded``, the array as a core holds it (``esim.cores.memory.from_wire`` of the
    argument's contents)."""

    __slots__ = ("arg", "dtype", "items", "shape")

    def __init__(self, arg: SharedArg, decoded: Array) -> None:
        self.arg = arg
        self.dtype = decoded.dtype
        self.shape = decoded.shape
        self.items: list[Any] = decoded.data

    def view(self) -> DramView:
        """A new core's view of this array (with its own access counts)."""
        return DramView(self)

    def array(self, view: DramView) -> Array:
        """The kernel's value of this shared array on the core that owns ``view``."""
        return Array(view, self.shape, self.dtype)  # type: ignore[arg-type]

    def write_back(self) -> None:
        """Copy the DRAM contents into the host's copy (``SharedArg.array``)."""
        self.arg.array[...] = np.array(self.items, dtype=self.arg.array.dtype).reshape(self.shape)


class DramView:
    """One core's access to a :class:`DramStore`: a sequence over its elements that counts the
    element loads and stores the core makes (``loads``, ``stores``)."""

    __slots__ = ("esize", "loads", "store", "stores")

    def __init__(self, store: DramStore) -> None:
        self.store = store
        self.esize = ITEM_BYTES[store.dtype]
        self.loads = 0
        self.stores = 0

    def __len__(self) -> int:
        return len(self.store.items)

    def __getitem__(self, index: Any) -> Any:
        value = self.store.items[index]
        self.loads += len(value) if index.__class__ is slice else 1
        return value

    def __setitem__(self, index: int, value: Any) -> None:
        self.store.items[index] = value
        self.stores += 1

    def __iter__(self) -> Iterator[Any]:
        for value in self.store.items:
            self.loads += 1
            yield value

    def take(self) -> tuple[int, int]:
        """The loads and stores counted since the last call (and reset them)."""
        counts = (self.loads, self.stores)
        self.loads = self.stores = 0
        return counts
