/* fltconv.c: floats <-> decimal text in integer arithmetic (see fltconv.h for the contract).
 *
 * Binary -> decimal: m 2^e is the integer m 5^-e (or m 2^e) scaled by a power of ten, so its
 * exact digits come from a bignum by repeated division by 10^9; rounding then works on those
 * digits.  Decimal -> binary: D 10^k is the quotient of two bignums, whose first 64 bits and a
 * sticky bit are found by long division and rounded to 53 bits (Clinger's fast path first). */
#include "config.h"
#include "fltconv.h"
#include "fmath.h"
#include "udigits.h"
#include "utf8.h"

/* ---- bignum: little-endian 32-bit limbs ---- */
#define BIG_WORDS 32

typedef struct Big {
    uint32_t n; /* limbs in use; w[n - 1] != 0 unless n == 0 */
    uint32_t w[BIG_WORDS];
} Big;

/* b = v. */
EPY_COLD_HELPER static void big_set(Big *b, uint64_t v)
{
    b->n = 0;
    while (v) {
        b->w[b->n++] = (uint32_t)v;
        v >>= 32;
    }
}

/* b = b * m + add (the top limb is dropped if the capacity is exceeded: callers stay within). */
EPY_COLD_HELPER static void big_mul_add(Big *b, uint32_t m, uint32_t add)
{
    uint64_t carry = add;
    for (uint32_t i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->w[i] * m + carry;
        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry && b->n < BIG_WORDS)
        b->w[b->n++] = (uint32_t)carry;
}

/* b = b * 10^k, k >= 0. */
EPY_COLD_HELPER static void big_mul_pow10(Big *b, int k)
{
    static const uint32_t p10[10] = {1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u,
                                     10000000u, 100000000u, 1000000000u};
    for (; k >= 9; k -= 9)
        big_mul_add(b, 1000000000u, 0);
    if (k)
        big_mul_add(b, p10[k], 0);
}

/* b = b << s. */
EPY_COLD_HELPER static void big_shl(Big *b, uint32_t s)
{
    uint32_t words = s >> 5, bits = s & 31u;
    if (b->n == 0)
        return;
    uint32_t n = b->n + words + 1;
    if (n > BIG_WORDS)
        n = BIG_WORDS;
    for (uint32_t i = n; i-- > 0;) {
        uint32_t hi = i >= words && i - words < b->n ? b->w[i - words] : 0;
        uint32_t lo = i >= words + 1 && i - words - 1 < b->n ? b->w[i - words - 1] : 0;
        b->w[i] = bits ? (hi << bits) | (lo >> (32 - bits)) : hi;
    }
    b->n = n;
    while (b->n && !b->w[b->n - 1])
        b->n--;
}

/* Number of significant bits. */
EPY_COLD_HELPER static uint32_t big_bits(const Big *b)
{
    if (!b->n)
        return 0;
    uint32_t top = b->w[b->n - 1], k = 0;
    while (top) {
        top >>= 1;
        k++;
    }
    return 32 * (b->n - 1) + k;
}

/* <0, 0, >0 as a < b, a == b, a > b. */
EPY_COLD_HELPER static int big_cmp(const Big *a, const Big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (uint32_t i = a->n; i-- > 0;)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

/* a = a - b for a >= b. */
EPY_COLD_HELPER static void big_sub(Big *a, const Big *b)
{
    uint32_t borrow = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        uint32_t bi = i < b->n ? b->w[i] : 0;
        uint64_t t = (uint64_t)a->w[i] - bi - borrow;
        a->w[i] = (uint32_t)t;
        borrow = (uint32_t)(t >> 63);
    }
    while (a->n && !a->w[a->n - 1])
        a->n--;
}

/* b = b / d; returns the remainder. */
EPY_COLD_HELPER static uint32_t big_divmod(Big *b, uint32_t d)
{
    uint64_t r = 0;
    for (uint32_t i = b->n; i-- > 0;) {
        uint64_t t = (r << 32) | b->w[i];
        b->w[i] = (uint32_t)(t / d);
        r = t % d;
    }
    while (b->n && !b->w[b->n - 1])
        b->n--;
    return (uint32_t)r;
}

/* ---- binary -> decimal ---- */

/* The exact digits of m 2^e (m > 0, m < 2^53) without trailing zeros; value 0.d * 10^*decpt.
 * Returns 0 (no digits) outside the supported range. */
