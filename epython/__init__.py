"""epython: Python kernels offloaded to the cores of an Epiphany chip, or to its simulator.

    from epython import offload

    @offload
    def hello(a, b):
        print("Hello World")
        return a + b

    hello(10, 20)   # [30] * 16 on the 16 cores; EPYTHON_BACKEND selects sim (default) or device
"""

from epython.arrays import shared, split
from epython.device_data import copy_from_device, copy_to_device, define_on_device
from epython.errors import (
    BackendError,
    CompileError,
    CoreFault,
    DeadlockError,
    EpythonError,
    KernelError,
    LaunchCancelled,
    LaunchOptionWarning,
    UndefinedNameWarning,
)
from epython.handle import KernelHandle
from epython.offload import Kernel, offload
from epython.profile import Profile, profile

__all__ = [
    "BackendError",
    "CompileError",
    "DeadlockError",
    "EpythonError",
    "Kernel",
    "KernelError",
    "KernelHandle",
    "CoreFault",
    "LaunchCancelled",
    "LaunchOptionWarning",
    "UndefinedNameWarning",
    "Profile",
    "copy_from_device",
    "copy_to_device",
    "define_on_device",
    "offload",
    "profile",
    "shared",
    "split",
]

__version__ = "0.1.0"
