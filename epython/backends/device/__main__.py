"""``python -m epython.backends.device esim``: check the e-sim installation that
``EPYTHON_EHAL=esim`` uses and run a kernel on it (``make -C device esim``)."""

from __future__ import annotations

import os
import sys
import time

from epython.backends.device.esim import PARTS, esim_prefix, missing_parts


def _sum_below(n):  # type: ignore[no-untyped-def]
    total = 0
    for i in range(n):
        total += i
    return total


def main() -> int:
    """``python -m epython.backends.device esim`` (``make -C device esim``): say whether e-sim
    and the esim-target libe-hal are installed where the backend looks, and if so run a kernel
    on 16 simulated cores through them.  It builds nothing of theirs."""
    prefix = esim_prefix()
    missing = missing_parts(prefix)
    print(f"e-sim prefix: {prefix} (EPYTHON_ESIM_PREFIX, else EPIPHANY_TOOLCHAIN)")
    for part in PARTS:
        print(f"  {'missing' if part in missing else 'found  '}  {part}")
    if missing:
        print("Build e-sim (adapteva/epiphany-binutils-gdb, branch epiphany-gdb-8.2, "
              "--enable-sim --enable-emesh-sim) and eSDK 2016.11's e-hal with its esim target "
              "(adapteva/epiphany-libs, tag epiphany-libs-esdk-2016.11, -DESIM_TARGET, -lesim) "
              "into that prefix with their own build systems: docs/backends.md, 'The device "
              "backend on e-sim'.")
        return 1
    os.environ["EPYTHON_BACKEND"] = "device"
    os.environ["EPYTHON_EHAL"] = "esim"
    from epython.backends.device.backend import DeviceBackend
    from epython.compiler import compile_kernel

    kernel = compile_kernel(_sum_below)
    backend = DeviceBackend()
    start = time.monotonic()
    try:
        launch = backend.launch(kernel, [1000], list(range(backend.num_cores())))
        results = launch.wait_all(60)
    finally:
        backend.close()
    values = {r.value for r in results}
    print(f"16 cores ran k(1000) on e-sim under the real libe-hal in "
          f"{time.monotonic() - start:.2f} s (simulator start included): results {values}, "
          f"{results[0].cycles} Epiphany instructions on core {results[0].core}")
    return 0 if values == {sum(range(1000))} and len(results) == 16 else 1




if __name__ == "__main__":
    if sys.argv[1:] != ["esim"]:
        print("usage: python -m epython.backends.device esim", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main())
