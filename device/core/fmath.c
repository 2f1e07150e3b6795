/* fmath.c: exp, log, log10, sin, cos, tan, asin, acos, atan, atan2, pow, floor, fmod and a
 * correctly rounded binary32 sqrt, without libm (fmath.h says why and how exact).
 *
 * Method: every function reduces its argument exactly (integer arithmetic, Sterbenz
 * subtractions, a Payne-Hanek reduction modulo pi/2 with 1280 bits of 2/pi), evaluates a
 * Taylor polynomial whose leading terms are carried in double-double arithmetic (Knuth's
 * TwoSum, Dekker's product; no fused multiply-add: the core is compiled with
 * -ffp-contract=off), and rounds the double-double once.  The relative error before that
 * rounding is about 2^-62, so the double returned is the correctly rounded one unless the
 * exact value lies within about 1/1000 ulp of a rounding boundary (measured against mpmath:
 * 0.05% .. 0.15% of random arguments of exp and pow, fewer for the others; glibc's own double
 * results are not always correctly rounded either, log10's in a fifth of the cases).  Rounded
 * to binary32, the two then differ only if such a case also lies next to a binary32 rounding
 * boundary (about one argument in 2^29). */
#include "config.h"
#include "fconsts.h"
#include "fmath.h"

/* ---- binary32 ---- */

/* The integral binary32 nearest x, ties to even. */
EPY_COLD float fm_rintf(float x)
{
    uint32_t u = f32_bits(x), a = u & 0x7FFFFFFFu;
    if (a >= 0x4B000000u) /* |x| >= 2^23, inf, nan: already integral */
        return x;
    if (a < 0x3F000000u) /* |x| < 0.5 */
        return f32_from_bits(u & 0x80000000u);
    int fb = 150 - (int)(a >> 23); /* fraction bits of the significand: 1..24 */
    uint32_t m = (a & 0x7FFFFFu) | 0x800000u;
    uint32_t ip = m >> fb, rem = m & ((1u << fb) - 1u), half = 1u << (fb - 1);
    if (rem > half || (rem == half && (ip & 1u)))
        ip++;
    float r = (float)ip; /* exact: ip <= 2^23 */
    return (u >> 31) ? -r : r;
}

/* Correctly rounded square root of a binary32: the integer square root of the significand
 * scaled to 50 bits gives 24 bits and a rounding bit (an exact tie is impossible). */
EPY_COLD float fm_sqrtf(float x)
{
    uint32_t u = f32_bits(x);
    if ((u & 0x7FFFFFFFu) == 0 || u == 0x7F800000u || (u & 0x7FFFFFFFu) > 0x7F800000u)
        return x; /* +-0, +inf, nan */
    if (u >> 31)
        return f32_from_bits(0x7FC00000u);
    int e = (int)(u >> 23);
    uint32_t m = u & 0x7FFFFFu;
    if (e == 0) { /* subnormal: normalise */
        e = 1;
        while (!(m & 0x800000u)) {
            m <<= 1;
            e--;
        }
    } else {
        m |= 0x800000u;
    }
    int t = e - 150; /* x = m * 2^t, m in [2^23, 2^24) */
    uint64_t big;
    if (t & 1) {
        big = (uint64_t)m << 1;
        t -= 1;
    } else {
        big = (uint64_t)m << 2;
        t -= 2;
    }
    big <<= 24; /* in [2^48, 2^50): its root has 25 bits */
    uint64_t op = big, res = 0, one = 1ull << 48;
    while (one) {
        if (op >= res + one) {
            op -= res + one;
            res = (res >> 1) + one;
        } else {
            res >>= 1;
        }
        one >>= 2;
    }
    uint32_t s = (uint32_t)(res >> 1) + (uint32_t)(res & 1u); /* round: no ties */
    int ef = t / 2 + 139;
    if (s == 0x1000000u) {
        s >>= 1;
        ef++;
    }
    return f32_from_bits(((uint32_t)ef << 23) | (s & 0x7FFFFFu));
}

/* ---- double helpers ---- */

/* The nan of an invalid operation (a nan argument is returned itself, as C libraries do). */
#define DEFAULT_NAN f64_from_bits(0x7FF8000000000000ull)

