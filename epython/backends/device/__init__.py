"""The device backend: the Epiphany through the e-hal driver (ctypes), or its host stand-in.

Where the e-hal comes from (:mod:`.locate`, first match wins):

* ``EPYTHON_EHAL=host``: the e-hal API on host threads (``device/ehal-host``), built on first
  use with the system C compiler together with the host build of the core program
  (``make -C device host``); each core is a thread over a 32 KB buffer, shared DRAM a 32 MB
  buffer.  This runs the whole device path (binding, protocol, C interpreter) without a board.
* ``EPYTHON_EHAL=/path/to/libe-hal.so``: that library (nothing else is searched).
* the eSDK: ``$EPIPHANY_HOME/tools/host/lib/libe-hal.so`` (``EPIPHANY_HOME`` defaults to
  ``/opt/adapteva/esdk``), then the system library path (``ctypes.util.find_library``).

When none is found, :meth:`DeviceBackend.available` is False and the first launch raises
:class:`epython.BackendError` naming every place looked at.

The launch protocol (docs/backends.md) is defined in :mod:`epython.bytecode.protocol`: the host
writes the program image and the argument block (u8 count + :func:`epython.marshal.encode_value`
of each argument) into the launch area of shared DRAM, fills each core's mailbox and bumps its
``command`` word; the core posts its result, error, counters and printed text into the same
mailbox.  Launches on busy cores wait in FIFO order in a host-side queue per core; the queues
advance whenever the host polls (``poll``/``wait_next``/``busy_cores``/``launch``).

The modules, one concept each:

* :mod:`.ehal`: the e-hal binding (ctypes structs of the eSDK 2016.11, the function table,
  :class:`EHal`);
* :mod:`.locate`: finding and building the libraries (:func:`find_ehal`,
  :func:`build_ehal_host`, :func:`build_core_host`, :func:`prefer_host_ehal`);
* :mod:`.mailbox`: the mailbox codec (pure functions);
* :mod:`.dram`: the allocator of the launch area in shared DRAM;
* :mod:`.launch`: :class:`DeviceLaunch`, one launch's results and lines;
* :mod:`.backend`: :class:`DeviceBackend`, the scheduler (queues per core, progress, cancel,
  timeouts, deadlock detection) and the driver's lifetime.

The package exports the backend, its launch and the functions that find and build the
libraries; everything else is used from its module.
"""

from __future__ import annotations

from epython.backends.device.backend import DEADLOCK_SECONDS, MAX_POLL_SLEEP, DeviceBackend
from epython.backends.device.ehal import C_STRUCTS
from epython.backends.device.launch import DeviceLaunch, LaunchScheduler
from epython.backends.device.locate import (
    build_core_host,
    build_ehal_host,
    core_program,
    find_ehal,
    prefer_host_ehal,
)

# The binding (.ehal), the codec (.mailbox), the allocator (.dram) and the library paths
# (.locate) are used from their modules; C_STRUCTS stays here for tests/ehal_layouts.py.
__all__ = [
    "C_STRUCTS",
    "DEADLOCK_SECONDS",
    "MAX_POLL_SLEEP",
    "DeviceBackend",
    "DeviceLaunch",
    "LaunchScheduler",
    "build_core_host",
    "build_ehal_host",
    "core_program",
    "find_ehal",
    "prefer_host_ehal",
]
