"""str methods, '...'.format, sorted/min/max with key= (issue 17): refusals at decoration time,
and random text run through split/join/strip/replace/find on every engine and the C
interpreter, against CPython."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epython import CompileError, offload
from epython.testing.compare import diff, output_lines, run_backend, run_cpython, write_module
from epython.testing.corpus import run_program


def _refused(source: str) -> CompileError:
    module = write_module(source, "strk")
    with pytest.raises(CompileError) as info:
        offload(module.k)
    return info.value


@pytest.mark.parametrize("body, words", [
    ("return s.title()", "str method .title() is not supported"),
    ("return s.format(1)", ".format() is supported on a literal format string only"),
    ("return '{0.real}'.format(1)", "attributes and indexes in fields"),
    ("return '{:{w}}'.format(1, w=3)", "nested replacement fields"),
    ("return '{} {}'.format(1)", "Replacement index 1 out of range"),
    ("return '{x}'.format(y=1)", "no keyword argument 'x'"),
    ("return '{0} {}'.format(1, 2)", "cannot switch from manual field specification"),
    ("return '{'.format(1)", "bad format string"),
    ("return '{!a}'.format(1)", "only !s and !r conversions"),
    ("return s.strip(chars='x')", ".strip() takes no keyword arguments"),
    ("return s.split(',', sep=',')", "given by name ('sep') and position (1)"),
    ("return s.split(limit=1)", "unexpected keyword argument 'limit'"),
    ("return sorted(s, key=s[0])", "key= must name a function or be a lambda"),
    ("return sorted(s, key=lambda a, b: a)", "a key lambda takes exactly one parameter"),
    ("return sorted(s, cmp=1)", "sorted() got an unexpected keyword argument 'cmp'"),
    ("return sorted(s, s)", "sorted expected 1 argument, got 2"),
    ("return s.sort(True)", "sort() takes no positional arguments"),
    ("return min(1, 2, default=0)", "Cannot specify a default for min() with multiple positional"),
    ("return max(key=len)", "max expected at least 1 argument, got 0"),
    ("return reversed(s, s)", "reversed expected 1 argument, got 2"),
])
def test_refusals_name_the_construct(body: str, words: str) -> None:
    error = _refused(f"def k(s):\n    {body}\n")
    assert words in str(error)
    assert ".py:2:" in str(error)


def test_the_refusal_hint_lists_the_str_methods() -> None:
    error = _refused("def k(s):\n    return s.casefold()\n")
    assert ".split()" in str(error) and ".format() of a literal" in str(error)


def test_format_evaluates_every_argument_once_in_order() -> None:
    def k(v):
        out = "{1}{0}{1}|{z}".format(v.pop(), v.pop(), z=v.pop())
        return out, v
    want = run_cpython(k, ([1, 2, 3, 4],))
    for engine in ("sim", "device"):
        assert not diff(want, run_backend(k, ([1, 2, 3, 4],), [0], backend=engine))


TEXT = st.text(alphabet=st.sampled_from("ab ,\t\u3000\x85é中-"), max_size=12)


def _methods(s, sep, chars, k):
    return (s.split(sep), s.split(), s.rsplit(sep, k), s.split(None, k), sep.join(s.split(sep)),
            s.strip(), s.strip(chars), s.lstrip(chars), s.rstrip(), s.replace(sep, chars, k),
            s.find(sep, k), s.rfind(sep, -k), s.count(sep, k), s.startswith(sep, k),
            s.endswith((chars, sep)), s.isspace())


@settings(max_examples=25, deadline=None)
@given(s=TEXT, sep=TEXT.filter(bool), chars=TEXT, k=st.integers(-3, 5))
def test_random_text_agrees_with_cpython(s: str, sep: str, chars: str, k: int) -> None:
    want = run_cpython(_methods, (s, sep, chars, k))
    for engine in ("sim", "device"):
        got = run_backend(_methods, (s, sep, chars, k), [0], backend=engine)
        assert not diff(want, got), (engine, diff(want, got))


@settings(max_examples=20, deadline=None)
@given(v=st.lists(st.one_of(st.integers(-4, 4), st.sampled_from([0.5, -1.5, float("nan")])),
                  max_size=63), rev=st.booleans())
def test_sorting_agrees_with_cpython_comparison_for_comparison(v: list[float], rev: bool) -> None:
    # below 64 items the kernels' sort is CPython's: the same order even with nans in the list
    def k(v, rev):
        w = list(v)
        w.sort(key=lambda x: -x, reverse=rev)
        return sorted(v, reverse=rev), w, max(v, key=lambda x: x % 2, default=None)
    want = run_cpython(k, (v, rev))
    for engine in ("sim", "device"):
        got = run_backend(k, (v, rev), [0], backend=engine)
        assert not diff(want, got), (engine, diff(want, got))


def test_the_corpus_runner_keeps_multiline_strings_and_splits_output_at_newlines_only(
        tmp_path: Path) -> None:
    # a triple-quoted str moved into the kernel keeps its text; "\r" and "\v" printed by a
    # kernel do not end a line of output (MicroPython's string_cr_conversion, string_upperlow)
    prog = tmp_path / "multiline.py"
    prog.write_text('x = """a\n  b\n\nc"""\nprint(repr(x))\nprint(" r\\rv\\vf\\f".upper())\n')
    assert run_program(prog).status == "match"
    assert output_lines("a\rb\nc\n") == ["a\rb", "c"] and output_lines("") == []
