"""Code generation for sorted(), list.sort(), min() and max() with key=, reverse= and default=,
and for reversed() (issue 17).

A key is computed in the kernel itself: ``sorted(v, key=f)`` compiles to ``items = list(v)``
(``sorted(v)`` too: the comprehension ``list()`` is, with its time and memory),
``keys = [f(x) for x in items]`` (the comprehension the kernel would write; a ``lambda x: ...``
key becomes its body with ``x`` the comprehension's variable), then the builtin that sorts the
items by the keys (``list.sort(items, keys, reverse)``) or picks the extreme
(``min.keyed(items, keys[, default])``).  So a key costs what its calls cost on every
interpreter, and any kernel function, builtin or lambda can be one.
"""

from __future__ import annotations

import ast
from typing import Any

from epython.compiler.functions import FunctionCompilerBase

__all__ = ["KeyedMixin"]


class KeyedMixin(FunctionCompilerBase):
    """sorted/min/max/list.sort with keywords, and reversed (CallsMixin dispatches here)."""

    def _emit_builtin(self, e: ast.Call, name: str, nargs: int) -> None:
        raise NotImplementedError

    def _call_list(self, e: ast.Call) -> None:
        raise NotImplementedError

    def _keywords(self, e: ast.Call, shown: str, allowed: tuple[str, ...]) -> dict[str, ast.expr]:
        kws: dict[str, ast.expr] = {}
        for kw in e.keywords:
            if kw.arg not in allowed:
                self.fail(kw.value, f"{shown}() got an unexpected keyword argument {kw.arg!r}",
                          f"{shown}() takes " + " and ".join(f"{k}=" for k in allowed))
            kws[str(kw.arg)] = kw.value
        key = kws.get("key")
        if isinstance(key, ast.Constant) and key.value is None:
            del kws["key"]
        return kws

    def _stash(self, e: ast.expr, what: str) -> str:
        """Evaluate ``e`` into a new hidden local; its name."""
        self.expr(e)
        name = self.hidden(what)
        self.asm.emit("STORE_LOCAL", self.local(name))
        return name

    def _load(self, name: str) -> None:
        self.asm.emit("LOAD_LOCAL", self.local(name))

    def _forget(self, *names: str) -> None:
        """Drop the hidden locals' references (the objects are freed as the kernel's would be)."""
        for name in names:
            self.asm.emit("LOAD_NONE")
            self.asm.emit("STORE_LOCAL", self.local(name))

    def _keys_of(self, items: str, key: ast.expr, at: ast.Call) -> str:
        """``[key(x) for x in items]`` into a new hidden local; its name."""
        if isinstance(key, ast.Lambda):
            a = key.args
            if (len(a.args) != 1 or a.defaults or a.vararg or a.kwarg or a.kwonlyargs
                    or a.posonlyargs):
                self.fail(key, "a key lambda takes exactly one parameter", "write lambda x: ...")
            target, elt = a.args[0].arg, key.body
        elif isinstance(key, ast.Name):
            target = ".key_item"
            elt = ast.Call(func=key, args=[ast.Name(id=target, ctx=ast.Load())], keywords=[])
        else:
            self.fail(key, "key= must name a function or be a lambda in kernels",
                      "pass a kernel function, a builtin such as len, or lambda x: ...")
        comp = ast.ListComp(elt=elt, generators=[ast.comprehension(
            target=ast.Name(id=target, ctx=ast.Store()), iter=ast.Name(id=items, ctx=ast.Load()),
            ifs=[], is_async=0)])
        return self._stash(ast.fix_missing_locations(ast.copy_location(comp, at)), "keys")

    def _listed(self, source: str, at: ast.Call) -> str:
        """``list(source)`` into a new hidden local; its name."""
        call = ast.Call(func=ast.Name(id="list", ctx=ast.Load()),
                        args=[ast.Name(id=source, ctx=ast.Load())], keywords=[])
        self._call_list(ast.fix_missing_locations(ast.copy_location(call, at)))
        name = self.hidden("items")
        self.asm.emit("STORE_LOCAL", self.local(name))
        return name

    def call_sorted(self, e: ast.Call) -> None:
        """``sorted(iterable, key=None, reverse=False)``."""
        kws = self._keywords(e, "sorted", ("key", "reverse"))
        if len(e.args) != 1:
            self.fail(e, f"sorted expected 1 argument, got {len(e.args)}")
        source = self._stash(e.args[0], "source")
        reverse = self._stash(kws.get("reverse", _false(e)), "reverse")
        items = self._listed(source, e)
        keys = self._keys_of(items, kws["key"], e) if "key" in kws else None
        self._load(items)
        if keys is None:
            self.asm.emit("LOAD_NONE")
        else:
            self._load(keys)
        self._load(reverse)
        self._emit_builtin(e, "list.sort", 3)
        self.asm.emit("POP_TOP")
        self._load(items)
        self._forget(source, items, *([keys] if keys else []))

    def call_sort_method(self, e: ast.Call, base: ast.expr) -> None:
        """``lst.sort(key=None, reverse=False)``."""
        if e.args:
            self.fail(e, "sort() takes no positional arguments", "write .sort(key=f, reverse=True)")
        kws = self._keywords(e, "sort", ("key", "reverse"))
        if "key" not in kws:
            self.expr(base)
            if "reverse" in kws:
                self.asm.emit("LOAD_NONE")
                self.expr(kws["reverse"])
            self._emit_builtin(e, "list.sort", 1 + 2 * ("reverse" in kws))
            return
        target = self._stash(base, "target")
        reverse = self._stash(kws.get("reverse", _false(e)), "reverse")
        keys = self._keys_of(target, kws["key"], e)
        for name in (target, keys, reverse):
            self._load(name)
        self._emit_builtin(e, "list.sort", 3)
        self._forget(target, keys)

    def call_extreme(self, e: ast.Call, name: str) -> bool:
        """``min``/``max`` with key= or default= (False: no keywords, the plain builtin)."""
        if not e.keywords:
            return False
        kws = self._keywords(e, name, ("key", "default"))
        if not e.args:
            self.fail(e, f"{name} expected at least 1 argument, got 0")
        if len(e.args) > 1 and "default" in kws:
            self.fail(e, f"Cannot specify a default for {name}() with multiple positional "
                      "arguments")
        source_node: ast.expr = e.args[0] if len(e.args) == 1 else ast.copy_location(
            ast.List(elts=list(e.args), ctx=ast.Load()), e)
        if "key" not in kws:
            self.expr(source_node)
            self.asm.emit("LOAD_NONE")
            self.expr(kws["default"])
            self._emit_builtin(e, f"{name}.keyed", 3)
            return True
        source = self._stash(source_node, "source")
        default = self._stash(kws["default"], "default") if "default" in kws else None
        items = self._listed(source, e)
        keys = self._keys_of(items, kws["key"], e)
        self._load(items)
        self._load(keys)
        if default is not None:
            self._load(default)
        self._emit_builtin(e, f"{name}.keyed", 3 if default is not None else 2)
        self._forget(source, items, keys)
        return True

    def call_reversed(self, e: ast.Call) -> None:
        """``reversed(seq)`` as ``seq[::-1]``: the items in reverse order, as a sequence of the
        same kind (docs/language.md says where that differs from CPython's iterator)."""
        if e.keywords or len(e.args) != 1:
            self.fail(e, f"reversed expected 1 argument, got {len(e.args) + len(e.keywords)}")
        self.expr(e.args[0])
        self.asm.emit("LOAD_NONE")
        self.asm.emit("LOAD_NONE")
        self.asm.emit("LOAD_INT", -1)
        self.asm.set_line(e.lineno)
        self.asm.emit("SLICE_SUBSCR")


def _false(at: ast.AST) -> Any:
    return ast.copy_location(ast.Constant(value=False), at)
