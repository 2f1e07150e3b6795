"""The e-hal binding: ctypes mirrors of the eSDK 2016.11 structs, the function table with its
signatures, and :class:`EHal`, a loaded e-hal library whose failing calls raise BackendError.

The same binding serves the real libe-hal (a Parallella, or the eSDK's esim target) and the
project's host e-hal (``device/ehal-host``); :mod:`.locate` decides which library is loaded.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any

from epython.errors import BackendError

__all__ = [
    "C_STRUCTS",
    "EChip",
    "ECore",
    "EEpiphany",
    "EHal",
    "EMem",
    "EMemseg",
    "EMmap",
    "EPlatform",
    "E_ERR",
    "E_EXT_MEM",
    "E_FALSE",
    "E_OK",
    "E_TRUE",
    "OFF_T",
    "OPTIONAL_SIGNATURES",
    "SIGNATURES",
]

# --- ctypes mirrors of the e-hal structs --------------------------------------------------------
# Field order and types follow the eSDK 2016.11 release that Parallella boards ship:
# adapteva/epiphany-libs tag epiphany-libs-esdk-2016.11 (commit
# 237b6cb27460c73bcc39cd648d52d36ab1b39c56, LGPL): e-hal/src/epiphany-hal-data-local.h (e_mmap_t,
# e_core_t, e_chip_t, e_memseg_t, e_platform_t) and e-hal/src/epiphany-hal-data.h (e_epiphany_t,
# e_mem_t).  device/ehal-host/e-hal.h declares the same layouts.  tests/test_ehal_layout.py
# checks every size and offset below against that header, against layouts recorded from the
# real headers with gcc for x86-64 and 32-bit ARM (the Parallella's host), and, when an
# epiphany-libs tree is at hand (EPIPHANY_LIBS_SRC), against the real headers themselves.
# C enums are int; off_t is long on Linux (the eSDK is built without _FILE_OFFSET_BITS=64, so it
# is 4 bytes on the Parallella's 32-bit ARM).

_enum = ctypes.c_int
#: ``off_t`` as the eSDK's libe-hal sees it (long: 8 bytes on x86-64, 4 on 32-bit ARM).
OFF_T = ctypes.c_long
E_OK = 0
E_ERR = -1
E_FALSE = 0
E_TRUE = 1
E_EXT_MEM = 5


class EMmap(ctypes.Structure):
    """``e_mmap_t``: one mapped region (a core's SRAM or registers)."""

    _fields_ = [
        ("objtype", _enum),
        ("phy_base", OFF_T),
        ("page_base", OFF_T),
        ("page_offset", OFF_T),
        ("map_size", ctypes.c_size_t),
        ("mapped_base", ctypes.c_void_p),
        ("base", ctypes.c_void_p),
    ]


class ECore(ctypes.Structure):
    """``e_core_t``: one core of an open workgroup."""

    _fields_ = [
        ("objtype", _enum),
        ("id", ctypes.c_uint),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("mems", EMmap),
        ("regs", EMmap),
    ]


class EChip(ctypes.Structure):
    """``e_chip_t``: one Epiphany chip of the platform."""

    _fields_ = [
        ("objtype", _enum),
        ("type", _enum),
        ("version", ctypes.c_char * 32),
        ("arch", ctypes.c_uint),
        ("base_coreid", ctypes.c_uint),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("rows", ctypes.c_uint),
        ("cols", ctypes.c_uint),
        ("num_cores", ctypes.c_uint),
        ("sram_base", ctypes.c_uint),
        ("sram_size", ctypes.c_uint),
        ("regs_base", ctypes.c_uint),
        ("regs_size", ctypes.c_uint),
        ("ioregs_n", OFF_T),
        ("ioregs_e", OFF_T),
        ("ioregs_s", OFF_T),
        ("ioregs_w", OFF_T),
    ]


class EMemseg(ctypes.Structure):
    """``e_memseg_t``: one external memory segment."""

    _fields_ = [
        ("objtype", _enum),
        ("phy_base", OFF_T),
        ("ephy_base", OFF_T),
        ("size", ctypes.c_size_t),
        ("type", _enum),
    ]


class EPlatform(ctypes.Structure):
    """``e_platform_t``: what ``e_get_platform_info`` reports.

    e-hal 2016.11 copies its platform record and sets ``chip`` and ``emem`` to NULL in the copy
    (epiphany-hal.c), so only the scalar fields are meaningful here.
    """

    _fields_ = [
        ("objtype", _enum),
        ("type", _enum),
        ("version", ctypes.c_char * 32),
        ("hal_ver", ctypes.c_uint),
        ("initialized", ctypes.c_int),
        ("num_chips", ctypes.c_int),
        ("chip", ctypes.POINTER(EChip)),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("rows", ctypes.c_uint),
        ("cols", ctypes.c_uint),
        ("num_emems", ctypes.c_int),
        ("emem", ctypes.POINTER(EMemseg)),
        ("target_ops", ctypes.c_void_p),  # const e_target_ops_t *: the target's functions
        ("priv", ctypes.c_void_p),  # the target's handle (esim: its es_state)
    ]


class EEpiphany(ctypes.Structure):
    """``e_epiphany_t``: an open workgroup of cores (``e_open``)."""

    _fields_ = [
        ("objtype", _enum),
        ("type", _enum),
        ("num_cores", ctypes.c_uint),
        ("base_coreid", ctypes.c_uint),
        ("row", ctypes.c_uint),
        ("col", ctypes.c_uint),
        ("rows", ctypes.c_uint),
        ("cols", ctypes.c_uint),
        ("core", ctypes.POINTER(ctypes.POINTER(ECore))),
        ("memfd", ctypes.c_int),
        ("priv", ctypes.c_void_p),  # the target's private data
    ]


class EMem(ctypes.Structure):
    """``e_mem_t``: a buffer of external memory (``e_alloc``)."""

    _fields_ = [
        ("objtype", _enum),
        ("phy_base", OFF_T),
        ("page_base", OFF_T),
        ("page_offset", OFF_T),
        ("map_size", ctypes.c_size_t),
        ("ephy_base", OFF_T),
        ("emap_size", ctypes.c_size_t),
        ("mapped_base", ctypes.c_void_p),
        ("base", ctypes.c_void_p),
        ("memfd", ctypes.c_int),
        ("priv", ctypes.c_void_p),  # the target's private data
    ]


#: The C struct each ctypes class mirrors (the layout tests walk this).
C_STRUCTS: dict[str, type[ctypes.Structure]] = {
    "e_mmap_t": EMmap,
    "e_core_t": ECore,
    "e_chip_t": EChip,
    "e_memseg_t": EMemseg,
    "e_platform_t": EPlatform,
    "e_epiphany_t": EEpiphany,
    "e_mem_t": EMem,
}

_P_EP, _P_MEM = ctypes.POINTER(EEpiphany), ctypes.POINTER(EMem)
_u, _i = ctypes.c_uint, ctypes.c_int
#: (restype, argtypes) of every e-hal function epython calls, as declared in the eSDK 2016.11
#: e-hal/src/epiphany-hal-api.h and e-hal/src/e-loader.h (e_load_group).  C enum parameters
#: (e_bool_t, e_hal_diag_t) are int; a ``const`` qualifier does not change the ctypes type.
SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "e_init": (_i, [ctypes.c_char_p]),
    "e_get_platform_info": (_i, [ctypes.POINTER(EPlatform)]),
    "e_finalize": (_i, []),
    "e_open": (_i, [_P_EP, _u, _u, _u, _u]),
    "e_close": (_i, [_P_EP]),
    "e_alloc": (_i, [_P_MEM, OFF_T, ctypes.c_size_t]),
    "e_free": (_i, [_P_MEM]),
    "e_read": (ctypes.c_ssize_t, [ctypes.c_void_p, _u, _u, OFF_T, ctypes.c_void_p,
                                  ctypes.c_size_t]),
    "e_write": (ctypes.c_ssize_t, [ctypes.c_void_p, _u, _u, OFF_T, ctypes.c_void_p,
                                   ctypes.c_size_t]),
    "e_reset_group": (_i, [_P_EP]),
    "e_start_group": (_i, [_P_EP]),
    "e_signal": (_i, [_P_EP, _u, _u]),
    "e_halt": (_i, [_P_EP, _u, _u]),
    "e_load_group": (_i, [ctypes.c_char_p, _P_EP, _u, _u, _u, _u, _i]),
}
#: Functions bound when the library has them: (restype, argtypes) likewise.
OPTIONAL_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "e_set_host_verbosity": (_i, [_i]),  # e_hal_diag_t e_set_host_verbosity(e_hal_diag_t)
    "ehal_host_last_error": (ctypes.c_char_p, []),  # the host e-hal only (not in the eSDK)
    # e-hal's own reset of one core (epiphany-hal.c; declared in epiphany-hal-api-local.h):
    # e_halt writes DEBUGCMD, which e-sim ignores, so a running core is reset instead
    "ee_reset_core": (_i, [_P_EP, _u, _u]),
}


