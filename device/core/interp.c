/* interp.c: the dispatch loop (Lua style: vmcase/vmbreak over a switch, computed goto behind
 * EPY_COMPUTED_GOTO), calls and returns, errors with their function and line. */
#include <stdarg.h>
#include <stdio.h>

#include "platform.h"
#include "vm.h"

/* Record an error and unwind to the launch's handler. */
EPY_COLD void epy_raise(VM *vm, uint32_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->err_msg, sizeof vm->err_msg, fmt, ap);
    va_end(ap);
    vm->err_code = code;
    vm->err_func = vm->func;
    vm->err_line = vm->no_line ? 0 : line_of(&vm->img, vm->func, vm->pc);
    longjmp(*vm->on_error, 1);
}

/* Type name of an iterator object (CPython's iterator classes). */
static const char *iter_type_name(VM *vm, Value it);

/* CPython's type name of a value. */
const char *epy_type_name(VM *vm, Value v)
{
    if (v.tag == V_ITER)
        return iter_type_name(vm, v);
    static const char *const names[] = {"NoneType", "NoneType", "bool", "int", "float", "str",
                                        "numpy.ndarray", "str", "tuple", "list", "range",
                                        "iterator", "numpy.ndarray", "numpy.ndarray"};
    return v.tag <= V_HARRAY ? names[v.tag] : "object";
}

/* Type name of an iterator object (CPython's iterator classes). */
static const char *iter_type_name(VM *vm, Value it)
{
    IterObj *o = (IterObj *)(void *)obj(vm, it.u);
    if (o->h.len == IT_ENUM)
        return "enumerate";
    if (o->h.len == IT_ZIP)
        return "zip";
    switch (o->src.tag) {
    case V_TUPLE: return "tuple_iterator";
    case V_RANGE: return "range_iterator";
    case V_SSTR: case V_STR: {
        uint32_t n;
        const uint8_t *p = str_data(vm, o->src, &n);
        for (uint32_t i = 0; i < n; i++)
            if (p[i] >= 0x80)
                return "str_iterator";
        return "str_ascii_iterator";
    }
    default: return "list_iterator";
    }
}

#define tname(vm, v) epy_type_name(vm, v)

/* Name of function fi (its name constant) into buf. */
EPY_COLD static const char *func_name(VM *vm, uint32_t fi, char *buf, uint32_t size)
{
    FuncInfo f;
    func_info(&vm->img, fi, &f);
    Value s = vm->consts[f.name_const];
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = 0;
    return buf;
}

/* Enter function fi; its n_params arguments are the top of the current stack. */
static void push_frame(VM *vm, uint32_t fi, uint32_t return_pc)
{
    const FuncInfo *fp = &vm->funcs[fi];
#define f (*fp)
    if (vm->depth >= EPY_MAX_CALL_DEPTH)
        epy_raise(vm, ERR_RECURSIONERROR, "maximum recursion depth exceeded (%u calls)",
                  (unsigned)EPY_MAX_CALL_DEPTH);
    uint32_t nslots = f.n_locals + f.max_stack;
    uint32_t off = heap_push_frame(vm, nslots, EPY_FRAME_HEADER_BYTES + EPY_VALUE_SLOT_BYTES * nslots);
    Frame *fr = (Frame *)(void *)(vm->arena + off);
    fr->func = (uint16_t)fi;
    fr->pc = 0;
    fr->depth = 0;
    fr->n_locals = (uint16_t)f.n_locals;
    fr->prev = vm->frame;
    fr->nslots = nslots;
    Value *locals = (Value *)(void *)(fr + 1);
    for (uint32_t i = vm->frame == EPY_NO_FRAME ? 0 : f.n_params; i < nslots; i++)
        locals[i] = mk_unset();
    if (vm->frame != EPY_NO_FRAME) {
        Frame *caller = (Frame *)(void *)(vm->arena + vm->frame);
        vm->sp -= f.n_params;
        memcpy(locals, vm->sp, f.n_params * sizeof(Value));
        caller->pc = (uint16_t)return_pc;
        caller->depth = (uint16_t)(vm->sp - vm->stack);
    }
    vm->frame = off;
    vm->depth++;
    vm->func = fi;
    vm->code = vm->img.base + vm->img.code + f.code_offset;
    vm->locals = locals;
    vm->stack = locals + f.n_locals;
    vm->sp = vm->stack;
    vm->pc = 0;
#undef f
}

