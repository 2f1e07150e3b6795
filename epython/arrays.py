"""Arrays larger than a core: ``split(a)`` gives each core of a launch its own block of ``a``;
``shared(a)`` keeps ``a`` in shared DRAM, one copy for all the cores.

Every array argument is copied into the memory of every core of the launch (32 KB each, about
15 KB of it for user data).  ``split(a, axis=0)`` is an argument wrapper: the launch cuts ``a``
into the blocks of ``numpy.array_split(a, n, axis)`` over its ``n`` cores, in core order, and
core ``k`` receives block ``k`` as an ordinary array indexed from 0.  In-place changes come back
into ``a``, each block to its place, when the launch ends.  Under plain CPython (the undecorated
function) the wrapper is a view of the whole array: one core, one block.

A shared array stays in shared DRAM: kernels index it as any array, and every element they read
or write is a transfer over the mesh and the eLink (on the simulator, modelled and profiled).
The caller's array receives the DRAM contents when the launch ends.

An array that does not fit a core raises :class:`MemoryError` at launch, naming the array, its
size and the room left, and pointing here (docs/arrays.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from epython.bytecode.memory import (
    MIN_WORKSPACE_BYTES,
    CoreMemory,
    arguments_bytes,
    check_fits,
    user_memory_bytes,
)
from epython.bytecode.protocol import SHARED_ARRAYS_BYTES
from epython.marshal import MAX_COUNT, SharedArg, encode_value, to_array

__all__ = ["SharedArray", "SplitArray", "check_launch_fits", "shared", "shared_args", "split",
           "split_blocks", "too_wide"]


class _Marked(np.ndarray):
    """A view of the caller's array that marks how a launch passes it: slices and arithmetic
    results are plain arrays, only the view itself is marked."""

    def __array_wrap__(self, out: Any, context: Any = None, return_scalar: bool = False) -> Any:
        result = np.asarray(out)
        return result[()] if return_scalar else result

    def __getitem__(self, key: Any) -> Any:
        return np.asarray(self)[key]


class SplitArray(_Marked):
    """A view of an array marked to be split over a launch's cores (made by :func:`split`).

    It is the caller's array (same memory), so the undecorated function sees the whole array
    and changes it in place.
    """

    split_axis: int

    def __array_finalize__(self, obj: Any) -> None:
        self.split_axis = getattr(obj, "split_axis", 0)

    def __repr__(self) -> str:
        return f"split({np.asarray(self)!r}, axis={self.split_axis})"


def split(a: np.ndarray[Any, Any], axis: int = 0) -> SplitArray:
    """Give each core of the launch its own contiguous block of ``a`` along ``axis``.

    The blocks are ``numpy.array_split(a, n, axis)`` over the launch's ``n`` cores (with
    ``target=``/``auto=``, the cores actually used), in core order; each core indexes its
    block from 0 and ``len()``/``.shape`` are the block's.  In-place changes come back into
    ``a`` when the launch ends.  ``a`` is a 1-D or 2-D numpy array of int32, float32 or bool
    (int64/float64 converted when the values fit, as for any array argument).
    """
    if not isinstance(a, np.ndarray):
        raise TypeError(f"split() takes a numpy array, got {type(a).__name__}; convert it with "
                        "numpy.asarray() first")
    if a.ndim not in (1, 2):
        raise ValueError(f"split() takes a 1-D or 2-D array, got shape {a.shape}")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) \
            or not -a.ndim <= axis < a.ndim:
        raise ValueError(f"split(): axis {axis!r} is out of range for an array of "
                         f"{a.ndim} dimension(s)")
    view = a.view(SplitArray)
    view.split_axis = int(axis) % a.ndim
    return view


class SharedArray(_Marked):
    """A view of an array marked to live in shared DRAM during a launch (made by :func:`shared`).

    It is the caller's array (same memory): the undecorated function works on it directly, and
    a launch writes the DRAM contents back into it when it ends.
    """

    #: marks the view for the marshal layer, which refuses it inside lists and tuples
    epython_shared = True

    def __repr__(self) -> str:
        return f"shared({np.asarray(self)!r})"


def shared(a: np.ndarray[Any, Any]) -> SharedArray:
    """Keep ``a`` in shared DRAM for the launches it is passed to: one copy for all cores.

    Kernels index it as any array (``a[i]``, ``a[i, j]``, ``len(a)``, ``a.shape``, loops,
    slices); each element read is a load from DRAM and each store a write to DRAM, which cross
    the mesh and the eLink (docs/arrays.md says what they cost and which orders hold).  When
    the launch ends, ``a`` holds the DRAM contents.  ``a`` is a 1-D or 2-D numpy array of
    int32, float32 or bool (int64/float64 converted when the values fit, and then ``a`` still
    receives the results); all the shared arrays of a launch take at most
    ``protocol.SHARED_ARRAYS_BYTES`` (12 MB).
    """
    if not isinstance(a, np.ndarray):
        raise TypeError(f"shared() takes a numpy array, got {type(a).__name__}; convert it with "
                        "numpy.asarray() first")
    if a.ndim not in (1, 2):
        raise ValueError(f"shared() takes a 1-D or 2-D array, got shape {a.shape}")
    if isinstance(a, SplitArray):
        raise TypeError("shared() of a split() array: choose one, split() to give each core its "
                        "own block in its memory, or shared() to keep one copy in DRAM")
    return a.view(SharedArray)


def shared_args(values: Sequence[Any], names: Sequence[str], kernel: str) -> dict[int, SharedArg]:
    """The wire form of the shared arrays among a launch's arguments, by argument index; a
    MemoryError naming them when together they exceed ``SHARED_ARRAYS_BYTES``."""
    out: dict[int, SharedArg] = {}
    for i, v in enumerate(values):
        if isinstance(v, SharedArray):
            name = names[i] if i < len(names) else f"#{i}"
            out[i] = SharedArg(to_array(np.asarray(v), f"argument {name!r} of {kernel}()",
                                        shared=True).copy())
    total = sum(arg.nbytes for arg in out.values())
    if total > SHARED_ARRAYS_BYTES:
        listed = ", ".join(f"{names[i] if i < len(names) else i!r} "
                           f"({arg.array.dtype} {arg.array.shape}, {arg.nbytes} bytes)"
                           for i, arg in out.items())
        raise MemoryError(f"{kernel}(): the shared() arrays of one launch take at most "
                          f"{SHARED_ARRAYS_BYTES} bytes of shared DRAM, these take {total}: "
                          f"{listed}; launch over parts of them one launch at a time")
    return out


def split_blocks(a: SplitArray, n: int) -> list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """The ``n`` blocks of a split array, each with the flat (C-order) positions in ``a`` of its
    elements in the block's own C order (where its changes go back)."""
    whole = np.asarray(a)
    positions = np.arange(whole.size).reshape(whole.shape)
    return [(np.ascontiguousarray(block), np.ascontiguousarray(where).reshape(-1))
            for block, where in zip(np.array_split(whole, n, a.split_axis),
                                    np.array_split(positions, n, a.split_axis))]


