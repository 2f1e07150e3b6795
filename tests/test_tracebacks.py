"""Tracebacks through kernels (issue 16 item 6): a kernel error's traceback ends with the
kernel's call chain, innermost last, with file, line, function name and source line; both
simulator engines and both backends (the simulator and the C interpreter of the device backend)
report the same chain, cut the same way when it is longer than ERROR_CHAIN_FRAMES."""

from __future__ import annotations

import pickle
import struct
import traceback
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from epython import KernelError, offload
from epython.backends.device.mailbox import decode_chain
from epython.backends.reports import omitted_frame
from epython.bytecode import protocol as P
from epython.errors import kernel_traceback
from epython.parallel import coreid
from epython.testing import compare as C
from tests.hypothesis_profiles import prop_settings

DEVICE_OK, DEVICE_WHY = C.backend_available("device")
needs_device = pytest.mark.skipif(not DEVICE_OK, reason=f"needs the device backend: {DEVICE_WHY}")


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


def _check_chain(core: int) -> None:
    """chain_kernel(2) on ``core`` raises with the EXPECTED chain (whichever backend or engine)."""
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=core)(chain_kernel)(2)
    exc = info.value
    assert isinstance(exc, KernelError)
    assert _names(exc.frames) == EXPECTED
    assert exc.function == "_divide" and exc.lineno == _line(_divide, 1) and exc.core == core
    assert all(f == __file__ for f, _, _ in exc.frames)


