/* dict.c: dicts and their views (docs/bytecode.md, "Dicts"; the spec: esim/cores/dicts.py).
 *
 * A dict is a heap object laid out as a list (value.h, V_DICT): its 2 * n slots hold each key
 * and its value in insertion order, so its size is memory.dict_bytes(n) and the heap grows,
 * shrinks, moves and frees it with the list code.  A key is found by equality (values_eq:
 * 1 == 1.0 == True are one key), scanning the keys in order; a new key is appended, a deleted
 * one closes its gap, so the order of the rest stays.  Every function here is cold: a dict
 * operation is a builtin call or a rare case of an opcode. */
#include "vm.h"

/* The slots of the dict a dict or a view refers to (valid until the next allocation). */
EPY_COLD static Value dict_of(VM *vm, Value v)
{
    return v.tag == V_DVIEW ? ((DViewObj *)(void *)obj(vm, v.u))->dict : v;
}

/* CPython's class name of a view of kind 0..2. */
EPY_COLD const char *dict_view_name(uint32_t kind)
{
    static const char *const names[] = {"dict_keys", "dict_values", "dict_items"};
    return names[kind < 3 ? kind : 0];
}

/* TypeError unless k can be a key: not a list, dict, view or array, nor a tuple holding one
 * (at any depth up to EPY_MAX_NESTING: a deeper tuple is a RecursionError, as in the spec). */
EPY_COLD void dict_check_key(VM *vm, Value k)
{
    Value stack[EPY_MAX_NESTING];
    uint16_t next[EPY_MAX_NESTING];
    uint32_t depth = 0;
    for (;;) {
        if (k.tag == V_TUPLE) {
            if (depth >= EPY_MAX_NESTING)
                epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_COMPARE_MESSAGE);
            stack[depth] = k;
            next[depth++] = 0;
        } else if (k.tag == V_LIST || k.tag == V_DICT || k.tag == V_DVIEW || k.tag == V_SET ||
                   IS_ARRAY(k)) {
            epy_raise(vm, ERR_TYPEERROR, "unhashable type: '%s'", type_name(k));
        }
        /* the next item of the innermost tuple that has one left */
        while (depth && next[depth - 1] >= seq_len(vm, stack[depth - 1]))
            depth--;
        if (!depth)
            return;
        k = seq_items(vm, stack[depth - 1])[next[depth - 1]++];
    }
}

/* a == b for two keys that are not tuples (numbers, strs, None, ranges, iterators), without
 * arith.c's eq_at (which looks keys up while it recurses). */
EPY_COLD static int scalar_key_eq(VM *vm, Value a, Value b)
{
    if (is_num(a) && is_num(b))
        return num_order(a, b) == 2;
    if (is_str(a) && is_str(b))
        return str_cmp(vm, a, b) == 0;
    if (a.tag != b.tag)
        return 0;
    if (a.tag == V_RANGE) { /* equal ranges: the same items */
        RangeObj *x = (RangeObj *)(void *)obj(vm, a.u), *y = (RangeObj *)(void *)obj(vm, b.u);
        return x->len == y->len && (x->len == 0 || (x->start == y->start &&
                                                   (x->len == 1 || x->step == y->step)));
    }
    return a.tag == V_NONE || a.u == b.u; /* None; an iterator is equal to itself only */
}

/* a == b for two keys (checked: no lists, dicts, views or arrays in them), without recursion:
 * nested tuples are walked with a stack of packed references to each level's pair of tuples
 * and the next item of each level. */
EPY_COLD static int key_eq(VM *vm, Value a, Value b)
{
    uint32_t ta[EPY_MAX_NESTING], tb[EPY_MAX_NESTING];
    uint16_t next[EPY_MAX_NESTING];
    uint32_t depth = 0;
    for (;;) {
        if (a.tag == V_TUPLE || b.tag == V_TUPLE) {
            /* keys nest at most EPY_MAX_NESTING tuples deep (dict_check_key) */
            if (a.tag != b.tag || seq_len(vm, a) != seq_len(vm, b) || depth >= EPY_MAX_NESTING)
                return 0;
            ta[depth] = pack_ref(a);
            tb[depth] = pack_ref(b);
            next[depth++] = 0;
        } else if (!scalar_key_eq(vm, a, b)) {
            return 0;
        }
        while (depth && next[depth - 1] >= seq_len(vm, unpack_ref(ta[depth - 1])))
            depth--;
        if (!depth)
            return 1;
        uint16_t i = next[depth - 1]++;
        a = seq_items(vm, unpack_ref(ta[depth - 1]))[i];
        b = seq_items(vm, unpack_ref(tb[depth - 1]))[i];
    }
}

