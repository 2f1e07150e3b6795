"""The device backend's host side: the ctypes e-hal binding, the host e-hal, the launch protocol.

* The ctypes mirrors of the e-hal structs match device/ehal-host/e-hal.h (compiled with the
  system C compiler, which prints every sizeof and offsetof); tests/test_ehal_layout.py checks
  them against the eSDK 2016.11 headers.
* With no e-hal anywhere, the first launch fails with a BackendError naming every place looked
  at and suggesting EPYTHON_EHAL=host; a missing compiler is reported with what to install.
* The host e-hal API in isolation through ctypes (no core program).
* The whole host path with the fake core program of device/ehal-host/testcore (results, errors,
  printed lines, FIFO queueing, a launch that never finishes, cancel, reset).
* End to end with the real core program (``make -C device host``) when it builds:
  examples/hello.py prints exactly what the simulator prints, and an endless kernel times out
  and leaves the backend usable.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from epython import offload
from epython.backends import device as D
from epython.backends import get_backend, reset_backends
from epython.backends.device import dram, ehal, locate, mailbox
from epython.bytecode import memory
from epython.bytecode import protocol as P
from epython.errors import BackendError, CoreFault, DeadlockError, KernelError, LaunchCancelled
from epython.marshal import MarshalError
from epython.parallel import coreid, recv

ROOT = Path(__file__).resolve().parent.parent
HAVE_CC = shutil.which("make") is not None and (shutil.which("gcc") or shutil.which("cc"))
needs_cc = pytest.mark.skipif(not HAVE_CC, reason="needs make and a C compiler (gcc or cc)")

STRUCTS = ehal.C_STRUCTS  # C struct name -> ctypes mirror


# --- struct layouts --------------------------------------------------------------------------

@needs_cc
def test_ctypes_struct_layouts_match_the_c_header(tmp_path: Path) -> None:
    lines = ["#include <stdio.h>", "#include <stddef.h>", '#include "e-hal.h"',
             "int main(void) {"]
    for cname, cls in STRUCTS.items():
        lines.append(f'    printf("{cname} sizeof %zu\\n", sizeof({cname}));')
        for field, _ in cls._fields_:
            lines.append(f'    printf("{cname} {field} %zu\\n", offsetof({cname}, {field}));')
    lines += ["    return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "layout"
    cc = shutil.which("gcc") or shutil.which("cc")
    assert cc is not None
    subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-I", str(ROOT / "device" / "ehal-host"),
                    str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    c_layout = {(s, f): int(v) for s, f, v in (line.split() for line in out.splitlines())}
    py_layout = {}
    for cname, cls in STRUCTS.items():
        py_layout[(cname, "sizeof")] = ctypes.sizeof(cls)
        for field, _ in cls._fields_:
            py_layout[(cname, field)] = getattr(cls, field).offset
    assert py_layout == c_layout


def test_mailbox_constants_come_from_the_protocol_module() -> None:
    header = mailbox.Header(bytes(range(mailbox.HEADER_BYTES)))
    for name, offset in P.MAILBOX_FIELDS:
        assert getattr(header, name) == int.from_bytes(bytes(range(offset, offset + 4)), "little")
    assert mailbox.HEADER_BYTES == max(off for _, off in P.MAILBOX_FIELDS) + 4


def test_dram_area_is_page_aligned_and_clear_of_the_cold_code_and_the_ehal_shm_table() -> None:
    max_cores = P.MAILBOX_MESSAGE_OFFSET - P.MAILBOX_CORES_OFFSET  # the mailbox's u8 core list
    start = P.DRAM_AREA_OFFSET
    end = start + max_cores * P.MAILBOX_STRIDE + dram.LAUNCH_AREA_BYTES
    assert start % 4096 == 0  # e-hal's esim target needs page-aligned e_alloc buffers
    assert end <= P.EHAL_SHM_OFFSET  # e-hal 2016.11's shared-memory table and heap follow
    # the shared() arrays lie past e-hal's table, up to the end of the 32 MB window
    assert P.SHARED_AREA_OFFSET == P.EHAL_SHM_OFFSET + P.EHAL_SHM_BYTES
    assert P.SHARED_AREA_OFFSET + P.SHARED_ARRAYS_BYTES == P.DRAM_WINDOW_BYTES
    # the Epiphany build's cold code (epycore.ld places it from the same numbers)
    assert P.COLD_CODE_OFFSET % 4096 == 0
    assert P.COLD_CODE_OFFSET + P.COLD_CODE_BYTES <= start


# --- finding the e-hal -----------------------------------------------------------------------

def add(a, b):  # type: ignore[no-untyped-def]
    return a + b


def test_no_ehal_the_first_launch_names_every_place_and_suggests_host(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere" / "libe-hal.so"
    esdk = tmp_path / "esdk"
    esdk.mkdir()
    monkeypatch.setenv("EPYTHON_EHAL", str(nowhere))
    monkeypatch.setenv("EPIPHANY_HOME", str(esdk))
    monkeypatch.setenv("EPYTHON_BACKEND", "device")
    backend = get_backend()
    assert backend.available() is False
    with pytest.raises(BackendError) as info:
        offload(add)(1, 2)
    message = str(info.value)
    assert str(nowhere) in message
    assert str(esdk / "tools" / "host" / "lib" / "libe-hal.so") in message
    assert "find_library" in message
    assert "EPYTHON_EHAL=host" in message


def test_no_ehal_without_override_searches_the_esdk(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.delenv("EPYTHON_EHAL", raising=False)
    monkeypatch.setenv("EPIPHANY_HOME", str(tmp_path))
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    with pytest.raises(BackendError, match="EPYTHON_EHAL=host") as info:
        D.DeviceBackend().launch(offload(add).compiled, [1, 2], [0])
    assert f"EPIPHANY_HOME={tmp_path}" in str(info.value)


def test_ehal_found_in_the_esdk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lib = tmp_path / "tools" / "host" / "lib" / "libe-hal.so"
    lib.parent.mkdir(parents=True)
    lib.write_bytes(b"")
    monkeypatch.delenv("EPYTHON_EHAL", raising=False)
    monkeypatch.setenv("EPIPHANY_HOME", str(tmp_path))
    assert D.find_ehal(build=False)[:2] == (lib, False)
    assert D.DeviceBackend().available()


def test_missing_compiler_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setattr(locate, "_built", {})
    monkeypatch.setenv("PATH", str(tmp_path))  # no make, no gcc
    with pytest.raises(BackendError, match="build-essential"):
        D.build_ehal_host()
    monkeypatch.setenv("EPYTHON_EHAL", "host")
    if not locate.HOST_EHAL.is_file():
        assert not D.DeviceBackend().available()


# --- the host e-hal in isolation ---------------------------------------------------------------

@pytest.fixture
def hal() -> Iterator[ehal.EHal]:
    if not HAVE_CC:
        pytest.skip("needs make and a C compiler to build device/ehal-host")
    h = ehal.EHal(D.build_ehal_host(), host=True)
    h.call("e_init", "test", None)
    yield h
    h.lib.e_finalize()


def test_host_ehal_platform_group_and_memory_round_trips(hal: ehal.EHal) -> None:
    platform = ehal.EPlatform()
    hal.call("e_get_platform_info", "test", ctypes.byref(platform))
    assert (platform.rows, platform.cols, platform.num_chips, platform.num_emems) == (4, 4, 1, 1)
    assert (platform.row, platform.col) == (32, 8)
    # like e-hal 2016.11, the platform copy does not expose the chip and memory segment arrays
    assert not platform.chip and not platform.emem

    dev = ehal.EEpiphany()
    hal.call("e_open", "test", ctypes.byref(dev), 0, 0, 4, 4)
    assert (dev.num_cores, dev.rows, dev.cols, dev.base_coreid) == (16, 4, 4, 0x808)
    assert dev.core[2][3].id == (34 << 6) | 11
    assert dev.core[2][3].mems.map_size == memory.LOCAL_MEMORY_BYTES

    data = bytes(range(256)) * 4
    buf = ctypes.create_string_buffer(data, len(data))
    back = ctypes.create_string_buffer(len(data))
    assert hal.lib.e_write(ctypes.byref(dev), 2, 3, 0x100, buf, len(data)) == len(data)
    assert hal.lib.e_read(ctypes.byref(dev), 2, 3, 0x100, back, len(data)) == len(data)
    assert back.raw == data
    # the group's core (2, 3) is the chip's core 11: its SRAM is what the group maps
    assert ctypes.string_at(dev.core[2][3].mems.base + 0x100, 16) == data[:16]

    mem = ehal.EMem()
    hal.call("e_alloc", "test", ctypes.byref(mem), P.DRAM_AREA_OFFSET, 1 << 20)
    assert mem.objtype == ehal.E_EXT_MEM and mem.ephy_base == 0x8E000000 + P.DRAM_AREA_OFFSET
    assert hal.lib.e_write(ctypes.byref(mem), 0, 0, 4096, buf, len(data)) == len(data)
    back2 = ctypes.create_string_buffer(len(data))
    assert hal.lib.e_read(ctypes.byref(mem), 0, 0, 4096, back2, len(data)) == len(data)
    assert back2.raw == data
    # a second buffer over the same DRAM sees the same bytes
    mem2 = ehal.EMem()
    hal.call("e_alloc", "test", ctypes.byref(mem2), P.DRAM_AREA_OFFSET + 4096, 4096)
    back3 = ctypes.create_string_buffer(16)
    hal.lib.e_read(ctypes.byref(mem2), 0, 0, 0, back3, 16)
    assert back3.raw == data[:16]

    hal.call("e_free", "test", ctypes.byref(mem2))
    hal.call("e_free", "test", ctypes.byref(mem))
    hal.call("e_close", "test", ctypes.byref(dev))


def test_host_ehal_refuses_bad_requests_with_a_reason(hal: ehal.EHal) -> None:
    dev = ehal.EEpiphany()
    with pytest.raises(BackendError, match="outside the 4 x 4 chip"):
        hal.call("e_open", "opening", ctypes.byref(dev), 2, 2, 3, 3)
    hal.call("e_open", "test", ctypes.byref(dev), 1, 1, 2, 2)
    buf = ctypes.create_string_buffer(8)
    with pytest.raises(BackendError, match=r"core \(2, 0\) is outside the 2 x 2 group"):
        hal.call("e_read", "reading", ctypes.byref(dev), 2, 0, 0, buf, 8)
    with pytest.raises(BackendError, match="exceed the core's 32768 bytes"):
        hal.call("e_write", "writing", ctypes.byref(dev), 0, 0, 0x7FFC, buf, 8)
    with pytest.raises(BackendError, match="does not model core registers"):
        hal.call("e_read", "reading", ctypes.byref(dev), 0, 0, 0xF0404, buf, 4)
    mem = ehal.EMem()
    with pytest.raises(BackendError, match="do not fit"):
        hal.call("e_alloc", "allocating", ctypes.byref(mem), 31 << 20, 2 << 20)
    with pytest.raises(BackendError, match="cannot load the host core program"):
        hal.call("e_load_group", "loading", b"/nonexistent/core.so", ctypes.byref(dev), 0, 0,
                 1, 1, 0)
    hal.call("e_close", "test", ctypes.byref(dev))


def test_host_ehal_can_be_finalized_and_initialised_again(hal: ehal.EHal) -> None:
    hal.call("e_finalize", "test")
    with pytest.raises(BackendError, match="call e_init"):
        hal.call("e_open", "opening", ctypes.byref(ehal.EEpiphany()), 0, 0, 1, 1)
    hal.call("e_init", "test", None)
    dev = ehal.EEpiphany()
    hal.call("e_open", "test", ctypes.byref(dev), 0, 0, 4, 4)
    hal.call("e_close", "test", ctypes.byref(dev))


@needs_cc
def test_host_ehal_sanitizer_check_passes() -> None:
    proc = subprocess.run(["make", "-C", str(ROOT / "device" / "ehal-host"), "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all checks passed" in proc.stdout


# --- the whole host path with the fake core program ------------------------------------------

@pytest.fixture
def testcore(monkeypatch: pytest.MonkeyPatch) -> D.DeviceBackend:
    if not HAVE_CC:
        pytest.skip("needs make and a C compiler to build device/ehal-host")
    D.build_ehal_host()
    monkeypatch.setenv("EPYTHON_EHAL", "host")
    monkeypatch.setenv("EPYTHON_CORE_PROGRAM", str(locate.TEST_CORE))
    monkeypatch.setenv("EPYTHON_BACKEND", "device")
    backend = get_backend()
    assert isinstance(backend, D.DeviceBackend)
    return backend


@offload
def fake(n, pad):  # type: ignore[no-untyped-def]
    return n  # the fake core ignores the image: it prints n lines and returns the block size


def block_size(*args: object) -> int:
    from epython.marshal import encode_value

    return 1 + sum(len(encode_value(a)) for a in args)


def test_fake_core_results_lines_and_counters(testcore: D.DeviceBackend,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert testcore.available() and testcore.num_cores() == 16
    assert fake(2, "xy") == [block_size(2, "xy")] * 16
    out = capsys.readouterr().out.splitlines()
    assert _by_core(out) == {c: [f"core {c} line {i}" for i in range(2)] for c in range(16)}
    h = fake.launch(0, None, target=[5, 9])
    assert h.wait() == [block_size(0, None)] * 2
    assert h.cycles == [1005, 1009] and h.instructions == [15, 19]
    assert h.seconds is not None and h.seconds >= 0


def test_fake_core_long_output_wraps_the_ring(testcore: D.DeviceBackend,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    n = 3 * P.MAILBOX_OUT_BYTES // 15
    fake(n, 0, target=[3, 4])
    out = capsys.readouterr().out.splitlines()
    assert _by_core(out) == {c: [f"core {c} line {i}" for i in range(n)] for c in (3, 4)}


def _by_core(out: list[str]) -> dict[int, list[str]]:
    """Printed lines per core, in the order each core's appeared.  Lines stream while the
    launch runs, so how the cores' lines interleave depends on when the host polls; each
    core's own lines keep their order."""
    lines: dict[int, list[str]] = {}
    for line in out:
        prefix, _, text = line.partition("] ")
        lines.setdefault(int(prefix.removeprefix("[core ")), []).append(text)
    return lines


