"""Finding and parsing a kernel's source (scripts, imported modules and notebook cells)."""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from epython.errors import CompileError

__all__ = ["FunctionSource", "get_function_source"]


@dataclass
class FunctionSource:
    """The parsed definition of one Python function plus what is needed for messages."""

    func: Callable[..., Any]
    node: ast.FunctionDef
    filename: str
    lines: dict[int, str]  # absolute line number -> text

    def line(self, lineno: int) -> str:
        """Text of an absolute source line ('' when unknown)."""
        return self.lines.get(lineno, "")


def get_function_source(func: Callable[..., Any]) -> FunctionSource:
    """Parse ``func``'s definition through inspect; a clear CompileError if there is no source.

    IPython and Jupyter register each cell with linecache, so kernels defined in notebook cells
    work; the plain interactive interpreter keeps no source and gets an explanatory error.
    """
    code = getattr(func, "__code__", None)
    name = getattr(func, "__qualname__", repr(func))
    filename = code.co_filename if code is not None else "<unknown>"
    try:
        src_lines, start = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise CompileError(
            f"cannot read the source of {name!r} ({exc})", filename,
            code.co_firstlineno if code is not None else 0, 0,
            hint="kernels are compiled from their source text: define them in a file, a module "
                 "or a notebook cell (the plain interactive interpreter keeps no source)") from None
    text = textwrap.dedent("".join(src_lines))
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        raise CompileError(f"cannot parse the source of {name!r}: {exc.msg}", filename,
                           (exc.lineno or 1) + start - 1, exc.offset or 0) from None
    ast.increment_lineno(tree, start - 1 if start > 0 else 0)
    node = tree.body[0] if tree.body else None
    if isinstance(node, ast.AsyncFunctionDef):
        raise CompileError(f"async def {name} cannot be a kernel", filename, node.lineno,
                           node.col_offset, hint="use a plain def; use async_=True for asynchronous launches")
    if not isinstance(node, ast.FunctionDef):
        raise CompileError(f"{name!r} is not defined by a def statement", filename, start, 0,
                           hint="lambdas cannot be offloaded; write a def")
    all_lines = linecache.getlines(filename)
    lines = {i + 1: text for i, text in enumerate(all_lines)} if all_lines else {
        start + i: text for i, text in enumerate(src_lines)}
    return FunctionSource(func, node, filename, lines)
