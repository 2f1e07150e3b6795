"""Hypothesis strategies for epython kernels: arguments, random valid kernels, case families.

Three parts, one module each:

* :mod:`.args`: argument values with edge values (0, -1, int32 bounds, subnormals, inf, nan,
  empty arrays): ``int32s()``, ``float32s()``, ``int32_arrays()``, ``float32_arrays()``;
* :mod:`.programs`: the program generator, ``kernel_cases(floats=..., arrays=..., multicore=...,
  prints=...)`` draws a :class:`KernelCase` (source, reference source, argument kinds and drawn
  arguments), built as a small typed tree (:mod:`.tree`) that one renderer writes twice: as the
  kernel and as its reference, each arithmetic result passed through the helpers of
  :mod:`epython.testing.reference` (int32 check, binary32 rounding) so that CPython computes
  what docs/language.md says the cores compute;
* :mod:`.families`: ``comm_cases()`` draws a :class:`CommCase` (a multi-core kernel with
  send/recv over a permutation, sendrecv over a matching for large values, bcast, reduce with
  each op and barriers, plus the expected per-core results and printed lines computed in
  Python); ``failing_cases()`` a :class:`FailingCase` (a kernel that fails on a known core and
  line with a known class: ZeroDivisionError, IndexError, OverflowError, MemoryError,
  AssertionError, ...).

Use them on your own kernels too: see docs/testing.md.
"""

from epython.bytecode.image import INT32_MAX, INT32_MIN
from epython.testing.strategies.args import float32_arrays, float32s, int32_arrays, int32s
from epython.testing.strategies.families import CommCase, FailingCase, comm_cases, failing_cases
from epython.testing.strategies.programs import KernelCase, kernel_cases

__all__ = [
    "CommCase",
    "FailingCase",
    "INT32_MAX",
    "INT32_MIN",
    "KernelCase",
    "comm_cases",
    "failing_cases",
    "float32_arrays",
    "float32s",
    "int32_arrays",
    "int32s",
    "kernel_cases",
]
