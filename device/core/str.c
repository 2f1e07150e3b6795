/* str.c: UTF-8 strings: constants of the image (static) and computed ones (heap).
 * Lengths and indexes count code points, as in CPython; bytes compare in code point order. */
#include "vm.h"

/* Bytes and byte length of a str value. */
const uint8_t *str_data(VM *vm, Value v, uint32_t *len)
{
    if (v.tag == V_SSTR) {
        const uint8_t *p = vm->local + v.u;
        *len = rd16(p);
        return p + 2;
    }
    *len = obj(vm, v.u)->len;
    return vm->arena + v.u + 8;
}

/* New heap str of n bytes (MemoryError beyond the u16 length). */
Value str_new(VM *vm, uint32_t n)
{
    if (n > 0xFFFFu)
        epy_raise(vm, ERR_MEMORYERROR, "string of %u bytes is too large", (unsigned)n);
    uint32_t off = heap_alloc(vm, V_STR, EPY_STR_BYTES(n), (uint16_t)n, 0);
    return mk_obj(V_STR, off);
}

/* New str from outside bytes. */
Value str_from(VM *vm, const char *s, uint32_t n)
{
    Value r = str_new(vm, n);
    memcpy(str_bytes(vm, r), s, n);
    return r;
}

/* Code points in n bytes of UTF-8. */
static uint32_t count_chars(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}

/* Code points of a str. */
uint32_t str_chars(VM *vm, Value s)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    return count_chars(p, n);
}

/* Byte offset of code point i (n bytes). */
static uint32_t char_offset(const uint8_t *p, uint32_t n, uint32_t i)
{
    uint32_t b = 0;
    while (b < n && i) {
        b++;
        while (b < n && (p[b] & 0xC0) == 0x80)
            b++;
        i--;
    }
    return b;
}

/* Byte length of the code point starting at p[b]. */
static uint32_t char_len(const uint8_t *p, uint32_t n, uint32_t b)
{
    uint32_t e = b + 1;
    while (e < n && (p[e] & 0xC0) == 0x80)
        e++;
    return e - b;
}

/* a + b (a and b must be rooted). */
Value str_concat(VM *vm, Value a, Value b)
{
    uint32_t na, nb;
    str_data(vm, a, &na);
    str_data(vm, b, &nb);
    if (nb == 0) {
        incref(vm, a);
        return a;
    }
    if (na == 0) {
        incref(vm, b);
        return b;
    }
    troot_push(vm, &a);
    troot_push(vm, &b);
    Value r = str_new(vm, na + nb);
    troot_pop(vm, 2);
    const uint8_t *pa = str_data(vm, a, &na);
    const uint8_t *pb = str_data(vm, b, &nb);
    memcpy(str_bytes(vm, r), pa, na);
    memcpy(str_bytes(vm, r) + na, pb, nb);
    return r;
}

/* s * n (s rooted). */
Value str_repeat(VM *vm, Value s, int32_t n)
{
    uint32_t len;
    str_data(vm, s, &len);
    if (n == 1 || (len == 0 && n > 0) || (len == 0 && n <= 0)) {
        incref(vm, s);
        return s;
    }
    if (n <= 0)
        return str_new(vm, 0);
    uint32_t chars = str_chars(vm, s);
    if ((uint64_t)chars * (uint64_t)n > 0xFFFFu)
        epy_raise(vm, ERR_MEMORYERROR, "sequence of %llu items is too large",
                  (unsigned long long)chars * (unsigned long long)n);
    troot_push(vm, &s);
    Value r = str_new(vm, len * (uint32_t)n);
    troot_pop(vm, 1);
    const uint8_t *p = str_data(vm, s, &len);
    for (int32_t i = 0; i < n; i++)
        memcpy(str_bytes(vm, r) + (uint32_t)i * len, p, len);
    return r;
}

/* Ordering of two strs. */
int str_cmp(VM *vm, Value a, Value b)
{
    uint32_t na, nb;
    const uint8_t *pa = str_data(vm, a, &na);
    const uint8_t *pb = str_data(vm, b, &nb);
    int c = memcmp(pa, pb, na < nb ? na : nb);
    if (c)
        return c;
    return na < nb ? -1 : na > nb;
}

/* Substring test. */
int str_contains(VM *vm, Value hay, Value needle)
{
    uint32_t nh, nn;
    const uint8_t *ph = str_data(vm, hay, &nh);
    const uint8_t *pn = str_data(vm, needle, &nn);
    if (nn == 0)
        return 1;
    for (uint32_t i = 0; i + nn <= nh; i++)
        if (ph[i] == pn[0] && memcmp(ph + i, pn, nn) == 0)
            return 1;
    return 0;
}

/* s[i] as a new str. */
Value str_char_at(VM *vm, Value s, uint32_t i)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    uint32_t b = char_offset(p, n, i), cl = char_len(p, n, b);
    if (cl == n) {
        incref(vm, s); /* a one-character str indexes to itself, as in CPython */
        return s;
    }
    troot_push(vm, &s);
    Value r = str_new(vm, cl);
    troot_pop(vm, 1);
    p = str_data(vm, s, &n);
    memcpy(str_bytes(vm, r), p + b, cl);
    return r;
}

/* s[start::step] of `count` code points (indexes already clamped by the caller). */
Value str_slice(VM *vm, Value s, int32_t start, int32_t count, int32_t step, uint32_t nchars)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    if ((count == (int32_t)nchars && step == 1) || (count == 0 && n == 0)) {
        incref(vm, s);
        return s;
    }
    int ascii = (n == nchars);
    uint32_t bytes = 0;
    int32_t k, i;
    for (k = 0, i = start; k < count; k++, i += step)
        bytes += ascii ? 1 : char_len(p, n, char_offset(p, n, (uint32_t)i));
    troot_push(vm, &s);
    Value r = str_new(vm, bytes);
    troot_pop(vm, 1);
    p = str_data(vm, s, &n);
    uint8_t *d = str_bytes(vm, r);
    for (k = 0, i = start; k < count; k++, i += step) {
        if (ascii) {
            *d++ = p[i];
        } else {
            uint32_t b = char_offset(p, n, (uint32_t)i), cl = char_len(p, n, b);
            memcpy(d, p + b, cl);
            d += cl;
        }
    }
    return r;
}