/* Largest integral value <= x. */
EPY_COLD double fm_floor(double x)
{
    uint64_t u = f64_bits(x);
    int e = (int)((u >> 52) & 0x7FF) - 1023;
    if (e >= 52)
        return x;
    if (e < 0) {
        if ((u << 1) == 0)
            return x;
        return (u >> 63) ? -1.0 : 0.0;
    }
    uint64_t mask = (1ull << (52 - e)) - 1;
    if ((u & mask) == 0)
        return x;
    if (u >> 63)
        u += mask + 1; /* away from zero; a carry into the exponent is right */
    return f64_from_bits(u & ~mask);
}

/* x * 2^k (in steps: no intermediate overflow). */
EPY_COLD double fm_ldexp(double x, int k)
{
    while (k > 1023) {
        x *= 0x1p1023;
        k -= 1023;
    }
    while (k < -1022) {
        x *= 0x1p-1022;
        k += 1022;
        if (x == 0.0)
            return x;
    }
    return x * f64_from_bits((uint64_t)(k + 1023) << 52);
}

/* Significand and exponent of a finite nonzero |x|: |x| = *m * 2^*e, *m < 2^53. */
EPY_COLD_HELPER static void f64_parts(double x, uint64_t *m, int *e)
{
    uint64_t u = f64_bits(x);
    int be = (int)((u >> 52) & 0x7FF);
    *m = u & ((1ull << 52) - 1);
    if (be) {
        *m |= 1ull << 52;
        *e = be - 1075;
    } else {
        *e = -1074;
    }
}

/* C's fmod (exact): binary long division of the significands. */
EPY_COLD double fm_fmod(double x, double y)
{
    if (f64_isnan(x) || f64_isnan(y) || f64_isinf(x) || y == 0.0)
        return DEFAULT_NAN;
    if (f64_isinf(y) || fm_fabs(x) < fm_fabs(y) || x == 0.0)
        return x;
    uint64_t mx, my;
    int ex, ey;
    f64_parts(x, &mx, &ex);
    f64_parts(y, &my, &ey);
    while (!(mx >> 52)) { /* normalise subnormals: the loop below needs mx, my >= 2^52 */
        mx <<= 1;
        ex--;
    }
    while (!(my >> 52)) {
        my <<= 1;
        ey--;
    }
    for (; ex > ey; ex--) {
        if (mx >= my)
            mx -= my;
        mx <<= 1;
    }
    if (mx >= my)
        mx -= my;
    if (mx == 0)
        return fm_copysign(0.0, x);
    /* |r| = mx * 2^ey with mx < my < 2^53: exact as a double (normal or subnormal) */
    double r = fm_ldexp((double)mx, ey);
    return fm_copysign(r, x);
}

/* Is a finite double an integer; *odd: an odd one. */
EPY_COLD_HELPER static int f64_integer(double x, int *odd)
{
    uint64_t u = f64_bits(x);
    int be = (int)((u >> 52) & 0x7FF);
    *odd = 0;
    if ((u << 1) == 0)
        return 1;
    if (be == 0) /* nonzero subnormal: |x| < 1 */
        return 0;
    int e = be - 1075; /* |x| = m 2^e, m in [2^52, 2^53) */
    uint64_t m = (u & ((1ull << 52) - 1)) | (1ull << 52);
    if (e > 0)
        return 1;
    if (e < -52)
        return 0;
    if (e < 0 && (m & ((1ull << -e) - 1)))
        return 0;
    *odd = (int)((m >> -e) & 1u);
    return 1;
}

/* ---- double-double arithmetic ---- */
typedef struct DD {
    double hi, lo;
} DD;

/* a + b exactly as hi + lo (Knuth's TwoSum). */
EPY_COLD_HELPER static DD two_sum(double a, double b)
{
    DD r;
    r.hi = a + b;
    double bb = r.hi - a;
    r.lo = (a - (r.hi - bb)) + (b - bb);
    return r;
}

/* a + b exactly as hi + lo, for |a| >= |b| or a = 0 (Dekker's FastTwoSum). */
EPY_COLD_HELPER static DD fast_sum(double a, double b)
{
    DD r;
    r.hi = a + b;
    r.lo = b - (r.hi - a);
    return r;
}

