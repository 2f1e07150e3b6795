"""Bugs that running outside corpora (MicroPython's tests/basics, ePython's examples) found in
the kernel language, each checked against CPython on every backend (issue 17)."""

from __future__ import annotations

import random
import textwrap

import numpy as np
import pytest

from epython import (
    CompileError,
    DeadlockError,
    LaunchOptionWarning,
    copy_from_device,
    offload,
)
from epython.device_data import define_on_device
from epython.parallel import coreid, recv
from epython.testing.compare import kernel_error_of, same, write_module
from epython.testing.reference import kernel_value

# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")


def _same_as_cpython(fn, *args):  # type: ignore[no-untyped-def]
    got, want = offload(target=0)(fn)(*args), fn(*args)
    assert same(got, kernel_value(want)), (got, want)


# --- 1. a nested function defined twice ------------------------------------------------------
@pytest.mark.parametrize("second", ["def f():\n        return 2", "def f(x):\n        return x"])
def test_a_nested_function_defined_twice_is_called_as_bound_at_the_call(second: str,
                                                                        backend: str) -> None:
    # CPython calls the definition bound at the moment of the call: the first def for a, the
    # second for b
    call = "f()" if "x" not in second else "f(5)"
    src = (f"def k():\n    def f():\n        return 1\n    a = f()\n    {second}\n"
           f"    b = {call}\n    return a, b\n")
    mod = write_module(src, "twice")
    assert offload(target=0, backend=backend)(mod.k)() == mod.k()


def test_a_function_defined_twice_inside_a_block_is_refused_not_miscalled() -> None:
    # which def is bound depends on the path taken: refused
    src = ("def k(n):\n    def f():\n        return 1\n    if n:\n        def f():\n"
           "            return 2\n    return f()\n")
    mod = write_module(src, "twice_block")
    with pytest.raises(CompileError) as info:
        offload(mod.k)
    text = str(info.value)
    assert ":5:9:" in text and "f() is defined twice in k() (first at line 2)" in text
    assert "its own name" in text


def test_a_function_used_before_its_first_of_several_definitions_is_refused() -> None:
    src = ("def k():\n    a = f()\n    def f():\n        return 1\n    def f():\n"
           "        return 2\n    return a\n")
    with pytest.raises(CompileError, match="f\\(\\) is used before its first definition"):
        offload(write_module(src, "twice_early").k)


# --- 2. list += and *= work in place -------------------------------------------------------
def aliased_extend():
    a = [1]
    b = a
    a += [2]
    a *= 2
    b.append(3)
    return a, b


def extend_from_any_iterable(v):
    a = [0]
    a += range(3)
    a += "xy"
    a += (2, 3)
    a += v
    a += enumerate("ab")
    a += zip([1], [2])
    return a


def extend_with_itself():
    a = [1, 2]
    a += a
    b = [[0]]
    b[0] += [1]
    c = [3]
    c *= 0
    d = [4, 5]
    d *= -2
    e = ["x"]
    e *= 3
    return a, b, c, d, e


def other_types_rebind():
    t = (1,)
    u = t
    t += (2,)
    s = "a"
    s2 = s
    s += "b"
    i = 5
    i += 2
    i *= 3
    f = 1.5
    f *= 2
    return t, u, s, s2, i, f


def repeat_by_a_float():
    a = [1]
    a *= 1.5
    return a


def extend_by_an_int():
    a = [1]
    a += 5
    return a


def grow_past_memory():
    a = [0]
    a *= 100000
    return len(a)


def grow_by_the_largest_int():
    a = [0, 1]
    a *= 2147483647  # the simulator must not build the repetition before the core's memory ends
    return len(a)


def test_list_augmented_assignment_changes_the_list_in_place() -> None:
    _same_as_cpython(aliased_extend)
    _same_as_cpython(extend_with_itself)
    _same_as_cpython(other_types_rebind)


def test_list_plus_equals_takes_any_iterable() -> None:
    v = np.array([7, 8], np.int32)
    got = offload(target=0)(extend_from_any_iterable)(v)
    assert got == [0, 0, 1, 2, "x", "y", 2, 3, 7, 8, (0, "a"), (1, "b"), (1, 2)]


@pytest.mark.parametrize("fn, kind, message", [
    (repeat_by_a_float, TypeError, "can't multiply sequence by non-int of type 'float'"),
    (extend_by_an_int, TypeError, "'int' object is not iterable"),
    (grow_past_memory, MemoryError, "out of core memory"),
    (grow_by_the_largest_int, MemoryError, "out of core memory"),
])
def test_list_augmented_assignment_errors(fn, kind, message) -> None:  # type: ignore[no-untyped-def]
    if kind is not MemoryError:
        with pytest.raises(kind, match=message.replace("(", r"\(")):
            fn()
    error = kernel_error_of(fn)
    assert isinstance(error, kind) and message in str(error)


