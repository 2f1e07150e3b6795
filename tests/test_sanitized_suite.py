"""The language suite on the device backend with the C interpreter built under ASan/UBSan.

``make -C device check-lib`` builds ``libepycore.so`` with ``-fsanitize=address,undefined``;
a child pytest runs the language test modules on the device backend (host e-hal) with that
library as the core program and libasan preloaded.  Any sanitizer report aborts the child, so
the test fails with the report in its output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: the language suite (docs/language.md): every module runs on the device in the child
MODULES = ["tests/test_vs_cpython.py", "tests/test_bad_inputs.py", "tests/test_arrays.py",
           "tests/test_parallel.py", "tests/test_memory.py", "tests/test_device_data.py",
           "tests/test_handle.py", "tests/test_interrupts.py", "tests/test_tracebacks.py"]


def _libasan() -> str | None:
    if shutil.which("gcc") is None or shutil.which("make") is None:
        return None
    path = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True,
                          text=True).stdout.strip()
    return path if path and os.path.isabs(path) and os.path.exists(path) else None


def test_language_suite_is_clean_under_asan_and_ubsan() -> None:
    asan = _libasan()
    if asan is None:
        pytest.skip("needs gcc, make and libasan (gcc's AddressSanitizer runtime)")
    build = subprocess.run(["make", "-C", str(ROOT / "device"), "check-lib"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    env = dict(os.environ,
               LD_PRELOAD=asan,
               ASAN_OPTIONS="detect_leaks=0:halt_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
               EPYTHON_EHAL="host",
               EPYTHON_CORE_PROGRAM=str(ROOT / "device" / "build" / "check" / "libepycore.so"),
               EPYTHON_TEST_BACKENDS="device")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-x", *MODULES], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1200)
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, tail
    assert "ERROR: AddressSanitizer" not in proc.stderr and "runtime error:" not in proc.stderr, tail
    assert "[100%]" in proc.stdout, tail  # the child ran to its end
