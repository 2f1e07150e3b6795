/* format.c: text of values: str()/repr() of every value (floats: the shortest binary32 repr in
 * CPython's style), and format specs of f-strings (CPython's format mini-language; the digits
 * of floats come from fltconv.c, integers from text.c). */
#include "fltconv.h"
#include "fmath.h"
#include "text.h"
#include "utf8.h"
#include "vm.h"

/* Does the NUL-terminated set contain c (c != 0). */
EPY_COLD_HELPER static int has_char(const char *set, char c)
{
    return c != 0 && memchr(set, c, strlen(set)) != NULL;
}

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
    return flt_repr(x, buf);
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
        uint32_t c, len = as_bytes ? 1 : utf8_decode(p + i, n - i, &c);
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
            epy_snprintf(esc, sizeof esc, "\\x%02x", (unsigned)c);
            sink_put(s, esc, 4);
        } else {
            sink_put(s, (const char *)p + i, len);
        }
        i += len;
    }
    sink_put(s, &quote, 1);
}

/* str() of a number, None or bool (nothing that contains values). */
EPY_COLD static int write_scalar(Sink *s, Value v)
{
    char buf[48];
    switch (v.tag) {
    case V_NONE: sink_put(s, "None", 4); return 1;
    case V_BOOL: sink_str(s, v.u ? "True" : "False"); return 1;
    case V_INT:
        sink_put(s, buf, (uint32_t)epy_snprintf(buf, sizeof buf, "%ld", (long)as_int(v)));
        return 1;
    case V_FLOAT: sink_put(s, buf, (uint32_t)float_repr(as_float(v), buf)); return 1;
    default: return 0;
    }
}

/* str() of an array or row: [1 2 3], 2-D rows on separate lines. */
EPY_COLD static void write_array(VM *vm, Sink *s, Value v)
{
    ArrayRef a;
    array_ref(vm, v, &a);
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
            write_scalar(s, array_get_flat(&a, (a.ndim == 2 ? r * a.shape1 : 0) + i));
        }
        if (a.ndim == 2)
            sink_put(s, "]", 1);
    }
    sink_put(s, "]", 1);
}

/* str() of a range (apart from write_value: its buffer stays out of the recursion's frames). */
EPY_COLD static void write_range(VM *vm, Sink *s, Value v)
{
    char buf[48];
    RangeObj *r = (RangeObj *)(void *)obj(vm, v.u);
    if (r->step == 1)
        epy_snprintf(buf, sizeof buf, "range(%ld, %ld)", (long)r->start, (long)r->stop);
    else
        epy_snprintf(buf, sizeof buf, "range(%ld, %ld, %ld)", (long)r->start, (long)r->stop,
                     (long)r->step);
    sink_str(s, buf);
}

/* str(v) (repr(v) when repr) into a sink; v is inside `depth` lists and tuples: one deeper
 * than EPY_MAX_NESTING is a RecursionError (protocol.py), which bounds this recursion. */