/* a * b exactly as hi + lo (Dekker's product with Veltkamp's split). */
EPY_COLD_HELPER static DD two_prod(double a, double b)
{
    DD r;
    r.hi = a * b;
    double t = 134217729.0 * a, ah = t - (t - a), al = a - ah;
    t = 134217729.0 * b;
    double bh = t - (t - b), bl = b - bh;
    r.lo = ((ah * bh - r.hi) + ah * bl + al * bh) + al * bl;
    return r;
}

/* A double-double from a constant pair. */
EPY_COLD_HELPER static DD dd(double hi, double lo)
{
    DD r = {hi, lo};
    return r;
}

/* a + b. */
EPY_COLD_HELPER static DD dd_add(DD a, DD b)
{
    DD s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = fast_sum(s.hi, s.lo);
    s.lo += t.lo;
    return fast_sum(s.hi, s.lo);
}

/* -a. */
EPY_COLD_HELPER static DD dd_neg(DD a)
{
    a.hi = -a.hi;
    a.lo = -a.lo;
    return a;
}

/* a * b. */
EPY_COLD_HELPER static DD dd_mul(DD a, DD b)
{
    DD p = two_prod(a.hi, b.hi);
    p.lo += a.hi * b.lo + a.lo * b.hi;
    return fast_sum(p.hi, p.lo);
}

/* a * b for a double b. */
EPY_COLD_HELPER static DD dd_mul_d(DD a, double b)
{
    DD p = two_prod(a.hi, b);
    p.lo += a.lo * b;
    return fast_sum(p.hi, p.lo);
}

/* a / b (b != 0). */
EPY_COLD_HELPER static DD dd_div(DD a, DD b)
{
    double q1 = a.hi / b.hi;
    DD r = dd_add(a, dd_neg(dd_mul_d(b, q1)));
    double q2 = r.hi / b.hi;
    r = dd_add(r, dd_neg(dd_mul_d(b, q2)));
    double q3 = r.hi / b.hi;
    DD q = fast_sum(q1, q2);
    return dd_add(q, dd(q3, 0.0));
}

/* sqrt(a) for a >= 0: a binary32 root refined twice by Newton, the second time with the exact
 * residual. */
EPY_COLD_HELPER static DD dd_sqrt(DD a)
{
    if (a.hi <= 0.0)
        return dd(0.0, 0.0);
    int k = 0; /* a = b * 4^k with b in the binary32 range */
    double b = a.hi;
    while (b > 0x1p100) {
        b *= 0x1p-100;
        k += 50;
    }
    while (b < 0x1p-100) {
        b *= 0x1p100;
        k -= 50;
    }
    double s = fm_sqrtf((float)b);
    s = 0.5 * (s + b / s);
    s = fm_ldexp(s, k);
    DD r = dd_add(a, dd_neg(two_prod(s, s)));
    return fast_sum(s, r.hi / (2.0 * s));
}

/* ---- exp and log ---- */

/* e^a = m * 2^*k for |a.hi| < 750: the reduction a - k ln 2 is exact to 2^-90. */
EPY_COLD_HELPER static DD exp_dd(DD a, int *k)
{
    double kd = fm_floor(a.hi * INV_LN2 + 0.5);
    *k = (int)kd;
    double t = a.hi - kd * LN2_HI; /* exact: k * LN2_HI has 53 bits, Sterbenz */
    DD r = two_sum(t, a.lo - kd * LN2_LO);
    double x = r.hi;
    /* e^r = 1 + r + r^2/2 + r^3 q(r), |r| <= 0.35 (q: Taylor to r^14, error < 2^-63) */
    double q = 1.0 / 87178291200.0;
    static const double inv_fact[] = {
        1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
        1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
        1.0 / 6.0};
    for (unsigned i = 0; i < sizeof inv_fact / sizeof inv_fact[0]; i++)
        q = q * x + inv_fact[i];
    DD x2 = two_prod(x, x);
    DD s = fast_sum(1.0, x);
    DD h = two_sum(s.hi, 0.5 * x2.hi);
    double lo = s.lo + h.lo + r.lo + 0.5 * x2.lo + x * r.lo + x2.hi * x * q;
    return fast_sum(h.hi, lo);
}

