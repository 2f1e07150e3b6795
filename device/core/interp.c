/* interp.c: the dispatch loop (Lua style: vmcase/vmbreak over a switch, computed goto behind
 * EPY_COMPUTED_GOTO), calls and returns, errors with their function and line. */
#include <stdarg.h>

#include "dispatch.h"
#include "fmath.h"
#include "platform.h"
#include "text.h"
#include "vm.h"

/* Record an error and unwind to the launch's handler. */
EPY_COLD void epy_raise(VM *vm, uint32_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    epy_vsnprintf(vm->err_msg, sizeof vm->err_msg, fmt, ap);
    va_end(ap);
    epy_raise_written(vm, code);
}

/* Raise with the message already written into vm->err_msg. */
EPY_COLD void epy_raise_written(VM *vm, uint32_t code)
{
    vm->err_code = code;
    vm->err_func = vm->func;
    vm->err_line = (vm->no_line & 1) ? 0 : line_of(&vm->img, vm->func, vm->pc);
    EPY_LONGJMP(*vm->on_error);
}

/* Type name of an iterator object (CPython's iterator classes). */
static const char *iter_type_name(VM *vm, Value it);

/* CPython's type name of a value. */
EPY_COLD const char *epy_type_name(VM *vm, Value v)
{
    if (v.tag == V_ITER)
        return iter_type_name(vm, v);
    if (v.tag == V_EXC) {
        static const char *const classes[] = EPY_EXC_NAMES;
        return classes[exc_code(vm, v)];
    }
    static const char *const names[] = {"NoneType", "NoneType", "bool", "int", "float", "str",
                                        "numpy.ndarray", "numpy.ndarray", "str", "tuple", "list",
                                        "dict", "range",
                                        "iterator", "numpy.ndarray", "exception",
                                        "numpy.ndarray"};
    if (v.tag == V_DVIEW)
        return dict_view_name(obj(vm, v.u)->len);
    if (v.tag == V_SET)
        return "set";
    return v.tag <= V_ROW ? names[v.tag] : "object";
}

/* Type name of an iterator object (CPython's iterator classes). */
EPY_COLD static const char *iter_type_name(VM *vm, Value it)
{
    IterObj *o = (IterObj *)(void *)obj(vm, it.u);
    if (o->h.len == IT_ENUM)
        return "enumerate";
    if (o->h.len == IT_ZIP)
        return "zip";
    switch (o->src.tag) {
    case V_DICT: return "dict_keyiterator";
    case V_SET: return "set_iterator";
    case V_DVIEW: {
        static const char *const names[] = {"dict_keyiterator", "dict_valueiterator",
                                            "dict_itemiterator"};
        return names[obj(vm, o->src.u)->len % 3u];
    }
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

/* RecursionError at the call depth limit. */
EPY_COLD EPY_NORETURN static void too_deep(VM *vm)
{
    epy_raise(vm, ERR_RECURSIONERROR, "maximum recursion depth exceeded (%u calls)",
              (unsigned)EPY_MAX_CALL_DEPTH);
}

/* Enter function fi; its n_params arguments are the top of the current stack (vm->sp).
 * Inlined in its two callers: the CALL handler and the (cold) launch. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void push_frame(VM *vm, uint32_t fi, uint32_t return_pc)
{
    const FuncInfo *f = &vm->funcs[fi];
    if (vm->depth >= EPY_MAX_CALL_DEPTH)
        too_deep(vm);
    uint32_t n_locals = f->n_locals, n_params = f->n_params, nslots = n_locals + f->max_stack;
    uint32_t off = heap_push_frame(vm, nslots, EPY_FRAME_HEADER_BYTES + EPY_VALUE_SLOT_BYTES * nslots);
    Frame *fr = (Frame *)(void *)(vm->arena + off);
    fr->func = (uint16_t)fi;
    fr->pc = 0;
    fr->depth = 0;
    fr->n_locals = (uint16_t)n_locals;
    fr->prev = vm->frame;
    fr->nslots = nslots;
    Value *locals = (Value *)(void *)(fr + 1);
    uint32_t i = 0;
    if (vm->frame != EPY_NO_FRAME) {
        Frame *caller = (Frame *)(void *)(vm->arena + vm->frame);
        Value *args = vm->sp -= n_params;
        for (; i < n_params; i++)
            locals[i] = args[i];
        caller->pc = (uint16_t)return_pc;
        caller->depth = (uint16_t)(vm->sp - vm->stack);
    }
    /* the stack slots are written before they are read (only values below sp are roots) */
    for (; i < n_locals; i++)
        locals[i] = mk_unset();
    vm->frame = off;
    vm->depth++;
    vm->func = fi;
    vm->code = vm->img.base + vm->img.code + f->code_offset;
    vm->locals = locals;
    vm->stack = locals + n_locals;
    vm->sp = vm->stack;
    vm->pc = 0;
}

/* Leave the current frame: drop its values and memory; returns 0 at the entry frame. */
EPY_INLINE int pop_frame(VM *vm)
{
    Frame *fr = (Frame *)(void *)(vm->arena + vm->frame);
    uint32_t n = fr->n_locals + (uint32_t)(vm->sp - vm->stack), prev = fr->prev, nslots = fr->nslots;
    Value *slots = vm->locals;
    for (uint32_t i = 0; i < n; i++)
        decref(vm, slots[i]);
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
EPY_COLD static int32_t slice_indices(VM *vm, Value lo, Value hi, Value st, uint32_t len, int32_t *start,
                             int32_t *step, int32_t *stop)
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
    if (stop)
        *stop = (int32_t)b;
    return (int32_t)count;
}

/* An int index into a sequence of n items (list/tuple/str rules). */
EPY_COLD static uint32_t seq_index(VM *vm, Value a, Value i, uint32_t n, const char *what_range)
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
EPY_COLD static Value subscr(VM *vm, Value a, Value i)
{
    if (IS_ARRAY(a))
        return array_subscr(vm, a, i);
    if (a.tag == V_LIST || a.tag == V_TUPLE) {
        uint32_t k = seq_index(vm, a, i, seq_len(vm, a), a.tag == V_LIST ? "list" : "tuple");
        Value r = seq_items(vm, a)[k];
        incref(vm, r);
        return r;
    }
    if (is_str(a))
        return str_char_at(vm, a, seq_index(vm, a, i, str_chars(vm, a), "string"));
    if (a.tag == V_RANGE) {
        RangeObj *r = (RangeObj *)(void *)obj(vm, a.u);
        return mk_int(range_item(r, seq_index(vm, a, i, r->len, "range object")));
    }
    if (a.tag == V_DICT)
        return dict_subscr(vm, a, i);
    epy_raise(vm, ERR_TYPEERROR, "'%s' object is not subscriptable", tname(vm, a));
}

/* a[i] = v. */
EPY_COLD static void store_subscr(VM *vm, Value a, Value i, Value v)
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
    if (a.tag == V_DICT) { /* a, i and v are in VM stack slots (roots) */
        troot_push(vm, &a);
        dict_store(vm, &a, i, v);
        troot_pop(vm, 1);
        return;
    }
    epy_raise(vm, ERR_TYPEERROR, "'%s' object does not support item assignment", tname(vm, a));
}