_FIX = ("give each core its own part with epython.split({name}), or keep one copy in shared "
        "DRAM with epython.shared({name}) (docs/arrays.md), or launch over parts of it")


def _describe(arr: np.ndarray[Any, Any]) -> str:
    return f"{arr.dtype} array of shape {arr.shape}"


def too_wide(where: str, arr: np.ndarray[Any, Any], name: str) -> MemoryError | None:
    """The MemoryError for an array with a dimension longer than a core can receive (the
    wire's 65535), or None."""
    if not any(n > MAX_COUNT for n in arr.shape):
        return None
    return MemoryError(f"{where}: the {_describe(arr)} ({arr.size * arr.itemsize} bytes) does "
                       f"not fit a core: a core receives at most {MAX_COUNT} elements per "
                       f"dimension and about 15 KB in all; " + _FIX.format(name=name))


def check_launch_fits(memory: CoreMemory, image_bytes: int, args: Sequence[Any],
                      names: Sequence[str] = (), core: int | None = None,
                      kernel: str = "", encoded_bytes: int | None = None) -> None:
    """Raise MemoryError if a launch with ``args`` (wire values) cannot be placed in a core.

    When an array argument is what does not fit, the message names it (``names`` are the
    kernel's parameters), gives its size and the room left, and shows ``split()`` as the way
    out; otherwise it is :func:`epython.bytecode.memory.check_fits`'s message.
    ``encoded_bytes``, the arguments' encoded size if the caller knows it, saves encoding them.
    """
    if encoded_bytes is None:
        encoded_bytes = sum(len(encode_value(a)) for a in args)
    total = arguments_bytes(1 + encoded_bytes, args)
    try:
        check_fits(memory, image_bytes, total)
        return
    except MemoryError as exc:
        generic = exc
    sizes = [len(encode_value(a)) for a in args]
    arrays = [(size, i) for i, (a, size) in enumerate(zip(args, sizes))
              if isinstance(a, np.ndarray)]
    if not arrays:
        raise generic
    size, index = max(arrays)
    have = user_memory_bytes(memory)
    room = have - image_bytes - MIN_WORKSPACE_BYTES - (total - size)
    name = names[index] if index < len(names) else f"#{index}"
    where = f"argument {name!r}" + (f" of {kernel}()" if kernel else "")
    on = "" if core is None else f" (core {core}'s block of a split array)"
    fix = (_FIX.format(name=name) if core is None else
           "launch over more cores, or over parts of the array one launch at a time")
    raise MemoryError(
        f"{where}{on}: the {_describe(args[index])} takes {size} bytes of core memory but "
        f"{max(room, 0)} are left for it (each core of {memory.name} has {have} bytes for user "
        f"code and data: program image {image_bytes}, other arguments {total - size}, minimum "
        f"stack/heap {MIN_WORKSPACE_BYTES}); " + fix) from None
