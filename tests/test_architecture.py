"""The shape of the tree (shared/DESIGN.md, "Dependency rules"; issue 18): no import cycles among
the modules of epython/ and esim/, the layers import only downwards, modules stay readable in
size, and the public API is documented.  Imports are read from the source (every ``import``
statement, including those inside functions and ``if TYPE_CHECKING:`` blocks)."""

from __future__ import annotations

import ast
import graphlib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("epython", "esim")
#: Lines a module may have before it should be split (issue 18: "about 600").
MAX_MODULE_LINES = 600


@cache
def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the two packages."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _imported(name: str, path: Path) -> set[str]:
    """The project modules that module ``name`` imports anywhere in its source."""
    mods = modules()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base
                       for a in node.names]
        for target in targets:
            while target and target not in mods:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module -> the project modules it imports."""
    return {name: frozenset(_imported(name, path)) for name, path in modules().items()}


def _cycle(g: dict[str, frozenset[str]]) -> list[str]:
    """One import cycle of ``g`` (its modules, the first repeated last), or [] when there is
    none (the standard library's graphlib finds it)."""
    try:
        graphlib.TopologicalSorter(g).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


def test_no_import_cycles() -> None:
    assert _cycle(graph()) == []


def test_the_import_graph_holds_every_kind_of_import() -> None:
    g = graph()
    assert {"esim.cores.core", "epython.bytecode.verify"} <= g["esim.chip"]  # top level
    assert "esim.cores.interp" in g["epython.calibrate"]  # inside a function
    assert "esim.chip" in g["esim.profile.collect"]  # under TYPE_CHECKING


def test_cycle_finder_finds_a_cycle() -> None:
    g = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    cycle = _cycle(g)
    assert cycle[0] == cycle[-1] and sorted(cycle[:-1]) == ["a", "b", "c"]


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


#: (importer prefix, forbidden prefix, the rule in DESIGN.md's words)
RULES = [
    ("epython.bytecode", "epython", "epython/bytecode/ is the ground floor"),
    ("epython.compiler", "esim", "the compiler needs no chip"),
    ("epython.compiler", "epython.backends", "the compiler needs no backend"),
    ("esim", "epython.offload", "esim stands alone"),
    ("esim", "epython.handle", "esim stands alone"),
    ("esim", "epython.backends", "esim stands alone"),
    ("esim.mesh", "esim.cores", "the mesh knows no interpreter"),
    ("epython.backends.device", "esim", "the device backend does not borrow the simulator"),
]


@pytest.mark.parametrize(("importer", "forbidden", "rule"), RULES)
def test_layers_import_only_downwards(importer: str, forbidden: str, rule: str) -> None:
    bad = sorted(f"{name} imports {target}" for name, targets in graph().items()
                 if _under(name, importer) for target in targets
                 if _under(target, forbidden) and not _under(target, importer))
    assert bad == [], rule


def test_modules_stay_readable_in_size() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def _undocumented(module: str, body: list[ast.stmt], prefix: str = "") -> list[str]:
    """The public functions and classes (and their methods) in ``body`` without a docstring."""
    out = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and not node.name.startswith("_"):
            if ast.get_docstring(node) is None:
                out.append(f"{module}:{node.lineno} {prefix}{node.name}")
            if isinstance(node, ast.ClassDef):
                out.extend(_undocumented(module, node.body, f"{prefix}{node.name}."))
    return out


def test_public_definitions_have_docstrings() -> None:
    missing = [entry for name, path in modules().items()
               for entry in _undocumented(name, ast.parse(path.read_text()).body)]
    assert missing == []