/* a[lo:hi:step] as a new reference. */
EPY_COLD static Value slice(VM *vm, Value a, Value lo, Value hi, Value st)
{
    int32_t start, step, count;
    if (a.tag == V_LIST || a.tag == V_TUPLE) {
        count = slice_indices(vm, lo, hi, st, seq_len(vm, a), &start, &step, 0);
        return seq_slice(vm, a, start, count, step);
    }
    if (is_str(a)) {
        uint32_t n = str_chars(vm, a);
        count = slice_indices(vm, lo, hi, st, n, &start, &step, 0);
        return str_slice(vm, a, start, count, step, n);
    }
    if (a.tag == V_RANGE) { /* a range, as CPython computes it from slice.indices() */
        int32_t stop;
        RangeObj *r = (RangeObj *)(void *)obj(vm, a.u);
        slice_indices(vm, lo, hi, st, r->len, &start, &step, &stop);
        return range_slice(vm, a, start, stop, step);
    }
    if (IS_ARRAY(a)) {
        count = slice_indices(vm, lo, hi, st, array_len(vm, a), &start, &step, 0);
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
    slice_indices(vm, lo, hi, st, 0, &start, &step, 0);
    epy_raise(vm, ERR_TYPEERROR, "'%s' object is not subscriptable", tname(vm, a));
}

/* UNPACK_SEQUENCE: push s[n-1] .. s[0]; s is owned by the caller's local. */
EPY_COLD static void unpack(VM *vm, Value s, uint32_t n)
{
    if (!(IS_ARRAY(s) || s.tag == V_TUPLE || s.tag == V_LIST || s.tag == V_RANGE || is_str(s) ||
          s.tag == V_DICT || s.tag >= V_DVIEW))
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
EPY_COLD static Value build_string(VM *vm, uint32_t n)
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
EPY_COLD static int compare(VM *vm, int op, Value a, Value b)
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

/* UnboundLocalError for local slot k of the current function. */
EPY_COLD EPY_NORETURN static void unbound_local(VM *vm, uint32_t k)
{
    char name[64];
    epy_raise(vm, ERR_UNBOUNDLOCALERROR, "local variable #%u referenced before assignment in %s()",
              (unsigned)k, func_name(vm, vm->func, name, sizeof name));
}

/* NameError for global slot k. */
EPY_COLD EPY_NORETURN static void unbound_global(VM *vm, uint32_t k)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, vm->consts[rd16(vm->img.base + vm->img.globals + 4 * k)], &n);
    epy_raise(vm, ERR_NAMEERROR, "name '%.*s' is not defined", (int)(n > 100 ? 100 : n),
              (const char *)p);
}

/* ---- exceptions (docs/bytecode.md, "Exceptions") ---- */
EPY_COLD Value exc_new(VM *vm, uint32_t code, uint32_t n)
{
    uint32_t off = heap_alloc(vm, V_TUPLE, EPY_EXC_BYTES(n), (uint16_t)(n + EXC_INFO_SLOTS), 0);
    Value e = mk_obj(V_EXC, off), *args = exc_args(vm, e);
    vm->sp -= n;
    for (uint32_t i = 0; i < n; i++)
        args[i] = vm->sp[i];
    args[n] = mk_int((int32_t)code);
    args[n + 1] = mk_int(0);
    return e;
}

/* Whether exception class `code` is `cls` or derives from it. */
EPY_COLD static int exc_is_subclass(uint32_t code, uint32_t cls)
{
    static const uint8_t parents[] = EPY_EXC_PARENTS;
    for (;;) {
        if (code == cls)
            return 1;
        if (parents[code] == code)
            return 0;
        code = parents[code];
    }
}

