"""The parallel module on the simulated chip: messages, collectives and barriers.

Every message is a write of its encoded bytes (plus an 8-byte header/flag) from the sender's core
into the receiver's memory over the cMesh, as the C runtime does on the real chip.  ``send`` is
eager: the sender goes on once its stores are issued and the value waits in the receiver's
mailbox until ``recv`` takes it.  Collectives are built from the same messages: ``bcast`` is the
root writing to every other core, ``reduce`` gathers to rank 0, combines in rank order and
broadcasts the result, ``sync`` gathers a flag at rank 0 and broadcasts a release flag.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from epython.bytecode import protocol
from epython.bytecode.opcodes import ErrorCode, Op
from epython.marshal import MarshalError, NestingError, encode_value
from esim.cores import ops
from esim.cores.engine import Request
from esim.cores.memory import from_wire, to_wire
from esim.cores.values import Fault, KIter, type_name

if TYPE_CHECKING:
    from esim.chip import Chip, LaunchState
    from esim.cores.core import Core

__all__ = ["Comm"]

HEADER_BYTES = 8
REDUCE_OPS = ("sum", "min", "max", "prod")


class _Slot:
    """One sender's message slot in a receiver's memory: holds one unread message at a time."""

    def __init__(self, env: simpy.Environment) -> None:
        self.free = simpy.Resource(env, capacity=1)  # the sender owns it until the recv
        self.box = simpy.Store(env)  # delivered messages (at most one)


def _call(channel: str, plain: str) -> str:
    """The call a wait on ``channel`` belongs to, for deadlock reports (``plain`` for "msg")."""
    return plain if channel == "msg" else channel.split(".")[0]


def _eager(value: Any, state: _LaunchComm) -> bool:
    """Does ``value`` travel eagerly (its marshalled size fits a message slot)?  Iterators and
    ranges count as large without being measured (measuring would consume an iterator)."""
    if isinstance(value, (KIter, range)):
        return False
    try:
        return len(encode_value(to_wire(value))) <= state.eager_bytes
    except MarshalError:
        return True  # _send reports it


class _LaunchComm:
    """Message slots of one launch: one per (channel, source rank, destination rank)."""

    def __init__(self, env: simpy.Environment, cores: list[int], eager_bytes: int) -> None:
        self.env = env
        self.cores = cores
        self.size = len(cores)
        self.eager_bytes = eager_bytes
        self.slots: dict[tuple[str, int, int], _Slot] = {}
        self.waiting: dict[int, str] = {}
        self.where: dict[int, tuple[int, int]] = {}  # rank -> (function, line) of its request
        self.at_barrier: set[int] = set()

    def slot(self, channel: str, src: int, dst: int) -> _Slot:
        key = (channel, src, dst)
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = _Slot(self.env)
        return slot

    def box(self, channel: str, src: int, dst: int) -> simpy.Store:
        return self.slot(channel, src, dst).box


class Comm:
    """Carries out the observable parallel-module requests of the chip's cores."""

    def __init__(self, chip: Chip) -> None:
        self.chip = chip
        self.launches: dict[int, _LaunchComm] = {}

    def open(self, launch: LaunchState) -> None:
        """Create the mailboxes of a new launch."""
        self.launches[id(launch)] = _LaunchComm(
            self.chip.env, list(launch.cores), protocol.eager_bytes(self.chip.config.num_cores))

    def close(self, launch: LaunchState) -> None:
        """Forget the message slots of a finished launch."""
        self.launches.pop(id(launch), None)

    def blocked(self) -> list[tuple[int, str, int, int]]:
        """(chip core id, what it waits for, function, line) of every blocked core."""
        out: list[tuple[int, str, int, int]] = []
        for state in self.launches.values():
            for rank, what in sorted(state.waiting.items()):
                if rank in state.at_barrier:
                    missing = [state.cores[r] for r in range(state.size)
                               if r not in state.at_barrier]
                    what = protocol.describe_wait(protocol.WAIT_BARRIER, 0, missing=missing)
                out.append((state.cores[rank], what) + state.where.get(rank, (0, 0)))
        return out

    def handle(self, core: Core, launch: LaunchState,
               request: Request) -> Generator[simpy.Event, Any, Any]:
        """Perform one request for ``core``; returns the value the builtin returns."""
        state = self.launches[id(launch)]
        rank = launch.rank(core.id)
        state.where[rank] = (request.func, request.line)
        name = request.name
        args = request.args
        if name == "parallel.send":
            yield from self._send(core, launch, state, rank, "msg", args[0], self._peer(args[1], launch, "send"))
            return None
        if name == "parallel.recv":
            return (yield from self._recv(state, rank, "msg", self._peer(args[0], launch, "recv")))
        if name == "parallel.sendrecv":
            peer = self._peer(args[1], launch, "sendrecv")
            # A value too large to be eager is exchanged in a fixed order (the lower core id
            # sends first) so that two cores swapping large values do not both wait for the
            # other to receive; the device's comm.c does the same.
            if _eager(args[0], state) or core.id < launch.cores[peer]:
                yield from self._send(core, launch, state, rank, "msg", args[0], peer)
                return (yield from self._recv(state, rank, "msg", peer))
            value = yield from self._recv(state, rank, "msg", peer)
            yield from self._send(core, launch, state, rank, "msg", args[0], peer)
            return value
        if name == "parallel.probe":
            src = self._peer(args[0], launch, "probe")
            return len(state.box("msg", src, rank).items) > 0
        if name == "parallel.bcast":
            root = self._peer(args[1], launch, "bcast")
            if rank == root:
                for dst in range(state.size):
                    if dst != root:
                        yield from self._send(core, launch, state, rank, "bcast", args[0], dst)
                return args[0]
            return (yield from self._recv(state, rank, "bcast", root))
        if name == "parallel.reduce":
            return (yield from self._reduce(core, launch, state, rank, args[0], args[1]))
        if name == "parallel.sync":
            state.at_barrier.add(rank)
            yield from self._gather(core, launch, state, rank, "sync", None)
            yield from self._fan_out(core, launch, state, rank, "sync.release", None)
            state.at_barrier.discard(rank)
            return None
        raise Fault(ErrorCode.RuntimeError, f"{name} is not a parallel operation")

    @staticmethod
    def _peer(value: Any, launch: LaunchState, what: str) -> int:
        """The rank within the launch of the chip core id ``value``."""
        if type(value) is not int:
            raise Fault(ErrorCode.TypeError, f"parallel.{what}: core id must be an int, not "
                        f"{type_name(value)}")
        if value not in launch.cores:
            raise Fault(ErrorCode.ValueError, f"parallel.{what}: core {value} is not part of this "
                        f"launch (cores {launch.cores})")
        return launch.rank(value)

    def _send(self, core: Core, launch: LaunchState, state: _LaunchComm, rank: int, channel: str,
              value: Any, dst: int) -> Generator[simpy.Event, Any, None]:
        """Send ``value`` to rank ``dst``; a value too large to be eager returns only once the
        receiver has taken it."""
        wire = to_wire(value)
        try:
            nbytes = len(encode_value(wire)) + HEADER_BYTES
        except NestingError:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_ENCODE_MESSAGE) from None
        except MarshalError as exc:
            raise Fault(ErrorCode.TypeError, f"cannot send {type_name(value)}: {exc}") from None
        copy = from_wire(wire)  # the receiver gets its own copy in its own memory
        slot = state.slot(channel, rank, dst)
        mesh = self.chip.mesh
        here, there = core.id, launch.cores[dst]
        state.waiting[rank] = (f"its {_call(channel, 'send')} slot at core {there} (the previous message "
                               f"from core {here} is unread)")
        turn = slot.free.request()
        yield turn
        state.waiting.pop(rank, None)
        taken = self.chip.env.event()
        if nbytes - HEADER_BYTES <= state.eager_bytes:
            transfer = mesh.write(here, there, nbytes, method="store")

            def deliver(_event: simpy.Event) -> None:
                slot.box.put((copy, turn, taken))

            transfer.arrived.callbacks.append(deliver)
            yield transfer.issued
            return None
        # Too large for the slot: slot-sized pieces, each acknowledged by the receiver, and
        # the sender returns only once the receiver has taken the value (rendezvous).
        piece = state.eager_bytes
        left = nbytes - HEADER_BYTES
        while left > 0:
            chunk = min(piece, left)
            yield mesh.write(here, there, chunk + HEADER_BYTES, method="store").arrived
            yield mesh.write(there, here, 4, method="store").arrived  # the receiver's ack flag
            left -= chunk
        slot.box.put((copy, turn, taken))
        state.waiting[rank] = (protocol.describe_wait(protocol.WAIT_SEND, there, _call(channel, "send"))
                               + f", a value of {nbytes} bytes")
        yield taken
        state.waiting.pop(rank, None)
        return None

    def _recv(self, state: _LaunchComm, rank: int, channel: str,
              src: int) -> Generator[simpy.Event, Any, Any]:
        slot = state.slot(channel, src, rank)
        state.waiting[rank] = protocol.describe_wait(protocol.WAIT_RECV, state.cores[src], _call(channel, "recv"))
        value, turn, taken = yield slot.box.get()
        state.waiting.pop(rank, None)
        slot.free.release(turn)
        taken.succeed()
        return value

    def _gather(self, core: Core, launch: LaunchState, state: _LaunchComm, rank: int,
                channel: str, value: Any) -> Generator[simpy.Event, Any, list[Any]]:
        """Every rank sends ``value`` to rank 0; rank 0 gets all values in rank order."""
        if rank != 0:
            yield from self._send(core, launch, state, rank, channel, value, 0)
            return []
        gathered = [value]
        for src in range(1, state.size):
            gathered.append((yield from self._recv(state, 0, channel, src)))
        return gathered

    def _fan_out(self, core: Core, launch: LaunchState, state: _LaunchComm, rank: int,
                 channel: str, value: Any) -> Generator[simpy.Event, Any, Any]:
        """Rank 0 sends ``value`` to every other rank, which returns it."""
        if rank != 0:
            return (yield from self._recv(state, rank, channel, 0))
        for dst in range(1, state.size):
            yield from self._send(core, launch, state, 0, channel, value, dst)
        return value

    def _reduce(self, core: Core, launch: LaunchState, state: _LaunchComm, rank: int, value: Any,
                op: Any) -> Generator[simpy.Event, Any, Any]:
        if op not in REDUCE_OPS:
            raise Fault(ErrorCode.ValueError, f"parallel.reduce: op must be one of "
                        f"{', '.join(REDUCE_OPS)}, got {op!r}")
        gathered = yield from self._gather(core, launch, state, rank, "reduce", value)
        result = None
        if rank == 0:
            result = gathered[0]
            for item in gathered[1:]:
                if op == "sum":
                    result = ops.binary(Op.BINARY_ADD, result, item)
                elif op == "prod":
                    result = ops.binary(Op.BINARY_MUL, result, item)
                elif op == "min":
                    result = item if ops.compare(Op.COMPARE_LT, item, result) else result
                else:
                    result = item if ops.compare(Op.COMPARE_GT, item, result) else result
        return (yield from self._fan_out(core, launch, state, rank, "reduce.result", result))
