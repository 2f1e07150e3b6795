/* platform.c: the Epiphany port of the core program (no e-lib, no C library): core id from
 * the COREID register, the workgroup geometry the e-hal loader writes at 0x28, global mesh
 * addresses, CTIMER0 as the cycle counter, sleeping until the host's e_signal, and the
 * handlers that report a hardware exception to the host instead of dying silently.
 *
 * Built by `make -C device epiphany` with epycore.ld; crt0.S starts it. */
#include <stdint.h>

#include "../config.h"
#include "../opcodes.h"
#include "../platform.h"

/* e_group_config_t of e-lib (e_coreid.h), written by e_load_group at 0x28 (section
 * workgroup_cfg), and e_emem_config_t at 0x50 (ext_mem_cfg); loader_cfg at 0x58 carries its
 * flags.  The sections exist so that the loader finds them by name (and does not warn). */
typedef struct GroupConfig {
    uint32_t objtype, chiptype, group_id, group_row, group_col, group_rows, group_cols,
             core_row, core_col, alignment_padding;
} GroupConfig;
typedef struct EmemConfig {
    uint32_t objtype, base;
} EmemConfig;

volatile GroupConfig epy_group_config __attribute__((section("workgroup_cfg")));
volatile EmemConfig epy_emem_config __attribute__((section("ext_mem_cfg")));
volatile uint32_t epy_loader_config[4] __attribute__((section("loader_cfg")));

#define E_EPI_GROUP 3          /* e_objtype_t of a workgroup configuration (e_types.h) */
#define E_EXT_MEM 5            /* e_objtype_t of an external memory configuration */
#define PARALLELLA_FIRST_ROW 32 /* without a loader's configuration: the Parallella-16 */
#define PARALLELLA_FIRST_COL 8
#define PARALLELLA_DRAM 0x8E000000u

/* The CONFIG register's CTIMER0 field (bits 7:4); 1 counts core clock cycles. */
#define CONFIG_TIMER0_MASK 0xF0u
#define CONFIG_TIMER0_CLK 0x10u

static uint32_t first_row = PARALLELLA_FIRST_ROW, first_col = PARALLELLA_FIRST_COL;
static uint32_t rows = 4, cols = 4, index_of_core, dram_base = PARALLELLA_DRAM;

void epy_idle_wait(void); /* crt0.S */

/* COREID: row (bits 11:6) and column (bits 5:0) of the executing core on the mesh. */
static inline uint32_t core_id(void)
{
    uint32_t id;
    __asm__ __volatile__("movfs %0, coreid" : "=r"(id));
    return id;
}

/* Read the geometry the loader left (or the Parallella's) and start CTIMER0. */
static void platform_init(void)
{
    if (epy_group_config.objtype == E_EPI_GROUP && epy_group_config.group_rows &&
        epy_group_config.group_cols) {
        first_row = epy_group_config.group_id >> 6; /* group_id: the first core's id */
        first_col = epy_group_config.group_id & 63u;
        rows = epy_group_config.group_rows;
        cols = epy_group_config.group_cols;
    }
    if (epy_emem_config.objtype == E_EXT_MEM && epy_emem_config.base)
        dram_base = epy_emem_config.base;
    uint32_t id = core_id();
    index_of_core = ((id >> 6) - first_row) * cols + ((id & 63u) - first_col);
    uint32_t config;
    __asm__ __volatile__("movfs %0, config" : "=r"(config));
    __asm__ __volatile__("movts ctimer0, %0" : : "r"(0xFFFFFFFFu));
    config = (config & ~CONFIG_TIMER0_MASK) | CONFIG_TIMER0_CLK;
    __asm__ __volatile__("movts config, %0" : : "r"(config));
}

/* Chip-relative index of the executing core: row * cols + col within the opened workgroup. */
uint32_t plat_core_index(void) { return index_of_core; }

/* Rows of the workgroup (the whole chip, as the device backend opens it). */
uint32_t plat_rows(void) { return rows; }

/* Columns of the workgroup. */
uint32_t plat_cols(void) { return cols; }

/* The core's own SRAM through its global alias (never a null pointer). */
uint8_t *plat_local_base(void) { return (uint8_t *)(uintptr_t)(core_id() << 20); }

/* Offset `offset` of core `index`'s SRAM on the mesh. */
volatile uint8_t *plat_core_address(uint32_t index, uint32_t offset)
{
    uint32_t row = first_row + index / cols, col = first_col + index % cols;
    return (volatile uint8_t *)(uintptr_t)((row << 26) | (col << 20) | offset);
}

/* Shared DRAM as the cores see it (0x8E000000 on the Parallella). */
volatile uint8_t *plat_dram_address(uint32_t offset)
{
    return (volatile uint8_t *)(uintptr_t)(dram_base + offset);
}

/* The rest of the user area of SRAM, below the message slots. */
uint8_t *plat_workspace(uint32_t user_end, uint32_t *bytes)
{
    uint32_t end = EPY_LOCAL_MEMORY_BYTES - EPY_CORE_MAILBOX_BYTES;
    *bytes = user_end < end ? end - user_end : 0;
    return plat_local_base() + user_end;
}

/* CTIMER0 counts down from 0xFFFFFFFF at the core clock (on e-sim: once per instruction). */
uint32_t plat_cycles(void)
{
    uint32_t t;
    __asm__ __volatile__("movfs %0, ctimer0" : "=r"(t));
    return 0xFFFFFFFFu - t;
}

/* On the chip the host stops a core by halting or reloading it: nothing to poll. */
int plat_poll(void) { return 0; }

/* Nothing stops a core on the chip either. */
int plat_stopping(void) { return 0; }

/* Sleep until an interrupt (the host signals each launch with e_signal). */
int plat_idle(void)
{
    epy_idle_wait();
    return 0;
}

/* A hardware exception (software exception: unaligned access, illegal instruction, FPU trap;
 * or a memory fault), entered from its interrupt vector (crt0.S) on the interrupted code's
 * stack: record STATUS and the faulting pc in this core's mailbox, mark it faulted, and stop
 * for good; the host reports it and reloads the core. */
void __attribute__((noreturn)) epy_fault(uint32_t kind)
{
    uint32_t status, pc;
    __asm__ __volatile__("movfs %0, status" : "=r"(status));
    __asm__ __volatile__("movfs %0, iret" : "=r"(pc));
    volatile uint32_t *mb = (volatile uint32_t *)(void *)plat_dram_address(
        EPY_DRAM_AREA_OFFSET + index_of_core * EPY_MAILBOX_STRIDE);
    mb[EPY_MB_FAULT_STATUS / 4] = status;
    mb[EPY_MB_FAULT_PC / 4] = pc;
    mb[EPY_MB_FAULT / 4] = kind;
    mb[EPY_MB_STATE / 4] = EPY_STATE_FAULT;
    for (;;)
        __asm__ __volatile__("gid\n\tidle");
}

/* The core program: the runtime loop forever. */
int main(void)
{
    platform_init();
    epy_runtime_main();
    for (;;)
        epy_idle_wait();
}
