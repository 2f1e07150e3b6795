"""Timeouts, Ctrl-C and cancellation leave the backend usable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from epython import LaunchCancelled, offload
from epython.parallel import coreid, recv


def spin():
    s = 0
    while True:
        s = (s + 1) & 0xFFFF  # wraps: the host's C core reaches 2**31 increments in seconds


def add(a, b):
    return a + b + coreid()


def test_timeout_of_a_blocking_call_frees_the_cores() -> None:
    with pytest.raises(TimeoutError, match=r"(?s)within 0.3 s of wall time.*core 15 is running"):
        offload(spin)(timeout=0.3)
    assert offload(add)(1, 2) == [3 + c for c in range(16)]


def test_wait_timeout_on_a_handle_then_cancel() -> None:
    handle = offload(async_=True)(spin)(target=[2, 3])
    with pytest.raises(TimeoutError):
        handle.wait(timeout=0.2)
    with pytest.raises(TimeoutError):
        handle.wait_any(timeout=0.2)
    handle.cancel()
    with pytest.raises(LaunchCancelled, match="cancelled by the host"):
        handle.wait()
    assert offload(add)(0, 0, target=[2, 3]) == [2, 3]


def test_ctrl_c_during_a_blocking_call_leaves_the_backend_usable() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        offload(spin)(target=0)
    timer.join()
    assert offload(add)(1, 1, target=0) == 2


def spin_or_wait(n):
    if coreid() == 0:
        return recv(1)  # WAITS
    while True:
        n = (n + 1) & 0xFFFF


def test_timeout_lists_what_each_core_does() -> None:
    handle = offload(async_=True)(spin_or_wait)(0, target=[0, 1])
    with pytest.raises(TimeoutError) as info:
        handle.wait(timeout=0.3)
    text = str(info.value)
    assert "core 0 waits for a message from core 1 (recv) at " in text, text
    assert "return recv(1)  # WAITS" in text and "core 1 is running" in text, text
    handle.cancel()
    assert offload(add)(1, 1, target=[0, 1]) == [2, 3]



EXIT_SCRIPT = '''\
import sys
from epython import offload


def spin_forever(n):
    while True:
        n = (n + 1) & 0xFFFF


handle = offload(async_=True)(spin_forever)(1)
queued = offload(async_=True)(spin_forever)(2, target=[0, 1])
print("launched", flush=True)
'''


def test_the_host_process_exits_with_launches_still_running(backend: str, tmp_path: Any) -> None:
    script = tmp_path / "leave_running.py"
    script.write_text(EXIT_SCRIPT)
    env = dict(os.environ, EPYTHON_BACKEND=backend)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "launched\n" and "Traceback" not in proc.stderr, proc.stderr
    assert time.monotonic() - start < 30


# every test of this module runs on each available backend (sim, and device over the host e-hal)
pytestmark = pytest.mark.usefixtures("backend")
