/* iter.c: range objects, iterators over sequences, enumerate and zip (24-byte objects). */
#include "vm.h"

/* Is v a sequence with a length and items by position (str, tuple, list, range, array, row,
 * and a dict or a dict view: its keys, values or items in order). */
int seq_like(Value v)
{
    switch (v.tag) {
    case V_SSTR: case V_STR: case V_TUPLE: case V_LIST: case V_RANGE: case V_ARRAY: case V_SARRAY: case V_ROW:
    case V_HARRAY: case V_DICT: case V_DVIEW: case V_SET:
        return 1;
    default:
        return 0;
    }
}

/* Number of items of range(lo, hi, st), st != 0 (unsigned 32-bit arithmetic: no 64-bit
 * division on the chip). */
EPY_COLD static uint32_t range_count(int32_t lo, int32_t hi, int32_t st)
{
    if (st > 0 && lo < hi)
        return ((uint32_t)hi - (uint32_t)lo - 1u) / (uint32_t)st + 1u;
    if (st < 0 && lo > hi)
        return ((uint32_t)lo - (uint32_t)hi - 1u) / (0u - (uint32_t)st) + 1u;
    return 0;
}

/* Length of a range. */
uint32_t range_len(VM *vm, Value r)
{
    return ((RangeObj *)(void *)obj(vm, r.u))->len;
}

/* Length of a sequence-like value. */
uint32_t generic_len(VM *vm, Value v)
{
    switch (v.tag) {
    case V_SSTR: case V_STR: return str_chars(vm, v);
    case V_TUPLE: case V_LIST: return seq_len(vm, v);
    case V_RANGE: return range_len(vm, v);
    case V_DICT: case V_DVIEW: case V_SET: return dict_len(vm, v);
    default: return array_len(vm, v);
    }
}

/* Item i (< length) of a sequence-like value, as a new reference. */
Value generic_item(VM *vm, Value v, uint32_t i)
{
    switch (v.tag) {
    case V_SSTR: case V_STR: return str_char_at(vm, v, i);
    case V_TUPLE: case V_LIST: {
        Value r = seq_items(vm, v)[i];
        incref(vm, r);
        return r;
    }
    case V_RANGE: return mk_int(range_item((RangeObj *)(void *)obj(vm, v.u), i));
    case V_DICT: case V_DVIEW: case V_SET: return dict_item(vm, v, i);
    default: return array_item(vm, v, i);
    }
}

/* A new iterator object over src (and src2 for zip). */
/* How many iterators an iterator is made of (itself and what it iterates over, the deeper
 * source of a zip): next() recurses that deep, so it is bounded by EPY_MAX_ITERATOR_NESTING. */
EPY_COLD static uint32_t iter_depth(VM *vm, Value v)
{
    return v.tag == V_ITER ? ITER_DEPTH(obj(vm, v.u)) : 0;
}

static Value iter_make(VM *vm, uint32_t kind, Value src, Value src2, uint32_t aux)
{
    uint32_t d1 = iter_depth(vm, src), d2 = iter_depth(vm, src2);
    uint32_t depth = 1 + (d1 > d2 ? d1 : d2);
    if (depth > EPY_MAX_ITERATOR_NESTING)
        epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_ITER_MESSAGE);
    troot_push(vm, &src);
    troot_push(vm, &src2);
    uint32_t off = heap_alloc(vm, V_ITER, EPY_SMALL_OBJECT_BYTES, (uint16_t)kind, 0);
    troot_pop(vm, 2);
    IterObj *it = (IterObj *)(void *)obj(vm, off);
    it->h.flags |= (uint8_t)(depth << ITER_DEPTH_SHIFT);
    it->src = src;
    it->aux = kind == IT_ZIP ? pack_ref(src2) : aux;
    it->pos = 0;
    incref(vm, src);
    incref(vm, src2);
    return mk_obj(V_ITER, off);
}

/* iter(v). */
Value iter_new(VM *vm, Value v)
{
    if (v.tag == V_ITER) {
        incref(vm, v);
        return v;
    }
    if (!seq_like(v))
        epy_raise(vm, ERR_TYPEERROR, "'%s' object is not iterable", type_name(v));
    /* over a dict or a view, aux is the dict's size plus one, checked at each step */
    return iter_make(vm, IT_SEQ, v, mk_none(), v.tag >= V_DVIEW || v.tag == V_DICT ? dict_len(vm, v) + 1u : 0);
}

/* An iterable argument of enumerate/zip (TypeError otherwise). */
static void check_iterable(VM *vm, Value v)
{
    if (v.tag != V_ITER && !seq_like(v))
        epy_raise(vm, ERR_TYPEERROR, "'%s' object is not iterable", type_name(v));
}

/* Next item of src (a sequence at position *pos, or an iterator); 0 when exhausted. */
int source_next(VM *vm, Value src, uint32_t *pos, Value *out)
{
    if (src.tag == V_ITER) {
        troot_push(vm, &src);
        int more = iter_next(vm, &src, out);
        troot_pop(vm, 1);
        return more;
    }
    if (*pos >= generic_len(vm, src))
        return 0;
    *out = generic_item(vm, src, (*pos)++);
    return 1;
}

