/* format.c: text of values: the shortest binary32 repr in CPython's style, str()/repr() of
 * every value, and format specs of f-strings (CPython's format mini-language). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm.h"

/* Append n bytes to a sink (stream, buffer, or just count). */
EPY_COLD void sink_put(Sink *s, const char *p, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        int start = ((uint8_t)p[i] & 0xC0) != 0x80;
        if (start && s->limited && s->cps >= s->maxcp)
            break;
        s->cps += (uint32_t)start;
        k++;
    }
    n = k;
    if (s->cap && s->len + n > s->cap)
        n = s->len < s->cap ? s->cap - s->len : 0;
    if (s->out)
        epy_emit(s->vm, p, n);
    else if (s->buf)
        memcpy(s->buf + s->len, p, n);
    s->len += n;
}

/* Append a NUL-terminated string. */
EPY_COLD void sink_str(Sink *s, const char *p)
{
    sink_put(s, p, (uint32_t)strlen(p));
}

/* Shortest decimal that rounds back to x, formatted like CPython's float repr. */
EPY_COLD int float_repr(float x, char *buf)
{
    if (x != x)
        return sprintf(buf, "nan");
    if (isinf(x))
        return sprintf(buf, x > 0 ? "inf" : "-inf");
    if (x == 0.0f)
        return sprintf(buf, signbit(x) ? "-0.0" : "0.0");
    char s[32];
    for (int digits = 1; digits <= 9; digits++) {
        snprintf(s, sizeof s, "%.*e", digits - 1, (double)x);
        if ((float)strtod(s, NULL) == x)
            break;
    }
    char *e = strchr(s, 'e');
    int exp = atoi(e + 1);
    int neg = s[0] == '-';
    char sig[16];
    int n = 0;
    for (char *p = s + neg; p < e; p++)
        if (*p != '.')
            sig[n++] = *p;
    while (n > 1 && sig[n - 1] == '0')
        n--;
    sig[n] = 0;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (exp >= -4 && exp < 16) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++)
                *o++ = i < n ? sig[i] : '0';
            *o++ = '.';
            if (n > exp + 1)
                for (int i = exp + 1; i < n; i++)
                    *o++ = sig[i];
            else
                *o++ = '0';
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -exp - 1; i++)
                *o++ = '0';
            for (int i = 0; i < n; i++)
                *o++ = sig[i];
        }
        *o = 0;
    } else {
        *o++ = sig[0];
        if (n > 1) {
            *o++ = '.';
            for (int i = 1; i < n; i++)
                *o++ = sig[i];
        }
        sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
    return (int)strlen(buf);
}

/* Decode one UTF-8 code point at p (n bytes left); returns its byte length. */
EPY_COLD static uint32_t utf8_next(const uint8_t *p, uint32_t n, uint32_t *cp)
{
    uint32_t len = p[0] < 0x80 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
    if (len > n)
        len = n;
    uint32_t c = len == 1 ? p[0] : len == 2 ? p[0] & 0x1Fu : len == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
    for (uint32_t i = 1; i < len; i++)
        c = (c << 6) | (p[i] & 0x3Fu);
    *cp = c;
    return len;
}

/* CPython's repr of str bytes (as_bytes = 0) or of a bytes object (as_bytes = 1). */
EPY_COLD void repr_bytes(Sink *s, const uint8_t *p, uint32_t n, int as_bytes)
{
    int sq = 0, dq = 0;
    for (uint32_t i = 0; i < n; i++) {
        sq |= p[i] == '\'';
        dq |= p[i] == '"';
    }
    char quote = (sq && !dq) ? '"' : '\'';
    if (as_bytes)
        sink_put(s, "b", 1);
    sink_put(s, &quote, 1);
    char esc[12];
    for (uint32_t i = 0; i < n;) {
        uint32_t c, len = as_bytes ? 1 : utf8_next(p + i, n - i, &c);
        if (as_bytes)
            c = p[i];
        if (c == (uint32_t)quote || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sink_put(s, esc, 2);
        } else if (c == '\n') {
            sink_put(s, "\\n", 2);
        } else if (c == '\r') {
            sink_put(s, "\\r", 2);
        } else if (c == '\t') {
            sink_put(s, "\\t", 2);
        } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && (as_bytes || c <= 0xA0 || c == 0xAD))) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned)c);
            sink_put(s, esc, 4);
        } else {
            sink_put(s, (const char *)p + i, len);
        }
        i += len;
    }
    sink_put(s, &quote, 1);
}

