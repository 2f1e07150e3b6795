/* runtime.c: the loop each core runs: wait for a launch in its DRAM mailbox, fetch and verify
 * the image, run the entry function, stream printed text, post the result, repeat
 * (epython/bytecode/protocol.py describes the mailbox). */
#include "platform.h"
#include "port.h"
#include "text.h"
#include "vm.h"

#define ABANDON 0xFFFFu
#define USER_BASE EPY_RUNTIME_RESERVED_BYTES
#define USER_END (EPY_LOCAL_MEMORY_BYTES - EPY_CORE_MAILBOX_BYTES)

/* Read a mailbox field (an aligned word the host writes whole). */
static uint32_t mb_get(VM *vm, uint32_t field) { return ld_word(vm->mailbox + field); }
/* Write a mailbox field in one access (the host never sees half of it). */
static void mb_set(VM *vm, uint32_t field, uint32_t v) { st_word(vm->mailbox + field, v); }

/* Stream printed text into the out ring (waiting for the host when it is full). */
EPY_COLD void epy_emit(VM *vm, const char *p, uint32_t n)
{
    volatile uint8_t *ring = vm->mailbox + EPY_MAILBOX_OUT_OFFSET;
    for (uint32_t i = 0; i < n; i++) {
        while (vm->out_head - mb_get(vm, EPY_MB_OUT_TAIL) >= EPY_MAILBOX_OUT_BYTES) {
            EPY_FENCE();
            if (plat_poll()) {
                vm->abandoned = 1;
                vm->err_code = ABANDON;
                EPY_LONGJMP(*vm->on_error);
            }
        }
        ring[vm->out_head % EPY_MAILBOX_OUT_BYTES] = (uint8_t)p[i];
        vm->out_head++;
        if (i + 1 == n || (vm->out_head % 64u) == 0) {
            EPY_FENCE();
            mb_set(vm, EPY_MB_OUT_HEAD, vm->out_head);
        }
    }
}

/* Record a wait (or its end) in the mailbox and poll; abandons the launch when told to. */
EPY_COLD void epy_wait(VM *vm, uint32_t kind, uint32_t peer)
{
    if (mb_get(vm, EPY_MB_WAIT_KIND) != kind || (kind && mb_get(vm, EPY_MB_WAIT_PEER) != peer)) {
        mb_set(vm, EPY_MB_WAIT_PEER, peer);
        mb_set(vm, EPY_MB_WAIT_LINE, kind ? line_of(&vm->img, vm->func, vm->pc) : 0);
        mb_set(vm, EPY_MB_WAIT_KIND, kind);
    }
    if (kind == 0)
        return;
    EPY_FENCE();
    if (plat_poll()) {
        vm->abandoned = 1;
        vm->err_code = ABANDON;
        EPY_LONGJMP(*vm->on_error);
    }
}

/* Tell the host the core is alive; poll. */
EPY_COLD void epy_heartbeat(VM *vm)
{
    mb_set(vm, EPY_MB_HEARTBEAT, mb_get(vm, EPY_MB_HEARTBEAT) + 1);
    if (plat_stopping()) {
        vm->abandoned = 1;
        vm->err_code = ABANDON;
        EPY_LONGJMP(*vm->on_error);
    }
}

/* Skip one marshalled value; returns its size or 0. */
EPY_COLD static uint32_t skip_value(const uint8_t *p, uint32_t n, int depth)
{
    if (n < 1 || depth > EPY_MAX_NESTING) /* the host's marshal nests no deeper */
        return 0;
    switch (p[0]) {
    case TAG_NONE: case TAG_TRUE: case TAG_FALSE: return 1;
    case TAG_INT: case TAG_FLOAT: return n >= 5 ? 5 : 0;
    case TAG_STR: return n >= 3 && 3u + rd16(p + 1) <= n ? 3u + rd16(p + 1) : 0;
    case TAG_TUPLE: case TAG_LIST: case TAG_DICT: {
        if (n < 3)
            return 0;
        uint32_t pos = 3;
        for (uint32_t i = 0; i < rd16(p + 1) * (p[0] == TAG_DICT ? 2u : 1u); i++) {
            uint32_t k = skip_value(p + pos, n - pos, depth + 1);
            if (!k)
                return 0;
            pos += k;
        }
        return pos;
    }
    case TAG_ARRAY: return array_wire_size(p, n);
    case TAG_SHARED: return shared_wire_size(p, n);
    default: return 0;
    }
}

