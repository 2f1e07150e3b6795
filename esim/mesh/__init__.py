"""The eMesh interconnect model: routers, links, cMesh/rMesh/xMesh, eLink, DRAM, host port.

``Mesh`` is the entry point (``Mesh(env, config).write(...)`` / ``.read(...)``); see
``docs/timing-model.md`` for the timing model and its calibration.  This package carries
bytes and knows no interpreter: it never imports ``esim.cores`` or ``epython``.
"""

from esim.mesh.endpoints import Endpoint, Place
from esim.mesh.link import Header, Link
from esim.mesh.mesh import READ_METHODS, WRITE_METHODS, Mesh
from esim.mesh.stats import Accumulator, LinkStatRow, MeshStats, TransferRecord
from esim.mesh.transfer import Transfer

__all__ = [
    "READ_METHODS",
    "WRITE_METHODS",
    "Accumulator",
    "Endpoint",
    "Header",
    "Link",
    "LinkStatRow",
    "Mesh",
    "MeshStats",
    "Place",
    "Transfer",
    "TransferRecord",
]
