"""One launch of a program on a set of simulated cores: what the chip, the cores, the message
layer and the host's backend all see of it.

A :class:`LaunchState` owns everything that lives as long as the launch: the program and its
arguments as the host wrote them to DRAM, the start and completion events of each core, the
cores' outcomes and printed lines, and the message slots of the parallel module (one per
channel, sender and receiver; ``esim/cores/comm.py`` moves messages through them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import simpy

from epython.bytecode import protocol
from epython.bytecode.image import Program
from epython.bytecode.opcodes import ErrorCode
from epython.marshal import SharedArg
from esim.cores.dram import DramStore
from esim.cores.memory import from_wire

__all__ = ["KINDS", "ArgBlock", "CoreOutcome", "LaunchState", "MessageSlot", "PrintedLine"]

#: What a core's cycles are spent on (the profiler's categories).
KINDS = ("compute", "message", "barrier", "dram", "host_io")


@dataclass(slots=True)  # one per core and launch
class CoreOutcome:
    """What one core produced for one launch."""

    core: int
    value: Any = None
    error: ErrorCode = ErrorCode.OK
    message: str = ""
    func: int = 0
    lineno: int = 0
    #: (function, line) of each caller of the frame that failed, outermost first
    chain: tuple[tuple[int, int], ...] = ()
    start_cycle: int = 0
    end_cycle: int = 0
    instructions: int = 0
    compute_cycles: int = 0
    lines: list[str] = field(default_factory=list)
    #: array arguments this core changed: argument index -> {flat index: new value}
    array_updates: dict[int, dict[int, Any]] = field(default_factory=dict)
    peak_memory: int = 0
    #: simulated cycles by what the core was doing: compute, message, barrier, dram, host_io
    cycles_by_kind: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 0.0))
    aborted: bool = False  # the host aborted the launch (deadlock)

    @property
    def cycles(self) -> int:
        """Simulated cycles from the core taking the launch to its result reaching the host."""
        return self.end_cycle - self.start_cycle


@dataclass(frozen=True)
class ArgBlock:
    """The arguments one core of a launch receives, and the bytes they take on the wire."""

    args: list[Any]
    nbytes: int  # encoded, without the count byte
    list_bytes: int = 0  # the part in lists and tuples (decoded into the heap)
    array_bytes: int = 0  # the part in arrays (compared with the argument after the kernel)


@dataclass
class PrintedLine:
    """A line a core printed, with the cycle it reached shared DRAM."""

    cycle: float
    core: int
    seq: int
    text: str


class MessageSlot:
    """One sender's message slot in a receiver's memory: holds one unread message at a time."""

    def __init__(self, env: simpy.Environment) -> None:
        self.free = simpy.Resource(env, capacity=1)  # the sender owns it until the recv
        self.box = simpy.Store(env)  # delivered messages (at most one)


@dataclass
class LaunchState:
    """One launch of a program on a set of cores, as the chip tracks it."""

    env: simpy.Environment
    program: Program | None  # None when the cores' verifier rejects the image
    image_bytes: int
    args: list[Any]
    args_bytes: int
    cores: list[int]
    issue_cycle: int
    list_args_bytes: int = 0  # the part of args_bytes in lists and tuples (decoded into the heap)
    array_args_bytes: int = 0  # the part in arrays (compared with the argument after the kernel)
    #: the largest value a message carries in one piece (protocol.eager_bytes of the chip)
    eager_bytes: int = 0
    signalled: dict[int, simpy.Event] = field(default_factory=dict)
    done: dict[int, simpy.Event] = field(default_factory=dict)
    processes: dict[int, simpy.Process] = field(default_factory=dict)
    outcomes: dict[int, CoreOutcome] = field(default_factory=dict)
    completion_order: list[int] = field(default_factory=list)
    lines: list[PrintedLine] = field(default_factory=list)
    image_error: str = ""
    #: the cores' interpreter engine (esim.cores.interp.Interpreter's ``engine``; "": its default)
    engine: str = ""
    #: cores that receive arguments of their own (``epython.split``): core -> its block;
    #: the other cores receive ``args``
    core_blocks: dict[int, ArgBlock] = field(default_factory=dict)
    #: message slots by (channel, source rank, destination rank)
    slots: dict[tuple[str, int, int], MessageSlot] = field(default_factory=dict)
    #: what each blocked rank waits for, and where (function, line) its request was made
    waiting: dict[int, str] = field(default_factory=dict)
    where: dict[int, tuple[int, int]] = field(default_factory=dict)
    at_barrier: set[int] = field(default_factory=set)
    #: the launch's shared() arrays in simulated DRAM, by ``id()`` of their SharedArg
    shared: dict[int, DramStore] = field(default_factory=dict)
    #: the cycle each core's result reached the host (CoreOutcome.end_cycle, unrounded)
    end_times: dict[int, float] = field(default_factory=dict)
    #: what placing an argument block in a core's memory takes, by block shape (core.py)
    placements: dict[tuple[int, int, int, int], tuple[int, int, int]] = field(default_factory=dict)
    _shared_block: ArgBlock | None = None
    _ranks: dict[int, int] | None = None
    _seq: int = 0

    def __post_init__(self) -> None:
        given = [*self.args, *(arg for block in self.core_blocks.values() for arg in block.args)]
        for arg in given:
            if isinstance(arg, SharedArg) and id(arg) not in self.shared:
                self.shared[id(arg)] = DramStore(arg, from_wire(arg.array))

    @property
    def shared_bytes(self) -> int:
        """Bytes of the launch's shared() arrays (the host writes them to DRAM at the start
        and reads them back at the end)."""
        return sum(store.arg.nbytes for store in self.shared.values())

    def block(self, core: int) -> ArgBlock:
        """The arguments ``core`` fetches and decodes."""
        own = self.core_blocks.get(core)
        if own is not None:
            return own
        if self._shared_block is None:
            self._shared_block = ArgBlock(self.args, self.args_bytes, self.list_args_bytes,
                                          self.array_args_bytes)
        return self._shared_block

    @property
    def upload_bytes(self) -> int:
        """What the host writes to DRAM: the image and each distinct argument block."""
        shared = any(c not in self.core_blocks for c in self.cores)
        return (self.image_bytes + (self.args_bytes if shared else 0)
                + sum(b.nbytes for b in self.core_blocks.values()) + self.shared_bytes)

    def traffic_shape(self) -> tuple[Any, ...]:
        """Everything the launch protocol's own traffic depends on besides what each kernel
        does (the host's upload and start flags, each core's fetch): the key under which a
        replay (esim/replay.py) keeps the schedule of a launch.  Whatever new transfer a launch
        makes must be a function of this."""
        return (tuple(self.cores), self.image_bytes, self.upload_bytes,
                tuple(self.block(c).nbytes for c in self.cores))

    def rank(self, core: int) -> int:
        """Position of a chip core within this launch (its ``coreid()``)."""
        return self.ranks[core]

    @property
    def ranks(self) -> dict[int, int]:
        """Each chip core of the launch -> its rank (a dict: looked up per message)."""
        if self._ranks is None:
            self._ranks = {c: r for r, c in enumerate(self.cores)}
        return self._ranks

    @property
    def size(self) -> int:
        """Cores in the launch."""
        return len(self.cores)

    def finish(self, outcome: CoreOutcome) -> None:
        """Called by a core when its result has reached the host."""
        self.outcomes[outcome.core] = outcome
        self.end_times[outcome.core] = self.env.now
        self.completion_order.append(outcome.core)
        if self.finished:
            self.slots.clear()  # nothing can be sent or received any more
            for store in self.shared.values():  # before the host sees the last result
                store.write_back()
        done = self.done.get(outcome.core)  # a replayed launch has no events to fire
        if done is not None:
            done.succeed(outcome)

    def post_line(self, core: int, text: str, arrived: simpy.Event) -> None:
        """Record a printed line once it has arrived in DRAM."""
        self._seq += 1
        seq = self._seq

        def land(event: simpy.Event) -> None:
            self.lines.append(PrintedLine(self.env.now, core, seq, text))

        if arrived.processed:
            land(arrived)
        else:
            arrived.callbacks.append(land)

    @property
    def finished(self) -> bool:
        """True when every core's result has reached the host."""
        return len(self.outcomes) == len(self.cores)

    def slot(self, channel: str, src: int, dst: int) -> MessageSlot:
        """The slot of messages on ``channel`` from rank ``src`` to rank ``dst``."""
        key = (channel, src, dst)
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = MessageSlot(self.env)
        return slot

    def blocked(self) -> list[tuple[int, str, int, int]]:
        """(chip core id, what it waits for, function, line) of every blocked core."""
        out: list[tuple[int, str, int, int]] = []
        if self.finished:
            return out
        for rank, what in sorted(self.waiting.items()):
            if rank in self.at_barrier:
                missing = [self.cores[r] for r in range(self.size) if r not in self.at_barrier]
                what = protocol.describe_wait(protocol.WAIT_BARRIER, 0, missing=missing)
            out.append((self.cores[rank], what) + self.where.get(rank, (0, 0)))
        return out
