"""Property tests: generated kernels give the same results, errors, output and async behaviour on
the simulator, on the device backend (when available) and, where the semantics overlap, under
CPython.  Strategies: epython.testing.strategies; helpers: epython.testing.compare.

Profiles (tests/hypothesis_profiles.py): ``EPYTHON_HYPOTHESIS_PROFILE=ci|dev|thorough``; ``ci``
is the default when ``CI`` is set.  Properties that compare with the ``device`` backend are
skipped, with the reason, while ``get_backend("device").available()`` is False (run them with
``EPYTHON_EHAL=host`` once the host e-hal is built).

A failing property reports the generated kernel's source, its arguments and both outcomes side
by side (hypothesis ``note()`` and the assertion message).

Known simulator bugs the generators found are listed in KNOWN_BUGS with an xfail test each; the
properties skip (``assume``) the examples that hit exactly those bugs so that every other
disagreement still fails them.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from epython import KernelError, offload
from epython.backends import get_backend, reset_backends
from epython.testing import compare as C
from epython.testing.strategies import (
    comm_cases,
    failing_cases,
    kernel_cases,
)
from tests.hypothesis_profiles import PROFILE, prop_settings

DEVICE_OK, DEVICE_WHY = C.backend_available("device")
reset_backends()
needs_device = pytest.mark.skipif(
    not DEVICE_OK, reason=f"sim-vs-device property skipped: {DEVICE_WHY} "
    "(build the host e-hal and run with EPYTHON_EHAL=host)")

def _fresh() -> None:
    reset_backends()


def _check(description: str, a: C.Outcome, b: C.Outcome, source: str, **kw: Any) -> None:
    problems = C.diff(a, b, **kw)
    report = C.side_by_side(description, a, b, problems)
    note(report)
    assert not problems, "\n" + report


def _check_against_reference(case: Any) -> tuple[Any, C.Outcome]:
    """Run the generated kernel on core 0 of the simulator and its reference under CPython; their
    outcomes must agree.  Returns the kernel's module and the reference's outcome."""
    _fresh()
    kmod = C.write_module(case.source)
    rmod = C.write_module(case.ref_source, "epr")
    sim = C.run_backend(kmod.kernel, case.args, [0], "sim")
    ref = C.run_cpython(rmod.kernel, case.args)
    _check(case.describe(), sim, ref, case.source)
    return kmod, ref


# --- (2) against CPython ------------------------------------------------------------------------
@prop_settings(weight=1.0)
@given(case=kernel_cases(floats=False))
def test_int_kernels_give_the_cpython_result(case: Any) -> None:
    """Int/bool kernels: the simulator on core 0 gives the undecorated function's CPython result,
    and an OverflowError exactly where CPython's exact value leaves int32 (same line)."""
    kmod, ref = _check_against_reference(case)
    has_arrays = any(kind.startswith("a") for _, kind in case.params)
    if ref.errors.get(0, ("",))[0] != "OverflowError" and not has_arrays:
        # no overflow: the reference's checks were the identity, so the plain undecorated
        # function (CPython ints, coreid() == 0, numcores() == 1) gives the same outcome
        plain = C.run_cpython(kmod.kernel.__wrapped__ if hasattr(kmod.kernel, "__wrapped__")
                              else kmod.kernel, case.args)
        plain.errors = {c: (k, None) for c, (k, _) in plain.errors.items()}
        problems = C.diff(ref, plain, error_lines=False)
        assert not problems, C.side_by_side(case.describe(), ref, plain, problems)


@prop_settings(weight=1.0)
@given(case=kernel_cases(floats=True))
def test_float_kernels_give_the_binary32_reference(case: Any) -> None:
    """Kernels with float operations give the float32 reference: each operation computed by
    CPython on binary32 operands and rounded to binary32 (bitwise, every nan equal), the same
    exception class at the same line, the same printed lines."""
    _check_against_reference(case)


