"""Command line: ``python -m epython dis FILE.py:FUNCTION`` lists a kernel's bytecode.

The file is imported as a module (its top-level code runs, except under
``if __name__ == "__main__":``), then the named function (plain or ``@offload``-decorated) is
compiled and disassembled together with every function it calls.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from epython.bytecode.dis import disassemble
from epython.compiler import compile_kernel
from epython.errors import CompileError


def _load(path: Path) -> object:
    spec = importlib.util.spec_from_file_location(f"_epython_dis_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m epython``."""
    parser = argparse.ArgumentParser(prog="python -m epython", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dis = sub.add_parser("dis", help="disassemble a kernel: FILE.py:FUNCTION")
    dis.add_argument("target", help="path/to/file.py:function_name")
    ns = parser.parse_args(argv)
    file_part, sep, name = ns.target.rpartition(":")
    if not sep or not file_part or not name:
        parser.error(f"expected FILE.py:FUNCTION, got {ns.target!r}")
    path = Path(file_part)
    if not path.is_file():
        parser.error(f"{path} is not a file")
    module = _load(path)
    func = getattr(module, name, None)
    if func is None:
        parser.error(f"{path} defines no {name!r}")
    func = getattr(func, "__wrapped__", func)
    try:
        compiled = compile_kernel(func)
    except CompileError as exc:
        print(exc, file=sys.stderr)
        return 1
    sys.stdout.write(disassemble(compiled.program))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
