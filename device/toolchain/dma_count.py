"""Count the instructions of e-lib's ``e_dma_copy`` on e-sim (issue 15: what a DMA costs the
core before the engine moves a byte).

Builds ``dma_count/harness.c`` with the e-lib 2016.11 sources of ``e_dma_copy`` and what it
calls (``e_dma_start``, ``e_dma_busy``, ``e_reg_read``, ``e_reg_write``), compiled with the
project's epiphany-elf-gcc at -O2, runs it alone on one e-sim core, and prints, per copy, the
instructions between the two CTIMER0 reads around the call (e-sim ticks CTIMER once per
instruction).  Small copies finish within the call's first status poll, so their count is the
software's fixed cost; larger ones add one poll (``e_dma_busy``) per wait.

Usage: ``python device/toolchain/dma_count.py --elib DIR [--json FILE]``, where DIR holds
e-lib's ``src/`` and ``include/`` (``EPYTHON_ELIB_SRC``; from the fetched repository
github:adapteva/epiphany-libs: ``git --git-dir=REPO archive epiphany-libs-esdk-2016.11 e-lib |
tar x``).  The toolchain: ``EPIPHANY_TOOLCHAIN`` (default ~/.cache/epython/epiphany); e-sim:
``EPYTHON_ESIM_PREFIX`` (see epython/backends/device/esim.py).  A one-core e-sim names its
shared memory after its process, so it does not disturb a 16-core simulation.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from epython.backends.device.esim import esim_prefix  # noqa: E402

HERE = Path(__file__).resolve().parent / "dma_count"
#: The e-lib 2016.11 files the count compiles: e_dma_copy and every function it calls.
ELIB_SOURCES = ("e_dma_copy.c", "e_dma_start.c", "e_dma_busy.c", "e_reg_read.c", "e_reg_write.c")
ROW = re.compile(r"^(?P<what>[a-z_-]+(?: [a-z-]+)?) (?P<bytes>\d+) (?P<count>\d+)$")


def toolchain() -> Path:
    """The epiphany-elf toolchain's prefix."""
    value = os.environ.get("EPIPHANY_TOOLCHAIN", "").strip()
    return Path(value) if value else Path.home() / ".cache" / "epython" / "epiphany"


def elib_dir(given: str | None) -> Path | None:
    """The e-lib source directory (``src/`` and ``include/``), or None when there is none."""
    value = given or os.environ.get("EPYTHON_ELIB_SRC", "").strip()
    if not value:
        return None
    path = Path(value)
    for candidate in (path, path / "e-lib"):
        if (candidate / "src" / "e_dma_copy.c").is_file():
            return candidate
    return None


def missing(elib: Path | None) -> list[str]:
    """What the count needs and this machine lacks, each with what to do."""
    out = []
    if elib is None:
        out.append("e-lib 2016.11 sources: fetch github:adapteva/epiphany-libs, extract its "
                   "e-lib folder (tag epiphany-libs-esdk-2016.11) and set EPYTHON_ELIB_SRC")
    if not (toolchain() / "bin" / "epiphany-elf-gcc").is_file():
        out.append(f"epiphany-elf-gcc in {toolchain()}: make -C device toolchain")
    if not (esim_prefix() / "bin" / "epiphany-elf-run").is_file():
        out.append(f"epiphany-elf-run in {esim_prefix()}: build e-sim (set EPYTHON_ESIM_PREFIX)")
    return out


def count(elib: Path) -> list[dict[str, object]]:
    """Build the harness with ``elib``'s sources, run it on e-sim; its rows as data."""
    gcc = toolchain() / "bin" / "epiphany-elf-gcc"
    run = esim_prefix() / "bin" / "epiphany-elf-run"
    with tempfile.TemporaryDirectory(prefix="dma_count-") as tmp:
        elf = Path(tmp) / "dma_count.elf"
        subprocess.run([str(gcc), "-O2", "-nostdlib", f"-I{elib / 'include'}",
                        "-Wl,-Ttext=0x100", "-Wl,-e,_start", "-Wl,--no-warn-rwx-segments",
                        "-o", str(elf), str(HERE / "start.S"), str(HERE / "harness.c"),
                        *(str(elib / "src" / f) for f in ELIB_SOURCES), "-lgcc"],
                       check=True, capture_output=True, text=True)
        proc = subprocess.run([str(run), "--e-coreid", "0x808", "--e-first-core", "0x808",
                               "--e-rows", "1", "--e-cols", "1", "--e-ext-ram-size", "32M",
                               "--e-ext-ram-base", "0x8e000000", "--e-external-fetch", str(elf)],
                              capture_output=True, text=True, timeout=120, check=False)
    rows = []
    for line in proc.stdout.splitlines():
        m = ROW.match(line.strip())
        if m:
            rows.append({"what": m["what"], "bytes": int(m["bytes"]),
                         "instructions": int(m["count"])})
    if proc.returncode != 0 or not rows:
        raise RuntimeError(f"e-sim run failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}"
                           f"{proc.stderr[-2000:]}")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print the counts (and write them as JSON); exit 2 when a part is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elib", help="e-lib source directory (default: EPYTHON_ELIB_SRC)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    ns = parser.parse_args(argv)
    elib = elib_dir(ns.elib)
    lacking = missing(elib)
    if lacking:
        for part in lacking:
            print(f"missing: {part}", file=sys.stderr)
        return 2
    assert elib is not None
    rows = count(elib)
    print(f"{'call':<26} {'bytes':>6} {'instructions':>12}")
    for r in rows:
        print(f"{r['what']:<26} {r['bytes']:>6} {r['instructions']:>12}")
    if ns.json:
        ns.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