/* str() of an array or row: [1 2 3], 2-D rows on separate lines. */
EPY_COLD static void write_array(VM *vm, Sink *s, Value v)
{
    ArrayRef a;
    array_ref(vm, v, &a);
    char buf[32];
    sink_put(s, "[", 1);
    for (uint32_t r = 0; r < (a.ndim == 2 ? a.shape0 : 1); r++) {
        if (r)
            sink_put(s, "\n ", 2);
        if (a.ndim == 2)
            sink_put(s, "[", 1);
        uint32_t n = a.ndim == 2 ? a.shape1 : a.shape0;
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                sink_put(s, " ", 1);
            Value e = array_get_flat(&a, (a.ndim == 2 ? r * a.shape1 : 0) + i);
            write_str(vm, s, e);
        }
        if (a.ndim == 2)
            sink_put(s, "]", 1);
        (void)buf;
    }
    sink_put(s, "]", 1);
}

/* str(v) into a sink. */
EPY_COLD void write_str(VM *vm, Sink *s, Value v)
{
    char buf[48];
    switch (v.tag) {
    case V_NONE: sink_put(s, "None", 4); return;
    case V_BOOL: sink_str(s, v.u ? "True" : "False"); return;
    case V_INT: sink_put(s, buf, (uint32_t)snprintf(buf, sizeof buf, "%ld", (long)as_int(v))); return;
    case V_FLOAT: sink_put(s, buf, (uint32_t)float_repr(as_float(v), buf)); return;
    case V_SSTR: case V_STR: {
        uint32_t n;
        const uint8_t *p = str_data(vm, v, &n);
        sink_put(s, (const char *)p, n);
        return;
    }
    case V_TUPLE: case V_LIST: {
        uint32_t n = seq_len(vm, v);
        sink_put(s, v.tag == V_LIST ? "[" : "(", 1);
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                sink_put(s, ", ", 2);
            write_repr(vm, s, seq_items(vm, v)[i]);
        }
        if (v.tag == V_TUPLE && n == 1)
            sink_put(s, ",", 1);
        sink_put(s, v.tag == V_LIST ? "]" : ")", 1);
        return;
    }
    case V_RANGE: {
        RangeObj *r = (RangeObj *)(void *)obj(vm, v.u);
        if (r->step == 1)
            snprintf(buf, sizeof buf, "range(%ld, %ld)", (long)r->start, (long)r->stop);
        else
            snprintf(buf, sizeof buf, "range(%ld, %ld, %ld)", (long)r->start, (long)r->stop,
                     (long)r->step);
        sink_str(s, buf);
        return;
    }
    case V_ARRAY: case V_ROW: case V_HARRAY: write_array(vm, s, v); return;
    default:
        sink_str(s, "<");
        sink_str(s, type_name(v));
        sink_str(s, " object>");
        return;
    }
}

/* repr(v) into a sink. */
EPY_COLD void write_repr(VM *vm, Sink *s, Value v)
{
    if (is_str(v)) {
        uint32_t n;
        const uint8_t *p = str_data(vm, v, &n);
        repr_bytes(s, p, n, 0);
    } else {
        write_str(vm, s, v);
    }
}

/* Build a str by running a writer twice: once to measure, once to fill. */
EPY_COLD static Value build_str(VM *vm, Value v, int repr)
{
    Sink m = {vm, NULL, 0, 0, 0, 0, 0, 0};
    if (repr)
        write_repr(vm, &m, v);
    else
        write_str(vm, &m, v);
    troot_push(vm, &v);
    Value r = str_new(vm, m.len);
    troot_pop(vm, 1);
    Sink f = {vm, (char *)str_bytes(vm, r), 0, 0, 0, 0, 0, 0};
    if (repr)
        write_repr(vm, &f, v);
    else
        write_str(vm, &f, v);
    return r;
}

