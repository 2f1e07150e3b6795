/* platform_epiphany.c: the Epiphany port (e-lib, eSDK 2016.11).  Built by `make epiphany`
 * with e-gcc and core/epiphany.ldf, which keeps code, data and stack in the low 20 KB of the
 * core's SRAM (RUNTIME_RESERVED_BYTES); the user area and the message slots follow. */
#include <e_lib.h>

#include "opcodes.h"
#include "platform.h"

/* Chip-relative index of the executing core (the workgroup is the whole chip). */
uint32_t plat_core_index(void)
{
    return e_group_config.core_row * e_group_config.group_cols + e_group_config.core_col;
}

/* Rows of the chip. */
uint32_t plat_rows(void) { return e_group_config.group_rows; }

/* Columns of the chip. */
uint32_t plat_cols(void) { return e_group_config.group_cols; }

/* The core's own SRAM through its global alias (never a null pointer). */
uint8_t *plat_local_base(void)
{
    return (uint8_t *)e_get_global_address(e_group_config.core_row, e_group_config.core_col,
                                           (void *)0);
}

/* Offset `offset` of core `index`'s SRAM on the mesh. */
volatile uint8_t *plat_core_address(uint32_t index, uint32_t offset)
{
    unsigned row = index / e_group_config.group_cols, col = index % e_group_config.group_cols;
    return (volatile uint8_t *)e_get_global_address(row, col, (void *)offset);
}

/* Shared DRAM as the cores see it (0x8E000000 on the Parallella). */
volatile uint8_t *plat_dram_address(uint32_t offset)
{
    return (volatile uint8_t *)(0x8E000000u + offset);
}

/* CTIMER0, started on first use, counts down from E_CTIMER_MAX at the core clock. */
uint32_t plat_cycles(void)
{
    static int started;
    if (!started) {
        e_ctimer_set(E_CTIMER_0, E_CTIMER_MAX);
        e_ctimer_start(E_CTIMER_0, E_CTIMER_CLK);
        started = 1;
    }
    return E_CTIMER_MAX - e_ctimer_get(E_CTIMER_0);
}

/* On the chip the host stops a core by resetting or halting it: nothing to poll. */
int plat_poll(void) { return 0; }

/* Nothing stops a core on the chip either. */
int plat_stopping(void) { return 0; }

/* The core polls its mailbox: the host's e_signal needs no handler (reads are on-chip cheap). */
int plat_idle(void) { return 0; }

/* The core program: the runtime loop forever. */
int main(void)
{
    epy_runtime_main();
    return 0;
}