@prop_settings(weight=1.0)
@given(case=failing_cases())
def test_failing_kernels_raise_the_right_error_on_the_right_core_and_line(case: Any) -> None:
    """Division by zero, index errors, overflow, memory exhaustion, assertions...: the launch
    raises the class on the failing core at the failing line; the other cores' results stay
    readable; CPython raises the same class at the same line where its semantics agree."""
    _fresh()
    mod = C.write_module(case.source, "epf")
    sim = C.run_backend(mod.kernel, case.args, case.cores, "sim")
    note(case.describe() + "\n" + sim.summary())
    assert sim.host_error is None, sim.host_error
    assert sim.errors.get(case.core) == (case.error.__name__, case.lineno), sim.summary()
    for core, value in case.ok.items():
        assert sim.values.get(core) == value, (core, sim.summary())
    # the raised exception is both KernelError and the built-in class
    handle = offload(mod.kernel).launch(*copy.deepcopy(case.args), target=case.cores)
    with pytest.raises(case.error) as info:
        handle.wait()
    assert isinstance(info.value, KernelError)
    # under CPython coreid() == 0: the failing block runs there when it is unconditional or
    # guarded by ``me == 0``
    runs_on_core0 = case.core == 0 or f"if me == {case.core}:" not in case.source
    if case.cpython and case.cores == [case.core] and runs_on_core0:
        ref = C.run_cpython(mod.kernel.__wrapped__ if hasattr(mod.kernel, "__wrapped__")
                            else mod.kernel, case.args)
        assert ref.errors.get(0) == (case.error.__name__, case.lineno), ref.summary()


@prop_settings(weight=0.75)
@given(case=comm_cases())
def test_communication_kernels_give_the_message_passing_result(case: Any) -> None:
    """send/recv over a permutation, sendrecv of large values over a matching, bcast from a root,
    reduce with each op, barriers: every core gets the value a Python model of the phases
    computes, and prints the modelled lines."""
    _fresh()
    mod = C.write_module(case.source, "epc")
    sim = C.run_backend(mod.kernel, case.args, case.cores, "sim")
    expected = C.Outcome("model", case.cores, values=dict(case.expected),
                         lines={c: v for c, v in case.lines.items() if v})
    _check(case.describe(), sim, expected, case.source)


# --- (1) simulator against device ---------------------------------------------------------------
@needs_device
@prop_settings(weight=1.0)
@given(case=kernel_cases(floats=True), data=st.data())
def test_sim_and_device_agree_on_generated_kernels(case: Any, data: Any) -> None:
    """Same per-core results (bitwise floats), same error class on the same core and line, same
    printed lines per core, same array write-backs."""
    cores = data.draw(st.sets(st.integers(0, 15), min_size=1, max_size=4).map(sorted), "cores")
    _agree(case, cores, "epk", case.describe() + f"\ncores {cores}")


def _agree(case: Any, cores: list[int], prefix: str, description: str) -> None:
    """Run the generated kernel on ``cores`` of both backends; their outcomes must be equal."""
    _fresh()
    mod = C.write_module(case.source, prefix)
    sim = C.run_backend(mod.kernel, case.args, cores, "sim")
    dev = C.run_backend(mod.kernel, case.args, cores, "device")
    _check(description, sim, dev, case.source)


@needs_device
@prop_settings(weight=0.5)
@given(case=comm_cases())
def test_sim_and_device_agree_on_communication(case: Any) -> None:
    _agree(case, case.cores, "epc", case.describe())


@needs_device
@prop_settings(weight=0.5)
@given(case=failing_cases())
def test_sim_and_device_agree_on_failing_kernels(case: Any) -> None:
    _agree(case, case.cores, "epf", case.describe())


# --- (4) determinism ----------------------------------------------------------------------------
@prop_settings(weight=0.5)
@given(case=comm_cases())
def test_simulator_is_deterministic_on_communication(case: Any) -> None:
    """The same kernel twice on a fresh chip: same results, cycles and printed output order."""
    mod = C.write_module(case.source, "epc")
    _fresh()
    first = C.run_backend(mod.kernel, case.args, case.cores, "sim")
    _fresh()
    second = C.run_backend(mod.kernel, case.args, case.cores, "sim")
    _check(case.describe(), first, second, case.source, cycles=True, order=True)


@prop_settings(weight=0.5)
@given(case=kernel_cases(floats=True), data=st.data())
def test_simulator_is_deterministic_on_generated_kernels(case: Any, data: Any) -> None:
    cores = data.draw(st.sets(st.integers(0, 15), min_size=1, max_size=16).map(sorted), "cores")
    mod = C.write_module(case.source)
    _fresh()
    first = C.run_backend(mod.kernel, case.args, cores, "sim")
    _fresh()
    second = C.run_backend(mod.kernel, case.args, cores, "sim")
    _check(case.describe() + f"\ncores {cores}", first, second, case.source, cycles=True,
           order=True)


# --- (3) async semantics ------------------------------------------------------------------------
WORK_SOURCE = '''\
from epython.parallel import coreid


def work(n, tag, bad):
    acc = tag
    for i in range(n):
        acc = (acc * 31 + i + coreid()) % 1000003
    if coreid() == bad:
        acc = acc // (bad - bad)
    return (coreid(), tag, acc)
'''
WORK_ERROR_LINE = 9