/* Leave the current frame: drop its values and memory; returns 0 at the entry frame. */
static int pop_frame(VM *vm)
{
    Frame *fr = (Frame *)(void *)(vm->arena + vm->frame);
    uint32_t n = fr->n_locals + (uint32_t)(vm->sp - vm->stack), prev = fr->prev, nslots = fr->nslots;
    Value *slots = vm->locals;
    for (uint32_t i = 0; i < n; i++) {
        Value v = slots[i];
        slots[i] = mk_unset();
        decref(vm, v);
    }
    heap_pop_frame(vm, nslots, EPY_FRAME_HEADER_BYTES + EPY_VALUE_SLOT_BYTES * nslots);
    vm->depth--;
    vm->frame = prev;
    if (prev == EPY_NO_FRAME)
        return 0;
    Frame *c = (Frame *)(void *)(vm->arena + prev);
    vm->func = c->func;
    vm->code = vm->img.base + vm->img.code + vm->funcs[c->func].code_offset;
    vm->locals = (Value *)(void *)(c + 1);
    vm->stack = vm->locals + c->n_locals;
    vm->sp = vm->stack + c->depth;
    vm->pc = c->pc;
    return 1;
}

/* Normalise slice bounds (PySlice_AdjustIndices); returns the item count. */
static int32_t slice_indices(VM *vm, Value lo, Value hi, Value st, uint32_t len, int32_t *start,
                             int32_t *step)
{
    Value parts[3] = {lo, hi, st};
    for (int i = 0; i < 3; i++)
        if (parts[i].tag != V_NONE && parts[i].tag != V_INT && parts[i].tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "slice indices must be integers or None");
    int64_t s = st.tag == V_NONE ? 1 : as_int(st);
    if (s == 0)
        epy_raise(vm, ERR_VALUEERROR, "slice step cannot be zero");
    int64_t n = len, a, b;
    if (lo.tag == V_NONE) {
        a = s < 0 ? n - 1 : 0;
    } else {
        a = as_int(lo);
        if (a < 0) {
            a += n;
            if (a < 0)
                a = s < 0 ? -1 : 0;
        } else if (a >= n) {
            a = s < 0 ? n - 1 : n;
        }
    }
    if (hi.tag == V_NONE) {
        b = s < 0 ? -1 : n;
    } else {
        b = as_int(hi);
        if (b < 0) {
            b += n;
            if (b < 0)
                b = s < 0 ? -1 : 0;
        } else if (b >= n) {
            b = s < 0 ? n - 1 : n;
        }
    }
    int64_t count = 0;
    if (s < 0) {
        if (b < a)
            count = (a - b - 1) / (-s) + 1;
    } else if (a < b) {
        count = (b - a - 1) / s + 1;
    }
    *start = (int32_t)a;
    *step = (int32_t)s;
    return (int32_t)count;
}

/* An int index into a sequence of n items (list/tuple/str rules). */
static uint32_t seq_index(VM *vm, Value a, Value i, uint32_t n, const char *what_range)
{
    if (i.tag != V_INT && i.tag != V_BOOL)
        epy_raise(vm, ERR_TYPEERROR, "%s indices must be integers or slices, not %s",
                  type_name(a), tname(vm, i));
    int64_t k = as_int(i);
    if (k < 0)
        k += n;
    if (k < 0 || k >= (int64_t)n)
        epy_raise(vm, ERR_INDEXERROR, "%s index out of range", what_range);
    return (uint32_t)k;
}

/* a[i] as a new reference. */
static Value subscr(VM *vm, Value a, Value i)
{
    if (IS_ARRAY(a))
        return array_subscr(vm, a, i);
    if (a.tag == V_LIST || a.tag == V_TUPLE) {
        uint32_t k = seq_index(vm, a, i, seq_len(vm, a), type_name(a));
        Value r = seq_items(vm, a)[k];
        incref(vm, r);
        return r;
    }
    if (is_str(a))
        return str_char_at(vm, a, seq_index(vm, a, i, str_chars(vm, a), "string"));
    epy_raise(vm, ERR_TYPEERROR, "'%s' object is not subscriptable", tname(vm, a));
}