/* Device-resident values after the arguments (vm.h): set their globals. */
EPY_COLD uint32_t load_resident(VM *vm, const uint8_t *p, uint32_t n)
{
    uint32_t count = p[0], pos = 1;
    for (uint32_t i = 0; i < count; i++) {
        if (pos + 2 > n)
            epy_raise(vm, ERR_BADARGUMENT, "truncated device-resident value %u", (unsigned)i);
        uint32_t g = rd16(p + pos);
        if (g >= vm->img.n_globals || rd16(vm->img.base + vm->img.globals + 4 * g + 2) != EPY_NO_INIT)
            epy_raise(vm, ERR_BADARGUMENT, "device-resident value for global %u, which is not "
                      "device-resident", (unsigned)g);
        uint32_t used = marshal_decode(vm, p + pos + 2, n - pos - 2, &vm->globals[g]);
        if (!used)
            epy_raise(vm, ERR_BADARGUMENT, "device-resident value %u could not be decoded",
                      (unsigned)i);
        pos += 2 + used;
    }
    return pos;
}

/* After a successful launch of a program that names device-resident values, after the result:
 * u8 count, count x (u16 global index, marshalled value) of every device-resident global that
 * holds a value; returns the bytes written (0 when the program names none), or 0xFFFFFFFF when
 * they do not fit. */
EPY_COLD static uint32_t post_resident(VM *vm, uint8_t *out, uint32_t cap)
{
    uint32_t w = 1, count = 0, any = 0;
    for (uint32_t g = 0; g < vm->img.n_globals; g++)
        any |= rd16(vm->img.base + vm->img.globals + 4 * g + 2) == EPY_NO_INIT;
    if (!any)
        return 0; /* no device-resident names: no section */
    if (cap < 1)
        return 0xFFFFFFFFu;
    for (uint32_t g = 0; g < vm->img.n_globals && count < 255; g++) {
        if (rd16(vm->img.base + vm->img.globals + 4 * g + 2) != EPY_NO_INIT ||
            vm->globals[g].tag == V_UNSET)
            continue;
        if (w + 2 > cap)
            return 0xFFFFFFFFu;
        uint32_t k = marshal_encode(vm, vm->globals[g], out + w + 2, cap - w - 2, "value", 1);
        if (k > cap - w - 2)
            return 0xFFFFFFFFu;
        out[w] = (uint8_t)(g & 0xFF);
        out[w + 1] = (uint8_t)(g >> 8);
        w += 2 + k;
        count++;
    }
    out[0] = (uint8_t)count;
    return w;
}

/* The array arguments the kernel changed, each whole, into the changes area (protocol.py,
 * MAILBOX_CHANGES_*): local is the core's copy of the argument block, orig the host's; returns
 * the bytes written (the area holds a whole argument block, so they fit). */
EPY_COLD static uint32_t post_array_changes(const uint8_t *local, const volatile uint8_t *orig,
                                            uint32_t size, volatile uint8_t *out, uint32_t cap)
{
    uint32_t pos = 1, w = 0;
    for (uint32_t i = 0; size && i < local[0]; i++) {
        uint32_t k = skip_value(local + pos, size - pos, 0);
        if (!k)
            break;
        if (local[pos] == TAG_ARRAY) {
            uint32_t head = 3 + 2 * local[pos + 2], n = k - head, at = pos + head;
            int changed = 0;
            for (uint32_t b = 0; b < n && !changed; b++)
                changed = local[at + b] != orig[at + b];
            if (changed && w + 8 + n <= cap) {
                st_word(out + w, i); /* u8 index and three zero bytes */
                st_word(out + w + 4, n);
                for (uint32_t b = 0; b < n; b += 4) /* whole words into DRAM; the pad is junk */
                    st_word(out + w + 8 + b, rd32(local + at + b));
                w += 8 + ((n + 3u) & ~3u);
            }
        }
        pos += k;
    }
    return w;
}

/* Copy the message into the mailbox, cut at a UTF-8 boundary. */
EPY_COLD static void post_message(VM *vm, const char *msg)
{
    volatile uint8_t *m = vm->mailbox + EPY_MAILBOX_MESSAGE_OFFSET;
    uint32_t n = (uint32_t)strlen(msg), max = EPY_MAILBOX_RESULT_OFFSET - EPY_MAILBOX_MESSAGE_OFFSET - 1;
    if (n > max) {
        n = max;
        while (n && ((uint8_t)msg[n] & 0xC0) == 0x80)
            n--;
    }
    for (uint32_t i = 0; i < n; i++)
        m[i] = (uint8_t)msg[i];
    m[n] = 0;
}

