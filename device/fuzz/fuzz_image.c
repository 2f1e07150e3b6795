/* fuzz_image.c: fuzz target of the core interpreter (device/core): the input is a program
 * image, which goes through the C verifier and, when accepted, runs on one core of an
 * in-process chip with a bounded budget, through the real runtime loop (runtime.c) exactly
 * as the device runs a launch.
 *
 * Input format (see fuzz.h):
 *   - "EPYF" u16 image_len, image_len bytes of image, then the argument block (u8 count +
 *     marshalled values, as epy-run reads it); an image_len past the end means "the rest is
 *     the image" with synthesized arguments;
 *   - anything else is the image itself, and the arguments are synthesized: the entry
 *     function's n_params ints (3) when the verifier accepts the image, else an empty block.
 *
 * The budget: this file is the platform port (platform.h) of the fuzz build.  plat_poll() (and
 * plat_stopping(), the running core's heartbeat check) is what the interpreter calls every
 * EPY_POLL_INTERVAL instructions (at backward branches and calls), in every busy-wait loop and
 * when the output ring is full; here it drains the ring
 * and, after EPY_FUZZ_POLLS polls (default 64, about 260,000 instructions), tells the core
 * to abandon the launch, which it does through its normal abandon path.  Nothing in
 * device/core changes for the fuzz build.
 *
 * Checks beyond the sanitizers: the verifier's message is a NUL-terminated string that fits
 * its buffer; the runtime's verdict agrees with the verifier's; a finished launch posts a
 * result no larger than the mailbox's result area and a NUL-terminated message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "platform.h"
#include "vm.h"

#define ROWS 4
#define COLS 4
#define USER_BYTES (EPY_LOCAL_MEMORY_BYTES - EPY_CORE_MAILBOX_BYTES - EPY_RUNTIME_RESERVED_BYTES)
#define IMAGE_OFF EPY_MAILBOX_STRIDE           /* offsets into the DRAM area */
#define ARGS_OFF (IMAGE_OFF + 65536u)
#define DRAM_BYTES (ARGS_OFF + 65536u)

static uint8_t local_mem[EPY_LOCAL_MEMORY_BYTES];
static uint8_t dram_area[DRAM_BYTES];
static uint32_t polls, poll_budget;
static uint8_t verify_scratch[EPY_HOST_ARENA_BYTES];

int fuzz_last_verified;
unsigned long long fuzz_finished, fuzz_abandoned;

/* Stop the process with a message (an invariant of the core was broken). */
static void fail(const char *what)
{
    fprintf(stderr, "fuzz_image: %s\n", what);
    abort();
}

/* ---- the platform port of the fuzz build (platform.h) ---- */
uint32_t plat_core_index(void) { return 0; }
uint32_t plat_rows(void) { return ROWS; }
uint32_t plat_cols(void) { return COLS; }
uint8_t *plat_local_base(void) { return local_mem; }

volatile uint8_t *plat_core_address(uint32_t index, uint32_t offset)
{
    if (index != 0 || offset >= EPY_LOCAL_MEMORY_BYTES)
        fail("plat_core_address outside the launch's only core");
    return local_mem + offset;
}

volatile uint8_t *plat_dram_address(uint32_t offset)
{
    if (offset < EPY_DRAM_AREA_OFFSET || offset - EPY_DRAM_AREA_OFFSET >= DRAM_BYTES)
        fail("plat_dram_address outside the mailbox, image and argument areas");
    return dram_area + (offset - EPY_DRAM_AREA_OFFSET);
}

static uint8_t workspace_mem[EPY_HOST_ARENA_BYTES];

uint8_t *plat_workspace(uint32_t user_end, uint32_t *bytes)
{
    (void)user_end;
    *bytes = sizeof workspace_mem;
    return workspace_mem;
}

uint32_t plat_cycles(void) { return polls * 4096u; }

int plat_poll(void)
{
    volatile uint8_t *mb = dram_area;
    wr32(mb + EPY_MB_OUT_TAIL, rd32(mb + EPY_MB_OUT_HEAD)); /* the host took the text */
    if (rd32(mb + EPY_MB_DONE_SEQ) == rd32(mb + EPY_MB_COMMAND))
        return 1; /* the launch is over: leave epy_runtime_main */
    return ++polls > poll_budget;
}

/* The running core's heartbeat check: counts against the budget like a poll. */
int plat_stopping(void) { return plat_poll(); }

/* The runtime loop's idle wait: one poll (the launch is over once the result is posted). */
int plat_idle(void) { return plat_poll(); }

void epy_host_core_main(struct epy_host_core *ctx)
{
    (void)ctx;
    epy_runtime_main();
}

