/* ehal_host.c: the e-hal API (e-hal.h) implemented on host memory and host threads.
 *
 * The "chip" is a Parallella E16G3: 4 x 4 cores whose first core is (row 32, col 8), each core
 * a 32 KB buffer, and one 32 MB external memory segment (shared DRAM) that the cores see at
 * 0x8E000000 (shared/hardware/epiphany.md).  e_load_group() dlopen()s the host build of a core
 * program (a shared library exporting epy_host_core_main, device/core/platform.h) and
 * e_start_group() runs it on one thread per core.  e_reset_group(), e_halt(), e_close() and
 * e_finalize() raise the core's stop flag and join its thread with a bounded wait; afterwards
 * everything can be loaded and started again.
 *
 * Written for epython; the API and struct layouts follow the eSDK (see e-hal.h), the code is
 * this project's own. */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e-hal.h"
#include "platform.h" /* struct epy_host_core, epy_host_core_main (device/core) */

#define CHIP_ROWS 4u
#define CHIP_COLS 4u
#define NCORES (CHIP_ROWS * CHIP_COLS)
#define FIRST_ROW 32u            /* core 0x808 (epiphany.md, parallella_E16G3_1GB.hdf) */
#define FIRST_COL 8u
#define SRAM_SIZE 0x8000u        /* 32 KB per core */
#define REGS_BASE 0xF0000u       /* memory-mapped registers (not modelled) */
#define DRAM_SIZE (32u << 20)    /* shared DRAM window */
#define DRAM_EPHY_BASE 0x8E000000u /* as the cores see it */
#define DRAM_PHY_BASE 0x3E000000u  /* as the Parallella's ARM sees it */
#define HAL_VERSION 0x050D0705u  /* arbitrary: identifies this library in e_platform_t */
#define ENTRY_SYMBOL "epy_host_core_main"
#define DEFAULT_STOP_SECONDS 5.0

typedef void (*core_entry_fn)(struct epy_host_core *);

struct core_slot {
    struct epy_host_core ctx; /* handed to the core thread; valid until the thread is joined */
    volatile int stop;
    void *lib;                /* dlopen handle of the loaded program (one reference per core) */
    core_entry_fn entry;
    pthread_t thread;
    int running;              /* a thread exists and was not joined */
    int finished;             /* that thread returned from the entry point */
    int stuck;                /* the thread ignored the stop flag: the slot is unusable */
    pthread_cond_t wake;      /* e_signal and stops wake the core's idle wait */
    int wake_ready;           /* `wake` is initialised */
    int signalled;            /* an e_signal the core has not seen yet */
};

static struct {
    int initialized;
    uint8_t *sram[NCORES];
    uint8_t *dram;
    struct core_slot core[NCORES];
} H;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER; /* taken after `lock`, never before */
static e_hal_diag_t verbosity = H_D0;
static __thread char last_error[512];

const char *ehal_host_last_error(void) { return last_error; }

/* Record (and at verbosity >= H_D1 print) why a call failed; returns E_ERR. */
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    if (verbosity >= H_D1)
        fprintf(stderr, "e-hal-host: %s\n", last_error);
    return E_ERR;
}

static void ok(void) { last_error[0] = 0; }

e_hal_diag_t e_set_host_verbosity(e_hal_diag_t verbose)
{
    e_hal_diag_t old = verbosity;
    verbosity = verbose;
    return old;
}

/* ---- core threads -------------------------------------------------------------------------- */

/* The core's idle wait (struct epy_host_core.idle): until e_signal, a stop, or max_us. */
static void core_idle(struct epy_host_core *ctx, uint32_t max_us)
{
    struct core_slot *s = (struct core_slot *)ctx; /* ctx is the slot's first member */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    long long ns = (long long)deadline.tv_nsec + (long long)max_us * 1000LL;
    deadline.tv_sec += (time_t)(ns / 1000000000LL);
    deadline.tv_nsec = (long)(ns % 1000000000LL);
    pthread_mutex_lock(&wake_lock);
    if (!s->signalled && !s->stop)
        pthread_cond_timedwait(&s->wake, &wake_lock, &deadline);
    s->signalled = 0;
    pthread_mutex_unlock(&wake_lock);
}

/* Wake core i's idle wait (any lock state). */
static void wake_core(unsigned i)
{
    struct core_slot *s = &H.core[i];
    pthread_mutex_lock(&wake_lock);
    s->signalled = 1;
    if (s->wake_ready)
        pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&wake_lock);
}

