"""Dicts in kernels (issue 17): results and arguments on both backends, messages between
cores, the memory model's sizes and the first failing allocation on both interpreters, the
marshal format and the compiler's refusals (the corpus programs tests/programs/dict_*.py and
the cases of tests/kernels/dicts.py cover the language itself)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from epython import CompileError, copy_from_device, define_on_device, offload
from epython.backends import get_backend
from epython.bytecode.memory import (
    OBJECT_HEADER_BYTES,
    VALUE_SLOT_BYTES,
    decoded_bytes,
    dict_bytes,
    seq_bytes,
)
from epython.bytecode.opcodes import ValueTag
from epython.marshal import MarshalError, decode_value, encode_value
from epython.parallel import coreid, recv, send
from tests.test_memory_parity import _first_failure


def nested_result(n):
    d = {"n": n, "list": [1, 2.5, None], "t": (1, "x"), 7: {"inner": True}}
    d[(n, n)] = "pair"
    return d


def test_a_dict_returns_to_the_host_in_insertion_order(backend: str) -> None:
    got = offload(target=0, backend=backend)(nested_result)(3)
    assert got == nested_result(3)
    assert list(got) == ["n", "list", "t", 7, (3, 3)]


def range_key(n):
    return {range(n): "r", (1, range(2)): "t"}


def test_a_range_key_arrives_as_the_tuple_of_its_items(backend: str) -> None:
    # a range travels as the list of its items; as a key it arrives as that tuple
    got = offload(target=0, backend=backend)(range_key)(3)
    assert got == {(0, 1, 2): "r", (1, (0, 1)): "t"}


def update_argument(d, key):
    d[key] = d.get(key, 0) + 1
    return d, d.keys(), list(d.items())


def test_a_dict_argument_is_the_kernels_own_copy(backend: str) -> None:
    arg = {"a": 1, 2: [3.5], np.int32(5): "np key"}
    d, keys, items = offload(target=0, backend=backend)(update_argument)(arg, "a")
    assert d == {"a": 2, 2: [3.5], 5: "np key"}
    assert keys == ["a", 2, 5]  # a view travels as the list of its items
    assert items == [("a", 2), (2, [3.5]), (5, "np key")]
    assert arg["a"] == 1


def exchange(n):
    if coreid() == 0:
        send({"from": 0, "items": list(range(n))}, 1)
        return recv(1)
    got = recv(0)
    got["back"] = True
    send(got, 0)
    return len(got)


def test_dicts_travel_between_cores(backend: str) -> None:
    results = offload(target=[0, 1], backend=backend)(exchange)(3)
    assert results == [{"from": 0, "items": [0, 1, 2], "back": True}, 3]


def grow_dict(n, base):
    d = dict(base)
    for i in range(n):
        d[i] = str(i)  # GROW
        if i % 5 == 4:
            del d[i - 3]
    return len(d.copy()) + len(str(d.get(0)))


@pytest.mark.parametrize("base", [{}, {"k": "v" * 100, (1, 2): [1.5] * 30}],
                         ids=["empty", "with-argument"])
def test_memory_limit_of_a_growing_dict_is_the_same_on_both_backends(base: dict[Any, Any]) -> None:
    if not get_backend("device").available():
        pytest.skip("the device backend is not available here")
    kernel = offload(target=0)(grow_dict)
    sim = _first_failure(kernel, (base,), "sim")
    assert sim < 4096
    assert sim == _first_failure(kernel, (base,), "device")


def test_the_memory_model_sizes_a_dict_by_its_entries() -> None:
    assert dict_bytes(0) == OBJECT_HEADER_BYTES
    assert dict_bytes(3) == OBJECT_HEADER_BYTES + 3 * 2 * VALUE_SLOT_BYTES
    # a dict argument is decoded into one object, its lists and tuples into theirs
    assert decoded_bytes([{"a": [1, 2], (1,): 2}]) == dict_bytes(2) + seq_bytes(2) + seq_bytes(1)


def test_marshal_encodes_a_dict_as_count_and_pairs() -> None:
    value = {"a": 1, (1, 2.5): [None], 3: {}}
    data = encode_value(value)
    assert data[0] == ValueTag.DICT and data[1:3] == b"\x03\x00"
    assert decode_value(data) == value and list(decode_value(data)) == ["a", (1, 2.5), 3]
    with pytest.raises(MarshalError, match="dict key .* cannot be passed"):
        encode_value({frozenset(): 1})


def class_method(d):
    return dict.keys(d)


def del_name(n):
    x = [n]
    del x[0:1]
    return n


def nested_comprehension(n):
    return {i: j for i in range(n) for j in range(n) if j != i}


def test_a_comprehension_with_two_for_clauses_builds_what_cpython_builds(backend: str) -> None:
    got = offload(target=0, backend=backend)(nested_comprehension)(3)
    assert list(got.items()) == list(nested_comprehension(3).items())


@pytest.mark.parametrize(("fn", "text"), [
    (class_method, "dict.keys is not supported in kernels"),
    (del_name, "del is supported in kernels for names and single items only"),
])
def test_what_dicts_do_not_support_is_a_compile_error(fn: Any, text: str) -> None:
    with pytest.raises(CompileError, match=text.replace("(", r"\(").replace(")", r"\)")):
        offload(fn)


def count_into(n):
    counts[n] = counts.get(n, 0) + 1  # noqa: F821 (device-resident)
    return len(counts)  # noqa: F821


def test_a_device_resident_dict_keeps_its_entries_between_launches(backend: str) -> None:
    define_on_device("counts", {"start": 1}, backend=backend)
    kernel = offload(target=0, backend=backend)(count_into)
    assert [kernel(1), kernel(1), kernel(2)] == [2, 2, 3]
    assert copy_from_device("counts", backend=backend)[0] == {"start": 1, 1: 2, 2: 1}
