/* marshal.c: the wire format of epython/marshal.py: arguments in, results and messages out.
 * Decoded strs and arrays stay where they are (argument area or message copy); tuples and
 * lists become heap objects. */

#include "text.h"
#include "vm.h"


/* Decode one value.  With `free_objs` (an argument block in core memory) strs and arrays stay
 * where they are, uncharged, since the block is already subtracted from the workspace; tuples
 * and lists are always new heap objects, charged like any other (docs/language.md). */
EPY_COLD static uint32_t decode(VM *vm, const uint8_t *p, uint32_t n, Value *out, int depth, int free_objs)
{
    if (n < 1)
        return 0;
    switch (p[0]) {
    case TAG_NONE: *out = mk_none(); return 1;
    case TAG_FALSE: *out = mk_bool(0); return 1;
    case TAG_TRUE: *out = mk_bool(1); return 1;
    case TAG_INT:
        if (n < 5)
            return 0;
        *out = mk_int((int32_t)rd32(p + 1));
        return 5;
    case TAG_FLOAT: {
        if (n < 5)
            return 0;
        Value v = {V_FLOAT, rd32(p + 1)};
        *out = v;
        return 5;
    }
    case TAG_STR: {
        if (n < 3 || 3u + rd16(p + 1) > n)
            return 0;
        uint32_t len = rd16(p + 1);
        if (free_objs && p >= vm->local && p < vm->local + EPY_LOCAL_MEMORY_BYTES) {
            *out = mk_obj(V_SSTR, (uint32_t)(p + 1 - vm->local));
        } else {
            *out = str_from(vm, (const char *)p + 3, len);
        }
        return 3 + len;
    }
    case TAG_TUPLE:
    case TAG_LIST:
    case TAG_DICT: { /* a dict: count pairs, laid out as 2 * count slots (dict.c) */
        if (n < 3 || depth >= EPY_MAX_NESTING) /* the encoders never nest deeper */
            return 0;
        uint32_t count = rd16(p + 1) * (p[0] == TAG_DICT ? 2u : 1u), pos = 3;
        uint32_t tag = p[0] == TAG_TUPLE ? V_TUPLE : p[0] == TAG_DICT ? V_DICT : V_LIST;
        if (count > 0xFFFFu)
            return 0;
        uint32_t off = heap_alloc(vm, (uint8_t)tag, EPY_SEQ_BYTES(count), (uint16_t)count, 0);
        Value seq = mk_obj(tag, off);
        for (uint32_t i = 0; i < count; i++)
            seq_items(vm, seq)[i] = mk_none();
        troot_push(vm, &seq);
        for (uint32_t i = 0; i < count; i++) {
            Value item;
            uint32_t used = decode(vm, p + pos, n - pos, &item, depth + 1, free_objs);
            if (!used) {
                troot_pop(vm, 1);
                decref(vm, seq);
                return 0;
            }
            seq_items(vm, seq)[i] = item;
            pos += used;
        }
        troot_pop(vm, 1);
        *out = seq;
        return pos;
    }
    case TAG_ARRAY: {
        uint32_t size = array_wire_size(p, n);
        if (!size)
            return 0;
        if (!free_objs) {
            /* a received array: a heap copy of the wire bytes (model: header + data) */
            uint32_t data = size - 3u - 2u * p[2];
            uint32_t bytes = EPY_ARRAY_BYTES(data);
            uint32_t off = heap_alloc(vm, V_HARRAY, bytes, (uint16_t)bytes, 0);
            memcpy(vm->arena + off + 8, p, size);
            *out = mk_obj(V_HARRAY, off);
            return size;
        }
        if (!(p >= vm->local && p < vm->local + EPY_LOCAL_MEMORY_BYTES))
            return 0;
        *out = mk_obj(V_ARRAY, (uint32_t)(p - vm->local));
        return size;
    }
    case TAG_SHARED: { /* a descriptor: the array stays in DRAM; only arguments carry one */
        uint32_t size = shared_wire_size(p, n);
        if (!size || !free_objs || !(p >= vm->local && p < vm->local + EPY_LOCAL_MEMORY_BYTES))
            return 0;
        *out = mk_obj(V_SARRAY, (uint32_t)(p - vm->local));
        return size;
    }
    default:
        return 0;
    }
}

/* Decode one argument value (see vm.h). */
EPY_COLD uint32_t marshal_decode(VM *vm, const uint8_t *p, uint32_t n, Value *out)
{
    return decode(vm, p, n, out, 0, 1);
}

/* Decode a received message into new objects. */
EPY_COLD uint32_t marshal_decode_copy(VM *vm, const uint8_t *p, uint32_t n, Value *out)
{
    return decode(vm, p, n, out, 0, 0);
}

typedef struct Enc {
    VM *vm;
    uint8_t *buf;
    uint32_t cap, len;
    int sets; /* a set may be encoded (a kernel's result; no message or resident value) */
} Enc;

/* Append bytes (counted even beyond the capacity). */
EPY_COLD static void put(Enc *e, const void *p, uint32_t n)
{
    if (e->len + n <= e->cap)
        memcpy(e->buf + e->len, p, n);
    e->len += n;
}

/* Append a byte. */
EPY_COLD static void put8(Enc *e, uint32_t b)
{
    uint8_t c = (uint8_t)b;
    put(e, &c, 1);
}

/* Append a little-endian u16. */
EPY_COLD static void put16(Enc *e, uint32_t v)
{
    uint8_t b[2];
    wr16(b, v);
    put(e, b, 2);
}

