/* comm.c: the parallel module on the chip: messages are writes into the receiver's local
 * memory (its top CORE_MAILBOX_BYTES: one slot per sender core), flags polled, collectives
 * built from the same messages, as esim/cores/comm.py models them.
 *
 * Slot of sender S in receiver R's memory: u32 flag, u32 total length, payload.  flag =
 * epoch << 16 | (seq & 0xFFF) << 4 | channel << 1 | FULL.  The sender writes payload and
 * length, then the flag; the receiver copies the piece and clears FULL (its acknowledgement).
 * Values that fit the slot are eager; larger ones travel in slot-sized pieces, each waiting
 * for the previous one's acknowledgement, and the sender returns when the last is taken.
 * The epoch (the launch's command number) keeps messages of different launches apart. */

#include "platform.h"
#include "port.h"
#include "text.h"
#include "vm.h"

enum { CH_MSG = 0, CH_BCAST, CH_SYNC, CH_SYNC_RELEASE, CH_REDUCE, CH_REDUCE_RESULT };

#define FULL 1u
#define MAILBOX_BASE (EPY_LOCAL_MEMORY_BYTES - EPY_CORE_MAILBOX_BYTES)

/* Bytes of one sender's slot in a receiver's mailbox area. */
static uint32_t slot_bytes(VM *vm) { return EPY_CORE_MAILBOX_BYTES / vm->chip_cores; }

/* Payload bytes of one slot (the eager limit, at least 8). */
EPY_COLD static uint32_t piece_bytes(VM *vm)
{
    uint32_t s = slot_bytes(vm) - EPY_MESSAGE_SLOT_HEADER_BYTES;
    return s < 8 ? 8 : s;
}

/* The flag word of a piece. */
EPY_COLD static uint32_t mkflag(VM *vm, uint32_t seq, uint32_t chan, uint32_t full)
{
    return ((vm->epoch & 0xFFFFu) << 16) | ((seq & 0xFFFu) << 4) | (chan << 1) | full;
}

/* The rank of chip core `v` in this launch (TypeError / ValueError as comm.py words them). */
EPY_COLD static uint32_t peer_rank(VM *vm, Value v, const char *what)
{
    if (v.tag != V_INT)
        epy_raise(vm, ERR_TYPEERROR, "parallel.%s: core id must be an int, not %s", what,
                  type_name(v));
    for (uint32_t r = 0; r < vm->ncores; r++)
        if ((int32_t)vm->cores[r] == as_int(v))
            return r;
    char list[300];
    uint32_t n = 0;
    list[n++] = '[';
    for (uint32_t r = 0; r < vm->ncores && n < sizeof list - 8; r++)
        n += (uint32_t)epy_snprintf(list + n, sizeof list - n, r ? ", %u" : "%u", vm->cores[r]);
    list[n++] = ']';
    list[n] = 0;
    epy_raise(vm, ERR_VALUEERROR, "parallel.%s: core %ld is not part of this launch (cores %s)",
              what, (long)as_int(v), list);
}

/* Send len bytes to rank dst on a channel (blocking as described above). */
EPY_COLD static void send_bytes(VM *vm, uint32_t dst, uint32_t chan, const uint8_t *p, uint32_t len)
{
    uint32_t to = vm->cores[dst], piece = piece_bytes(vm);
    volatile uint8_t *slot = plat_core_address(to, MAILBOX_BASE + vm->core_index * slot_bytes(vm));
    uint32_t done = 0;
    do {
        uint32_t f;
        while ((f = rd32(slot)) & FULL && (f >> 16) == (vm->epoch & 0xFFFFu))
            epy_wait(vm, EPY_WAIT_SEND, to);
        EPY_FENCE();
        uint32_t n = len - done < piece ? len - done : piece;
        for (uint32_t i = 0; i < n; i++)
            slot[EPY_MESSAGE_SLOT_HEADER_BYTES + i] = p[done + i];
        wr32(slot + 4, len);
        EPY_FENCE();
        wr32(slot, mkflag(vm, vm->send_seq[to]++, chan, FULL));
        EPY_FENCE();
        done += n;
    } while (done < len);
    if (len > piece) {
        uint32_t f;
        while ((f = rd32(slot)) & FULL && (f >> 16) == (vm->epoch & 0xFFFFu))
            epy_wait(vm, EPY_WAIT_SEND, to);
    }
    epy_wait(vm, EPY_WAIT_NONE, 0);
}