/* The slot index of key k in dict d (checked to be a key), or -1. */
EPY_COLD int32_t dict_find(VM *vm, Value d, Value k)
{
    dict_check_key(vm, k);
    uint32_t n = seq_len(vm, d);
    for (uint32_t i = 0; i < n; i += 2)
        if (key_eq(vm, seq_items(vm, d)[i], k))
            return (int32_t)i;
    return -1;
}

/* KeyError(k): the message is the key's repr, as CPython's str() of the error, and a handler's
 * exception object has k as its arg (vm->err_value holds a reference: the caller's when `owned`,
 * else a new one; interp.c epy_catch). */
EPY_COLD EPY_NORETURN static void key_error_of(VM *vm, Value k, int owned)
{
    Sink s = {vm, vm->err_msg, 0, 0, 0, 0, 0, EPY_MSG_BYTES - 1};
    write_repr(vm, &s, k);
    vm->err_msg[s.len < EPY_MSG_BYTES - 1 ? s.len : EPY_MSG_BYTES - 1] = 0;
    if (!owned)
        incref(vm, k);
    vm->err_value = k;
    epy_raise_written(vm, ERR_KEYERROR);
}

/* KeyError(k) of a key the caller keeps (set.c). */
EPY_COLD EPY_NORETURN void dict_key_error(VM *vm, Value k)
{
    key_error_of(vm, k, 0);
}

/* KeyError(k) of a key whose reference (rooted) the error takes over (set.c). */
EPY_COLD EPY_NORETURN void dict_key_error_owned(VM *vm, Value k)
{
    key_error_of(vm, k, 1);
}

/* d[k] as a new reference (KeyError when absent). */
EPY_COLD Value dict_subscr(VM *vm, Value d, Value k)
{
    int32_t i = dict_find(vm, d, k);
    if (i < 0)
        dict_key_error(vm, k);
    Value r = seq_items(vm, d)[i + 1];
    incref(vm, r);
    return r;
}

/* d[k] = v; *d is rooted (the dict moves when it grows); k and v are borrowed. */
EPY_COLD void dict_store(VM *vm, Value *d, Value k, Value v)
{
    int32_t i = dict_find(vm, *d, k);
    if (i >= 0) {
        Value *slot = &seq_items(vm, *d)[i + 1], old = *slot;
        incref(vm, v);
        *slot = v;
        decref(vm, old);
        return;
    }
    uint32_t need = 2u * EPY_VALUE_SLOT_BYTES;
    if (seq_len(vm, *d) >= 0xFFFEu)
        epy_raise(vm, ERR_MEMORYERROR, "dict too large");
    if (!(obj(vm, d->u)->flags & OF_FREE) && vm->live + vm->frames_bytes + need > vm->workspace)
        epy_raise(vm, ERR_MEMORYERROR,
                  "out of core memory: %u bytes requested, %u bytes of live objects and %u bytes "
                  "of frames in a workspace of %u bytes", (unsigned)need, (unsigned)vm->live,
                  (unsigned)vm->frames_bytes, (unsigned)vm->workspace);
    troot_push(vm, &k);
    troot_push(vm, &v);
    heap_list_grow(vm, d);
    heap_list_grow(vm, d);
    troot_pop(vm, 2);
    uint32_t n = seq_len(vm, *d);
    Value *items = seq_items(vm, *d);
    items[n - 2] = k;
    items[n - 1] = v;
    incref(vm, k);
    incref(vm, v);
}

/* Remove the entry at slot i (its key and value references are dropped). */
EPY_COLD static void dict_remove(VM *vm, Value d, uint32_t i, Value *value_out)
{
    uint32_t n = seq_len(vm, d);
    Value *items = seq_items(vm, d);
    Value key = items[i], value = items[i + 1];
    memmove(&items[i], &items[i + 2], (size_t)(n - i - 2) * sizeof(Value));
    heap_list_shrink(vm, d);
    heap_list_shrink(vm, d);
    decref(vm, key);
    if (value_out)
        *value_out = value;
    else
        decref(vm, value);
}

/* Remove the entry at slot i of dict d (set.c: a set's item). */
EPY_COLD void dict_remove_at(VM *vm, Value d, uint32_t i)
{
    dict_remove(vm, d, i, NULL);
}

/* del a[i]: a dict's key or a list's item. */
EPY_COLD static void del_item(VM *vm, Value a, Value i)
{
    if (a.tag == V_DICT) {
        int32_t k = dict_find(vm, a, i);
        if (k < 0)
            dict_key_error(vm, i);
        dict_remove(vm, a, (uint32_t)k, NULL);
        return;
    }
    if (a.tag == V_LIST) {
        if (i.tag != V_INT && i.tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "list indices must be integers or slices, not %s",
                      type_name(i));
        int64_t k = as_int(i), n = seq_len(vm, a);
        if (k < 0)
            k += n;
        if (k < 0 || k >= n)
            epy_raise(vm, ERR_INDEXERROR, "list assignment index out of range");
        Value at = mk_int((int32_t)k);
        decref(vm, list_pop(vm, a, &at));
        return;
    }
    if (a.tag == V_TUPLE || is_str(a) || a.tag == V_RANGE || IS_ARRAY(a))
        epy_raise(vm, ERR_TYPEERROR, "'%s' object doesn't support item deletion", type_name(a));
    epy_raise(vm, ERR_TYPEERROR, "'%s' object does not support item deletion", type_name(a));
}