EPY_COLD static void write_value(VM *vm, Sink *s, Value v, int repr, uint32_t depth)
{
    if (write_scalar(s, v))
        return;
    switch (v.tag) {
    case V_SSTR: case V_STR: {
        uint32_t n;
        const uint8_t *p = str_data(vm, v, &n);
        if (repr)
            repr_bytes(s, p, n, 0);
        else
            sink_put(s, (const char *)p, n);
        return;
    }
    case V_EXC: { /* str(e): '' without args, else the str of its one arg (a KeyError's: its
                   * repr); otherwise its args' tuple, after its class name for repr */
        if (depth >= EPY_MAX_NESTING)
            epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_REPR_MESSAGE);
        uint32_t n = exc_len(vm, v);
        if (!repr && n <= 1) {
            if (n)
                write_value(vm, s, exc_args(vm, v)[0], exc_code(vm, v) == ERR_KEYERROR,
                            depth + 1);
            return;
        }
        if (repr)
            sink_str(s, type_name(v));
        sink_put(s, "(", 1);
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                sink_put(s, ", ", 2);
            write_value(vm, s, exc_args(vm, v)[i], 1, depth + 1);
        }
        sink_put(s, ")", 1);
        return;
    }
    case V_TUPLE: case V_LIST: case V_DICT: case V_DVIEW: case V_SET: {
        if (depth >= EPY_MAX_NESTING)
            epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_REPR_MESSAGE);
        /* a dict's slots are key, value, ...; a view is dict_keys([k, ...]), dict_values([v,
         * ...]) or dict_items([(k, v), ...]) of its dict's slots (kind 3: not a view); a set,
         * {k, ...} of its keys, is kind 0 with braces, set() when empty */
        uint32_t kind = v.tag == V_SET ? 0 : 3;
        if (v.tag == V_DVIEW) {
            kind = obj(vm, v.u)->len;
            sink_str(s, dict_view_name(kind));
            sink_put(s, "(", 1);
            v = ((DViewObj *)(void *)obj(vm, v.u))->dict;
        }
        uint32_t n = seq_len(vm, v);
        if (v.tag == V_SET && !n)
            sink_str(s, "set");
        int braces = (v.tag == V_DICT && kind == 3) || (v.tag == V_SET && n);
        sink_put(s, v.tag == V_TUPLE || (v.tag == V_SET && !n) ? "(" : braces ? "{" : "[", 1);
        for (uint32_t i = 0; i < n; i++) {
            if (kind < 2 && (i & 1u) != kind)
                continue;
            if (kind == 2 && !(i & 1u)) {
                if (depth + 1 >= EPY_MAX_NESTING)
                    epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_REPR_MESSAGE);
                sink_str(s, i ? ", (" : "(");
            } else if (kind < 2 ? i > 1 : i != 0) {
                sink_put(s, braces && (i & 1u) ? ": " : ", ", 2);
            }
            write_value(vm, s, seq_items(vm, v)[i], 1, depth + 1 + (kind == 2));
            if (kind == 2 && (i & 1u))
                sink_put(s, ")", 1);
        }
        if (v.tag == V_TUPLE && n == 1)
            sink_put(s, ",", 1);
        sink_put(s, v.tag == V_TUPLE || (v.tag == V_SET && !n) ? ")" : braces ? "}" : "]", 1);
        if (kind != 3 && v.tag != V_SET)
            sink_put(s, ")", 1);
        return;
    }
    case V_RANGE: write_range(vm, s, v); return;
    case V_ARRAY: case V_SARRAY: case V_ROW: case V_HARRAY: write_array(vm, s, v); return;
    default:
        sink_str(s, "<");
        sink_str(s, type_name(v));
        sink_str(s, " object>");
        return;
    }
}

/* str(v) into a sink. */
EPY_COLD void write_str(VM *vm, Sink *s, Value v)
{
    write_value(vm, s, v, 0, 0);
}

