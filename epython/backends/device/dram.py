"""The launch area of epython's shared DRAM: which byte ranges hold the program images and
argument blocks of the launches in flight (first fit, 8-byte aligned).

epython's DRAM area (``protocol.DRAM_AREA_OFFSET``) holds one mailbox per core and then this
area; offsets here are from the start of epython's DRAM area, as in the mailboxes.
"""

from __future__ import annotations

from epython.bytecode import protocol
from epython.errors import BackendError

__all__ = ["ALIGN", "LAUNCH_AREA_BYTES", "LaunchArea", "align", "shared_area"]

#: Bytes of the launch area (program images and argument blocks after the mailboxes).
LAUNCH_AREA_BYTES = 8 << 20
#: Alignment of every region (the cores read images and arguments as 8-byte words).
ALIGN = 8


def align(nbytes: int) -> int:
    """``nbytes`` rounded up to a multiple of ALIGN."""
    return (nbytes + ALIGN - 1) // ALIGN * ALIGN


class LaunchArea:
    """First-fit allocation of regions in ``[start, start + size)``."""

    def __init__(self, start: int, size: int = LAUNCH_AREA_BYTES,
                 name: str = "the launch area") -> None:
        self.start = start
        self.size = size
        self.name = name
        self._regions: list[tuple[int, int]] = []  # (start, end) in use

    def __len__(self) -> int:
        """Regions in use."""
        return len(self._regions)

    def allocate(self, nbytes: int) -> tuple[int, int]:
        """The (start, end) of a free region of at least ``nbytes`` (at least ALIGN) bytes, now
        in use; BackendError when none is left."""
        nbytes = max(ALIGN, align(nbytes))
        start = self.start
        for used_start, used_end in sorted(self._regions):
            if used_start - start >= nbytes:
                break
            start = max(start, used_end)
        if start + nbytes > self.start + self.size:
            raise BackendError(f"{self.name} in shared DRAM ({self.size} bytes) is full "
                               f"with {len(self._regions)} launches in flight; wait for some "
                               "of them before launching more")
        self._regions.append((start, start + nbytes))
        return start, start + nbytes

    def free(self, start: int) -> None:
        """Give back the region that starts at ``start`` (nothing if there is none)."""
        self._regions = [r for r in self._regions if r[0] != start]


def shared_area() -> LaunchArea:
    """The allocator of the shared() arrays' area (``protocol.SHARED_AREA_OFFSET``, 12 MB past
    e-hal's table), with offsets from the start of epython's DRAM area like every other."""
    return LaunchArea(protocol.SHARED_AREA_OFFSET - protocol.DRAM_AREA_OFFSET,
                      protocol.SHARED_ARRAYS_BYTES, "the area of shared() arrays")
