/* array.c: numpy-like array arguments (int32, float32, bool; 1-D or 2-D), used in place in the
 * argument area of local memory; rows of 2-D arrays are 24-byte view objects. */
#include "platform.h"
#include "vm.h"

static const char *const dtype_names[3] = {"int32", "float32", "bool"};

/* Bytes of a marshalled array at p (tag byte first); 0 when malformed within max bytes. */
EPY_COLD uint32_t array_wire_size(const uint8_t *p, uint32_t max)
{
    if (max < 3 || p[1] > 2 || (p[2] != 1 && p[2] != 2) || max < 3u + 2u * p[2])
        return 0;
    uint32_t n = rd16(p + 3);
    if (p[2] == 2)
        n *= rd16(p + 5);
    uint32_t bytes = 3u + 2u * p[2] + n * (p[1] == 2 ? 1u : 4u);
    return bytes <= max ? bytes : 0;
}


/* Bytes of a shared() array's descriptor at p (tag, dtype, ndim, u32 shape[ndim], u32 offset of
 * the data in epython's DRAM area); 0 when malformed or outside the DRAM window. */
EPY_COLD uint32_t shared_wire_size(const uint8_t *p, uint32_t max)
{
    if (max < 3 || p[1] > 2 || (p[2] != 1 && p[2] != 2) || max < 7u + 4u * p[2])
        return 0;
    uint64_t n = rd32(p + 3), off = rd32(p + 3 + 4u * p[2]);
    if (p[2] == 2)
        n *= rd32(p + 7);
    uint64_t end = EPY_DRAM_AREA_OFFSET + off + n * (p[1] == 2 ? 1u : 4u);
    return end <= EPY_DRAM_WINDOW_BYTES ? 7u + 4u * p[2] : 0;
}

/* Describe an array or row value. */
void array_ref(VM *vm, Value v, ArrayRef *a)
{
    Value base = v.tag == V_ROW ? ((RowObj *)(void *)obj(vm, v.u))->arr : v;
    uint8_t *p = base.tag == V_HARRAY ? vm->arena + base.u + 8 : vm->local + base.u;
    a->base = base;
    a->dtype = p[1];
    a->ndim = p[2];
    if (base.tag == V_SARRAY) { /* the data in shared DRAM: every access crosses the mesh */
        a->shape0 = rd32(p + 3);
        a->shape1 = a->ndim == 2 ? rd32(p + 7) : 1;
        a->data = (uint8_t *)(uintptr_t)plat_dram_address(EPY_DRAM_AREA_OFFSET +
                                                          rd32(p + 3 + 4 * a->ndim));
    } else {
        a->shape0 = rd16(p + 3);
        a->shape1 = a->ndim == 2 ? rd16(p + 5) : 1;
        a->data = p + 3 + 2 * a->ndim;
    }
    a->first = 0;
    if (v.tag == V_ROW) {
        uint32_t row = ((RowObj *)(void *)obj(vm, v.u))->row;
        a->first = row * a->shape1;
        a->ndim = 1;
        a->shape0 = a->shape1;
        a->shape1 = 1;
        a->data += a->first * (a->dtype == 2 ? 1u : 4u);
    }
}

/* Element i of a 1-D view. */
Value array_get_flat(const ArrayRef *a, uint32_t i)
{
    if (a->dtype == 2)
        return mk_bool(a->data[i] != 0);
    /* shared DRAM: one aligned 32-bit load (the simulator models one load per element) */
    Value v = {a->dtype == 1 ? (uint32_t)V_FLOAT : (uint32_t)V_INT,
               a->base.tag == V_SARRAY ? ld_word(a->data + 4 * i) : rd32(a->data + 4 * i)};
    return v;
}

/* Items on axis 0. */
uint32_t array_len(VM *vm, Value arr)
{
    ArrayRef a;
    array_ref(vm, arr, &a);
    return a.shape0;
}

/* A new row view of a 2-D array (base: the array value). */
static Value row_new(VM *vm, Value base, uint32_t row)
{
    troot_push(vm, &base);
    uint32_t off = heap_alloc(vm, V_ROW, EPY_SMALL_OBJECT_BYTES, 0, 0);
    troot_pop(vm, 1);
    RowObj *r = (RowObj *)(void *)obj(vm, off);
    r->arr = base;
    r->row = row;
    r->pad = 0;
    incref(vm, base);
    return mk_obj(V_ROW, off);
}

/* Item i on axis 0: an element, or a row view of a 2-D array. */
Value array_item(VM *vm, Value arr, uint32_t i)
{
    ArrayRef a;
    array_ref(vm, arr, &a);
    if (a.ndim == 2)
        return row_new(vm, a.base, i);
    return array_get_flat(&a, i);
}

