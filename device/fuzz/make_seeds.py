"""Write the seed corpus of the core interpreter's fuzz target (device/fuzz/fuzz_image.c).

Compiles the kernels of the test corpus (tests/kernels, every case but those that are refused
at compile time or deadlock, with their arguments) and writes, per kernel, a container input: b"EPYF", u16 image length, the program image, then the argument
block exactly as epy-run reads it (u8 count + marshalled values).  A few kernels are also
written as a bare image (the target then passes ints as arguments).

    python device/fuzz/make_seeds.py [OUT_DIR]        (default device/fuzz/seeds)

Run from the repository root with the package importable (PYTHONPATH=. or installed).
"""

from __future__ import annotations

import hashlib
import struct
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: Image plus arguments must fit the cores' user memory to be run (else MemoryError).
USER_BYTES = 32768 - 1024 - 20480


def container(image: bytes, args: tuple[Any, ...]) -> bytes:
    """The fuzz target's input for one kernel run."""
    from epython.marshal import encode_value

    block = bytes([len(args)]) + b"".join(encode_value(a) for a in args)
    return b"EPYF" + struct.pack("<H", len(image)) + image + block


def cases() -> Iterable[tuple[str, Callable[..., Any], tuple[Any, ...]]]:
    """(name, kernel, args) of every case of the test corpus that compiles and terminates."""
    from tests import kernels

    for case in kernels.cases(without=("refused", "deadlock")):
        yield case.name, case.fn, tuple(case.args)


def main(argv: list[str]) -> int:
    from epython.compiler import CompileError, compile_kernel

    out = Path(argv[1]) if len(argv) > 1 else ROOT / "device" / "fuzz" / "seeds"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.bin"):
        old.unlink()
    seen: set[str] = set()
    written = bare = 0
    for name, fn, args in cases():
        try:
            image = compile_kernel(fn).image
            data = container(image, args)
        except (CompileError, TypeError, ValueError):
            continue
        if len(data) - 6 > USER_BYTES:
            continue
        digest = hashlib.sha1(data).hexdigest()[:8]
        if digest in seen:
            continue
        seen.add(digest)
        (out / f"{name}-{digest}.bin").write_bytes(data)
        written += 1
        if written % 8 == 0:  # some bare images too
            (out / f"bare-{name}-{digest}.bin").write_bytes(image)
            bare += 1
    print(f"make_seeds: {written} kernels with arguments and {bare} bare images in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
