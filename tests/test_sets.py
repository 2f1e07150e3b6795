"""Sets in kernels (issue 17): results on both backends, the first failing allocation on both
interpreters for each way a set grows, in-place operators that change a shared set, the
compiler's choice between the plain opcodes and ``set.inplace``, and what cannot travel (the
corpus programs tests/programs/set_*.py cover the language itself)."""

from __future__ import annotations

import pytest

from epython import offload
from epython.backends import get_backend
from epython.bytecode.instr import iter_code
from epython.bytecode.opcodes import BUILTIN_BY_NAME
from epython.compiler import compile_kernel
from epython.marshal import MarshalError, decode_value, encode_value
from epython.parallel import coreid, send
from tests.test_memory_parity import _first_failure


def set_result(n):
    s = {n, 1, "x", (2, 3)}
    s |= {n + 1}
    return s


def test_a_set_returns_to_the_host_as_a_set(backend: str) -> None:
    assert offload(target=0, backend=backend)(set_result)(5) == {5, 1, "x", (2, 3), 6}


def aliased(n):
    a = set(range(n))
    b = a
    a |= {100}
    a -= {0}
    a &= {1, 2, 100}
    a ^= {2, 7}
    return sorted(b), a == b


def test_in_place_operators_change_the_shared_set(backend: str) -> None:
    assert offload(target=0, backend=backend)(aliased)(4) == ([1, 7, 100], True)


def grow_by_add(n):
    s = set()
    for i in range(n):
        s.add(i)
    return len(s)


def grow_by_union(n):
    s = {0}
    for i in range(n):
        s = s | {i, -i}
    return len(s)


def grow_by_update(n):
    s = set()
    for i in range(n):
        s.update([i], str(i))
        s.intersection_update(s)
    return len(s)


def grow_by_methods(n):
    keep = []
    for i in range(n):
        keep.append(set(range(3)).union([i], (i + 1,)).difference("ab"))
    return len(keep)


@pytest.mark.parametrize("kernel", [grow_by_add, grow_by_union, grow_by_update, grow_by_methods])
def test_memory_limit_of_sets_is_the_same_on_both_backends(kernel) -> None:  # type: ignore[no-untyped-def]
    if not get_backend("device").available():
        pytest.skip("the device backend is not available here")
    k = offload(target=0)(kernel)
    sim = _first_failure(k, (), "sim")
    assert sim < 4096
    assert sim == _first_failure(k, (), "device")


def or_numbers(n):
    n |= 1
    n ^= 6
    return n


def or_numbers_with_a_set(n):
    s = {n}
    n |= 1
    return n, s


def _calls(kernel) -> tuple[set[str], set[int]]:  # type: ignore[no-untyped-def]
    """The opcode names of a compiled kernel, and the builtins it calls."""
    program = compile_kernel(kernel).program
    code = [ins for f in program.functions for ins in iter_code(f.code)]
    return ({ins.info.name for ins in code},
            {ins.arg for ins in code if ins.info.name == "CALL_BUILTIN"})


def test_a_program_without_sets_keeps_the_plain_opcodes() -> None:
    inplace = BUILTIN_BY_NAME["set.inplace"].code
    names, builtins = _calls(or_numbers)
    assert {"BINARY_OR", "BINARY_XOR"} <= names and inplace not in builtins
    names, builtins = _calls(or_numbers_with_a_set)
    assert "BINARY_OR" not in names and inplace in builtins
    assert offload(target=0)(or_numbers_with_a_set)(4) == (5, {4})


def send_a_set(n):
    if coreid() == 0:
        send({n}, 1)
    return 0


def test_a_set_is_not_a_message_nor_an_argument(backend: str) -> None:
    with pytest.raises(TypeError, match="values of type set cannot be passed"):
        offload(target=[0, 1], backend=backend)(send_a_set)(1)
    with pytest.raises((MarshalError, TypeError), match="set"):
        offload(target=0, backend=backend)(set_result)({1})


def test_marshal_carries_a_set_only_where_told() -> None:
    assert decode_value(encode_value({1, "a"}, sets=True)) == {1, "a"}
    with pytest.raises(MarshalError, match="set"):
        encode_value({1})