/* Wait for the next piece from chip core `from`; returns its flag. */
EPY_COLD static uint32_t await_piece(VM *vm, uint32_t from, uint32_t kind)
{
    volatile uint8_t *slot = plat_core_address(vm->core_index, MAILBOX_BASE + from * slot_bytes(vm));
    uint32_t want = (vm->epoch & 0xFFFFu) << 16 | (vm->recv_seq[from] & 0xFFFu) << 4;
    uint32_t f;
    while (((f = rd32(slot)) & 0xFFFFFFF1u) != (want | FULL))
        epy_wait(vm, kind, from);
    EPY_FENCE();
    return f;
}

/* Take one whole message from chip core `from` into scratch memory (*len bytes). */
EPY_COLD static uint8_t *take_message(VM *vm, uint32_t from, uint32_t kind, uint32_t *len, uint32_t *chan)
{
    volatile uint8_t *slot = plat_core_address(vm->core_index, MAILBOX_BASE + from * slot_bytes(vm));
    uint32_t f = await_piece(vm, from, kind), piece = piece_bytes(vm);
    *chan = (f >> 1) & 7u;
    *len = rd32(slot + 4);
    uint8_t *buf = heap_scratch(vm, *len ? *len : 1);
    uint32_t done = 0;
    for (;;) {
        uint32_t n = *len - done < piece ? *len - done : piece;
        for (uint32_t i = 0; i < n; i++)
            buf[done + i] = slot[EPY_MESSAGE_SLOT_HEADER_BYTES + i];
        done += n;
        EPY_FENCE();
        wr32(slot, f & ~FULL);
        EPY_FENCE();
        vm->recv_seq[from]++;
        if (done >= *len)
            break;
        f = await_piece(vm, from, kind);
    }
    return buf;
}

/* Encode v into scratch memory; returns the buffer and its length. */
EPY_COLD static uint8_t *encode_scratch(VM *vm, Value *v, uint32_t *len)
{
    if (v->tag == V_ITER || v->tag == V_RANGE) {
        /* iterators and ranges travel as lists (esim's to_wire) */
        Value lst = seq_new(vm, V_LIST, 0), x;
        troot_push(vm, &lst);
        if (v->tag == V_ITER) {
            while (iter_next(vm, v, &x)) {
                list_append(vm, &lst, x);
                decref(vm, x);
            }
        } else {
            for (uint32_t i = 0; i < range_len(vm, *v); i++)
                list_append(vm, &lst, generic_item(vm, *v, i));
        }
        troot_pop(vm, 1);
        *v = lst; /* the caller drops it */
    }
    *len = marshal_encode(vm, *v, NULL, 0, "value", 0);
    uint8_t *buf = heap_scratch(vm, *len);
    marshal_encode(vm, *v, buf, *len, "value", 0);
    return buf;
}

/* Is v's marshalled size above the eager limit (it travels in acknowledged pieces)? */
static int exceeds_slot(VM *vm, Value v)
{
    uint32_t len;
    Value w = v;
    int made = v.tag == V_ITER || v.tag == V_RANGE;
    if (made)
        return 1; /* iterators are consumed by encoding: let send_value measure them */
    troot_push(vm, &w);
    len = marshal_encode(vm, w, NULL, 0, "value", 0);
    troot_pop(vm, 1);
    return len > piece_bytes(vm);
}

/* Send value v to rank dst. */
EPY_COLD static void send_value(VM *vm, uint32_t dst, uint32_t chan, Value v)
{
    uint32_t len;
    Value w = v;
    int made = v.tag == V_ITER || v.tag == V_RANGE;
    troot_push(vm, &w);
    uint8_t *buf = encode_scratch(vm, &w, &len);
    send_bytes(vm, dst, chan, buf, len);
    heap_scratch_release(vm, len);
    troot_pop(vm, 1);
    if (made)
        decref(vm, w);
}