EPY_COLD_HELPER static int exact_digits(uint64_t m, int e, char *buf, int *decpt)
{
    if (e < -220 || e > 140)
        return 0;
    Big b;
    big_set(&b, m);
    int frac = 0; /* decimal digits after the point */
    if (e >= 0) {
        big_shl(&b, (uint32_t)e);
    } else {
        static const uint32_t p5[14] = {1u, 5u, 25u, 125u, 625u, 3125u, 15625u, 78125u,
                                        390625u, 1953125u, 9765625u, 48828125u, 244140625u,
                                        1220703125u};
        for (int k = -e; k > 0; k -= 13)
            big_mul_add(&b, p5[k < 13 ? k : 13], 0);
        frac = -e;
    }
    char tmp[FLT_DIGITS_MAX + 12]; /* digits, least significant first */
    int n = 0;
    while (b.n) {
        uint32_t r = big_divmod(&b, 1000000000u);
        for (int i = 0; i < 9 && (b.n || r); i++) {
            tmp[n++] = (char)('0' + r % 10u);
            r /= 10u;
        }
    }
    *decpt = n - frac;
    int lo = 0;
    while (lo < n && tmp[lo] == '0')
        lo++;
    int len = n - lo;
    for (int i = 0; i < len; i++)
        buf[i] = tmp[n - 1 - i];
    return len;
}

/* Round digits d[0..n) (value 0.d * 10^*decpt, no trailing zeros) to `keep` digits, half to
 * even; returns the new count without trailing zeros (0: the value rounds to nothing). */
EPY_COLD_HELPER static int round_at(char *d, int n, int *decpt, int keep)
{
    if (keep >= n)
        return n;
    int up = 0;
    if (keep >= 0) {
        char g = d[keep];
        if (g > '5' || (g == '5' && keep + 1 < n)) /* the last digit is not 0: above half */
            up = 1;
        else if (g == '5')
            up = keep > 0 && ((d[keep - 1] - '0') & 1);
    }
    n = keep > 0 ? keep : 0;
    if (up) {
        while (n > 0 && d[n - 1] == '9')
            n--;
        if (n == 0) {
            d[0] = '1';
            n = 1;
            (*decpt)++;
        } else {
            d[n - 1]++;
        }
    } else {
        while (n > 0 && d[n - 1] == '0')
            n--;
    }
    return n;
}

/* Digits of |d| as _Py_dg_dtoa modes 2 and 3. */
EPY_COLD int flt_dtoa(double d, int mode, int ndigits, char *buf, int *decpt)
{
    if (d == 0.0) {
        buf[0] = '0';
        *decpt = 1;
        return 1;
    }
    uint64_t u = f64_bits(d) & ~(1ull << 63), m = u & ((1ull << 52) - 1);
    int be = (int)(u >> 52), e;
    if (be) {
        m |= 1ull << 52;
        e = be - 1075;
    } else {
        e = -1074;
    }
    int n = exact_digits(m, e, buf, decpt);
    if (n == 0) {
        buf[0] = '0';
        *decpt = 1;
        return 1;
    }
    int keep = mode == 2 ? (ndigits < 1 ? 1 : ndigits) : *decpt + ndigits;
    n = round_at(buf, n, decpt, keep);
    if (n == 0)
        *decpt = -ndigits;
    return n;
}

/* Shortest round-tripping digits of a binary32 (the simulator's loop over 1..9 digits). */
EPY_COLD int flt_shortest(float x, char *buf, int *decpt)
{
    uint32_t u = f32_bits(x) & 0x7FFFFFFFu;
    float ax = f32_from_bits(u);
    uint64_t m = u & 0x7FFFFFu;
    int e = (int)(u >> 23);
    if (e) {
        m |= 0x800000u;
        e -= 150;
    } else {
        e = -149;
    }
    char exact[FLT_DIGITS_MAX];
    int dp0, n0 = exact_digits(m, e, exact, &dp0);
    int n = n0;
    for (int digits = 1; digits <= 9; digits++) {
        /* round_at reads the kept digits and the next one (a digit after it means "above
         * half": trailing zeros are dropped), so buf needs only digits + 1 of them */
        memcpy(buf, exact, (size_t)(n0 < digits + 1 ? n0 : digits + 1));
        *decpt = dp0;
        n = round_at(buf, n0, decpt, digits);
        if ((float)flt_decimal_to_double(buf, n, *decpt - n) == ax)
            break;
    }
    return n;
}

/* Append n copies of c (within the capacity). */
EPY_COLD_HELPER static void put_n(FltText *t, char c, int n)
{
    for (; n > 0 && t->len < FLT_TEXT_MAX; n--)
        t->buf[t->len++] = c;
}

