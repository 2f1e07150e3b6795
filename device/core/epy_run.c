/* epy_run.c: standalone test driver: runs one program image with one argument block on a
 * simulated 4x4 chip inside this process (no e-hal), playing the host's part of the launch
 * protocol, and prints each core's printed text, result or error as hex-encoded lines:
 *
 *   epy-run IMAGE ARGS NUM_CORES [REPEAT]
 *
 *   core <i> launch <k>
 *   core <i> out <hex of the printed text>
 *   core <i> error <code> <func> <line> <hex of the message>
 *   core <i> result <hex of the marshalled result>
 *   core <i> arrays <hex of the array changes>
 *   core <i> instructions <n>
 *
 * REPEAT runs the same launch that many times (the runtime loop takes each in turn).  Exit
 * status 0, or 3 when a launch does not finish within EPY_RUN_TIMEOUT seconds (default 20). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opcodes.h"
#include "platform.h"
#include "port.h"

#define ROWS 4
#define COLS 4
#define NCORES (ROWS * COLS)
#define DRAM_BYTES (32u * 1024u * 1024u)

static uint8_t *dram;
static uint8_t *locals[NCORES];
static volatile int stop_flag;

/* Read a whole file into memory; exits on failure. */
static uint8_t *slurp(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

/* A mailbox word in one access, as the core writes it (port.h): a byte-wise read could see a
 * word the core thread is storing half old, half new (a torn out-ring head once made drain()
 * copy billions of bytes). */
static uint32_t get32(const volatile uint8_t *p) { return ld_word(p); }

/* A mailbox word stored in one access. */
static void put32(volatile uint8_t *p, uint32_t v) { st_word(p, v); }

/* Host mailbox of a core in the DRAM buffer. */
static volatile uint8_t *mailbox(uint32_t core)
{
    return dram + EPY_DRAM_AREA_OFFSET + core * EPY_MAILBOX_STRIDE;
}

/* Thread body: one core. */
static void *core_thread(void *arg)
{
    epy_host_core_main(arg);
    return NULL;
}

/* Print bytes as hex digits. */
static void print_hex(const volatile uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

/* Text buffer of one core's printed output. */
typedef struct Out {
    uint8_t *buf;
    uint32_t len, cap;
} Out;

/* Move a core's printed text from its out ring into o (the host's side of the ring). */
static void drain(uint32_t core, Out *o)
{
    volatile uint8_t *mb = mailbox(core);
    __sync_synchronize();
    uint32_t head = get32(mb + EPY_MB_OUT_HEAD), tail = get32(mb + EPY_MB_OUT_TAIL);
    while (tail != head) {
        if (o->len == o->cap) {
            o->cap = o->cap ? 2 * o->cap : 256;
            o->buf = realloc(o->buf, o->cap);
        }
        o->buf[o->len++] = mb[EPY_MAILBOX_OUT_OFFSET + tail % EPY_MAILBOX_OUT_BYTES];
        tail++;
    }
    __sync_synchronize();
    put32(mb + EPY_MB_OUT_TAIL, tail);
}

/* Monotonic seconds. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Run the launch REPEAT times and print every core's outcome (see the file comment). */
int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: epy-run IMAGE ARGS NUM_CORES [REPEAT]\n");
        return 2;
    }
    uint32_t image_size, args_size;
    uint8_t *image = slurp(argv[1], &image_size);
    uint8_t *args = slurp(argv[2], &args_size);
    int n = atoi(argv[3]), repeat = argc > 4 ? atoi(argv[4]) : 1;
    if (n < 1 || n > NCORES) {
        fprintf(stderr, "NUM_CORES must be 1..%d\n", NCORES);
        return 2;
    }
    const char *t = getenv("EPY_RUN_TIMEOUT");
    double timeout = t ? atof(t) : 20.0;
    dram = calloc(1, DRAM_BYTES);
    for (int i = 0; i < NCORES; i++)
        locals[i] = calloc(1, EPY_LOCAL_MEMORY_BYTES);
    uint32_t area = NCORES * EPY_MAILBOX_STRIDE;
    uint32_t image_off = area, args_off = area + ((image_size + 7u) & ~7u);
    if (EPY_DRAM_AREA_OFFSET + (uint64_t)args_off + args_size > DRAM_BYTES) {
        fprintf(stderr, "image and arguments too large\n");
        return 2;
    }
    memcpy(dram + EPY_DRAM_AREA_OFFSET + image_off, image, image_size);
    memcpy(dram + EPY_DRAM_AREA_OFFSET + args_off, args, args_size);
    struct epy_host_core ctx[NCORES];
    pthread_t threads[NCORES];
    for (int i = 0; i < n; i++) {
        ctx[i].index = (uint32_t)i;
        ctx[i].rows = ROWS;
        ctx[i].cols = COLS;
        ctx[i].local = locals;
        ctx[i].dram = dram;
        ctx[i].stop = &stop_flag;
        ctx[i].idle = NULL;
        pthread_create(&threads[i], NULL, core_thread, &ctx[i]);
    }
    int status = 0;
    Out outs[NCORES];
    memset(outs, 0, sizeof outs);
    for (int k = 1; k <= repeat && status == 0; k++) {
        for (int i = 0; i < n; i++) {
            volatile uint8_t *mb = mailbox((uint32_t)i);
            put32(mb + EPY_MB_IMAGE_OFFSET, image_off);
            put32(mb + EPY_MB_IMAGE_SIZE, image_size);
            put32(mb + EPY_MB_ARGS_OFFSET, args_off);
            put32(mb + EPY_MB_ARGS_SIZE, args_size);
            put32(mb + EPY_MB_NUM_CORES, (uint32_t)n);
            for (int c = 0; c < n; c++)
                mb[EPY_MAILBOX_CORES_OFFSET + c] = (uint8_t)c;
            outs[i].len = 0;
        }
        __sync_synchronize();
        for (int i = 0; i < n; i++)
            put32(mailbox((uint32_t)i) + EPY_MB_COMMAND, (uint32_t)k);
        double deadline = now() + timeout;
        for (;;) {
            int done = 0;
            for (int i = 0; i < n; i++) {
                drain((uint32_t)i, &outs[i]);
                __sync_synchronize();
                done += get32(mailbox((uint32_t)i) + EPY_MB_DONE_SEQ) == (uint32_t)k;
            }
            if (done == n)
                break;
            if (now() > deadline) {
                status = 3;
                break;
            }
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        for (int i = 0; i < n; i++) {
            volatile uint8_t *mb = mailbox((uint32_t)i);
            drain((uint32_t)i, &outs[i]);
            printf("core %d launch %d\n", i, k);
            printf("core %d out ", i);
            print_hex(outs[i].buf, outs[i].len);
            printf("\n");
            if (get32(mb + EPY_MB_DONE_SEQ) != (uint32_t)k) {
                printf("core %d timeout wait_kind %u wait_peer %u wait_line %u\n", i,
                       get32(mb + EPY_MB_WAIT_KIND), get32(mb + EPY_MB_WAIT_PEER),
                       get32(mb + EPY_MB_WAIT_LINE));
                continue;
            }
            uint32_t code = get32(mb + EPY_MB_ERROR_CODE), rsize = get32(mb + EPY_MB_RESULT_SIZE);
            if (code) {
                const volatile uint8_t *m = mb + EPY_MAILBOX_MESSAGE_OFFSET;
                uint32_t len = 0;
                while (len < EPY_MAILBOX_RESULT_OFFSET - EPY_MAILBOX_MESSAGE_OFFSET && m[len])
                    len++;
                printf("core %d error %u %u %u ", i, code, get32(mb + EPY_MB_ERROR_FUNC),
                       get32(mb + EPY_MB_ERROR_LINE));
                print_hex(m, len);
                printf("\n");
            } else {
                printf("core %d result ", i);
                print_hex(mb + EPY_MAILBOX_RESULT_OFFSET, rsize);
                printf("\n");
            }
            uint32_t clen = get32(mb + EPY_MB_CHANGES_SIZE);
            printf("core %d arrays ", i);
            print_hex(mb + EPY_MAILBOX_CHANGES_OFFSET,
                      clen < EPY_MAILBOX_CHANGES_BYTES ? clen : EPY_MAILBOX_CHANGES_BYTES);
            printf("\n");
            printf("core %d instructions %u\n", i, get32(mb + EPY_MB_INSTRUCTIONS));
        }
    }
    fflush(stdout);
    stop_flag = 1;
    __sync_synchronize();
    for (int i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < NCORES; i++) {
        free(locals[i]);
        free(outs[i].buf);
    }
    free(dram);
    free(image);
    free(args);
    return status;
}
