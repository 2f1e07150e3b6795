"""The parallel module: core identity, messages, collectives and barriers.

Inside a kernel these names compile to builtins of the bytecode and run on the cores.  Called
from plain CPython (an undecorated kernel) they behave as a single core: ``coreid() == 0``,
``numcores() == 1``, ``bcast``/``reduce`` return the value, ``sync`` does nothing, and
``send``/``recv``/``sendrecv``/``probe`` raise a RuntimeError because there is no peer.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["bcast", "coreid", "numcores", "probe", "recv", "reduce", "send", "sendrecv", "sync"]

T = TypeVar("T")

REDUCE_OPS = ("sum", "min", "max", "prod")


def coreid() -> int:
    """Id of the executing core (0 under CPython)."""
    return 0


def numcores() -> int:
    """Number of cores running this launch (1 under CPython)."""
    return 1


def _no_peer(name: str) -> RuntimeError:
    return RuntimeError(f"parallel.{name}() needs another core: under plain CPython there is only "
                        "core 0; run the function through @offload")


def send(value: Any, dest: int) -> None:
    """Send ``value`` to core ``dest`` (returns at once when it fits the receiver's mailbox)."""
    raise _no_peer("send")


def recv(source: int) -> Any:
    """Receive the next value sent by core ``source`` (blocks until it arrives)."""
    raise _no_peer("recv")


def sendrecv(value: Any, peer: int) -> Any:
    """Send ``value`` to ``peer`` and receive ``peer``'s value, without deadlock."""
    raise _no_peer("sendrecv")


def probe(source: int) -> bool:
    """True when a message from ``source`` is waiting."""
    raise _no_peer("probe")


def bcast(value: T, root: int) -> T:
    """Every core gets ``root``'s value."""
    return value


def reduce(value: T, op: str) -> T:
    """Combine every core's value with ``op`` in "sum", "min", "max", "prod"; all cores get it."""
    if op not in REDUCE_OPS:
        raise ValueError(f"reduce op must be one of {REDUCE_OPS}, got {op!r}")
    return value


def sync() -> None:
    """Barrier: wait until every core of the launch has reached it."""