/* An index value as an int (array rules). */
static int32_t as_index(VM *vm, Value i)
{
    if (i.tag == V_INT || i.tag == V_BOOL)
        return as_int(i);
    epy_raise(vm, ERR_TYPEERROR, "array indices must be integers, not %s", type_name(i));
}

/* Normalise index i on an axis of size n (IndexError when outside). */
static uint32_t axis_index(VM *vm, int32_t i, uint32_t n, uint32_t axis)
{
    int64_t k = i < 0 ? (int64_t)i + n : i;
    if (k < 0 || k >= (int64_t)n)
        epy_raise(vm, ERR_INDEXERROR, "index %ld is out of bounds for axis %u with size %u",
                  (long)i, (unsigned)axis, (unsigned)n);
    return (uint32_t)k;
}

/* Resolve an index to a flat element (returns 1) or a row (returns 0, *flat = row). */
static int locate(VM *vm, const ArrayRef *a, Value index, uint32_t *flat)
{
    if (index.tag == V_TUPLE) {
        uint32_t n = seq_len(vm, index);
        if (n != a->ndim)
            epy_raise(vm, ERR_INDEXERROR, "too many indices for array: array is %u-dimensional, "
                      "but %u were indexed", (unsigned)a->ndim, (unsigned)n);
        const Value *it = seq_items(vm, index);
        uint32_t f = 0;
        uint32_t shape[2] = {a->shape0, a->shape1};
        for (uint32_t k = 0; k < n; k++)
            f = f * shape[k] + axis_index(vm, as_index(vm, it[k]), shape[k], k);
        *flat = f;
        return 1;
    }
    uint32_t i = axis_index(vm, as_index(vm, index), a->shape0, 0);
    *flat = i;
    return a->ndim == 1;
}

/* a[i] for an int i on a 1-D array or a row, when i is in range: the element in *out and 1;
 * otherwise 0 (array_subscr then gives the answer or the error). */
EPY_HOT int array_get_int(VM *vm, Value v, int32_t i, Value *out)
{
    Value base = v;
    uint32_t row = 0;
    if (v.tag == V_ROW) {
        RowObj *r = (RowObj *)(void *)obj(vm, v.u);
        base = r->arr;
        row = r->row;
    }
    if (base.tag == V_SARRAY)
        return 0; /* array_subscr reads it from DRAM */
    const uint8_t *p = base.tag == V_HARRAY ? vm->arena + base.u + 8 : vm->local + base.u;
    uint32_t ndim = p[2], n = rd16(p + 1 + 2 * ndim); /* the last axis */
    if (v.tag != V_ROW && ndim != 1)
        return 0;
    uint32_t k = (uint32_t)i + (i < 0 ? n : 0);
    if (k >= n)
        return 0;
    k += row * n;
    const uint8_t *d = p + 3 + 2 * ndim;
    uint32_t dtype = p[1], u;
    if (dtype == 2) {
        *out = mk_bool(d[k] != 0);
    } else {
        memcpy(&u, d + 4 * k, 4);
        out->tag = dtype == 1 ? V_FLOAT : V_INT;
        out->u = u;
    }
    return 1;
}

/* a[index]. */
Value array_subscr(VM *vm, Value arr, Value index)
{
    ArrayRef a;
    uint32_t flat;
    array_ref(vm, arr, &a);
    if (locate(vm, &a, index, &flat))
        return array_get_flat(&a, flat);
    return row_new(vm, a.base, flat);
}

/* a[index] = v with numpy's conversion to the dtype. */
void array_store(VM *vm, Value arr, Value index, Value v)
{
    ArrayRef a;
    uint32_t flat;
    array_ref(vm, arr, &a);
    if (!locate(vm, &a, index, &flat))
        epy_raise(vm, ERR_TYPEERROR, "assigning a whole row of a 2-D array is not supported");
    if (!is_num(v))
        epy_raise(vm, ERR_TYPEERROR, "cannot store a %s in an array of %s", type_name(v),
                  dtype_names[a.dtype]);
    uint32_t u;
    if (a.dtype == 2) {
        a.data[flat] = (uint8_t)truth(vm, v);
        return;
    } else if (a.dtype == 1) {
        u = v.tag == V_FLOAT ? v.u : mk_float((float)as_int(v)).u;
    } else {
        u = (uint32_t)(v.tag == V_FLOAT ? float_to_int(vm, as_float(v)) : as_int(v));
    }
    if (a.base.tag == V_SARRAY)
        st_word(a.data + 4 * flat, u); /* shared DRAM: one aligned 32-bit store */
    else
        wr32(a.data + 4 * flat, u);
}
