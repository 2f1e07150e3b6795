/* platform.h: what the core interpreter needs from the machine it runs on.
 *
 * Two implementations ("ports"): platform_epiphany.c (e-lib, on the chip) and
 * platform_host.c (threads of the host e-hal, device/ehal-host).  The interpreter and the
 * runtime loop call only these functions; they never touch e-lib or the host directly. */
#ifndef EPY_PLATFORM_H
#define EPY_PLATFORM_H

#include <stdint.h>

/* Chip-relative index of the executing core: row * cols + col. */
uint32_t plat_core_index(void);

/* Rows and columns of the chip (4 x 4 on the Parallella). */
uint32_t plat_rows(void);
uint32_t plat_cols(void);

/* Base of the executing core's 32 KB local memory (offset 0 of its SRAM). */
uint8_t *plat_local_base(void);

/* Address at which the executing core can read and write offset `offset` of core `index`'s
 * local memory (a global mesh address on the chip, a host pointer off-board). */
volatile uint8_t *plat_core_address(uint32_t index, uint32_t offset);

/* Address at which the executing core sees offset `offset` of shared DRAM's 32 MB window. */
volatile uint8_t *plat_dram_address(uint32_t offset);

/* The real memory of a launch's workspace (heap and frames), whose program image and arguments
 * end at offset `user_end` of local memory; *bytes gets its size.  On the chip it is the rest of
 * the user area of SRAM; the host port gives each core a larger buffer (the model limit is
 * enforced apart, see config.h). */
uint8_t *plat_workspace(uint32_t user_end, uint32_t *bytes);

/* Free-running cycle counter of the core (CTIMER on the chip, scaled host clock off-board). */
uint32_t plat_cycles(void);

/* Called in every busy-wait loop: lets other cores run off-board; returns nonzero when the
 * core must abandon what it is doing and return from epy_runtime_main (reset/halt/close). */
int plat_poll(void);

/* Nonzero when the core must abandon what it is doing (as plat_poll says), without letting
 * other cores run: the check of a running core's heartbeat. */
int plat_stopping(void);

/* The runtime loop's wait for the next launch: until the host signals the core (e_signal) or a
 * short while passes, without spinning where the platform can block; nonzero when told to
 * stop. */
int plat_idle(void);

/* The runtime loop: wait for a launch in this core's DRAM mailbox, run it, post the result,
 * repeat until plat_poll() asks to stop.  Implemented in runtime.c. */
void epy_runtime_main(void);

/* ---- host port only ------------------------------------------------------------------------
 * The host e-hal (device/ehal-host) loads the host build of the core program as a shared
 * library and runs, on one thread per core, epy_host_core_main(ctx).  ctx stays valid until
 * that call returns. */
struct epy_host_core {
    uint32_t index;           /* chip-relative core index */
    uint32_t rows, cols;
    uint8_t **local;          /* local[i]: core i's 32 KB buffer, for every core of the chip */
    uint8_t *dram;            /* the 32 MB shared DRAM window (offset 0) */
    volatile int *stop;       /* nonzero: return from epy_host_core_main as soon as possible */
    /* Block until the host signals this core (e_signal), asks it to stop, or max_us pass;
     * NULL: the core polls (sleeping a little now and then). */
    void (*idle)(struct epy_host_core *ctx, uint32_t max_us);
};

void epy_host_core_main(struct epy_host_core *ctx);

#endif /* EPY_PLATFORM_H */