class EHal:
    """The e-hal functions epython uses, loaded with ctypes, with typed signatures.

    Failing calls raise :class:`BackendError` naming the function (and, for the host e-hal,
    its explanation from ``ehal_host_last_error``).
    """

    def __init__(self, path: Path | str, host: bool = False) -> None:
        self.path = Path(path)
        self.host = host
        try:
            self.lib = ctypes.CDLL(str(path))
        except OSError as exc:
            raise BackendError(f"cannot load the e-hal library {path}: {exc}") from exc
        for name, (restype, argtypes) in SIGNATURES.items():
            try:
                fn = getattr(self.lib, name)
            except AttributeError as exc:
                raise BackendError(f"{path} does not export {name}(); it is not an e-hal "
                                   "library") from exc
            fn.restype, fn.argtypes = restype, argtypes
        for name, (restype, argtypes) in OPTIONAL_SIGNATURES.items():
            fn = getattr(self.lib, name, None)
            if fn is not None:
                fn.restype, fn.argtypes = restype, argtypes
        self._last_error = getattr(self.lib, "ehal_host_last_error", None)

    def why(self) -> str:
        """The library's explanation of its last failure ('' when it has none)."""
        if self._last_error is None:
            return ""
        raw = self._last_error()
        return raw.decode("utf-8", "replace") if raw else ""

    def check(self, name: str, rc: int, doing: str) -> int:
        """Raise BackendError when an e-hal call failed (a negative return)."""
        if rc < 0:
            why = self.why()
            raise BackendError(f"e-hal {name}() failed while {doing} ({self.path}): "
                               + (why or f"returned {rc}; run with the eSDK's verbosity raised "
                                  "(e_set_host_verbosity) for details"))
        return rc

    def call(self, name: str, doing: str, *args: Any) -> int:
        """Call e-hal function ``name`` and check its result."""
        rc = int(getattr(self.lib, name)(*args))
        return rc if rc >= 0 else self.check(name, rc, doing)