/* Decode bytes from scratch memory into a new value. */
EPY_COLD static Value decode_value(VM *vm, const uint8_t *buf, uint32_t len)
{
    Value v;
    if (marshal_decode_copy(vm, buf, len, &v) != len)
        epy_raise(vm, ERR_RUNTIMEERROR, "malformed message of %u bytes", (unsigned)len);
    return v;
}

/* Receive the next value on `chan` from rank src (stashing other channels' messages). */
EPY_COLD static Value recv_value(VM *vm, uint32_t src, uint32_t chan, uint32_t kind)
{
    uint32_t from = vm->cores[src];
    for (uint32_t i = 0; i < vm->nstash; i++) {
        if (vm->stash_src[i] == from && vm->stash_chan[i] == chan) {
            Value s = vm->stash[i];
            for (uint32_t k = i + 1; k < vm->nstash; k++) {
                vm->stash[k - 1] = vm->stash[k];
                vm->stash_src[k - 1] = vm->stash_src[k];
                vm->stash_chan[k - 1] = vm->stash_chan[k];
            }
            vm->nstash--;
            troot_push(vm, &s);
            uint32_t n;
            str_data(vm, s, &n);
            uint8_t *buf = heap_scratch(vm, n ? n : 1);
            memcpy(buf, str_data(vm, s, &n), n);
            Value v = decode_value(vm, buf, n);
            heap_scratch_release(vm, n ? n : 1);
            troot_pop(vm, 1);
            decref(vm, s);
            epy_wait(vm, EPY_WAIT_NONE, 0);
            return v;
        }
    }
    for (;;) {
        uint32_t len, got;
        uint8_t *buf = take_message(vm, from, kind, &len, &got);
        if (got == chan) {
            Value v = decode_value(vm, buf, len);
            heap_scratch_release(vm, len ? len : 1);
            epy_wait(vm, EPY_WAIT_NONE, 0);
            return v;
        }
        if (vm->nstash >= EPY_STASH)
            epy_raise(vm, ERR_RUNTIMEERROR, "too many unread messages from core %u",
                      (unsigned)from);
        uint32_t off = heap_alloc(vm, V_STR, EPY_STR_BYTES(len), (uint16_t)len, 1);
        memcpy(vm->arena + off + 8, buf, len);
        heap_scratch_release(vm, len ? len : 1);
        vm->stash[vm->nstash] = mk_obj(V_STR, off);
        vm->stash_src[vm->nstash] = (uint8_t)from;
        vm->stash_chan[vm->nstash++] = (uint8_t)got;
    }
}

/* Is a "msg" message from chip core `from` waiting. */
EPY_COLD static int probe(VM *vm, uint32_t from)
{
    for (uint32_t i = 0; i < vm->nstash; i++)
        if (vm->stash_src[i] == from && vm->stash_chan[i] == CH_MSG)
            return 1;
    volatile uint8_t *slot = plat_core_address(vm->core_index, MAILBOX_BASE + from * slot_bytes(vm));
    uint32_t want = (vm->epoch & 0xFFFFu) << 16 | (vm->recv_seq[from] & 0xFFFu) << 4 | FULL;
    (void)plat_poll();
    return rd32(slot) == want; /* channel 0 */
}

