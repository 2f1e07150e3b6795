/* str.c: UTF-8 strings: constants of the image (static) and computed ones (heap).
 * Lengths and indexes count code points, as in CPython; bytes compare in code point order. */
#include "utf8.h"
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

/* ---- str methods (esim/cores/strings.py is their spec): all cold ---- */

/* Byte length of the code point at p[b] if CPython counts it as whitespace, else 0. */
EPY_COLD_HELPER static uint32_t space_at(const uint8_t *p, uint32_t n, uint32_t b)
{
    uint32_t c, len = utf8_decode(p + b, n - b, &c);
    int sp = (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
             c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
             c == 0x202F || c == 0x205F || c == 0x3000;
    return sp ? len : 0;
}

/* Start of the code point that ends at byte b > 0. */
EPY_COLD_HELPER static uint32_t prev_start(const uint8_t *p, uint32_t b)
{
    do
        b--;
    while (b && (p[b] & 0xC0) == 0x80);
    return b;
}

/* A method's receiver must be a str (AttributeError naming the method otherwise). */
EPY_COLD static const uint8_t *receiver(VM *vm, uint32_t id, Value *args, uint32_t *n)
{
    if (!is_str(args[0]))
        epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute '%s'", type_name(args[0]),
                  id == BI_LIST_INDEX ? "index" : id == BI_LIST_COUNT ? "count"
                                                                      : epy_builtin_names[id] + 4);
    return str_data(vm, args[0], n);
}

/* An int argument (maxsplit, count). */
EPY_COLD static int32_t int_arg(VM *vm, Value v)
{
    if (v.tag != V_INT && v.tag != V_BOOL)
        epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                  type_name(v));
    return as_int(v);
}

/* A str argument (sub of find, count...). */
EPY_COLD static void need_sub(VM *vm, Value v)
{
    if (!is_str(v))
        epy_raise(vm, ERR_TYPEERROR, "must be str, not %s", type_name(v));
}

/* CPython's ADJUST_INDICES of args[first], args[first + 1] (start, end: None or ints) against
 * nchars code points, into *lo and *hi. */
EPY_COLD static void char_bounds(VM *vm, Value *args, uint32_t n, uint32_t first, int32_t nchars,
                                 int32_t *lo, int32_t *hi)
{
    int32_t v[2] = {0, nchars};
    for (uint32_t k = 0; k < 2 && first + k < n; k++) {
        Value a = args[first + k];
        if (a.tag == V_NONE)
            continue;
        if (a.tag != V_INT && a.tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR,
                      "slice indices must be integers or None or have an __index__ method");
        int64_t x = as_int(a);
        if (x > nchars && k == 1)
            x = nchars;
        else if (x < 0 && (x += nchars) < 0)
            x = 0;
        v[k] = (int32_t)x;
    }
    *lo = v[0];
    *hi = v[1];
}

/* A new str of bytes [b, e) of the str in slot *s (the whole str itself when they cover it). */
EPY_COLD static Value substr(VM *vm, Value *s, uint32_t b, uint32_t e)
{
    uint32_t n;
    str_data(vm, *s, &n);
    if (b == 0 && e == n) {
        incref(vm, *s);
        return *s;
    }
    Value r = str_new(vm, e - b);
    const uint8_t *p = str_data(vm, *s, &n);
    memcpy(str_bytes(vm, r), p + b, e - b);
    return r;
}

/* First (dir > 0) or last byte offset of needle in hay[lo, hi), or -1. */
EPY_COLD static int32_t byte_find(const uint8_t *h, uint32_t lo, uint32_t hi, const uint8_t *nd,
                                  uint32_t nn, int dir)
{
    if (hi < lo || hi - lo < nn)
        return -1;
    for (uint32_t k = 0; k <= hi - lo - nn; k++) {
        uint32_t i = dir > 0 ? lo + k : hi - nn - k;
        if (memcmp(h + i, nd, nn) == 0)
            return (int32_t)i;
    }
    return -1;
}