/* e^x. */
EPY_COLD double fm_exp(double x)
{
    if (f64_isnan(x))
        return x;
    if (x > 709.79)
        return f64_from_bits(0x7FF0000000000000ull);
    if (x < -745.2)
        return 0.0;
    int k;
    DD m = exp_dd(dd(x, 0.0), &k);
    return fm_ldexp(m.hi + m.lo, k);
}

/* ln x for a finite x > 0 as a double-double (relative error < 2^-90). */
EPY_COLD_HELPER static DD log_dd(double x)
{
    uint64_t m;
    int e;
    f64_parts(x, &m, &e);
    while (!(m >> 52)) {
        m <<= 1;
        e--;
    }
    /* x = f * 2^e with f in [sqrt(1/2), sqrt(2)) */
    e += 52;
    double f = f64_from_bits((m & ((1ull << 52) - 1)) | (1023ull << 52));
    if (f > 1.4142135623730951) {
        f *= 0.5;
        e++;
    }
    /* ln f = 2 atanh(s) = 2s + s z (2/3 + z (2/5 + z (2/7 + z R(z)))), s = (f-1)/(f+1), z = s^2 */
    double g = f - 1.0; /* exact (Sterbenz) */
    DD s = dd_div(dd(g, 0.0), two_sum(2.0, g));
    DD z = dd_mul(s, s);
    double zr = z.hi, r = 2.0 / 29.0;
    static const double c[] = {2.0 / 27.0, 2.0 / 25.0, 2.0 / 23.0, 2.0 / 21.0, 2.0 / 19.0,
                               2.0 / 17.0, 2.0 / 15.0, 2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0};
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        r = r * zr + c[i];
    DD p = dd_add(dd(C_2_7_HI, C_2_7_LO), dd(zr * r, 0.0));
    p = dd_add(dd(C_2_5_HI, C_2_5_LO), dd_mul(z, p));
    p = dd_add(dd(C_2_3_HI, C_2_3_LO), dd_mul(z, p));
    DD l = dd_add(dd_mul_d(s, 2.0), dd_mul(dd_mul(s, z), p));
    double ed = (double)e;
    return dd_add(two_sum(ed * LN2_HI, ed * LN2_LO), l);
}

/* ln x. */
EPY_COLD double fm_log(double x)
{
    if (f64_isnan(x) || (x > 0.0 && f64_isinf(x)))
        return x;
    if (x == 0.0)
        return f64_from_bits(0xFFF0000000000000ull);
    if (x < 0.0)
        return DEFAULT_NAN;
    DD l = log_dd(x);
    return l.hi + l.lo;
}

/* log10 x. */
EPY_COLD double fm_log10(double x)
{
    if (f64_isnan(x) || (x > 0.0 && f64_isinf(x)) || x <= 0.0)
        return fm_log(x);
    DD l = dd_mul(log_dd(x), dd(LOG10E_HI, LOG10E_LO));
    return l.hi + l.lo;
}

/* ---- trigonometric functions ---- */

/* The bits [pos, pos + 64) of the little-endian 256-bit number p (zero outside). */
EPY_COLD_HELPER static uint64_t bits64(const uint32_t p[8], int pos)
{
    uint64_t r = 0;
    for (int i = 63; i >= 0; i--) {
        int b = pos + i;
        r <<= 1;
        if (b >= 0 && b < 256)
            r |= (p[b >> 5] >> (b & 31)) & 1u;
    }
    return r;
}

/* Payne-Hanek: |x| >= pi/4 finite; returns the quadrant q (mod 4) and y = |x| - q pi/2 as a
 * double-double, |y| <= pi/4.  The product of the significand with a 192-bit window of 2/pi
 * is exact; the bits of 2/pi above the window add multiples of 4, those below change the
 * result by less than 2^-137 quadrants. */
