"""Printed lines reach the host's stdout while a blocking launch runs (issue 16, item 5): a
child process prints from a kernel that then computes for a while; the parent reads the child's
stdout line by line and sees the kernel's first line before the launch has returned."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from epython import offload
from epython.parallel import coreid

CHILD = textwrap.dedent("""
    import sys
    from epython import offload

    @offload(target=[0, 1])
    def slow(n):
        print("started")
        s = 0
        for i in range(n):
            s += i % 7
        print("done")
        return s

    print("launching", flush=True)
    result = slow(N)
    print("returned", result, flush=True)
""")


@pytest.mark.parametrize("name", ["sim", "device"])
def test_lines_arrive_while_the_kernel_runs(tmp_path: Path, name: str) -> None:
    from epython.testing.compare import backend_available

    ok, why = backend_available(name)
    if not ok:
        pytest.skip(why)
    # a second or so of kernel time: Adapteva's e-sim runs the chip's ISA far slower than the
    # host e-hal's threads run the C interpreter
    n = (2_000_000 if name == "sim" else
         20_000 if os.environ.get("EPYTHON_EHAL") == "esim" else 40_000_000)
    script = tmp_path / "child.py"
    script.write_text(CHILD.replace("N)", f"{n})"))
    env = dict(os.environ, EPYTHON_BACKEND=name, PYTHONUNBUFFERED="1")
    env.setdefault("EPYTHON_EHAL", "host")
    # the Python engine's pace (native loops would finish the sim's loop in a few hundredths)
    env["ESIM_NATIVE"] = "0"
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                             env=env, cwd=tmp_path)
    assert child.stdout is not None
    watchdog = threading.Timer(300, child.kill)  # a hung child fails the test, not the run
    watchdog.start()
    seen: list[tuple[float, str]] = []
    try:
        for line in child.stdout:
            seen.append((time.monotonic(), line.rstrip("\n")))
    finally:
        watchdog.cancel()
    assert child.wait(timeout=10) == 0, seen
    texts = [t for _, t in seen]
    assert texts[0] == "launching" and texts[-1].startswith("returned")
    assert texts[1:3] == ["[core 0] started", "[core 1] started"]
    assert sorted(texts[3:5]) == ["[core 0] done", "[core 1] done"]
    launched, started, returned = seen[0][0], seen[1][0], seen[-1][0]
    # the first line came while the kernel ran, well before the launch returned
    assert returned - started > 0.5 * (returned - launched), seen


def chatty():
    for i in range(3):
        print("line", i, "of", coreid())
    return 0


def test_the_order_of_lines_does_not_depend_on_how_the_host_waits(capsys) -> None:
    offload(target=[3, 1, 2])(chatty)()
    blocking = capsys.readouterr().out
    h = offload(target=[3, 1, 2], async_=True)(chatty)()
    while not h.test():
        pass
    h.wait()
    assert capsys.readouterr().out == blocking
    lines = blocking.splitlines()
    assert sorted(lines) == sorted(f"[core {c}] line {i} of {c}" for c in (1, 2, 3)
                                   for i in range(3))
