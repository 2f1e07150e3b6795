/* float.c: binary32 arithmetic.  + - * / are computed in binary32 (correctly rounded, so the
 * same as double rounded once: 53 >= 2 * 24 + 2); //, % and ** follow CPython's algorithms in
 * double (cold code), then round to binary32; float -> int conversion with CPython's errors. */
#include "fltconv.h"
#include "fmath.h"
#include "vm.h"

/* The error of int(x) for a binary32 that is nan, infinite or outside int32 (then integral:
 * the message names it exactly). */
EPY_COLD EPY_NORETURN static void float_int_error(VM *vm, float x)
{
    if (f32_isnan(x))
        epy_raise(vm, ERR_VALUEERROR, "cannot convert float NaN to integer");
    if (f32_isinf(x))
        epy_raise(vm, ERR_OVERFLOWERROR, "cannot convert float infinity to integer");
    char digits[48];
    flt_int_text(x, digits);
    epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s does not fit in int32", digits);
}

/* int(x) of a float: truncation, ValueError for nan, OverflowError outside int32 (integer
 * arithmetic on the bits: no FPU compares or rounding-mode switches). */
int32_t float_to_int(VM *vm, float x)
{
    int frac;
    uint32_t u = f32_bits(x);
    if (f32_fits_i32(u))
        return f32_trunc_i32(u, &frac);
    float_int_error(vm, x);
}

/* x <op> y (+, -, *, /) in software: the operands widened to double, the result rounded once
 * (the FPU's answer when a zero or a subnormal takes part, EPY_FPU_FLUSHES_SUBNORMALS). */
EPY_COLD float float_arith_soft(int op, float x, float y)
{
    double a = x, b = y;
    return (float)(op == OP_BINARY_ADD ? a + b : op == OP_BINARY_SUB ? a - b :
                   op == OP_BINARY_MUL ? a * b : a / b);
}

/* CPython's float floor division (Objects/floatobject.c float_floor_div), then binary32. */
EPY_COLD static float float_floordiv(double a, double b)
{
    double mod = fm_fmod(a, b);
    double div = (a - mod) / b;
    double floordiv;
    if (mod != 0.0 && ((b < 0) != (mod < 0)))
        div -= 1.0;
    if (div != 0.0) {
        floordiv = f64_isfinite(div) ? fm_floor(div) : div;
        if (div - floordiv > 0.5)
            floordiv += 1.0;
    } else {
        floordiv = fm_copysign(0.0, a / b);
    }
    return (float)floordiv;
}

/* CPython's float modulo (sign of the divisor), then binary32. */
EPY_COLD static float float_mod(double a, double b)
{
    double mod = fm_fmod(a, b);
    if (mod != 0.0) {
        if ((b < 0) != (mod < 0))
            mod += b;
    } else {
        mod = fm_copysign(0.0, b);
    }
    return (float)mod;
}

/* Is a binary32 an odd integer. */
EPY_COLD_HELPER static int f32_odd(float b)
{
    return b > -16777216.0f && b < 16777216.0f && (float)(int32_t)b == b && ((int32_t)b & 1);
}

/* a ** b for floats with the kernel language's errors: math.pow, an overflow giving +-inf. */
EPY_COLD Value float_pow(VM *vm, float fa, float fb)
{
    double a = fa, b = fb;
    if (a == 0.0 && b < 0)
        epy_raise(vm, ERR_ZERODIVISIONERROR, "0.0 cannot be raised to a negative power");
    if (a < 0 && f64_isfinite(b) && b != fm_floor(b))
        epy_raise(vm, ERR_VALUEERROR, "negative number cannot be raised to a fractional power in "
                  "kernels (CPython would return a complex number)");
    float r;
    if (fm_py_math(FM_POW, a, b, 2, &r) == FM_ERANGE)
        r = f32_from_bits(a < 0 && f32_odd(fb) ? 0xFF800000u : 0x7F800000u);
    return mk_float(r);
}

/* //, % and ** of two binary32 operands. */
EPY_COLD static Value float_binary_cold(VM *vm, int op, float x, float y)
{
    switch (op) {
    case OP_BINARY_FLOORDIV:
        if (!(f32_bits(y) << 1))
            epy_raise(vm, ERR_ZERODIVISIONERROR, "float floor division by zero");
        return mk_float(float_floordiv(x, y));
    case OP_BINARY_MOD:
        if (!(f32_bits(y) << 1))
            epy_raise(vm, ERR_ZERODIVISIONERROR, "float modulo");
        return mk_float(float_mod(x, y));
    default:
        return float_pow(vm, x, y);
    }
}

/* x <op> y for two binary32 operands (BINARY_ADD .. BINARY_POW). */
Value float_binary(VM *vm, int op, float x, float y)
{
    float r;
    switch (op) {
    case OP_BINARY_ADD: r = x + y; break;
    case OP_BINARY_SUB: r = x - y; break;
    case OP_BINARY_MUL: r = x * y; break;
    case OP_BINARY_TRUEDIV:
        if (!(f32_bits(y) << 1))
            epy_raise(vm, ERR_ZERODIVISIONERROR, "float division by zero");
        r = x / y;
        break;
    default:
        return float_binary_cold(vm, op, x, y);
    }
    if (EPY_FPU_FLUSHES_SUBNORMALS && f32_tiny3(x, y, r))
        r = float_arith_soft(op, x, y);
    return mk_float(r);
}
