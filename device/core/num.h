/* num.h: binary32 arithmetic and numeric comparisons that give the IEEE (and CPython-on-float32)
 * result on every port, computed in binary32 and integers only: no double in the hot paths.
 *
 * + - * of two binary32 values are correctly rounded in binary32 itself, so they equal the
 * double computation rounded once.  The Epiphany FPU, however, flushes denormal operands and
 * results to zero (e-sim: sim/epiphany/epiphany-fp.c); there an operation that involves a
 * denormal or whose result may be one is redone by libgcc's software binary32 routines, which
 * keep denormals.  Comparisons use the bit patterns (exact, also between an int32 and a float,
 * which the FPU's float conversion would round). */
#ifndef EPY_NUM_H
#define EPY_NUM_H

#include <stdint.h>
#include <string.h>

#include "config.h"

/* The bits of a binary32. */
EPY_INLINE uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* The binary32 of some bits. */
EPY_INLINE float f32_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* A denormal (exponent field 0, fraction not 0). */
EPY_INLINE int f32_denormal(uint32_t u) { return (u & 0x7F800000u) == 0 && (u & 0x7FFFFFu); }

/* Neither zero nor denormal operands make an FPU result of 0 exact: a nonzero one could be a
 * flushed denormal. */
EPY_INLINE int f32_zero(uint32_t u) { return (u & 0x7FFFFFFFu) == 0; }

#if defined(__epiphany__)
/* libgcc's software binary32 arithmetic (fp-bit: IEEE, denormals kept). */
float __addsf3(float, float);
float __subsf3(float, float);
float __mulsf3(float, float);
#endif

/* a + b in binary32. */
EPY_HOT static inline float f32_add(float a, float b)
{
    float r = a + b;
#if defined(__epiphany__)
    uint32_t x = f32_bits(a), y = f32_bits(b);
    if (__builtin_expect(f32_denormal(x) || f32_denormal(y) ||
                         (f32_zero(f32_bits(r)) && (x ^ y) != 0x80000000u && !(f32_zero(x) && f32_zero(y))), 0))
        r = __addsf3(a, b);
#endif
    return r;
}

/* a - b in binary32. */
EPY_HOT static inline float f32_sub(float a, float b)
{
    float r = a - b;
#if defined(__epiphany__)
    uint32_t x = f32_bits(a), y = f32_bits(b);
    if (__builtin_expect(f32_denormal(x) || f32_denormal(y) ||
                         (f32_zero(f32_bits(r)) && x != y && !(f32_zero(x) && f32_zero(y))), 0))
        r = __subsf3(a, b);
#endif
    return r;
}

/* a * b in binary32. */
EPY_HOT static inline float f32_mul(float a, float b)
{
    float r = a * b;
#if defined(__epiphany__)
    uint32_t x = f32_bits(a), y = f32_bits(b);
    if (__builtin_expect(f32_denormal(x) || f32_denormal(y) ||
                         (f32_zero(f32_bits(r)) && !f32_zero(x) && !f32_zero(y)), 0))
        r = __mulsf3(a, b);
#endif
    return r;
}

/* a / b in binary32 (b != 0); on the chip a libgcc routine in software (IEEE) anyway. */
EPY_INLINE float f32_div(float a, float b) { return a / b; }

/* Outcome bits of a comparison: CMP_LT, CMP_EQ, CMP_GT; 0 when unordered (a nan). */
enum { CMP_LT = 1, CMP_EQ = 2, CMP_GT = 4 };

/* Compare two binary32 values given as bits (IEEE: -0 == 0, nan unordered). */
EPY_HOT static inline uint32_t f32_compare(uint32_t a, uint32_t b)
{
    if ((a & 0x7FFFFFFFu) > 0x7F800000u || (b & 0x7FFFFFFFu) > 0x7F800000u)
        return 0;
    if (((a | b) & 0x7FFFFFFFu) == 0)
        return CMP_EQ;
    /* sign-magnitude to two's complement order */
    int32_t x = (int32_t)(a ^ ((uint32_t)((int32_t)a >> 31) >> 1));
    int32_t y = (int32_t)(b ^ ((uint32_t)((int32_t)b >> 31) >> 1));
    return x < y ? CMP_LT : x == y ? CMP_EQ : CMP_GT;
}

/* Compare an int32 with a binary32 given as bits, exactly (CPython compares int and float by
 * value, not by converting the int). */
EPY_HOT static inline uint32_t int_f32_compare(int32_t i, uint32_t f)
{
    if ((f & 0x7FFFFFFFu) > 0x7F800000u)
        return 0;
    uint32_t e = (f >> 23) & 0xFFu, neg = f >> 31;
    if (e >= 127u + 31u) { /* |f| >= 2^31 (or inf): only -2^31 is an int32 */
        if (f == 0xCF000000u)
            return i == INT32_MIN ? CMP_EQ : CMP_GT;
        return neg ? CMP_GT : CMP_LT;
    }
    int32_t t;
    uint32_t frac;
    if (e < 127u) {
        t = 0;
        frac = (f & 0x7FFFFFFFu) != 0;
    } else {
        uint32_t m = (f & 0x7FFFFFu) | 0x800000u;
        int32_t sh = (int32_t)e - 150;
        if (sh >= 0) {
            t = (int32_t)(m << sh);
            frac = 0;
        } else {
            t = (int32_t)(m >> -sh);
            frac = (m & ((1u << -sh) - 1u)) != 0;
        }
        if (neg)
            t = -t;
    }
    if (i != t)
        return i < t ? CMP_LT : CMP_GT;
    if (!frac)
        return CMP_EQ;
    return neg ? CMP_GT : CMP_LT; /* f is t plus a fraction of its own sign */
}

#endif /* EPY_NUM_H */
