/* seq.c: tuples and lists (a header and exactly `len` value slots), and slice arithmetic. */
#include "vm.h"

/* New tuple/list of n Nones. */
EPY_HOT Value seq_new(VM *vm, uint32_t tag, uint32_t n)
{
    if (n > 0xFFFFu)
        epy_raise(vm, ERR_MEMORYERROR, "sequence of %u items is too large", (unsigned)n);
    uint32_t off = heap_alloc(vm, (uint8_t)tag, EPY_SEQ_BYTES(n), (uint16_t)n, 0);
    Value r = mk_obj(tag, off);
    Value *items = seq_items(vm, r);
    for (uint32_t i = 0; i < n; i++)
        items[i] = mk_none();
    return r;
}

/* New tuple/list holding n values (their references are taken). */
Value seq_from(VM *vm, uint32_t tag, const Value *items, uint32_t n)
{
    Value r = seq_new(vm, tag, n);
    Value *d = seq_items(vm, r);
    for (uint32_t i = 0; i < n; i++) {
        d[i] = items[i];
        incref(vm, items[i]);
    }
    return r;
}

/* a + b for two tuples or two lists (rooted operands). */
Value seq_concat(VM *vm, Value a, Value b)
{
    uint32_t na = seq_len(vm, a), nb = seq_len(vm, b);
    if (a.tag == V_TUPLE && (nb == 0 || na == 0)) {
        Value same = nb == 0 ? a : b;
        incref(vm, same);
        return same;
    }
    troot_push(vm, &a);
    troot_push(vm, &b);
    Value r = seq_new(vm, a.tag, na + nb);
    troot_pop(vm, 2);
    Value *d = seq_items(vm, r);
    const Value *pa = seq_items(vm, a), *pb = seq_items(vm, b);
    for (uint32_t i = 0; i < na; i++) {
        d[i] = pa[i];
        incref(vm, d[i]);
    }
    for (uint32_t i = 0; i < nb; i++) {
        d[na + i] = pb[i];
        incref(vm, d[na + i]);
    }
    return r;
}

/* s * n (rooted s). */
Value seq_repeat(VM *vm, Value s, int32_t n)
{
    uint32_t len = seq_len(vm, s);
    if (s.tag == V_TUPLE && (n == 1 || len == 0)) {
        incref(vm, s);
        return s;
    }
    if (n <= 0)
        return seq_new(vm, s.tag, 0);
    if ((uint64_t)len * (uint64_t)n > 0xFFFFu)
        epy_raise(vm, ERR_MEMORYERROR, "sequence of %llu items is too large",
                  (unsigned long long)len * (unsigned long long)n);
    troot_push(vm, &s);
    Value r = seq_new(vm, s.tag, len * (uint32_t)n);
    troot_pop(vm, 1);
    Value *d = seq_items(vm, r);
    const Value *p = seq_items(vm, s);
    for (uint32_t k = 0; k < len * (uint32_t)n; k++) {
        d[k] = p[k % len];
        incref(vm, d[k]);
    }
    return r;
}

/* s[start::step] of count items (already normalised). */
Value seq_slice(VM *vm, Value s, int32_t start, int32_t count, int32_t step)
{
    uint32_t len = seq_len(vm, s);
    if (s.tag == V_TUPLE && ((count == (int32_t)len && step == 1) || len == 0)) {
        incref(vm, s);
        return s;
    }
    troot_push(vm, &s);
    Value r = seq_new(vm, s.tag, (uint32_t)count);
    troot_pop(vm, 1);
    Value *d = seq_items(vm, r);
    const Value *p = seq_items(vm, s);
    for (int32_t k = 0; k < count; k++) {
        d[k] = p[start + k * step];
        incref(vm, d[k]);
    }
    return r;
}

/* list.append: *lst is a rooted list value; v is stored (a reference is taken). */
void list_append(VM *vm, Value *lst, Value v)
{
    if (seq_len(vm, *lst) >= 0xFFFFu)
        epy_raise(vm, ERR_MEMORYERROR, "list too long");
    troot_push(vm, &v);
    heap_list_grow(vm, lst);
    troot_pop(vm, 1);
    Value *items = seq_items(vm, *lst);
    items[seq_len(vm, *lst) - 1] = v;
    incref(vm, v);
}