/* repr(v) into a sink. */
EPY_COLD void write_repr(VM *vm, Sink *s, Value v)
{
    write_value(vm, s, v, 1, 0);
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
EPY_COLD_HELPER static int is_align(uint8_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

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
        cl = utf8_decode(p, n, &cp);
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
            epy_snprintf(msg, sizeof msg, "Cannot specify '%c' with '%c'.", f->sep, f->sep);
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
        if (!f->type || !has_char(ok, f->type)) {
            if (f->type) {
                epy_snprintf(msg, sizeof msg, "Cannot specify '%c' with '%c'.", f->sep, f->type);
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

/* Is the sink only measuring (the sizing pass): long runs are then counted, not written. */
EPY_COLD_HELPER static int counting(const Sink *s)
{
    return !s->buf && !s->out && !s->limited && !s->cap;
}

/* count fill characters. */
EPY_COLD static void pad(Sink *s, const Spec *f, int count)
{
    if (count > 0 && counting(s)) {
        /* a width of up to 10^8 must not loop 10^8 times */
        s->len += (uint32_t)count * (uint32_t)f->fill_len;
        s->cps += (uint32_t)count;
        return;
    }
    for (int i = 0; i < count; i++)
        sink_put(s, f->fill, f->fill_len);
}

/* n zeros (a long precision). */
EPY_COLD static void zeros(Sink *s, uint32_t n)
{
    static const char z[16] = "0000000000000000";
    if (counting(s)) {
        s->len += n;
        s->cps += n;
        return;
    }
    for (; n > 16; n -= 16)
        sink_put(s, z, 16);
    sink_put(s, z, n);
}

/* The padding that a field of len code points needs to reach the width, split by the alignment
 * into what goes left and right of it ('=' puts all of it after the prefix: neither side). */
EPY_COLD static int split_pad(const Spec *f, int len, int *left, int *right)
{
    int padn = f->width > len ? f->width - len : 0;
    *left = *right = 0;
    switch (f->align) {
    case '<': *right = padn; break;
    case '^': *left = padn / 2; *right = padn - *left; break;
    case '=': break;
    default: *left = padn; break;
    }
    return padn;
}

/* Write prefix (sign, 0x) and body with alignment and padding. */
EPY_COLD static void emit_aligned(Sink *s, const Spec *f, const char *prefix, const char *body, uint32_t blen)
{
    int len = (int)(strlen(prefix) + cps(body, blen));
    int left, right, padn = split_pad(f, len, &left, &right);
    pad(s, f, left);
    sink_str(s, prefix);
    if (f->align == '=')
        pad(s, f, padn);
    sink_put(s, body, blen);
    pad(s, f, right);
}

/* A number's text in pieces: the integer digits (which get separators and the zero fill of a
 * '0' width), what follows them, a run of zeros (any precision), and a tail (exponent, '%'). */
typedef struct NumText {
    const char *digits, *mid, *tail;
    uint32_t ndigits, nmid, nzeros, ntail;
} NumText;

/* The integer digits, n of them after zero fill, with a separator every g from the right. */
EPY_COLD static void put_grouped(Sink *s, const NumText *nt, uint32_t n, char sep, uint32_t g)
{
    uint32_t fill = n - nt->ndigits;
    if (counting(s)) {
        uint32_t k = n + (sep && n ? (n - 1) / g : 0);
        s->len += k;
        s->cps += k;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (sep && i && (n - i) % g == 0)
            sink_put(s, &sep, 1);
        sink_put(s, i < fill ? "0" : nt->digits + (i - fill), 1);
    }
}

/* Write prefix (sign, 0x) and a number with alignment, padding and grouping: zero padding with
 * a separator inserts zero digits (and their separators) as CPython does; inf and nan (no
 * digits) are padded without separators. */
EPY_COLD static void emit_number(Sink *s, const Spec *f, const char *prefix, const NumText *nt)
{
    uint32_t g = (f->type == 'b' || f->type == 'o' || f->type == 'x' || f->type == 'X') ? 4 : 3;
    uint32_t plen = (uint32_t)strlen(prefix), rest = nt->nmid + nt->nzeros + nt->ntail;
    char sep = nt->ndigits ? f->sep : 0;
    uint32_t n = nt->ndigits;
    if (sep && f->align == '=' && f->fill[0] == '0' && f->fill_len == 1 &&
        f->width > (int)(plen + rest)) {
        /* the fewest digits n (>= ndigits) with n + (n - 1) / g >= want */
        uint32_t want = (uint32_t)f->width - plen - rest;
        uint32_t m = want - want / (g + 1);
        while (m > 1 && m - 1 + (m - 2) / g >= want)
            m--;
        while (m + (m - 1) / g < want)
            m++;
        if (m > n)
            n = m;
    }
    uint32_t body = n + (sep && n ? (n - 1) / g : 0) + rest;
    int len = (int)(plen + body);
    int left, right, padn = split_pad(f, len, &left, &right);
    pad(s, f, left);
    sink_str(s, prefix);
    if (f->align == '=')
        pad(s, f, padn);
    put_grouped(s, nt, n, sep, g);
    sink_put(s, nt->mid, nt->nmid);
    zeros(s, nt->nzeros);
    sink_put(s, nt->tail, nt->ntail);
    pad(s, f, right);
}

/* Format a number (the float x, or the int iv when is_int): integer types, then the float
 * types as CPython's format_float_internal (the int converted to float64 for those). */
EPY_COLD static void format_number(VM *vm, Sink *s, Spec *f, int is_int, int64_t iv, float x)
{
    char num[72], prefix[4] = {0};
    int neg;
    char t = f->type;
    NumText nt = {num, "", "", 0, 0, 0, 0};
    FltText ft;
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
                num[k++] = (char)c;
            } else if (c < 0x800) {
                num[k++] = (char)(0xC0 | (c >> 6));
                num[k++] = (char)(0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                num[k++] = (char)(0xE0 | (c >> 12));
                num[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
                num[k++] = (char)(0x80 | (c & 0x3F));
            } else {
                num[k++] = (char)(0xF0 | (c >> 18));
                num[k++] = (char)(0x80 | ((c >> 12) & 0x3F));
                num[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
                num[k++] = (char)(0x80 | (c & 0x3F));
            }
            emit_aligned(s, f, "", num, k);
            return;
        }
        neg = iv < 0;
        uint64_t u = neg ? (uint64_t)(-iv) : (uint64_t)iv;
        if (t == 'b') {
            int k = 0;
            char tmp[40];
            do {
                tmp[k++] = (char)('0' + (u & 1));
                u >>= 1;
            } while (u);
            for (int j = 0; j < k; j++)
                num[j] = tmp[k - 1 - j];
            nt.ndigits = (uint32_t)k;
        } else {
            nt.ndigits = (uint32_t)epy_utoa64(u, num, t == 'o' ? 8 : (t == 'x' || t == 'X') ? 16 : 10,
                                              t == 'X');
        }
        if (f->alt && t != 'd' && t != 'n') {
            prefix[0] = '0';
            prefix[1] = t == 'b' ? 'b' : t == 'o' ? 'o' : t;
        }
    } else {
        double d = is_int ? (double)iv : (double)x;
        int prec = f->prec < 0 ? 6 : f->prec;
        int upper = t == 'E' || t == 'F' || t == 'G';
        neg = f64_signbit(d) && !f64_isnan(d);
        double a = fm_fabs(d);
        if (!f64_isfinite(a)) {
            nt.mid = f64_isnan(a) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
            nt.nmid = 3;
        } else {
            if (t == 0 && f->prec < 0) {
                /* no type and no precision: the shortest digits of the binary32 in repr's
                 * layout ('#' and all), docs/language.md */
                char dg[FLT_DIGITS_MAX];
                int dp = 1, n = 1;
                dg[0] = '0';
                if (a != 0.0)
                    n = flt_shortest((float)a, dg, &dp);
                flt_layout(dg, n, dp, 'r', 0, 1, f->alt, &ft);
            } else if (t == 0) {
                /* no type, a precision: CPython's 'g' with at least one decimal on the binary32
                 * value (the simulator formats the float64 nearest its repr instead) */
                flt_format(a, 'g', f->prec, 1, f->alt, &ft);
            } else if (t == '%') {
                flt_format(a * 100.0, 'f', prec, 0, f->alt, &ft);
            } else {
                flt_format(a, t == 'n' ? 'g' : (char)(t | 0x20), prec, 0, f->alt, &ft);
            }
            if (upper)
                for (uint32_t i = ft.zpos; i < ft.len; i++)
                    if (ft.buf[i] == 'e')
                        ft.buf[i] = 'E';
            uint32_t k = 0;
            while (k < ft.zpos && ft.buf[k] >= '0' && ft.buf[k] <= '9')
                k++;
            nt.digits = ft.buf;
            nt.ndigits = k;
            nt.mid = ft.buf + k;
            nt.nmid = ft.zpos - k;
            nt.nzeros = ft.zeros;
            nt.tail = ft.buf + ft.zpos;
            nt.ntail = ft.len - ft.zpos;
        }
        if (t == '%') { /* 'f' has no exponent: the tail is just the '%' */
            nt.tail = "%";
            nt.ntail = 1;
        }
        if (f->z && neg && f64_isfinite(a)) { /* 'z': no sign when every digit shown is 0 */
            int zero = 1;
            for (uint32_t i = 0; i < ft.zpos; i++)
                if (ft.buf[i] >= '1' && ft.buf[i] <= '9')
                    zero = 0;
            if (zero)
                neg = 0;
        }
    }
    char full_prefix[8];
    int k = 0;
    if (neg || f->sign == '+' || f->sign == ' ')
        full_prefix[k++] = neg ? '-' : f->sign;
    for (int j = 0; prefix[j]; j++)
        full_prefix[k++] = prefix[j];
    full_prefix[k] = 0;
    emit_number(s, f, full_prefix, &nt);
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
        if (f.type && !has_char(ok, f.type)) {
            epy_snprintf(msg, sizeof msg, "Unknown format code '%c' for object of type '%s'", f.type,
                     type_name(v));
            bad_spec(vm, msg);
        }
        if (is_int && f.z && has_char("bcdoxXn", f.type))
            bad_spec(vm, "Negative zero coercion (z) not allowed in integer format specifier");
        format_number(vm, s, &f, is_int, is_int ? as_int(v) : 0,
                      is_int ? 0.0f : as_float(v));
        return;
    }
    /* strings, and the str() of anything else */
    parse_spec(vm, sp, sn, 's', '<', "str", &f);
    if (f.type != 's') {
        epy_snprintf(msg, sizeof msg, "Unknown format code '%c' for object of type 'str'", f.type);
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

/* hex(v), oct(v), bin(v) (code 'x', 'o', 'b'): format(v, "#<code>") of an int; a new str. */
EPY_COLD Value value_radix(VM *vm, Value v, char code)
{
    if (v.tag != V_INT && v.tag != V_BOOL)
        epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                  type_name(v));
    const uint8_t spec[2] = {'#', (uint8_t)code};
    Sink m = {vm, NULL, 0, 0, 0, 0, 0, 0};
    write_format(vm, &m, v, 0, spec, 2);
    Value r = str_new(vm, m.len); /* v is an int: nothing to root */
    Sink f = {vm, (char *)str_bytes(vm, r), 0, 0, 0, 0, 0, 0};
    write_format(vm, &f, v, 0, spec, 2);
    return r;
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
