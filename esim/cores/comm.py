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

from epython.bytecode.opcodes import ErrorCode, Op
from epython.marshal import MarshalError, encode_value
from esim.cores import ops
from esim.cores.interp import Request
from esim.cores.memory import from_wire, to_wire
from esim.cores.values import Fault, type_name

if TYPE_CHECKING:
    from esim.chip import Chip, LaunchState
    from esim.cores.core import Core

__all__ = ["Comm"]

HEADER_BYTES = 8
REDUCE_OPS = ("sum", "min", "max", "prod")


class _LaunchComm:
    """Mailboxes of one launch: one FIFO per (channel, source rank, destination rank)."""

    def __init__(self, env: simpy.Environment, cores: list[int]) -> None:
        self.env = env
        self.cores = cores
        self.size = len(cores)
        self.boxes: dict[tuple[str, int, int], simpy.Store] = {}
        self.waiting: dict[int, str] = {}

    def box(self, channel: str, src: int, dst: int) -> simpy.Store:
        key = (channel, src, dst)
        store = self.boxes.get(key)
        if store is None:
            store = self.boxes[key] = simpy.Store(self.env)
        return store


class Comm:
    """Carries out the observable parallel-module requests of the chip's cores."""

    def __init__(self, chip: Chip) -> None:
        self.chip = chip
        self.launches: dict[int, _LaunchComm] = {}

    def open(self, launch: LaunchState) -> None:
        """Create the mailboxes of a new launch."""
        self.launches[id(launch)] = _LaunchComm(self.chip.env, list(launch.cores))

    def blocked(self) -> list[tuple[int, str]]:
        """(chip core id, what it waits for) for every core blocked in a message or barrier."""
        out: list[tuple[int, str]] = []
        for state in self.launches.values():
            out.extend(sorted((state.cores[rank], what) for rank, what in state.waiting.items()))
        return out

    def handle(self, core: Core, launch: LaunchState,
               request: Request) -> Generator[simpy.Event, Any, Any]:
        """Perform one request for ``core``; returns the value the builtin returns."""
        state = self.launches[id(launch)]
        rank = launch.rank(core.id)
        name = request.name
        args = request.args
        if name == "parallel.send":
            yield from self._send(core, launch, state, rank, "msg", args[0], self._peer(args[1], launch, "send"))
            return None
        if name == "parallel.recv":
            return (yield from self._recv(state, rank, "msg", self._peer(args[0], launch, "recv")))
        if name == "parallel.sendrecv":
            peer = self._peer(args[1], launch, "sendrecv")
            yield from self._send(core, launch, state, rank, "msg", args[0], peer)
            return (yield from self._recv(state, rank, "msg", peer))
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
            state.waiting[rank] = "barrier (sync)"
            yield from self._gather(core, launch, state, rank, "sync", None)
            yield from self._fan_out(core, launch, state, rank, "sync.release", None)
            state.waiting.pop(rank, None)
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
        wire = to_wire(value)
        try:
            nbytes = len(encode_value(wire)) + HEADER_BYTES
        except MarshalError as exc:
            raise Fault(ErrorCode.TypeError, f"cannot send {type_name(value)}: {exc}") from None
        copy = from_wire(wire)  # the receiver gets its own copy in its own memory
        box = state.box(channel, rank, dst)
        transfer = self.chip.mesh.write(core.id, launch.cores[dst], nbytes, method="store")

        def deliver(_event: simpy.Event) -> None:
            box.put(copy)

        transfer.arrived.callbacks.append(deliver)  # type: ignore[union-attr]
        yield transfer.issued

    def _recv(self, state: _LaunchComm, rank: int, channel: str,
              src: int) -> Generator[simpy.Event, Any, Any]:
        state.waiting[rank] = f"{channel} from core {state.cores[src]}"
        value = yield state.box(channel, src, rank).get()
        del state.waiting[rank]
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