/* a[i] = v. */
static void store_subscr(VM *vm, Value a, Value i, Value v)
{
    if (IS_ARRAY(a)) {
        array_store(vm, a, i, v);
        return;
    }
    if (a.tag == V_LIST) {
        if (i.tag != V_INT && i.tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "list indices must be integers or slices, not %s",
                      tname(vm, i));
        int64_t k = as_int(i), n = seq_len(vm, a);
        if (k < 0)
            k += n;
        if (k < 0 || k >= n)
            epy_raise(vm, ERR_INDEXERROR, "list assignment index out of range");
        Value *slot = &seq_items(vm, a)[k];
        Value old = *slot;
        incref(vm, v);
        *slot = v;
        decref(vm, old);
        return;
    }
    epy_raise(vm, ERR_TYPEERROR, "'%s' object does not support item assignment", tname(vm, a));
}

/* a[lo:hi:step] as a new reference. */
static Value slice(VM *vm, Value a, Value lo, Value hi, Value st)
{
    int32_t start, step, count;
    if (a.tag == V_LIST || a.tag == V_TUPLE) {
        count = slice_indices(vm, lo, hi, st, seq_len(vm, a), &start, &step);
        return seq_slice(vm, a, start, count, step);
    }
    if (is_str(a)) {
        uint32_t n = str_chars(vm, a);
        count = slice_indices(vm, lo, hi, st, n, &start, &step);
        return str_slice(vm, a, start, count, step, n);
    }
    if (IS_ARRAY(a)) {
        count = slice_indices(vm, lo, hi, st, array_len(vm, a), &start, &step);
        Value r = seq_new(vm, V_LIST, (uint32_t)count);
        troot_push(vm, &r);
        troot_push(vm, &a);
        for (int32_t k = 0; k < count; k++) {
            Value item = array_item(vm, a, (uint32_t)(start + k * step));
            seq_items(vm, r)[k] = item;
        }
        troot_pop(vm, 2);
        return r;
    }
    slice_indices(vm, lo, hi, st, 0, &start, &step);
    epy_raise(vm, ERR_TYPEERROR, "'%s' object is not subscriptable", tname(vm, a));
}

/* UNPACK_SEQUENCE: push s[n-1] .. s[0]; s is owned by the caller's local. */
static void unpack(VM *vm, Value s, uint32_t n)
{
    if (!(IS_ARRAY(s) || s.tag == V_TUPLE || s.tag == V_LIST || is_str(s)))
        epy_raise(vm, ERR_TYPEERROR, "cannot unpack non-iterable %s object", tname(vm, s));
    uint32_t len = generic_len(vm, s);
    if (len > n)
        epy_raise(vm, ERR_VALUEERROR, "too many values to unpack (expected %u)", (unsigned)n);
    if (len < n)
        epy_raise(vm, ERR_VALUEERROR, "not enough values to unpack (expected %u, got %u)",
                  (unsigned)n, (unsigned)len);
    troot_push(vm, &s);
    for (uint32_t i = n; i-- > 0;) {
        Value item = generic_item(vm, s, i);
        *vm->sp++ = item;
    }
    troot_pop(vm, 1);
}

/* BUILD_STRING of the top n values. */
static Value build_string(VM *vm, uint32_t n)
{
    Value *parts = vm->sp - n;
    uint32_t total = 0, len;
    for (uint32_t i = 0; i < n; i++) {
        if (!is_str(parts[i]))
            epy_raise(vm, ERR_TYPEERROR, "can only join str parts, not %s", tname(vm, parts[i]));
        str_data(vm, parts[i], &len);
        total += len;
    }
    if (n == 1) {
        incref(vm, parts[0]);
        return parts[0];
    }
    Value r = str_new(vm, total);
    parts = vm->sp - n;
    uint8_t *d = str_bytes(vm, r);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = str_data(vm, parts[i], &len);
        memcpy(d, p, len);
        d += len;
    }
    return r;
}

/* COMPARE_* on two values. */
static int compare(VM *vm, int op, Value a, Value b)
{
    switch (op) {
    case OP_COMPARE_EQ: return values_eq(vm, a, b);
    case OP_COMPARE_NE: return !values_eq(vm, a, b);
    case OP_COMPARE_IN: return contains(vm, b, a);
    case OP_COMPARE_NOT_IN: return !contains(vm, b, a);
    case OP_COMPARE_IS: return a.tag == b.tag && a.u == b.u;
    case OP_COMPARE_IS_NOT: return !(a.tag == b.tag && a.u == b.u);
    default: return compare_order(vm, op, a, b);
    }
}

