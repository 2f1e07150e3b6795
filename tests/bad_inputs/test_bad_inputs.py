"""The bad-input corpus: every wrong program, argument or image gets its documented exception.

Runs on every available backend (the ``backend`` fixture of epython's pytest plugin).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from typing import Any

import compile_cases
import kernels as k
import numpy as np
import pytest

from epython import CompileError, DeadlockError, KernelError, offload
from epython.backends import get_backend
from epython.handle import KernelHandle


def fail_line(fn: Any) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, t in enumerate(lines) if "# FAIL" in t)


ARR = np.arange(5, dtype=np.int32)

# (kernel, args, exception class, message pattern)
RUNTIME = [
    (k.div_zero, (1,), ZeroDivisionError, r"integer division or modulo by zero"),
    (k.mod_zero, (1,), ZeroDivisionError, r"integer modulo by zero"),
    (k.true_div_zero, (1,), ZeroDivisionError, r"division by zero"),
    (k.float_div_zero, (1,), ZeroDivisionError, r"float division by zero"),
    (k.add_overflow, (1,), OverflowError, r"does not fit in int32"),
    (k.mul_overflow, (1,), OverflowError, r"does not fit in int32"),
    (k.neg_min, (1,), OverflowError, r"does not fit in int32"),
    (k.abs_min, (1,), OverflowError, r"does not fit in int32"),
    (k.floordiv_min, (1,), OverflowError, r"does not fit in int32"),
    (k.shift_overflow, (2,), OverflowError, r"does not fit in int32"),
    (k.negative_shift, (1,), ValueError, r"negative shift count"),
    (k.pow_overflow, (1,), OverflowError, r"does not fit in int32"),
    (k.index_list, (1,), IndexError, r"list index out of range"),
    (k.index_negative, (1,), IndexError, r"list index out of range"),
    (k.index_str, (1,), IndexError, r"string index out of range"),
    (k.index_array, (ARR,), IndexError, r"index 5 is out of bounds for axis 0 with size 5"),
    (k.store_index, (1,), IndexError, r"list assignment index out of range"),
    (k.pop_empty, (1,), IndexError, r"pop from empty list"),
    (k.add_str_int, (1,), TypeError, r'can only concatenate str \(not "int"\) to str'),
    (k.compare_str_int, (1,), TypeError, r"'<' not supported between instances of 'str' and 'int'"),
    (k.call_len_int, (1,), TypeError, r"object of type 'int' has no len\(\)"),
    (k.iterate_int, (1,), TypeError, r"'int' object is not iterable"),
    (k.subscript_int, (1,), TypeError, r"'int' object is not subscriptable"),
    (k.assert_false, (1,), AssertionError, r"a must exceed 5"),
    (k.raise_value, (7,), ValueError, r"bad value 7"),
    (k.raise_runtime, (7,), RuntimeError, r"stop"),
    (k.unpack_wrong, (1,), ValueError, r"too many values to unpack \(expected 2\)"),
    (k.int_of_str, (1,), ValueError, r"invalid literal for int\(\) with base 10: 'x1'"),
    (k.int_of_nan, (1,), ValueError, r"cannot convert float NaN to integer"),
    (k.sqrt_negative, (1,), ValueError, r"math domain error"),
    (k.log_zero, (1,), ValueError, r"math domain error"),
    (k.range_zero_step, (1,), ValueError, r"range\(\) arg 3 must not be zero"),
    (k.min_empty, (1,), ValueError, r"min\(\) arg is an empty sequence"),
    (k.unbound_local, (1,), UnboundLocalError, r"referenced before assignment"),
    (k.recursion, (1,), RecursionError, r"maximum recursion depth exceeded"),
    (k.memory_list, (1,), MemoryError, r"out of core memory"),
    (k.memory_string, (1,), MemoryError, r"out of core memory"),
    (k.send_outside, (1,), ValueError, r"parallel.send: core \d+ is not part of this launch"),
    (k.recv_type, (1,), TypeError, r"parallel.recv: core id must be an int, not str"),
    (k.reduce_bad_op, (1,), ValueError, r"parallel.reduce: op must be one of sum, min, max, prod"),
]

DEADLOCKS = [
    (k.deadlock_recv, (1,), r"(?s)core 0 waits for a message from core 1 \(recv\) at .*kernels.py:\d+"),
    (k.deadlock_barrier, (1,), r"barrier \(sync\), which cores \[0\] have not reached"),
    (k.deadlock_large_send, (np.zeros(64, dtype=np.float32),), r"to receive its message \(send\)"),
]

COMPILE = [
    (compile_cases.uses_dict_comp, r"dict comprehensions are not supported"),
    (compile_cases.uses_set_comp, r"set comprehensions are not supported"),
    (compile_cases.uses_nonlocal, r"nonlocal is not supported"),
    (compile_cases.uses_del, r"del is not supported"),
    (compile_cases.uses_star_call, r"starred expressions \(\*x\) are not supported"),
    (compile_cases.uses_kwargs_sig, r"\*\*kw in the signature of uses_kwargs_sig\(\)"),
    (compile_cases.uses_walrus, r"assignment expressions \(:=\) are not supported"),
    (compile_cases.uses_match, r"match statements are not supported"),
    (compile_cases.uses_slice_store, r"assignment to a slice is not supported"),
    (compile_cases.uses_bare_raise, r"bare 'raise' is not supported"),
    (compile_cases.uses_custom_exception, r"kernels can raise only built-in exceptions"),
    (compile_cases.uses_open, r"open\(\) is not supported in kernels"),
]


def add(a, b):
    return a + b


ARGUMENTS = [
    ((1, {"a": 1}), {}, TypeError, r"argument 'b' of add\(\): values of type dict cannot be passed"),
    ((1, 2**40), {}, TypeError, r"argument 'b' of add\(\): integer 1099511627776 does not fit in int32"),
    ((1, 1e300), {}, TypeError, r"argument 'b' of add\(\): float 1e\+300 is beyond the float32 range"),
    ((np.zeros(3, dtype=complex), 1), {}, TypeError, r"arrays of dtype complex128 are not supported"),
    ((np.array([2**40]), 1), {}, TypeError, r"values outside int32"),
    ((np.zeros(20000, dtype=np.float32), 1), {}, MemoryError,
     r"the launch needs \d+ bytes of core memory .* but each core of e16 has \d+ bytes"),
    ((1, 2), {"target": 99}, ValueError, r"target core 99 does not exist; this backend has cores 0..15"),
    ((1, 2), {"target": []}, TypeError, r"target must be a core id or a non-empty list"),
    ((1, 2), {"target": [1, 1]}, ValueError, r"target lists a core twice"),
    ((1, 2), {"auto": 17}, ValueError, r"auto=17 must be a number of cores from 1 to 16"),
    ((1, 2), {"auto": 2, "target": 1}, ValueError, r"give target= or auto=, not both"),
    ((1,), {}, TypeError, r"add\(\) missing required argument 'b'"),
    ((1, 2, 3), {}, TypeError, r"add\(\) takes 2 positional arguments but 3 were given"),
    ((1, 2), {"colour": 3}, TypeError, r"add\(\) got an unexpected keyword argument 'colour'"),
]


@pytest.mark.parametrize("fn, args, exc, pattern", RUNTIME, ids=[c[0].__name__ for c in RUNTIME])
def test_runtime_errors(backend: str, fn: Any, args: tuple[Any, ...], exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern) as info:
        offload(target=[0, 1])(fn)(*args)
    err = info.value
    assert isinstance(err, KernelError)
    assert err.core == 0 and err.lineno == fail_line(fn), (err.core, err.lineno)
    assert "# FAIL" in err.source_line


@pytest.mark.parametrize("fn, args, pattern", DEADLOCKS, ids=[c[0].__name__ for c in DEADLOCKS])
def test_deadlocks_are_reported_not_hung(backend: str, fn: Any, args: tuple[Any, ...],
                                         pattern: str) -> None:
    with pytest.raises(DeadlockError, match=pattern):
        offload(fn)(*args)
    assert offload(add)(1, 2, target=0) == 3  # the cores are free again


@pytest.mark.parametrize("fn, pattern", COMPILE, ids=[c[0].__name__ for c in COMPILE])
def test_compile_errors(fn: Any, pattern: str) -> None:
    with pytest.raises(CompileError, match=pattern) as info:
        offload(fn)
    assert f"compile_cases.py:{fail_line(fn)}:" in str(info.value)


@pytest.mark.parametrize("args, options, exc, pattern", ARGUMENTS,
                         ids=[re.sub(r"\W+", "_", c[3])[:40] for c in ARGUMENTS])
def test_bad_arguments_and_options_fail_before_launch(backend: str, args: tuple[Any, ...],
                                                       options: dict[str, Any], exc: type,
                                                       pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        offload(add)(*args, **options)


def test_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPYTHON_BACKEND", "fpga")
    with pytest.raises(Exception, match=r"unknown backend in EPYTHON_BACKEND='fpga'; known backends"):
        offload(add)(1, 2)


MALFORMED = [
    ("truncated", lambda b: b[:-3], r"trailing|truncated"),
    ("bad magic", lambda b: b"XXXX" + b[4:], r"bad magic"),
    ("bad version", lambda b: b[:4] + b"\x09\x00" + b[6:], r"version 9"),
    ("bad opcode", lambda b: b[:-5] + b"\xee" + b[-4:], r"unknown opcode|line entry|jump|out of range|underflow|off the end"),
    ("extra bytes", lambda b: b + b"\x00\x01", r"trailing"),
]


@pytest.mark.parametrize("name, mutate, pattern", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_images_are_rejected_by_the_cores(backend: str, name: str, mutate: Any,
                                                     pattern: str) -> None:
    kernel = offload(add)
    bad = dataclasses.replace(kernel.compiled, image=mutate(kernel.compiled.image))
    launch = get_backend().launch(bad, [1, 2], [0, 1])
    with pytest.raises(ValueError, match=pattern) as info:
        KernelHandle("add", launch).wait(timeout=60)
    assert isinstance(info.value, KernelError)
    assert kernel(1, 2, target=[0, 1]) == [3, 3]  # no state left behind


def test_isolation_after_failures_keeps_device_data(backend: str) -> None:
    from epython import copy_from_device, define_on_device

    define_on_device("kept_value", 41)
    with pytest.raises(ZeroDivisionError):
        offload(k.div_zero)(1)
    assert copy_from_device("kept_value", target=3) == 41
    assert offload(add)(1, 2) == [3] * 16
