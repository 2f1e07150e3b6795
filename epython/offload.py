"""The ``@offload`` decorator: compile a Python function once, run it on the cores per call.

``@offload`` runs the kernel on every core and returns the list of results; ``@offload(async_=
True)`` returns a :class:`~epython.handle.KernelHandle`.  Options (also accepted per call,
overriding the decorator for one launch, as ePython allowed)::

    async_ / async   return a handle instead of waiting        (default False)
    target           a core id or a list of core ids            (default: all cores)
    auto             any n cores, free ones first               (default: all cores)
    backend          a backend name, overriding EPYTHON_BACKEND (default: from the environment)
    timeout          seconds a blocking call waits              (default: no limit)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import numpy as np

from epython.arrays import SplitArray, shared_args, split_blocks, too_wide
from epython.backends import get_backend
from epython.backends.base import PerCore
from epython.compiler import CompiledKernel, compile_kernel
from epython.device_data import defined_names
from epython.handle import KernelHandle, SharedBack, SplitBack, check_timeout
from epython.marshal import MarshalError, check_value, to_array

__all__ = ["Kernel", "offload"]

F = TypeVar("F", bound=Callable[..., Any])

OPTIONS = ("async_", "target", "auto", "backend", "timeout")

log = logging.getLogger("epython")


def _normalise(options: dict[str, Any], where: str) -> dict[str, Any]:
    """Map ``async`` to ``async_`` and reject unknown options with the list of known ones."""
    out = dict(options)
    if "async" in out:
        if "async_" in out:
            raise TypeError(f"{where}: give either async or async_, not both")
        out["async_"] = out.pop("async")
    unknown = sorted(set(out) - set(OPTIONS))
    if unknown:
        raise TypeError(f"{where}: unknown option {unknown[0]!r}; known options: "
                        f"{', '.join(OPTIONS)} (async is accepted for async_)")
    check_timeout(out.get("timeout"), where)
    return out


class Kernel:
    """A function compiled for the cores.  Call it like the function; see the module doc."""

    __epython_kernel__ = True

    def __init__(self, func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.__wrapped__ = func
        functools.update_wrapper(self, func)
        self.options = _normalise(options, "@offload")
        names, version = defined_names()
        self.compiled: CompiledKernel = compile_kernel(func, names, OPTIONS)
        self._compiled_version = version
        log.debug("compiled %s: %d functions, image of %d bytes", self.compiled.name,
                  len(self.compiled.program.functions), len(self.compiled.image))

    def _current(self) -> CompiledKernel:
        """The compiled kernel, recompiled when device-resident names were declared since."""
        names, version = defined_names()
        if version != self._compiled_version:
            self.compiled = compile_kernel(self.__wrapped__, names, OPTIONS)
            self._compiled_version = version
        return self.compiled

    def __repr__(self) -> str:
        return f"<epython kernel {self.compiled.name}{self.options or ''}>"

    def disassemble(self) -> str:
        """The bytecode listing of this kernel and the functions it calls."""
        from epython.bytecode.dis import disassemble

        return disassemble(self.compiled.program)

    def _split(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        opts = {k: kwargs.pop(k) for k in list(kwargs) if k in OPTIONS or k == "async"}
        merged = dict(self.options)
        merged.update(_normalise(opts, f"{self.compiled.name}()"))
        return merged, kwargs

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        params = self.compiled.params
        if len(args) > len(params):
            raise TypeError(f"{self.compiled.name}() takes {len(params)} positional arguments but "
                            f"{len(args)} were given")
        bound: dict[str, Any] = dict(zip(params, args))
        for key, value in kwargs.items():
            if key not in params:
                raise TypeError(f"{self.compiled.name}() got an unexpected keyword argument {key!r}")
            if key in bound:
                raise TypeError(f"{self.compiled.name}() got multiple values for argument {key!r}")
            bound[key] = value
        defaults = self.__wrapped__.__defaults__ or ()
        first_default = len(params) - len(defaults)
        values = []
        for i, p in enumerate(params):
            if p in bound:
                values.append(bound[p])
            elif i >= first_default:
                values.append(defaults[i - first_default])
            else:
                raise TypeError(f"{self.compiled.name}() missing required argument {p!r}")
        for p, v in zip(params, values):
            if isinstance(v, np.ndarray):
                continue  # checked as it is converted (_wire)
            try:
                check_value(v, f"argument {p!r} of {self.compiled.name}()")
            except MarshalError as exc:
                raise TypeError(str(exc)) from None
        return values

    def _wire(self, values: list[Any], cores: list[int]) -> tuple[list[Any], dict[int, Any]]:
        """The arguments as they travel (arrays converted, split arrays cut into one block per
        core) and what the handle writes the cores' array changes back into."""
        wire: list[Any] = []
        back: dict[int, Any] = {}
        shared = shared_args(values, self.compiled.params, self.compiled.name)
        for i, (p, v) in enumerate(zip(self.compiled.params, values)):
            if i in shared:  # the data stay in DRAM; the caller's array gets them at the end
                wire.append(shared[i])
                back[i] = SharedBack(np.asarray(v), shared[i])
                continue
            if not isinstance(v, np.ndarray):
                wire.append(v)
                continue
            where = f"argument {p!r} of {self.compiled.name}()"
            try:
                if isinstance(v, SplitArray):
                    blocks = split_blocks(v, len(cores))
                    wire.append(PerCore(tuple(self._array(b, where, p) for b, _ in blocks)))
                    back[i] = SplitBack(np.asarray(v), [positions for _, positions in blocks])
                else:
                    wire.append(self._array(v, where, p))
                    back[i] = v
            except MarshalError as exc:
                raise TypeError(str(exc)) from None
        return wire, back

    @staticmethod
    def _array(v: np.ndarray[Any, Any], where: str, name: str) -> np.ndarray[Any, Any]:
        wide = too_wide(where, v, name)
        if wide is not None:
            raise wide
        return to_array(v, where)

    def _cores(self, opts: dict[str, Any], n: int, busy: set[int]) -> tuple[list[int], bool]:
        target = opts.get("target")
        auto = opts.get("auto")
        if target is not None and auto is not None:
            raise ValueError(f"{self.compiled.name}(): give target= or auto=, not both")
        if target is not None:
            single = isinstance(target, int) and not isinstance(target, bool)
            cores = [target] if single else list(target) if isinstance(target, Sequence) else None
            if cores is None or not cores or not all(
                    isinstance(c, int) and not isinstance(c, bool) for c in cores):
                raise TypeError(f"{self.compiled.name}(): target must be a core id or a non-empty "
                                f"list of core ids, got {target!r}")
            bad = [c for c in cores if not 0 <= c < n]
            if bad:
                raise ValueError(f"{self.compiled.name}(): target core {bad[0]} does not exist; "
                                 f"this backend has cores 0..{n - 1}")
            if len(set(cores)) != len(cores):
                raise ValueError(f"{self.compiled.name}(): target lists a core twice: {cores}")
            return cores, single
        if auto is not None:
            if not isinstance(auto, int) or isinstance(auto, bool) or not 1 <= auto <= n:
                raise ValueError(f"{self.compiled.name}(): auto={auto!r} must be a number of cores "
                                 f"from 1 to {n}")
            free = [c for c in range(n) if c not in busy]
            rest = [c for c in range(n) if c in busy]
            return sorted((free + rest)[:auto]), False
        return list(range(n)), False

    def launch(self, *args: Any, **kwargs: Any) -> KernelHandle:
        """Start the kernel and return its handle whatever ``async_`` says."""
        self._current()
        opts, kwargs = self._split(kwargs)
        values = self._bind(args, kwargs)
        backend = get_backend(opts.get("backend"))
        cores, single = self._cores(opts, backend.num_cores(), backend.busy_cores())
        wire, arrays = self._wire(values, cores)
        log.debug("launching %s on %s backend, cores %s", self.compiled.name, backend.name, cores)
        launch = backend.launch(self.compiled, wire, cores)
        return KernelHandle(self.compiled.name, launch, single=single, arrays=arrays)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        opts, _ = self._split(dict(kwargs))
        handle = self.launch(*args, **kwargs)
        if opts.get("async_"):
            return handle
        try:
            return handle.wait(timeout=opts.get("timeout"))
        except (KeyboardInterrupt, TimeoutError):
            # A blocking call owns its launch: stop it so the cores are free for the next one.
            handle.cancel()
            raise


@overload
def offload(func: F) -> Kernel:
    """``@offload``: the function as a kernel with the default options."""


@overload
def offload(func: None = None, **options: Any) -> Callable[[F], Kernel]:
    """``@offload(**options)``: a decorator making kernels with these options."""


def offload(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Decorator: run the function on the cores (``@offload`` or ``@offload(async_=True)``).

    The function is compiled at decoration time; unsupported constructs raise
    :class:`epython.CompileError` naming ``file:line:col``.
    """
    if func is not None:
        if not callable(func):
            raise TypeError("@offload takes options as keywords, e.g. @offload(async_=True)")
        return Kernel(func, options)
    _normalise(options, "@offload")

    def decorate(f: Callable[..., Any]) -> Kernel:
        return Kernel(f, options)

    return decorate