EPY_COLD_HELPER static int reduce_pio2(double x, DD *y)
{
    static const uint32_t two_over_pi[TWO_OVER_PI_WORDS] = TWO_OVER_PI_INIT;
    uint64_t m;
    int e;
    f64_parts(x, &m, &e); /* |x| = m 2^e, m < 2^53 */
    int i0 = e - 1 > 1 ? e - 1 : 1; /* first bit of 2/pi (bit i weighs 2^-i) that counts */
    uint32_t w[6];
    for (int j = 0; j < 6; j++) { /* w: bits i0 .. i0 + 191, w[0] least significant */
        uint32_t v = 0;
        for (int b = 0; b < 32; b++) {
            int i = i0 + 191 - (32 * j + b); /* bit index in 2/pi of this bit of w */
            int wi = (i - 1) >> 5, bi = 31 - ((i - 1) & 31);
            if (wi < TWO_OVER_PI_WORDS && ((two_over_pi[wi] >> bi) & 1u))
                v |= 1u << b;
        }
        w[j] = v;
    }
    uint32_t p[8] = {0};
    uint32_t ml[2] = {(uint32_t)m, (uint32_t)(m >> 32)};
    for (int a = 0; a < 2; a++) { /* p = m * w */
        uint64_t carry = 0;
        for (int j = 0; j < 6; j++) {
            uint64_t t = (uint64_t)ml[a] * w[j] + p[a + j] + carry;
            p[a + j] = (uint32_t)t;
            carry = t >> 32;
        }
        p[a + 6] += (uint32_t)carry;
    }
    int sh = i0 + 191 - e; /* x 2/pi = p 2^-sh: sh fraction bits */
    int q = (int)(bits64(p, sh) & 3u);
    uint64_t fh = bits64(p, sh - 64), fl = bits64(p, sh - 128);
    int neg = (int)(fh >> 63);
    if (neg) { /* fraction >= 1/2: y = fraction - 1 */
        q = (q + 1) & 3;
        fl = ~fl + 1;
        fh = ~fh + (fl == 0);
    }
    /* |fraction| = (fh 2^64 + fl) 2^-128 as a double-double */
    int lz = 0;
    while (lz < 128 && !((lz < 64 ? fh >> (63 - lz) : fl >> (127 - lz)) & 1u))
        lz++;
    if (lz == 128) {
        *y = dd(0.0, 0.0);
        return q;
    }
    uint64_t top, next; /* the 128 bits shifted left by lz */
    if (lz == 0) {
        top = fh;
        next = fl;
    } else if (lz < 64) {
        top = (fh << lz) | (fl >> (64 - lz));
        next = fl << lz;
    } else {
        top = fl << (lz - 64);
        next = 0;
    }
    double hi = fm_ldexp((double)(top >> 11), -64 - 53 - lz + 64);
    uint64_t rest = ((top & 0x7FFu) << 42) | (next >> 22); /* the next 53 bits */
    double lo = fm_ldexp((double)rest, -64 - 53 - lz + 64 - 53);
    DD f = fast_sum(hi, lo);
    if (neg)
        f = dd_neg(f);
    *y = dd_mul(f, dd(PIO2_HI, PIO2_LO));
    return q;
}

/* sin(y) for |y| <= pi/4 + (Taylor to y^21; y^3/6 in double-double). */
EPY_COLD_HELPER static DD sin_kernel(DD y)
{
    DD y2 = two_prod(y.hi, y.hi);
    double z = y2.hi;
    static const double c[] = {-1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0,
                               1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0};
    double p = 1.0 / 51090942171709440000.0 * z - 1.0 / 121645100408832000.0;
    p = p * z + 1.0 / 355687428096000.0;
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        p = p * z + c[i];
    DD y3 = dd_mul_d(y2, y.hi);
    DD t3 = dd_mul(y3, dd(C_1_6_HI, C_1_6_LO));
    DD s = two_sum(y.hi, -t3.hi);
    s.lo += (y.lo - t3.lo) + y3.hi * z * p - 0.5 * z * y.lo;
    return fast_sum(s.hi, s.lo);
}