@pytest.mark.parametrize("engine", ["reference", "jit"])
def test_chain_through_recursion_nested_defs_and_helpers(engine: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESIM_ENGINE", engine)
    _check_chain(0)


@pytest.mark.parametrize("core", [0, 11])
def test_chain_is_the_same_on_both_backends(backend: str, core: int) -> None:
    _check_chain(core)


def test_printed_traceback_ends_with_the_kernel_frames(backend: str) -> None:
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(chain_kernel)(1)
    summary = traceback.extract_tb(info.value.__traceback__)
    tail = [(fs.lineno, fs.name) for fs in summary[-6:]]
    assert tail == [EXPECTED[0], EXPECTED[2], *EXPECTED[3:]]
    assert summary[-1].filename == __file__ and summary[-1].line == "return 10 // y"
    text = "".join(traceback.format_exception(info.value))
    assert text.index('in chain_kernel\n    return _rec(a) + 1') < text.index("in _divide")


def test_an_error_in_the_kernel_itself_is_one_frame(backend: str) -> None:
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(top_kernel)(0)
    assert _names(info.value.frames) == [(_line(top_kernel, 1), "top_kernel")]
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert (last.filename, last.lineno, last.name) == (__file__, _line(top_kernel, 1),
                                                       "top_kernel")


def test_every_failing_core_has_its_chain(backend: str) -> None:
    handle = offload(target=[0, 1, 2, 3], async_=True)(some_fail)(0)
    with pytest.raises(ZeroDivisionError):
        handle.wait()
    assert sorted(handle.errors) == [0, 2]
    for error in handle.errors.values():
        assert isinstance(error, KernelError)
        assert _names(error.frames) == [(_line(some_fail, 1), "some_fail")]


def test_pickle_keeps_the_chain(backend: str) -> None:
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(chain_kernel)(0)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.frames == info.value.frames and copy.function == "_divide"
    assert traceback.extract_tb(copy.__traceback__)[-1].name == "_divide"


def test_kernel_traceback_of_no_frames_is_none() -> None:
    assert kernel_traceback(()) is None


# --- long chains: cut at ERROR_CHAIN_FRAMES, the same way on both backends and engines -------
def _deep(n: int) -> int:
    return _deep(n + 1)


def deep_kernel(a: int) -> int:
    return _deep(a)


def _down(n: int) -> int:
    if n == 0:
        return 10 // n
    return _down(n - 1)


def down_kernel(a: int) -> int:
    return _down(a)


def _check_cut(exc: BaseException) -> None:
    """``exc`` is the RecursionError of deep_kernel: MAX_CALL_DEPTH frames, cut to the outermost
    ERROR_CHAIN_OUTER and the innermost rest, with one marker between them."""
    assert isinstance(exc, RecursionError) and isinstance(exc, KernelError)
    outer, kept = P.ERROR_CHAIN_OUTER, P.ERROR_CHAIN_FRAMES
    assert len(exc.frames) == kept + 1
    assert exc.frames[outer] == omitted_frame(P.MAX_CALL_DEPTH - kept)
    real = exc.frames[:outer] + exc.frames[outer + 1:]
    assert _names(real) == [(_line(deep_kernel, 1), "deep_kernel")] + [
        (_line(_deep, 1), "_deep")] * (kept - 1)
    assert exc.function == "_deep" and exc.lineno == _line(_deep, 1)
    text = "".join(traceback.format_exception(exc))
    assert f"in <{P.MAX_CALL_DEPTH - kept} kernel frames omitted>" in text
    assert text.index("in deep_kernel") < text.index("frames omitted>") < text.rindex("in _deep")


@pytest.mark.parametrize("engine", ["reference", "jit"])
def test_the_simulator_cuts_a_long_chain_on_each_engine(engine: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESIM_ENGINE", engine)
    with pytest.raises(RecursionError) as info:
        offload(target=0)(deep_kernel)(0)
    _check_cut(info.value)


def test_a_recursion_error_is_cut_on_both_backends(backend: str) -> None:
    with pytest.raises(RecursionError) as info:
        offload(target=3)(deep_kernel)(0)
    _check_cut(info.value)
    assert info.value.core == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize("depth", [P.ERROR_CHAIN_FRAMES - 2, P.ERROR_CHAIN_FRAMES - 1])
def test_a_chain_of_the_cap_is_whole_and_one_more_frame_is_cut(backend: str, depth: int) -> None:
    with pytest.raises(ZeroDivisionError) as info:
        offload(target=0)(down_kernel)(depth)
    frames = info.value.frames  # type: ignore[attr-defined]
    body = [(_line(_down, 3), "_down")] * depth + [(_line(_down, 2), "_down")]
    if depth + 2 <= P.ERROR_CHAIN_FRAMES:
        assert _names(frames) == [(_line(down_kernel, 1), "down_kernel"), *body]
    else:
        assert frames[P.ERROR_CHAIN_OUTER] == omitted_frame(1) == (
            "<kernel>", 0, "<1 kernel frame omitted>")
        assert len(frames) == P.ERROR_CHAIN_FRAMES + 1


# --- both backends report the same, on several cores at once ----------------------------------
def _loop_helper(x: int) -> int:
    s = 0
    for i in range(4):
        s = s + _divide(x - i)
    return s


def multi_kernel(a: int) -> int:
    c = coreid()
    if c % 3 == 0:
        return _loop_helper(a + c % 4)
    if c % 3 == 1:
        return _rec(c % 4)
    return _deep(a)


def _describe(exc: KernelError) -> tuple[Any, ...]:
    """Everything of a kernel error the backends must agree on, its traceback's tail included."""
    tail = traceback.extract_tb(exc.__traceback__)[-len(exc.frames):]
    return (exc.kind, exc.core, exc.lineno, exc.function, exc.frames, exc.message,
            exc.source_line, [(fs.filename, fs.lineno, fs.name, fs.line) for fs in tail])


def _outcomes(fn: Any, args: tuple[Any, ...], cores: list[int], backend: str) -> dict[int, Any]:
    """Per core of a launch of ``fn`` on ``backend``: ("value", v) or the error's description."""
    handle = offload(fn).launch(*args, target=cores, backend=backend)
    try:
        handle.wait(timeout=60)
    except KernelError:
        pass
    out: dict[int, Any] = {}
    for c in cores:
        try:
            out[c] = ("value", handle.result(c))
        except KernelError as exc:
            out[c] = _describe(exc)
    return out


@needs_device
def test_several_cores_fail_with_their_own_chains_alike_on_both_backends() -> None:
    cores = [1, 5, 6, 9, 13]
    sim = _outcomes(multi_kernel, (0,), cores, "sim")
    assert sim == _outcomes(multi_kernel, (0,), cores, "device")
    loop = [(_line(multi_kernel, 3), "multi_kernel"), (_line(_loop_helper, 3), "_loop_helper"),
            (_line(_divide, 1), "_divide")]
    assert _names(sim[6][4]) == loop and _names(sim[9][4]) == loop
    assert _names(sim[1][4])[1:] == EXPECTED[2:] and _names(sim[13][4])[1:] == EXPECTED[2:]
    assert sim[5][0] == "RecursionError" and (
        omitted_frame(P.MAX_CALL_DEPTH - P.ERROR_CHAIN_FRAMES) in sim[5][4])


# --- the device's record --------------------------------------------------------------------------
def _record(total: int, pairs: list[tuple[int, int]]) -> bytes:
    return struct.pack(f"<I{2 * len(pairs)}I", total, *(w for p in pairs for w in p))


def test_decode_chain_reads_the_record_and_what_it_left_out() -> None:
    pairs = [(k, 10 + k) for k in range(P.ERROR_CHAIN_FRAMES - 1)]
    assert decode_chain(_record(3, pairs[:3])) == (tuple(pairs[:3]), 0)
    assert decode_chain(_record(40, pairs)) == (tuple(pairs), 40 - len(pairs))
    assert len(_record(0, pairs)) == P.MAILBOX_ERROR_CHAIN_BYTES


def test_decode_chain_of_a_short_or_empty_record_gives_what_it_holds() -> None:
    assert decode_chain(b"") == ((), 0)
    assert decode_chain(_record(0, [])) == ((), 0)
    assert decode_chain(_record(9, [(1, 2), (3, 4)])) == (((1, 2), (3, 4)), 0)


def test_cut_chain_keeps_the_outermost_and_the_innermost() -> None:
    chain = tuple(range(20))
    kept, omitted = P.cut_chain(chain)
    assert omitted == 20 - (P.ERROR_CHAIN_FRAMES - 1)
    assert kept == chain[:P.ERROR_CHAIN_OUTER] + chain[P.ERROR_CHAIN_OUTER + omitted:]
    assert P.cut_chain(chain[:15]) == (chain[:15], 0)


# --- property: generated call chains agree between the backends and with CPython ----------------
#: The bottom helper of a generated chain, failing when x == 0: (lines of h0's body, the class,
#: whether CPython raises it too).
BOTTOMS: list[tuple[list[str], type[BaseException], bool]] = [
    (["return 100 // x"], ZeroDivisionError, True),
    (["return 1.0 / x"], ZeroDivisionError, True),
    (["return [1, 2, 3][3 - x]"], IndexError, True),
    (['assert x != 0, "x is zero"', "return x"], AssertionError, True),
    (["s = [x, x]", "for i in range(20 if x == 0 else 0):", "    s = s + s", "return len(s)"],
     MemoryError, False),
]


@st.composite
def chain_programs(draw: Any) -> tuple[str, list[int], int, type[BaseException] | None]:
    """A kernel calling through a chain of helpers (direct calls, calls in loops, calls after a
    guard) and optionally a recursion first, whose bottom helper fails (BOTTOMS) on the cores
    where its argument reaches 0: (source, cores, argument, the class CPython raises there too,
    or None)."""
    body, error, cpython = draw(st.sampled_from(BOTTOMS))
    styles = draw(st.lists(st.sampled_from(["direct", "loop", "guard"]), max_size=5))
    depth = draw(st.one_of(st.none(), st.integers(0, P.MAX_CALL_DEPTH + 4)))
    cores = draw(st.sets(st.integers(0, 15), min_size=1, max_size=3).map(sorted))
    lines = ["from epython.parallel import coreid", "", "", "def h0(x):"]
    lines += ["    " + line for line in body]
    for k, style in enumerate(styles, 1):
        lines += ["", "", f"def h{k}(x):"]
        if style == "direct":
            lines += [f"    return h{k - 1}(x) + 1"]
        elif style == "loop":
            lines += ["    s = 0", "    for i in range(3):", f"        s = s + h{k - 1}(x - i)",
                      "    return s"]
        else:
            lines += ["    if x > 50:", "        return 0", f"    y = h{k - 1}(x)", "    return y * 2"]
    call = f"h{len(styles)}(x)"
    if depth is not None:
        lines += ["", "", "def rec(n, x):", "    if n == 0:", f"        return {call}",
                  "    return rec(n - 1, x)"]
        call = f"rec({depth}, x)"
    lines += ["", "", "def kernel(a):", "    x = a + coreid() % 3", f"    return {call}", ""]
    return "\n".join(lines), cores, draw(st.integers(0, 3)), error if cpython else None


def _sans_memory_message(outcomes: dict[int, Any]) -> dict[int, Any]:
    """``outcomes`` with the message of each MemoryError left out: the sizes in it differ between
    the backends for ``s = s + s`` (the simulator fails on a smaller request with more live
    bytes), a disagreement of the memory accounting that is not the call chain's."""
    return {c: o[:5] + ("",) + o[6:] if o[0] == "MemoryError" else o
            for c, o in outcomes.items()}


@needs_device
@prop_settings(weight=0.3)
@given(program=chain_programs())
def test_generated_chains_agree_between_backends_and_with_cpython(
        program: tuple[str, list[int], int, type[BaseException] | None]) -> None:
    source, cores, a, error = program
    note(f"cores {cores}, a = {a}\n{source}")
    mod = C.write_module(source, "ept")
    sim = _outcomes(mod.kernel, (a,), cores, "sim")
    dev = _outcomes(mod.kernel, (a,), cores, "device")
    assert _sans_memory_message(sim) == _sans_memory_message(dev)
    if error is None or 0 not in cores or sim[0][0] != error.__name__:
        return
    with pytest.raises(error) as info:  # CPython: coreid() is 0
        mod.kernel(a)
    ref = [(fs.lineno, fs.name) for fs in traceback.extract_tb(info.value.__traceback__)
           if fs.filename == mod.__file__]
    kept, omitted = P.cut_chain(tuple(ref[:-1]))
    if omitted:  # the chain as the cap cuts it
        marker = omitted_frame(omitted)
        kept = (*kept[:P.ERROR_CHAIN_OUTER], (marker[1], marker[2]), *kept[P.ERROR_CHAIN_OUTER:])
    assert _names(sim[0][4]) == [*kept, ref[-1]]