#if EPY_COMPUTED_GOTO
#define vmdispatch(o) goto *dispatch[o];
#define vmcase(l) L_##l:
#define vmbreak continue
#else
#define vmdispatch(o) switch (o)
#define vmcase(l) case l:
#define vmbreak break
#endif

#define ARG8 (ip[1])
#define ARG16 ((uint32_t)rd16(ip + 1))
#define POP() (*--vm->sp)
#define PUSH(v) (*vm->sp++ = (v))
#define TOP (vm->sp[-1])

/* Poll the host (heartbeat, abandon) now and then. */
static void tick(VM *vm)
{
    if (vm->instructions >= vm->poll_at) {
        vm->poll_at = vm->instructions + EPY_POLL_INTERVAL;
        epy_heartbeat(vm);
    }
}

/* Take a conditional branch: a backward one polls like a backward JUMP, so that no loop of a
 * verified image (the verifier allows any branch to any instruction) runs without polling. */
#define BRANCH(to) do { uint32_t to_ = (to); if (to_ <= vm->pc) tick(vm); vm->pc = to_; } while (0)

/* Run the entry function; the argument block (u8 count + marshalled values) is decoded into
 * its frame.  Returns the result reference. */
EPY_COLD Value interp_run_block(VM *vm, const uint8_t *args, uint32_t args_len)
{
    uint32_t entry = vm->img.entry;
    FuncInfo f;
    func_info(&vm->img, entry, &f);
    vm->func = entry;
    /* errors before the first instruction report the line of the last one (as esim does) */
    {
        const uint8_t *code = vm->img.base + vm->img.code + f.code_offset;
        static const uint8_t lens[OP__COUNT] = EPY_OP_LENGTHS;
        uint32_t pc = 0, last = 0;
        while (pc < f.code_len) {
            last = pc;
            pc += lens[code[pc]];
        }
        vm->pc = last;
    }
    if (args_len < 1)
        epy_raise(vm, ERR_BADARGUMENT, "empty argument block");
    uint32_t nargs = args[0];
    if (nargs != f.n_params) {
        char name[64];
        vm->no_line = 1;
        epy_raise(vm, ERR_TYPEERROR, "%s() takes %u arguments but %u were given",
                  func_name(vm, entry, name, sizeof name), (unsigned)f.n_params, (unsigned)nargs);
    }
    uint32_t keep_pc = vm->pc;
    push_frame(vm, entry, 0);
    vm->pc = keep_pc;
    uint32_t pos = 1;
    for (uint32_t i = 0; i < nargs; i++) {
        uint32_t used = marshal_decode(vm, args + pos, args_len - pos, &vm->locals[i]);
        if (!used)
            epy_raise(vm, ERR_BADARGUMENT, "argument %u could not be decoded", (unsigned)i);
        pos += used;
    }
    if (pos != args_len)
        epy_raise(vm, ERR_BADARGUMENT, "%u trailing bytes after the arguments",
                  (unsigned)(args_len - pos));
    vm->pc = 0;
    return interp_run(vm, NULL, 0);
}