/* Append n bytes. */
EPY_COLD_HELPER static void put_s(FltText *t, const char *s, int n)
{
    for (int i = 0; i < n && t->len < FLT_TEXT_MAX; i++)
        t->buf[t->len++] = s[i];
}

/* format_float_short's layout (Python/pystrtod.c), the digits given. */
EPY_COLD void flt_layout(const char *digits, int n, int decpt, char code, int precision,
                         int add_dot_0, int alt, FltText *t)
{
    int use_exp = 0, exp = 0, vend = n;
    t->len = t->zeros = 0;
    switch (code) {
    case 'e': use_exp = 1; vend = precision; break;
    case 'f': vend = decpt + precision; break;
    case 'g':
        if (decpt <= -4 || decpt > (add_dot_0 ? precision - 1 : precision))
            use_exp = 1;
        if (alt)
            vend = precision;
        break;
    default: /* 'r' */
        if (decpt <= -4 || decpt > 16)
            use_exp = 1;
        break;
    }
    if (use_exp) {
        exp = decpt - 1;
        decpt = 1;
    }
    int vstart = decpt <= 0 ? decpt - 1 : 0;
    if (!use_exp && add_dot_0)
        vend = vend > decpt ? vend : decpt + 1;
    else
        vend = vend > decpt ? vend : decpt;
    if (decpt <= 0) {
        put_n(t, '0', decpt - vstart);
        put_n(t, '.', 1);
        put_n(t, '0', -decpt);
    } else {
        put_n(t, '0', -vstart);
    }
    if (0 < decpt && decpt <= n) {
        put_s(t, digits, decpt);
        put_n(t, '.', 1);
        put_s(t, digits + decpt, n - decpt);
    } else {
        put_s(t, digits, n);
    }
    if (n < decpt) {
        put_n(t, '0', decpt - n);
        put_n(t, '.', 1);
        t->zeros = (uint32_t)(vend - decpt);
    } else {
        t->zeros = vend > n ? (uint32_t)(vend - n) : 0;
    }
    if (!t->zeros && t->len && t->buf[t->len - 1] == '.' && !alt)
        t->len--;
    t->zpos = t->len;
    if (use_exp) {
        char e[8];
        int k = 0, a = exp < 0 ? -exp : exp;
        e[k++] = 'e';
        e[k++] = exp < 0 ? '-' : '+';
        if (a >= 100)
            e[k++] = (char)('0' + a / 100);
        e[k++] = (char)('0' + a / 10 % 10);
        e[k++] = (char)('0' + a % 10);
        put_s(t, e, k);
    }
}

/* PyOS_double_to_string for a finite |d| and code 'e', 'f' or 'g'. */
EPY_COLD void flt_format(double d, char code, int precision, int add_dot_0, int alt, FltText *t)
{
    char digits[FLT_DIGITS_MAX];
    int decpt, mode = code == 'f' ? 3 : 2;
    if (code == 'e')
        precision++;
    else if (code == 'g' && precision == 0)
        precision = 1;
    int n = flt_dtoa(d, mode, precision, digits, &decpt);
    flt_layout(digits, n, decpt, code, precision, add_dot_0, alt, t);
}

/* repr of a binary32. */
EPY_COLD int flt_repr(float x, char *buf)
{
    uint32_t u = f32_bits(x);
    const char *special = NULL;
    if (f32_isnan(x))
        special = "nan";
    else if (f32_isinf(x))
        special = u >> 31 ? "-inf" : "inf";
    else if ((u & 0x7FFFFFFFu) == 0)
        special = u >> 31 ? "-0.0" : "0.0";
    if (special) {
        int k = (int)strlen(special);
        memcpy(buf, special, (size_t)k + 1);
        return k;
    }
    char digits[FLT_SHORTEST_MAX];
    int decpt, n = flt_shortest(x, digits, &decpt);
    FltText t;
    flt_layout(digits, n, decpt, 'r', 0, 1, 0, &t);
    int k = 0; /* at most a sign, 9 digits, 16 zeros, '.', one more zero and "e+XX" */
    if (u >> 31)
        buf[k++] = '-';
    memcpy(buf + k, t.buf, t.zpos);
    k += (int)t.zpos;
    for (uint32_t i = 0; i < t.zeros; i++)
        buf[k++] = '0';
    memcpy(buf + k, t.buf + t.zpos, t.len - t.zpos);
    k += (int)(t.len - t.zpos);
    buf[k] = 0;
    return k;
}

