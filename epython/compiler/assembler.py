"""Assembler: emits instructions of one function, resolves labels, keeps lines, sizes the stack."""

from __future__ import annotations

from dataclasses import dataclass, field

from epython.bytecode.flow import analyse
from epython.bytecode.image import Function, Handler, ImageError
from epython.bytecode.instr import encode_instr
from epython.bytecode.opcodes import OPS

__all__ = ["Assembler", "Label"]


@dataclass
class Label:
    """A jump target; its address is known once marked."""

    name: str
    address: int | None = None
    reached: bool = False  # a jump to it has been emitted, or code runs into it
    uses: list[int] = field(default_factory=list)  # code offsets of operands to patch


class Region:
    """The code a handler protects: pc spans, opened and closed as the compiler emits (code
    inlined from a ``finally`` for a return or a break is left out of the spans)."""

    def __init__(self, handler: Label, depth: int, start: int) -> None:
        self.handler = handler
        self.depth = depth
        self.spans: list[tuple[int, int]] = []
        self.open_at: int | None = start


class Assembler:
    """Builds the code of one function.

    Code that no path reaches (after a return, a raise, a break) is left out as it is emitted;
    the finished function's ``max_stack`` comes from the stack-depth analysis of
    ``epython.bytecode.flow``, the one the verifier runs, which also catches a compiler that
    emits inconsistent stack effects.
    """

    def __init__(self, name: str, n_params: int) -> None:
        self.name = name
        self.n_params = n_params
        self.code = bytearray()
        self.lines: list[tuple[int, int]] = []
        self.line = 0
        self.reachable = True
        self._labels: list[Label] = []
        self._callee_params: dict[int, int] = {}  # function index -> parameters, of each CALL
        self._regions: list[Region] = []  # finished, innermost first

    def protect(self, handler: Label, depth: int) -> Region:
        """Start protecting the code emitted from now on with ``handler`` (the stack holds
        ``depth`` values at the handler's entry, then the exception)."""
        return Region(handler, depth, len(self.code))

    def suspend(self, region: Region) -> None:
        """Stop protecting with ``region`` for a while (:meth:`resume` goes on)."""
        if region.open_at is not None and len(self.code) > region.open_at:
            region.spans.append((region.open_at, len(self.code)))
        region.open_at = None

    def resume(self, region: Region) -> None:
        """Protect again with ``region`` from here."""
        region.open_at = len(self.code)

    def end_protect(self, region: Region) -> None:
        """The protected code is complete; the handler is reachable if any code is protected."""
        self.suspend(region)
        self._regions.append(region)
        if region.spans:
            region.handler.reached = True

    def label(self, name: str = "L") -> Label:
        """A new, unmarked label."""
        lab = Label(name)
        self._labels.append(lab)
        return lab

    def set_line(self, lineno: int) -> None:
        """Source line of the instructions emitted from now on."""
        self.line = lineno

    def _note_line(self) -> None:
        """Start a line-table entry at the current pc when the source line changes there."""
        pc = len(self.code)
        if self.lines and self.lines[-1][0] == pc:
            self.lines[-1] = (pc, self.line)
        elif not self.lines or self.lines[-1][1] != self.line:
            self.lines.append((pc, self.line))

    def emit(self, name: str, *args: int) -> None:
        """Emit an instruction (not a jump: see :meth:`emit_jump`; nor a call: :meth:`emit_call`)."""
        info = OPS[name]
        if not self.reachable:
            # Code after return/raise/break: keep it out of the image entirely.
            return
        self._note_line()
        self.code += encode_instr(info, *args)
        if not info.falls_through:
            self.reachable = False

    def emit_call(self, function: int, n_params: int) -> None:
        """Emit ``CALL function``, which pops the function's ``n_params`` arguments."""
        if self.reachable:
            self._callee_params[function] = n_params
        self.emit("CALL", function)

    def emit_jump(self, name: str, target: Label) -> None:
        """Emit a jump to ``target`` (patched when the label is marked)."""
        info = OPS[name]
        if not self.reachable:
            return
        self._note_line()
        target.uses.append(len(self.code) + 1)
        target.reached = True
        self.code += encode_instr(info, 0)
        if not info.falls_through:
            self.reachable = False

    def mark(self, target: Label) -> None:
        """Place ``target`` at the current address."""
        if target.address is not None:
            raise AssertionError(f"label {target.name} marked twice")
        target.address = len(self.code)
        target.reached = target.reached or self.reachable
        self.reachable = target.reached

    def finish(self, n_locals: int) -> Function:
        """Patch jumps, size the stack and return the finished function."""
        if self.reachable:
            self.emit("LOAD_NONE")
            self.emit("RETURN_VALUE")
        for lab in self._labels:
            for pos in lab.uses:
                if lab.address is None:
                    raise AssertionError(f"{self.name}: label {lab.name} never marked")
                self.code[pos:pos + 2] = lab.address.to_bytes(2, "little")
        if len(self.code) > 0xFFFF:
            raise OverflowError(f"function {self.name} compiles to {len(self.code)} bytes; "
                                "the limit is 65535")
        handlers = [Handler(start, end, r.handler.address, r.depth)
                    for r in self._regions if r.handler.address is not None
                    for start, end in r.spans]
        try:
            max_stack = analyse(bytes(self.code), self._callee_params.__getitem__,
                                self.name, handlers=handlers).max_depth
        except ImageError as exc:
            raise AssertionError(f"the compiler emitted inconsistent code: {exc}") from None
        lines = [(pc, ln) for pc, ln in self.lines if pc < len(self.code)]
        return Function(self.name, self.n_params, n_locals, max_stack, bytes(self.code), lines,
                        handlers)