def test_fake_core_error_becomes_the_kernel_exception(testcore: D.DeviceBackend) -> None:
    with pytest.raises(ZeroDivisionError) as info:
        fake(-2, 0, target=[7])
    err = info.value
    assert isinstance(err, KernelError)
    assert err.core == 7 and err.lineno == 3  # type: ignore[attr-defined]


def test_a_core_that_faults_reports_it_and_runs_the_next_launch(testcore: D.DeviceBackend) -> None:
    h = fake.launch(-3, 0, target=[4, 6])
    with pytest.raises(CoreFault) as info:
        h.wait(timeout=10)
    err = info.value
    assert err.core in (4, 6) and err.pc == 0x1234
    assert "unaligned memory access at 0x00001234" in str(err)
    assert "bug of epython's core program" in str(err)
    # the core program was loaded again on the faulted cores: they run the next launch
    assert fake(0, None, target=[4, 6]) == [block_size(0, None)] * 2


def test_launches_on_busy_cores_queue_in_fifo_order(testcore: D.DeviceBackend) -> None:
    first = fake.launch(-1, 0, target=[2])  # never finishes
    second = fake.launch(1, "a", target=[2, 3])
    third = fake.launch(1, "bb", target=[2])
    time.sleep(0.05)
    assert not first.test() and 2 in testcore.busy_cores()
    assert second.wait_any(timeout=5) == (3, block_size(1, "a"))  # core 3 was free
    with pytest.raises(TimeoutError, match="within"):
        second.wait(timeout=0.05)  # core 2 still runs the first launch
    first.cancel()
    with pytest.raises(LaunchCancelled):
        first.wait()
    assert second.wait(timeout=5) == [block_size(1, "a")] * 2
    assert third.wait(timeout=5) == [block_size(1, "bb")]
    assert testcore.busy_cores() == set()


