/* e-hal.h: the Epiphany host library API (e-hal), as implemented on host threads by
 * device/ehal-host/ehal_host.c (libe-hal-host.so).
 *
 * The declarations follow the eSDK's e-hal so that a program (or epython's ctypes binding,
 * epython/backends/device/ehal.py) works unchanged against either library.  The types and their
 * field order/sizes were written from the e-hal headers of the eSDK 2016.11 release that
 * Parallella boards ship: adapteva/epiphany-libs tag epiphany-libs-esdk-2016.11 (commit
 * 237b6cb27460c73bcc39cd648d52d36ab1b39c56, LGPL):
 *
 *   e-hal/src/epiphany-hal-data-local.h   e_signal_t, e_memtype_t, e_objtype_t, e_chiptype_t,
 *                                         e_platformtype_t, e_mmap_t, e_core_t, e_chip_t,
 *                                         e_memseg_t, e_platform_t
 *   e-hal/src/epiphany-hal-data.h         e_bool_t, e_hal_diag_t, e_return_stat_t,
 *                                         e_epiphany_t, e_mem_t
 *   e-hal/src/epiphany-hal-api.h          e_init ... e_finalize, e_read/e_write, e_alloc
 *   e-hal/src/e-loader.h (e-loader.c)     e_load_group
 *
 * Only the subset epython uses is declared; register enums, the target operations table
 * (struct e_target_ops: only pointed to here), the shared-memory manager (e_shm_*) and the
 * legacy API are left out.  tests/test_ehal_layout.py compiles a small program against this
 * header and compares every size and offset with the ctypes mirrors, which are in turn checked
 * against the real 2016.11 headers.
 *
 * Host-only extension (not in the eSDK): ehal_host_last_error() returns a description of the
 * last failure of this library (the real e-hal only prints diagnostics to stderr).
 */
#ifndef EHAL_HOST_E_HAL_H
#define EHAL_HOST_E_HAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* off_t, ssize_t */