/* Append a little-endian u32. */
EPY_COLD static void put32(Enc *e, uint32_t v)
{
    uint8_t b[4];
    wr32(b, v);
    put(e, b, 4);
}

/* TypeError for a sequence too long for the wire format. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
EPY_COLD static void too_many(VM *vm, const char *what, uint32_t n)
{
    epy_raise(vm, ERR_TYPEERROR, "%s%s: sequence of %u items exceeds 65535", what, "",
              (unsigned)n);
}

/* Encode a value that holds no values: None, bool, int, float, str, an array; 0 if v is
 * something else.  (Apart from encode, so that encode's own frame, which the recursion
 * repeats, stays small.) */
EPY_COLD static int encode_leaf(Enc *e, Value v)
{
    VM *vm = e->vm;
    switch (v.tag) {
    case V_NONE: put8(e, TAG_NONE); return 1;
    case V_BOOL: put8(e, v.u ? TAG_TRUE : TAG_FALSE); return 1;
    case V_INT: put8(e, TAG_INT); put32(e, v.u); return 1;
    case V_FLOAT: put8(e, TAG_FLOAT); put32(e, v.u); return 1;
    case V_SSTR: case V_STR: {
        uint32_t n;
        const uint8_t *p = str_data(vm, v, &n);
        put8(e, TAG_STR);
        put16(e, n);
        put(e, p, n);
        return 1;
    }
    case V_SARRAY:
        epy_raise(vm, ERR_TYPEERROR, "%s", EPY_SHARED_ENCODE_MESSAGE);
    case V_ROW:
        if (((RowObj *)(void *)obj(vm, v.u))->arr.tag == V_SARRAY)
            epy_raise(vm, ERR_TYPEERROR, "%s", EPY_SHARED_ENCODE_MESSAGE);
        /* fall through */
    case V_ARRAY: case V_HARRAY: {
        ArrayRef a;
        array_ref(vm, v, &a);
        uint32_t count = a.shape0 * a.shape1, item = a.dtype == 2 ? 1u : 4u;
        put8(e, TAG_ARRAY);
        put8(e, a.dtype);
        put8(e, a.ndim);
        put16(e, a.shape0);
        if (a.ndim == 2)
            put16(e, a.shape1);
        put(e, a.data, count * item);
        return 1;
    }
    default:
        return 0;
    }
}

/* A range travels as the list of its items (ints). */
EPY_COLD static void encode_range(Enc *e, Value v, const char *what)
{
    VM *vm = e->vm;
    uint32_t n = range_len(vm, v);
    if (n > 0xFFFFu)
        too_many(vm, what, n);
    put8(e, TAG_LIST);
    put16(e, n);
    for (uint32_t i = 0; i < n; i++) {
        put8(e, TAG_INT);
        put32(e, (uint32_t)range_item((RangeObj *)(void *)obj(vm, v.u), i));
    }
}

/* The items an iterator has left, as a new list (an iterator travels as that list; a dict
 * view as the list of its items). */
EPY_COLD static Value collect_iter(VM *vm, Value it)
{
    int view = it.tag == V_DVIEW;
    if (view)
        it = iter_new(vm, it);
    troot_push(vm, &it);
    Value lst = seq_new(vm, V_LIST, 0), x;
    troot_pop(vm, 1);
    troot_push(vm, &it);
    troot_push(vm, &lst);
    while (iter_next(vm, &it, &x)) {
        list_append(vm, &lst, x);
        decref(vm, x);
    }
    troot_pop(vm, 2);
    if (view)
        decref(vm, it);
    return lst;
}

/* Encode v, which lies inside `depth` lists and tuples (iterators and ranges travel as lists of
 * their items, as esim's to_wire does); a list or tuple one deeper than EPY_MAX_NESTING is a
 * RecursionError.  This is the only recursive function here: one frame per level. */
EPY_COLD static void encode(Enc *e, Value v, const char *what, uint32_t depth)
{
    VM *vm = e->vm;
    if (encode_leaf(e, v))
        return;
    if (v.tag != V_TUPLE && v.tag != V_LIST && v.tag != V_RANGE && v.tag != V_ITER &&
        v.tag != V_DICT && v.tag != V_DVIEW && !(v.tag == V_SET && e->sets))
        epy_raise(vm, ERR_TYPEERROR, "%s: values of type %s cannot be passed", what,
                  type_name(v));
    if (depth >= EPY_MAX_NESTING)
        epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_ENCODE_MESSAGE);
    if (v.tag == V_RANGE) {
        encode_range(e, v, what);
        return;
    }
    int owned = v.tag == V_ITER || v.tag == V_DVIEW;
    if (owned)
        v = collect_iter(vm, v);
    uint32_t n = seq_len(vm, v);
    put8(e, v.tag == V_TUPLE ? TAG_TUPLE : v.tag == V_DICT ? TAG_DICT : v.tag == V_SET ? TAG_SET
                                                                                  : TAG_LIST);
    /* a dict: its pairs, key and value in its slots; a set: the keys of its slots */
    put16(e, v.tag == V_DICT || v.tag == V_SET ? n / 2u : n);
    troot_push(vm, &v);
    for (uint32_t i = 0; i < n; i += 1u + (v.tag == V_SET))
        encode(e, seq_items(vm, v)[i], what, depth + 1);
    troot_pop(vm, 1);
    if (owned)
        decref(vm, v);
}

EPY_COLD uint32_t marshal_encode(VM *vm, Value v, uint8_t *buf, uint32_t cap, const char *what,
                                 int sets)
{
    Enc e = {vm, buf, cap, 0, sets};
    encode(&e, v, what, 0);
    return e.len;
}