/* Post the call chain of the error into the result area (protocol.py, cut_chain): the number
 * of callers of the failing frame, then (function, line of the call in progress) of the kept
 * ones, outermost first: all when they fit, else the outermost EPY_ERROR_CHAIN_OUTER and the
 * innermost.  The frames are still in the arena: nothing popped them on the way here. */
EPY_COLD static void post_chain(VM *vm)
{
    const uint32_t keep = EPY_ERROR_CHAIN_FRAMES - 1, outer = EPY_ERROR_CHAIN_OUTER;
    uint32_t n = 0, f = vm->frame;
    for (; f != EPY_NO_FRAME && n <= EPY_MAX_CALL_DEPTH; n++)
        f = ((const Frame *)(const void *)(vm->arena + f))->prev;
    n = n ? n - 1 : 0; /* the innermost frame is the failing one (error_func, error_line) */
    f = n ? ((const Frame *)(const void *)(vm->arena + vm->frame))->prev : EPY_NO_FRAME;
    for (uint32_t i = 0; i < n; i++) { /* i: 0 for the innermost caller */
        const Frame *fr = (const Frame *)(const void *)(vm->arena + f);
        uint32_t p = n - 1 - i, slot = n <= keep || p < outer ? p : keep - 1 - i;
        if (n <= keep || p < outer || i < keep - outer) {
            uint32_t at = EPY_MAILBOX_ERROR_CHAIN_OFFSET + 4 + 8 * slot;
            mb_set(vm, at, fr->func);
            mb_set(vm, at + 4, line_of(&vm->img, fr->func, fr->pc ? fr->pc - 1u : 0));
        }
        f = fr->prev;
    }
    mb_set(vm, EPY_MAILBOX_ERROR_CHAIN_OFFSET, n);
}

/* Leave run_launch's body for its error path (vm->err_code and err_msg are set).  A function of
 * its own: on the chip __builtin_longjmp must not be called from the function that called
 * __builtin_setjmp (GCC's rule; e-sim showed it: the body ran again, forever). */
EPY_COLD EPY_NORETURN static void launch_failed(VM *vm)
{
    EPY_LONGJMP(*vm->on_error);
}