#ifdef __cplusplus
extern "C" {
#endif

/* epiphany-hal-data.h */
typedef enum { E_FALSE = 0, E_TRUE = 1 } e_bool_t;

typedef enum { H_D0 = 0, H_D1 = 1, H_D2 = 2, H_D3 = 3, H_D4 = 4 } e_hal_diag_t;

typedef enum { E_OK = 0, E_ERR = -1, E_WARN = -2 } e_return_stat_t;

/* epiphany-hal-data-local.h */
typedef enum { E_SYNC = 0, E_USER_INT = 9 } e_signal_t;

typedef enum { E_RD = 1, E_WR = 2, E_RDWR = 3 } e_memtype_t;

typedef enum {
    E_NULL = 0,
    E_EPI_PLATFORM = 1,
    E_EPI_CHIP = 2,
    E_EPI_GROUP = 3,
    E_EPI_CORE = 4,
    E_EXT_MEM = 5,
    E_MAPPING = 6,
    E_SHARED_MEM = 7
} e_objtype_t;

typedef enum { E_E16G301 = 0, E_E64G401 = 1, E_ESIM = 2 } e_chiptype_t;

typedef enum {
    E_GENERIC = 0,
    E_EMEK301 = 1,
    E_EMEK401 = 2,
    E_ZEDBOARD1601 = 3,
    E_ZEDBOARD6401 = 4,
    E_PARALLELLA1601 = 5,
    E_PARALLELLA6401 = 6,
    E_PARALLELLASIM = 7
} e_platformtype_t;

/* One memory mapping (a core's SRAM or its registers). */
typedef struct {
    e_objtype_t objtype;
    off_t phy_base;     /* physical global base of the region */
    off_t page_base;    /* physical base of its memory page */
    off_t page_offset;  /* region base - page base */
    size_t map_size;
    void *mapped_base;  /* what mmap returned */
    void *base;         /* the region in the application's address space */
} e_mmap_t;

/* One core of an open workgroup. */
typedef struct {
    e_objtype_t objtype;
    unsigned int id;    /* core id: row * 64 + col (absolute) */
    unsigned int row;   /* absolute */
    unsigned int col;
    e_mmap_t mems;      /* SRAM */
    e_mmap_t regs;      /* memory-mapped registers */
} e_core_t;

/* One Epiphany chip of the platform. */
typedef struct {
    e_objtype_t objtype;
    e_chiptype_t type;
    char version[32];
    unsigned int arch;
    unsigned int base_coreid;
    unsigned int row;
    unsigned int col;
    unsigned int rows;
    unsigned int cols;
    unsigned int num_cores;
    unsigned int sram_base;
    unsigned int sram_size;
    unsigned int regs_base;
    unsigned int regs_size;
    off_t ioregs_n;
    off_t ioregs_e;
    off_t ioregs_s;
    off_t ioregs_w;
} e_chip_t;

/* One external memory segment (shared DRAM). */
typedef struct {
    e_objtype_t objtype;
    off_t phy_base;     /* as the host sees it */
    off_t ephy_base;    /* as the cores see it */
    size_t size;
    e_memtype_t type;
} e_memseg_t;

typedef struct e_target_ops e_target_ops_t; /* a target's functions (opaque here) */

/* The platform, as e_get_platform_info() reports it (a copy with chip and emem set to NULL). */
typedef struct {
    e_objtype_t objtype;
    e_platformtype_t type;
    char version[32];
    unsigned int hal_ver;
    int initialized;
    int num_chips;
    e_chip_t *chip;
    unsigned int row;
    unsigned int col;
    unsigned int rows;
    unsigned int cols;
    int num_emems;
    e_memseg_t *emem;
    const e_target_ops_t *target_ops; /* the target (native, esim, pal); NULL here */
    void *priv;         /* the target's handle (esim: its es_state) */
} e_platform_t;

/* epiphany-hal-data.h: an open workgroup of cores (e_open). */
typedef struct e_epiphany_t {
    e_objtype_t objtype;
    e_chiptype_t type;
    unsigned int num_cores;
    unsigned int base_coreid;
    unsigned int row;   /* absolute */
    unsigned int col;
    unsigned int rows;
    unsigned int cols;
    e_core_t **core;    /* core[row][col], group-relative */
    int memfd;
    void *priv;         /* the target's private data */
} e_epiphany_t;

/* epiphany-hal-data.h: an allocated external memory buffer (e_alloc). */
typedef struct e_mem_t {
    e_objtype_t objtype;
    off_t phy_base;     /* as the host sees it */
    off_t page_base;
    off_t page_offset;
    size_t map_size;
    off_t ephy_base;    /* as the cores see it */
    size_t emap_size;
    void *mapped_base;
    void *base;         /* in the application's address space */
    int memfd;
    void *priv;         /* the target's private data */
} e_mem_t;

/* Platform configuration (epiphany-hal-api.h). */
int e_init(char *hdf);
int e_get_platform_info(e_platform_t *platform);
int e_finalize(void);

/* Workgroups. */
int e_open(e_epiphany_t *dev, unsigned row, unsigned col, unsigned rows, unsigned cols);
int e_close(e_epiphany_t *dev);

/* External memory: base is an offset into the platform's first external segment. */
int e_alloc(e_mem_t *mbuf, off_t base, size_t size);
int e_free(e_mem_t *mbuf);

/* Data transfer: dev is an e_epiphany_t* (core row, col of the group; address in the core's
 * SRAM) or an e_mem_t* (row and col ignored; address relative to the buffer). */
ssize_t e_read(void *dev, unsigned row, unsigned col, off_t from_addr, void *buf, size_t size);
ssize_t e_write(void *dev, unsigned row, unsigned col, off_t to_addr, const void *buf,
                size_t size);

/* System control. */
int e_reset_group(e_epiphany_t *dev);
int e_start_group(e_epiphany_t *dev);
int e_signal(e_epiphany_t *dev, unsigned row, unsigned col);
int e_halt(e_epiphany_t *dev, unsigned row, unsigned col);
/* e-hal's reset of one core (eSDK: epiphany-hal-api-local.h); here the same as e_halt. */
int ee_reset_core(e_epiphany_t *dev, unsigned row, unsigned col);

/* Loader (e-loader.h): row, col, rows, cols are relative to the group. */
int e_load_group(const char *executable, e_epiphany_t *dev, unsigned row, unsigned col,
                 unsigned rows, unsigned cols, e_bool_t start);

e_hal_diag_t e_set_host_verbosity(e_hal_diag_t verbose);

/* Host-only: what went wrong in the last failing call ("" if nothing failed). */
const char *ehal_host_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* EHAL_HOST_E_HAL_H */