/* One piece of a split: counted (list none) or stored at index k of *list. */
EPY_COLD static void split_add(VM *vm, Value *s, Value *list, uint32_t k, uint32_t b, uint32_t e)
{
    if (list->tag == V_NONE)
        return;
    Value piece = substr(vm, s, b, e);
    seq_items(vm, *list)[k] = piece;
}

/* The pieces of s.split(sep, maxsplit) (rev: rsplit), CPython's algorithms on UTF-8 bytes;
 * counts them, and stores them into *list unless it is None (rsplit stores from the end). */
EPY_COLD static uint32_t split_scan(VM *vm, Value *args, int has_sep, int rev, int32_t maxsplit,
                                    Value *list, uint32_t total)
{
    uint32_t n, nn = 0, k = 0, i, j;
    const uint8_t *p = str_data(vm, args[0], &n), *sep = NULL;
    uint32_t maxcount = maxsplit < 0 ? 0xFFFFFFFFu : (uint32_t)maxsplit;
#define PIECE(b, e)                                                                    \
    do {                                                                               \
        split_add(vm, &args[0], list, rev ? total - 1 - k : k, (b), (e));              \
        k++;                                                                           \
        p = str_data(vm, args[0], &n);                                                 \
        if (sep)                                                                       \
            sep = str_data(vm, args[1], &nn);                                          \
    } while (0)
    if (has_sep) {
        sep = str_data(vm, args[1], &nn);
        if (!rev) {
            for (i = 0; maxcount-- > 0;) {
                int32_t pos = byte_find(p, i, n, sep, nn, 1);
                if (pos < 0)
                    break;
                PIECE(i, (uint32_t)pos);
                i = (uint32_t)pos + nn;
            }
            PIECE(i, n);
        } else {
            for (j = n; maxcount-- > 0;) {
                int32_t pos = byte_find(p, 0, j, sep, nn, -1);
                if (pos < 0)
                    break;
                PIECE((uint32_t)pos + nn, j);
                j = (uint32_t)pos;
            }
            PIECE(0, j);
        }
        return k;
    }
    uint32_t w;
    if (!rev) {
        for (i = 0; maxcount-- > 0;) {
            while (i < n && (w = space_at(p, n, i)) != 0)
                i += w;
            if (i == n)
                break;
            j = i;
            while (i < n && !space_at(p, n, i))
                i += char_len(p, n, i);
            PIECE(j, i);
        }
        while (i < n && (w = space_at(p, n, i)) != 0)
            i += w;
        if (i < n)
            PIECE(i, n);
    } else { /* i: the end of what is left */
        for (i = n; maxcount-- > 0;) {
            while (i && space_at(p, n, prev_start(p, i)))
                i = prev_start(p, i);
            if (!i)
                break;
            j = i;
            while (i && !space_at(p, n, prev_start(p, i)))
                i = prev_start(p, i);
            PIECE(i, j);
        }
        while (i && space_at(p, n, prev_start(p, i)))
            i = prev_start(p, i);
        if (i)
            PIECE(0, i);
    }
#undef PIECE
    return k;
}

/* s.split / s.rsplit. */
EPY_COLD static Value str_split(VM *vm, Value *args, uint32_t n, int rev)
{
    Value none = mk_none();
    int32_t maxsplit = n > 2 ? int_arg(vm, args[2]) : -1;
    int has_sep = n > 1 && args[1].tag != V_NONE;
    if (has_sep) {
        if (!is_str(args[1]))
            epy_raise(vm, ERR_TYPEERROR, "must be str or None, not %s", type_name(args[1]));
        uint32_t ns;
        str_data(vm, args[1], &ns);
        if (ns == 0)
            epy_raise(vm, ERR_VALUEERROR, "empty separator");
    }
    uint32_t count = split_scan(vm, args, has_sep, rev, maxsplit, &none, 0);
    Value list = seq_new(vm, V_LIST, count);
    troot_push(vm, &list);
    split_scan(vm, args, has_sep, rev, maxsplit, &list, count);
    troot_pop(vm, 1);
    return list;
}

