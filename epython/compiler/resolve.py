"""What a free name of a kernel refers to: a builtin, a user function, a constant, a module."""

from __future__ import annotations

import builtins
import math
import random
import types
from collections.abc import Callable
from typing import Any

from epython import parallel
from epython.bytecode.exceptions import EXCEPTION_CLASSES

__all__ = ["BUILTIN_NAMES", "EXCEPTION_NAMES", "builtin_name", "is_constant", "lookup_name",
           "module_kind"]

#: Host objects that compile to builtins of the bytecode, by identity.
BUILTIN_NAMES: dict[Any, str] = {
    builtins.print: "print",
    builtins.len: "len",
    builtins.abs: "abs",
    builtins.min: "min",
    builtins.max: "max",
    builtins.sum: "sum",
    builtins.int: "int",
    builtins.float: "float",
    builtins.bool: "bool",
    builtins.str: "str",
    builtins.round: "round",
    builtins.range: "range",
    builtins.enumerate: "enumerate",
    builtins.zip: "zip",
    builtins.dict: "dict",
}
for _name in ("sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp", "log", "log10",
              "floor", "ceil", "fabs", "pow"):
    BUILTIN_NAMES[getattr(math, _name)] = f"math.{_name}"
for _name in parallel.__all__:
    BUILTIN_NAMES[getattr(parallel, _name)] = f"parallel.{_name}"
#: random's functions: the kernels' own generator (esim/cores/rng.py), not CPython's Mersenne Twister
RANDOM_FUNCTIONS = ("random", "randint", "randrange", "uniform", "choice", "shuffle", "seed")
for _name in RANDOM_FUNCTIONS:
    BUILTIN_NAMES[getattr(random, _name)] = f"random.{_name}"

#: Exceptions a kernel may raise and catch by name.
EXCEPTION_NAMES = EXCEPTION_CLASSES


def builtin_name(value: object) -> str | None:
    """The bytecode builtin a host object compiles to ("len", "math.sqrt"), else None.

    Unhashable values (a module-level list, dict, set or array) are simply not builtins.
    """
    try:
        return BUILTIN_NAMES.get(value)
    except TypeError:
        return None


def is_constant(value: object) -> bool:
    """True for module-level values captured by value: int, float, bool, str, None, tuples."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, tuple):
        return all(is_constant(v) for v in value)
    return False


def module_kind(value: object) -> str | None:
    """"math", "random" or "parallel" when ``value`` is one of the modules kernels may use."""
    if value is math:
        return "math"
    if value is random:
        return "random"
    if value is parallel:
        return "parallel"
    return None


_MISSING = object()


def lookup_name(func: Callable[..., Any] | None, env: dict[str, Any], name: str) -> Any:
    """Value of a free name as the function would see it: closure, globals, then builtins."""
    if func is not None and isinstance(func, types.FunctionType) and func.__closure__:
        for var, cell in zip(func.__code__.co_freevars, func.__closure__):
            if var == name:
                try:
                    return cell.cell_contents
                except ValueError:
                    return _MISSING
    if name in env:
        return env[name]
    return getattr(builtins, name, _MISSING)


def missing(value: object) -> bool:
    """True when :func:`lookup_name` found nothing."""
    return value is _MISSING