def test_timeout_then_reset_then_the_backend_works(testcore: D.DeviceBackend) -> None:
    with pytest.raises(TimeoutError):
        fake(-1, 0, timeout=0.2)  # a blocking call cancels its launch on timeout
    assert fake(1, 0, target=[0, 15]) == [block_size(1, 0)] * 2
    h = fake.launch(-1, 0, target=[1, 2])
    with pytest.raises(TimeoutError):
        h.wait(timeout=0.1)
    testcore.reset()
    with pytest.raises(LaunchCancelled, match="reset"):
        h.wait()
    assert fake(0, 0) == [block_size(0, 0)] * 16


def test_close_and_reopen(testcore: D.DeviceBackend) -> None:
    assert fake(0, 1, target=1) == block_size(0, 1)
    reset_backends()  # closes the device backend (e_finalize)
    assert fake(0, 2, target=1) == block_size(0, 2)


def test_device_resident_data_that_cannot_travel_is_refused(testcore: D.DeviceBackend) -> None:
    with pytest.raises(MarshalError, match="copy_to_device"):
        testcore.copy_to_device("x", {1: 2}, [0])
    with pytest.raises(KeyError, match="'y' is not defined on core 3"):
        testcore.copy_from_device("y", [3])


# --- end to end with the real core program -----------------------------------------------------

