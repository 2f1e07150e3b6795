"""The parallel module on the simulated chip: messages, collectives and barriers.

Every message is a write of its encoded bytes (plus an 8-byte header/flag) from the sender's core
into the receiver's memory over the cMesh, as the C runtime does on the real chip.  ``send`` is
eager: the sender goes on once its stores are issued and the value waits in the receiver's
mailbox until ``recv`` takes it.  Collectives are built from the same messages: ``bcast`` is the
root writing to every other core, ``reduce`` gathers to rank 0, combines in rank order and
broadcasts the result, ``sync`` gathers a flag at rank 0 and broadcasts a release flag.

The core's handling of each message inside a collective (encoding and copying it into the slot,
taking and decoding it, combining a ``reduce`` item) is charged as time on the core,
``costs.COMM_COSTS``, measured on the real build on e-sim (``epython.calibrate.collectives``).
The point-to-point operations' handling is part of their builtin's own cost, measured on one
core, as is the one-core work of a collective call.

A :class:`RankComm` is the parallel module as one core of one launch runs it; the message slots
belong to the launch (:class:`esim.cores.launch.LaunchState`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from epython.bytecode import protocol
from epython.bytecode.costs import COMM_COSTS
from epython.bytecode.opcodes import BUILTIN_BY_NAME, ErrorCode, Op
from epython.marshal import MarshalError, NestingError, SharedEncodeError, encode_value
from esim.cores import ops
from esim.cores.engine import Request
from esim.cores.launch import LaunchState
from esim.cores.memory import from_wire, to_wire
from esim.cores.values import Fault, KIter, KSet, type_name
from esim.mesh import Mesh

__all__ = ["REDUCE_OPS", "SYNC", "RankComm"]

HEADER_BYTES = protocol.MESSAGE_SLOT_HEADER_BYTES
#: Cycles of a collective's handling of one message it sends, one it receives, one reduce item.
SEND_CYCLES = COMM_COSTS["collective send"]
RECV_CYCLES = COMM_COSTS["collective recv"]
ITEM_CYCLES = COMM_COSTS["reduce item"]
REDUCE_OPS = ("sum", "min", "max", "prod")
#: The builtin code of ``parallel.sync`` (the core process counts its time as barrier time).
SYNC = BUILTIN_BY_NAME["parallel.sync"].code


def _call(channel: str, plain: str) -> str:
    """The call a wait on ``channel`` belongs to, for deadlock reports (``plain`` for "msg")."""
    return plain if channel == "msg" else channel.split(".")[0]


_Process = Generator[simpy.Event, Any, Any]


class RankComm:
    """The parallel operations of one rank of a launch: its core sends from ``core_id`` over
    ``mesh`` into the launch's message slots."""

    def __init__(self, env: simpy.Environment, mesh: Mesh, launch: LaunchState,
                 core_id: int) -> None:
        self.env = env
        self.mesh = mesh
        self.launch = launch
        self.core_id = core_id
        self.rank = launch.rank(core_id)

    def handle(self, request: Request) -> _Process:
        """Perform one request of this rank; returns the value the builtin returns."""
        self.launch.where[self.rank] = (request.func, request.line)
        operation = _OPERATIONS.get(request.code)
        if operation is None:
            raise Fault(ErrorCode.RuntimeError, f"{request.name} is not a parallel operation")
        return (yield from operation(self, *request.args))

    # --- the parallel module's operations (their arguments as the kernel passed them) --------
    def send(self, value: Any, dest: Any) -> _Process:
        """``parallel.send(value, dest)``."""
        yield from self._send("msg", value, self._peer(dest, "send"))
        return None

    def recv(self, source: Any) -> _Process:
        """``parallel.recv(source)``."""
        return (yield from self._recv("msg", self._peer(source, "recv")))

    def sendrecv(self, value: Any, peer_id: Any) -> _Process:
        """``parallel.sendrecv(value, peer)``."""
        peer = self._peer(peer_id, "sendrecv")
        # A value too large to be eager is exchanged in a fixed order (the lower core id sends
        # first) so that two cores swapping large values do not both wait for the other to
        # receive; the device's comm.c does the same.
        if self._eager(value) or self.core_id < self.launch.cores[peer]:
            yield from self._send("msg", value, peer)
            return (yield from self._recv("msg", peer))
        received = yield from self._recv("msg", peer)
        yield from self._send("msg", value, peer)
        return received

    def probe(self, source: Any) -> _Process:
        """``parallel.probe(source)``: is a message from ``source`` waiting?"""
        src = self._peer(source, "probe")
        if False:  # pragma: no cover - makes this a generator like the other operations
            yield
        return len(self.launch.slot("msg", src, self.rank).box.items) > 0

    def bcast(self, value: Any, root_id: Any) -> _Process:
        """``parallel.bcast(value, root)``."""
        root = self._peer(root_id, "bcast")
        if self.rank == root:
            for dst in range(self.launch.size):
                if dst != root:
                    yield from self._send("bcast", value, dst)
            return value
        return (yield from self._recv("bcast", root))

    def reduce(self, value: Any, op: Any) -> _Process:
        """``parallel.reduce(value, op)``: every rank gets the combination in rank order."""
        if op not in REDUCE_OPS:
            raise Fault(ErrorCode.ValueError, f"parallel.reduce: op must be one of "
                        f"{', '.join(REDUCE_OPS)}, got {op!r}")
        gathered = yield from self._gather("reduce", value)
        result = None
        if self.rank == 0:
            result = gathered[0]
            if len(gathered) > 1 and ITEM_CYCLES:
                yield self.env.timeout(ITEM_CYCLES * (len(gathered) - 1))
            for item in gathered[1:]:
                if op == "sum":
                    result = ops.binary(Op.BINARY_ADD, result, item)
                elif op == "prod":
                    result = ops.binary(Op.BINARY_MUL, result, item)
                elif op == "min":
                    result = item if ops.compare(Op.COMPARE_LT, item, result) else result
                else:
                    result = item if ops.compare(Op.COMPARE_GT, item, result) else result
        return (yield from self._fan_out("reduce.result", result))

    def sync(self) -> _Process:
        """``parallel.sync()``: a barrier of the launch's cores."""
        launch = self.launch
        launch.at_barrier.add(self.rank)
        yield from self._gather("sync", None)
        yield from self._fan_out("sync.release", None)
        launch.at_barrier.discard(self.rank)
        return None

    # --- messages ----------------------------------------------------------------------------
    def _peer(self, value: Any, what: str) -> int:
        """The rank within the launch of the chip core id ``value``."""
        if type(value) is not int:
            raise Fault(ErrorCode.TypeError, f"parallel.{what}: core id must be an int, not "
                        f"{type_name(value)}")
        if value not in self.launch.ranks:
            raise Fault(ErrorCode.ValueError, f"parallel.{what}: core {value} is not part of this "
                        f"launch (cores {self.launch.cores})")
        return self.launch.rank(value)

    def _eager(self, value: Any) -> bool:
        """Does ``value`` travel eagerly (its marshalled size fits a message slot)?  Iterators
        and ranges count as large without being measured (measuring would consume an
        iterator)."""
        if isinstance(value, (KIter, range)):
            return False
        try:
            return len(encode_value(to_wire(value))) <= self.launch.eager_bytes
        except MarshalError:
            return True  # _send reports it

    def _send(self, channel: str, value: Any, dst: int) -> _Process:
        """Send ``value`` to rank ``dst``; a value too large to be eager returns only once the
        receiver has taken it."""
        launch = self.launch
        _refuse_sets(value)
        wire = to_wire(value)
        try:
            nbytes = len(encode_value(wire)) + HEADER_BYTES
        except NestingError:
            raise Fault(ErrorCode.RecursionError, protocol.NESTING_ENCODE_MESSAGE) from None
        except SharedEncodeError as exc:
            raise Fault(ErrorCode.TypeError, str(exc)) from None
        except MarshalError as exc:
            raise Fault(ErrorCode.TypeError, f"cannot send {type_name(value)}: {exc}") from None
        copy = from_wire(wire)  # the receiver gets its own copy in its own memory
        if channel != "msg" and SEND_CYCLES:  # a collective's message: its handling here
            yield self.env.timeout(SEND_CYCLES)
        slot = launch.slot(channel, self.rank, dst)
        mesh = self.mesh
        here, there = self.core_id, launch.cores[dst]
        launch.waiting[self.rank] = (f"its {_call(channel, 'send')} slot at core {there} (the "
                                     f"previous message from core {here} is unread)")
        turn = slot.free.request()
        yield turn
        launch.waiting.pop(self.rank, None)
        taken = self.env.event()
        if nbytes - HEADER_BYTES <= launch.eager_bytes:
            transfer = mesh.write(here, there, nbytes, method="store")

            def deliver(_event: simpy.Event) -> None:
                slot.box.put((copy, turn, taken))

            transfer.arrived.callbacks.append(deliver)
            yield transfer.issued
            return None
        # Too large for the slot: slot-sized pieces, each acknowledged by the receiver, and
        # the sender returns only once the receiver has taken the value (rendezvous).
        piece = launch.eager_bytes
        left = nbytes - HEADER_BYTES
        while left > 0:
            chunk = min(piece, left)
            yield mesh.write(here, there, chunk + HEADER_BYTES, method="store").arrived
            yield mesh.write(there, here, 4, method="store").arrived  # the receiver's ack flag
            left -= chunk
        slot.box.put((copy, turn, taken))
        launch.waiting[self.rank] = (protocol.describe_wait(protocol.WAIT_SEND, there,
                                                            _call(channel, "send"))
                                     + f", a value of {nbytes} bytes")
        yield taken
        launch.waiting.pop(self.rank, None)
        return None

    def _recv(self, channel: str, src: int) -> _Process:
        launch = self.launch
        slot = launch.slot(channel, src, self.rank)
        launch.waiting[self.rank] = protocol.describe_wait(protocol.WAIT_RECV, launch.cores[src],
                                                           _call(channel, "recv"))
        value, turn, taken = yield slot.box.get()
        launch.waiting.pop(self.rank, None)
        slot.free.release(turn)
        taken.succeed()
        if channel != "msg" and RECV_CYCLES:  # a collective's message: taking and decoding it
            yield self.env.timeout(RECV_CYCLES)
        return value

    def _gather(self, channel: str, value: Any) -> _Process:
        """Every rank sends ``value`` to rank 0; rank 0 gets all values in rank order."""
        if self.rank != 0:
            yield from self._send(channel, value, 0)
            return []
        gathered = [value]
        for src in range(1, self.launch.size):
            gathered.append((yield from self._recv(channel, src)))
        return gathered

    def _fan_out(self, channel: str, value: Any) -> _Process:
        """Rank 0 sends ``value`` to every other rank, which returns it."""
        if self.rank != 0:
            return (yield from self._recv(channel, 0))
        for dst in range(1, self.launch.size):
            yield from self._send(channel, value, dst)
        return value


#: The parallel module's operations by builtin code.
_OPERATIONS: dict[int, Callable[..., _Process]] = {
    BUILTIN_BY_NAME["parallel." + name].code: getattr(RankComm, name)
    for name in ("send", "recv", "sendrecv", "probe", "bcast", "reduce", "sync")}


def _refuse_sets(value: Any, depth: int = 0) -> None:
    """TypeError when ``value`` holds a set: sets are not sent between cores (their order would
    not survive the wire), as the cores' encoder says."""
    t = type(value)
    if t is KSet:
        raise Fault(ErrorCode.TypeError, "value: values of type set cannot be passed")
    if depth < protocol.MAX_NESTING:
        if t is list or t is tuple:
            for item in value:
                _refuse_sets(item, depth + 1)
        elif t is dict:
            for k, item in value.items():
                _refuse_sets(k, depth + 1)
                _refuse_sets(item, depth + 1)