/* Record where e is first raised (a later raise keeps it, for the host's report). */
EPY_COLD static void exc_mark_raised(VM *vm, Value e, uint32_t func, uint32_t line)
{
    Value *info = exc_args(vm, e) + exc_len(vm, e);
    if (info[0].u & 0x100u)
        return;
    info[0].u |= 0x100u;
    info[1].u = (func & 0xFFFFu) | (line << 16);
}

/* RAISE_VALUE: raise the exception object e (the stack's top, which keeps it for a handler). */
EPY_COLD EPY_NORETURN static void raise_value(VM *vm, Value e)
{
    if (e.tag != V_EXC)
        epy_raise(vm, ERR_TYPEERROR, "exceptions must derive from BaseException");
    exc_mark_raised(vm, e, vm->func, line_of(&vm->img, vm->func, vm->pc));
    Sink s = {vm, vm->err_msg, 0, 0, 0, 0, 0, EPY_MSG_BYTES - 1};
    write_str(vm, &s, e);
    Value *info = exc_args(vm, e) + exc_len(vm, e);
    vm->err_msg[s.len] = 0;
    vm->err_code = info[0].u & 0xFFu;
    vm->err_func = info[1].u & 0xFFFFu;
    vm->err_line = info[1].u >> 16;
    vm->no_line |= EPY_EXC_ON_STACK;
    EPY_LONGJMP(*vm->on_error);
}

/* The handler of an exception raised by the instruction at pc of function fi: its entry in
 * the exception table, or NULL. */
EPY_COLD static const uint8_t *find_handler(VM *vm, uint32_t fi, uint32_t pc)
{
    uint32_t n = img_n_handlers(&vm->img);
    const uint8_t *h = vm->img.base + img_handlers(&vm->img);
    for (uint32_t i = 0; i < n; i++, h += EPY_HANDLER_ENTRY_SIZE)
        if (rd16(h) == fi && rd16(h + 2) <= pc && pc < rd16(h + 4))
            return h;
    return NULL;
}

EPY_COLD int epy_catch(VM *vm)
{
    uint32_t code = vm->err_code, how = vm->no_line;
    if (code == 0 || code > EPY_RAISABLE_MAX || (how & EPY_NO_CATCH) || vm->depth == 0 ||
        vm->img.n_funcs == 0 || !img_n_handlers(&vm->img))
        return 0;
    /* this frame's handler, else a caller's at its CALL */
    uint32_t levels = 0, f = vm->frame, fi = vm->func, pc = vm->pc;
    const uint8_t *h;
    while (!(h = find_handler(vm, fi, pc))) {
        Frame *fr = (Frame *)(void *)(vm->arena + f);
        if (fr->prev == EPY_NO_FRAME)
            return 0;
        f = fr->prev;
        Frame *caller = (Frame *)(void *)(vm->arena + f);
        fi = caller->func;
        pc = caller->pc - 3u; /* the CALL (opcode and u16) */
        levels++;
    }
    Value held = mk_none();
    if (how & (EPY_EXC_ON_STACK | EPY_MSG_ON_STACK))
        held = *--vm->sp; /* its reference moves here */
    vm->ntroots = 0;
    troot_push(vm, &held);
    while (levels--)
        pop_frame(vm);
    vm->pc = pc;
    Value *keep = vm->stack + rd16(h + 8);
    while (vm->sp > keep)
        decref(vm, *--vm->sp);
    vm->no_line = EPY_NO_CATCH;
    Value e = held;
    if (!(how & EPY_EXC_ON_STACK)) { /* RAISE's message, or an error of the VM: made now */
        uint32_t n = 0;
        if (how & EPY_MSG_ON_STACK) {
            if (held.tag != V_NONE) {
                *vm->sp++ = held;
                n = 1;
            }
        } else if (code == ERR_KEYERROR && vm->err_value.tag != V_UNSET) { /* the key */
            *vm->sp++ = vm->err_value; /* its reference moves to the stack */
            vm->err_value.tag = V_UNSET;
            n = 1;
        } else if (vm->err_msg[0] && code != ERR_MEMORYERROR) { /* MemoryError: no args */
            *vm->sp++ = str_from(vm, vm->err_msg, (uint32_t)strlen(vm->err_msg));
            n = 1;
        }
        troot_pop(vm, 1);
        e = exc_new(vm, code, n);
        exc_mark_raised(vm, e, vm->err_func, vm->err_line);
    } else {
        troot_pop(vm, 1);
    }
    *vm->sp++ = e;
    vm->pc = rd16(h + 6);
    vm->err_code = 0;
    vm->err_msg[0] = 0;
    vm->no_line = 0;
    return 1;
}

/* RAISE: the error class `code` with str(msg) (msg None: no message). */
EPY_COLD EPY_NORETURN static void raise_op(VM *vm, Value msg, uint32_t code)
{
    char text[EPY_MSG_BYTES];
    Sink s = {vm, text, 0, 0, 0, 0, 0, sizeof text - 1};
    if (msg.tag != V_NONE)
        write_str(vm, &s, msg);
    text[s.len] = 0;
    if (img_n_handlers(&vm->img)) { /* a handler receives the message value itself */
        vm->err_code = code;
        vm->err_func = vm->func;
        vm->err_line = line_of(&vm->img, vm->func, vm->pc);
        memcpy(vm->err_msg, text, s.len + 1);
        vm->no_line |= EPY_MSG_ON_STACK;
        EPY_LONGJMP(*vm->on_error);
    }
    epy_raise(vm, code, "%s", text);
}