/* str(v): v itself for a str, else a new str. */
EPY_COLD Value value_str(VM *vm, Value v)
{
    if (is_str(v)) {
        incref(vm, v);
        return v;
    }
    return build_str(vm, v, 0);
}

/* ---- format specs ---- */
typedef struct Spec {
    char fill[5];
    uint32_t fill_len;
    char align, sign, type, sep;
    int z, alt, width, prec;
} Spec;

/* ValueError with a format-spec message. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
EPY_COLD static void bad_spec(VM *vm, const char *msg)
{
    epy_raise(vm, ERR_VALUEERROR, "%s", msg);
}

/* Is c an alignment character. */
static int is_align(uint8_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

/* Parse a spec like CPython's parse_internal_render_format_spec. */
EPY_COLD static void parse_spec(VM *vm, const uint8_t *p, uint32_t n, char default_type,
                       char default_align, const char *tname, Spec *f)
{
    uint32_t i = 0, cl = 0, cp;
    char msg[160];
    memset(f, 0, sizeof *f);
    f->fill[0] = ' ';
    f->fill_len = 1;
    f->width = -1;
    f->prec = -1;
    if (n)
        cl = utf8_next(p, n, &cp);
    int fill_given = 0, align_given = 0;
    if (n > cl && is_align(p[cl])) {
        memcpy(f->fill, p, cl);
        f->fill_len = cl;
        f->align = (char)p[cl];
        i = cl + 1;
        fill_given = align_given = 1;
    } else if (n && is_align(p[0])) {
        f->align = (char)p[0];
        i = 1;
        align_given = 1;
    }
    if (i < n && (p[i] == '+' || p[i] == '-' || p[i] == ' '))
        f->sign = (char)p[i++];
    if (i < n && p[i] == 'z') {
        f->z = 1;
        i++;
    }
    if (i < n && p[i] == '#') {
        f->alt = 1;
        i++;
    }
    if (!fill_given && i < n && p[i] == '0') {
        f->fill[0] = '0';
        f->fill_len = 1;
        if (!align_given && default_align == '>')
            f->align = '=';
        i++;
    }
    if (i < n && p[i] >= '0' && p[i] <= '9') {
        f->width = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') /* saturates: no int overflow */
            f->width = f->width < 100000000 ? f->width * 10 + (p[i++] - '0') : (i++, f->width);
    }
    if (i < n && (p[i] == ',' || p[i] == '_')) {
        f->sep = (char)p[i++];
        if (i < n && (p[i] == ',' || p[i] == '_')) {
            if (p[i] != f->sep)
                bad_spec(vm, "Cannot specify both ',' and '_'.");
            snprintf(msg, sizeof msg, "Cannot specify '%c' with '%c'.", f->sep, f->sep);
            bad_spec(vm, msg);
        }
    }
    if (i < n && p[i] == '.') {
        i++;
        if (i >= n || p[i] < '0' || p[i] > '9')
            bad_spec(vm, "Format specifier missing precision");
        f->prec = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') /* saturates: no int overflow */
            f->prec = f->prec < 100000000 ? f->prec * 10 + (p[i++] - '0') : (i++, f->prec);
    }
    if (n - i > 1) {
        Sink m = {vm, msg, 0, 0, 0, 0, 0, 0};
        sink_str(&m, "Invalid format specifier '");
        uint32_t k = n < 100 ? n : 100;
        sink_put(&m, (const char *)p, k);
        sink_str(&m, "' for object of type '");
        sink_str(&m, tname);
        sink_str(&m, "'");
        msg[m.len] = 0;
        bad_spec(vm, msg);
    }
    f->type = i < n ? (char)p[i] : default_type;
    if (!f->align)
        f->align = default_align;
    if (f->sep) {
        const char *ok = f->sep == '_' ? "defgEFG%bxoX" : "defgEFG%";
        if (!f->type || !strchr(ok, f->type)) {
            if (f->type) {
                snprintf(msg, sizeof msg, "Cannot specify '%c' with '%c'.", f->sep, f->type);
                bad_spec(vm, msg);
            }
        }
    }
}

/* Code points of n bytes. */
EPY_COLD static uint32_t cps(const char *p, uint32_t n)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += ((uint8_t)p[i] & 0xC0) != 0x80;
    return c;
}