/* ---- decimal -> binary ---- */

/* Correctly rounded double of digits[0..n) * 10^k (Clinger's fast path, else a 64-bit quotient
 * of bignums with a sticky bit). */
EPY_COLD double flt_decimal_to_double(const char *digits, int n, int k)
{
    while (n > 0 && digits[n - 1] == '0') {
        n--;
        k++;
    }
    int lead = 0;
    while (lead < n && digits[lead] == '0')
        lead++;
    digits += lead;
    n -= lead;
    if (n == 0)
        return 0.0;
    if (n + k > 61)
        return f64_from_bits(0x7FF0000000000000ull);
    if (n + k < -60)
        return 0.0;
    if (n <= 15 && k >= -22 && k <= 22) { /* exact operands, one rounding */
        uint64_t v = 0;
        for (int i = 0; i < n; i++)
            v = v * 10u + (uint64_t)(digits[i] - '0');
        double p = 1.0;
        for (int i = 0; i < (k < 0 ? -k : k); i++)
            p *= 10.0;
        return k < 0 ? (double)v / p : (double)v * p;
    }
    Big num, den;
    big_set(&num, 0);
    for (int i = 0; i < n; i += 9) {
        uint32_t chunk = 0, scale = 1;
        for (int j = i; j < n && j < i + 9; j++) {
            chunk = chunk * 10u + (uint32_t)(digits[j] - '0');
            scale *= 10u;
        }
        if (num.n == 0)
            big_set(&num, chunk);
        else
            big_mul_add(&num, scale, chunk);
    }
    big_set(&den, 1);
    if (k >= 0)
        big_mul_pow10(&num, k);
    else
        big_mul_pow10(&den, -k);
    /* value = num / den * 2^bexp with num / den in [1, 2) */
    int s = (int)big_bits(&den) - (int)big_bits(&num), bexp = -s;
    if (s > 0)
        big_shl(&num, (uint32_t)s);
    else if (s < 0)
        big_shl(&den, (uint32_t)-s);
    if (big_cmp(&num, &den) < 0) {
        big_shl(&num, 1);
        bexp--;
    }
    uint64_t q = 0;
    for (int i = 0; i < 64; i++) {
        q <<= 1;
        if (big_cmp(&num, &den) >= 0) {
            big_sub(&num, &den);
            q |= 1;
        }
        big_shl(&num, 1);
    }
    int sticky = num.n != 0;
    /* value = q 2^(bexp - 63); round to 53 bits */
    uint64_t mant = q >> 11, rest = q & 0x7FFu;
    if (rest > 0x400u || (rest == 0x400u && (sticky || (mant & 1u))))
        mant++;
    if (mant >> 53) {
        mant >>= 1;
        bexp++;
    }
    return fm_ldexp((double)mant, bexp - 52);
}

