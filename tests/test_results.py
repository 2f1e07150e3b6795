"""What a core can send back: a result up to the mailbox's result area (an error past it, the
same on both backends), and every change to its array arguments however many there are."""

from __future__ import annotations

import pytest

from epython import offload
from epython.bytecode import protocol as P
from epython.errors import KernelError


@offload(target=[0])
def text_of(n):
    return "x" * n


@offload(target=[0])
def many_refs(n):
    s = "y" * 200
    return [s] * n  # small in the heap, large on the wire


def test_a_result_that_fits_the_result_area_arrives(backend: str) -> None:
    assert text_of(P.MAILBOX_RESULT_BYTES - 3) == ["x" * (P.MAILBOX_RESULT_BYTES - 3)]


@pytest.mark.parametrize("kernel, n", [(text_of, P.MAILBOX_RESULT_BYTES - 2), (many_refs, 80)])
def test_a_result_larger_than_the_result_area_is_a_type_error(backend: str, kernel, n) -> None:
    with pytest.raises(TypeError) as info:
        kernel(n)
    assert isinstance(info.value, KernelError)
    assert P.RESULT_TOO_LARGE_MESSAGE in str(info.value)
    assert info.value.lineno == 0