def work_model(core: int, n: int, tag: int) -> tuple[int, int, int]:
    acc = tag
    for i in range(n):
        acc = (acc * 31 + i + core) % 1000003
    return (core, tag, acc)


core_sets = st.one_of(st.just(list(range(16))),
                      st.sets(st.integers(0, 15), min_size=1, max_size=5).map(sorted))


class AsyncMachine(RuleBasedStateMachine):
    """Drives launches on every backend in BACKENDS with the same rules.

    The checks, per handle and backend:

    * ``wait_any`` delivers each core of the launch exactly once (its value, or its error raised
      once with ``.core`` set), then raises LookupError;
    * ``wait()`` returns every result in core order (or raises the first error in core order)
      whatever ``wait_any`` collected before;
    * ``test()`` never blocks.  When it returns True, the next ``wait_any`` returns at once: on
      the simulator the chip does not advance during that ``wait_any`` (the simulator only runs
      while the host waits or polls, so "without blocking" is "without simulated time passing");
      on other backends it returns within ``wait_any(timeout=...)`` of a small timeout;
    * launches queue behind busy cores in launch order: after a blocking launch on cores S has
      returned, every earlier launch has finished on the cores of S, so ``test()`` of an earlier
      handle with uncollected results on S is True;
    * at the end, every launch's (core, value) pairs are delivered, none lost or duplicated, and
      the backends produce the same multiset of pairs.
    """

    BACKENDS: tuple[str, ...] = ("sim",)

    def __init__(self) -> None:
        super().__init__()
        reset_backends()
        self.kernel = offload(C.write_module(WORK_SOURCE, "epa").work)
        self.open: list[dict[str, Any]] = []
        self.tag = 0
        self.pairs: dict[str, Counter[tuple[int, Any]]] = {b: Counter() for b in self.BACKENDS}
        self.expected_pairs: Counter[tuple[int, Any]] = Counter()

    def teardown(self) -> None:
        try:
            for rec in list(self.open):
                self._wait(rec)
            for b in self.BACKENDS:
                assert self.pairs[b] == self.expected_pairs, (b, self.pairs[b], self.expected_pairs)
        finally:
            reset_backends()

    def _expected(self, cores: list[int], n: int, tag: int, bad: int) -> dict[int, Any]:
        return {c: (("ZeroDivisionError", c) if c == bad else work_model(c, n, tag)) for c in cores}

    @initialize()
    def start(self) -> None:
        pass

    @precondition(lambda self: len(self.open) < 4)
    @rule(cores=core_sets, n=st.integers(0, 400), fail=st.booleans(), data=st.data())
    def launch_async(self, cores: list[int], n: int, fail: bool, data: Any) -> None:
        bad = data.draw(st.sampled_from(cores)) if fail else -1
        self.tag += 1
        handles = {b: self.kernel.launch(n, self.tag, bad, target=cores, backend=b)
                   for b in self.BACKENDS}
        rec = {"handles": handles, "cores": cores, "expected": self._expected(cores, n, self.tag, bad),
               "delivered": {b: [] for b in self.BACKENDS}}
        self.open.append(rec)
        for c, v in rec["expected"].items():
            self.expected_pairs[(c, v)] += 1

    @rule(cores=core_sets, n=st.integers(0, 200))
    def launch_blocking(self, cores: list[int], n: int) -> None:
        self.tag += 1
        want = [work_model(c, n, self.tag) for c in cores]
        for b in self.BACKENDS:
            got = self.kernel(n, self.tag, -1, target=cores, backend=b)
            assert got == want, (b, got, want)
            for c, v in zip(cores, got):
                self.pairs[b][(c, v)] += 1
        for c, v in zip(cores, want):
            self.expected_pairs[(c, v)] += 1
        # queued in launch order: earlier launches have finished on these cores
        for rec in self.open:
            for b in self.BACKENDS:
                pending = (set(cores) & set(rec["cores"])) - set(rec["delivered"][b])
                if pending:
                    assert rec["handles"][b].test(), (b, rec["cores"], cores, rec["delivered"][b])

    def _take(self, rec: dict[str, Any], b: str, timeout: float | None = None) -> None:
        h = rec["handles"][b]
        try:
            core, value = h.wait_any(timeout)
        except KernelError as exc:
            core, value = exc.core, (exc.kind, exc.core)
        assert core in rec["cores"], (core, rec["cores"])
        assert core not in rec["delivered"][b], f"{b}: core {core} delivered twice"
        assert value == rec["expected"][core], (b, core, value, rec["expected"][core])
        rec["delivered"][b].append(core)
        self.pairs[b][(core, value)] += 1

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def wait_any(self, data: Any) -> None:
        rec = data.draw(st.sampled_from(self.open))
        for b in self.BACKENDS:
            if len(rec["delivered"][b]) == len(rec["cores"]):
                with pytest.raises(LookupError):
                    rec["handles"][b].wait_any()
            else:
                self._take(rec, b)

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def test_then_wait_any(self, data: Any) -> None:
        rec = data.draw(st.sampled_from(self.open))
        for b in self.BACKENDS:
            h = rec["handles"][b]
            if not h.test():
                continue
            assert len(rec["delivered"][b]) < len(rec["cores"]), "test() True with nothing left"
            if b == "sim":
                chip = get_backend("sim").chip
                before = chip.now
                self._take(rec, b)
                assert chip.now == before, "wait_any after test() == True advanced the chip"
            else:
                self._take(rec, b, timeout=0.5)

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def drain_with_wait_any(self, data: Any) -> None:
        rec = data.draw(st.sampled_from(self.open))
        for b in self.BACKENDS:
            while len(rec["delivered"][b]) < len(rec["cores"]):
                self._take(rec, b)
            with pytest.raises(LookupError):
                rec["handles"][b].wait_any()
            assert sorted(rec["delivered"][b]) == sorted(rec["cores"])

    def _wait(self, rec: dict[str, Any]) -> None:
        expected = rec["expected"]
        errors = [c for c in rec["cores"] if isinstance(expected[c][0], str)]
        for b in self.BACKENDS:
            h = rec["handles"][b]
            if errors:
                with pytest.raises(ZeroDivisionError) as info:
                    h.wait()
                assert info.value.core == errors[0] and info.value.lineno == WORK_ERROR_LINE
                got = []
                for c in rec["cores"]:
                    try:
                        got.append(h.result(c))
                    except KernelError as exc:
                        got.append((exc.kind, exc.core))
            else:
                got = h.wait()
            assert got == [expected[c] for c in rec["cores"]], (b, got)
            # every core not delivered by wait_any counts now: wait() collected it
            for c, v in zip(rec["cores"], got):
                if c not in rec["delivered"][b]:
                    self.pairs[b][(c, v)] += 1
            rec["delivered"][b] = list(rec["cores"])
            with pytest.raises(LookupError):
                h.wait_any()
            assert not h.test()
        self.open.remove(rec)

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def wait(self, data: Any) -> None:
        self._wait(data.draw(st.sampled_from(self.open)))

    @invariant()
    def delivered_once(self) -> None:
        for rec in self.open:
            for b in self.BACKENDS:
                d = rec["delivered"][b]
                assert len(d) == len(set(d)), (b, d)


