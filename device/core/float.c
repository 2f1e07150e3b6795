/* float.c: binary32 arithmetic computed in double and rounded once per operation (CPython's
 * float algorithms for //, % and **), and float -> int conversion with CPython's errors. */
#include <math.h>
#include <stdio.h>

#include "vm.h"

/* Round a double to binary32 (inf beyond the range), as a C conversion does. */
float f32_round(double x)
{
    return (float)x;
}

/* int(x) of a float: truncation, ValueError for nan, OverflowError outside int32. */
int32_t float_to_int(VM *vm, double x)
{
    if (x != x)
        epy_raise(vm, ERR_VALUEERROR, "cannot convert float NaN to integer");
    if (isinf(x))
        epy_raise(vm, ERR_OVERFLOWERROR, "cannot convert float infinity to integer");
    double t = trunc(x);
    if (t < -2147483648.0 || t > 2147483647.0)
    {
        char digits[48];
        snprintf(digits, sizeof digits, "%.0f", t);
        epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s does not fit in int32", digits);
    }
    return (int32_t)t;
}

/* CPython's float floor division, then binary32. */
static float float_floordiv(double a, double b)
{
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    double floordiv;
    if (mod != 0.0 && ((b < 0) != (mod < 0)))
        div -= 1.0;
    if (div != 0.0) {
        floordiv = isfinite(div) ? floor(div) : div;
        if (div - floordiv > 0.5)
            floordiv += 1.0;
    } else {
        floordiv = copysign(0.0, a / b);
    }
    return f32_round(floordiv);
}

/* CPython's float modulo (sign of the divisor), then binary32. */
static float float_mod(double a, double b)
{
    double mod = fmod(a, b);
    if (mod != 0.0) {
        if ((b < 0) != (mod < 0))
            mod += b;
    } else {
        mod = copysign(0.0, b);
    }
    return f32_round(mod);
}

/* a ** b for floats with the kernel language's errors. */
Value float_pow(VM *vm, float fa, float fb)
{
    double a = fa, b = fb;
    if (a == 0.0 && b < 0)
        epy_raise(vm, ERR_ZERODIVISIONERROR, "0.0 cannot be raised to a negative power");
    if (a < 0 && b == b && b != floor(b) && !isinf(b))
        epy_raise(vm, ERR_VALUEERROR, "negative number cannot be raised to a fractional power in "
                  "kernels (CPython would return a complex number)");
    return mk_float(f32_round(pow(a, b)));
}

/* x <op> y for two binary32 operands (BINARY_ADD .. BINARY_POW). */
Value float_binary(VM *vm, int op, float fx, float fy)
{
    double x = fx, y = fy;
    switch (op) {
    case OP_BINARY_ADD: return mk_float(f32_round(x + y));
    case OP_BINARY_SUB: return mk_float(f32_round(x - y));
    case OP_BINARY_MUL: return mk_float(f32_round(x * y));
    case OP_BINARY_TRUEDIV:
        if (y == 0.0)
            epy_raise(vm, ERR_ZERODIVISIONERROR, "float division by zero");
        return mk_float(f32_round(x / y));
    case OP_BINARY_FLOORDIV:
        if (y == 0.0)
            epy_raise(vm, ERR_ZERODIVISIONERROR, "float floor division by zero");
        return mk_float(float_floordiv(x, y));
    case OP_BINARY_MOD:
        if (y == 0.0)
            epy_raise(vm, ERR_ZERODIVISIONERROR, "float modulo");
        return mk_float(float_mod(x, y));
    default:
        return float_pow(vm, fx, fy);
    }
}
