"""Unsupported constructs raise CompileError at decoration time, naming file:line:col."""

from __future__ import annotations

import inspect

import pytest

from epython import CompileError, KernelError, UndefinedNameWarning, offload


def uses_del_name():
    d = [1, 2]
    del d[1:]  # MARK
    return 0


def uses_lambda():
    f = lambda x: x  # MARK  # noqa: E731
    return f(1)


def uses_raise_from():
    try:
        return 1
    except ValueError:
        raise TypeError("x") from None  # MARK


def uses_except_of_a_non_exception():
    try:
        return 1
    except len:  # MARK
        return 2


def uses_class():
    class Point:  # MARK
        pass
    return 0


def uses_import():
    import os  # MARK
    return os.sep


def uses_with(lock):
    with lock:  # MARK
        return 1


def uses_generator():
    return sum(x for x in range(3))  # MARK


def uses_unknown_name(flag):
    if flag:
        return undefined_thing + 1  # noqa: F821
    return 0


def reads_enclosing_variable(n):
    def inner():
        return n + 1  # MARK
    return inner()


def uses_frozenset():
    return frozenset((1, 2))  # MARK


def uses_yield():
    yield 1  # MARK


def uses_big_constant():
    return 2**40 + 3000000000000  # MARK


def uses_unknown_method(xs):
    return xs.casefold()  # MARK


def uses_is_on_numbers(a):
    b = 3
    return a is b  # MARK


CASES = [
    (uses_is_on_numbers, "'is' compares identity", "use =="),
    (uses_del_name, "del is supported in kernels for names and single items only", "slices"),
    (uses_lambda, "lambda is not supported", "def"),
    (uses_raise_from, "'raise ... from ...' is not supported", "raise the new exception alone"),
    (uses_except_of_a_non_exception, "len is not an exception class", "built-in exception"),
    (uses_class, "class definitions are not supported", None),
    (uses_import, "import inside a kernel", "module level"),
    (uses_with, "with statements are not supported", None),
    (uses_generator, "generator expressions are not supported", "list comprehension"),
    (reads_enclosing_variable, "name 'n' is not defined", "closures"),
    (uses_frozenset, "frozenset() is not supported", None),
    (uses_yield, "generators (yield) are not supported", None),
    (uses_big_constant, "does not fit in 32 bits", None),
    (uses_unknown_method, "method .casefold() is not supported", None),
]


def mark_line(fn) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, text in enumerate(lines) if "# MARK" in text)


@pytest.mark.parametrize("fn, construct, hint", CASES, ids=[c[0].__name__ for c in CASES])
def test_unsupported_construct_raises_compile_error_with_location(fn, construct, hint) -> None:
    with pytest.raises(CompileError) as info:
        offload(fn)
    err = info.value
    text = str(err)
    assert construct in text
    assert f"{__file__}:{mark_line(fn)}:" in text
    assert err.lineno == mark_line(fn)
    if hint:
        assert hint in text


def test_compile_error_is_a_syntax_error_subclass_with_column() -> None:
    with pytest.raises(SyntaxError) as info:
        offload(uses_lambda)
    assert info.value.offset is not None and info.value.offset >= 1


def test_function_without_source_gives_a_clear_error() -> None:
    namespace: dict[str, object] = {}
    exec("def k(a):\n    return a\n", namespace)
    with pytest.raises(CompileError, match="cannot read the source"):
        offload(namespace["k"])


def test_unknown_decorator_option_is_refused() -> None:
    with pytest.raises(TypeError, match="unknown option 'asynch'.*known options"):
        offload(asynch=True)


def test_an_undefined_name_warns_at_decoration_and_raises_name_error_when_it_runs(
        backend: str) -> None:
    with pytest.warns(UndefinedNameWarning, match="name 'undefined_thing' is not defined") as rec:
        kernel = offload(target=0, backend=backend)(uses_unknown_name)
    assert rec[0].filename == __file__
    assert rec[0].lineno == inspect.getsourcelines(uses_unknown_name)[1] + 2
    assert kernel(False) == 0
    with pytest.raises(NameError) as info:
        kernel(True)
    assert isinstance(info.value, KernelError)
    assert "name 'undefined_thing' is not defined" in str(info.value)
