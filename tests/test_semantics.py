"""Differential semantics corpus: kernels on one simulated core versus CPython.

Positive cases run ``offload(target=0)(fn)(*args)`` and compare with ``fn(*args)`` under
CPython, type for type (``True`` is not ``1``), with CPython's floats rounded to binary32.
Float kernels are chosen so that a single rounding makes that comparison exact.

Negative cases check that runtime errors cross back as ``KernelError`` + the built-in class,
with the failing line and core, and that unsupported constructs raise ``CompileError`` at
decoration time, naming ``file:line:`` and the construct.

The kernels live in ``tests/kernels_corpus.py``.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import struct
import sys
from typing import Any

import pytest

from epython import CompileError, KernelError, offload

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels_corpus as kc  # noqa: E402

# ---------------------------------------------------------------------------------------------
# comparison helpers


def f32(x: float) -> float:
    """The binary32 rounding of a Python float, as a Python float."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def to_f32(value: Any) -> Any:
    """Round every float inside ``value`` (recursively through tuples and lists) to binary32."""
    if type(value) is float:
        return f32(value)
    if isinstance(value, tuple):
        return tuple(to_f32(v) for v in value)
    if isinstance(value, list):
        return [to_f32(v) for v in value]
    return value


def same(actual: Any, expected: Any) -> bool:
    """Equality that also requires identical types (bool vs int vs float, list vs tuple)."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, (tuple, list)):
        return len(actual) == len(expected) and all(
            same(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, float):
        if math.isnan(expected):
            return math.isnan(actual)
        return actual == expected and math.copysign(1, actual) == math.copysign(1, expected)
    return actual == expected


# ---------------------------------------------------------------------------------------------
# positive corpus: (kernel, args)

POSITIVE: list[tuple[Any, tuple[Any, ...]]] = [
    # int arithmetic
    (kc.k_floordiv_mod_signs, (7, 2)),
    (kc.k_floordiv_mod_signs, (7, 3)),
    (kc.k_floordiv_mod_signs, (6, 3)),
    (kc.k_floordiv_mod_signs, (1, 7)),
    (kc.k_divmod_identity, (-7, 2)),
    (kc.k_divmod_identity, (13, -5)),
    (kc.k_true_div_ints, (7, 2)),
    (kc.k_true_div_ints, (1, 3)),
    (kc.k_true_div_ints, (-7, 2)),
    (kc.k_true_div_ints, (6, 3)),
    (kc.k_bitwise, (12, 10)),
    (kc.k_bitwise, (-12, 10)),
    (kc.k_shifts, (5, 3)),
    (kc.k_shifts, (1, 30)),
    (kc.k_pow_int, (3, 4)),
    (kc.k_pow_negative_exponent, (2, -1)),
    (kc.k_pow_negative_exponent, (2, -3)),
    (kc.k_pow_negative_exponent, (-4, -2)),
    (kc.k_true_plus_true, ()),
    (kc.k_chained_comparison, (1, 2, 3)),
    (kc.k_chained_comparison, (3, 2, 1)),
    (kc.k_and_or_operands, (3, 5)),
    (kc.k_and_or_operands, (0, 5)),
    (kc.k_and_or_operands, (3, 0)),
    (kc.k_not, (0,)),
    (kc.k_not, (4,)),
    (kc.k_conditional_expression, (-3,)),
    (kc.k_conditional_expression, (0,)),
    (kc.k_conditional_expression, (9,)),
    (kc.k_unary, (5,)),
    (kc.k_augmented, (11,)),
    (kc.k_int_mixed_float_mul, (3, 0.25)),
    (kc.k_float_add, (1.5, 0.25)),
    (kc.k_float_add, (0.1, 0.2)),
    (kc.k_float_div, (1.0, 3.0)),
    (kc.k_float_floordiv_mod, (-7.5, 2.0)),
    (kc.k_float_floordiv_mod, (7.5, -2.0)),
    (kc.k_int_compare_float, (16777217, 16777216.0)),
    (kc.k_int_compare_float, (3, 3.0)),
    (kc.k_global_constant, (14,)),
    # control flow
    (kc.k_if_elif_else, (-5,)),
    (kc.k_if_elif_else, (0,)),
    (kc.k_if_elif_else, (5,)),
    (kc.k_if_elif_else, (50,)),
    (kc.k_while_else_no_break, (5,)),
    (kc.k_while_else_break, (7,)),
    (kc.k_while_else_break, (200,)),
    (kc.k_for_else, ([1, 2, 3], 2)),
    (kc.k_for_else, ([1, 2, 3], 9)),
    (kc.k_continue, (10,)),
    (kc.k_nested_loops, (6,)),
    (kc.k_nested_break, (5,)),
    (kc.k_loop_variable_survives, (3,)),
    (kc.k_range_forms, (3, 9)),
    # functions
    (kc.k_helper_defaults_keywords, (1,)),
    (kc.k_recursion, (10,)),
    (kc.k_recursion, (0,)),
    (kc.k_mutual_recursion, (7,)),
    (kc.k_nested_def, (4,)),
    (kc.k_early_return, (30,)),
    (kc.k_early_return, (0,)),
    (kc.k_return_none, ()),
    (kc.k_multiple_return_values, (-17, 5)),
    # tuples
    (kc.k_tuple_packing_unpacking, (3, 4)),
    (kc.k_tuple_compare_and_concat, (1,)),
    (kc.k_nested_unpack, (10,)),
    # lists
    (kc.k_list_literal_index, (9,)),
    (kc.k_list_repeat, (3,)),
    (kc.k_list_repeat, (0,)),
    (kc.k_list_slicing, (10,)),
    (kc.k_list_append_pop, (5,)),
    (kc.k_list_iteration_sum, ([4, -2, 9],)),
    (kc.k_list_comprehension_if, (12,)),
    (kc.k_comprehension_var_does_not_leak, (3,)),
    (kc.k_list_in, ([1, 2, 3], 2)),
    (kc.k_list_in, ([1, 2, 3], 7)),
    (kc.k_list_aliasing_rows, ()),
    (kc.k_list_aliasing_names, ()),
    (kc.k_list_setitem_augmented, (4,)),
    (kc.k_list_concat_compare, (3,)),
    (kc.k_list_of_lists, (3,)),
    # strings
    (kc.k_string_ops, ("foo", "bar")),
    (kc.k_string_ops, ("", "x")),
    (kc.k_str_builtin, (42,)),
    (kc.k_fstrings, (7, 2.71875)),
    (kc.k_fstrings, (-123, 0.5)),
    (kc.k_string_repeat_and_loop, ("ab",)),
    (kc.k_string_compare, ("abc", "abd")),
    (kc.k_repr_in_containers, ()),
    # builtins
    (kc.k_abs_min_max, (-3, 8)),
    (kc.k_sum_len, ([1, 2, 3, 4],)),
    (kc.k_int_float_bool_conversions, (2.7,)),
    (kc.k_float_conversion, (7,)),
    (kc.k_round, (1.5,)),
    (kc.k_round, (2.25,)),
    (kc.k_enumerate_zip, ([1, 2, 3], [3, 2, 1])),
    (kc.k_zip_uneven, ()),
    (kc.k_max_of_strings, ("pear", "apple")),
    # math
    (kc.k_math_sqrt, (2.0,)),
    (kc.k_math_sqrt, (0.25,)),
    (kc.k_math_floor_ceil, (2.5,)),
    (kc.k_math_sin, (0.5,)),
    (kc.k_math_exp, (1.0,)),
    (kc.k_math_log, (2.0,)),
    (kc.k_math_fabs, (-1.75,)),
    (kc.k_math_atan2, (1.0, 2.0)),
]


def _case_id(case: tuple[Any, tuple[Any, ...]]) -> str:
    fn, args = case
    return f"{fn.__name__}{args!r}"


@pytest.mark.parametrize("fn, args", POSITIVE, ids=[_case_id(c) for c in POSITIVE])
def test_kernel_matches_cpython(fn: Any, args: tuple[Any, ...],
                                capsys: pytest.CaptureFixture[str]) -> None:
    expected = to_f32(fn(*args))
    k = offload(target=0)(fn)
    actual = k(*args)
    assert same(actual, expected), f"{fn.__name__}{args}: chip {actual!r} != CPython {expected!r}"


# ---------------------------------------------------------------------------------------------
# print


def _cpython_run(fn: Any, args: tuple[Any, ...],
                 capsys: pytest.CaptureFixture[str]) -> tuple[Any, str]:
    """CPython's result and its output as the host prints a core's lines (``[core 0] ...``)."""
    capsys.readouterr()
    result = fn(*args)
    out = capsys.readouterr().out
    return to_f32(result), "".join(f"[core 0] {line}\n" for line in out.splitlines())


def test_print_basic_values(capsys: pytest.CaptureFixture[str]) -> None:
    k = offload(target=0)(kc.k_print_values)
    capsys.readouterr()
    assert k() == 0
    assert capsys.readouterr().out == "[core 0] 1 a 2.5 True None\n"


PRINTING = [
    (kc.k_print_values, ()),
    (kc.k_print_sep_end, (7,)),
    (kc.k_print_chain_middle_once, (2,)),
    (kc.k_print_chain_middle_once, (5,)),
    (kc.k_print_floats_lines_unterminated, ()),
]


@pytest.mark.parametrize("fn, args", PRINTING, ids=[_case_id(c) for c in PRINTING])
def test_print_matches_cpython_with_prefix(fn: Any, args: tuple[Any, ...],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    expected_result, expected_out = _cpython_run(fn, args, capsys)
    k = offload(target=0)(fn)
    capsys.readouterr()
    assert same(k(*args), expected_result)
    assert capsys.readouterr().out == expected_out


# ---------------------------------------------------------------------------------------------
# negative corpus: runtime errors


def marker_line(fn: Any, marker: str) -> int:
    lines, start = inspect.getsourcelines(fn)
    hits = [start + i for i, text in enumerate(lines) if f"# {marker}" in text]
    assert len(hits) == 1, f"{fn.__name__}: expected one '# {marker}' line, found {len(hits)}"
    return hits[0]


#: (kernel, args, built-in class, message regex or None, CPython raises the same class,
#:  function holding the "# FAIL" line (defaults to the kernel))
RUNTIME_ERRORS: list[tuple[Any, tuple[Any, ...], type[BaseException], str | None, bool, Any]] = [
    (kc.e_floordiv_zero, (7, 0), ZeroDivisionError, "integer division or modulo by zero", True,
     None),
    (kc.e_mod_zero, (7, 0), ZeroDivisionError, "modulo by zero", True, None),
    (kc.e_truediv_zero, (7, 0), ZeroDivisionError, "division by zero", True, None),
    (kc.e_float_div_zero, (1.5,), ZeroDivisionError, "float division by zero", True, None),
    (kc.e_float_mod_zero, (1.5,), ZeroDivisionError, "float modulo", True, None),
    (kc.e_zero_pow_negative, (), ZeroDivisionError, None, True, None),
    (kc.e_error_in_loop, (5,), ZeroDivisionError, None, True, None),
    (kc.e_helper_error, (4,), ZeroDivisionError, None, True, kc.h_failing_helper),
    (kc.e_index_error, (3,), IndexError, None, True, None),
    (kc.e_index_error, (-4,), IndexError, None, True, None),
    (kc.e_index_error_negative, (), IndexError, None, True, None),
    (kc.e_pop_empty, (), IndexError, None, True, None),
    (kc.e_string_index, ("abc",), IndexError, None, True, None),
    (kc.e_list_index_assign, (5,), IndexError, None, True, None),
    (kc.e_overflow_add, (2147483647,), OverflowError, None, False, None),
    (kc.e_overflow_abs, (), OverflowError, None, False, None),
    (kc.e_overflow_mul, (65536,), OverflowError, None, False, None),
    (kc.e_overflow_neg, (), OverflowError, None, False, None),
    (kc.e_overflow_floordiv, (), OverflowError, None, False, None),
    (kc.e_overflow_shift, (), OverflowError, None, False, None),
    (kc.e_overflow_pow, (), OverflowError, None, False, None),
    (kc.e_negative_shift, (-1,), ValueError, "negative shift count", True, None),
    (kc.e_type_int_plus_str, (1,), TypeError, None, True, None),
    (kc.e_type_str_plus_int, ("a",), TypeError, None, True, None),
    (kc.e_type_index_str, ([1, 2],), TypeError, None, True, None),
    (kc.e_type_len_int, (5,), TypeError, None, True, None),
    (kc.e_assert_message, (-1,), AssertionError, "a must be positive", True, None),
    (kc.e_assert_plain, (2,), AssertionError, None, True, None),
    (kc.e_raise_value_error, (1,), ValueError, "msg", True, None),
    (kc.e_raise_runtime_error, (), RuntimeError, "boom", True, None),
    (kc.e_raise_bare_class, (), NotImplementedError, None, True, None),
    (kc.e_unbound_local, (0,), UnboundLocalError, None, True, None),
    (kc.e_unbound_local_read_before_assign, (1,), UnboundLocalError, None, True, None),
    (kc.e_int_of_bad_string, ("abc",), ValueError, None, True, None),
    (kc.e_math_domain, (-1.0,), ValueError, "math domain error", True, None),
    (kc.e_math_log_zero, (0.0,), ValueError, None, True, None),
    (kc.e_float_neg_frac_pow, (-8.0,), ValueError, None, False, None),
    (kc.e_unpack_count, (), ValueError, None, True, None),
    (kc.e_nested_def_error, (0,), ZeroDivisionError, None, True, None),
    (kc.e_comprehension_error, (3,), ZeroDivisionError, None, True, None),
    (kc.e_while_condition_error, (1,), ZeroDivisionError, None, True, None),
    (kc.e_third_pop, (3,), IndexError, "pop from empty list", True, None),
    (kc.e_conditional_branch_error, (0,), ZeroDivisionError, None, True, None),
    (kc.e_compare_int_str, (1,), TypeError, "not supported between", True, None),
]


@pytest.mark.parametrize(
    "fn, args, exc_class, message, cpython_raises, line_fn", RUNTIME_ERRORS,
    ids=[f"{c[0].__name__}{c[1]!r}" for c in RUNTIME_ERRORS])
def test_runtime_error_crosses_back(fn: Any, args: tuple[Any, ...],
                                    exc_class: type[BaseException], message: str | None,
                                    cpython_raises: bool, line_fn: Any) -> None:
    if cpython_raises:
        with pytest.raises(exc_class):
            fn(*args)
    expected_line = marker_line(line_fn or fn, "FAIL")
    k = offload(target=0)(fn)
    with pytest.raises(KernelError) as info:
        k(*args)
    err = info.value
    assert isinstance(err, exc_class), f"{type(err).__mro__} is not a {exc_class.__name__}"
    assert err.lineno == expected_line, f"line {err.lineno}, expected {expected_line}: {err}"
    assert err.core == 0
    if message is not None:
        assert re.search(message, str(err)), str(err)


def test_kernel_error_still_catchable_as_builtin() -> None:
    k = offload(target=0)(kc.e_floordiv_zero)
    with pytest.raises(ZeroDivisionError):
        k(1, 0)
    # and the kernel keeps working afterwards
    assert k(1, 1) == 1


# ---------------------------------------------------------------------------------------------
# negative corpus: compile errors

#: (kernel, regex naming the construct, case-insensitive)
COMPILE_ERRORS: list[tuple[Any, str]] = [
    (kc.c_dict, r"\bdict"),
    (kc.c_lambda, r"\blambda\b"),
    (kc.c_try, r"\btry\b"),
    (kc.c_class, r"\bclass\b"),
    (kc.c_with, r"\bwith\b"),
    (kc.c_import, r"\bimport\b"),
    (kc.c_import_from, r"\bimport\b"),
    (kc.c_genexpr, r"\bgenerator"),
    (kc.c_set, r"\bset\b"),
    (kc.c_del, r"\bdel\b"),
    (kc.c_nonlocal, r"\bnonlocal\b"),
    (kc.c_yield, r"\byield\b"),
    (kc.c_starred_call, r"\*|star|unpack"),
    (kc.c_dict_comprehension, r"\bdict"),
    (kc.c_set_comprehension, r"\bset\b"),
    (kc.c_walrus, r":=|walrus|assignment expression|named expression"),
    (kc.c_match, r"\bmatch\b"),
    (kc.c_bare_raise, r"\braise\b"),
    (kc.c_raise_from, r"\bfrom\b"),
    (kc.c_double_for_comprehension, r"\bcomprehension|\bfor\b"),
    (kc.c_slice_assign, r"\bslice"),
    (kc.c_varargs, r"\*args|\bvarargs|\bparameter"),
    (kc.c_kwargs_call, r"\*\*|unpack|keyword"),
]


@pytest.mark.parametrize("fn, construct", COMPILE_ERRORS,
                         ids=[c[0].__name__ for c in COMPILE_ERRORS])
@pytest.mark.parametrize("decorate", ["plain", "target0"])
def test_unsupported_construct_is_a_compile_error(fn: Any, construct: str, decorate: str) -> None:
    line = marker_line(fn, "CONSTRUCT")
    filename = inspect.getsourcefile(fn)
    with pytest.raises(CompileError) as info:
        if decorate == "plain":
            offload(fn)
        else:
            offload(target=0)(fn)
    text = str(info.value)
    assert f"{filename}:{line}:" in text, text
    assert re.search(construct, text, re.IGNORECASE), text
    assert info.value.lineno == line


def test_corpus_sizes() -> None:
    assert len(POSITIVE) >= 60
    assert len(RUNTIME_ERRORS) + len(COMPILE_ERRORS) >= 30


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((1,), {"c": 5}), ((), {"a": 2, "b": 0}),
                                          ((1, 2, 3), {})])
def test_kernel_defaults_and_keywords_from_the_host(args: tuple[Any, ...],
                                                    kwargs: dict[str, Any]) -> None:
    k = offload(target=0)(kc.add3)
    assert same(k(*args, **kwargs), kc.add3(*args, **kwargs))


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")