/* cos(y) for |y| <= pi/4 + (Taylor to y^20; 1 - y^2/2 + y^4/24 in double-double). */
EPY_COLD_HELPER static DD cos_kernel(DD y)
{
    DD y2 = two_prod(y.hi, y.hi);
    y2.lo += 2.0 * y.hi * y.lo;
    double z = y2.hi;
    static const double c[] = {1.0 / 20922789888000.0, -1.0 / 87178291200.0,
                               1.0 / 479001600.0, -1.0 / 3628800.0, 1.0 / 40320.0};
    double p = 1.0 / 2432902008176640000.0 * z - 1.0 / 6402373705728000.0;
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        p = p * z + c[i];
    DD y4 = dd_mul(y2, y2);
    DD t4 = dd_mul(y4, dd(C_1_24_HI, C_1_24_LO));
    DD c1 = fast_sum(1.0, -0.5 * y2.hi);
    DD c2 = two_sum(c1.hi, t4.hi);
    c2.lo += c1.lo - 0.5 * y2.lo + t4.lo - y4.hi * z * (1.0 / 720.0) + y4.hi * y4.hi * p;
    return fast_sum(c2.hi, c2.lo);
}

/* sin (which 0), cos (1) or tan (2) of a finite x. */
EPY_COLD_HELPER static double trig(double x, int which)
{
    if (x == 0.0)
        return which == 1 ? 1.0 : x;
    double ax = fm_fabs(x);
    DD y = dd(ax, 0.0);
    int q = 0;
    if (ax > 0.7853981633974483)
        q = reduce_pio2(ax, &y);
    int neg = x < 0.0 && which != 1; /* sin and tan are odd, cos even */
    DD r;
    if (which == 2) {
        DD s = sin_kernel(y), c = cos_kernel(y);
        r = (q & 1) ? dd_neg(dd_div(c, s)) : dd_div(s, c);
    } else {
        int k = (q + which) & 3; /* cos(y + q pi/2) = sin(y + (q+1) pi/2) */
        r = (k & 1) ? cos_kernel(y) : sin_kernel(y);
        if (k & 2)
            r = dd_neg(r);
    }
    double v = r.hi + r.lo;
    return neg ? -v : v;
}

/* sin x. */
EPY_COLD double fm_sin(double x)
{
    return f64_isfinite(x) ? trig(x, 0) : f64_isnan(x) ? x : DEFAULT_NAN;
}

/* cos x. */
EPY_COLD double fm_cos(double x)
{
    return f64_isfinite(x) ? trig(x, 1) : f64_isnan(x) ? x : DEFAULT_NAN;
}

/* tan x. */
EPY_COLD double fm_tan(double x)
{
    return f64_isfinite(x) ? trig(x, 2) : f64_isnan(x) ? x : DEFAULT_NAN;
}

/* ---- inverse trigonometric functions ---- */

/* atan(t) for a finite t >= 0: t > 1 through pi/2 - atan(1/t), then atan(c) + atan(u) with
 * c in {0, 1/4, 1/2, 3/4, 1} nearest t and u = (t - c) / (1 + t c), |u| <= 1/8. */
EPY_COLD_HELPER static DD atan_pos(DD t)
{
    static const double hi[] = {0.0, ATAN_1_4_HI, ATAN_1_2_HI, ATAN_3_4_HI, PIO4_HI};
    static const double lo[] = {0.0, ATAN_1_4_LO, ATAN_1_2_LO, ATAN_3_4_LO, PIO4_LO};
    int inv = t.hi > 1.0;
    if (inv)
        t = dd_div(dd(1.0, 0.0), t);
    int k = (int)(t.hi * 4.0 + 0.5);
    DD u = t;
    if (k) {
        double c = 0.25 * k;
        u = dd_div(dd_add(t, dd(-c, 0.0)), dd_add(dd_mul_d(t, c), dd(1.0, 0.0)));
    }
    /* atan u = u - u^3/3 + u^5 (1/5 - u^2/7 + ...): Taylor to u^27 */
    DD u2 = two_prod(u.hi, u.hi);
    double z = u2.hi, p = 1.0 / 27.0;
    static const double c[] = {-1.0 / 25.0, 1.0 / 23.0, -1.0 / 21.0, 1.0 / 19.0, -1.0 / 17.0,
                               1.0 / 15.0, -1.0 / 13.0, 1.0 / 11.0, -1.0 / 9.0, 1.0 / 7.0,
                               -1.0 / 5.0};
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
        p = p * z + c[i];
    DD u3 = dd_mul_d(u2, u.hi);
    DD t3 = dd_mul(u3, dd(C_1_3_HI, C_1_3_LO));
    DD a = two_sum(u.hi, -t3.hi);
    a.lo += (u.lo - t3.lo) - z * u.lo - u3.hi * z * p;
    a = fast_sum(a.hi, a.lo);
    if (k)
        a = dd_add(dd(hi[k], lo[k]), a);
    if (inv)
        a = dd_add(dd(PIO2_HI, PIO2_LO), dd_neg(a));
    return a;
}

