"""Kernels outside the language subset: each must be refused at decoration time."""
# ruff: noqa
from __future__ import annotations


def uses_dict_comp(n):
    return {i: i for i in range(n)}  # FAIL


def uses_set_comp(n):
    return {i for i in range(n)}  # FAIL


def uses_nonlocal(n):
    def inner():
        nonlocal n  # FAIL
        n += 1
    inner()
    return n


def uses_del(n):
    xs = [n]
    del xs[0]  # FAIL
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


def uses_bare_raise(n):
    raise  # FAIL


def uses_custom_exception(n):
    raise KeyError("k")  # FAIL


def uses_open(n):
    return open("f")  # FAIL
