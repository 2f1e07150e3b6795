"""Code generation for dicts: displays, comprehensions, ``dict(...)`` and ``del a[i]``
(docs/language.md, "Dicts"; docs/bytecode.md, "Dicts").

A dict is built by the builtin ``dict`` and filled by ``STORE_SUBSCR``, so displays and
comprehensions need no opcode of their own: ``{k: v}`` is ``dict()`` then ``d[k] = v`` for each
pair, in source order (the key before its value, as in CPython).
"""

from __future__ import annotations

import ast

from epython.bytecode.opcodes import BUILTIN_BY_NAME
from epython.compiler.functions import FunctionCompilerBase

__all__ = ["DictsMixin", "dict_method"]


def dict_method(attr: str, nargs: int) -> str | None:
    """The dict builtin that ``x.<attr>(...)`` with ``nargs`` arguments (the receiver included)
    compiles to, or None when the list method of that name serves (``.pop(k)`` and ``.copy()``
    run list.pop and list.copy, which go on to dict.pop and dict.copy for a dict)."""
    name = f"dict.{attr}"
    if name not in BUILTIN_BY_NAME or attr == "fromkeys":  # fromkeys: on the class only
        return None
    shared = BUILTIN_BY_NAME.get(f"list.{attr}")
    if shared is not None and shared.min_args <= nargs <= shared.max_args:
        return None
    return name


class DictsMixin(FunctionCompilerBase):
    """The dict-compiling part of FunctionCompiler (codegen.py has the rest)."""

    def expr_Dict(self, e: ast.Dict) -> None:
        """Compile a dict display ``{k: v, **other}``: its pairs are stored in order."""
        self.emit_builtin_call(e, "dict", 0)
        for key, value in zip(e.keys, e.values):
            self.asm.emit("DUP_TOP")
            if key is None:  # {**other}
                self.expr(value)
                self.emit_builtin_call(value, "dict.update", 2)
                self.asm.emit("POP_TOP")
                continue
            self.expr(key)
            self.expr(value)
            self.asm.emit("ROT_THREE")  # d d k v -> d v d k
            self.asm.set_line(key.lineno)
            self.asm.emit("STORE_SUBSCR")

    def expr_DictComp(self, e: ast.DictComp) -> None:
        """Compile a dict comprehension with one ``for`` and any ``if`` clauses."""
        def add(result: int) -> None:
            self.expr(e.key)
            self.expr(e.value)
            self.asm.emit("ROT_TWO")  # k v -> v k
            self.asm.emit("LOAD_LOCAL", result)
            self.asm.emit("ROT_TWO")  # v k d -> v d k
            self.asm.set_line(e.key.lineno)
            self.asm.emit("STORE_SUBSCR")

        self.comprehension(e, "dict", lambda: self.emit_builtin_call(e, "dict", 0), add)  # type: ignore[attr-defined]

    def stmt_Delete(self, s: ast.Delete) -> None:
        """Compile ``del a[i], ...``: a dict's key or a list's item (builtin ``del``), and
        ``del name`` (DELETE_LOCAL / DELETE_GLOBAL: the name is unset again), also in tuples and
        lists of targets, left to right as in CPython."""
        targets = list(s.targets)
        while targets:
            target = targets.pop(0)
            if isinstance(target, (ast.Tuple, ast.List)):
                targets[:0] = target.elts
                continue
            if isinstance(target, ast.Name):
                where, slot = self.resolve_store(target.id, target)  # type: ignore[attr-defined]
                self.asm.set_line(target.lineno)
                self.asm.emit("DELETE_LOCAL" if where == "local" else "DELETE_GLOBAL", slot)
                continue
            if not isinstance(target, ast.Subscript) or isinstance(target.slice, ast.Slice):
                self.fail(target, "del is supported in kernels for names and single items only: del x, "
                          "del d[key], del lst[i]", "del of slices and attributes is not supported")
            self.expr(target.value)
            self.expr(target.slice)
            self.emit_builtin_call(target, "del", 2)
            self.asm.emit("POP_TOP")

    def call_dict_class(self, e: ast.Call, func: ast.Attribute) -> None:
        """``dict.fromkeys(iterable[, value])``, the one method of the class kernels have."""
        if func.attr != "fromkeys":
            self.fail(func, f"dict.{func.attr} is not supported in kernels",
                      "kernels have dict.fromkeys(); call the methods on a dict")
        if e.keywords or not 1 <= len(e.args) <= 2:
            self.fail(e, "dict.fromkeys() takes an iterable and an optional value")
        for arg in e.args:
            self.expr(arg)
        self.emit_builtin_call(e, "dict.fromkeys", len(e.args))

    def call_update_keywords(self, e: ast.Call, base: ast.expr) -> None:
        """``d.update([other,] name=value, ...)``: the update, then a store per keyword."""
        if len(e.args) > 1:
            self.fail(e, f"update expected at most 1 argument, got {len(e.args)}")
        self.expr(base)
        self.asm.emit("DUP_TOP")
        if e.args:
            self.expr(e.args[0])
        else:  # d.update() of an empty dict: a receiver that is no dict fails as in CPython
            self.emit_builtin_call(e, "dict", 0)
        self.emit_builtin_call(e, "dict.update", 2)
        self.asm.emit("POP_TOP")
        for kw in e.keywords:
            self.asm.emit("DUP_TOP")
            self.load_const(kw.arg, kw.value)
            self.expr(kw.value)
            self.asm.emit("ROT_THREE")
            self.asm.set_line(e.lineno)
            self.asm.emit("STORE_SUBSCR")
        self.asm.emit("POP_TOP")
        self.asm.emit("LOAD_NONE")  # the value of the call

    def call_dict(self, e: ast.Call) -> None:
        """``dict()``, ``dict(mapping_or_pairs)`` and ``dict(..., name=value)``."""
        if len(e.args) > 1:
            self.fail(e, f"dict expected at most 1 argument, got {len(e.args)}")
        for arg in e.args:
            self.expr(arg)
        self.emit_builtin_call(e, "dict", len(e.args))
        for kw in e.keywords:
            self.asm.emit("DUP_TOP")
            self.load_const(kw.arg, kw.value)
            self.expr(kw.value)
            self.asm.emit("ROT_THREE")
            self.asm.emit("STORE_SUBSCR")