/* count fill characters. */
EPY_COLD static void pad(Sink *s, const Spec *f, int count)
{
    if (count > 0 && !s->buf && !s->out && !s->limited && !s->cap) {
        /* only counting (the sizing pass): a width of up to 10^9 must not loop 10^9 times */
        s->len += (uint32_t)count * (uint32_t)f->fill_len;
        s->cps += (uint32_t)count;
        return;
    }
    for (int i = 0; i < count; i++)
        sink_put(s, f->fill, f->fill_len);
}

/* Write prefix (sign, 0x) and body with alignment and padding. */
EPY_COLD static void emit_aligned(Sink *s, const Spec *f, const char *prefix, const char *body, uint32_t blen)
{
    int len = (int)(strlen(prefix) + cps(body, blen));
    int padn = f->width > len ? f->width - len : 0;
    int left = 0, right = 0;
    switch (f->align) {
    case '<': right = padn; break;
    case '^': left = padn / 2; right = padn - left; break;
    case '=': break;
    default: left = padn; break;
    }
    pad(s, f, left);
    sink_str(s, prefix);
    if (f->align == '=')
        pad(s, f, padn);
    sink_put(s, body, blen);
    pad(s, f, right);
}

/* Insert group separators into the integer digits of num (and zero-fill for '0' padding). */
EPY_COLD static uint32_t group(const Spec *f, const char *num, uint32_t intlen, uint32_t prefix_len,
                      char *out, uint32_t cap)
{
    uint32_t g = (f->type == 'b' || f->type == 'o' || f->type == 'x' || f->type == 'X') ? 4 : 3;
    uint32_t rest = (uint32_t)strlen(num + intlen);
    uint32_t n = intlen;
    if (f->align == '=' && f->fill[0] == '0' && f->fill_len == 1 && f->width > 0)
        while (n + (n - 1) / g + rest + prefix_len < (uint32_t)f->width && n < 200)
            n++;
    uint32_t o = 0;
    for (uint32_t i = 0; i < n && o + 2 < cap; i++) {
        uint32_t from_right = n - i;
        if (i && from_right % g == 0)
            out[o++] = f->sep;
        out[o++] = i < n - intlen ? '0' : num[i - (n - intlen)];
    }
    for (uint32_t i = 0; i < rest && o + 1 < cap; i++)
        out[o++] = num[intlen + i];
    out[o] = 0;
    return o;
}

