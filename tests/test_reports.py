"""The words both backends use for kernel errors, blocked cores, deadlocks and timeouts
(epython/backends/reports.py), so that a report reads the same on the simulator and the device."""

from __future__ import annotations

from epython.backends.reports import blocked_core, deadlock_error, kernel_error, timeout_error
from epython.bytecode import protocol as P
from epython.bytecode.opcodes import ErrorCode
from epython.compiler import compile_kernel
from epython.errors import DeadlockError, KernelError


def pair(a, b):  # type: ignore[no-untyped-def]
    return a // b  # THE LINE


KERNEL = compile_kernel(pair)
LINE = next(n for n, text in KERNEL.source_lines.items() if "# THE LINE" in text)


def test_kernel_error_is_the_builtin_class_with_where_it_happened() -> None:
    err = kernel_error(KERNEL, int(ErrorCode.ZeroDivisionError), "integer division by zero",
                       core=3, func=0, line=LINE)
    assert isinstance(err, ZeroDivisionError) and isinstance(err, KernelError)
    assert str(err) == (f"ZeroDivisionError: integer division by zero (core 3, "
                        f"{KERNEL.filename}:{LINE}, in pair)\n    return a // b  # THE LINE")


def test_blocked_core_and_barrier_words() -> None:
    what = P.describe_wait(P.WAIT_BARRIER, 0, missing=[2, 5])
    assert what == "the barrier (sync), which cores [2, 5] have not reached"
    assert P.describe_wait(P.WAIT_RECV, 1, missing=[2]) == "a message from core 1 (recv)"
    assert blocked_core(KERNEL, 4, what, 0, LINE) == (
        f"core 4 waits for {what} at {KERNEL.filename}:{LINE}: return a // b  # THE LINE")


def test_deadlock_lists_the_waiting_cores() -> None:
    err = deadlock_error(KERNEL, ["core 0 waits for x", "core 1 waits for y"])
    assert isinstance(err, DeadlockError)
    assert str(err) == ("kernel pair: deadlock, every running core is blocked:\n"
                        "  core 0 waits for x\n  core 1 waits for y")
    assert str(deadlock_error(KERNEL, [])).endswith("blocked:\n  no core can make progress")


def test_timeout_words_of_each_backend() -> None:
    sim = timeout_error(KERNEL, "no core finished", 0.25, ["core 1 is running"])
    assert str(sim) == ("kernel pair: no core finished within 0.25 s of wall time; cancel the "
                        "launch to free its cores. Unfinished cores:\n  core 1 is running")
    device = timeout_error(KERNEL, "not finished", 2.0, ["a", "b"], backend=" (device backend)",
                           free="cancel the launch or reset the backend",
                           source=", from their mailboxes")
    assert str(device) == ("kernel pair: not finished within 2 s of wall time (device backend); "
                           "cancel the launch or reset the backend to free its cores. Unfinished "
                           "cores, from their mailboxes:\n  a\n  b")
