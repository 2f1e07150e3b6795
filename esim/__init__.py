"""esim: a cycle-approximate SimPy model of the Epiphany chip (cores, eMesh, eLink, DRAM).

esim stands alone: it may import ``epython.bytecode`` and ``epython.marshal`` but never the
offload API or the backends.
"""

from esim.config import PRESETS, ChipConfig, preset

__all__ = ["PRESETS", "ChipConfig", "preset"]
