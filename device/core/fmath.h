/* fmath.h: the core's own floating-point library (no libm): bit tests and rounding of binary32
 * and double values, a correctly rounded binary32 square root, the transcendental functions in
 * double, and CPython's math-module wrappers around them (which inputs raise which error).
 *
 * The kernel language computes math.f(x) as f32(f(float64 of x)) with the host's libm
 * (docs/language.md).  The functions here work in double-double arithmetic where it matters,
 * so their double results are the correctly rounded ones in all but extremely rare cases:
 * rounded to binary32 they agree with a good libm.  Everything except the binary32 helpers
 * marked inline is cold code (EPY_COLD): it runs from DRAM on the Epiphany, where double is
 * soft-float. */
#ifndef EPY_FMATH_H
#define EPY_FMATH_H

#include <stdint.h>
#include <string.h>

/* Small enough to inline everywhere (never an out-of-line copy in SRAM). */
#if defined(__GNUC__)
#define FM_INLINE static inline __attribute__((always_inline))
#else
#define FM_INLINE static inline
#endif

/* ---- binary32 bits (inline: the hot interpreter uses them, without FPU compares, which are
 * libgcc calls on the Epiphany) ---- */
/* The bits of a binary32. */
FM_INLINE uint32_t f32_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    return u;
}
/* The binary32 of some bits. */
FM_INLINE float f32_from_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, 4);
    return x;
}
/* Are bits those of a nan. */
FM_INLINE int f32_bits_nan(uint32_t u) { return (u & 0x7FFFFFFFu) > 0x7F800000u; }
/* Is x a nan. */
FM_INLINE int f32_isnan(float x) { return f32_bits_nan(f32_bits(x)); }
/* Is x +-inf. */
FM_INLINE int f32_isinf(float x) { return (f32_bits(x) & 0x7FFFFFFFu) == 0x7F800000u; }
/* Is x neither inf nor nan. */
FM_INLINE int f32_isfinite(float x) { return (f32_bits(x) & 0x7F800000u) != 0x7F800000u; }
/* An int32 that orders binary32 bits as their values (+0 and -0 alike; not for nans). */
FM_INLINE int32_t f32_order_key(uint32_t u)
{
    return (u >> 31) ? -(int32_t)(u & 0x7FFFFFFFu) : (int32_t)u;
}
/* Is the exponent field of x, y or r zero (a zero or a subnormal takes part). */
FM_INLINE int f32_tiny3(float x, float y, float r)
{
    return !(f32_bits(x) & 0x7F800000u) | !(f32_bits(y) & 0x7F800000u) |
           !(f32_bits(r) & 0x7F800000u);
}
/* Does the binary32 x truncate to an int32 (|x| < 2^31, or x = -2^31; not nan). */
FM_INLINE int f32_fits_i32(uint32_t u)
{
    return ((u >> 23) & 0xFFu) < 158u || u == 0xCF000000u;
}
/* The truncation of a binary32 that fits (f32_fits_i32), in integer arithmetic; *frac: it
 * had a fraction. */
FM_INLINE int32_t f32_trunc_i32(uint32_t u, int *frac)
{
    uint32_t e = (u >> 23) & 0xFFu, m = (u & 0x7FFFFFu) | 0x800000u, mag;
    if (e < 127) {
        mag = 0;
        *frac = (u << 1) != 0;
    } else if (e >= 150) {
        mag = m << (e - 150); /* e = 158 only for -2^31: 2^31 as uint32 */
        *frac = 0;
    } else {
        mag = m >> (150 - e);
        *frac = (m << (e - 118)) != 0;
    }
    return (u >> 31) ? (int32_t)(0u - mag) : (int32_t)mag;
}

/* ---- double bits ---- */
/* The bits of a double. */
FM_INLINE uint64_t f64_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    return u;
}
/* The double of some bits. */
FM_INLINE double f64_from_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, 8);
    return x;
}
/* Is x a nan. */
FM_INLINE int f64_isnan(double x) { return (f64_bits(x) << 1) > (0x7FFull << 53); }
/* Is x +-inf. */
FM_INLINE int f64_isinf(double x) { return (f64_bits(x) << 1) == (0x7FFull << 53); }
/* Is x neither inf nor nan. */
FM_INLINE int f64_isfinite(double x) { return ((f64_bits(x) >> 52) & 0x7FF) != 0x7FF; }
/* Is the sign bit of x set. */
FM_INLINE int f64_signbit(double x) { return (int)(f64_bits(x) >> 63); }
/* |x|. */
FM_INLINE double fm_fabs(double x) { return f64_from_bits(f64_bits(x) & ~(1ull << 63)); }
/* |x| with the sign of s. */
FM_INLINE double fm_copysign(double x, double s)
{
    return f64_from_bits((f64_bits(x) & ~(1ull << 63)) | (f64_bits(s) & (1ull << 63)));
}

/* ---- binary32 rounding ---- */
/* The integral binary32 nearest x, ties to even (nan and inf unchanged). */
float fm_rintf(float x);
/* Correctly rounded square root of a binary32 (nan for x < 0, -0 for -0). */
float fm_sqrtf(float x);

/* ---- double ---- */
/* Largest integral value <= x (nan and inf unchanged). */
double fm_floor(double x);
/* C's fmod: x - n*y with n = trunc(x/y), exact; nan for inf x or zero y, x for inf y. */
double fm_fmod(double x, double y);
/* x * 2^k. */
double fm_ldexp(double x, int k);
/* The functions of C99 (Annex F special values) on doubles. */
double fm_exp(double x);
double fm_log(double x);
double fm_log10(double x);
double fm_sin(double x);
double fm_cos(double x);
double fm_tan(double x);
double fm_asin(double x);
double fm_acos(double x);
double fm_atan(double x);
double fm_atan2(double y, double x);
double fm_pow(double x, double y);

/* ---- CPython's math module ---- */
enum fm_fn {
    FM_SQRT, FM_SIN, FM_COS, FM_TAN, FM_ASIN, FM_ACOS, FM_ATAN, FM_ATAN2, FM_EXP, FM_LOG,
    FM_LOG10, FM_FABS, FM_POW
};
/* What math.<fn> raises: nothing, ValueError("math domain error"), OverflowError("math range
 * error"), ZeroDivisionError("float division by zero") (math.log(x, 1)). */
enum fm_status { FM_OK, FM_EDOM, FM_ERANGE, FM_EZERODIV };
/* math.<fn>(x[, y]) of CPython on the doubles x, y (nargs 1 or 2; only log takes either),
 * rounded to binary32 into *out; returns an fm_status. */
int fm_py_math(int fn, double x, double y, int nargs, float *out);

#endif /* EPY_FMATH_H */
