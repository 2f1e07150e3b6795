/* test_ehal.c: `make check` runs this against the sanitizer build of the host e-hal and the
 * fake core program (testcore.c): platform info, group and buffer round trips, a launch
 * through the mailbox protocol, a core that never finishes stopped by e_reset_group, reuse
 * after reset and after e_finalize.  Usage: test_ehal path/to/testcore.so */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e-hal.h"
#include "opcodes.h"

static int failures;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: check failed: %s (last e-hal error: %s)\n", __FILE__,    \
                    __LINE__, #cond, ehal_host_last_error());                                \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

static uint32_t mb_read(e_mem_t *m, unsigned core, uint32_t field)
{
    uint32_t v = 0;
    e_read(m, 0, 0, (off_t)core * EPY_MAILBOX_STRIDE + field, &v, 4);
    return v;
}

static void mb_write(e_mem_t *m, unsigned core, uint32_t field, uint32_t v)
{
    e_write(m, 0, 0, (off_t)core * EPY_MAILBOX_STRIDE + field, &v, 4);
}

/* Start a launch on `core` whose argument block is one int `arg`; returns the command. */
static uint32_t launch(e_mem_t *m, unsigned core, int32_t arg)
{
    uint8_t block[6] = {1, TAG_INT, (uint8_t)arg, (uint8_t)(arg >> 8), (uint8_t)(arg >> 16),
                        (uint8_t)(arg >> 24)};
    uint32_t at = 16 * EPY_MAILBOX_STRIDE + core * 64;
    e_write(m, 0, 0, at, block, sizeof block);
    mb_write(m, core, EPY_MB_ARGS_OFFSET, at);
    mb_write(m, core, EPY_MB_ARGS_SIZE, sizeof block);
    uint32_t command = mb_read(m, core, EPY_MB_COMMAND) + 1;
    mb_write(m, core, EPY_MB_COMMAND, command);
    return command;
}

static int wait_done(e_mem_t *m, unsigned core, uint32_t command, double seconds)
{
    struct timespec t0, t, nap = {0, 100000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        uint32_t head = mb_read(m, core, EPY_MB_OUT_HEAD); /* consume printed text */
        mb_write(m, core, EPY_MB_OUT_TAIL, head);
        if (mb_read(m, core, EPY_MB_DONE_SEQ) == command)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9 > seconds)
            return 0;
        nanosleep(&nap, NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s testcore.so\n", argv[0]);
        return 2;
    }
    for (int round = 0; round < 2; round++) {
        e_platform_t p;
        e_epiphany_t dev;
        e_mem_t m;
        CHECK(e_init(NULL) == E_OK);
        CHECK(e_get_platform_info(&p) == E_OK);
        CHECK(p.rows == 4 && p.cols == 4 && p.num_chips == 1 && p.num_emems == 1);
        CHECK(p.chip == NULL && p.emem == NULL); /* as in e-hal 2016.11: not in the copy */
        CHECK(e_open(&dev, 0, 0, 4, 4) == E_OK);
        CHECK(dev.num_cores == 16 && dev.core[1][2].id == ((33u << 6) | 10u));
        CHECK(e_alloc(&m, EPY_DRAM_AREA_OFFSET, 16u << 20) == E_OK);
        /* bad arguments fail with a message, not a crash */
        char buf[16] = "0123456789abcde";
        CHECK(e_write(&dev, 4, 0, 0, buf, 4) == E_ERR && strstr(ehal_host_last_error(), "outside"));
        CHECK(e_write(&dev, 0, 0, 0x7FFE, buf, 4) == E_ERR);
        CHECK(e_read(&m, 0, 0, 16u << 20, buf, 1) == E_ERR);
        CHECK(e_alloc(&m, 0, 0) == E_ERR);
        CHECK(e_load_group("/nonexistent/core.so", &dev, 0, 0, 4, 4, E_FALSE) == E_ERR);
        /* round trips */
        char back[16] = {0};
        CHECK(e_write(&dev, 3, 3, 0x100, buf, 16) == 16);
        CHECK(e_read(&dev, 3, 3, 0x100, back, 16) == 16 && memcmp(buf, back, 16) == 0);
        memset(back, 0, sizeof back);
        CHECK(e_write(&m, 0, 0, 0x2000, buf, 16) == 16);
        CHECK(e_read(&m, 0, 0, 0x2000, back, 16) == 16 && memcmp(buf, back, 16) == 0);
        /* a launch through the protocol */
        CHECK(e_reset_group(&dev) == E_OK);
        CHECK(e_load_group(argv[1], &dev, 0, 0, 4, 4, E_FALSE) == E_OK);
        CHECK(e_start_group(&dev) == E_OK);
        CHECK(e_signal(&dev, 0, 0) == E_OK);
        uint32_t c0 = launch(&m, 0, 300); /* 300 lines: the out ring wraps */
        CHECK(wait_done(&m, 0, c0, 10.0));
        CHECK(mb_read(&m, 0, EPY_MB_RESULT_SIZE) == 5);
        /* a core that never finishes, stopped by a reset; the group works again after it */
        uint32_t c1 = launch(&m, 5, -1);
        CHECK(!wait_done(&m, 5, c1, 0.05));
        CHECK(e_halt(&dev, 1, 1) == E_OK);
        CHECK(e_reset_group(&dev) == E_OK);
        mb_write(&m, 5, EPY_MB_DONE_SEQ, c1); /* forget the abandoned launch */
        CHECK(e_load_group(argv[1], &dev, 0, 0, 4, 4, E_TRUE) == E_OK);
        uint32_t c2 = launch(&m, 5, 2);
        CHECK(wait_done(&m, 5, c2, 10.0));
        CHECK(e_free(&m) == E_OK);
        CHECK(e_close(&dev) == E_OK);
        CHECK(e_finalize() == E_OK);
    }
    if (failures)
        fprintf(stderr, "test_ehal: %d check(s) failed\n", failures);
    else
        printf("test_ehal: all checks passed\n");
    return failures != 0;
}
