"""Code generation for calls: builtins, math, epython.parallel, list methods, user functions."""

from __future__ import annotations

import ast
import builtins
import string
import types
from typing import Any, NoReturn

from epython.bytecode.opcodes import BUILTIN_BY_NAME
from epython.compiler.desugar import DESUGARED
from epython.compiler.dicts import dict_method
from epython.compiler.functions import (
    UNSUPPORTED,
    FunctionRef,
    check_signature,
    fail_at,
)
from epython.compiler.keyed import KeyedMixin
from epython.compiler.resolve import (
    builtin_name,
    is_constant,
    lookup_name,
    missing,
    module_kind,
)
from epython.compiler.sets import set_method
from epython.compiler.source import get_function_source

__all__ = ["LIST_METHODS", "CallsMixin"]


DICT_METHODS = ("dicts support .get(), .keys(), .values(), .items(), .pop(), .popitem(), "
                ".setdefault(), .update(), .clear() and .copy(), and dict.fromkeys(iterable[, "
                "value]) on the class")
LIST_METHODS = ("lists support .append(), .extend(), .insert(), .pop(), .remove(), .index(), "
                ".count(), .reverse(), .sort() and .copy()")
#: The builtin each method name calls (the receiver's type is known at run time only: list.index
#: and list.count also serve strs and tuples).
METHODS: dict[str, str] = {name.split(".", 1)[1]: name for name in BUILTIN_BY_NAME
                           if name.startswith(("list.", "str."))}
STR_METHODS = ("strs support " + ", ".join(f".{m}()" for m, name in METHODS.items()
                                            if name.startswith("str.") or m in ("index", "count"))
               + " and .format() of a literal")
#: The parameters of builtins that CPython also takes by keyword, in their positions (None for
#: a positional-only one).
BUILTIN_KEYWORDS: dict[str, tuple[str | None, ...]] = {
    "enumerate": ("iterable", "start"), "sum": (None, "start"), "round": ("number", "ndigits"),
    "int": (None, "base")}
#: The keyword arguments a method takes, in their positions, with the value an omitted one has.
_METHOD_KEYWORDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "split": (("sep", None), ("maxsplit", -1)), "rsplit": (("sep", None), ("maxsplit", -1))}


def _method_refusal(attr: str) -> tuple[str, str]:
    """Message and hint for a method call kernels do not have, by what the name suggests."""
    if attr in dir(list):
        return f"list method .{attr}() is not supported in kernels", LIST_METHODS
    if attr in dir(str):
        return f"str method .{attr}() is not supported in kernels", STR_METHODS
    if attr in dir(dict):
        return f"dict method .{attr}() is not supported in kernels", DICT_METHODS
    return (f"method .{attr}() is not supported in kernels",
            f"kernels have no objects with methods; {LIST_METHODS}")


