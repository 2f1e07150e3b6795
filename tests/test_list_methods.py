"""list.extend/insert/remove/index/count/reverse in kernels: CPython's results and errors on
every backend, and the memory model's slot accounting (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest

from epython import offload
from epython.testing.compare import same
from epython.testing.reference import kernel_value

pytestmark = pytest.mark.usefixtures("backend")


def methods(n):
    a = [3, 1, 4, 1, 5]
    a.extend([9, 2])
    a.extend(range(n))
    a.extend("ab")
    a.extend((7,))
    a.insert(0, 7)
    a.insert(-1, 8)
    a.insert(100, 6)
    a.insert(-100, 0)
    a.insert(True, "t")
    a.remove(1)
    i = a.index(5)
    c = a.count(1)
    a.reverse()
    b = []
    b.reverse()
    b.extend(b)
    d = [1, 2]
    d.extend(d)
    return a, i, c, b, d, a.count("a"), [1, 2.0, True].count(1), [[1], [2]].index([2])


def extend_array(v):
    a = []
    a.extend(v)
    a.extend(enumerate("xy"))
    return a


def test_list_methods_match_cpython() -> None:
    assert same(offload(target=0)(methods)(3), kernel_value(methods(3)))
    assert same(offload(target=0)(tuple_methods)(), kernel_value(tuple_methods()))
    assert tuple_methods() == (2, 1)
    v = np.array([1.5, 2.5], np.float32)
    assert same(offload(target=0)(extend_array)(v), [1.5, 2.5, (0, "x"), (1, "y")])


def tuple_methods():
    t = (1, 2, 1)
    return t.count(1), t.index(2)