/* Is a code point (>= 127) Unicode whitespace (Py_UNICODE_ISSPACE). */
EPY_COLD_HELPER static int is_uspace(uint32_t c)
{
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* The decimal value of a code point (>= 127), or -1. */
EPY_COLD_HELPER static int udecimal(uint32_t c)
{
    static const uint16_t zeros[UDIGITS_COUNT] = UDIGITS_INIT;
    if (c >= 0x20000)
        return -1;
    for (int i = 0; i < UDIGITS_COUNT; i++) {
        uint32_t z = zeros[i] + (i >= UDIGITS_BMP ? 0x10000u : 0u);
        if (c >= z && c < z + 10)
            return (int)(c - z);
    }
    return -1;
}

/* The next character of CPython's ASCII transform of the str bytes. */
EPY_COLD int text_next(TextIter *it)
{
    if (it->i >= it->n)
        return -1;
    uint32_t c;
    it->i += utf8_decode(it->p + it->i, it->n - it->i, &c);
    if (c < 127)
        return (int)c;
    if (is_uspace(c))
        return ' ';
    int d = udecimal(c);
    return d >= 0 ? '0' + d : '?';
}

/* Py_ISSPACE. */
EPY_COLD_HELPER static int is_space(int c) { return c == ' ' || (c >= 9 && c <= 13); }
/* An ASCII digit. */
EPY_COLD_HELPER static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* The next character after the underscores (already checked to stand between digits). */
EPY_COLD_HELPER static int next_char(TextIter *it)
{
    int c;
    do
        c = text_next(it);
    while (c == '_');
    return c;
}

/* Does the rest of the text match a lowercase word, case-insensitively (and consume it). */
EPY_COLD_HELPER static int match_word(TextIter *it, const char *w)
{
    TextIter save = *it;
    for (; *w; w++) {
        int c = next_char(it);
        if (c < 0 || (c | 0x20) != *w) {
            *it = save;
            return 0;
        }
    }
    return 1;
}

#define PARSE_DIGITS 200

/* float(s): _Py_string_to_number_with_underscores, then float_from_string_inner (strip ASCII
 * whitespace), _Py_parse_inf_or_nan and _Py_dg_strtod's grammar. */
EPY_COLD int flt_parse(const uint8_t *s, uint32_t n, double *out)
{
    TextIter it = {s, n, 0};
    int c, prev = 0;
    /* underscores only between two digits (then they are dropped) */
    while ((c = text_next(&it)) >= 0) {
        if ((c == '_' && !is_digit(prev)) || (prev == '_' && !is_digit(c)))
            return -1;
        prev = c;
    }
    if (prev == '_')
        return -1;
    it.i = 0;
    do
        c = next_char(&it);
    while (is_space(c));
    int neg = 0;
    if (c == '-' || c == '+') {
        neg = c == '-';
        c = next_char(&it);
    }
    double v;
    if (c == 'i' || c == 'I' || c == 'n' || c == 'N') {
        it.i--; /* give the letter back (ASCII: one byte) */
        if (match_word(&it, "inf")) {
            match_word(&it, "inity");
            v = f64_from_bits(0x7FF0000000000000ull);
        } else if (match_word(&it, "nan")) {
            v = f64_from_bits(0x7FF8000000000000ull);
        } else {
            return -1;
        }
        c = next_char(&it);
    } else {
        char digits[PARSE_DIGITS + 1];
        int nd = 0, k = 0, seen = 0, sticky = 0;
        while (is_digit(c)) { /* integer part */
            seen = 1;
            if (nd || c != '0') {
                if (nd < PARSE_DIGITS)
                    digits[nd++] = (char)c;
                else {
                    sticky |= c != '0';
                    k++;
                }
            }
            c = next_char(&it);
        }
        if (c == '.') {
            c = next_char(&it);
            while (is_digit(c)) {
                seen = 1;
                if (nd || c != '0') {
                    if (nd < PARSE_DIGITS) {
                        digits[nd++] = (char)c;
                        k--;
                    } else {
                        sticky |= c != '0';
                    }
                } else {
                    k--;
                }
                c = next_char(&it);
            }
        }
        if (!seen)
            return -1;
        if (c == 'e' || c == 'E') {
            TextIter save = it;
            int ec = next_char(&it), eneg = 0;
            if (ec == '-' || ec == '+') {
                eneg = ec == '-';
                ec = next_char(&it);
            }
            if (is_digit(ec)) {
                int32_t ev = 0;
                while (is_digit(ec)) {
                    if (ev < 100000000)
                        ev = ev * 10 + (ec - '0');
                    ec = next_char(&it);
                }
                k += eneg ? -ev : ev;
                c = ec;
            } else {
                it = save; /* the 'e' is not part of the number: the text is invalid */
            }
        }
        if (sticky) {
            digits[nd++] = '1';
            k--;
        }
        v = flt_decimal_to_double(digits, nd, k);
    }
    while (is_space(c))
        c = next_char(&it);
    if (c != -1)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

/* ---- round(x, nd) and integer text ---- */

/* float.__round__(x, nd) of CPython (Objects/floatobject.c double_round). */
EPY_COLD double flt_round(double x, int32_t nd)
{
    if (!f64_isfinite(x) || x == 0.0 || nd > 323)
        return x;
    if (nd < -308)
        return fm_copysign(0.0, x);
    char digits[FLT_DIGITS_MAX];
    int decpt, n = flt_dtoa(x, 3, (int)nd, digits, &decpt);
    double r = flt_decimal_to_double(digits, n, decpt - n);
    return fm_copysign(r, x);
}

/* The exact digits of an integral binary32. */
EPY_COLD int flt_int_text(float x, char *buf)
{
    char digits[FLT_DIGITS_MAX];
    int decpt, k = 0, n = flt_dtoa(x, 3, 0, digits, &decpt);
    if (f32_bits(x) >> 31)
        buf[k++] = '-';
    for (int i = 0; i < n; i++)
        buf[k++] = digits[i];
    for (int i = n; i < decpt && k < 46; i++)
        buf[k++] = '0';
    if (n == 0 || (n == 1 && digits[0] == '0'))
        k = (buf[0] = '0', 1);
    buf[k] = 0;
    return k;
}