/* sep.join(iterable): strs of a list or tuple, or the characters of a str. */
EPY_COLD static Value str_join(VM *vm, Value *args)
{
    Value it = args[1];
    uint32_t count, total = 0, ns, k;
    str_data(vm, args[0], &ns);
    if (is_str(it)) {
        str_data(vm, it, &total);
        count = str_chars(vm, it);
    } else if (it.tag == V_LIST || it.tag == V_TUPLE) {
        count = seq_len(vm, it);
        for (k = 0; k < count; k++) {
            Value item = seq_items(vm, it)[k];
            if (!is_str(item))
                epy_raise(vm, ERR_TYPEERROR, "sequence item %u: expected str instance, %s found",
                          (unsigned)k, type_name(item));
            uint32_t len;
            str_data(vm, item, &len);
            total += len;
        }
    } else if (seq_like(it) || it.tag == V_ITER) {
        Value item = mk_none();
        uint32_t pos = 0;
        troot_push(vm, &item);
        if (source_next(vm, it, &pos, &item)) /* a number, a tuple or a row: never a str */
            epy_raise(vm, ERR_TYPEERROR, "sequence item 0: expected str instance, %s found",
                      type_name(item));
        troot_pop(vm, 1);
        return str_new(vm, 0);
    } else {
        epy_raise(vm, ERR_TYPEERROR, "can only join an iterable");
    }
    Value r = str_new(vm, total + (count ? count - 1 : 0) * ns);
    uint8_t *d = str_bytes(vm, r);
    const uint8_t *sep = str_data(vm, args[0], &ns);
    uint32_t len = 0, b = 0;
    const uint8_t *src = is_str(it) ? str_data(vm, it, &len) : NULL;
    for (k = 0; k < count; k++) {
        if (k) {
            memcpy(d, sep, ns);
            d += ns;
        }
        if (src) {
            uint32_t cl = char_len(src, len, b);
            memcpy(d, src + b, cl);
            b += cl;
            d += cl;
        } else {
            const uint8_t *q = str_data(vm, seq_items(vm, it)[k], &len);
            memcpy(d, q, len);
            d += len;
        }
    }
    return r;
}

/* Is code point c (at p[b]) one of the n bytes of UTF-8 chars. */
EPY_COLD_HELPER static int in_chars(const uint8_t *chars, uint32_t nc, const uint8_t *p,
                                    uint32_t cl)
{
    for (uint32_t i = 0; i + cl <= nc; i += char_len(chars, nc, i))
        if (char_len(chars, nc, i) == cl && memcmp(chars + i, p, cl) == 0)
            return 1;
    return 0;
}

/* s.strip/lstrip/rstrip([chars]): which 1 left, 2 right, 3 both. */
EPY_COLD static Value str_strip(VM *vm, uint32_t id, Value *args, uint32_t n, int which)
{
    uint32_t len, nc = 0;
    const uint8_t *p = str_data(vm, args[0], &len), *chars = NULL;
    if (n > 1 && args[1].tag != V_NONE) {
        if (!is_str(args[1]))
            epy_raise(vm, ERR_TYPEERROR, "%s arg must be None or str", epy_builtin_names[id] + 4);
        chars = str_data(vm, args[1], &nc);
    }
    uint32_t b = 0, e = len;
    while ((which & 1) && b < e) {
        uint32_t cl = char_len(p, len, b);
        if (chars ? !in_chars(chars, nc, p + b, cl) : !space_at(p, len, b))
            break;
        b += cl;
    }
    while ((which & 2) && e > b) {
        uint32_t s = prev_start(p, e);
        if (chars ? !in_chars(chars, nc, p + s, e - s) : !space_at(p, len, s))
            break;
        e = s;
    }
    return substr(vm, &args[0], b, e);
}

