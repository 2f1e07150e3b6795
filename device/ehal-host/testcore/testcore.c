/* testcore.c: a fake core program for testing the host e-hal and the device backend's host
 * side without the real interpreter (device/core).  It speaks the launch protocol
 * (epython/bytecode/protocol.py, generated into device/core/opcodes.h) trivially:
 *
 *   wait until the mailbox's command differs from done_seq, then look at the argument block
 *   (u8 count + marshalled values); when the first argument is the int
 *     -1   loop forever (until the host stops the core): a kernel that never finishes
 *     -2   post a ZeroDivisionError at line 3 of function 0
 *     -3   stop as the Epiphany port does on a hardware exception (an unaligned access at pc
 *          0x1234: state STATE_FAULT), then wait until the host stops the core
 *     n    (0 <= n <= 10000) print n lines "core C line I" into the out ring
 *   and post the int result args_size (the size of the argument block), followed by an empty
 *   list of array changes.
 */
#define _POSIX_C_SOURCE 200809L
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "opcodes.h"
#include "platform.h"

#define VISIBLE __attribute__((visibility("default")))

static uint32_t rd32(const volatile uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(volatile uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get(volatile uint8_t *mb, uint32_t field)
{
    __sync_synchronize();
    return *(volatile uint32_t *)(mb + field);
}

static void set(volatile uint8_t *mb, uint32_t field, uint32_t v)
{
    __sync_synchronize();
    *(volatile uint32_t *)(mb + field) = v;
    __sync_synchronize();
}

static int stopped(struct epy_host_core *ctx)
{
    sched_yield();
    __sync_synchronize();
    return *ctx->stop != 0;
}

/* Append text to the out ring, waiting while it is full; nonzero when told to stop. */
static int emit(struct epy_host_core *ctx, volatile uint8_t *mb, const char *text)
{
    uint32_t head = get(mb, EPY_MB_OUT_HEAD);
    for (const char *p = text; *p; p++) {
        while (head - get(mb, EPY_MB_OUT_TAIL) >= EPY_MAILBOX_OUT_BYTES)
            if (stopped(ctx))
                return 1;
        mb[EPY_MAILBOX_OUT_OFFSET + head % EPY_MAILBOX_OUT_BYTES] = (uint8_t)*p;
        head++;
    }
    set(mb, EPY_MB_OUT_HEAD, head);
    return 0;
}

VISIBLE void epy_host_core_main(struct epy_host_core *ctx)
{
    volatile uint8_t *mb = ctx->dram + EPY_DRAM_AREA_OFFSET + ctx->index * EPY_MAILBOX_STRIDE;
    for (;;) {
        uint32_t command;
        while ((command = get(mb, EPY_MB_COMMAND)) == get(mb, EPY_MB_DONE_SEQ))
            if (stopped(ctx))
                return;
        set(mb, EPY_MB_STATE, 1);
        uint32_t args_off = get(mb, EPY_MB_ARGS_OFFSET), args_size = get(mb, EPY_MB_ARGS_SIZE);
        const volatile uint8_t *args = ctx->dram + EPY_DRAM_AREA_OFFSET + args_off;
        int32_t first = 0;
        int have_int = args_size >= 6 && args[0] >= 1 && args[1] == TAG_INT;
        if (have_int)
            first = (int32_t)rd32(args + 2);
        uint32_t heartbeat = 0;
        set(mb, EPY_MB_ERROR_CODE, 0);
        volatile uint8_t *result = mb + EPY_MAILBOX_RESULT_OFFSET;
        if (have_int && first == -1) {
            while (!stopped(ctx))
                set(mb, EPY_MB_HEARTBEAT, ++heartbeat);
            return;
        } else if (have_int && first == -3) {
            set(mb, EPY_MB_FAULT_STATUS, 0x000d0000u); /* EXCAUSE 13: unaligned */
            set(mb, EPY_MB_FAULT_PC, 0x1234u);
            set(mb, EPY_MB_FAULT, EPY_FAULT_SOFTWARE_EXCEPTION);
            set(mb, EPY_MB_STATE, EPY_STATE_FAULT);
            while (!stopped(ctx))
                ;
            return;
        } else if (have_int && first == -2) {
            const char *msg = "division by zero";
            set(mb, EPY_MB_ERROR_CODE, ERR_ZERODIVISIONERROR);
            set(mb, EPY_MB_ERROR_FUNC, 0);
            set(mb, EPY_MB_ERROR_LINE, 3);
            for (size_t i = 0; i <= strlen(msg); i++)
                mb[EPY_MAILBOX_MESSAGE_OFFSET + i] = (uint8_t)msg[i];
            result[0] = 0xFF; /* no array changes */
            set(mb, EPY_MB_RESULT_SIZE, 0);
        } else {
            if (have_int && first > 0 && first <= 10000)
                for (int32_t i = 0; i < first; i++) {
                    char line[64];
                    snprintf(line, sizeof line, "core %u line %d\n", (unsigned)ctx->index, (int)i);
                    if (emit(ctx, mb, line))
                        return;
                }
            result[0] = TAG_INT;
            wr32(result + 1, args_size);
            result[5] = 0xFF; /* no array changes */
            set(mb, EPY_MB_RESULT_SIZE, 5);
        }
        set(mb, EPY_MB_CYCLES, 1000u + ctx->index);
        set(mb, EPY_MB_INSTRUCTIONS, 10u + ctx->index);
        set(mb, EPY_MB_DONE_SEQ, command);
        set(mb, EPY_MB_STATE, 2);
    }
}