@pytest.fixture(scope="module")
def core_program() -> Path:
    if not HAVE_CC:
        pytest.skip("needs make and a C compiler to build the host core program")
    try:
        D.build_ehal_host()
        return D.build_core_host()
    except BackendError as exc:
        pytest.skip(f"the host build of the core program is not available yet "
                    f"(make -C device host failed): {exc}")


@pytest.fixture
def device(core_program: Path, monkeypatch: pytest.MonkeyPatch) -> D.DeviceBackend:
    monkeypatch.setenv("EPYTHON_EHAL", "host")
    monkeypatch.delenv("EPYTHON_CORE_PROGRAM", raising=False)
    monkeypatch.setenv("EPYTHON_BACKEND", "device")
    backend = get_backend()
    assert isinstance(backend, D.DeviceBackend)
    return backend


def _run_example(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("EPYTHON_")}
    full.update(env)
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=full,
                          cwd=str(ROOT), timeout=120)


def test_hello_example_prints_what_the_simulator_prints(device: D.DeviceBackend) -> None:
    sim = _run_example(ROOT / "examples" / "hello.py")
    dev = _run_example(ROOT / "examples" / "hello.py", EPYTHON_BACKEND="device",
                       EPYTHON_EHAL="host")
    assert sim.returncode == 0, sim.stderr
    assert dev.returncode == 0, dev.stderr
    assert dev.stdout == sim.stdout
    assert "[core 15] Hello World" in dev.stdout