/* s.replace(old, new[, count]). */
EPY_COLD static Value str_replace(VM *vm, Value *args, uint32_t n)
{
    for (uint32_t k = 1; k <= 2; k++)
        if (!is_str(args[k]))
            epy_raise(vm, ERR_TYPEERROR, "replace() argument %u must be str, not %s", (unsigned)k,
                      type_name(args[k]));
    int32_t count = n > 3 ? int_arg(vm, args[3]) : -1;
    uint32_t len, no, nw, hits = 0, pass, i;
    uint32_t max = count < 0 ? 0xFFFFFFFFu : (uint32_t)count;
    Value r = mk_none();
    uint8_t *d = NULL;
    for (pass = 0; pass < 2; pass++) {
        const uint8_t *p = str_data(vm, args[0], &len);
        const uint8_t *o = str_data(vm, args[1], &no);
        const uint8_t *w = str_data(vm, args[2], &nw);
        uint32_t done = 0, out = 0;
        for (i = 0; i <= len;) {
            int32_t pos = done < max ? (no ? byte_find(p, i, len, o, no, 1) : (int32_t)i) : -1;
            uint32_t upto = pos < 0 ? len : (uint32_t)pos;
            if (d)
                memcpy(d + out, p + i, upto - i);
            out += upto - i;
            if (pos < 0)
                break;
            if (d)
                memcpy(d + out, w, nw);
            out += nw;
            done++;
            i = upto + no;
            if (!no) { /* an empty old: new goes before each character and at the end */
                if (i == len)
                    break;
                uint32_t cl = char_len(p, len, i);
                if (d)
                    memcpy(d + out, p + i, cl);
                out += cl;
                i += cl;
                if (i == len && done < max) {
                    if (d)
                        memcpy(d + out, w, nw);
                    out += nw;
                    done++;
                    break;
                }
            }
        }
        if (pass == 0) {
            hits = done;
            if (!hits || (no == nw && memcmp(o, w, no) == 0)) {
                incref(vm, args[0]);
                return args[0];
            }
            r = str_new(vm, out);
            d = str_bytes(vm, r);
        }
    }
    (void)hits;
    return r;
}

/* find/rfind/index/rindex/count/startswith/endswith of a sub (code point indexes). */
EPY_COLD static Value str_search(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    uint32_t len, ns;
    const uint8_t *p = str_data(vm, args[0], &len);
    int32_t nchars = (int32_t)count_chars(p, len), lo, hi;
    int affix = id == BI_STR_STARTSWITH || id == BI_STR_ENDSWITH;
    Value sub = args[1];
    if (!affix)
        need_sub(vm, sub);
    char_bounds(vm, args, n, 2, nchars, &lo, &hi);
    if (affix && sub.tag != V_TUPLE && !is_str(sub))
        epy_raise(vm, ERR_TYPEERROR, "%s first arg must be str or a tuple of str, not %s",
                  epy_builtin_names[id] + 4, type_name(sub));
    uint32_t ntry = sub.tag == V_TUPLE ? seq_len(vm, sub) : 1;
    for (uint32_t t = 0; t < ntry; t++) {
        Value s = sub.tag == V_TUPLE ? seq_items(vm, sub)[t] : sub;
        if (!is_str(s))
            epy_raise(vm, ERR_TYPEERROR, "tuple for %s must only contain str, not %s",
                      epy_builtin_names[id] + 4, type_name(s));
        const uint8_t *q = str_data(vm, s, &ns);
        int32_t sc = (int32_t)count_chars(q, ns);
        if ((int64_t)hi - lo < sc) {
            if (affix)
                continue;
            if (id == BI_LIST_COUNT)
                return mk_int(0);
            break;
        }
        uint32_t blo = char_offset(p, len, (uint32_t)lo), bhi = char_offset(p, len, (uint32_t)hi);
        if (affix) {
            uint32_t at = id == BI_STR_STARTSWITH ? blo : bhi - ns;
            if (bhi - blo >= ns && memcmp(p + at, q, ns) == 0)
                return mk_bool(1);
            continue;
        }
        if (id == BI_LIST_COUNT) {
            if (!ns)
                return mk_int(hi - lo + 1);
            int32_t c = 0, pos;
            for (uint32_t i = blo; (pos = byte_find(p, i, bhi, q, ns, 1)) >= 0; c++)
                i = (uint32_t)pos + ns;
            return mk_int(c);
        }
        int dir = id == BI_STR_FIND || id == BI_LIST_INDEX ? 1 : -1;
        int32_t pos = byte_find(p, blo, bhi, q, ns, dir);
        if (pos >= 0)
            return mk_int((int32_t)count_chars(p, (uint32_t)pos));
        break;
    }
    if (affix)
        return mk_bool(0);
    if (id == BI_LIST_INDEX || id == BI_STR_RINDEX)
        epy_raise(vm, ERR_VALUEERROR, "substring not found");
    return mk_int(-1);
}

