"""str methods (issue 17): kernels the oracles run on every engine and backend, and the
failing ones, each raising CPython's class and message at the line marked ``# FAIL``."""
# ruff: noqa: F841, UP032
from __future__ import annotations

import re

from tests.kernels.case import register


def split_join(s, sep):
    parts = s.split(sep)
    words = s.split()
    return "|".join(parts), len(words), s.rsplit(sep, 1), s.split(maxsplit=1)


def strip_replace(s, chars):
    return s.strip(), s.lstrip(chars), s.rstrip(chars), s.replace(chars, "<>"), s.replace("", ".", 3)


def search(s, sub, start):
    return (s.find(sub, start), s.rfind(sub), s.count(sub, start, -1), s.startswith(sub, start),
            s.endswith((sub, "z")), s.find(sub) >= 0 and s.index(sub), s.isspace())


def ascii_case(s):
    return s.upper(), s.lower(), s.isdigit(), s.isalpha(), s.isalnum(), s.isupper(), s.islower()


def formatted(a, b):
    return "{:>5}|{:8.3f}|{x!r}".format(a, b, x="é"), "{1}{0}{1}".format(a, b)


TEXTS = ("  a,b,,c  ", "héllo wörld, héllo", "", "\u3000x\x85y\tz ", "abcabc")
register(split_join, *((t, ",") for t in TEXTS), ("a--b--c", "--"), tags="cpython strings builtins")
register(strip_replace, *((t, c) for t in TEXTS for c in ("a", "é", ", ")), tags="cpython strings builtins")
register(search, *((t, sub, k) for t in TEXTS for sub, k in (("l", 0), ("ab", 2), ("", -3), ("é", 1))),
         tags="cpython strings builtins")
register(ascii_case, ("Hello World 42",), ("abc",), ("ABC",), ("123",), ("",), (" ",),
         tags="cpython strings builtins")
register(formatted, (7, 3.14159), ("ab", -0.5), tags="cpython strings floats")


def split_empty_sep(s):
    return s.split("")  # FAIL


def join_ints(s):
    return s.join([s, 1])  # FAIL


def join_not_iterable(s):
    return s.join(5)  # FAIL


def index_missing_sub(s):
    return s.index("zz")  # FAIL


def rindex_missing_sub(s):
    return s.rindex("zz")  # FAIL


def find_int(s):
    return s.find(3)  # FAIL


def strip_int(s):
    return s.rstrip(3)  # FAIL


def replace_int(s):
    return s.replace("a", 1)  # FAIL


def startswith_int(s):
    return s.startswith(1)  # FAIL


def startswith_tuple_int(s):
    return s.startswith(("x", 2))  # FAIL


def split_maxsplit_str(s):
    return s.split(",", "1")  # FAIL


def find_start_str(s):
    return s.find("a", "1")  # FAIL


def split_of_list(s):
    v = [s]
    return v.split()  # FAIL


def count_of_list_two_args(s):
    v = [s]
    return v.count(s, 1)  # FAIL


def upper_non_ascii(s):
    return (s + "é").upper()  # FAIL


TE = TypeError
for fn, error, message in (
        (split_empty_sep, ValueError, "empty separator"),
        (join_ints, TE, "sequence item 1: expected str instance, int found"),
        (join_not_iterable, TE, "can only join an iterable"),
        (index_missing_sub, ValueError, "substring not found"),
        (rindex_missing_sub, ValueError, "substring not found"),
        (find_int, TE, "must be str, not int"),
        (strip_int, TE, "rstrip arg must be None or str"),
        (replace_int, TE, "replace() argument 2 must be str, not int"),
        (startswith_int, TE, "startswith first arg must be str or a tuple of str, not int"),
        (startswith_tuple_int, TE, "tuple for startswith must only contain str, not int"),
        (split_maxsplit_str, TE, "'str' object cannot be interpreted as an integer"),
        (find_start_str, TE, "slice indices must be integers or None or have an __index__ method"),
        (split_of_list, AttributeError, "'list' object has no attribute 'split'"),
        (count_of_list_two_args, TE, "list.count() takes exactly one argument (2 given)")):
    register(fn, ("abc",), tags="errors cpython strings", error=error, message=re.escape(message))
# the cores know ASCII case only: CPython answers "ABCÉ" (docs/language.md, "str methods")
register(upper_non_ascii, ("abc",), tags="errors strings", error=NotImplementedError,
         message=re.escape("str.upper() of non-ASCII text"))
