"""str methods, sorted/list.sort/min/max with key=, reverse=, default=, reversed() and
int(s, base) (issue 17): kernels the oracles run on every engine and backend, and the failing
ones, each raising CPython's class and message at the line marked ``# FAIL``."""
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


def ord_of_two(s):
    return ord(s[:2])  # FAIL


def chr_past_range(s):
    return chr(len(s) + 0x10FFFF)  # FAIL


def upper_non_ascii(s):
    return (s + "é").upper()  # FAIL


def negate(x):
    return -x


def sorts(v, rev):
    a = sorted(v, reverse=rev)
    b = sorted(v, key=negate)
    c = sorted(v, key=lambda x: x % 3, reverse=rev)
    w = list(v)
    w.sort(key=abs, reverse=not rev)
    return a, b, c, w


def extremes(v, d):
    return (min(v, key=negate, default=d), max(v, key=lambda x: x % 4, default=d),
            min(v, default=d), max(v + [d], key=abs))


def reversals(v, s):
    return list(reversed(v)), [c for c in reversed(s)], sum(reversed(range(len(v))))


def by_base(s, base):
    return int(s, base)


LISTS = ([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [], [2], [-1, 1, 0, -2, 2], [0.5, -1, 2.5, -0.5, 1])
register(sorts, *((v, rev) for v in LISTS for rev in (False, True)), tags="cpython lists builtins")
register(extremes, *((v, 7) for v in LISTS), tags="cpython lists builtins")
register(reversals, *((v, "héllo") for v in LISTS[:3]), tags="cpython lists strings builtins")
register(by_base, ("ff", 16), ("-0x1f", 0), (" 0b_101 ", 0), ("z", 36), ("0o17", 8), ("00", 0),
         ("1_000", 10), ("\u0661\u0662", 10), ("777", 8), tags="cpython ints strings builtins")


def sort_mixed(v):
    return sorted(v + ["a"])  # FAIL


def sort_method_mixed(v):
    w = ["a"] + v
    w.sort(reverse=True)  # FAIL
    return w


def max_key_mixed(v):
    return max(v + [0], key=lambda x: "a" if x else 1)  # FAIL


def min_empty_no_default(v):
    return min(v[:0], key=negate)  # FAIL


def sort_of_tuple(v):
    t = (1, 2)
    t.sort()  # FAIL
    return t


def base_out_of_range(v):
    return int("12", 37)  # FAIL


def base_of_non_str(v):
    return int(12, 10)  # FAIL


def base_not_int(v):
    return int("12", "a")  # FAIL


def bad_literal_base_zero(v):
    return int("010", 0)  # FAIL


def bad_underscore(v):
    return int("0x__1", 16)  # FAIL


TE = TypeError
_STR_CASES = {name for name in dir() if name.startswith(("split_", "join_", "index_", "rindex_",
                                                         "find_", "strip_", "replace_",
                                                         "startswith_", "count_", "ord_", "chr_"))}
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
        (count_of_list_two_args, TE, "list.count() takes exactly one argument (2 given)"),
        (ord_of_two, TE, "ord() expected a character, but string of length 2 found"),
        (chr_past_range, ValueError, "chr() arg not in range(0x110000)"),
        (sort_mixed, TE, "'<' not supported between instances of 'str' and 'int'"),
        (sort_method_mixed, TE, "'<' not supported between instances of 'str' and 'int'"),
        (max_key_mixed, TE, "'>' not supported between instances of 'int' and 'str'"),
        (min_empty_no_default, ValueError, "min() arg is an empty sequence"),
        (sort_of_tuple, AttributeError, "'tuple' object has no attribute 'sort'"),
        (base_out_of_range, ValueError, "int() base must be >= 2 and <= 36, or 0"),
        (base_of_non_str, TE, "int() can't convert non-string with explicit base"),
        (base_not_int, TE, "'str' object cannot be interpreted as an integer"),
        (bad_literal_base_zero, ValueError, "invalid literal for int() with base 0: '010'"),
        (bad_underscore, ValueError, "invalid literal for int() with base 16: '0x__1'")):
    register(fn, ("abc",) if fn.__name__ in _STR_CASES else ([2, 1],),
             tags="errors cpython " + ("strings" if fn.__name__ in _STR_CASES else "lists builtins"),
             error=error, message=re.escape(message))
# the cores know ASCII case only: CPython answers "ABCÉ" (docs/language.md, "str methods")
register(upper_non_ascii, ("abc",), tags="errors strings", error=NotImplementedError,
         message=re.escape("str.upper() of non-ASCII text"))
