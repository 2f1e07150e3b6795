/* platform_host.c: the host port: each core is a thread of the host e-hal (device/ehal-host)
 * or of the epy-run driver, over its own 32 KB buffer and a shared DRAM buffer. */
#define _POSIX_C_SOURCE 200809L
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "platform.h"

static __thread struct epy_host_core *self;
static __thread uint32_t polls;
static __thread uint8_t *arena; /* this core's workspace buffer (EPY_HOST_ARENA_BYTES) */

/* Chip-relative index of this core. */
uint32_t plat_core_index(void) { return self->index; }

/* Chip rows. */
uint32_t plat_rows(void) { return self->rows; }

/* Chip columns. */
uint32_t plat_cols(void) { return self->cols; }

/* This core's local memory. */
uint8_t *plat_local_base(void) { return self->local[self->index]; }

/* Offset `offset` of core `index`'s local memory. */
volatile uint8_t *plat_core_address(uint32_t index, uint32_t offset)
{
    return self->local[index] + offset;
}

/* Offset `offset` of shared DRAM. */
volatile uint8_t *plat_dram_address(uint32_t offset) { return self->dram + offset; }

/* This core thread's workspace buffer (the user area of its 32 KB is too small for the host
 * build's larger objects; the model limit stays that of the chip). */
uint8_t *plat_workspace(uint32_t user_end, uint32_t *bytes)
{
    (void)user_end;
    *bytes = arena ? EPY_HOST_ARENA_BYTES : 0;
    return arena;
}

/* The host clock scaled to a 600 MHz core clock. */
uint32_t plat_cycles(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    uint64_t ns = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
    return (uint32_t)(ns * 3u / 5u);
}

/* Let other core threads run (sleeping a little now and then); nonzero when told to stop. */
int plat_poll(void)
{
    if ((++polls & 255u) == 0) {
        struct timespec t = {0, 50000};
        nanosleep(&t, NULL);
    } else {
        sched_yield();
    }
    __sync_synchronize();
    return *self->stop != 0;
}

/* Nonzero when told to stop (no waiting: called while running). */
int plat_stopping(void)
{
    __sync_synchronize();
    return *self->stop != 0;
}

/* Block in the host e-hal until signalled (at most 2 ms), else poll (epy-run). */
int plat_idle(void)
{
    if (self->idle) {
        self->idle(self, 2000);
        __sync_synchronize();
        return *self->stop != 0;
    }
    return plat_poll();
}

/* Entry point of a core thread of the host e-hal. */
__attribute__((visibility("default"))) void epy_host_core_main(struct epy_host_core *ctx)
{
    self = ctx;
    polls = 0;
    arena = malloc(EPY_HOST_ARENA_BYTES);
    epy_runtime_main();
    free(arena);
    arena = 0;
    self = 0;
}
