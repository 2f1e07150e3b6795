"""The device backend on the real ISA: eSDK 2016.11's libe-hal (esim target) driving Adapteva's
instruction-set simulator, which runs the real Epiphany build of the core program
(EPYTHON_EHAL=esim).  The whole language suite runs there with
``EPYTHON_EHAL=esim pytest --epython-backends=device`` (docs/testing.md); these tests are the
ones that say what only e-sim shows.

They need e-sim and the esim-target libe-hal installed (docs/backends.md, "The device backend
on e-sim") and the cross toolchain (make -C device toolchain); elsewhere they skip saying so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from epython import offload
from epython.backends import get_backend
from epython.backends.device import esim
from epython.backends.device.backend import DeviceBackend

ROOT = Path(__file__).resolve().parents[1]
TOOLCHAIN = Path(os.environ.get("EPIPHANY_TOOLCHAIN", Path.home() / ".cache/epython/epiphany"))
MISSING = esim.missing_parts(esim.esim_prefix())
if not (TOOLCHAIN / "bin" / "epiphany-elf-gcc").is_file():
    MISSING.append("bin/epiphany-elf-gcc (make -C device toolchain)")

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"e-sim is not installed in {esim.esim_prefix()} (missing "
    f"{', '.join(MISSING)}): see docs/backends.md, 'The device backend on e-sim'")


@pytest.fixture
def on_esim(monkeypatch: pytest.MonkeyPatch) -> DeviceBackend:
    monkeypatch.setenv("EPYTHON_BACKEND", "device")
    monkeypatch.setenv("EPYTHON_EHAL", "esim")
    backend = get_backend()
    assert isinstance(backend, DeviceBackend)
    return backend


def run_hello(backend: str, ehal: str | None) -> str:
    env = dict(os.environ, EPYTHON_BACKEND=backend)
    env.pop("EPYTHON_EHAL", None)
    if ehal:
        env["EPYTHON_EHAL"] = ehal
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "hello.py")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_tutorial_prints_what_the_simulator_prints() -> None:
    assert run_hello("device", "esim") == run_hello("sim", None)


@offload
def spin(n):  # type: ignore[no-untyped-def]
    total = 0
    for i in range(n):
        total += i * 3 - 1
    return total


def test_sixteen_cores_run_the_real_build_and_count_instructions(on_esim: DeviceBackend) -> None:
    h = spin.launch(200)
    assert h.wait() == [sum(i * 3 - 1 for i in range(200))] * 16
    # e-sim's CTIMER ticks once per instruction: the cycles are Epiphany instruction counts,
    # more of them for a longer loop
    longer = spin.launch(2000, target=[0])
    longer.wait()
    assert longer.cycles[0] > h.cycles[0] > 0


def test_closing_the_backend_stops_the_simulation(on_esim: DeviceBackend) -> None:
    spin(1)
    assert esim._live_simulators()
    on_esim.close()
    assert not esim._live_simulators()
    assert not Path(f"/dev/shm/esim.u{os.getuid()}").exists()
    assert spin(3) == [-1 + 2 + 5] * 16  # the next launch starts a new simulation


@offload
def touch(n, a):  # type: ignore[no-untyped-def]
    return a[1]


@offload
def scale(x):  # type: ignore[no-untyped-def]
    return x * 1.5 + 0.25


def test_array_arguments_leave_the_config_register_alone(on_esim: DeviceBackend) -> None:
    # GCC 12's mode switching ANDed CONFIG with a register nothing had set, in the functions that
    # read an array argument: on e-sim CONFIG became 0 (CTIMER0 stopped, so every later launch
    # reported 0 cycles); a value with ARITHMODE's bits would have left the FPU in integer mode
    import numpy as np

    # the first launch on core 0 after some earlier tests (tests/test_handle.py or
    # tests/test_interrupts.py, already at 0f98f51) ran 19 more instructions than the next one:
    # warm the core up first, so that before and after see the same state
    spin.launch(50, target=[0]).wait()
    before = spin.launch(50, target=[0])
    before.wait()
    for a in (np.arange(4, dtype=np.int32), np.arange(4, dtype=np.float32),
              np.array([True, False, True], dtype=bool)):
        h = touch.launch(3, a, target=[0])
        assert h.wait() == [a[1].item()]
    after = spin.launch(50, target=[0])
    after.wait()
    assert after.cycles[0] == before.cycles[0] > 0  # e-sim counts the same instructions again
    assert scale(2.0, target=0) == 3.25
