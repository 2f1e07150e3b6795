"""Chip parameters: one place for every hardware constant the simulator uses.

Each default cites its source; the figures come from ``shared/hardware/epiphany.md``
(the calibration set) and are explained in ``docs/timing-model.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from epython.bytecode import memory

__all__ = ["ChipConfig", "PRESETS", "preset"]


@dataclass(frozen=True)
class ChipConfig:
    """Static description of an Epiphany-like chip.

    Cores are numbered 0..rows*cols-1 in row-major order, relative to the first core.
    """

    name: str = "e16"
    rows: int = 4  # E16G301 datasheet: 16 cores, 4x4
    cols: int = 4
    clock_hz: float = 600e6  # Parallella core clock (epiphany-bsp CLOCKSPEED)
    local_memory_bytes: int = memory.LOCAL_MEMORY_BYTES  # 32 KB SRAM per core (bsps fast.ldf)
    first_row: int = 32  # Parallella E16G3: first core at (32, 8) = 0x808
    first_col: int = 8
    dram_bytes: int = 32 * 1024 * 1024  # shared DRAM window seen by the cores

    # Core memory budget (see docs/language.md, "Memory model").  The core program occupies the
    # low part of every core's SRAM: its resident code, data and C stack, measured on the real
    # Epiphany build (memory.RUNTIME_RESERVED_BYTES); the message slots take the top.
    runtime_reserved_bytes: int = memory.RUNTIME_RESERVED_BYTES
    mailbox_bytes: int = memory.CORE_MAILBOX_BYTES  # core-to-core message slots

    # --- eMesh (esim/mesh; every value explained in docs/timing-model.md) ----------------
    # Sections cited below are those of shared/hardware/epiphany.md.
    routing: str = "xy"  # "eMesh / routing": dimension order, along the row first, then the column
    link_bytes_per_cycle: int = 8  # "eMesh / link bandwidth": 8 bytes/cycle per link and direction
    packet_payload_bytes: int = 8  # "eLink (FPGA) peak": a write packet carries up to 8 data bytes
    hop_latency_cycles: float = 1.5  # "eMesh / hop latency": 1.5 ns/hop at 1 GHz = 1.5 cycles/hop
    # Core <-> router port latency: UNVERIFIED estimate; the load fit below absorbs any error.
    port_latency_cycles: float = 1.0
    # Cycles for the core to issue one store (one load/store per cycle): UNVERIFIED estimate.
    store_issue_cycles: float = 1.0
    # Fit to "remote 32-bit load latency = 18 + 3 x hops": each one-packet leg of a load costs
    # 3 + 1.5*hops in the mesh model, so the remote memory and load pipeline take 18 - 6 = 12.
    remote_read_service_cycles: float = 12.0
    # DMA (docs/timing-model.md, "The DMA engine and the read path"; docs/research/
    # mesh-measurements.md names every source).  e_dma_copy's fixed cost before the engine moves a
    # byte is two parts (dma_setup_cycles is their sum).  Its instructions: e-lib 2016.11's
    # e_dma_copy, descriptor set-up, e_dma_start and the completion polls of a copy that ends
    # within the first poll, counted on e-sim (device/toolchain/dma_count.py: 162 for 8-64 B,
    # GCC 12 -O2) ...
    dma_copy_instructions: float = 162.0
    # ... and what the chip adds to them (pipeline stalls, the DMA status register reads, the
    # engine's start and finish): the rest of "DMA write to DRAM of 8-64 B: ~455 cycles whatever
    # the size" (epiphany-bsp memorybench, 2015) once the modelled path is taken off, 392 in all.
    dma_engine_overhead_cycles: float = 230.0
    # The engine's write pace: fit to "DMA core -> neighbour core write, 8 KB = 2404 cycles".
    dma_cycles_per_packet: float = 1.96
    # Reads: a DMA engine issues one read request per this many cycles (fit to "DMA core <-
    # neighbour core read, 8 KB = 9749 cycles"; the Architecture Reference: writes are about 16x
    # more efficient than reads on chip) ...
    dma_read_request_cycles: float = 9.1
    # ... and keeps at most this many reads outstanding, so a far source paces it by its round
    # trip (Little's law; fit to "DMA read from DRAM, 51.2 cycles per 8 B", memorybench 2015).
    max_outstanding_reads: float = 11.8

    # --- eLink, shared DRAM and host (off-chip) ------------------------------------------
    # Effective eLink rate on the Parallella, one value fitting two measured rows: ascending
    # 8-byte stores (8-byte burst beats) at 17.6 cycles = 272.7 MB/s and descending stores
    # (14-byte single packets) at 32 cycles = 262.5 MB/s.  The 8-bit DDR 300 MHz wire ("eLink
    # (FPGA) peak", 600 MB/s per direction) is faster; the FPGA side limits the Parallella.
    elink_bytes_per_s: float = 268e6
    elink_packet_bytes: int = 14  # "eLink (FPGA) peak": up to 8 data bytes in a 14-byte packet
    elink_burst_beat_bytes: int = 8  # same row: bursts send 8-byte payloads back to back
    elink_latency_cycles: float = 20.0  # one way, UNVERIFIED; only its sum with DRAM is fitted
    # Row where inbound eLink traffic enters the mesh: the Parallella FPGA's eLink sits at mesh
    # coordinate 0x810 = (32, 16), i.e. on the first core row (oh parallella HDL, elink ID).
    elink_row: int = 0
    # How the chip shares the eLink's tx among the cores writing off chip: "round_robin", a
    # tree of round-robin arbiters along each row (Arch. Reference 03_emesh.md: "round-robin
    # arbiters in every router"; memorybench's per-column finish times), or "fcfs", chunk
    # reservations in the order the chunks are injected (esim/mesh/arbiter.py).
    elink_arbitration: str = "round_robin"
    # Fit to "core <- shared DRAM, blocking 8-byte loads: 577-729 cycles": the midpoint 653
    # minus the modelled mesh and eLink legs of core (0, 0) (docs/timing-model.md).
    dram_read_latency_cycles: float = 538.0
    host_dram_write_bytes_per_s: float = 100.7e6  # "host -> shared DRAM 100.7 MB/s"
    host_dram_read_bytes_per_s: float = 135.4e6  # "host <- shared DRAM 135.4 MB/s"
    host_chip_write_bytes_per_s: float = 14.6e6  # "host -> core SRAM 14.6 MB/s"
    host_chip_read_bytes_per_s: float = 17.85e6  # "Host <- SRAM: Read speed 17.85 MBps" (forum)

    # Simulation granularity, not hardware: bytes a transfer moves per reservation step.
    # Smaller is fairer under contention and slower to simulate (docs/timing-model.md).
    sim_chunk_bytes: int = 64

    def __post_init__(self) -> None:
        if self.rows < 1 or self.cols < 1:
            raise ValueError(f"chip {self.name!r}: rows and cols must be >= 1, got {self.rows}x{self.cols}")
        if self.runtime_reserved_bytes + self.mailbox_bytes >= self.local_memory_bytes:
            raise ValueError(f"chip {self.name!r}: runtime reservation leaves no user memory")
        if self.elink_arbitration not in ("round_robin", "fcfs"):
            raise ValueError(f"chip {self.name!r}: elink_arbitration must be 'round_robin' or "
                             f"'fcfs', got {self.elink_arbitration!r}")

    @property
    def dma_setup_cycles(self) -> float:
        """e_dma_copy's fixed cost before the engine moves a byte: its instructions and what the
        chip adds to them (``dma_copy_instructions + dma_engine_overhead_cycles``)."""
        return self.dma_copy_instructions + self.dma_engine_overhead_cycles

    @property
    def num_cores(self) -> int:
        """Number of cores on the chip."""
        return self.rows * self.cols

    @property
    def user_memory_bytes(self) -> int:
        """Bytes of each core's SRAM left for program, stack, heap and arguments."""
        return memory.user_memory_bytes(self)

    def coords(self, core: int) -> tuple[int, int]:
        """(row, col) of a core id, relative to the first core."""
        if not 0 <= core < self.num_cores:
            raise ValueError(f"core {core} does not exist on {self.name} ({self.num_cores} cores)")
        return divmod(core, self.cols)

    def core_at(self, row: int, col: int) -> int:
        """Core id of relative coordinates (row, col)."""
        if not (0 <= row < self.rows and 0 <= col < self.cols):
            raise ValueError(f"({row}, {col}) is outside the {self.rows}x{self.cols} chip {self.name}")
        return row * self.cols + col

    def seconds(self, cycles: float) -> float:
        """Convert core clock cycles to seconds."""
        return cycles / self.clock_hz

    @classmethod
    def custom(cls, rows: int, cols: int, **overrides: object) -> ChipConfig:
        """A what-if chip of any size with the e16 parameters otherwise."""
        return replace(PRESETS["e16"], name=f"{rows}x{cols}", rows=rows, cols=cols, **overrides)  # type: ignore[arg-type]


PRESETS: dict[str, ChipConfig] = {
    "e16": ChipConfig(),
    "e64": ChipConfig(name="e64", rows=8, cols=8),  # Epiphany-IV E64G401: 8x8
}


def preset(chip: str | ChipConfig) -> ChipConfig:
    """Resolve a preset name (``"e16"``, ``"e64"``, ``"RxC"``) or pass a config through."""
    if isinstance(chip, ChipConfig):
        return chip
    if chip in PRESETS:
        return PRESETS[chip]
    rows, sep, cols = chip.partition("x")
    if sep and rows.isdigit() and cols.isdigit():
        return ChipConfig.custom(int(rows), int(cols))
    raise ValueError(f"unknown chip {chip!r}: use one of {sorted(PRESETS)} or 'ROWSxCOLS' such as '32x32'")
