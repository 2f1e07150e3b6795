/* text.c: the core's own printf-style formatter (text.h).  Used for error messages and
 * integer formatting on both ports; it never needs a C library or a 64-bit divide. */
#include "text.h"

#include "config.h"

/* v / d for d < 2^16 with 32-bit divisions only; *rem gets v % d. */
EPY_COLD static uint64_t divmod_small(uint64_t v, uint32_t d, uint32_t *rem)
{
    uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
    uint32_t qhi = hi / d, r = hi % d;
    /* long division of the low word in 16-bit halves: r < d < 2^16 keeps every step in 32 bits */
    uint32_t part = (r << 16) | (lo >> 16);
    uint32_t q1 = part / d;
    r = part % d;
    part = (r << 16) | (lo & 0xFFFFu);
    uint32_t q0 = part / d;
    *rem = part % d;
    return ((uint64_t)qhi << 32) | (q1 << 16) | q0;
}

/* Digits of v in base 8, 10 or 16 (text.h). */
EPY_COLD int epy_utoa64(uint64_t v, char *buf, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        uint32_t r;
        if (v >> 32) {
            v = divmod_small(v, base, &r);
        } else {
            uint32_t w = (uint32_t)v;
            r = w % base;
            v = w / base;
        }
        tmp[n++] = digits[r];
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}

/* Where the formatter writes: a bounded buffer and the length of the whole text. */
typedef struct Out {
    char *buf;
    uint32_t cap, len;
} Out;

EPY_COLD static void put(Out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

/* Put n bytes of s padded to width (left-justified when left). */
EPY_COLD static void put_field(Out *o, const char *s, uint32_t n, uint32_t width, int left,
                               char fill)
{
    uint32_t padding = width > n ? width - n : 0;
    if (!left && fill == '0' && n && (s[0] == '-')) { /* zero padding goes after the sign */
        put(o, '-');
        s++, n--;
    }
    if (!left)
        for (uint32_t i = 0; i < padding; i++)
            put(o, fill);
    for (uint32_t i = 0; i < n; i++)
        put(o, s[i]);
    if (left)
        for (uint32_t i = 0; i < padding; i++)
            put(o, ' ');
}

/* Format (text.h). */
EPY_COLD int epy_vsnprintf(char *buf, uint32_t cap, const char *fmt, va_list ap)
{
    Out o = {buf, cap, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        int left = 0;
        char fill = ' ';
        for (;; p++) {
            if (*p == '-')
                left = 1;
            else if (*p == '0')
                fill = '0';
            else
                break;
        }
        uint32_t width = 0;
        if (*p == '*') {
            int w = va_arg(ap, int);
            width = w < 0 ? 0u : (uint32_t)w;
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (uint32_t)(*p++ - '0');
        int32_t prec = -1;
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            }
            while (*p >= '0' && *p <= '9')
                prec = prec * 10 + (*p++ - '0');
        }
        int longs = 0;
        while (*p == 'l') {
            longs++;
            p++;
        }
        char num[24];
        switch (*p) {
        case 'd': case 'i': {
            int64_t v = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            num[0] = '-';
            int n = epy_utoa64(mag, num + (v < 0), 10, 0) + (v < 0);
            put_field(&o, num, (uint32_t)n, width, left, fill);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            uint64_t v = longs >= 2 ? va_arg(ap, unsigned long long)
                         : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            unsigned base = *p == 'u' ? 10u : *p == 'o' ? 8u : 16u;
            int n = epy_utoa64(v, num, base, *p == 'X');
            put_field(&o, num, (uint32_t)n, width, left, fill);
            break;
        }
        case 'c':
            num[0] = (char)va_arg(ap, int);
            put_field(&o, num, 1, width, left, ' ');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            uint32_t n = 0;
            while (s[n] && (prec < 0 || n < (uint32_t)prec))
                n++;
            put_field(&o, s, n, width, left, ' ');
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default: /* not a conversion this formatter knows: show it as written */
            put(&o, '%');
            if (!*p)
                goto done;
            put(&o, *p);
            break;
        }
    }
done:
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = 0;
    return (int)o.len;
}

/* Format (text.h). */
EPY_COLD int epy_snprintf(char *buf, uint32_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = epy_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}
