"""The bad-input corpus: every wrong program, argument or image gets its documented exception.

The failing kernels are the "errors", "deadlock" and "refused" cases of the corpus
(tests/kernels/errors.py, tests/kernels/refused.py): each records its class, its message and
the line marked ``# FAIL``.  Runs on every available backend (the ``backend`` fixture of
epython's pytest plugin).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from typing import Any

import numpy as np
import pytest

from epython import CompileError, DeadlockError, KernelError, offload
from epython.backends import get_backend
from epython.handle import KernelHandle
from tests.kernels import FAIL_MARKER, Case, cases, params
from tests.kernels import errors as k

# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")


@pytest.mark.parametrize("cores", [[0], [0, 1]], ids=["one-core", "two-cores"])
@pytest.mark.parametrize("case", params(cases("errors")))
def test_runtime_error_crosses_back_with_its_class_core_line_and_message(case: Case,
                                                                         cores: list[int]) -> None:
    assert case.error is not None
    if "cpython" in case.tags:
        with pytest.raises(case.error):
            case.fn(*case.fresh_args())
    with pytest.raises(KernelError) as info:
        offload(target=cores)(case.fn)(*case.fresh_args())
    err = info.value
    assert isinstance(err, case.error), f"{type(err).__mro__} is not a {case.error.__name__}"
    assert err.core == 0 and err.lineno == case.fail_line(), (err.core, err.lineno, str(err))
    assert FAIL_MARKER in err.source_line
    if case.message is not None:
        assert re.search(case.message, str(err)), str(err)


def test_kernel_error_still_catchable_as_builtin() -> None:
    kernel = offload(target=0)(k.floordiv_zero)
    with pytest.raises(ZeroDivisionError):
        kernel(1, 0)
    # and the kernel keeps working afterwards
    assert kernel(1, 1) == 1


@pytest.mark.parametrize("case", params(cases("deadlock")))
def test_deadlocks_are_reported_not_hung(case: Case) -> None:
    assert case.message is not None
    with pytest.raises(DeadlockError, match=case.message):
        offload(case.fn)(*case.fresh_args())  # on every core
    assert offload(add)(1, 2, target=0) == 3  # the cores are free again


@pytest.mark.parametrize("decorate", ["plain", "target0"])
@pytest.mark.parametrize("case", params(cases("refused")))
def test_unsupported_construct_is_a_compile_error_naming_file_line_and_construct(
        case: Case, decorate: str) -> None:
    assert case.message is not None
    line = case.fail_line()
    filename = inspect.getsourcefile(case.fn)
    with pytest.raises(CompileError) as info:
        if decorate == "plain":
            offload(case.fn)
        else:
            offload(target=0)(case.fn)
    text = str(info.value)
    assert f"{filename}:{line}:" in text, text
    assert re.search(case.message, text), text
    assert info.value.lineno == line


def add(a, b):
    return a + b


ARGUMENTS = [
    ((1, {"a"}), {}, TypeError, r"argument 'b' of add\(\): values of type set cannot be passed"),
    ((1, {frozenset(): 1}), {}, TypeError,
     r"argument 'b' of add\(\): dict key frozenset\(\) of type frozenset cannot be passed"),
    ((1, 2**40), {}, TypeError, r"argument 'b' of add\(\): integer 1099511627776 does not fit in int32"),
    ((1, 1e300), {}, TypeError, r"argument 'b' of add\(\): float 1e\+300 is beyond the float32 range"),
    ((np.zeros(3, dtype=complex), 1), {}, TypeError, r"arrays of dtype complex128 are not supported"),
    ((np.array([2**40]), 1), {}, TypeError, r"values outside int32"),
    ((np.zeros(20000, dtype=np.float32), 1), {}, MemoryError,
     r"argument 'a' of add\(\): the float32 array of shape \(20000,\) takes 80005 bytes of core "
     r"memory but \d+ are left for it \(each core of e16 has \d+ bytes .*epython.split\(a\)"),
    ((list(range(3000)), 1), {}, MemoryError,
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