/* Format a number (double d, or int i when is_int and an integer type). */
EPY_COLD static void format_number(VM *vm, Sink *s, Spec *f, int is_int, int64_t iv, double d)
{
    char num[400], body[600], prefix[4] = {0};
    int neg;
    char t = f->type;
    if (is_int && (t == 'd' || t == 'n' || t == 'b' || t == 'o' || t == 'x' || t == 'X' || t == 'c')) {
        if (f->prec >= 0)
            bad_spec(vm, "Precision not allowed in integer format specifier");
        if (t == 'c') {
            if (f->sign)
                bad_spec(vm, "Sign not allowed with integer format specifier 'c'");
            if (f->alt)
                bad_spec(vm, "Alternate form (#) not allowed with integer format specifier 'c'");
            if (iv < 0 || iv > 0x10FFFF)
                epy_raise(vm, ERR_OVERFLOWERROR, "%%c arg not in range(0x110000)");
            uint32_t c = (uint32_t)iv, k = 0;
            if (c < 0x80) {
                body[k++] = (char)c;
            } else if (c < 0x800) {
                body[k++] = (char)(0xC0 | (c >> 6));
                body[k++] = (char)(0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                body[k++] = (char)(0xE0 | (c >> 12));
                body[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
                body[k++] = (char)(0x80 | (c & 0x3F));
            } else {
                body[k++] = (char)(0xF0 | (c >> 18));
                body[k++] = (char)(0x80 | ((c >> 12) & 0x3F));
                body[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
                body[k++] = (char)(0x80 | (c & 0x3F));
            }
            emit_aligned(s, f, "", body, k);
            return;
        }
        neg = iv < 0;
        uint64_t u = neg ? (uint64_t)(-iv) : (uint64_t)iv;
        if (t == 'd' || t == 'n') {
            snprintf(num, sizeof num, "%llu", (unsigned long long)u);
        } else if (t == 'x' || t == 'X') {
            snprintf(num, sizeof num, t == 'x' ? "%llx" : "%llX", (unsigned long long)u);
        } else if (t == 'o') {
            snprintf(num, sizeof num, "%llo", (unsigned long long)u);
        } else {
            int k = 0;
            char tmp[40];
            do {
                tmp[k++] = (char)('0' + (u & 1));
                u >>= 1;
            } while (u);
            for (int j = 0; j < k; j++)
                num[j] = tmp[k - 1 - j];
            num[k] = 0;
        }
        if (f->alt && t != 'd' && t != 'n') {
            prefix[0] = '0';
            prefix[1] = t == 'b' ? 'b' : t == 'o' ? 'o' : t;
        }
    } else {
        if (is_int)
            d = (double)iv;
        int prec = f->prec < 0 ? 6 : f->prec;
        neg = signbit(d) && d == d;
        double a = fabs(d);
        if (t == 0) {
            if (f->prec < 0 || !isfinite(a)) { /* inf and nan: num is replaced below */
                float_repr((float)a, num);
            } else {
                /* like 'g', but scientific from exponent p - 1 and at least one decimal */
                int p = prec ? prec : 1;
                /* the decimal exponent after rounding to p digits (beyond 120 digits the
                 * rounding of a binary32 value is exact, so 120 give the same exponent) */
                char e[160];
                snprintf(e, sizeof e, "%.*e", p - 1 < 120 ? p - 1 : 120, a);
                int x = atoi(strchr(e, 'e') + 1);
                if (x >= -4 && x < p - 1) {
                    snprintf(num, sizeof num, f->alt ? "%#.*f" : "%.*f", p - 1 - x, a);
                    if (!f->alt && strchr(num, '.')) {
                        size_t k = strlen(num);
                        while (num[k - 1] == '0')
                            num[--k] = 0;
                        if (num[k - 1] == '.')
                            num[--k] = 0;
                    }
                    if (!strchr(num, '.'))
                        strcat(num, ".0");
                } else {
                    snprintf(num, sizeof num, f->alt ? "%#.*e" : "%.*e", p - 1, a);
                    char *m = strchr(num, 'e'), *d = m;
                    if (m && !f->alt && strchr(num, '.')) { /* no 'e' when num was cut */
                        while (d[-1] == '0')
                            d--;
                        if (d[-1] == '.')
                            d--;
                        memmove(d, m, strlen(m) + 1);
                    }
                }
            }
        } else if (t == '%') {
            snprintf(num, sizeof num, f->alt ? "%#.*f" : "%.*f", prec, a * 100.0);
            strcat(num, "%");
        } else {
            char fmt[8];
            char ct = t == 'n' ? 'g' : t;
            snprintf(fmt, sizeof fmt, f->alt ? "%%#.*%c" : "%%.*%c", ct);
            snprintf(num, sizeof num, fmt, (ct == 'g' || ct == 'G') && prec == 0 ? 1 : prec, a);
        }
        if (!isfinite(a)) {
            int upper = t == 'F' || t == 'E' || t == 'G';
            strcpy(num, a != a ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"));
            if (t == '%')
                strcat(num, "%");
        }
        if (f->z && neg) {
            int zero = 1;
            for (char *q = num; *q && *q != 'e' && *q != 'E'; q++)
                if (*q >= '1' && *q <= '9')
                    zero = 0;
            if (zero)
                neg = 0;
        }
    }
    char signs[2] = {0, 0};
    signs[0] = neg ? '-' : f->sign == '+' ? '+' : f->sign == ' ' ? ' ' : 0;
    char full_prefix[8];
    snprintf(full_prefix, sizeof full_prefix, "%s%s", signs, prefix);
    uint32_t blen;
    if (f->sep || (f->align == '=' && f->fill[0] == '0' && f->fill_len == 1 && f->sep)) {
        uint32_t intlen = 0;
        while (num[intlen] >= '0' && num[intlen] <= '9')
            intlen++;
        if (t == 'x' || t == 'X')
            while (num[intlen] && num[intlen] != '.')
                intlen++;
        blen = group(f, num, intlen, (uint32_t)strlen(full_prefix), body, sizeof body);
    } else {
        blen = (uint32_t)strlen(num);
        memcpy(body, num, blen + 1);
    }
    emit_aligned(s, f, full_prefix, body, blen);
}

/* Write format(v, spec) into a sink. */
EPY_COLD static void write_format(VM *vm, Sink *s, Value v, int repr, const uint8_t *sp, uint32_t sn)
{
    Spec f;
    char msg[120];
    if (!repr && (v.tag == V_INT || v.tag == V_BOOL || v.tag == V_FLOAT)) {
        int is_int = v.tag != V_FLOAT;
        parse_spec(vm, sp, sn, is_int ? 'd' : 0, '>', type_name(v), &f);
        const char *ok = is_int ? "bcdoxXneEfFgG%" : "eEfFgGn%";
        if (f.type && !strchr(ok, f.type)) {
            snprintf(msg, sizeof msg, "Unknown format code '%c' for object of type '%s'", f.type,
                     type_name(v));
            bad_spec(vm, msg);
        }
        if (is_int && f.z && strchr("bcdoxXn", f.type))
            bad_spec(vm, "Negative zero coercion (z) not allowed in integer format specifier");
        format_number(vm, s, &f, is_int, is_int ? as_int(v) : 0,
                      is_int ? 0.0 : (double)as_float(v));
        return;
    }
    /* strings, and the str() of anything else */
    parse_spec(vm, sp, sn, 's', '<', "str", &f);
    if (f.type != 's') {
        snprintf(msg, sizeof msg, "Unknown format code '%c' for object of type 'str'", f.type);
        bad_spec(vm, msg);
    }
    if (f.sign)
        bad_spec(vm, f.sign == ' ' ? "Space not allowed in string format specifier"
                                   : "Sign not allowed in string format specifier");
    if (f.z)
        bad_spec(vm, "Negative zero coercion (z) not allowed in string format specifier");
    if (f.alt)
        bad_spec(vm, "Alternate form (#) not allowed in string format specifier");
    if (f.align == '=')
        bad_spec(vm, "'=' alignment not allowed in string format specifier");
    Sink m = {vm, NULL, 0, 0, f.prec >= 0, f.prec >= 0 ? (uint32_t)f.prec : 0, 0, 0};
    if (repr)
        write_repr(vm, &m, v);
    else
        write_str(vm, &m, v);
    int padn = f.width > (int)m.cps ? f.width - (int)m.cps : 0;
    int left = f.align == '>' ? padn : f.align == '^' ? padn / 2 : 0;
    pad(s, &f, left);
    uint32_t before = s->cps;
    s->limited = f.prec >= 0;
    s->maxcp = before + m.cps;
    if (repr)
        write_repr(vm, s, v);
    else
        write_str(vm, s, v);
    s->limited = 0;
    pad(s, &f, padn - left);
}

/* format(v, spec) for FORMAT_VALUE (conv 1: repr(v) first); a new str reference. */
EPY_COLD Value value_format(VM *vm, Value v, Value spec, int conv)
{
    uint32_t sn;
    const uint8_t *sp = str_data(vm, spec, &sn);
    if (sn == 0)
        return conv ? build_str(vm, v, 1) : value_str(vm, v);
    char specbuf[128]; /* a copy: the allocation below may move the spec */
    if (sn >= sizeof specbuf)
        epy_raise(vm, ERR_VALUEERROR, "format specifier too long");
    memcpy(specbuf, sp, sn);
    Sink m = {vm, NULL, 0, 0, 0, 0, 0, 0};
    write_format(vm, &m, v, conv, (const uint8_t *)specbuf, sn);
    troot_push(vm, &v);
    Value r = str_new(vm, m.len);
    troot_pop(vm, 1);
    Sink f = {vm, (char *)str_bytes(vm, r), 0, 0, 0, 0, 0, 0};
    write_format(vm, &f, v, conv, (const uint8_t *)specbuf, sn);
    return r;
}