/* Internal errors the verifier rules out. */
EPY_COLD EPY_NORETURN static void internal_error(VM *vm, const char *what, Value v)
{
    if (what)
        epy_raise(vm, ERR_RUNTIMEERROR, "internal error: FOR_ITER on a %s (at FOR_ITER)",
                  tname(vm, v));
    epy_raise(vm, ERR_RUNTIMEERROR, "internal error: unknown opcode %u", (unsigned)v.u);
}

#if defined(__GNUC__)
#define EPY_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define EPY_UNLIKELY(x) (x)
#endif

#if EPY_COMPUTED_GOTO
#define vmdispatch(o) goto *dispatch[o];
#define vmcase(l) L_##l:
#define vmbreak do { icount++; op = *ip; goto *dispatch[op]; } while (0)
#else
#define vmdispatch(o) switch ((enum epy_opcode)(o))
#define vmcase(l) case l:
#define vmbreak goto next_instruction
#endif

#define ARG8 (ip[1])
#define ARG16 ((uint32_t)rd16(ip + 1))
#define PC ((uint32_t)(ip - code))
/* Step past the current instruction (the opcode's length from the table). */
#define NEXT(o) do { ip += lens[o]; vmbreak; } while (0)
/* Publish/take back the dispatch loop's registers (see interp_run). */
#define SAVE() (vm->pc = PC, vm->sp = sp, vm->instructions = icount)
#define RELOAD() (code = vm->code, ip = code + vm->pc, sp = vm->sp, locals = vm->locals)
/* Go to `to` from the instruction at `from`: a backward branch polls (heartbeat, stop flag)
 * every EPY_POLL_INTERVAL instructions, whatever the branch: the verifier allows a loop
 * through any jump, and fuzzing found images that spin through conditional ones. */
#define BRANCH_TO(to, from) do { \
        uint32_t to_ = (to); \
        if (to_ <= (from) && icount >= vm->poll_at) { \
            SAVE(); \
            vm->poll_at = icount + EPY_POLL_INTERVAL; \
            epy_heartbeat(vm); \
        } \
        ip = code + to_; \
    } while (0)
#define INCREF(v) do { if (IS_HEAP(v)) obj(vm, (v).u)->rc++; } while (0)
/* The inline drop of the hottest handlers (others call decref: smaller). */
#define DECREF(v) do { Value d_ = (v); if (IS_HEAP(d_) && --obj(vm, d_.u)->rc == 0) \
                           heap_release(vm, d_.u); } while (0)
/* int, bool or float. */
#define IS_NUM(v) ((v).tag - (uint32_t)V_BOOL <= (uint32_t)(V_FLOAT - V_BOOL))
/* Both numbers and not both int/bool: the operation is on binary32 (as binary_op does). */
#define BOTH_NUM(a, b) (IS_NUM(a) && IS_NUM(b))
#define TO_F32(v) ((v).tag == V_FLOAT ? as_float(v) : (float)as_int(v))
/* +, -, *: int32 with the overflow check inline (an overflow goes to binary_op, which raises
 * the OverflowError), two floats inline too (in binary32, as float_binary; where the FPU
 * flushes subnormals, in binary_float); other numbers to binary_float, the rest to binary_op. */
#define BINARY_INT(ovf, OPR)                                                                    \
    do {                                                                                        \
        Value a = sp[-2], b = sp[-1];                                                           \
        int32_t r;                                                                              \
        if (a.tag == V_INT && b.tag == V_INT) {                                                 \
            if (ovf(as_int(a), as_int(b), &r))                                                  \
                goto binary_slow;                                                               \
            sp[-2].u = (uint32_t)r;                                                             \
        } else if (!EPY_FPU_FLUSHES_SUBNORMALS && a.tag == V_FLOAT && b.tag == V_FLOAT) {       \
            sp[-2] = mk_float(as_float(a) OPR as_float(b));                                     \
        } else {                                                                                \
            goto binary_float;                                                                  \
        }                                                                                       \
        sp--;                                                                                   \
        NEXT(OP_BINARY_ADD);                                                                    \
    } while (0)
/* ==, !=, <, <=, >, >= of two ints inline; other numbers by their exact order (num_order: in
 * integer arithmetic on the bits, no FPU or libgcc compare), the rest to compare(). */
#define COMPARE_NUM(REL)                                                                        \
    do {                                                                                        \
        Value a = sp[-2], b = sp[-1];                                                           \
        if (a.tag == V_INT && b.tag == V_INT) {                                                 \
            cr = as_int(a) REL as_int(b);                                                       \
            goto compare_done;                                                                  \
        }                                                                                       \
        goto compare_num;                                                                       \
    } while (0)

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
    if (pos < args_len)
        pos += load_resident(vm, args + pos, args_len - pos);
    if (pos != args_len)
        epy_raise(vm, ERR_BADARGUMENT, "%u trailing bytes after the arguments",
                  (unsigned)(args_len - pos));
    vm->pc = 0;
    return interp_run(vm, NULL, 0);
}

/* Drop the top n values of the VM's stack. */
EPY_COLD static void drop(VM *vm, uint32_t n)
{
    while (n--) {
        Value v = *--vm->sp;
        decref(vm, v);
    }
}