/* ---- the target ---- */
int fuzz_split(const uint8_t *data, size_t size, FuzzInput *in)
{
    in->image = data;
    in->image_size = size;
    in->args = NULL;
    in->args_size = 0;
    in->container = 0;
    if (size >= FUZZ_CONTAINER_HEADER && memcmp(data, FUZZ_MAGIC, 4) == 0) {
        size_t n = (size_t)data[4] | (size_t)data[5] << 8;
        in->container = 1;
        in->image = data + FUZZ_CONTAINER_HEADER;
        in->image_size = size - FUZZ_CONTAINER_HEADER;
        if (n <= in->image_size) {
            in->args = in->image + n;
            in->args_size = in->image_size - n;
            in->image_size = n;
        }
    }
    return in->args != NULL;
}

/* The verifier's message must be a NUL-terminated string inside its buffer. */
static void check_message(const char *msg, size_t cap)
{
    if (memchr(msg, 0, cap) == NULL)
        fail("verifier message not NUL-terminated");
}

int fuzz_one(const uint8_t *data, size_t size)
{
    FuzzInput in;
    int have_args = fuzz_split(data, size, &in);
    if (in.image_size > 65536 || in.args_size > 65536)
        return 0;
    /* 1. the verifier alone, on a copy with nothing after it (ASan sees any overread) */
    uint8_t *copy = malloc(in.image_size ? in.image_size : 1);
    memcpy(copy, in.image, in.image_size);
    Image img;
    char msg[EPY_MSG_BYTES - 56];
    memset(msg, 0x55, sizeof msg);
    int bad = verify_image(copy, (uint32_t)in.image_size, &img, msg, sizeof msg, verify_scratch,
                           sizeof verify_scratch);
    check_message(msg, sizeof msg);
    fuzz_last_verified = !bad;
    uint8_t synth[1 + 5 * 255];
    if (!have_args) {
        uint32_t n = 0;
        if (!bad) {
            FuncInfo f;
            func_info(&img, img.entry, &f);
            n = f.n_params;
        }
        synth[0] = (uint8_t)n;
        for (uint32_t i = 0; i < n; i++) {
            synth[1 + 5 * i] = TAG_INT;
            wr32(synth + 2 + 5 * i, 3);
        }
        in.args = synth;
        in.args_size = 1 + 5 * n;
    }
    free(copy);

    /* 2. a launch on core 0 through the runtime loop */
    memset(local_mem, 0, sizeof local_mem);
    memset(dram_area, 0, EPY_MAILBOX_STRIDE);
    memcpy(dram_area + IMAGE_OFF, in.image, in.image_size);
    memcpy(dram_area + ARGS_OFF, in.args, in.args_size);
    volatile uint8_t *mb = dram_area;
    wr32(mb + EPY_MB_IMAGE_OFFSET, IMAGE_OFF);
    wr32(mb + EPY_MB_IMAGE_SIZE, (uint32_t)in.image_size);
    wr32(mb + EPY_MB_ARGS_OFFSET, ARGS_OFF);
    wr32(mb + EPY_MB_ARGS_SIZE, (uint32_t)in.args_size);
    wr32(mb + EPY_MB_NUM_CORES, 1);
    mb[EPY_MAILBOX_CORES_OFFSET] = 0;
    wr32(mb + EPY_MB_COMMAND, 1);
    polls = 0;
    if (!poll_budget) {
        const char *b = getenv("EPY_FUZZ_POLLS");
        poll_budget = b && atoi(b) > 0 ? (uint32_t)atoi(b) : 64;
    }
    epy_runtime_main();
    if (rd32(mb + EPY_MB_DONE_SEQ) != 1) {
        fuzz_abandoned += !bad;
        return 0; /* abandoned: the budget ran out (an endless loop or wait) */
    }
    fuzz_finished += !bad;
    uint32_t code = rd32(mb + EPY_MB_ERROR_CODE), rsize = rd32(mb + EPY_MB_RESULT_SIZE);
    if (rsize > EPY_MAILBOX_RESULT_BYTES)
        fail("result larger than the mailbox's result area");
    if (memchr((const void *)(mb + EPY_MAILBOX_MESSAGE_OFFSET), 0,
               EPY_MAILBOX_RESULT_OFFSET - EPY_MAILBOX_MESSAGE_OFFSET) == NULL)
        fail("error message not NUL-terminated");
    if (in.image_size + in.args_size <= USER_BYTES) {
        if (bad && code != ERR_BADIMAGE)
            fail("the runtime ran an image the verifier rejects");
        if (!bad && code == ERR_BADIMAGE)
            fail("the runtime rejected an image the verifier accepts");
    }
    return 0;
}

#ifdef FUZZ_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_one(data, size);
}
#endif