/* Every rank sends v to rank 0, which combines (reduce) or just collects (sync). */
EPY_COLD static Value reduce(VM *vm, Value v, int op, uint32_t chan, uint32_t kind)
{
    if (vm->rank != 0) {
        send_value(vm, 0, chan, v);
        return recv_value(vm, 0, chan + 1, kind);
    }
    Value acc = v, item = mk_none();
    incref(vm, acc);
    troot_push(vm, &acc);
    troot_push(vm, &item);
    for (uint32_t r = 1; r < vm->ncores; r++) {
        item = recv_value(vm, r, chan, kind);
        if (op == 1 || op == 4) {
            Value t = binary_op(vm, op == 1 ? OP_BINARY_ADD : OP_BINARY_MUL, acc, item);
            decref(vm, acc);
            acc = t;
        } else if (op == 2 || op == 3) {
            if (compare_order(vm, op == 2 ? OP_COMPARE_LT : OP_COMPARE_GT, item, acc)) {
                Value t = acc;
                acc = item;
                item = t;
            }
        }
        decref(vm, item);
        item = mk_none();
    }
    for (uint32_t r = 1; r < vm->ncores; r++)
        send_value(vm, r, chan + 1, acc);
    troot_pop(vm, 2);
    return acc;
}

/* parallel.* builtins that talk to other cores (args: borrowed stack slots). */
EPY_COLD Value comm_builtin(VM *vm, uint32_t id, Value *args)
{
    switch (id) {
    case BI_PARALLEL_SEND: {
        uint32_t dst = peer_rank(vm, args[1], "send");
        send_value(vm, dst, CH_MSG, args[0]);
        return mk_none();
    }
    case BI_PARALLEL_RECV: {
        uint32_t src = peer_rank(vm, args[0], "recv");
        return recv_value(vm, src, CH_MSG, EPY_WAIT_RECV);
    }
    case BI_PARALLEL_SENDRECV: {
        /* A value too large to be eager is exchanged in a fixed order (the lower core id sends
         * first), so two cores swapping large values do not both wait to be received
         * (esim/cores/comm.py does the same). */
        uint32_t peer = peer_rank(vm, args[1], "sendrecv");
        if (vm->core_index < vm->cores[peer] || !exceeds_slot(vm, args[0])) {
            send_value(vm, peer, CH_MSG, args[0]);
            return recv_value(vm, peer, CH_MSG, EPY_WAIT_RECV);
        }
        Value got = recv_value(vm, peer, CH_MSG, EPY_WAIT_RECV);
        troot_push(vm, &got);
        send_value(vm, peer, CH_MSG, args[0]);
        troot_pop(vm, 1);
        return got;
    }
    case BI_PARALLEL_PROBE: {
        uint32_t src = peer_rank(vm, args[0], "probe");
        return mk_bool(probe(vm, vm->cores[src]));
    }
    case BI_PARALLEL_BCAST: {
        uint32_t root = peer_rank(vm, args[1], "bcast");
        if (vm->rank == root) {
            for (uint32_t r = 0; r < vm->ncores; r++)
                if (r != root)
                    send_value(vm, r, CH_BCAST, args[0]);
            incref(vm, args[0]);
            return args[0];
        }
        return recv_value(vm, root, CH_BCAST, EPY_WAIT_RECV);
    }
    case BI_PARALLEL_REDUCE: {
        static const char *const names[] = {"sum", "min", "max", "prod"};
        static const int codes[] = {1, 2, 3, 4};
        int op = 0;
        if (is_str(args[1])) {
            uint32_t n;
            const uint8_t *p = str_data(vm, args[1], &n);
            for (int k = 0; k < 4; k++)
                if (n == strlen(names[k]) && memcmp(p, names[k], n) == 0)
                    op = codes[k];
        }
        if (!op) {
            char rep[120];
            Sink s = {vm, rep, 0, 0, 0, 0, 0, sizeof rep - 1};
            write_repr(vm, &s, args[1]);
            rep[s.len] = 0;
            epy_raise(vm, ERR_VALUEERROR, "parallel.reduce: op must be one of sum, min, max, prod, "
                      "got %s", rep);
        }
        return reduce(vm, args[0], op, CH_REDUCE, EPY_WAIT_RECV);
    }
    case BI_PARALLEL_SYNC: {
        Value r = reduce(vm, mk_none(), 0, CH_SYNC, EPY_WAIT_BARRIER);
        decref(vm, r);
        return mk_none();
    }
    default:
        epy_raise(vm, ERR_RUNTIMEERROR, "builtin %u is not implemented", (unsigned)id);
    }
}