/* Run one launch described by the mailbox; returns nonzero when the core must stop. */
EPY_COLD static int run_launch(VM *vm, uint32_t command)
{
    volatile uint8_t *mb = vm->mailbox;
    uint32_t start = plat_cycles();
    mb_set(vm, EPY_MB_STATE, EPY_STATE_RUNNING);
    mb_set(vm, EPY_MB_ERROR_CODE, 0);
    mb_set(vm, EPY_MB_ERROR_FUNC, 0);
    mb_set(vm, EPY_MB_ERROR_LINE, 0);
    mb_set(vm, EPY_MB_RESULT_SIZE, 0);
    mb_set(vm, EPY_MB_WAIT_KIND, 0);
    EPY_FENCE();
    uint32_t image_off = mb_get(vm, EPY_MB_IMAGE_OFFSET), image_size = mb_get(vm, EPY_MB_IMAGE_SIZE);
    uint32_t args_off = mb_get(vm, EPY_MB_ARGS_OFFSET), args_size = mb_get(vm, EPY_MB_ARGS_SIZE);
    uint32_t ncores = mb_get(vm, EPY_MB_NUM_CORES);
    memset(vm->send_seq, 0, sizeof vm->send_seq);
    memset(vm->recv_seq, 0, sizeof vm->recv_seq);
    vm->nstash = 0;
    vm->epoch = command;
    vm->instructions = 0;
    vm->poll_at = EPY_POLL_INTERVAL;
    vm->no_line = 0;
    vm->func = 0;
    vm->pc = 0;
    vm->frame = EPY_NO_FRAME; /* no call chain for an error before the program runs */
    vm->abandoned = 0;
    vm->out_head = mb_get(vm, EPY_MB_OUT_HEAD);
    vm->err_code = 0;
    vm->err_msg[0] = 0;
    vm->err_func = vm->err_line = 0;
    vm->img.n_funcs = 0;
    vm->img.n_globals = 0;
    vm->ntroots = 0;
    volatile uint32_t result_size = 0, resident_size = 0;
    uint32_t changes = 0;
    uint8_t *local = vm->local;
    const volatile uint8_t *dram_args = plat_dram_address(EPY_DRAM_AREA_OFFSET + args_off);
    epy_jmp_buf env;
    vm->on_error = &env;
    vm->depth = 0;
again: /* after a handler caught an error (epy_catch): the kernel goes on */
    if (EPY_SETJMP(env) == 0) {
        if (vm->depth)
            goto resume;
        vm->rank = 0xFFFFFFFFu;
        rng_reset(vm);
        vm->ncores = ncores > 64 ? 64 : ncores;
        for (uint32_t r = 0; r < vm->ncores; r++) {
            vm->cores[r] = mb[EPY_MAILBOX_CORES_OFFSET + r];
            if (vm->cores[r] == vm->core_index)
                vm->rank = r;
        }
        if ((uint64_t)image_size + args_size > USER_END - USER_BASE || ncores == 0 ||
            ncores > 64 || vm->rank == 0xFFFFFFFFu) {
            vm->err_code = ERR_BADARGUMENT;
            epy_snprintf(vm->err_msg, sizeof vm->err_msg,
                     "bad launch: program image %u bytes + arguments %u bytes for %u bytes of "
                     "core memory, %u cores, this core %s", (unsigned)image_size,
                     (unsigned)args_size, (unsigned)(USER_END - USER_BASE), (unsigned)ncores,
                     vm->rank == 0xFFFFFFFFu ? "not listed" : "listed");
            if ((uint64_t)image_size + args_size > USER_END - USER_BASE)
                vm->err_code = ERR_MEMORYERROR;
            launch_failed(vm);
        }
        const volatile uint8_t *src = plat_dram_address(EPY_DRAM_AREA_OFFSET + image_off);
        for (uint32_t i = 0; i < image_size; i++)
            local[USER_BASE + i] = src[i];
        for (uint32_t i = 0; i < args_size; i++)
            local[USER_BASE + image_size + i] = dram_args[i];
        /* the workspace starts aligned after the image and the arguments (memory.py,
         * WORKSPACE_ALIGN: the chip faults on unaligned word accesses); W is what follows */
        uint32_t user_end = (USER_BASE + image_size + args_size + EPY_WORKSPACE_ALIGN - 1) &
                            ~(uint32_t)(EPY_WORKSPACE_ALIGN - 1);
        uint32_t arena_bytes;
        uint8_t *arena = plat_workspace(user_end, &arena_bytes);
        /* the verifier writes its reason after the message's prefix (no buffer of its own
         * on the chip's small stack) */
        static const char rejected[] = "the core's verifier rejected the program image: ";
        const uint32_t prefix = sizeof rejected - 1;
        if (verify_image(local + USER_BASE, image_size, &vm->img, vm->err_msg + prefix,
                         EPY_MSG_BYTES - 56, arena, arena_bytes)) {
            memcpy(vm->err_msg, rejected, prefix);
            vm->img.n_funcs = 0;
            vm->err_code = ERR_BADIMAGE;
            launch_failed(vm);
        }
        /* W less the tables decoded below the heap (memory.launch_tables_bytes): on the chip
         * they take real room of the workspace, so the model charges them on every port */
        uint32_t tables = EPY_LAUNCH_TABLES_BYTES(vm->img.n_consts, vm->img.n_globals,
                                                  vm->img.n_funcs);
        uint32_t workspace = user_end + tables <= USER_END ? USER_END - user_end - tables : 0;
        heap_init(vm, arena, arena_bytes, workspace);
        vm->consts = heap_prefix(vm, EPY_VALUE_TABLE_BYTES(vm->img.n_consts));
        vm->globals = heap_prefix(vm, EPY_VALUE_TABLE_BYTES(vm->img.n_globals));
        vm->funcs = heap_prefix(vm, EPY_FUNC_TABLE_BYTES(vm->img.n_funcs));
        if (!vm->consts || !vm->globals || !vm->funcs) {
            vm->err_code = ERR_MEMORYERROR;
            epy_snprintf(vm->err_msg, sizeof vm->err_msg, "no room for the constant pool");
            launch_failed(vm);
        }
        uint32_t pos = vm->img.consts;
        const uint8_t *img = vm->img.base;
        for (uint32_t i = 0; i < vm->img.n_consts; i++) {
            uint8_t tag = img[pos];
            Value v = mk_none();
            if (tag == TAG_TRUE || tag == TAG_FALSE)
                v = mk_bool(tag == TAG_TRUE);
            else if (tag == TAG_INT)
                v = mk_int((int32_t)rd32(img + pos + 1));
            else if (tag == TAG_FLOAT)
                v.tag = V_FLOAT, v.u = rd32(img + pos + 1);
            else if (tag == TAG_STR)
                v = mk_obj(V_SSTR, (uint32_t)(img + pos + 1 - local));
            vm->consts[i] = v;
            pos += 1 + (tag == TAG_INT || tag == TAG_FLOAT ? 4u : tag == TAG_STR ? 2u + rd16(img + pos + 1) : 0u);
        }
        for (uint32_t i = 0; i < vm->img.n_funcs; i++)
            func_info(&vm->img, i, &vm->funcs[i]);
        for (uint32_t i = 0; i < vm->img.n_globals; i++) {
            uint32_t init = rd16(img + vm->img.globals + 4 * i + 2);
            vm->globals[i] = init == EPY_NO_INIT ? mk_unset() : vm->consts[init];
        }
    resume:;
        /* after a handler caught an error (epy_catch), the kernel goes on where it left it */
        Value result = vm->depth ? interp_run(vm, NULL, 0)
                                 : interp_run_block(vm, local + USER_BASE + image_size, args_size);
        troot_push(vm, &result);
        vm->func = 0; /* an error posting the result has no line (as the simulator's) */
        vm->no_line = 1;
        uint8_t *out = (uint8_t *)(uintptr_t)(mb + EPY_MAILBOX_RESULT_OFFSET);
        result_size = marshal_encode(vm, result, out, EPY_MAILBOX_RESULT_BYTES, "value", 1);
        if (result_size > EPY_MAILBOX_RESULT_BYTES)
            epy_raise(vm, ERR_TYPEERROR, "%s", EPY_RESULT_TOO_LARGE_MESSAGE);
        resident_size = post_resident(vm, out + result_size, EPY_MAILBOX_RESULT_BYTES - result_size);
        if (resident_size == 0xFFFFFFFFu)
            epy_raise(vm, ERR_MEMORYERROR, "%s", EPY_RESIDENT_TOO_LARGE_MESSAGE);
    }
    if (!vm->abandoned && vm->err_code && epy_catch(vm))
        goto again;
    vm->on_error = NULL;
    if (vm->abandoned)
        return 1;
    if (vm->err_code) {
        result_size = resident_size = 0;
        mb_set(vm, EPY_MB_ERROR_CODE, vm->err_code);
        mb_set(vm, EPY_MB_ERROR_FUNC, vm->err_func);
        mb_set(vm, EPY_MB_ERROR_LINE, vm->err_line);
        post_message(vm, vm->err_msg);
        post_chain(vm);
    }
    if (args_size && args_size <= USER_END - USER_BASE)
        changes = post_array_changes(local + USER_BASE + image_size, dram_args, args_size,
                                     mb + EPY_MAILBOX_CHANGES_OFFSET, EPY_MAILBOX_CHANGES_BYTES);
    mb_set(vm, EPY_MB_CHANGES_SIZE, changes);
    mb_set(vm, EPY_MB_RESULT_SIZE, result_size);
    mb_set(vm, EPY_MB_CYCLES, plat_cycles() - start);
    mb_set(vm, EPY_MB_INSTRUCTIONS, vm->instructions);
    mb_set(vm, EPY_MB_WAIT_KIND, 0);
    EPY_FENCE();
    mb_set(vm, EPY_MB_DONE_SEQ, command);
    EPY_FENCE();
    mb_set(vm, EPY_MB_STATE, EPY_STATE_DONE);
    return 0;
}

/* The runtime loop (platform.h). */
EPY_COLD void epy_runtime_main(void)
{
    VM vm;
    memset(&vm, 0, sizeof vm);
    vm.core_index = plat_core_index();
    vm.chip_cores = plat_rows() * plat_cols();
    vm.local = plat_local_base();
    vm.mailbox = plat_dram_address(EPY_DRAM_AREA_OFFSET + vm.core_index * EPY_MAILBOX_STRIDE);
    for (;;) {
        uint32_t command;
        while ((command = mb_get(&vm, EPY_MB_COMMAND)) == mb_get(&vm, EPY_MB_DONE_SEQ)) {
            if (plat_idle())
                goto stop;
        }
        EPY_FENCE();
        if (run_launch(&vm, command))
            goto stop;
    }
stop:
    return;
}
