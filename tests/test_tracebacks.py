"""Tracebacks through kernels (issue 16 item 6): a kernel error's traceback ends with the
kernel's call chain, innermost last, with file, line, function name and source line, and both
simulator engines report the same chain."""

from __future__ import annotations

import pickle
import traceback
from typing import Any

import pytest

from epython import KernelError, offload
from epython.errors import kernel_traceback
from epython.parallel import coreid


def _divide(y: int) -> int:
    return 10 // y


def _helper(x: int) -> int:
    def inner(y: int) -> int:
        return _divide(y)
    return inner(x)


def _rec(n: int) -> int:
    if n == 0:
        return _helper(0)
    return _rec(n - 1)


def chain_kernel(a: int) -> int:
    return _rec(a) + 1


def top_kernel(a: int) -> int:
    return 10 // a


def some_fail(a: int) -> int:
    return 10 // (coreid() % 2 + a)


def _names(frames: Any) -> list[tuple[int, str]]:
    return [(lineno, function) for _, lineno, function in frames]


def _line(fn: Any, offset: int) -> int:
    return int(fn.__code__.co_firstlineno) + offset


EXPECTED = [(_line(chain_kernel, 1), "chain_kernel"), (_line(_rec, 3), "_rec"),
            (_line(_rec, 3), "_rec"), (_line(_rec, 2), "_rec"),
            (_line(_helper, 3), "_helper"), (_line(_helper, 2), "inner"),
            (_line(_divide, 1), "_divide")]


@pytest.mark.parametrize("engine", ["reference", "jit"])
def test_chain_through_recursion_nested_defs_and_helpers(engine: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESIM_ENGINE", engine)
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(chain_kernel)(2)
    exc = info.value
    assert isinstance(exc, KernelError)
    assert _names(exc.frames) == EXPECTED
    assert exc.function == "_divide" and exc.lineno == _line(_divide, 1) and exc.core == 0
    assert all(f == __file__ for f, _, _ in exc.frames)


def test_printed_traceback_ends_with_the_kernel_frames() -> None:
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(chain_kernel)(1)
    summary = traceback.extract_tb(info.value.__traceback__)
    tail = [(fs.lineno, fs.name) for fs in summary[-6:]]
    assert tail == [EXPECTED[0], EXPECTED[2], *EXPECTED[3:]]
    assert summary[-1].filename == __file__ and summary[-1].line == "return 10 // y"
    text = "".join(traceback.format_exception(info.value))
    assert text.index('in chain_kernel\n    return _rec(a) + 1') < text.index("in _divide")


def test_an_error_in_the_kernel_itself_is_one_frame() -> None:
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(top_kernel)(0)
    assert _names(info.value.frames) == [(_line(top_kernel, 1), "top_kernel")]
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert (last.filename, last.lineno, last.name) == (__file__, _line(top_kernel, 1),
                                                       "top_kernel")


def test_every_failing_core_has_its_chain() -> None:
    handle = offload(target=[0, 1, 2, 3], async_=True)(some_fail)(0)
    with pytest.raises(ZeroDivisionError):
        handle.wait()
    assert sorted(handle.errors) == [0, 2]
    for error in handle.errors.values():
        assert isinstance(error, KernelError)
        assert _names(error.frames) == [(_line(some_fail, 1), "some_fail")]


def test_pickle_keeps_the_chain() -> None:
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(chain_kernel)(0)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.frames == info.value.frames and copy.function == "_divide"
    assert traceback.extract_tb(copy.__traceback__)[-1].name == "_divide"


def test_kernel_traceback_of_no_frames_is_none() -> None:
    assert kernel_traceback(()) is None
