"""Run small programs as kernels and compare what they print with CPython (issue 17).

A program is a Python file in the style of MicroPython's ``tests/basics``: top-level statements
that print.  :func:`as_kernel` turns it into a module whose one kernel function (``KERNEL``) runs
those statements on one core: imports and ``def``/``class`` statements stay at module level, every
other top-level statement moves into that function, and every name the program assigns at top level
becomes a ``global`` of the kernel (so that the program's functions see it, as they see module
globals under CPython).  :func:`run_program` runs the original under CPython (a subprocess, with
a timeout) and the kernel on a backend, and classifies the pair:

* ``match``: the same printed lines, and the same uncaught exception class (or none; an
  uncaught ``SystemExit`` matches CPython's exit, whose status says nothing more here);
* ``refused``: the kernel does not compile (``detail``: the CompileError's first line);
* ``int32``: the kernel raised OverflowError where CPython did not (the documented int32 limit);
* ``mismatch``: anything else (``detail`` says where the outputs part);
* ``skipped``: CPython itself fails to run the program to the end for a reason outside it (an
  import, a timeout), or prints ``SKIP`` (MicroPython's convention for "not for this port").

``python -m epython.testing.corpus PATH... [--backend sim] [--json FILE]`` runs every ``*.py``
below the paths and prints the counts, the commonest refusals and the mismatches.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import subprocess
import sys
import tokenize
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["STATUSES", "ProgramResult", "as_kernel", "main", "run_program", "run_corpus",
           "top_level_names"]

#: The name of the function that :func:`run_program` makes of a program's top level.
KERNEL = "corpus_kernel"
STATUSES = ("match", "refused", "int32", "mismatch", "skipped")
#: Exceptions that mean CPython could not run the program for a reason outside the language.
_OUTSIDE = ("ImportError", "ModuleNotFoundError", "SystemExit", "KeyboardInterrupt")


@dataclass(frozen=True)
class ProgramResult:
    """What one program did: its ``status`` (one of STATUSES) and a one-line ``detail``."""

    path: str
    status: str
    detail: str = ""


def _scope_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``node``'s scope: not inside functions, classes, lambdas or comprehensions."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                              ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        yield from _scope_nodes(child)


def top_level_names(statements: Iterable[ast.stmt]) -> list[str]:
    """The names that ``statements`` assign in their own scope, in order of first assignment."""
    names: dict[str, None] = {}
    for stmt in statements:
        for node in _scope_nodes(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                names.setdefault(node.id, None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names.setdefault((alias.asname or alias.name).split(".")[0], None)
    return list(names)


def _stays_at_module_level(stmt: ast.stmt, twice: frozenset[str] = frozenset()) -> bool:
    """Whether a top-level statement stays in the module (``twice``: the function names the
    program defines more than once, whose defs move into the kernel: a module keeps only the
    last one, where CPython calls the one bound at the moment)."""
    if isinstance(stmt, ast.FunctionDef) and stmt.name in twice:
        return False
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))  # a docstring


def _string_continuations(lines: list[str]) -> set[int]:
    """Indexes of the lines that continue a multi-line string literal (not to be indented)."""
    inside: set[int] = set()
    text = io.StringIO("\n".join(lines) + "\n")
    for tok in tokenize.generate_tokens(text.readline):
        if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
            inside.update(range(tok.start[0], tok.end[0]))  # rows start[0] + 1 .. end[0]
    return inside


def as_kernel(source: str, name: str = "kernel") -> str:
    """``source`` (a program) as a module whose function ``name`` runs its top-level statements.

    The module keeps the program's imports, functions and classes on their lines; the moved
    statements are blanked there and follow, in order, in ``name`` at the end of the file.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    inside = _string_continuation_lines(source)
    names = Counter(s.name for s in tree.body if isinstance(s, ast.FunctionDef))
    twice = frozenset(n for n, count in names.items() if count > 1)
    moved = [s for s in tree.body if not _stays_at_module_level(s, twice)]
    module_lines = list(lines)
    body: list[str] = []
    taken: set[int] = set()
    inside = _string_continuations(lines)
    for stmt in moved:
        for k in range(stmt.lineno - 1, stmt.end_lineno or stmt.lineno):
            if k not in taken:  # statements joined by ';' share a line
                taken.add(k)
                if k in inside:
                    body.append(lines[k])  # the text of a multi-line string: as it is
                else:
                    body.append("    " + lines[k] if lines[k].strip() else "")
                module_lines[k] = ""
    kept = {getattr(s, "name", None) for s in tree.body}
    assigned = [n for n in top_level_names(moved) if n not in kept]
    header = [f"def {name}():"] + ([f"    global {', '.join(assigned)}"] if assigned else [])
    return "\n".join(module_lines + [""] + header + (body or ["    pass"]) + [""])


