"""Kernels outside the language subset: each is refused at decoration time with a CompileError
naming ``file:line:`` (the line marked ``# FAIL``) and the construct (the case's ``message``
regex)."""
# ruff: noqa: F401, F841
from __future__ import annotations

from tests.kernels.case import register


def uses_dict():
    d = {"a": 1}
    return dict.keys(d)  # FAIL


def uses_lambda():
    f = lambda x: x + 1  # FAIL
    return 0


def uses_except_of_a_non_exception():
    try:
        x = 1
    except len:  # FAIL
        x = 2
    return x


def uses_class():
    class P:  # FAIL
        pass

    return 0


def uses_with(a):
    with a:  # FAIL
        pass
    return 0


def uses_import():
    import os  # FAIL

    return 0


def uses_import_from():
    from os import path  # FAIL

    return 0


def uses_genexpr(n):
    return sum(x for x in range(n))  # FAIL


def uses_frozenset():
    s = frozenset((1, 2))  # FAIL
    return 0


def uses_del_name():
    x = [1, 2]
    del x[:1]  # FAIL
    return 0


def uses_nonlocal_assign():
    x = 1

    def inner():
        nonlocal x  # FAIL
        x = 2

    inner()
    return x


def uses_yield():
    yield 1  # FAIL


def uses_percent_format(n):
    return "%d items" % n  # FAIL


def uses_dict_union(d):
    d |= {1: 2}  # FAIL
    return d


def uses_set_starred(n):
    s = {*range(n)}  # FAIL
    return 0


def uses_walrus_in_if(n):
    if (m := n + 1) > 0:  # FAIL
        return m
    return 0


def uses_user_exception_class():
    raise Warning2("x")  # FAIL


class Warning2(Exception):
    """A user-defined exception class: kernels have only the built-in ones."""


def uses_raise_from():
    raise ValueError("x") from None  # FAIL


def uses_slice_assign(v):
    v[0:1] = [5]  # FAIL
    return v


def uses_varargs(*args):  # FAIL
    return 0


def uses_kwargs_call(v):
    return max(**v)  # FAIL


def uses_frozenset_of_genexp(n):
    return frozenset(i for i in range(n))  # FAIL


def uses_nonlocal(n):
    def inner():
        nonlocal n  # FAIL
        n += 1
    inner()
    return n


def uses_del(n):
    xs = [n]
    del xs[0:1]  # FAIL
    return xs


def uses_star_call(xs):
    return max(*xs)  # FAIL


def uses_kwargs_sig(**kw):  # FAIL
    return 0


def uses_walrus(n):
    if (m := n + 1) > 2:  # FAIL
        return m
    return 0


def uses_match(n):
    match n:  # FAIL
        case 1:
            return 1
    return 0


def uses_slice_store(xs):
    xs[0:2] = [1, 2]  # FAIL
    return xs


def uses_open(n):
    return open("f")  # FAIL


# --- the cases --------------------------------------------------------------------------------
for fn, construct in [
    (uses_dict, r"\bdict"), (uses_lambda, r"\blambda\b"), (uses_except_of_a_non_exception, r"\bexception class\b"),
    (uses_class, r"\bclass\b"), (uses_with, r"\bwith\b"), (uses_import, r"\bimport\b"),
    (uses_import_from, r"\bimport\b"), (uses_genexpr, r"\bgenerator"), (uses_frozenset, r"\bfrozenset\b"),
    (uses_del_name, r"\bdel\b"), (uses_nonlocal_assign, r"\bnonlocal\b"), (uses_yield, r"\byield\b"),
    (uses_set_starred, r"starred"),
    (uses_walrus_in_if, r":=|walrus|assignment expression|named expression"),
    (uses_user_exception_class, r"\bbuilt-in exception class\b"), (uses_raise_from, r"\bfrom\b"),
    (uses_slice_assign, r"\bslice"),
    (uses_varargs, r"\*args|\bvarargs|\bparameter"), (uses_kwargs_call, r"\*\*|unpack|keyword"),
]:
    register(fn, tags="refused", message="(?i)" + construct)  # any case: the construct is named
for fn, text in [
    (uses_frozenset_of_genexp, r"frozenset\(\) is not supported"),
    (uses_nonlocal, r"nonlocal is not supported"),
    (uses_percent_format, r"%-formatting of strings is not supported in kernels"),
    (uses_dict_union, r"dict union \(\|\) is not supported in kernels"),
    (uses_del, r"del is supported in kernels for names and single items only"),
    (uses_star_call, r"starred expressions \(\*x\) are not supported"),
    (uses_kwargs_sig, r"\*\*kw in the signature of uses_kwargs_sig\(\)"),
    (uses_walrus, r"assignment expressions \(:=\) are not supported"),
    (uses_match, r"match statements are not supported"),
    (uses_slice_store, r"assignment to a slice is not supported"),
    (uses_open, r"open\(\) is not supported in kernels"),
]:
    register(fn, tags="refused", message=text)  # the message to the letter
