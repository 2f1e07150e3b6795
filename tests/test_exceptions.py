"""try/except/else/finally and raise (issue 17): the programs of tests/programs/exceptions/
compared with CPython on the simulator, the exception table of the image, the refusals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from epython import CompileError, KernelError, offload
from epython.bytecode.exceptions import uses_exception_objects
from epython.bytecode.image import FLAG_HANDLERS, Handler, ImageError, Program, decode, encode
from epython.bytecode.opcodes import ErrorCode
from epython.bytecode.verify import verify_bytes
from epython.compiler import compile_kernel
from epython.testing.corpus import run_program
from tests.test_device_core import MESSAGE_BYTES, build_epy_run, run_c

PROGRAMS = sorted((Path(__file__).parent / "programs" / "exceptions").glob("*.py"))


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_each_exception_program_matches_cpython_on_every_backend(path: Path, backend: str) -> None:
    result = run_program(path, backend=backend)
    assert result.status == "match", result


def catches(a, b):
    try:
        return a // b
    except ZeroDivisionError as e:
        return str(e)
    finally:
        print("done")


def reraises(a):
    try:
        return [1][a]
    except IndexError:
        raise


def no_try(a):
    if a:
        raise ValueError("v " + str(a))
    return a


def test_a_caught_vm_error_gives_cpythons_value() -> None:
    k = offload(catches, backend="sim")
    assert set(k(7, 2)) == {3}
    assert set(k(1, 0)) == {"integer division or modulo by zero"}


def test_an_uncaught_reraise_crosses_to_the_host_as_before() -> None:
    k = offload(reraises, backend="sim")
    with pytest.raises(KernelError) as info:
        k(3)
    assert "IndexError" in str(info.value)
    assert "list index out of range" in str(info.value)


def test_the_image_carries_an_exception_table_only_when_the_kernel_has_try() -> None:
    plain = compile_kernel(no_try)
    assert not decode(plain.image).flags & FLAG_HANDLERS
    assert not uses_exception_objects(plain.program)
    with_try = compile_kernel(catches)
    program = verify_bytes(with_try.image)
    assert program.flags & FLAG_HANDLERS
    assert program.functions[0].handlers
    assert encode(program) == with_try.image
    assert uses_exception_objects(with_try.program)


def user_class():
    try:
        return 1
    except MyError:
        return 2


class MyError(Exception):
    pass


def test_a_user_exception_class_is_refused_with_a_hint() -> None:
    with pytest.raises(CompileError) as info:
        offload(user_class)
    assert "MyError is not a built-in exception class" in str(info.value)
    assert "ValueError" in str(info.value)


def reprs(a):
    return repr(a) + repr([a, "x\n", 1.5]) + repr("q'") + repr((a,))


@pytest.mark.usefixtures("backend")
def test_repr_matches_cpython_on_every_backend() -> None:
    assert offload(target=0)(reprs)(3) == reprs(3)


@pytest.mark.usefixtures("backend")
def test_a_caught_error_and_an_uncaught_reraise_on_every_backend() -> None:
    assert offload(target=0)(catches)(1, 0) == "integer division or modulo by zero"
    with pytest.raises(IndexError, match="list index out of range"):
        offload(target=0)(reraises)(3)


# ---- the exception table through both verifiers ----------------------------------------------
@pytest.fixture(scope="module")
def core_exe() -> Path:
    """epy-run, the host build of the C interpreter (as tests/test_device_core.py builds it)."""
    return build_epy_run()


def _variants() -> list[tuple[str, Any]]:
    def entry(**change: int) -> Any:
        def edit(program: Program) -> None:
            h = program.functions[0].handlers[0]
            program.functions[0].handlers[0] = replace(h, **change)
        return edit

    def append_foreign(program: Program) -> None:
        program.functions.append(replace(program.functions[0], handlers=[]))
        program.functions[0].handlers.clear()
        program.functions[1].handlers.append(Handler(0, 1, 0, 0))

    return [("valid", lambda p: None), ("empty range", entry(end=0)),
            ("inside an instruction", entry(start=1)), ("target", entry(target=1)),
            ("deep", entry(depth=200)), ("shallow", entry(depth=1)),
            ("end past the code", entry(end=0xFFFF)), ("foreign", append_foreign)]


@pytest.mark.parametrize("name, edit", _variants(), ids=[v[0] for v in _variants()])
def test_both_verifiers_agree_on_the_exception_table(core_exe: Path, name: str, edit: Any) -> None:
    program = decode(compile_kernel(catches).image)
    edit(program)
    image = encode(program)
    try:
        verify_bytes(image)
        expected = None
    except ImageError as exc:
        expected = f"the core's verifier rejected the program image: {exc}"
    (out,) = run_c(core_exe, image, [7, 2], 1)
    if expected is None:
        assert out[0][0] != "error" or out[0][1] != ErrorCode.BadImage, out
    else:
        assert out[0][:2] == ("error", ErrorCode.BadImage), out
        assert out[0][4] == expected[:MESSAGE_BYTES]


def test_a_truncated_exception_table_is_rejected_alike(core_exe: Path) -> None:
    image = compile_kernel(catches).image[:-3]
    with pytest.raises(ImageError) as info:
        verify_bytes(image)
    (out,) = run_c(core_exe, image, [7, 2], 1)
    assert out[0][:2] == ("error", ErrorCode.BadImage), out
    assert out[0][4] == f"the core's verifier rejected the program image: {info.value}"[
        :MESSAGE_BYTES]


def grows(n):
    chunks = []
    try:
        while True:
            chunks.append([n] * 50)
    except MemoryError as e:
        caught = len(chunks), str(e)
    chunks = []
    after = [n] * 50
    return caught, len(after)


def _outcome(backend: str, n: int) -> object:
    try:
        return offload(target=0, backend=backend)(grows)(n)
    except MemoryError as e:  # the exception object itself did not fit (docs/language.md)
        return ("MemoryError", str(e).split(" (core")[0])


def test_a_caught_memory_error_ends_alike_on_both_backends() -> None:
    """A MemoryError caught in the middle of list.append: the memory model counts what the C
    interpreter keeps live (it counted the new object twice, and the gap was 8 bytes)."""
    n = 3
    assert _outcome("sim", n) == _outcome("device", n)