/* Entries of a dict or of the dict of a view. */
EPY_COLD uint32_t dict_len(VM *vm, Value v)
{
    return seq_len(vm, dict_of(vm, v)) / 2u;
}

/* Item i (< dict_len) of iterating a dict (its key) or a view (key, value or a new (key,
 * value) tuple), as a new reference. */
EPY_COLD Value dict_item(VM *vm, Value v, uint32_t i)
{
    uint32_t kind = v.tag == V_DVIEW ? obj(vm, v.u)->len : 0;
    Value d = dict_of(vm, v);
    if (kind == 2)
        return seq_from(vm, V_TUPLE, &seq_items(vm, d)[2 * i], 2);
    Value r = seq_items(vm, d)[2 * i + kind];
    incref(vm, r);
    return r;
}

/* RuntimeError when the dict an iterator walks no longer has the size it began with. */
EPY_COLD void dict_check_size(VM *vm, Value src, uint32_t aux)
{
    if (dict_len(vm, src) + 1u != aux)
        epy_raise(vm, ERR_RUNTIMEERROR, src.tag == V_SET ? "Set changed size during iteration"
                                                         : "dictionary changed size during iteration");
}

/* item in v for a dict or a view (TypeError for anything else: arith.c's contains ends here). */
EPY_COLD int dict_contains(VM *vm, Value v, Value item)
{
    if (v.tag != V_DICT && v.tag != V_DVIEW && v.tag != V_SET)
        epy_raise(vm, ERR_TYPEERROR, "argument of type '%s' is not iterable", type_name(v));
    uint32_t kind = v.tag == V_DVIEW ? obj(vm, v.u)->len : 0;
    Value d = dict_of(vm, v);
    if (kind == 1) {
        for (uint32_t i = 1; i < seq_len(vm, d); i += 2)
            if (values_eq(vm, seq_items(vm, d)[i], item))
                return 1;
        return 0;
    }
    if (kind == 2) {
        if (item.tag != V_TUPLE || seq_len(vm, item) != 2)
            return 0;
        int32_t k = dict_find(vm, d, seq_items(vm, item)[0]);
        return k >= 0 && values_eq(vm, seq_items(vm, d)[k + 1], seq_items(vm, item)[1]);
    }
    return dict_find(vm, d, item) >= 0;
}

/* d.update(src) / dict(src): the pairs of a dict, or each item of an iterable as a pair.
 * *d is rooted; src is a borrowed, rooted slot. */
EPY_COLD static void dict_update(VM *vm, Value *d, Value *src)
{
    if (src->tag == V_DICT) {
        for (uint32_t i = 0; i < seq_len(vm, *src); i += 2)
            dict_store(vm, d, seq_items(vm, *src)[i], seq_items(vm, *src)[i + 1]);
        return;
    }
    if (src->tag != V_ITER && !seq_like(*src))
        epy_raise(vm, ERR_TYPEERROR, "'%s' object is not iterable", type_name(*src));
    uint32_t pos = 0, n = 0;
    Value item;
    while (source_next(vm, *src, &pos, &item)) {
        troot_push(vm, &item);
        if (item.tag != V_TUPLE && item.tag != V_LIST && !is_str(item) && item.tag != V_DVIEW)
            epy_raise(vm, ERR_TYPEERROR, "cannot convert dictionary update sequence element #%u "
                      "to a sequence", (unsigned)n);
        uint32_t len = generic_len(vm, item);
        if (len != 2)
            epy_raise(vm, ERR_VALUEERROR, "dictionary update sequence element #%u has length %u; "
                      "2 is required", (unsigned)n, (unsigned)len);
        Value k = generic_item(vm, item, 0);
        troot_push(vm, &k);
        Value v = generic_item(vm, item, 1);
        troot_push(vm, &v);
        dict_store(vm, d, k, v);
        troot_pop(vm, 3);
        decref(vm, k);
        decref(vm, v);
        decref(vm, item);
        n++;
    }
}

/* A new dict with the entries of dict src. */
EPY_COLD static Value dict_copy(VM *vm, Value src)
{
    troot_push(vm, &src);
    Value r = seq_slice(vm, src, 0, (int32_t)seq_len(vm, src), 1);
    troot_pop(vm, 1);
    return r;
}