def _string_continuation_lines(source: str) -> set[int]:
    """The 0-based lines that continue a multi-line string token (indenting them would change
    the string)."""
    out: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.STRING or getattr(tokenize, "FSTRING_MIDDLE", -1) == tok.type:
                out.update(range(tok.start[0], tok.end[0]))  # rows after the first, 0-based
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _cpython(path: Path, timeout: float) -> tuple[list[str], str | None, str | None]:
    """(printed lines, uncaught exception class or None, why it was skipped or None)."""
    try:
        # bytes, decoded here: text=True would turn a printed "\r" into a line break
        proc = subprocess.run([sys.executable, str(path.resolve())], capture_output=True,
                              timeout=timeout, cwd=path.parent)
    except subprocess.TimeoutExpired:
        return [], None, f"CPython took longer than {timeout:g} s"
    error = None
    stdout = proc.stdout.decode("utf-8", errors="replace")
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode > 0 and "Traceback (most recent call last)" not in stderr:
        error = "SystemExit"  # sys.exit(n) / raise SystemExit(...): an exit without a traceback
    elif proc.returncode != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        error = last.split(":")[0].split(".")[-1] or f"exit {proc.returncode}"
        if error in _OUTSIDE:
            return [], None, f"CPython: {last}"
    from epython.testing.compare import output_lines

    out = output_lines(stdout) if stdout else []
    if out[:1] == ["SKIP"]:
        return [], None, "the program prints SKIP"
    return out, error, None


def run_program(path: Path, backend: str = "sim", timeout: float = 20.0) -> ProgramResult:
    """Run the program at ``path`` under CPython and as a kernel on core 0 of ``backend``."""
    from epython import CompileError, offload
    from epython.testing.compare import run_backend, write_module

    source = path.read_text(encoding="utf-8", errors="replace")
    want, want_error, skip = _cpython(path, timeout)
    if skip:
        return ProgramResult(str(path), "skipped", skip)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:  # CPython ran it: a newer syntax than this Python's
        return ProgramResult(str(path), "skipped", f"this Python cannot parse it: {exc.msg}")
    decorated = [f for f in ast.walk(tree) if isinstance(
        f, (ast.FunctionDef, ast.ClassDef)) and f.decorator_list]
    if decorated:  # decorators run on the host when the module is imported
        return ProgramResult(str(path), "refused", "decorators are not supported in kernels")
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # CPython's SyntaxWarnings, epython's warnings
            module = write_module(as_kernel(source, KERNEL), "corpus")
            kernel = offload(target=[0])(getattr(module, KERNEL))
    except CompileError as exc:
        return ProgramResult(str(path), "refused", str(exc).splitlines()[0].split(": ", 1)[-1])
    except SyntaxError as exc:
        return ProgramResult(str(path), "refused", f"SyntaxError: {exc.msg}")
    except Exception as exc:  # the module's own top level failed on the host
        return ProgramResult(str(path), "skipped", f"host import: {type(exc).__name__}: {exc}")
    out = run_backend(kernel, (), [0], backend=backend, timeout=timeout)
    got = [line for _, line in out.order]
    got_error = out.errors[0][0] if 0 in out.errors else None
    if out.host_error:
        return ProgramResult(str(path), "mismatch", f"host error: {out.host_error}")
    if got_error == "SystemExit" and want_error is None:
        got_error = None  # CPython exits quietly with status 0 on SystemExit(), (0) and (None)
    if got == want and got_error == want_error:
        return ProgramResult(str(path), "match")
    if got_error == "OverflowError" and want_error is None:
        return ProgramResult(str(path), "int32", out.messages.get(0, ""))
    return ProgramResult(str(path), "mismatch", _first_difference(got, want, got_error,
                                                                  want_error, out.messages))


def _first_difference(got: list[str], want: list[str], got_error: str | None,
                      want_error: str | None, messages: dict[int, str]) -> str:
    for k, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return f"line {k + 1} of the output: kernel {a!r}, CPython {b!r}"
    if len(got) != len(want):
        return (f"kernel printed {len(got)} lines, CPython {len(want)}"
                + (f"; kernel error {got_error}: {messages.get(0, '')}" if got_error else ""))
    return f"kernel raised {got_error} ({messages.get(0, '')}), CPython {want_error}"


def run_corpus(paths: Sequence[Path], backend: str = "sim", timeout: float = 20.0,
               log: bool = False) -> list[ProgramResult]:
    """:func:`run_program` over every ``*.py`` file below ``paths`` (sorted)."""
    files = sorted({f for p in paths for f in ([p] if p.is_file() else p.rglob("*.py"))})
    results = []
    for k, f in enumerate(files):
        results.append(run_program(f, backend, timeout))
        if log:
            print(f"[{k + 1}/{len(files)}] {f.name}: {results[-1].status}", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the corpus and print the counts, the commonest refusals and every mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--backend", default="sim")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--json", type=Path, help="also write every result as JSON")
    parser.add_argument("--progress", action="store_true", help="a line per program on stderr")
    ns = parser.parse_args(argv)
    results = run_corpus(ns.paths, ns.backend, ns.timeout, ns.progress)
    counts = Counter(r.status for r in results)
    ran = len(results) - counts["skipped"]
    compiled = ran - counts["refused"]
    print(f"{len(results)} programs: {compiled} of {ran} compile as kernels; "
          + ", ".join(f"{counts[s]} {s}" for s in STATUSES))
    print("commonest refusals:")
    for detail, n in Counter(r.detail for r in results if r.status == "refused").most_common(15):
        print(f"  {n:4d}  {detail}")
    for r in results:
        if r.status == "mismatch":
            print(f"mismatch: {r.path}: {r.detail}")
    if ns.json:
        ns.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 1 if counts["mismatch"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
