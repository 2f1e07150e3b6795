"""The device backend: the real Epiphany through the e-hal driver (ctypes).

Not built yet: the C core interpreter, the e-hal binding and the host e-hal are the subject of
the device-backend issue.  Selecting this backend today fails with an error that says so.
"""

from __future__ import annotations

from typing import Any, NoReturn

from epython.compiler import CompiledKernel
from epython.errors import BackendError

__all__ = ["DeviceBackend"]


class DeviceBackend:
    """Placeholder that refuses to launch, with an explanation (see the module doc)."""

    name = "device"

    def available(self) -> bool:
        """False: this version has no e-hal binding."""
        return False

    def num_cores(self) -> int:
        """The Parallella's 16 cores."""
        return 16

    def busy_cores(self) -> set[int]:
        """No launch ever runs here."""
        return set()

    def launch(self, kernel: CompiledKernel, args: list[Any], cores: list[int]) -> NoReturn:
        """Refuse: the device path is not implemented in this version."""
        raise BackendError("the device backend (e-hal binding and C core interpreter) is not "
                           "implemented in this version of epython; use EPYTHON_BACKEND=sim")
