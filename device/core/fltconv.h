/* fltconv.h: floats <-> decimal text without the C library, in integer arithmetic (a small
 * bignum of 32-bit limbs): the exact decimal expansion of a double and its rounding half to
 * even (CPython's _Py_dg_dtoa modes 2 and 3), the shortest binary32 repr, CPython's layout of
 * float text (format_float_short), correctly rounded decimal -> double, float(str) with
 * CPython's grammar (Unicode digits and spaces, underscores, inf/nan), round(x, n), and the
 * exact digits of an integral binary32.
 *
 * Range: the doubles given here are binary32 values, 100 times one ('%'), or the double nearest
 * a binary32's shortest repr; the code is exact for every double of magnitude 2^-220 .. 2^140
 * (smaller values read as 0).  Decimal -> double is exact from 1e-60 to 1e61; beyond, the
 * result is 0 or inf, which is also what the rounding to binary32 that follows gives. */
#ifndef EPY_FLTCONV_H
#define EPY_FLTCONV_H

#include <stdint.h>

/* Room for the significant digits of a double in the supported range. */
#define FLT_DIGITS_MAX 180
/* Room for the text of a double in format_float_short's layout (the trailing zeros apart). */
#define FLT_TEXT_MAX 320

/* Text in format_float_short's layout: buf[0 .. zpos), then `zeros` zeros (a precision can ask
 * for any number), then buf[zpos .. len). */
typedef struct FltText {
    char buf[FLT_TEXT_MAX];
    uint32_t len, zpos, zeros;
} FltText;

/* Digits of |d| rounded as _Py_dg_dtoa does (half to even on the exact value): mode 2:
 * ndigits significant digits (at least 1), mode 3: ndigits after the decimal point (may be
 * negative).  Trailing zeros are dropped; the value is 0.d1d2... * 10^*decpt; zero gives "0"
 * with *decpt 1, a value that rounds to nothing gives "" with *decpt -ndigits.  Returns the
 * number of digits (buf: FLT_DIGITS_MAX bytes). */
int flt_dtoa(double d, int mode, int ndigits, char *buf, int *decpt);

/* The shortest digits of a finite nonzero |x| (a binary32) that give x back through
 * f32(float(s)) (the simulator's test: n = 1..9 significant digits, correctly rounded).
 * Same conventions as flt_dtoa; buf >= FLT_SHORTEST_MAX bytes (at most 9 digits result; the
 * rounding looks at one more). */
#define FLT_SHORTEST_MAX 10
int flt_shortest(float x, char *buf, int *decpt);

/* format_float_short of CPython (Python/pystrtod.c) on digits[0..n) with *decpt (a
 * nonnegative value; the sign is the caller's): code 'e', 'f', 'g' or 'r' (repr: exponent from
 * 1e16), precision as PyOS_double_to_string receives it, add_dot_0 (Py_DTSF_ADD_DOT_0), alt
 * ('#').  The exponent is written with a lowercase 'e'. */
void flt_layout(const char *digits, int n, int decpt, char code, int precision, int add_dot_0,
                int alt, FltText *t);

/* PyOS_double_to_string(|d|, code, precision, flags) for a finite d: code 'e', 'f' or 'g'. */
void flt_format(double d, char code, int precision, int add_dot_0, int alt, FltText *t);

/* repr(x) of a binary32 in CPython's style (shortest digits; 'inf', '-0.0', 'nan') into buf
 * (>= 32 bytes, NUL-terminated); returns the length. */
int flt_repr(float x, char *buf);

/* The double nearest digits[0..n) * 10^exp10, ties to even (digits: ASCII, no sign). */
double flt_decimal_to_double(const char *digits, int n, int exp10);

/* float(s) of CPython for the UTF-8 bytes s[0..n): 0 with the double in *out, or -1 when
 * CPython raises ValueError. */
int flt_parse(const uint8_t *s, uint32_t n, double *out);

/* round(x, nd) of CPython for a finite double (float.__round__: dtoa mode 3, then strtod). */
double flt_round(double x, int32_t nd);

/* The exact decimal text of an integral binary32 (any magnitude) into buf (>= 48 bytes,
 * NUL-terminated); returns the length. */
int flt_int_text(float x, char *buf);

/* Characters of str bytes as CPython's float() and int() see them
 * (_PyUnicode_TransformDecimalAndSpaceToASCII): ASCII as it is, Unicode whitespace as ' ',
 * Unicode decimal digits as '0'..'9', anything else as '?'. */
typedef struct TextIter {
    const uint8_t *p;
    uint32_t n, i;
} TextIter;
/* The next character, or -1 at the end. */
int text_next(TextIter *it);

#endif /* EPY_FLTCONV_H */