/* upper/lower and the is* classes: ASCII only (NotImplementedError on other text, except
 * isspace, which knows CPython's whitespace). */
EPY_COLD static Value str_ascii(VM *vm, uint32_t id, Value *args)
{
    uint32_t len, i;
    const uint8_t *p = str_data(vm, args[0], &len);
    if (id == BI_STR_ISSPACE) {
        uint32_t w;
        for (i = 0; i < len; i += w)
            if ((w = space_at(p, len, i)) == 0)
                return mk_bool(0);
        return mk_bool(len != 0);
    }
    for (i = 0; i < len; i++)
        if (p[i] >= 0x80)
            epy_raise(vm, ERR_NOTIMPLEMENTEDERROR,
                      "str.%s() of non-ASCII text: kernels know the case and classes of ASCII "
                      "characters only", epy_builtin_names[id] + 4);
    int up = 0, low = 0, digit = 0, other = 0;
    for (i = 0; i < len; i++) {
        uint8_t c = p[i];
        up += c >= 'A' && c <= 'Z';
        low += c >= 'a' && c <= 'z';
        digit += c >= '0' && c <= '9';
    }
    other = (int)len - up - low - digit;
    switch (id) {
    case BI_STR_ISDIGIT: return mk_bool(len && digit == (int)len);
    case BI_STR_ISALPHA: return mk_bool(len && up + low == (int)len);
    case BI_STR_ISALNUM: return mk_bool(len && !other);
    case BI_STR_ISUPPER: return mk_bool(up && !low);
    case BI_STR_ISLOWER: return mk_bool(low && !up);
    default: break;
    }
    int upper = id == BI_STR_UPPER;
    if (!(upper ? low : up)) {
        incref(vm, args[0]);
        return args[0];
    }
    Value r = str_new(vm, len);
    p = str_data(vm, args[0], &len);
    uint8_t *d = str_bytes(vm, r);
    for (i = 0; i < len; i++) {
        uint8_t c = p[i];
        d[i] = upper ? (c >= 'a' && c <= 'z' ? c - 32 : c) : (c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return r;
}

/* The str methods (BI_STR_*, and list.index/list.count of a str receiver). */
EPY_COLD Value str_method(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    uint32_t len;
    receiver(vm, id, args, &len);
    switch (id) {
    case BI_STR_SPLIT: return str_split(vm, args, n, 0);
    case BI_STR_RSPLIT: return str_split(vm, args, n, 1);
    case BI_STR_JOIN: return str_join(vm, args);
    case BI_STR_STRIP: return str_strip(vm, id, args, n, 3);
    case BI_STR_LSTRIP: return str_strip(vm, id, args, n, 1);
    case BI_STR_RSTRIP: return str_strip(vm, id, args, n, 2);
    case BI_STR_REPLACE: return str_replace(vm, args, n);
    case BI_STR_UPPER: case BI_STR_LOWER: case BI_STR_ISDIGIT: case BI_STR_ISALPHA:
    case BI_STR_ISSPACE: case BI_STR_ISALNUM: case BI_STR_ISUPPER: case BI_STR_ISLOWER:
        return str_ascii(vm, id, args);
    default: return str_search(vm, id, args, n);
    }
}