class CallsMixin(KeyedMixin):
    """The call-compiling part of FunctionCompiler (codegen.py has the rest)."""

    def expr_Call(self, e: ast.Call) -> None:
        """Compile a call: a user function, a builtin, a math/random/parallel function or a list method."""
        for arg in e.args:
            if isinstance(arg, ast.Starred):
                self.fail(arg, *UNSUPPORTED["Starred"])
        for kw in e.keywords:
            if kw.arg is None:
                self.fail(kw.value, "**kwargs in calls are not supported in kernels",
                          "pass keyword arguments by name")
        func = e.func
        if isinstance(func, ast.Attribute):
            self._call_attribute(e, func)
            return
        if not isinstance(func, ast.Name):
            self.fail(func, "only named functions can be called in kernels")
        name = func.id
        if name in self.ref.bound and not any(name in s for s in self.renames):
            self._call_user(e, self.ref.bound[name])
            return
        if name in self.locals or any(name in s for s in self.renames):
            self.fail(func, f"{name} is a variable, not a function", "call functions by name, "
                      "or pass a function by name to a parameter of a kernel function and call "
                      "the parameter")
        ref = self.nested_def(name, func)
        if ref is not None:
            self._call_user(e, ref)
            return
        value = lookup_name(self.ref.pyfunc, self.ref.env, name)
        if missing(value):
            self.undefined_name(func, name)  # type: ignore[attr-defined]
            return
        self._call_value(e, value, name)

    def _call_value(self, e: ast.Call, value: Any, shown: str) -> None:
        builtin = builtin_name(value)
        if value is builtins.list:
            self._call_list(e)
        elif value is builtins.dict:
            self.call_dict(e)  # type: ignore[attr-defined]
        elif value is builtins.set:
            self.call_set(e)  # type: ignore[attr-defined]
        elif value is builtins.sorted:
            self.call_sorted(e)
        elif value is builtins.reversed:
            self.call_reversed(e)
        elif value is builtins.repr:
            self._call_repr(e)
        elif any(value is getattr(builtins, name) for name in ("ord", "chr", "hex", "oct", "bin")):
            self._call_builtin(e, value.__name__)
        elif any(value is getattr(builtins, name) for name in DESUGARED):
            self.call_desugared(e, value.__name__)  # type: ignore[attr-defined]
        elif builtin is not None:
            self._call_builtin(e, builtin)
        elif isinstance(value, types.FunctionType):
            target = getattr(value, "__wrapped__", None)
            if getattr(value, "__epython_kernel__", False) and target is not None:
                self.fail(e, f"{shown}() is itself an @offload kernel", "call an undecorated helper")
            self._call_user(e, self._user_ref(value, e))
        elif isinstance(value, type) and issubclass(value, BaseException):
            self.build_exception(e)
        else:
            self.fail(e, f"{shown}() is not supported in kernels",
                      "kernels may call their own functions, the builtins listed in "
                      "docs/language.md, math, random and epython.parallel")

    def _call_repr(self, e: ast.Call) -> None:
        """``repr(x)`` is ``f"{x!r}"``: the same FORMAT_VALUE on every interpreter."""
        if e.keywords or len(e.args) != 1:
            self.fail(e, f"repr() takes exactly one argument ({len(e.args) + len(e.keywords)} "
                      "given)")
        self.expr(e.args[0])
        self.load_const("", e)
        self.asm.set_line(e.lineno)
        self.asm.emit("FORMAT_VALUE", 1)

    def _call_list(self, e: ast.Call) -> None:
        """``list()`` is ``[]``; ``list(iterable)`` is ``[item for item in iterable]``: the same
        list, the same errors (a non-iterable's TypeError), one list.append per item."""
        if e.keywords:
            self.fail(e, "list() takes no keyword arguments")
        if len(e.args) > 1:
            self.fail(e, f"list expected at most 1 argument, got {len(e.args)}")
        if not e.args:
            self.expr(ast.copy_location(ast.List(elts=[], ctx=ast.Load()), e))
            return
        item = ast.Name(id="item", ctx=ast.Store())
        comp = ast.ListComp(elt=ast.Name(id="item", ctx=ast.Load()), generators=[
            ast.comprehension(target=item, iter=e.args[0], ifs=[], is_async=0)])
        self.expr(ast.fix_missing_locations(ast.copy_location(comp, e)))

    def _user_ref(self, value: types.FunctionType, e: ast.expr) -> FunctionRef:
        def make() -> FunctionRef:
            src = get_function_source(value)
            return FunctionRef(-1, src.node, src, dict(value.__globals__), value)
        return self.b.function_ref(value, make)

    def _call_attribute(self, e: ast.Call, func: ast.Attribute) -> None:
        base = func.value
        if isinstance(base, ast.Name) and base.id not in self.locals and not any(
                base.id in s for s in self.renames):
            value = lookup_name(self.ref.pyfunc, self.ref.env, base.id)
            kind = module_kind(value)
            if kind is not None:
                builtin = builtin_name(getattr(value, func.attr, None))
                if builtin is None:
                    self.fail(func, f"{kind}.{func.attr} is not supported in kernels",
                              "see docs/language.md for the math, random and parallel functions")
                self._call_builtin(e, builtin)
                return
            if isinstance(value, types.ModuleType):
                self._fail_module_call(func, value)
            if value is builtins.dict:
                self.call_dict_class(e, func)  # type: ignore[attr-defined]
                return
        if func.attr == "format":
            self.str_format(e, base)
            return
        if func.attr == "sort":
            self.call_sort_method(e, base)
            return
        method = (set_method(func.attr, len(e.args) + 1, bool(e.keywords))
                  or dict_method(func.attr, len(e.args) + 1) or METHODS.get(func.attr))
        if method is None:
            self.fail(func, *_method_refusal(func.attr))
        if method == "dict.update" and e.keywords:
            self.call_update_keywords(e, base)  # type: ignore[attr-defined]
            return
        args = self._method_args(e, func.attr)
        self.expr(base)
        for arg in args:
            if arg is None:
                self.asm.emit("LOAD_NONE")
            else:
                self.expr(arg)
        self._emit_builtin(e, method, len(args) + 1)

    def _method_args(self, e: ast.Call, attr: str) -> list[ast.expr | None]:
        """A method call's arguments in their positions (keywords placed, omitted ones as their
        default: None stands for LOAD_NONE)."""
        args: list[ast.expr | None] = list(e.args)
        if not e.keywords:
            return args
        params = _METHOD_KEYWORDS.get(attr)
        if params is None:
            self.fail(e, f".{attr}() takes no keyword arguments")
        names = [p for p, _ in params]
        for kw in e.keywords:
            if kw.arg not in names:
                self.fail(kw.value, f".{attr}() got an unexpected keyword argument {kw.arg!r}")
            k = names.index(str(kw.arg))
            if k < len(e.args):
                self.fail(kw.value, f"argument for .{attr}() given by name ({kw.arg!r}) and "
                          f"position ({k + 1})")
            while len(args) <= k:
                default = params[len(args)][1]
                args.append(None if default is None else ast.copy_location(
                    ast.Constant(value=default), e))
            args[k] = kw.value
        return args

    def str_format(self, e: ast.Call, base: ast.expr) -> None:
        """``'literal'.format(...)``: compiled as the f-string it stands for (the same
        FORMAT_VALUE and BUILD_STRING, so the same mini-language on every interpreter); the
        arguments are evaluated first, in order, into hidden locals."""
        if not (isinstance(base, ast.Constant) and isinstance(base.value, str)):
            self.fail(base, ".format() is supported on a literal format string only",
                      "write the format string literally ('{} {:.2f}'.format(a, b)) or use an "
                      "f-string")
        try:
            fields = list(string.Formatter().parse(base.value))
        except ValueError as exc:
            self.fail(base, f"bad format string: {exc}")
        slots: list[int] = []
        named: dict[str, int] = {}
        for arg in [*e.args, *(kw.value for kw in e.keywords)]:
            self.expr(arg)
            slot = self.local(self.hidden("format"))
            self.asm.emit("STORE_LOCAL", slot)
            slots.append(slot)
        for kw, slot in zip(e.keywords, slots[len(e.args):]):
            named[str(kw.arg)] = slot
        del slots[len(e.args):]
        auto: int | None = None  # the next automatic field number, once one is used
        parts = 0
        for literal, field, spec, conversion in fields:
            if literal:
                self.load_const(literal, base)
                parts += 1
            if field is None:
                continue
            slot = self._format_field(base, field, slots, named, auto)
            if field == "":
                auto = (auto or 0) + 1
            elif auto is None:
                auto = -1  # manual numbering from now on
            if "{" in (spec or ""):
                self.fail(base, "nested replacement fields in format specs are not supported in "
                          "kernels", "write the spec literally, e.g. '{:8.3f}'")
            if conversion not in (None, "s", "r"):
                self.fail(base, "only !s and !r conversions are supported in .format()")
            self.asm.emit("LOAD_LOCAL", slot)
            self.load_const(spec or "", base)
            self.asm.set_line(e.lineno)
            self.asm.emit("FORMAT_VALUE", 1 if conversion == "r" else 0)
            parts += 1
        if parts > 255:
            self.fail(e, "format string has too many parts")
        if parts == 0:
            self.load_const("", base)
        elif parts > 1:
            self.asm.emit("BUILD_STRING", parts)

    def _format_field(self, base: ast.expr, field: str, slots: list[int], named: dict[str, int],
                      auto: int | None) -> int:
        """The hidden local a replacement field of .format() reads (CompileErrors with
        CPython's messages for fields that can never be filled)."""
        if field == "":
            if auto == -1:
                self.fail(base, "cannot switch from manual field specification to automatic "
                          "field numbering")
            index = auto or 0
        elif field.isdigit():
            if auto is not None and auto >= 0:
                self.fail(base, "cannot switch from automatic field numbering to manual field "
                          "specification")
            index = int(field)
        elif field.isidentifier():
            if field not in named:
                self.fail(base, f".format() has no keyword argument {field!r} for the field "
                          f"{{{field}}}", "pass it by name: .format(name=value)")
            return named[field]
        else:
            self.fail(base, f"format field {{{field}}}: attributes and indexes in fields are not "
                      "supported in kernels", "index or read the value in an argument instead")
        if index >= len(slots):
            self.fail(base, f"Replacement index {index} out of range for positional args tuple",
                      "pass one argument per field")
        return slots[index]

    def _fail_module_call(self, func: ast.Attribute, module: types.ModuleType) -> NoReturn:
        shown = f"{ast.unparse(func.value)}.{func.attr}()"
        if module.__name__.split(".")[0] == "numpy":
            self.fail(func, f"{shown} is a numpy function, which kernels cannot call",
                      "index the array in a loop in the kernel (sum(a), min(a) and max(a) work on "
                      "arrays), or call numpy on the host before or after the launch")
        self.fail(func, f"{shown}: module {module.__name__} is not available in kernels",
                  "kernels can use math, random and epython.parallel; compute the rest on the "
                  "host and pass it as an argument")

    def _emit_builtin(self, e: ast.Call, name: str, nargs: int) -> None:
        b = BUILTIN_BY_NAME[name]
        if not b.min_args <= nargs <= b.max_args:
            shown = name.replace("list.", ".").replace("dict.", ".")
            self.fail(e, f"{shown}() takes {b.min_args}..{b.max_args} arguments here, got {nargs}")
        self.asm.set_line(e.lineno)
        self.asm.emit("CALL_BUILTIN", b.code, nargs)

    def _call_builtin(self, e: ast.Call, name: str) -> None:
        if name == "print":
            kws = {str(kw.arg): kw.value for kw in e.keywords}
            unknown = set(kws) - {"sep", "end"}
            if unknown:
                self.fail(e, f"print() keyword {sorted(unknown)[0]!r} is not supported",
                          "print supports sep= and end=")
            for arg in e.args:
                self.expr(arg)
            for key, default in (("sep", " "), ("end", "\n")):
                if key in kws:
                    self.expr(kws[key])
                else:
                    self.load_const(default, e)
            self._emit_builtin(e, "print", len(e.args) + 2)
            return
        if name in ("min", "max") and self.call_extreme(e, name):
            return
        args = self._builtin_positional(e, name)
        for arg in args:
            self.expr(arg)
        self._emit_builtin(e, name, len(args))

    def _builtin_positional(self, e: ast.Call, name: str) -> list[ast.expr]:
        """The arguments of a builtin call in their positions: keyword arguments that CPython
        accepts (BUILTIN_KEYWORDS) join the positional ones when they follow them in order, so
        that every argument is still evaluated in source order."""
        if not e.keywords:
            return list(e.args)
        names = BUILTIN_KEYWORDS.get(name, ())
        args = list(e.args)
        for kw in e.keywords:
            if kw.arg not in names:
                self.fail(kw.value, f"{name}() keyword argument {kw.arg!r} is not supported in "
                          "kernels", f"{name}() takes " + (", ".join(f"{k}=" for k in names)
                                                           if names else "no keywords here"))
            if names.index(kw.arg) != len(args):
                self.fail(kw.value, f"{name}() keyword argument {kw.arg!r} out of order here",
                          "pass the arguments before it, or all of them in order")
            args.append(kw.value)
        return args

    def _call_user(self, e: ast.Call, ref: FunctionRef) -> None:
        node = ref.node
        check_signature(ref.source, node)  # before the arguments are matched against it
        params = [a.arg for a in node.args.args]
        defaults = node.args.defaults
        first_default = len(params) - len(defaults)
        if len(e.args) > len(params):
            self.fail(e, f"{node.name}() takes {len(params)} arguments, {len(e.args)} given")
        given: dict[str, ast.expr] = dict(zip(params, e.args))
        for kw in e.keywords:
            assert kw.arg is not None
            if kw.arg not in params:
                self.fail(kw.value, f"{node.name}() has no parameter {kw.arg!r}")
            if kw.arg in given:
                self.fail(kw.value, f"{node.name}() got multiple values for {kw.arg!r}")
            given[kw.arg] = kw.value
        binding = {p: target for p, arg in given.items()
                   if (target := self.function_argument(arg)) is not None}
        if binding:
            ref = self.b.specialise(ref, binding)
        for i, p in enumerate(params):
            if p in binding:
                self.asm.emit("LOAD_NONE")  # the copy calls the function directly
            elif p in given:
                self.expr(given[p])
            elif i >= first_default:
                self._default(ref, defaults[i - first_default])
            else:
                self.fail(e, f"{node.name}() missing argument {p!r}")
        self.asm.set_line(e.lineno)
        self.asm.emit_call(self.b.use(ref), len(params))

    def function_argument(self, arg: ast.expr) -> FunctionRef | None:
        """The kernel function an argument names (a nested def, a module-level function, or a
        parameter that received one), or None when the argument is an ordinary value."""
        if not isinstance(arg, ast.Name) or any(arg.id in s for s in self.renames):
            return None
        name = arg.id
        if name in self.ref.bound:
            return self.ref.bound[name]
        if name in self.locals:
            return None
        ref = self.nested_def(name, arg)
        if ref is not None:
            return ref
        value = lookup_name(self.ref.pyfunc, self.ref.env, name)
        if isinstance(value, types.FunctionType) and builtin_name(value) is None:
            if getattr(value, "__epython_kernel__", False):
                self.fail(arg, f"{name} is an @offload kernel", "pass an undecorated function")
            return self._user_ref(value, arg)
        return None

    def _default(self, ref: FunctionRef, node: ast.expr) -> None:
        """Push a default argument value (evaluated once, at definition: so it must be constant)."""
        try:
            value = ast.literal_eval(node)
        except ValueError:
            value = None
            if isinstance(node, ast.Name):
                value = lookup_name(ref.pyfunc, ref.env, node.id)
            if missing(value) or not is_constant(value):
                fail_at(ref.source, node, "default argument values must be constants in kernels",
                      "use None as the default and set the value in the body")
        if not is_constant(value):
            fail_at(ref.source, node, "mutable default arguments are not supported in kernels",
                  "use None as the default and build the list in the body")
        self.load_const(value, node)