/* Every opcode is a case of both switches below (or has its label in the computed-goto table):
 * the generated dispatch.h lists the ones each does not handle itself, and -Wswitch-enum names
 * an opcode with no handler in either (duplicates are errors anyway).  The defaults are never
 * reached; with them GCC emits the dispatch code the cycle costs were measured on. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch-enum"
#endif

/* Execute the one instruction at vm->pc that the dispatch loop does not handle itself (the
 * rarely run ones: their code runs from DRAM on the chip), leaving vm->pc at the next one and
 * vm->sp where it belongs.  The loop has counted the instruction and published its registers. */
EPY_COLD static void step_rare(VM *vm)
{
    const uint8_t *ip = vm->code + vm->pc;
    static const uint8_t lens[OP__COUNT] = EPY_OP_LENGTHS;
    uint32_t op = ip[0], next = vm->pc + lens[op];
    Value *sp = vm->sp;
    switch ((enum epy_opcode)op) {
    case OP_DUP_TOP_TWO: {
        Value a = sp[-2], b = sp[-1];
        incref(vm, a);
        incref(vm, b);
        sp[0] = a;
        sp[1] = b;
        vm->sp = sp + 2;
        break;
    }
    case OP_INPLACE_ADD: case OP_INPLACE_MUL: { /* on a list: the interp_run fast path took the rest */
        list_inplace(vm, op, &vm->sp[-2], &vm->sp[-1]);
        Value b = *--vm->sp;
        decref(vm, b);
        break;
    }
    case OP_DELETE_LOCAL: {
        Value *slot = &vm->locals[ip[1]];
        if (slot->tag == V_UNSET)
            unbound_local(vm, ip[1]);
        Value old = *slot;
        *slot = mk_unset();
        decref(vm, old);
        break;
    }
    case OP_DELETE_GLOBAL: {
        uint32_t k = rd16(ip + 1);
        Value *slot = &vm->globals[k];
        if (slot->tag == V_UNSET)
            unbound_global(vm, k);
        Value old = *slot;
        *slot = mk_unset();
        decref(vm, old);
        break;
    }
    case OP_ROT_THREE: {
        Value t = sp[-1];
        sp[-1] = sp[-2];
        sp[-2] = sp[-3];
        sp[-3] = t;
        break;
    }
    case OP_UNARY_NEG: case OP_UNARY_POS: case OP_UNARY_NOT: case OP_UNARY_INVERT: {
        Value r = unary_op(vm, (int)op, sp[-1]);
        Value old = vm->sp[-1];
        vm->sp[-1] = r;
        decref(vm, old);
        break;
    }
    case OP_JUMP_IF_FALSE_OR_POP: case OP_JUMP_IF_TRUE_OR_POP: {
        int t = truth(vm, sp[-1]);
        if (t == (op == OP_JUMP_IF_TRUE_OR_POP)) {
            uint32_t to = rd16(ip + 1);
            if (to <= vm->pc && vm->instructions >= vm->poll_at) {
                vm->poll_at = vm->instructions + EPY_POLL_INTERVAL;
                epy_heartbeat(vm);
            }
            next = to;
            break;
        }
        drop(vm, 1);
        break;
    }
    case OP_UNPACK_SEQUENCE: {
        Value s = *--vm->sp;
        unpack(vm, s, ip[1]);
        decref(vm, s);
        break;
    }
    case OP_SLICE_SUBSCR: {
        Value r = slice(vm, sp[-4], sp[-3], sp[-2], sp[-1]);
        drop(vm, 4);
        *vm->sp++ = r;
        break;
    }
    case OP_CALL_BUILTIN: {
        uint32_t n = ip[2];
        Value r = call_builtin(vm, ip[1], sp - n, n);
        drop(vm, n);
        *vm->sp++ = r;
        break;
    }
    case OP_RAISE:
        raise_op(vm, sp[-1], ip[1]);
    case OP_BUILD_EXC: {
        Value e = exc_new(vm, ip[1], ip[2]);
        *vm->sp++ = e;
        break;
    }
    case OP_RAISE_VALUE:
        raise_value(vm, sp[-1]);
    case OP_CHECK_EXC: {
        Value e = sp[-1];
        int r = e.tag == V_EXC && exc_is_subclass(exc_code(vm, e), ip[1]);
        vm->sp[-1] = mk_bool(r);
        decref(vm, e);
        break;
    }
    case OP_FORMAT_VALUE: {
        Value spec = sp[-1];
        if (!is_str(spec))
            epy_raise(vm, ERR_TYPEERROR, "format spec must be a str, not %s", tname(vm, spec));
        Value r = value_format(vm, sp[-2], spec, ip[1]);
        drop(vm, 2);
        *vm->sp++ = r;
        break;
    }
    case OP_BUILD_STRING: {
        uint32_t n = ip[1];
        Value r = build_string(vm, n);
        drop(vm, n);
        *vm->sp++ = r;
        break;
    }
    case OP_LOAD_ATTR: {
        Value a = sp[-1];
        if (ip[1] == ATTR_ARGS || a.tag == V_EXC) {
            if (a.tag != V_EXC || ip[1] != ATTR_ARGS)
                epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute '%s'",
                          tname(vm, a), ip[1] == ATTR_ARGS ? "args" : "shape");
            uint32_t n = exc_len(vm, a);
            Value r = seq_new(vm, V_TUPLE, n);
            a = vm->sp[-1];
            Value *src = exc_args(vm, a), *dst = seq_items(vm, r);
            for (uint32_t i = 0; i < n; i++) {
                dst[i] = src[i];
                incref(vm, src[i]);
            }
            vm->sp[-1] = r;
            decref(vm, a);
            break;
        }
        if (!IS_ARRAY(a))
            epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'shape'",
                      tname(vm, a));
        ArrayRef ar;
        array_ref(vm, a, &ar);
        Value dims[2] = {mk_int((int32_t)ar.shape0), mk_int((int32_t)ar.shape1)};
        Value r = seq_from(vm, V_TUPLE, dims, ar.ndim);
        a = vm->sp[-1];
        vm->sp[-1] = r;
        decref(vm, a);
        break;
    }
    EPY_CASES_LOOP_ONLY
    default:
        internal_error(vm, NULL, mk_int((int32_t)op));
    }
    vm->pc = next;
}