@offload
def spin(n):  # type: ignore[no-untyped-def]
    i = 0
    while True:
        i += n
    return i


@offload
def who(a):  # type: ignore[no-untyped-def]
    print("core", coreid(), a)
    return a * coreid()


def test_endless_kernel_times_out_and_the_backend_works_afterwards(
        device: D.DeviceBackend, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="spin"):
        spin(1, timeout=0.3)
    assert time.monotonic() - start < 10
    assert who(3, target=[2, 5]) == [6, 15]
    h = spin.launch(1, target=[0, 1])
    with pytest.raises(TimeoutError):
        h.wait(timeout=0.2)
    device.reset()
    with pytest.raises(LaunchCancelled):
        h.wait()
    assert who(2) == [2 * c for c in range(16)]
    out = capsys.readouterr().out
    assert "[core 5] core 5 3" in out and "[core 15] core 15 2" in out


@offload
def work(arr, d):  # type: ignore[no-untyped-def]
    arr[coreid()] = arr[coreid()] * 2 + 1
    return 10 // d


def test_errors_and_array_changes_match_the_simulator(device: D.DeviceBackend) -> None:
    results = {}
    for name in ("sim", "device"):
        arr = np.arange(16, dtype=np.int32)
        values = work(arr, 5, target=[1, 2], backend=name)
        with pytest.raises(ZeroDivisionError) as info:
            work(arr, 0, target=[4], backend=name)
        err = info.value
        results[name] = (values, arr.tolist(), err.core, err.lineno,  # type: ignore[attr-defined]
                         str(err))
    assert results["device"] == results["sim"]
    assert results["device"][1][:5] == [0, 3, 5, 3, 9]