/* The dispatch loop over the current frame (see vm.h). */
Value interp_run(VM *vm, Value *unused_args, uint32_t unused_n)
{
    (void)unused_args;
    (void)unused_n;
#if EPY_COMPUTED_GOTO
    static const void *const dispatch[OP__COUNT] = {
        &&L_OP_NOP, &&L_OP_POP_TOP, &&L_OP_DUP_TOP, &&L_OP_DUP_TOP_TWO, &&L_OP_ROT_TWO,
        &&L_OP_ROT_THREE, &&L_OP_LOAD_CONST, &&L_OP_LOAD_NONE, &&L_OP_LOAD_TRUE,
        &&L_OP_LOAD_FALSE, &&L_OP_LOAD_INT, &&L_OP_LOAD_LOCAL, &&L_OP_STORE_LOCAL,
        &&L_OP_LOAD_GLOBAL, &&L_OP_STORE_GLOBAL, &&L_OP_UNARY_NEG, &&L_OP_UNARY_POS,
        &&L_OP_UNARY_NOT, &&L_OP_UNARY_INVERT, &&L_OP_BINARY_ADD, &&L_OP_BINARY_SUB,
        &&L_OP_BINARY_MUL, &&L_OP_BINARY_TRUEDIV, &&L_OP_BINARY_FLOORDIV, &&L_OP_BINARY_MOD,
        &&L_OP_BINARY_POW, &&L_OP_BINARY_LSHIFT, &&L_OP_BINARY_RSHIFT, &&L_OP_BINARY_AND,
        &&L_OP_BINARY_OR, &&L_OP_BINARY_XOR, &&L_OP_COMPARE_EQ, &&L_OP_COMPARE_NE,
        &&L_OP_COMPARE_LT, &&L_OP_COMPARE_LE, &&L_OP_COMPARE_GT, &&L_OP_COMPARE_GE,
        &&L_OP_COMPARE_IN, &&L_OP_COMPARE_NOT_IN, &&L_OP_COMPARE_IS, &&L_OP_COMPARE_IS_NOT,
        &&L_OP_JUMP, &&L_OP_POP_JUMP_IF_FALSE, &&L_OP_POP_JUMP_IF_TRUE,
        &&L_OP_JUMP_IF_FALSE_OR_POP, &&L_OP_JUMP_IF_TRUE_OR_POP, &&L_OP_GET_ITER,
        &&L_OP_FOR_ITER, &&L_OP_BUILD_TUPLE, &&L_OP_BUILD_LIST, &&L_OP_UNPACK_SEQUENCE,
        &&L_OP_BINARY_SUBSCR, &&L_OP_STORE_SUBSCR, &&L_OP_SLICE_SUBSCR, &&L_OP_CALL,
        &&L_OP_CALL_BUILTIN, &&L_OP_RETURN_VALUE, &&L_OP_RAISE, &&L_OP_FORMAT_VALUE,
        &&L_OP_BUILD_STRING, &&L_OP_LOAD_ATTR};
#endif
    static const uint8_t lens[OP__COUNT] = EPY_OP_LENGTHS;
    for (;;) {
        const uint8_t *ip = vm->code + vm->pc;
        uint32_t op = ip[0];
        uint32_t next = vm->pc + lens[op];
        vm->instructions++;
        vmdispatch(op) {
        vmcase(OP_NOP) {
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_POP_TOP) {
            Value v = POP();
            decref(vm, v);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_DUP_TOP) {
            Value v = TOP;
            incref(vm, v);
            PUSH(v);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_DUP_TOP_TWO) {
            Value a = vm->sp[-2], b = vm->sp[-1];
            incref(vm, a);
            incref(vm, b);
            PUSH(a);
            PUSH(b);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_ROT_TWO) {
            Value t = vm->sp[-1];
            vm->sp[-1] = vm->sp[-2];
            vm->sp[-2] = t;
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_ROT_THREE) {
            Value t = vm->sp[-1];
            vm->sp[-1] = vm->sp[-2];
            vm->sp[-2] = vm->sp[-3];
            vm->sp[-3] = t;
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_CONST) {
            PUSH(vm->consts[ARG16]);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_NONE) {
            PUSH(mk_none());
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_TRUE) {
            PUSH(mk_bool(1));
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_FALSE) {
            PUSH(mk_bool(0));
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_INT) {
            PUSH(mk_int((int16_t)ARG16));
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_LOCAL) {
            Value v = vm->locals[ARG8];
            if (v.tag == V_UNSET) {
                char name[64];
                epy_raise(vm, ERR_UNBOUNDLOCALERROR,
                          "local variable #%u referenced before assignment in %s()",
                          (unsigned)ARG8, func_name(vm, vm->func, name, sizeof name));
            }
            incref(vm, v);
            PUSH(v);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_STORE_LOCAL) {
            Value old = vm->locals[ARG8];
            vm->locals[ARG8] = POP();
            decref(vm, old);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_GLOBAL) {
            Value v = vm->globals[ARG16];
            if (v.tag == V_UNSET) {
                uint32_t n;
                const uint8_t *p = str_data(vm, vm->consts[rd16(vm->img.base + vm->img.globals +
                                                                4 * ARG16)], &n);
                epy_raise(vm, ERR_NAMEERROR, "name '%.*s' is not defined", (int)(n > 100 ? 100 : n),
                          (const char *)p);
            }
            incref(vm, v);
            PUSH(v);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_STORE_GLOBAL) {
            Value old = vm->globals[ARG16];
            vm->globals[ARG16] = POP();
            decref(vm, old);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_UNARY_NEG)
        vmcase(OP_UNARY_POS)
        vmcase(OP_UNARY_NOT)
        vmcase(OP_UNARY_INVERT) {
            Value r = unary_op(vm, (int)op, TOP);
            Value old = TOP;
            TOP = r;
            decref(vm, old);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_BINARY_ADD)
        vmcase(OP_BINARY_SUB)
        vmcase(OP_BINARY_MUL)
        vmcase(OP_BINARY_TRUEDIV)
        vmcase(OP_BINARY_FLOORDIV)
        vmcase(OP_BINARY_MOD)
        vmcase(OP_BINARY_POW)
        vmcase(OP_BINARY_LSHIFT)
        vmcase(OP_BINARY_RSHIFT)
        vmcase(OP_BINARY_AND)
        vmcase(OP_BINARY_OR)
        vmcase(OP_BINARY_XOR) {
            Value a = vm->sp[-2], b = vm->sp[-1], r;
            if (a.tag == V_INT && b.tag == V_INT && op <= OP_BINARY_SUB) {
                int64_t s = op == OP_BINARY_ADD ? (int64_t)as_int(a) + as_int(b)
                                                : (int64_t)as_int(a) - as_int(b);
                if (s < INT32_MIN || s > INT32_MAX)
                    int_overflow(vm, s);
                r = mk_int((int32_t)s);
            } else {
                r = binary_op(vm, (int)op, a, b);
            }
            a = vm->sp[-2];
            b = vm->sp[-1];
            vm->sp -= 1;
            TOP = r;
            decref(vm, b);
            decref(vm, a);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_COMPARE_EQ)
        vmcase(OP_COMPARE_NE)
        vmcase(OP_COMPARE_LT)
        vmcase(OP_COMPARE_LE)
        vmcase(OP_COMPARE_GT)
        vmcase(OP_COMPARE_GE)
        vmcase(OP_COMPARE_IN)
        vmcase(OP_COMPARE_NOT_IN)
        vmcase(OP_COMPARE_IS)
        vmcase(OP_COMPARE_IS_NOT) {
            Value a = vm->sp[-2], b = vm->sp[-1];
            int r;
            if (a.tag == V_INT && b.tag == V_INT && op <= OP_COMPARE_GE) {
                int32_t x = as_int(a), y = as_int(b);
                r = op == OP_COMPARE_EQ ? x == y : op == OP_COMPARE_NE ? x != y :
                    op == OP_COMPARE_LT ? x < y : op == OP_COMPARE_LE ? x <= y :
                    op == OP_COMPARE_GT ? x > y : x >= y;
            } else {
                r = compare(vm, (int)op, a, b);
            }
            vm->sp -= 1;
            TOP = mk_bool(r);
            decref(vm, b);
            decref(vm, a);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_JUMP) {
            uint32_t to = ARG16;
            if (to <= vm->pc)
                tick(vm);
            vm->pc = to;
            vmbreak;
        }
        vmcase(OP_POP_JUMP_IF_FALSE)
        vmcase(OP_POP_JUMP_IF_TRUE) {
            Value v = TOP;
            int t = v.tag == V_BOOL ? (int)v.u : truth(vm, v);
            vm->sp--;
            decref(vm, v);
            if (t == (op == OP_POP_JUMP_IF_TRUE))
                BRANCH(ARG16);
            else
                vm->pc = next;
            vmbreak;
        }
        vmcase(OP_JUMP_IF_FALSE_OR_POP)
        vmcase(OP_JUMP_IF_TRUE_OR_POP) {
            int t = truth(vm, TOP);
            if (t == (op == OP_JUMP_IF_TRUE_OR_POP)) {
                BRANCH(ARG16);
            } else {
                Value v = POP();
                decref(vm, v);
                vm->pc = next;
            }
            vmbreak;
        }
        vmcase(OP_GET_ITER) {
            if (TOP.tag != V_ITER) {
                Value r = iter_new(vm, TOP);
                Value old = TOP;
                TOP = r;
                decref(vm, old);
            }
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_FOR_ITER) {
            Value v;
            if (TOP.tag != V_ITER)
                epy_raise(vm, ERR_RUNTIMEERROR, "internal error: FOR_ITER on a %s (at FOR_ITER)",
                          tname(vm, TOP));
            if (iter_next(vm, &vm->sp[-1], &v)) {
                PUSH(v);
                vm->pc = next;
            } else {
                Value it = POP();
                decref(vm, it);
                BRANCH(ARG16);
            }
            vmbreak;
        }
        vmcase(OP_BUILD_TUPLE)
        vmcase(OP_BUILD_LIST) {
            uint32_t n = ARG8;
            Value r = seq_new(vm, op == OP_BUILD_TUPLE ? V_TUPLE : V_LIST, n);
            vm->sp -= n;
            memcpy(seq_items(vm, r), vm->sp, n * sizeof(Value));
            PUSH(r);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_UNPACK_SEQUENCE) {
            Value s = POP();
            unpack(vm, s, ARG8);
            decref(vm, s);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_BINARY_SUBSCR) {
            Value r = subscr(vm, vm->sp[-2], vm->sp[-1]);
            Value a = vm->sp[-2], i = vm->sp[-1];
            vm->sp -= 1;
            TOP = r;
            decref(vm, i);
            decref(vm, a);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_STORE_SUBSCR) {
            store_subscr(vm, vm->sp[-2], vm->sp[-1], vm->sp[-3]);
            for (int k = 0; k < 3; k++) {
                Value v = POP();
                decref(vm, v);
            }
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_SLICE_SUBSCR) {
            Value r = slice(vm, vm->sp[-4], vm->sp[-3], vm->sp[-2], vm->sp[-1]);
            for (int k = 0; k < 4; k++) {
                Value v = POP();
                decref(vm, v);
            }
            PUSH(r);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_CALL) {
            tick(vm);
            push_frame(vm, ARG16, next);
            vmbreak;
        }
        vmcase(OP_CALL_BUILTIN) {
            uint32_t id = ip[1], n = ip[2];
            Value r = call_builtin(vm, id, vm->sp - n, n);
            for (uint32_t k = 0; k < n; k++) {
                Value v = POP();
                decref(vm, v);
            }
            PUSH(r);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_RETURN_VALUE) {
            Value v = POP();
            if (!pop_frame(vm))
                return v;
            PUSH(v);
            vmbreak;
        }
        vmcase(OP_RAISE) {
            Value msg = TOP;
            char text[EPY_MSG_BYTES];
            Sink s = {vm, text, 0, 0, 0, 0, 0, sizeof text - 1};
            if (msg.tag != V_NONE)
                write_str(vm, &s, msg);
            text[s.len] = 0;
            epy_raise(vm, ARG8, "%s", text);
        }
        vmcase(OP_FORMAT_VALUE) {
            Value spec = vm->sp[-1];
            if (!is_str(spec))
                epy_raise(vm, ERR_TYPEERROR, "format spec must be a str, not %s", tname(vm, spec));
            Value r = value_format(vm, vm->sp[-2], spec, ARG8);
            Value a = vm->sp[-2];
            spec = vm->sp[-1];
            vm->sp -= 1;
            TOP = r;
            decref(vm, spec);
            decref(vm, a);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_BUILD_STRING) {
            uint32_t n = ARG8;
            Value r = build_string(vm, n);
            for (uint32_t k = 0; k < n; k++) {
                Value v = POP();
                decref(vm, v);
            }
            PUSH(r);
            vm->pc = next;
            vmbreak;
        }
        vmcase(OP_LOAD_ATTR) {
            Value a = TOP;
            if (!IS_ARRAY(a))
                epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'shape'",
                          tname(vm, a));
            ArrayRef ar;
            array_ref(vm, a, &ar);
            Value dims[2] = {mk_int((int32_t)ar.shape0), mk_int((int32_t)ar.shape1)};
            Value r = seq_from(vm, V_TUPLE, dims, ar.ndim);
            a = TOP;
            TOP = r;
            decref(vm, a);
            vm->pc = next;
            vmbreak;
        }
#if !EPY_COMPUTED_GOTO
        default:
            epy_raise(vm, ERR_RUNTIMEERROR, "internal error: unknown opcode %u", (unsigned)op);
#endif
        }
    }
}