/* list.pop(index): removes and returns the item (the list's reference moves to the caller). */
Value list_pop(VM *vm, Value lst, Value *index)
{
    uint32_t n = seq_len(vm, lst);
    if (n == 0)
        epy_raise(vm, ERR_INDEXERROR, "pop from empty list");
    int32_t i = -1;
    if (index) {
        if (index->tag != V_INT && index->tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                      type_name(*index));
        i = as_int(*index);
    }
    int64_t k = i < 0 ? (int64_t)i + n : i;
    if (k < 0 || k >= (int64_t)n)
        epy_raise(vm, ERR_INDEXERROR, "pop index out of range");
    Value *items = seq_items(vm, lst);
    Value r = items[k];
    memmove(&items[k], &items[k + 1], (size_t)(n - 1 - (uint32_t)k) * sizeof(Value));
    heap_list_shrink(vm, lst);
    return r;
}

/* list += other / list *= n in place (INPLACE_ADD/INPLACE_MUL on a list; CPython's
 * list.__iadd__ and list.__imul__).  *lst and *other are VM stack slots, so they stay current
 * when an append moves objects.  += appends each item of any iterable, one list_append at a
 * time (a += a appends the items it had); *= n appends the items n - 1 more times, or empties
 * the list for n <= 0. */
EPY_COLD void list_inplace(VM *vm, uint32_t op, Value *lst, Value *other)
{
    if (op == OP_INPLACE_MUL) {
        Value n = *other;
        if (n.tag != V_INT && n.tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "can't multiply sequence by non-int of type '%s'",
                      type_name(n));
        if (as_int(n) <= 0) {
            while (seq_len(vm, *lst) > 0)
                decref(vm, list_pop(vm, *lst, 0));
            return;
        }
        uint32_t len = seq_len(vm, *lst);
        for (int32_t k = 1; k < as_int(n); k++)
            for (uint32_t i = 0; i < len; i++)
                list_append(vm, lst, seq_items(vm, *lst)[i]);
        return;
    }
    if (other->tag == V_LIST || other->tag == V_TUPLE) {
        uint32_t n = seq_len(vm, *other);
        for (uint32_t i = 0; i < n; i++)
            list_append(vm, lst, seq_items(vm, *other)[i]);
        return;
    }
    if (!seq_like(*other) && other->tag != V_ITER)
        epy_raise(vm, ERR_TYPEERROR, "'%s' object is not iterable", type_name(*other));
    uint32_t pos = 0;
    Value item;
    while (source_next(vm, *other, &pos, &item)) {
        list_append(vm, lst, item);
        decref(vm, item);
    }
}

/* The first index of an item == x in the list or tuple, or -1. */
EPY_COLD static int32_t list_find(VM *vm, Value lst, Value x, uint32_t lo)
{
    for (uint32_t k = lo; k < seq_len(vm, lst); k++)
        if (values_eq(vm, seq_items(vm, lst)[k], x))
            return (int32_t)k;
    return -1;
}

/* The list methods that are rare in loops: extend, insert, remove, index, count, reverse
 * (args: borrowed VM stack slots, args[0] a list, or a tuple for index and count). */
EPY_COLD Value list_method(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    Value lst = args[0];
    switch (id) {
    case BI_LIST_EXTEND:
        list_inplace(vm, OP_INPLACE_ADD, &args[0], &args[1]);
        return mk_none();
    case BI_LIST_INSERT: {
        if (args[1].tag != V_INT && args[1].tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                      type_name(args[1]));
        int64_t n = seq_len(vm, lst), i = as_int(args[1]);
        if (i < 0) {
            i += n;
            if (i < 0)
                i = 0;
        } else if (i > n) {
            i = n;
        }
        list_append(vm, &args[0], args[2]);
        Value *items = seq_items(vm, args[0]);
        Value v = items[n];
        memmove(&items[i + 1], &items[i], (size_t)(n - i) * sizeof(Value));
        items[i] = v;
        return mk_none();
    }
    case BI_LIST_REMOVE: {
        int32_t k = list_find(vm, lst, args[1], 0);
        if (k < 0)
            epy_raise(vm, ERR_VALUEERROR, "list.remove(x): x not in list");
        Value at = mk_int(k);
        decref(vm, list_pop(vm, lst, &at));
        return mk_none();
    }
    case BI_LIST_INDEX: {
        int64_t b[2] = {0, seq_len(vm, lst)}, len = b[1];
        for (uint32_t j = 2; j < n; j++) { /* start, end: clamped as a slice's */
            if (args[j].tag != V_INT && args[j].tag != V_BOOL)
                epy_raise(vm, ERR_TYPEERROR,
                          "slice indices must be integers or have an __index__ method");
            int64_t x = as_int(args[j]);
            if (x < 0 && (x += len) < 0)
                x = 0;
            b[j - 2] = x > len ? len : x;
        }
        int32_t k = list_find(vm, lst, args[1], (uint32_t)b[0]);
        if (k >= b[1])
            k = -1;
        if (k < 0) {
            const char *what = lst.tag == V_TUPLE ? "tuple" : "list";
            epy_raise(vm, ERR_VALUEERROR, "%s.index(x): x not in %s", what, what);
        }
        return mk_int(k);
    }
    case BI_LIST_COUNT: {
        if (n != 2)
            epy_raise(vm, ERR_TYPEERROR, "%s.count() takes exactly one argument (%u given)",
                      lst.tag == V_TUPLE ? "tuple" : "list", (unsigned)(n - 1));
        int32_t c = 0;
        for (uint32_t k = 0; k < seq_len(vm, lst); k++)
            c += values_eq(vm, seq_items(vm, lst)[k], args[1]);
        return mk_int(c);
    }
    default: { /* BI_LIST_REVERSE */
        Value *items = seq_items(vm, lst);
        for (uint32_t a = 0, b = seq_len(vm, lst); a + 1 < b; a++, b--) {
            Value t = items[a];
            items[a] = items[b - 1];
            items[b - 1] = t;
        }
        return mk_none();
    }
    }
}

