"""The kernel compiler: a Python function (a defined subset, docs/language.md) -> a program image.

The compiler needs neither a chip nor a backend: it imports only ``epython.bytecode`` and
``epython.errors``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from epython.bytecode.image import Program, encode
from epython.bytecode.verify import verify
from epython.compiler.codegen import ProgramBuilder
from epython.errors import CompileError

__all__ = ["CompileError", "CompiledKernel", "compile_kernel"]


@dataclass(frozen=True)
class CompiledKernel:
    """A compiled kernel: the image every core receives plus host-side facts for messages."""

    name: str
    program: Program
    image: bytes
    params: tuple[str, ...]
    filename: str
    source_lines: dict[int, str]
    function_files: tuple[str, ...]  # file of each function (helpers may live elsewhere)
    function_lines: tuple[dict[int, str], ...]

    def source_line(self, func: int, lineno: int) -> str:
        """Text of ``lineno`` in the file of function ``func``."""
        if 0 <= func < len(self.function_lines):
            return self.function_lines[func].get(lineno, "")
        return self.source_lines.get(lineno, "")

    def filename_of(self, func: int) -> str:
        """File in which function ``func`` is defined."""
        if 0 <= func < len(self.function_files):
            return self.function_files[func]
        return self.filename


def compile_kernel(func: Callable[..., Any], device_globals: tuple[str, ...] = (),
                   reserved: tuple[str, ...] = ()) -> CompiledKernel:
    """Compile ``func`` and every function it calls; raises CompileError on unsupported code.

    ``device_globals`` are the device-resident names; ``reserved`` are keywords that the caller
    of the kernel takes for itself (the launch options of ``@offload``), which the kernel's own
    parameters must not use.
    """
    builder = ProgramBuilder(func, device_globals, reserved)
    program = builder.build()
    stale = builder.constant_reads & builder.declared_globals
    in_place = builder.makes_sets and builder.plain_bitops  # |= on sets must change them
    if stale or in_place:  # read as constants, assigned elsewhere after `global`: every read
        # is a global's; or sets: every |= &= -= ^= is set.inplace
        builder = ProgramBuilder(func, device_globals, reserved, frozenset(stale), in_place)
        program = builder.build()
    verify(program)  # the compiler's output must always pass the verifier
    image = encode(program)
    src = builder.entry_source
    return CompiledKernel(
        name=src.node.name,
        program=program,
        image=image,
        params=tuple(a.arg for a in src.node.args.args),
        filename=src.filename,
        source_lines=src.lines,
        function_files=tuple(ref.source.filename for ref in builder.refs),
        function_lines=tuple(ref.source.lines for ref in builder.refs),
    )