/* INPLACE_ADD/INPLACE_MUL on anything but a list re-dispatch as BINARY_ADD/BINARY_MUL:
 * op' = 2 * op - (2 * INPLACE_ADD - BINARY_ADD) maps the one pair onto the other. */
_Static_assert(OP_INPLACE_MUL == OP_INPLACE_ADD + 1 && OP_BINARY_MUL == OP_BINARY_ADD + 2,
               "the in-place opcodes' mapping onto the binary ones");

/* The dispatch loop over the current frame (see vm.h).
 *
 * pc, sp, the frame's locals and the instruction count live in C locals; SAVE() publishes
 * them to the VM before anything that may raise (errors report vm->pc and the count), allocate
 * (the collector's roots end at vm->sp) or poll, RELOAD() takes them back after calls and
 * returns.  Every instruction counts one in `icount`, including those a handler runs fused
 * with its predecessor (COMPARE + POP_JUMP, range FOR_ITER + STORE_LOCAL).  Only the
 * instructions every kind of kernel runs often are handled here (on the chip this loop is in
 * SRAM); step_rare() does the others. */
EPY_HOT Value interp_run(VM *vm, Value *unused_args, uint32_t unused_n)
{
    (void)unused_args;
    (void)unused_n;
#if EPY_COMPUTED_GOTO
    static const void *const dispatch[OP__COUNT] = EPY_DISPATCH_TABLE(L_rare);
#endif
    static const uint8_t lens[OP__COUNT] EPY_HOT_DATA = EPY_OP_LENGTHS;
    const uint8_t *code = vm->code, *ip = code + vm->pc;
    Value *sp = vm->sp, *locals = vm->locals;
    const Value *consts = vm->consts;
    Value *globals = vm->globals;
    uint32_t icount = vm->instructions, op;
    int cr; /* a comparison's outcome */
    for (;;) {
#if !EPY_COMPUTED_GOTO
    next_instruction:
#endif
        icount++;
        op = *ip;
    redispatch:
        vmdispatch(op) {
        vmcase(OP_NOP) {
            NEXT(OP_NOP);
        }
        vmcase(OP_POP_TOP) {
            Value v = *--sp;
            DECREF(v);
            NEXT(OP_POP_TOP);
        }
        vmcase(OP_DUP_TOP) {
            Value v = sp[-1];
            INCREF(v);
            *sp++ = v;
            NEXT(OP_DUP_TOP);
        }
        vmcase(OP_ROT_TWO) {
            Value t = sp[-1];
            sp[-1] = sp[-2];
            sp[-2] = t;
            NEXT(OP_ROT_TWO);
        }
        vmcase(OP_LOAD_CONST) {
            *sp++ = consts[ARG16]; /* immediates and image strs: no counts */
            NEXT(OP_LOAD_CONST);
        }
        vmcase(OP_LOAD_NONE) {
            *sp++ = mk_none();
            NEXT(OP_LOAD_NONE);
        }
        vmcase(OP_LOAD_TRUE) {
            *sp++ = mk_bool(1);
            NEXT(OP_LOAD_TRUE);
        }
        vmcase(OP_LOAD_FALSE) {
            *sp++ = mk_bool(0);
            NEXT(OP_LOAD_FALSE);
        }
        vmcase(OP_LOAD_INT) {
            *sp++ = mk_int((int16_t)ARG16);
            NEXT(OP_LOAD_INT);
        }
        vmcase(OP_LOAD_LOCAL) {
            Value v = locals[ARG8];
            if (EPY_UNLIKELY(v.tag - 1u >= V_STR - 1u)) { /* unset (wraps around) or heap */
                if (v.tag == V_UNSET) {
                    SAVE();
                    unbound_local(vm, ARG8);
                }
                obj(vm, v.u)->rc++;
            }
            *sp++ = v;
            NEXT(OP_LOAD_LOCAL);
        }
        vmcase(OP_STORE_LOCAL) {
            Value old = locals[ARG8];
            locals[ARG8] = *--sp;
            DECREF(old);
            NEXT(OP_STORE_LOCAL);
        }
        vmcase(OP_LOAD_GLOBAL) {
            Value v = globals[ARG16];
            if (v.tag == V_UNSET) {
                SAVE();
                unbound_global(vm, ARG16);
            }
            INCREF(v);
            *sp++ = v;
            NEXT(OP_LOAD_GLOBAL);
        }
        vmcase(OP_STORE_GLOBAL) {
            Value old = globals[ARG16];
            globals[ARG16] = *--sp;
            DECREF(old);
            NEXT(OP_STORE_GLOBAL);
        }
        vmcase(OP_BINARY_ADD) {
            BINARY_INT(__builtin_add_overflow, +);
        }
        vmcase(OP_BINARY_SUB) {
            BINARY_INT(__builtin_sub_overflow, -);
        }
        vmcase(OP_BINARY_MUL) {
            BINARY_INT(__builtin_mul_overflow, *);
        }
        vmcase(OP_INPLACE_ADD)
        vmcase(OP_INPLACE_MUL) { /* += and *=: in place on a list (step_rare), else as + and * */
            if (sp[-2].tag == V_LIST)
                goto rare;
            op = 2u * op - (2u * OP_INPLACE_ADD - OP_BINARY_ADD);
            goto redispatch;
        }
        vmcase(OP_BINARY_MOD) {
            Value a = sp[-2], b = sp[-1];
            if (a.tag == V_INT && b.tag == V_INT && as_int(b) > 0) {
                int32_t r = as_int(a) % as_int(b);
                if (r < 0)
                    r += as_int(b);
                sp[-2].u = (uint32_t)r;
                sp--;
                NEXT(OP_BINARY_MOD);
            }
            goto binary_slow;
        }
        vmcase(OP_BINARY_TRUEDIV)
        binary_float: {
            /* +, -, *, / on numbers, one of them a float (or / on ints): binary32 operands and
             * arithmetic, as float_binary */
            Value a = sp[-2], b = sp[-1];
            if (BOTH_NUM(a, b) && (op == OP_BINARY_TRUEDIV || a.tag == V_FLOAT || b.tag == V_FLOAT)) {
                float x = TO_F32(a), y = TO_F32(b), r;
                if (op == OP_BINARY_ADD)
                    r = x + y;
                else if (op == OP_BINARY_SUB)
                    r = x - y;
                else if (op == OP_BINARY_MUL)
                    r = x * y;
                else if (f32_bits(y) << 1)
                    r = x / y;
                else
                    goto binary_slow; /* ZeroDivisionError */
                if (EPY_FPU_FLUSHES_SUBNORMALS && f32_tiny3(x, y, r))
                    r = float_arith_soft((int)op, x, y);
                sp[-2] = mk_float(r);
                sp--;
                NEXT(OP_BINARY_ADD);
            }
            goto binary_slow;
        }
        vmcase(OP_BINARY_FLOORDIV)
        vmcase(OP_BINARY_POW)
        vmcase(OP_BINARY_LSHIFT)
        vmcase(OP_BINARY_RSHIFT)
        vmcase(OP_BINARY_AND)
        vmcase(OP_BINARY_OR)
        vmcase(OP_BINARY_XOR)
        binary_slow: {
            SAVE();
            Value r = binary_op(vm, (int)op, sp[-2], sp[-1]);
            Value a = sp[-2], b = sp[-1]; /* after binary_op: the collector may move them */
            sp--;
            sp[-1] = r;
            DECREF(b);
            DECREF(a);
            NEXT(OP_BINARY_ADD);
        }
        vmcase(OP_COMPARE_EQ) {
            COMPARE_NUM(==);
        }
        vmcase(OP_COMPARE_NE) {
            COMPARE_NUM(!=);
        }
        vmcase(OP_COMPARE_LT) {
            COMPARE_NUM(<);
        }
        vmcase(OP_COMPARE_LE) {
            COMPARE_NUM(<=);
        }
        vmcase(OP_COMPARE_GT) {
            COMPARE_NUM(>);
        }
        vmcase(OP_COMPARE_GE) {
            COMPARE_NUM(>=);
        }
        vmcase(OP_COMPARE_IN)
        vmcase(OP_COMPARE_NOT_IN)
        vmcase(OP_COMPARE_IS)
        vmcase(OP_COMPARE_IS_NOT) {
            goto compare_slow; /* not an ordering: no mask (found by the fuzz smoke test) */
        }
        compare_num: {
            /* the exact order of two numbers (num_order's bits: 1 <, 2 ==, 4 >, none for a
             * nan), tested against the opcode's mask (bit 3: negate, for !=) */
            static const uint8_t masks[6] EPY_HOT_DATA = {2, 2 | 8, 1, 3, 4, 6};
            Value a = sp[-2], b = sp[-1];
            if (!BOTH_NUM(a, b))
                goto compare_slow;
            uint32_t m = masks[op - OP_COMPARE_EQ];
            cr = (num_order(a, b) & m) != 0;
            cr ^= m >> 3;
            goto compare_done;
        }
        compare_slow: {
            Value a = sp[-2], b = sp[-1];
            SAVE();
            cr = compare(vm, (int)op, a, b);
            DECREF(b);
            DECREF(a);
        }
        compare_done:
            /* a POP_JUMP after the comparison runs here (counted), without the bool */
            sp -= 2;
            if (ip[1] == OP_POP_JUMP_IF_FALSE || ip[1] == OP_POP_JUMP_IF_TRUE) {
                icount++;
                if (cr == (ip[1] == OP_POP_JUMP_IF_TRUE))
                    BRANCH_TO(rd16(ip + 2), PC + 1);
                else
                    ip += 4;
                vmbreak;
            }
            *sp++ = mk_bool(cr);
            NEXT(OP_COMPARE_EQ);
        vmcase(OP_JUMP) {
            BRANCH_TO(ARG16, PC);
            vmbreak;
        }
        vmcase(OP_POP_JUMP_IF_FALSE)
        vmcase(OP_POP_JUMP_IF_TRUE) {
            Value v = sp[-1];
            int t;
            if (v.tag == V_BOOL || v.tag == V_INT) {
                t = v.u != 0;
            } else if (v.tag == V_NONE) {
                t = 0;
            } else {
                SAVE();
                t = truth(vm, v);
            }
            sp--;
            DECREF(v);
            if (t == (op == OP_POP_JUMP_IF_TRUE))
                BRANCH_TO(ARG16, PC);
            else
                ip += lens[OP_POP_JUMP_IF_TRUE];
            vmbreak;
        }
        vmcase(OP_GET_ITER) {
            if (sp[-1].tag != V_ITER) {
                SAVE();
                Value r = iter_new(vm, sp[-1]);
                Value old = sp[-1];
                sp[-1] = r;
                DECREF(old);
            }
            NEXT(OP_GET_ITER);
        }
        vmcase(OP_FOR_ITER) {
            Value v, it = sp[-1];
            if (it.tag == V_ITER) {
                IterObj *io = (IterObj *)(void *)obj(vm, it.u);
                if (io->h.len == IT_SEQ && io->src.tag == V_RANGE) {
                    /* range: inline, and a STORE_LOCAL of the item fused */
                    RangeObj *rg = (RangeObj *)(void *)obj(vm, io->src.u);
                    if (io->pos >= rg->len)
                        goto for_done;
                    v = mk_int(range_item(rg, io->pos++));
                    if (ip[3] == OP_STORE_LOCAL) {
                        icount++;
                        Value old = locals[ip[4]];
                        locals[ip[4]] = v;
                        DECREF(old);
                        ip += lens[OP_FOR_ITER] + lens[OP_STORE_LOCAL];
                        vmbreak;
                    }
                    *sp++ = v;
                    NEXT(OP_FOR_ITER);
                }
            }
            SAVE();
            if (it.tag != V_ITER)
                internal_error(vm, "FOR_ITER", it);
            if (iter_next(vm, &sp[-1], &v)) {
                *sp++ = v;
                NEXT(OP_FOR_ITER);
            }
        for_done:
            it = *--sp;
            DECREF(it);
            BRANCH_TO(ARG16, PC);
            vmbreak;
        }
        vmcase(OP_BUILD_TUPLE)
        vmcase(OP_BUILD_LIST) {
            uint32_t n = ARG8;
            SAVE();
            Value r = seq_new(vm, op == OP_BUILD_TUPLE ? V_TUPLE : V_LIST, n);
            sp -= n;
            memcpy(seq_items(vm, r), sp, n * sizeof(Value));
            *sp++ = r;
            NEXT(OP_BUILD_LIST);
        }
        vmcase(OP_BINARY_SUBSCR) {
            Value a = sp[-2], i = sp[-1], r;
            if ((a.tag == V_LIST || a.tag == V_TUPLE) && i.tag == V_INT) {
                uint32_t n = seq_len(vm, a), k = (uint32_t)as_int(i) + (as_int(i) < 0 ? n : 0);
                if (k < n) {
                    r = seq_items(vm, a)[k];
                    INCREF(r);
                    goto subscr_done;
                }
            }
            if ((a.tag == V_ARRAY || a.tag == V_ROW || a.tag == V_HARRAY) && i.tag == V_INT &&
                array_get_int(vm, a, as_int(i), &r))
                goto subscr_done;
            SAVE();
            r = subscr(vm, a, i);
            a = sp[-2];
            i = sp[-1];
        subscr_done:
            sp--;
            sp[-1] = r;
            DECREF(i);
            DECREF(a);
            NEXT(OP_BINARY_SUBSCR);
        }
        vmcase(OP_STORE_SUBSCR) {
            Value a = sp[-2], i = sp[-1];
            if (a.tag == V_LIST && i.tag == V_INT) {
                uint32_t n = seq_len(vm, a), k = (uint32_t)as_int(i) + (as_int(i) < 0 ? n : 0);
                if (k < n) { /* the list's reference to the value moves from the stack */
                    Value *slot = &seq_items(vm, a)[k], old = *slot;
                    *slot = sp[-3];
                    sp -= 3;
                    DECREF(old);
                    DECREF(a);
                    NEXT(OP_STORE_SUBSCR);
                }
            }
            SAVE();
            store_subscr(vm, a, i, sp[-3]);
            for (int k = 0; k < 3; k++) {
                Value v = *--sp;
                DECREF(v);
            }
            NEXT(OP_STORE_SUBSCR);
        }
        vmcase(OP_CALL) {
            SAVE();
            if (icount >= vm->poll_at) {
                vm->poll_at = icount + EPY_POLL_INTERVAL;
                epy_heartbeat(vm);
            }
            push_frame(vm, ARG16, PC + lens[OP_CALL]);
            RELOAD();
            vmbreak;
        }
        vmcase(OP_RETURN_VALUE) {
            Value v = *--sp;
            SAVE();
            if (!pop_frame(vm))
                return v;
            RELOAD();
            *sp++ = v;
            vmbreak;
        }
#if EPY_COMPUTED_GOTO
        L_rare:
#else
        EPY_CASES_RARE
        default: /* not reached (the verifier admits known opcodes only) */
#endif
        rare:
            SAVE();
            step_rare(vm);
            RELOAD();
            vmbreak;
        }
    }
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