static void *core_thread(void *arg)
{
    struct core_slot *slot = arg;
    slot->entry(&slot->ctx);
    pthread_mutex_lock(&lock);
    slot->finished = 1;
    pthread_cond_broadcast(&finished_cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static double stop_seconds(void)
{
    const char *s = getenv("EHAL_HOST_STOP_TIMEOUT");
    double v = s ? strtod(s, NULL) : 0.0;
    return v > 0.0 ? v : DEFAULT_STOP_SECONDS;
}

/* Stop core i's thread (lock held): raise its flag, wait a bounded time, join it. */
static int stop_core(unsigned i)
{
    struct core_slot *s = &H.core[i];
    if (s->stuck)
        return fail("core %u (row %u, col %u) did not stop after an earlier reset and cannot "
                    "be used until the process exits", i, FIRST_ROW + i / CHIP_COLS,
                    FIRST_COL + i % CHIP_COLS);
    if (!s->running)
        return E_OK;
    s->stop = 1;
    __sync_synchronize();
    wake_core(i);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    double secs = stop_seconds();
    long long ns = (long long)deadline.tv_nsec + (long long)((secs - (long long)secs) * 1e9);
    deadline.tv_sec += (time_t)secs + (time_t)(ns / 1000000000LL);
    deadline.tv_nsec = (long)(ns % 1000000000LL);
    while (!s->finished) {
        if (pthread_cond_timedwait(&finished_cond, &lock, &deadline) == ETIMEDOUT && !s->finished)
            break;
    }
    if (!s->finished) {
        /* The thread still uses ctx, the buffers and the library: leave them all alive. */
        pthread_detach(s->thread);
        s->running = 0;
        s->stuck = 1;
        return fail("core %u (row %u, col %u) did not stop within %.3g s (its program never "
                    "polled the stop flag); the core is abandoned", i, FIRST_ROW + i / CHIP_COLS,
                    FIRST_COL + i % CHIP_COLS, secs);
    }
    pthread_mutex_unlock(&lock); /* the thread has returned; joining does not need the lock */
    pthread_join(s->thread, NULL);
    pthread_mutex_lock(&lock);
    s->running = 0;
    s->finished = 0;
    return E_OK;
}

/* Start core i's thread (lock held). */
static int start_core(unsigned i)
{
    struct core_slot *s = &H.core[i];
    if (s->stuck)
        return stop_core(i);
    if (s->running)
        return E_OK; /* already running: starting again changes nothing */
    if (!s->entry)
        return fail("core %u has no program: call e_load_group() first", i);
    s->stop = 0;
    s->finished = 0;
    s->ctx.index = i;
    s->ctx.rows = CHIP_ROWS;
    s->ctx.cols = CHIP_COLS;
    s->ctx.local = H.sram;
    s->ctx.dram = H.dram;
    s->ctx.stop = &s->stop;
    s->ctx.idle = core_idle;
    pthread_mutex_lock(&wake_lock);
    if (!s->wake_ready) {
        pthread_cond_init(&s->wake, NULL);
        s->wake_ready = 1;
    }
    s->signalled = 0;
    pthread_mutex_unlock(&wake_lock);
    __sync_synchronize();
    int rc = pthread_create(&s->thread, NULL, core_thread, s);
    if (rc != 0)
        return fail("cannot start the thread of core %u: %s", i, strerror(rc));
    s->running = 1;
    return E_OK;
}

/* Drop core i's program (lock held, thread stopped). */
static void unload_core(unsigned i)
{
    struct core_slot *s = &H.core[i];
    if (s->lib && !s->stuck)
        dlclose(s->lib);
    s->lib = NULL;
    s->entry = NULL;
}

/* ---- platform ------------------------------------------------------------------------------ */

int e_init(char *hdf)
{
    (void)hdf; /* the platform is fixed: a Parallella E16G3 */
    pthread_mutex_lock(&lock);
    if (!H.initialized) {
        for (unsigned i = 0; i < NCORES; i++) {
            if (!H.sram[i])
                H.sram[i] = calloc(1, SRAM_SIZE);
            if (!H.sram[i]) {
                pthread_mutex_unlock(&lock);
                return fail("e_init: out of host memory for the cores' SRAM");
            }
        }
        if (!H.dram)
            H.dram = calloc(1, DRAM_SIZE);
        if (!H.dram) {
            pthread_mutex_unlock(&lock);
            return fail("e_init: out of host memory for the 32 MB shared DRAM");
        }
        H.initialized = 1;
    }
    pthread_mutex_unlock(&lock);
    ok();
    return E_OK;
}

int e_get_platform_info(e_platform_t *platform)
{
    if (!platform)
        return fail("e_get_platform_info: platform is NULL");
    if (!H.initialized)
        return fail("e_get_platform_info: call e_init() first");
    memset(platform, 0, sizeof *platform);
    platform->objtype = E_EPI_PLATFORM;
    platform->type = E_PARALLELLA1601;
    snprintf(platform->version, sizeof platform->version, "PARALLELLA1601 (host threads)");
    platform->hal_ver = HAL_VERSION;
    platform->initialized = 1;
    platform->num_chips = 1;
    platform->chip = NULL; /* like e-hal 2016.11: the copy does not expose the chip array */
    platform->row = FIRST_ROW;
    platform->col = FIRST_COL;
    platform->rows = CHIP_ROWS;
    platform->cols = CHIP_COLS;
    platform->num_emems = 1;
    platform->emem = NULL; /* nor the external memory segments */
    platform->target_ops = NULL;
    platform->priv = NULL;
    ok();
    return E_OK;
}

int e_finalize(void)
{
    int rc = E_OK;
    pthread_mutex_lock(&lock);
    int stuck = 0;
    for (unsigned i = 0; i < NCORES; i++) {
        if (stop_core(i) != E_OK)
            rc = E_ERR;
        stuck |= H.core[i].stuck;
    }
    for (unsigned i = 0; i < NCORES; i++)
        unload_core(i);
    if (!stuck) { /* a stuck thread may still use the buffers: keep them */
        for (unsigned i = 0; i < NCORES; i++) {
            free(H.sram[i]);
            H.sram[i] = NULL;
        }
        free(H.dram);
        H.dram = NULL;
    }
    H.initialized = 0;
    pthread_mutex_unlock(&lock);
    if (rc == E_OK)
        ok();
    return rc;
}

/* ---- workgroups ---------------------------------------------------------------------------- */

int e_open(e_epiphany_t *dev, unsigned row, unsigned col, unsigned rows, unsigned cols)
{
    if (!dev)
        return fail("e_open: dev is NULL");
    if (!H.initialized)
        return fail("e_open: call e_init() first");
    if (rows == 0 || cols == 0 || row >= CHIP_ROWS || col >= CHIP_COLS ||
        rows > CHIP_ROWS - row || cols > CHIP_COLS - col)
        return fail("e_open: group (row %u, col %u, %u x %u) is outside the %u x %u chip", row,
                    col, rows, cols, CHIP_ROWS, CHIP_COLS);
    memset(dev, 0, sizeof *dev);
    e_core_t **grid = calloc(rows, sizeof *grid);
    if (!grid)
        return fail("e_open: out of host memory");
    for (unsigned r = 0; r < rows; r++) {
        grid[r] = calloc(cols, sizeof **grid);
        if (!grid[r]) {
            while (r--)
                free(grid[r]);
            free(grid);
            return fail("e_open: out of host memory");
        }
        for (unsigned c = 0; c < cols; c++) {
            e_core_t *core = &grid[r][c];
            unsigned arow = FIRST_ROW + row + r, acol = FIRST_COL + col + c;
            core->objtype = E_EPI_CORE;
            core->row = arow;
            core->col = acol;
            core->id = (arow << 6) | acol;
            core->mems.objtype = E_MAPPING;
            core->mems.phy_base = (off_t)core->id << 20;
            core->mems.page_base = core->mems.phy_base;
            core->mems.map_size = SRAM_SIZE;
            core->mems.mapped_base = H.sram[(row + r) * CHIP_COLS + col + c];
            core->mems.base = core->mems.mapped_base;
            core->regs.objtype = E_MAPPING;
            core->regs.phy_base = core->mems.phy_base + REGS_BASE;
            core->regs.page_base = core->regs.phy_base;
            core->regs.map_size = 0; /* registers are not modelled */
        }
    }
    dev->objtype = E_EPI_GROUP;
    dev->type = E_E16G301;
    dev->num_cores = rows * cols;
    dev->row = FIRST_ROW + row;
    dev->col = FIRST_COL + col;
    dev->base_coreid = (dev->row << 6) | dev->col;
    dev->rows = rows;
    dev->cols = cols;
    dev->core = grid;
    dev->memfd = -1;
    dev->priv = NULL;
    ok();
    return E_OK;
}

/* Check dev; its chip-relative first row and column. */
static int group_origin(e_epiphany_t *dev, const char *fn, unsigned *row0, unsigned *col0)
{
    if (!dev)
        return fail("%s: dev is NULL", fn);
    if (dev->objtype != E_EPI_GROUP || !dev->core)
        return fail("%s: dev is not an open workgroup (call e_open() first)", fn);
    if (!H.initialized)
        return fail("%s: the platform is not initialized (call e_init() first)", fn);
    *row0 = dev->row - FIRST_ROW;
    *col0 = dev->col - FIRST_COL;
    if (*row0 >= CHIP_ROWS || *col0 >= CHIP_COLS || dev->rows > CHIP_ROWS - *row0 ||
        dev->cols > CHIP_COLS - *col0)
        return fail("%s: dev describes cores outside the chip", fn);
    return E_OK;
}

/* Stop every core of rows x cols at (row, col) of dev (lock held). */
static int stop_rect(unsigned row0, unsigned col0, unsigned rows, unsigned cols)
{
    int rc = E_OK;
    for (unsigned r = 0; r < rows; r++)
        for (unsigned c = 0; c < cols; c++)
            if (stop_core((row0 + r) * CHIP_COLS + col0 + c) != E_OK)
                rc = E_ERR;
    return rc;
}

/* Stop every core of dev's group (the work of e_close and e_reset_group, named fn in errors):
 * E_ERR when dev is not a valid group, else E_OK with *stopped the result of stopping them. */
static int stop_group(e_epiphany_t *dev, const char *fn, int *stopped)
{
    unsigned row0, col0;
    if (group_origin(dev, fn, &row0, &col0) != E_OK)
        return E_ERR;
    pthread_mutex_lock(&lock);
    *stopped = stop_rect(row0, col0, dev->rows, dev->cols);
    pthread_mutex_unlock(&lock);
    return E_OK;
}

int e_close(e_epiphany_t *dev)
{
    int rc;
    if (stop_group(dev, "e_close", &rc) != E_OK)
        return E_ERR;
    for (unsigned r = 0; r < dev->rows; r++)
        free(dev->core[r]);
    free(dev->core);
    dev->core = NULL;
    dev->objtype = E_NULL;
    if (rc == E_OK)
        ok();
    return rc;
}

int e_reset_group(e_epiphany_t *dev)
{
    int rc;
    if (stop_group(dev, "e_reset_group", &rc) != E_OK)
        return E_ERR;
    if (rc == E_OK)
        ok();
    return rc;
}

int e_start_group(e_epiphany_t *dev)
{
    unsigned row0, col0;
    if (group_origin(dev, "e_start_group", &row0, &col0) != E_OK)
        return E_ERR;
    int rc = E_OK;
    pthread_mutex_lock(&lock);
    for (unsigned r = 0; r < dev->rows; r++)
        for (unsigned c = 0; c < dev->cols; c++) {
            unsigned i = (row0 + r) * CHIP_COLS + col0 + c;
            if ((H.core[i].entry || H.core[i].stuck) && start_core(i) != E_OK)
                rc = E_ERR;
        }
    pthread_mutex_unlock(&lock);
    if (rc == E_OK)
        ok();
    return rc;
}

/* Check (row, col) of dev; the chip-relative core index. */
static int core_of(e_epiphany_t *dev, const char *fn, unsigned row, unsigned col, unsigned *index)
{
    unsigned row0, col0;
    if (group_origin(dev, fn, &row0, &col0) != E_OK)
        return E_ERR;
    if (row >= dev->rows || col >= dev->cols)
        return fail("%s: core (%u, %u) is outside the %u x %u group", fn, row, col, dev->rows,
                    dev->cols);
    *index = (row0 + row) * CHIP_COLS + col0 + col;
    return E_OK;
}

int e_signal(e_epiphany_t *dev, unsigned row, unsigned col)
{
    unsigned i;
    if (core_of(dev, "e_signal", row, col, &i) != E_OK)
        return E_ERR;
    /* The host has no interrupt controller: e_signal wakes the core thread's idle wait. */
    wake_core(i);
    ok();
    return E_OK;
}

/* Stop one core's thread (e_halt and ee_reset_core). */
static int halt_core(e_epiphany_t *dev, const char *fn, unsigned row, unsigned col)
{
    unsigned i;
    if (core_of(dev, fn, row, col, &i) != E_OK)
        return E_ERR;
    pthread_mutex_lock(&lock);
    int rc = stop_core(i);
    pthread_mutex_unlock(&lock);
    if (rc == E_OK)
        ok();
    return rc;
}

int e_halt(e_epiphany_t *dev, unsigned row, unsigned col)
{
    return halt_core(dev, "e_halt", row, col);
}

/* The eSDK resets the core's registers; a host thread has none: it is stopped as by e_halt,
 * and e_load_group reloads it. */
int ee_reset_core(e_epiphany_t *dev, unsigned row, unsigned col)
{
    return halt_core(dev, "ee_reset_core", row, col);
}

int e_load_group(const char *executable, e_epiphany_t *dev, unsigned row, unsigned col,
                 unsigned rows, unsigned cols, e_bool_t start)
{
    unsigned row0, col0;
    if (!executable)
        return fail("e_load_group: executable is NULL");
    if (group_origin(dev, "e_load_group", &row0, &col0) != E_OK)
        return E_ERR;
    if (rows == 0 || cols == 0 || row >= dev->rows || col >= dev->cols ||
        rows > dev->rows - row || cols > dev->cols - col)
        return fail("e_load_group: cores (row %u, col %u, %u x %u) are outside the %u x %u "
                    "group", row, col, rows, cols, dev->rows, dev->cols);
    /* Check the program once before touching any core. */
    void *probe = dlopen(executable, RTLD_NOW | RTLD_LOCAL);
    if (!probe)
        return fail("e_load_group: cannot load the host core program %s: %s (build it with "
                    "'make -C device host')", executable, dlerror());
    if (!dlsym(probe, ENTRY_SYMBOL)) {
        dlclose(probe);
        return fail("e_load_group: %s does not export %s(); it is not a host build of a core "
                    "program (device/core/platform.h)", executable, ENTRY_SYMBOL);
    }
    int rc = E_OK;
    pthread_mutex_lock(&lock);
    for (unsigned r = 0; r < rows && rc == E_OK; r++)
        for (unsigned c = 0; c < cols && rc == E_OK; c++) {
            unsigned i = (row0 + row + r) * CHIP_COLS + col0 + col + c;
            if (stop_core(i) != E_OK) {
                rc = E_ERR;
                break;
            }
            unload_core(i);
            struct core_slot *s = &H.core[i];
            s->lib = dlopen(executable, RTLD_NOW | RTLD_LOCAL); /* one reference per core */
            void *sym = s->lib ? dlsym(s->lib, ENTRY_SYMBOL) : NULL;
            if (!sym) {
                rc = fail("e_load_group: cannot load %s on core %u: %s", executable, i,
                          dlerror());
                unload_core(i);
                break;
            }
            /* POSIX: a function pointer from dlsym goes through memcpy to stay C99-clean. */
            memcpy(&s->entry, &sym, sizeof s->entry);
            memset(H.sram[i], 0, SRAM_SIZE); /* the loader clears SRAM before loading */
        }
    if (rc == E_OK && start)
        for (unsigned r = 0; r < rows; r++)
            for (unsigned c = 0; c < cols; c++)
                if (start_core((row0 + row + r) * CHIP_COLS + col0 + col + c) != E_OK)
                    rc = E_ERR;
    pthread_mutex_unlock(&lock);
    dlclose(probe);
    if (rc == E_OK)
        ok();
    return rc;
}

/* ---- external memory ----------------------------------------------------------------------- */

int e_alloc(e_mem_t *mbuf, off_t base, size_t size)
{
    if (!mbuf)
        return fail("e_alloc: mbuf is NULL");
    if (!H.initialized)
        return fail("e_alloc: call e_init() first");
    if (base < 0 || size == 0 || (uint64_t)base > DRAM_SIZE || size > DRAM_SIZE - (uint64_t)base)
        return fail("e_alloc: %zu bytes at offset 0x%llx do not fit the %u-byte shared DRAM",
                    size, (unsigned long long)base, DRAM_SIZE);
    memset(mbuf, 0, sizeof *mbuf);
    mbuf->objtype = E_EXT_MEM;
    mbuf->phy_base = (off_t)DRAM_PHY_BASE + base;
    mbuf->page_base = mbuf->phy_base;
    mbuf->page_offset = 0;
    mbuf->map_size = size;
    mbuf->ephy_base = (off_t)DRAM_EPHY_BASE + base;
    mbuf->emap_size = size;
    mbuf->mapped_base = H.dram + base;
    mbuf->base = mbuf->mapped_base;
    mbuf->memfd = -1;
    mbuf->priv = NULL;
    ok();
    return E_OK;
}

int e_free(e_mem_t *mbuf)
{
    if (!mbuf)
        return fail("e_free: mbuf is NULL");
    if (mbuf->objtype != E_EXT_MEM)
        return fail("e_free: mbuf is not an allocated buffer (call e_alloc() first)");
    memset(mbuf, 0, sizeof *mbuf);
    ok();
    return E_OK;
}

/* ---- data transfer ------------------------------------------------------------------------- */

/* Host address of [addr, addr + size) of dev (core row, col or buffer); NULL on error. */
static uint8_t *locate(void *dev, unsigned row, unsigned col, off_t addr, size_t size,
                       const char *fn)
{
    if (!dev) {
        fail("%s: dev is NULL", fn);
        return NULL;
    }
    if (!H.initialized) {
        fail("%s: the platform is not initialized (call e_init() first)", fn);
        return NULL;
    }
    e_objtype_t kind = *(e_objtype_t *)dev; /* both structs start with objtype */
    if (kind == E_EXT_MEM) {
        e_mem_t *m = dev;
        uint64_t off = (uint64_t)(m->ephy_base - (off_t)DRAM_EPHY_BASE);
        if (m->ephy_base < (off_t)DRAM_EPHY_BASE || off > DRAM_SIZE ||
            m->emap_size > DRAM_SIZE - off) {
            fail("%s: the e_mem_t does not describe shared DRAM", fn);
            return NULL;
        }
        if (addr < 0 || (uint64_t)addr > m->emap_size || size > m->emap_size - (uint64_t)addr) {
            fail("%s: %zu bytes at 0x%llx exceed the %zu-byte buffer", fn, size,
                 (unsigned long long)addr, m->emap_size);
            return NULL;
        }
        return H.dram + off + (uint64_t)addr;
    }
    if (kind == E_EPI_GROUP) {
        unsigned i;
        if (core_of(dev, fn, row, col, &i) != E_OK)
            return NULL;
        if (addr >= (off_t)REGS_BASE) {
            fail("%s: core register 0x%llx: the host e-hal does not model core registers", fn,
                 (unsigned long long)addr);
            return NULL;
        }
        if (addr < 0 || (uint64_t)addr > SRAM_SIZE || size > SRAM_SIZE - (uint64_t)addr) {
            fail("%s: %zu bytes at 0x%llx exceed the core's %u bytes of SRAM", fn, size,
                 (unsigned long long)addr, SRAM_SIZE);
            return NULL;
        }
        return H.sram[i] + addr;
    }
    fail("%s: dev is neither a workgroup (e_open) nor a memory buffer (e_alloc)", fn);
    return NULL;
}

ssize_t e_read(void *dev, unsigned row, unsigned col, off_t from_addr, void *buf, size_t size)
{
    if (!buf && size)
        return fail("e_read: buf is NULL");
    uint8_t *src = locate(dev, row, col, from_addr, size, "e_read");
    if (!src)
        return E_ERR;
    __sync_synchronize(); /* see the cores' stores in the order they made them */
    if (size == 4 && ((uintptr_t)src & 3u) == 0) { /* a mailbox word: one untorn load */
        uint32_t v = *(volatile uint32_t *)src;
        memcpy(buf, &v, 4);
    } else {
        memcpy(buf, src, size);
    }
    ok();
    return (ssize_t)size;
}

ssize_t e_write(void *dev, unsigned row, unsigned col, off_t to_addr, const void *buf,
                size_t size)
{
    if (!buf && size)
        return fail("e_write: buf is NULL");
    uint8_t *dst = locate(dev, row, col, to_addr, size, "e_write");
    if (!dst)
        return E_ERR;
    if (size == 4 && ((uintptr_t)dst & 3u) == 0) { /* a mailbox word: one untorn store */
        uint32_t v;
        memcpy(&v, buf, 4);
        __sync_synchronize(); /* earlier stores (the payload) before the flag */
        *(volatile uint32_t *)dst = v;
    } else {
        memcpy(dst, buf, size);
    }
    __sync_synchronize(); /* publish before any later store (e.g. a start flag) */
    ok();
    return (ssize_t)size;
}