/* Reverse items [lo, hi) of a list. */
EPY_COLD static void reverse_items(Value *items, uint32_t lo, uint32_t hi)
{
    for (; lo + 1 < hi; lo++, hi--) {
        Value t = items[lo];
        items[lo] = items[hi - 1];
        items[hi - 1] = t;
    }
}

/* keys[i] < keys[j] (items re-read after each comparison: nothing moves meanwhile). */
EPY_COLD static int key_lt(VM *vm, Value keys, uint32_t i, Value pivot)
{
    return compare_order(vm, OP_COMPARE_LT, pivot, seq_items(vm, keys)[i]);
}

/* Move item `from` down to `to` (< from) in a list, shifting those between up by one. */
EPY_COLD static void rotate_down(Value lst, VM *vm, uint32_t to, uint32_t from)
{
    Value *items = seq_items(vm, lst), v = items[from];
    memmove(&items[to + 1], &items[to], (size_t)(from - to) * sizeof(Value));
    items[to] = v;
}

/* list.sort(lst[, keys, reverse]) (esim/cores/sorting.py is the spec): CPython 3.11's sort of
 * fewer than 64 items, comparison for comparison (the first run, then binary insertion), on
 * keys (the list itself, or the compiler's list of keys with the items moved alongside). */
EPY_COLD Value list_sort(VM *vm, Value *args, uint32_t n)
{
    Value lst = args[0];
    if (lst.tag != V_LIST)
        epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'sort'", type_name(lst));
    Value keys = n > 1 && args[1].tag != V_NONE ? args[1] : lst;
    int rev = n > 2 && truth(vm, args[2]);
    uint32_t len = seq_len(vm, lst), run = len, k;
    int both = keys.u != lst.u;
    if (both && (keys.tag != V_LIST || seq_len(vm, keys) != len))
        epy_raise(vm, ERR_VALUEERROR, "list modified during sort");
    if (rev) {
        reverse_items(seq_items(vm, keys), 0, len);
        if (both)
            reverse_items(seq_items(vm, lst), 0, len);
    }
    if (len >= 2) {
        int desc = key_lt(vm, keys, 0, seq_items(vm, keys)[1]);
        for (run = 2; run < len; run++)
            if (key_lt(vm, keys, run - 1, seq_items(vm, keys)[run]) != desc)
                break;
        if (desc) {
            reverse_items(seq_items(vm, keys), 0, run);
            if (both)
                reverse_items(seq_items(vm, lst), 0, run);
        }
    }
    for (k = run ? run : 1; k < len; k++) {
        uint32_t lo = 0, hi = k;
        Value pivot = seq_items(vm, keys)[k];
        while (lo < hi) {
            uint32_t mid = (lo + hi) >> 1;
            if (key_lt(vm, keys, mid, pivot))
                hi = mid;
            else
                lo = mid + 1;
        }
        rotate_down(keys, vm, lo, k);
        if (both)
            rotate_down(lst, vm, lo, k);
    }
    if (rev) {
        reverse_items(seq_items(vm, keys), 0, len);
        if (both)
            reverse_items(seq_items(vm, lst), 0, len);
    }
    return mk_none();
}