class AsyncBothMachine(AsyncMachine):
    BACKENDS = ("sim", "device")


_async_settings = prop_settings(weight=0.3, stateful_step_count=12)
TestAsyncSemanticsSim = AsyncMachine.TestCase
TestAsyncSemanticsSim.settings = _async_settings
TestAsyncSemanticsBoth = needs_device(AsyncBothMachine.TestCase)
TestAsyncSemanticsBoth.settings = _async_settings


# --- regression tests of the disagreements the generators found (see docs/testing.md) ----------
BOOL_POW = '''\
def kernel(a):
    return (a ** 2, True ** 1)
'''
FLOAT_FLOORDIV = '''\
def kernel(x):
    return 1.0 // x
'''


def test_bug1_bool_power_is_an_int(backend: str) -> None:
    mod = C.write_module(BOOL_POW, "epbug")
    got = offload(target=0)(mod.kernel)(False)
    assert C.same(got, (0, 1)), got


def test_bug2_float_floordiv_overflow_gives_inf(backend: str) -> None:
    mod = C.write_module(FLOAT_FLOORDIV, "epbug")
    got = offload(target=0)(mod.kernel)(1.401298464324817e-45)
    assert got == float("inf")


SENDRECV_LARGE = '''\
from epython.parallel import coreid, sendrecv


def kernel(n):
    me = coreid()
    return len(sendrecv([me] * n, me ^ 1))
'''


def test_bug3_sendrecv_exchanges_large_values(backend: str) -> None:
    mod = C.write_module(SENDRECV_LARGE, "epbug")
    assert offload(target=[0, 1])(mod.kernel)(11) == [11, 11]


def test_sendrecv_of_eager_values_works(backend: str) -> None:
    mod = C.write_module(SENDRECV_LARGE, "epbug")
    assert offload(target=[0, 1])(mod.kernel)(7) == [7, 7]


def test_profile_is_known() -> None:
    assert PROFILE in ("ci", "dev", "thorough")
    assert os.environ.get("EPYTHON_HYPOTHESIS_PROFILE", PROFILE) == PROFILE
