"""Assembler: emits instructions of one function, resolves labels, tracks stack depth and lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from epython.bytecode.image import Function
from epython.bytecode.instr import encode_instr
from epython.bytecode.opcodes import ARG, OPS, Op

__all__ = ["Assembler", "Label"]


@dataclass
class Label:
    """A jump target; its address is known once marked."""

    name: str
    address: int | None = None
    depth: int | None = None  # stack depth expected at the target
    uses: list[int] = field(default_factory=list)  # code offsets of operands to patch


class Assembler:
    """Builds the code of one function.

    Every emit records its stack effect (like MicroPython's emitter), so the function's maximum
    stack depth is known before it runs; the verifier re-checks the result independently.
    """

    def __init__(self, name: str, n_params: int) -> None:
        self.name = name
        self.n_params = n_params
        self.code = bytearray()
        self.lines: list[tuple[int, int]] = []
        self.line = 0
        self.depth = 0
        self.max_depth = 0
        self.reachable = True
        self._labels: list[Label] = []

    def label(self, name: str = "L") -> Label:
        """A new, unmarked label."""
        lab = Label(name)
        self._labels.append(lab)
        return lab

    def set_line(self, lineno: int) -> None:
        """Source line of the instructions emitted from now on."""
        self.line = lineno

    def _note_line(self) -> None:
        pc = len(self.code)
        if self.lines and self.lines[-1][0] == pc:
            self.lines[-1] = (pc, self.line)
        elif not self.lines or self.lines[-1][1] != self.line:
            self.lines.append((pc, self.line))

    def _adjust(self, pops: int, pushes: int) -> None:
        self.depth -= pops
        if self.depth < 0:
            raise AssertionError(f"{self.name}: compiler stack underflow at pc {len(self.code)}")
        self.depth += pushes
        self.max_depth = max(self.max_depth, self.depth)

    def emit(self, name: str, *args: int, pops: int | None = None) -> None:
        """Emit an instruction; ``pops`` overrides the table's count (CALL)."""
        info = OPS[name]
        if not self.reachable:
            # Code after return/raise/break: keep it out of the image entirely.
            return
        self._note_line()
        self.code += encode_instr(info, *args)
        n_pop = pops if pops is not None else (args[-1] if info.pops == ARG and info.code ==
                                               Op.CALL_BUILTIN else args[0] if info.pops == ARG
                                               else info.pops)
        n_push = args[0] if info.pushes == ARG else info.pushes
        self._adjust(n_pop, n_push)
        if info.is_unconditional:
            self.reachable = False

    def emit_jump(self, name: str, target: Label) -> None:
        """Emit a jump to ``target`` (patched when the label is marked)."""
        info = OPS[name]
        if not self.reachable:
            return
        self._note_line()
        target.uses.append(len(self.code) + 1)
        self.code += encode_instr(info, 0)
        branch_depth = self.depth - info.branch_pops + info.branch_pushes
        self._join(target, branch_depth)
        if info.name == "JUMP":
            self.reachable = False
        else:
            self._adjust(info.pops, info.pushes)

    def _join(self, target: Label, depth: int) -> None:
        if target.depth is None:
            target.depth = depth
        elif target.depth != depth:
            raise AssertionError(f"{self.name}: stack depth mismatch at label {target.name}: "
                                 f"{target.depth} vs {depth}")

    def mark(self, target: Label) -> None:
        """Place ``target`` at the current address."""
        if target.address is not None:
            raise AssertionError(f"label {target.name} marked twice")
        target.address = len(self.code)
        if self.reachable:
            self._join(target, self.depth)
        elif target.depth is not None:
            self.depth = target.depth
        self.reachable = self.reachable or target.depth is not None

    def finish(self, n_locals: int) -> Function:
        """Patch jumps and return the finished function."""
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
        lines = [(pc, ln) for pc, ln in self.lines if pc < len(self.code)]
        return Function(self.name, self.n_params, n_locals, self.max_depth, bytes(self.code), lines)