# --- 3. range objects are sequences ------------------------------------------------------------
def range_as_sequence():
    a, b = range(2)
    r = range(3, 30, 4)
    return (range(4)[1], range(10)[-1], r[2], 5 in range(3, 9, 2), 4 in range(3, 9, 2),
            5 not in range(5), 5.0 in range(10), 5.5 in range(10), "x" in range(3),
            True in range(2), -7 in range(-1, -10, -3), a, b, len(r),
            str(r[1:]), str(r[::-1]), str(r[-2:1:-2]), str(range(0)[:]), str(r[100:]),
            r[1:] == range(7, 31, 4), [x for x in r[::2]])


def range_index_out_of_range():
    return range(3)[3]


def range_index_by_a_str():
    return range(3)["a"]


def test_range_objects_index_slice_unpack_and_contain_as_in_cpython() -> None:
    _same_as_cpython(range_as_sequence)


@pytest.mark.parametrize("fn, kind, message", [
    (range_index_out_of_range, IndexError, "range object index out of range"),
    (range_index_by_a_str, TypeError, "range indices must be integers or slices, not str"),
])
def test_range_index_errors_say_what_cpython_says(fn, kind, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(kind, match=message):
        fn()
    error = kernel_error_of(fn)
    assert isinstance(error, kind) and message in str(error)


# --- 4. a device-resident name that the host module also assigns ------------------------------
def test_a_kernels_store_to_a_device_resident_name_is_kept() -> None:
    name = f"resident_{random.randrange(1 << 30)}"
    mod = write_module(textwrap.dedent(f"""
        from epython import offload
        {name} = 5          # the host module has its own value of the name

        @offload(target=0)
        def store():
            global {name}
            {name} = 7
            return 0

        @offload(target=0)
        def bump():
            global {name}
            {name} = {name} + 10
            return {name}
    """), "resident")
    define_on_device(name, 1, target=0)
    assert mod.store() == 0
    assert copy_from_device(name, target=0) == 7
    assert mod.bump() == 17
    assert mod.__dict__[name] == 5  # the host's own value is untouched


# --- a global that one function assigns and another only reads --------------------------------
def test_a_function_that_reads_a_global_sees_what_another_assigned() -> None:
    # found by running programs as kernels: f read the module's value captured at compile time
    # (0), not the global slot that k and g assign, and printed 1 where CPython prints 11
    mod = write_module(textwrap.dedent("""
        x = 0
        y = 3

        def f():
            return x + 1

        def g():
            global x
            x = x * 2

        def k():
            global x
            x = 5
            g()
            return f(), y   # y: no function assigns it, still a constant

        def reader_first():
            a = f()          # f is compiled before the function that declares x global
            g()
            return a, f()
    """), "sharedglobal")
    _same_as_cpython(mod.k)
    _same_as_cpython(mod.reader_first)


# --- 5. module-level containers read by a kernel --------------------------------------------
@pytest.mark.parametrize("value, shown", [
    ("[1, 2]", "list"), ("{1: 2}", "dict"), ("{1, 2}", "set"),
    ("np.zeros(3, np.float32)", "numpy.ndarray"), ("(1, [2])", "tuple"),
])
def test_a_module_level_container_is_a_compile_error_naming_it(value: str, shown: str) -> None:
    src = f"import numpy as np\nfrom epython import offload\nTABLE = {value}\n\n" \
          "def k():\n    return TABLE[0]\n"
    mod = write_module(src, "container")
    with pytest.raises(CompileError) as info:
        offload(mod.k)
    text = str(info.value)
    assert f"'TABLE' holds a {shown}" in text and ":6:" in text
    assert "as an argument" in text and "define_on_device" in text


# --- 6. after a deadlock the other cores' errors are kept ------------------------------------
def fail_then_deadlock():
    if coreid() == 0:
        return recv(1)
    if coreid() == 2:
        return 1 // 0
    return 0


def test_a_deadlock_keeps_the_errors_of_the_cores_that_failed_before_it() -> None:
    handle = offload(async_=True, target=[0, 1, 2])(fail_then_deadlock)()
    with pytest.raises(DeadlockError) as info:
        handle.wait(timeout=60)
    text = str(info.value)
    assert "core 0 waits for a message from core 1" in text
    assert "core 2: ZeroDivisionError: integer division or modulo by zero" in text
    errors = handle.errors
    assert isinstance(errors[2], ZeroDivisionError) and isinstance(errors[0], DeadlockError)
    assert 1 not in errors  # core 1 finished normally
    assert handle.result(1) == 0


# --- 7. a kernel parameter with the name of a launch option ----------------------------------
@pytest.mark.parametrize("option", ["target", "timeout", "auto", "backend", "async_"])
def test_a_parameter_named_like_a_launch_option_is_warned_at_decoration(option: str) -> None:
    mod = write_module(f"def k(x, {option}):\n    return x + {option}\n", "option_param")
    with pytest.warns(LaunchOptionWarning, match=f"parameter '{option}' of kernel k") as record:
        kernel = offload(target=0)(mod.k)
    assert record[0].filename == mod.__file__ and record[0].lineno == 1
    assert "pass it by position" in str(record[0].message)
    assert kernel(1, 2) == 3  # by position it is the argument


# --- 8. timeouts, signatures and method hints -------------------------------------------------
def one():
    return 1


@pytest.mark.parametrize("bad", [-1, -0.5, float("nan")])
def test_a_negative_timeout_is_a_value_error(bad: float) -> None:
    handle = offload(async_=True, target=0)(one)()
    with pytest.raises(ValueError, match="non-negative"):
        handle.wait(timeout=bad)
    with pytest.raises(ValueError, match="non-negative"):
        handle.wait_any(timeout=bad)
    assert handle.wait() == 1
    with pytest.raises(ValueError, match="non-negative"):
        offload(target=0, timeout=bad)(one)
    with pytest.raises(ValueError, match="non-negative"):
        offload(target=0)(one)(timeout=bad)
    with pytest.raises(TypeError, match="number of seconds"):
        handle.wait(timeout="1")


@pytest.mark.parametrize("source, message, hint", [
    ("def k(*args):\n    return 1\n", "*args in the signature of k()", "pass a list or tuple"),
    ("def k(**kw):\n    return 1\n", "**kw in the signature of k()", "by name"),
    ("def k(a, *, b):\n    return 1\n", "keyword-only parameter 'b' of k()", "drop the '*'"),
    ("def k(a, /, b):\n    return 1\n", "positional-only parameters of k()", "drop the '/'"),
    ("def h(*a):\n    return 1\n\ndef k():\n    return h(1)\n", "*a in the signature of h()",
     "pass a list or tuple"),
    ("import os\ndef k():\n    return os.getpid()\n",
     "os.getpid(): module os is not available", "math, random and epython.parallel"),
    ("import numpy as np\ndef k(a):\n    return np.sum(a)\n", "np.sum() is a numpy function",
     "sum(a)"),
    ("def k(s):\n    return s.title()\n", "str method .title()", ".upper()"),
    ("def k(d):\n    return d.fromkeys([1])\n", "dict method .fromkeys()", "dict.fromkeys(iterable"),
])
def test_refusals_name_the_construct_and_a_fitting_hint(source: str, message: str, hint: str) -> None:
    mod = write_module(source, "refusal")
    with pytest.raises(CompileError) as info:
        offload(mod.k)
    text = str(info.value)
    assert message in text and hint in text, text
    assert "lists support" not in text or "list method" in text


# --- functions passed as arguments (ePython's task farms) -------------------------------------
def square(x):
    return x * x


def cube(x):
    return x * x * x


def farm(work, items):
    return [work(i) for i in items]


def twice(f, x):
    return f(f(x))


def apply_n(f, n, x):
    if n == 0:
        return x
    return apply_n(f, n - 1, f(x))


def pipeline(f, g, x):
    return twice(g, f(x))


def task_farm(n):
    def inc(x, by=1):
        return x + by
    items = range(n)
    return (farm(square, items), farm(cube, items), twice(inc, 5), apply_n(inc, 10, 0),
            pipeline(square, inc, 3), farm(inc, [n]), farm(work=cube, items=[2]))


def test_a_kernel_passes_its_own_functions_as_arguments() -> None:
    _same_as_cpython(task_farm, 4)


@pytest.mark.parametrize("body, message", [
    ("    g = f\n    return g(x)\n", "function parameter f used as a value"),
    ("    f = 3\n    return x\n", "assignment to f, a parameter that receives a function"),
    ("    return f\n", "function parameter f used as a value"),
])
def test_a_parameter_that_receives_a_function_can_only_be_called_or_passed(body: str,
                                                                          message: str) -> None:
    src = f"def use(f, x):\n{body}\n\ndef one(x):\n    return 1\n\ndef k():\n    return use(one, 2)\n"
    mod = write_module(src, "fnparam")
    with pytest.raises(CompileError, match=message):
        offload(mod.k)


def test_a_function_stored_in_a_variable_is_refused_with_the_way_out() -> None:
    mod = write_module("def one(x):\n    return 1\n\ndef k():\n    g = one\n    return g(1)\n", "fnvar")
    with pytest.raises(CompileError) as info:
        offload(mod.k)
    assert "one used as a value" in str(info.value) and "as arguments" in str(info.value)