/* The dict builtins (BI_DICT .. BI_DEL; BI_LIST_POP and BI_LIST_COPY of a dict) on n
 * arguments in VM stack slots; a new reference. */
EPY_COLD Value dict_builtin(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    static const char *const methods[] = {"get", "keys", "values", "items", "setdefault",
                                          "update", "clear", "pop", "copy", "", "popitem"};
    if (id == BI_DICT) {
        if (n && args[0].tag == V_DICT)
            return dict_copy(vm, args[0]);
        Value d = seq_new(vm, V_DICT, 0);
        if (n) {
            troot_push(vm, &d);
            dict_update(vm, &d, &args[0]);
            troot_pop(vm, 1);
        }
        return d;
    }
    if (id == BI_DEL) {
        del_item(vm, args[0], args[1]);
        return mk_none();
    }
    if (id == BI_DICT_FROMKEYS) {
        Value d = seq_new(vm, V_DICT, 0), value = n == 2 ? args[1] : mk_none();
        troot_push(vm, &d);
        if (args[0].tag != V_ITER && !seq_like(args[0]))
            epy_raise(vm, ERR_TYPEERROR, "'%s' object is not iterable", type_name(args[0]));
        uint32_t pos = 0;
        Value key;
        while (source_next(vm, args[0], &pos, &key)) {
            troot_push(vm, &key);
            dict_store(vm, &d, key, n == 2 ? args[1] : value);
            troot_pop(vm, 1);
            decref(vm, key);
        }
        troot_pop(vm, 1);
        return d;
    }
    if (id == BI_DICT_CLEAR && args[0].tag == V_LIST) { /* list.clear: x.clear() runs here */
        while (seq_len(vm, args[0]))
            decref(vm, list_pop(vm, args[0], NULL));
        return mk_none();
    }
    if (id == BI_LIST_POP)
        id = BI_DICT_POP;
    else if (id == BI_LIST_COPY)
        id = BI_DICT_COPY;
    if (args[0].tag != V_DICT)
        epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute '%s'", type_name(args[0]),
                  methods[id - BI_DICT_GET]);
    switch (id) {
    case BI_DICT_GET: {
        int32_t k = dict_find(vm, args[0], args[1]);
        Value r = k >= 0 ? seq_items(vm, args[0])[k + 1] : n == 3 ? args[2] : mk_none();
        incref(vm, r);
        return r;
    }
    case BI_DICT_KEYS: case BI_DICT_VALUES: case BI_DICT_ITEMS: {
        uint32_t off = heap_alloc(vm, V_DVIEW, EPY_SMALL_OBJECT_BYTES,
                                  (uint16_t)(id - BI_DICT_KEYS), 0);
        DViewObj *dv = (DViewObj *)(void *)obj(vm, off);
        dv->dict = args[0];
        dv->pad[0] = dv->pad[1] = 0;
        incref(vm, args[0]);
        return mk_obj(V_DVIEW, off);
    }
    case BI_DICT_SETDEFAULT: {
        int32_t k = dict_find(vm, args[0], args[1]);
        if (k < 0) {
            dict_store(vm, &args[0], args[1], n == 3 ? args[2] : mk_none());
            k = (int32_t)seq_len(vm, args[0]) - 2;
        }
        Value r = seq_items(vm, args[0])[k + 1];
        incref(vm, r);
        return r;
    }
    case BI_DICT_UPDATE: dict_update(vm, &args[0], &args[1]); return mk_none();
    case BI_DICT_CLEAR:
        while (seq_len(vm, args[0]))
            dict_remove(vm, args[0], seq_len(vm, args[0]) - 2, NULL);
        return mk_none();
    case BI_DICT_POPITEM: {
        uint32_t len = seq_len(vm, args[0]);
        if (!len) { /* KeyError('popitem(): dictionary is empty'), as CPython's */
            Value why = str_from(vm, "popitem(): dictionary is empty", 30);
            troot_push(vm, &why);
            key_error_of(vm, why, 1);
        }
        Value r = seq_from(vm, V_TUPLE, &seq_items(vm, args[0])[len - 2], 2);
        troot_push(vm, &r);
        dict_remove(vm, args[0], len - 2, NULL);
        troot_pop(vm, 1);
        return r;
    }
    case BI_DICT_POP: {
        int32_t k = dict_find(vm, args[0], args[1]);
        if (k < 0) {
            if (n < 3)
                dict_key_error(vm, args[1]);
            incref(vm, args[2]);
            return args[2];
        }
        Value r;
        dict_remove(vm, args[0], (uint32_t)k, &r);
        return r;
    }
    default: return dict_copy(vm, args[0]); /* BI_DICT_COPY */
    }
}