/* atan x. */
EPY_COLD double fm_atan(double x)
{
    if (f64_isnan(x) || x == 0.0)
        return x;
    if (f64_isinf(x))
        return fm_copysign(PIO2_HI, x);
    DD a = atan_pos(dd(fm_fabs(x), 0.0));
    return fm_copysign(a.hi + a.lo, x);
}

/* atan2(y, x) with C99's special values. */
EPY_COLD double fm_atan2(double y, double x)
{
    if (f64_isnan(x) || f64_isnan(y))
        return f64_isnan(y) ? y : x;
    int xneg = f64_signbit(x);
    if (f64_isinf(y)) {
        if (f64_isinf(x))
            return fm_copysign(xneg ? 0.75 * PI_HI : 0.25 * PI_HI, y);
        return fm_copysign(PIO2_HI, y);
    }
    if (f64_isinf(x) || y == 0.0)
        return fm_copysign(xneg ? PI_HI : 0.0, y);
    double ax = fm_fabs(x), ay = fm_fabs(y);
    DD a;
    if (x == 0.0)
        a = dd(PIO2_HI, PIO2_LO);
    else
        a = atan_pos(dd_div(dd(ay, 0.0), dd(ax, 0.0)));
    if (xneg)
        a = dd_add(dd(PI_HI, PI_LO), dd_neg(a));
    return fm_copysign(a.hi + a.lo, y);
}

/* asin x = atan(x / sqrt(1 - x^2)), 1 - x^2 exact in double-double. */
EPY_COLD double fm_asin(double x)
{
    double ax = fm_fabs(x);
    if (f64_isnan(x) || x == 0.0)
        return x;
    if (ax > 1.0)
        return DEFAULT_NAN;
    if (ax == 1.0)
        return fm_copysign(PIO2_HI, x);
    DD w = dd_add(dd(1.0, 0.0), dd_neg(two_prod(ax, ax)));
    DD a = atan_pos(dd_div(dd(ax, 0.0), dd_sqrt(w)));
    return fm_copysign(a.hi + a.lo, x);
}

/* acos x = atan(sqrt(1 - x^2) / x), pi - that for x < 0. */
EPY_COLD double fm_acos(double x)
{
    double ax = fm_fabs(x);
    if (f64_isnan(x))
        return x;
    if (ax > 1.0)
        return DEFAULT_NAN;
    if (x == 0.0)
        return PIO2_HI;
    if (x == 1.0)
        return 0.0;
    DD w = dd_add(dd(1.0, 0.0), dd_neg(two_prod(ax, ax)));
    DD a = atan_pos(dd_div(dd_sqrt(w), dd(ax, 0.0)));
    if (x < 0.0)
        a = dd_add(dd(PI_HI, PI_LO), dd_neg(a));
    return a.hi + a.lo;
}

/* ---- pow ---- */