@offload
def stuck(n):  # type: ignore[no-untyped-def]
    return recv((coreid() + 1) % n)  # everyone receives, nobody sends


def test_deadlock_is_reported_like_on_the_simulator(device: D.DeviceBackend) -> None:
    with pytest.raises(DeadlockError, match="deadlock, every running core is blocked") as info:
        stuck(2, target=[0, 1])
    assert "core 0 waits for a message from core 1" in str(info.value)
    with pytest.raises(DeadlockError):
        stuck(2, target=[0, 1], backend="sim")
    assert who(1, target=[0, 1]) == [0, 1]  # the cores are free again


@offload
def spread(n, text):  # type: ignore[no-untyped-def]
    return [text] * ((n + coreid()) % 5)


def test_interleaved_kernels_and_arguments_never_see_stale_images_or_results(
        device: D.DeviceBackend) -> None:
    # launches of different kernels, arguments and result sizes back to back on the same
    # cores: each result is the one of its own launch, as on the simulator (a shortened read
    # of the result area or a reused read buffer must not leak an earlier launch's bytes)
    for n in (7, 0, 3, 11, 1):
        text = "x" * (40 * n)
        for name in ("device", "sim"):
            assert spread(n, text, backend=name) == [[text] * ((n + c) % 5) for c in range(16)]
        assert who(n) == [n * c for c in range(16)]
        with pytest.raises(ZeroDivisionError):
            work(np.zeros(16, dtype=np.int32), 0, target=[n % 16])
        assert spread(n + 1, "y", target=[n % 16, 15]) == [["y"] * ((n + 1 + c) % 5)
                                                            for c in (n % 16, 15)]
        arr = np.arange(16, dtype=np.int32)
        assert work(arr, n + 1, target=[3, 9]) == [10 // (n + 1)] * 2
        assert arr[3] == 7 and arr[9] == 19


def test_a_core_left_running_by_a_timeout_does_not_break_the_next_launches(
        device: D.DeviceBackend) -> None:
    h = spin.launch(1, target=[0, 1, 2, 3])
    with pytest.raises(TimeoutError, match="spin"):
        h.wait(timeout=0.1)
    # the spinning cores' threads keep running; the other cores launch as usual
    for a in (2, 5, 9):
        assert who(a, target=list(range(4, 16))) == [a * c for c in range(4, 16)]
    h.cancel()
    with pytest.raises(LaunchCancelled):
        h.wait()
    for a in (4, 6):  # the cancelled cores run the next launches with their own arguments
        assert who(a) == [a * c for c in range(16)]
    with pytest.raises(TimeoutError):  # a blocking launch that times out is cancelled
        spin(2, timeout=0.1)
    assert who(8) == [8 * c for c in range(16)]