/* next(it): a new reference in *out, or 0 when exhausted.  *it must be rooted. */
int iter_next(VM *vm, Value *itv, Value *out)
{
    IterObj *it = (IterObj *)(void *)obj(vm, itv->u);
    uint32_t kind = it->h.len;
    Value src = it->src;
    uint32_t pos = it->pos;
    if (kind == IT_SEQ && src.tag == V_RANGE) {
        RangeObj *r = (RangeObj *)(void *)obj(vm, src.u);
        if (pos >= r->len)
            return 0;
        it->pos = pos + 1;
        *out = mk_int(range_item(r, pos));
        return 1;
    }
    if (kind == IT_SEQ) {
        if (it->aux)
            dict_check_size(vm, src, it->aux);
        if (!source_next(vm, src, &pos, out))
            return 0;
        it = (IterObj *)(void *)obj(vm, itv->u);
        it->pos = pos;
        return 1;
    }
    Value a, b = mk_none();
    if (kind == IT_ENUM) {
        uint32_t k = pos;
        if (!source_next(vm, src, &k, &b))
            return 0;
        it = (IterObj *)(void *)obj(vm, itv->u);
        it->pos = pos + 1;
        a = mk_int((int32_t)(it->aux + pos));
    } else {
        uint32_t p1 = pos, p2 = pos;
        if (!source_next(vm, src, &p1, &a))
            return 0;
        troot_push(vm, &a);
        it = (IterObj *)(void *)obj(vm, itv->u);
        int more = source_next(vm, unpack_ref(it->aux), &p2, &b);
        troot_pop(vm, 1);
        if (!more) {
            decref(vm, a);
            return 0;
        }
        it = (IterObj *)(void *)obj(vm, itv->u);
        it->pos = pos + 1;
    }
    Value pair[2] = {a, b};
    troot_push(vm, &pair[0]);
    troot_push(vm, &pair[1]);
    Value t = seq_from(vm, V_TUPLE, pair, 2);
    troot_pop(vm, 2);
    decref(vm, pair[0]);
    decref(vm, pair[1]);
    *out = t;
    return 1;
}

/* range(stop) / range(start, stop[, step]). */
Value range_new(VM *vm, const Value *args, uint32_t n)
{
    int32_t v[3] = {0, 0, 1};
    for (uint32_t i = 0; i < n; i++) {
        if (args[i].tag != V_INT && args[i].tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                      type_name(args[i]));
    }
    if (n == 3 && as_int(args[2]) == 0)
        epy_raise(vm, ERR_VALUEERROR, "range() arg 3 must not be zero");
    if (n == 1) {
        v[1] = as_int(args[0]);
    } else {
        for (uint32_t i = 0; i < n; i++)
            v[i] = as_int(args[i]);
    }
    uint32_t off = heap_alloc(vm, V_RANGE, EPY_SMALL_OBJECT_BYTES, 0, 0);
    RangeObj *r = (RangeObj *)(void *)obj(vm, off);
    r->start = v[0];
    r->stop = v[1];
    r->step = v[2];
    r->len = range_count(v[0], v[1], v[2]);
    return mk_obj(V_RANGE, off);
}

/* r[lo:hi:step] of the range r, given the slice's indices into r (slice.indices of its length):
 * range(r.start + lo * r.step, r.start + hi * r.step, r.step * step).  OverflowError when a
 * bound leaves int32 (CPython's bounds are unbounded ints; kernels' ints are int32). */
EPY_COLD Value range_slice(VM *vm, Value r, int32_t lo, int32_t hi, int32_t step)
{
    const RangeObj *src = (RangeObj *)(void *)obj(vm, r.u);
    int64_t a = (int64_t)src->start + (int64_t)lo * src->step;
    int64_t b = (int64_t)src->start + (int64_t)hi * src->step;
    int64_t s = (int64_t)src->step * step;
    if (a < INT32_MIN || a > INT32_MAX || b < INT32_MIN || b > INT32_MAX || s < INT32_MIN ||
        s > INT32_MAX)
        epy_raise(vm, ERR_OVERFLOWERROR, "range slice bounds do not fit in 32 bits");
    Value args[3] = {mk_int((int32_t)a), mk_int((int32_t)b), mk_int((int32_t)s)};
    return range_new(vm, args, 3);
}

/* item in range r: the arithmetic test for an int (or a float with an integral value), in
 * 32-bit unsigned arithmetic (no 64-bit division on the chip). */
EPY_COLD int range_contains(VM *vm, Value r, Value item)
{
    int32_t k;
    if (item.tag == V_INT || item.tag == V_BOOL) {
        k = as_int(item);
    } else if (item.tag == V_FLOAT) {
        float f = as_float(item);
        if (!(f >= -2147483648.0f && f < 2147483648.0f) || (float)(int32_t)f != f)
            return 0; /* nan, inf, a fraction or outside int32: equal to no item */
        k = (int32_t)f;
    } else {
        return 0; /* == to no int */
    }
    const RangeObj *x = (RangeObj *)(void *)obj(vm, r.u);
    uint32_t dist, step;
    if (x->step > 0) {
        if (k < x->start)
            return 0;
        dist = (uint32_t)k - (uint32_t)x->start;
        step = (uint32_t)x->step;
    } else {
        if (k > x->start)
            return 0;
        dist = (uint32_t)x->start - (uint32_t)k;
        step = 0u - (uint32_t)x->step;
    }
    return dist % step == 0 && dist / step < x->len;
}

/* enumerate(seq, start). */
Value enumerate_new(VM *vm, Value seq, Value start)
{
    if (start.tag != V_INT && start.tag != V_BOOL)
        epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                  type_name(start));
    check_iterable(vm, seq);
    return iter_make(vm, IT_ENUM, seq, mk_none(), (uint32_t)as_int(start));
}

/* zip(a, b). */
Value zip_new(VM *vm, Value a, Value b)
{
    check_iterable(vm, a);
    check_iterable(vm, b);
    return iter_make(vm, IT_ZIP, a, b, 0);
}