/* x^y with C99's special values. */
EPY_COLD double fm_pow(double x, double y)
{
    const double inf = f64_from_bits(0x7FF0000000000000ull);
    if (y == 0.0 || x == 1.0)
        return 1.0;
    if (f64_isnan(x) || f64_isnan(y))
        return f64_isnan(x) ? x : y;
    int yodd = 0, yint = 1;
    if (f64_isinf(y)) {
        double ax = fm_fabs(x);
        if (ax == 1.0)
            return 1.0;
        return (ax > 1.0) == (y > 0.0) ? inf : 0.0;
    }
    yint = f64_integer(y, &yodd);
    if (f64_isinf(x)) {
        if (f64_signbit(x) && yodd)
            return y > 0.0 ? -inf : -0.0;
        return y > 0.0 ? inf : 0.0;
    }
    if (x == 0.0) {
        if (y > 0.0)
            return yodd ? x : 0.0;
        return yodd ? fm_copysign(inf, x) : inf;
    }
    if (x < 0.0 && !yint)
        return DEFAULT_NAN;
    int neg = x < 0.0 && yodd;
    double ax = fm_fabs(x), r;
    if (y == 1.0)
        r = ax;
    else if (y == 2.0)
        r = ax * ax;
    else if (y == -1.0)
        r = 1.0 / ax;
    else {
        DD l = log_dd(ax);
        DD t = two_prod(y, l.hi);
        t.lo += y * l.lo;
        t = fast_sum(t.hi, t.lo);
        if (t.hi > 709.79)
            r = inf;
        else if (t.hi < -745.2)
            r = 0.0;
        else {
            int k;
            DD m = exp_dd(t, &k);
            r = fm_ldexp(m.hi + m.lo, k);
        }
    }
    return neg ? -r : r;
}

/* ---- CPython's math module (Modules/mathmodule.c: math_1, math_2, m_log, math_pow) ---- */

/* Errors of math_1: nan from a non-nan argument is a domain error; inf from a finite one a
 * range error for exp, a domain error (a singularity) otherwise. */
EPY_COLD_HELPER static int math_1(double x, double r, int can_overflow)
{
    if (f64_isnan(r) && !f64_isnan(x))
        return FM_EDOM;
    if (f64_isinf(r) && f64_isfinite(x))
        return can_overflow ? FM_ERANGE : FM_EDOM;
    return FM_OK;
}

/* math.pow: specials first, then C's pow; errno as CPython sets it. */
EPY_COLD_HELPER static int py_pow(double x, double y, double *r)
{
    *r = fm_pow(x, y);
    if (!f64_isfinite(x) || !f64_isfinite(y))
        return FM_OK; /* CPython's own table of special values, the same as C99's */
    if (f64_isnan(*r))
        return FM_EDOM;
    if (f64_isinf(*r))
        return x == 0.0 ? FM_EDOM : FM_ERANGE;
    return FM_OK;
}

/* math.<fn>(x[, y]) of CPython, rounded to binary32. */
EPY_COLD int fm_py_math(int fn, double x, double y, int nargs, float *out)
{
    double r = 0.0;
    int st = FM_OK;
    switch (fn) {
    case FM_SQRT: { /* the binary32 root is the double root rounded (innocuous double rounding) */
        float s = fm_sqrtf((float)x);
        *out = s;
        return f32_isnan(s) && !f64_isnan(x) ? FM_EDOM : FM_OK;
    }
    case FM_SIN: r = fm_sin(x); st = math_1(x, r, 0); break;
    case FM_COS: r = fm_cos(x); st = math_1(x, r, 0); break;
    case FM_TAN: r = fm_tan(x); st = math_1(x, r, 0); break;
    case FM_ASIN: r = fm_asin(x); st = math_1(x, r, 0); break;
    case FM_ACOS: r = fm_acos(x); st = math_1(x, r, 0); break;
    case FM_ATAN: r = fm_atan(x); st = math_1(x, r, 0); break;
    case FM_EXP: r = fm_exp(x); st = math_1(x, r, 1); break;
    case FM_FABS: r = fm_fabs(x); break;
    case FM_ATAN2: /* m_atan2: a nan argument gives Py_NAN; no errors */
        r = f64_isnan(x) || f64_isnan(y) ? DEFAULT_NAN : fm_atan2(x, y);
        break;
    case FM_LOG: case FM_LOG10:
        r = fn == FM_LOG ? fm_log(x) : fm_log10(x);
        st = math_1(x, r, 0);
        if (st == FM_OK && nargs == 2) {
            double d = fm_log(y);
            st = math_1(y, d, 0);
            if (st == FM_OK && d == 0.0)
                st = FM_EZERODIV;
            r = r / d;
        }
        break;
    default:
        st = py_pow(x, y, &r);
        break;
    }
    *out = (float)r;
    return st;
}
