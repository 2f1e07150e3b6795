/* builtins.c: the builtins a core computes locally (print streams to the host; the parallel
 * module is in comm.c).  Arguments are borrowed stack slots; results are new references. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm.h"

/* A message naming a str's repr: "<prefix>'text'". */
EPY_COLD static void raise_with_repr(VM *vm, uint32_t code, const char *prefix, Value s)
{
    char msg[EPY_MSG_BYTES];
    Sink m = {vm, msg, 0, 0, 0, 0, 0, sizeof msg - 1};
    sink_str(&m, prefix);
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    repr_bytes(&m, p, n, 0);
    msg[m.len] = 0;
    epy_raise(vm, code, "%s", msg);
}

/* print(values..., sep, end). */
EPY_COLD static Value bi_print(VM *vm, Value *args, uint32_t n)
{
    Value sep = args[n - 2], end = args[n - 1];
    if (!is_str(sep))
        epy_raise(vm, ERR_TYPEERROR, "sep must be None or a string, not %s", type_name(sep));
    if (!is_str(end))
        epy_raise(vm, ERR_TYPEERROR, "end must be None or a string, not %s", type_name(end));
    Sink s = {vm, NULL, 0, 1, 0, 0, 0, 0};
    for (uint32_t i = 0; i + 2 < n; i++) {
        if (i)
            write_str(vm, &s, sep);
        write_str(vm, &s, args[i]);
    }
    write_str(vm, &s, end);
    return mk_none();
}

/* len(v). */
static Value bi_len(VM *vm, Value v)
{
    if (!seq_like(v))
        epy_raise(vm, ERR_TYPEERROR, "object of type '%s' has no len()", type_name(v));
    return mk_int((int32_t)generic_len(vm, v));
}

/* abs(v). */
static Value bi_abs(VM *vm, Value v)
{
    if (v.tag == V_INT || v.tag == V_BOOL) {
        int64_t x = as_int(v);
        if (x < 0)
            x = -x;
        if (x > INT32_MAX)
            int_overflow(vm, x);
        return mk_int((int32_t)x);
    }
    if (v.tag == V_FLOAT) {
        v.u &= 0x7FFFFFFFu;
        return v;
    }
    epy_raise(vm, ERR_TYPEERROR, "bad operand type for abs(): '%s'", type_name(v));
}

/* A sequence argument of min/max/sum (TypeError if not iterable). */
static void need_iterable(VM *vm, Value v)
{
    if (v.tag != V_ITER && !seq_like(v))
        epy_raise(vm, ERR_TYPEERROR, "'%s' object is not iterable", type_name(v));
}

/* min()/max(). */
static Value bi_extreme(VM *vm, Value *args, uint32_t n, int op, const char *name)
{
    Value best = mk_unset(), item = mk_none();
    troot_push(vm, &best);
    troot_push(vm, &item);
    if (n == 1) {
        need_iterable(vm, args[0]);
        uint32_t pos = 0;
        while (source_next(vm, args[0], &pos, &item)) {
            if (best.tag == V_UNSET || compare_order(vm, op, item, best)) {
                decref(vm, best);
                best = item;
            } else {
                decref(vm, item);
            }
            item = mk_none();
        }
    } else {
        for (uint32_t i = 0; i < n; i++)
            if (i == 0 || compare_order(vm, op, args[i], best))
                best = args[i];
        incref(vm, best);
    }
    troot_pop(vm, 2);
    if (best.tag == V_UNSET)
        epy_raise(vm, ERR_VALUEERROR, "%s() arg is an empty sequence", name);
    return best;
}

/* sum(seq, start). */
static Value bi_sum(VM *vm, Value *args, uint32_t n)
{
    Value total = n == 2 ? args[1] : mk_int(0), item = mk_none();
    if (is_str(total))
        epy_raise(vm, ERR_TYPEERROR, "sum() can't sum strings [use ''.join(seq) instead]");
    need_iterable(vm, args[0]);
    incref(vm, total);
    troot_push(vm, &total);
    troot_push(vm, &item);
    uint32_t pos = 0;
    while (source_next(vm, args[0], &pos, &item)) {
        Value r = binary_op(vm, OP_BINARY_ADD, total, item);
        decref(vm, total);
        decref(vm, item);
        item = mk_none();
        total = r;
    }
    troot_pop(vm, 2);
    return total;
}

/* ASCII whitespace as str.strip() sees it. */
static int is_space(uint8_t c) { return c == ' ' || (c >= 9 && c <= 13); }

/* The bytes of str s without leading and trailing whitespace: p[*a .. *b). */
static const uint8_t *strip_space(VM *vm, Value s, uint32_t *a, uint32_t *b)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    *a = 0;
    *b = n;
    while (*a < *b && is_space(p[*a]))
        (*a)++;
    while (*b > *a && is_space(p[*b - 1]))
        (*b)--;
    return p;
}

/* Digits of p[0..n) with single underscores between digits; writes them to out. */
EPY_COLD static int clean_digits(const uint8_t *p, uint32_t n, char *out, uint32_t *k, uint32_t cap)
{
    if (n == 0 || p[0] == '_' || p[n - 1] == '_')
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == '_') {
            if (p[i + 1] == '_')
                return 0;
            continue;
        }
        if (p[i] < '0' || p[i] > '9' || *k + 1 >= cap)
            return 0;
        out[(*k)++] = (char)p[i];
    }
    return 1;
}

/* int(s) for a str. */
EPY_COLD static Value int_from_str(VM *vm, Value s)
{
    uint32_t a, b;
    const uint8_t *p = strip_space(vm, s, &a, &b);
    int neg = 0;
    if (a < b && (p[a] == '+' || p[a] == '-'))
        neg = p[a++] == '-';
    char digits[200];
    uint32_t k = 0;
    if (!clean_digits(p + a, b - a, digits, &k, sizeof digits))
        raise_with_repr(vm, ERR_VALUEERROR, "invalid literal for int() with base 10: ", s);
    digits[k] = 0;
    uint32_t z = 0;
    while (z + 1 < k && digits[z] == '0')
        z++;
    int64_t v = 0;
    if (k - z > 10) {
        epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s%s does not fit in int32",
                  neg ? "-" : "", digits + z);
    }
    for (uint32_t i = z; i < k; i++)
        v = v * 10 + (digits[i] - '0');
    if (neg)
        v = -v;
    if (v < INT32_MIN || v > INT32_MAX)
        int_overflow(vm, v);
    return mk_int((int32_t)v);
}

/* float(s) for a str (CPython's accepted forms). */
EPY_COLD static Value float_from_str(VM *vm, Value s)
{
    uint32_t a, b;
    const uint8_t *p = strip_space(vm, s, &a, &b);
    char buf[200];
    uint32_t k = 0, i = a;
    if (i < b && (p[i] == '+' || p[i] == '-'))
        buf[k++] = (char)p[i++];
    uint32_t rest = b - i;
    const char *words[] = {"inf", "infinity", "nan"};
    for (int w = 0; w < 3; w++) {
        if (rest == strlen(words[w])) {
            uint32_t j = 0;
            while (j < rest && (p[i + j] | 0x20) == words[w][j])
                j++;
            if (j == rest) {
                double d = w == 2 ? NAN : INFINITY;
                if (buf[0] == '-' && k)
                    d = -d;
                return mk_float(f32_round(d));
            }
        }
    }
    /* mantissa: digits [. digits] or . digits; then optional exponent */
    uint32_t j = i, digits = 0;
    uint32_t start = j;
    while (j < b && ((p[j] >= '0' && p[j] <= '9') || p[j] == '_'))
        j++;
    if (j > start && !clean_digits(p + start, j - start, buf, &k, sizeof buf - 8))
        goto bad;
    digits += j - start;
    if (j < b && p[j] == '.') {
        buf[k++] = '.';
        j++;
        start = j;
        while (j < b && ((p[j] >= '0' && p[j] <= '9') || p[j] == '_'))
            j++;
        if (j > start && !clean_digits(p + start, j - start, buf, &k, sizeof buf - 8))
            goto bad;
        digits += j - start;
    }
    if (digits == 0)
        goto bad;
    if (j < b && (p[j] == 'e' || p[j] == 'E')) {
        buf[k++] = 'e';
        j++;
        if (j < b && (p[j] == '+' || p[j] == '-'))
            buf[k++] = (char)p[j++];
        start = j;
        while (j < b && ((p[j] >= '0' && p[j] <= '9') || p[j] == '_'))
            j++;
        if (j == start || !clean_digits(p + start, j - start, buf, &k, sizeof buf - 1))
            goto bad;
    }
    if (j != b)
        goto bad;
    buf[k] = 0;
    return mk_float(f32_round(strtod(buf, NULL)));
bad:
    raise_with_repr(vm, ERR_VALUEERROR, "could not convert string to float: ", s);
    return mk_none();
}

/* round(x, nd) for a float: the exact decimal expansion rounded half-even at nd digits. */
EPY_COLD static double round_digits(double x, int32_t nd)
{
    if (!isfinite(x) || x == 0.0 || nd > 160)
        return x;
    char s[400];
    snprintf(s, sizeof s, "%.160f", fabs(x));
    char d[400];
    int nint = 0, nd_total = 0;
    for (char *q = s; *q; q++) {
        if (*q == '.') {
            nint = nd_total;
            continue;
        }
        d[nd_total++] = *q;
    }
    int keep = nint + nd;
    if (keep < 0)
        return copysign(0.0, x);
    if (keep >= nd_total)
        return x;
    int up = 0;
    if (d[keep] > '5') {
        up = 1;
    } else if (d[keep] == '5') {
        int rest_nonzero = 0;
        for (int i = keep + 1; i < nd_total; i++)
            rest_nonzero |= d[i] != '0';
        up = rest_nonzero || (keep > 0 && ((d[keep - 1] - '0') & 1));
    }
    for (int i = keep; i < nd_total; i++)
        d[i] = '0';
    char out[420];
    int o = 0;
    if (up) {
        int i = keep - 1;
        while (i >= 0 && d[i] == '9')
            d[i--] = '0';
        if (i >= 0)
            d[i]++;
        else
            out[o++] = '1';
    }
    for (int i = 0; i < nd_total; i++) {
        if (i == nint)
            out[o++] = '.';
        out[o++] = d[i];
    }
    out[o] = 0;
    return copysign(strtod(out, NULL), x);
}

/* round(v[, nd]). */
EPY_COLD static Value bi_round(VM *vm, Value *args, uint32_t n)
{
    Value v = args[0];
    if (n == 1 || args[1].tag == V_NONE) {
        if (v.tag == V_FLOAT) /* nearbyint keeps nan and inf: float_to_int reports them */
            return mk_int(float_to_int(vm, nearbyint(as_float(v))));
        if (v.tag == V_INT || v.tag == V_BOOL)
            return mk_int(as_int(v));
    } else {
        Value nd = args[1];
        if (nd.tag != V_INT && nd.tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                      type_name(nd));
        int32_t k = as_int(nd);
        if (v.tag == V_FLOAT)
            return mk_float(f32_round(round_digits(as_float(v), k)));
        if (v.tag == V_INT || v.tag == V_BOOL) {
            int64_t x = as_int(v);
            if (k >= 0)
                return mk_int((int32_t)x);
            if (k < -10)
                return mk_int(0);
            int64_t p = 1;
            for (int32_t i = 0; i < -k; i++)
                p *= 10;
            int64_t q = x / p, r = x % p;
            if (r < 0) {
                r += p;
                q--;
            }
            if (2 * r > p || (2 * r == p && (q & 1)))
                q++;
            int64_t res = q * p;
            if (res < INT32_MIN || res > INT32_MAX)
                int_overflow(vm, res);
            return mk_int((int32_t)res);
        }
    }
    epy_raise(vm, ERR_TYPEERROR, "type %s doesn't define __round__ method", type_name(v));
}

/* A float argument of the math functions. */
static double real_arg(VM *vm, Value v)
{
    if (v.tag == V_FLOAT)
        return as_float(v);
    if (v.tag == V_INT || v.tag == V_BOOL)
        return (float)as_int(v);
    epy_raise(vm, ERR_TYPEERROR, "must be real number, not %s", type_name(v));
}

/* A math result with CPython's errors: nan from a non-nan input is a domain error, inf from
 * finite inputs a range error. */
EPY_COLD static Value math_result(VM *vm, double r, double x, double y, int domain_inf)
{
    if (r != r && x == x && y == y)
        epy_raise(vm, ERR_VALUEERROR, "math domain error");
    if (isinf(r) && isfinite(x) && isfinite(y)) {
        if (domain_inf)
            epy_raise(vm, ERR_VALUEERROR, "math domain error");
        epy_raise(vm, ERR_OVERFLOWERROR, "math range error");
    }
    return mk_float(f32_round(r));
}

/* math.floor / math.ceil. */
EPY_COLD static Value floor_ceil(VM *vm, Value v, int ceil_)
{
    if (v.tag == V_INT || v.tag == V_BOOL)
        return mk_int(as_int(v));
    double x = real_arg(vm, v);
    if (x != x)
        epy_raise(vm, ERR_VALUEERROR, "cannot convert float NaN to integer");
    if (isinf(x))
        epy_raise(vm, ERR_OVERFLOWERROR, "cannot convert float infinity to integer");
    double r = ceil_ ? ceil(x) : floor(x);
    if (r < -2147483648.0 || r > 2147483647.0)
    {
        char digits[48];
        snprintf(digits, sizeof digits, "%.0f", r);
        epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s does not fit in int32", digits);
    }
    return mk_int((int32_t)r);
}

/* math.* of one or two floats. */
EPY_COLD static Value bi_math(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    double x = real_arg(vm, args[0]);
    double y = n > 1 ? real_arg(vm, args[1]) : 0.0;
    switch (id) {
    case BI_MATH_SQRT:
        if (x < 0)
            epy_raise(vm, ERR_VALUEERROR, "math domain error");
        return mk_float(f32_round(sqrt(x)));
    case BI_MATH_SIN: case BI_MATH_COS: case BI_MATH_TAN:
        if (isinf(x))
            epy_raise(vm, ERR_VALUEERROR, "math domain error");
        return math_result(vm, id == BI_MATH_SIN ? sin(x) : id == BI_MATH_COS ? cos(x) : tan(x),
                           x, 0, 0);
    case BI_MATH_ASIN: return math_result(vm, asin(x), x, 0, 0);
    case BI_MATH_ACOS: return math_result(vm, acos(x), x, 0, 0);
    case BI_MATH_ATAN: return math_result(vm, atan(x), x, 0, 0);
    case BI_MATH_ATAN2: return math_result(vm, atan2(x, y), x, y, 0);
    case BI_MATH_EXP: return math_result(vm, exp(x), x, 0, 0);
    case BI_MATH_LOG: {
        if (x <= 0 || (n > 1 && y <= 0))
            epy_raise(vm, ERR_VALUEERROR, "math domain error");
        double r = log(x);
        if (n > 1) {
            double lb = log(y);
            if (lb == 0.0)
                epy_raise(vm, ERR_ZERODIVISIONERROR, "float division by zero");
            r = r / lb;
        }
        return mk_float(f32_round(r));
    }
    case BI_MATH_LOG10:
        if (x <= 0)
            epy_raise(vm, ERR_VALUEERROR, "math domain error");
        return mk_float(f32_round(log10(x)));
    case BI_MATH_FLOOR: return floor_ceil(vm, args[0], 0);
    case BI_MATH_CEIL: return floor_ceil(vm, args[0], 1);
    case BI_MATH_FABS: return mk_float(f32_round(fabs(x)));
    default: { /* math.pow */
        if (!isfinite(x) || !isfinite(y))
            return mk_float(f32_round(pow(x, y)));
        if (x == 0.0 && y < 0)
            epy_raise(vm, ERR_VALUEERROR, "math domain error");
        return math_result(vm, pow(x, y), x, y, 0);
    }
    }
}

/* The builtins that are rare in loops (print, str, round, list.copy, math, parallel), int()
 * and float() of strs, and the errors of call_builtin's cases. */
EPY_COLD static Value builtin_rare(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    Value v = n ? args[0] : mk_none();
    switch (id) {
    case BI_PRINT: return bi_print(vm, args, n);
    case BI_INT:
        if (is_str(v))
            return int_from_str(vm, v);
        epy_raise(vm, ERR_TYPEERROR, "int() argument must be a string or a real number, not '%s'",
                  type_name(v));
    case BI_FLOAT:
        if (is_str(v))
            return float_from_str(vm, v);
        epy_raise(vm, ERR_TYPEERROR,
                  "float() argument must be a string or a real number, not '%s'", type_name(v));
    case BI_STR: return n ? value_str(vm, v) : str_new(vm, 0);
    case BI_ROUND: return bi_round(vm, args, n);
    case BI_LIST_APPEND:
        epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'append'", type_name(v));
    case BI_LIST_POP:
        epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'pop'", type_name(v));
    case BI_LIST_COPY:
        if (v.tag != V_LIST)
            epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'copy'", type_name(v));
        return seq_slice(vm, v, 0, (int32_t)seq_len(vm, v), 1);
    default:
        if (id >= BI_MATH_SQRT && id <= BI_MATH_POW)
            return bi_math(vm, id, args, n);
        return comm_builtin(vm, id, args);
    }
}

/* Call builtin `id` on n arguments (borrowed stack slots); returns a new reference. */
Value call_builtin(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    Value v = n ? args[0] : mk_none();
    switch (id) {
    case BI_LEN: return bi_len(vm, v);
    case BI_ABS: return bi_abs(vm, v);
    case BI_MIN: return bi_extreme(vm, args, n, OP_COMPARE_LT, "min");
    case BI_MAX: return bi_extreme(vm, args, n, OP_COMPARE_GT, "max");
    case BI_SUM: return bi_sum(vm, args, n);
    case BI_INT:
        if (n == 0)
            return mk_int(0);
        if (v.tag == V_INT || v.tag == V_BOOL)
            return mk_int(as_int(v));
        if (v.tag == V_FLOAT)
            return mk_int(float_to_int(vm, as_float(v)));
        break;
    case BI_FLOAT:
        if (n == 0)
            return mk_float(0.0f);
        if (v.tag == V_FLOAT)
            return v;
        if (v.tag == V_INT || v.tag == V_BOOL)
            return mk_float((float)as_int(v));
        break;
    case BI_BOOL: return mk_bool(n ? truth(vm, v) : 0);
    case BI_RANGE: return range_new(vm, args, n);
    case BI_ENUMERATE: return enumerate_new(vm, v, n == 2 ? args[1] : mk_int(0));
    case BI_ZIP: return zip_new(vm, args[0], args[1]);
    case BI_LIST_APPEND:
        if (v.tag != V_LIST)
            break;
        list_append(vm, &args[0], args[1]);
        return mk_none();
    case BI_LIST_POP:
        if (v.tag != V_LIST)
            break;
        return list_pop(vm, v, n == 2 ? &args[1] : NULL);
    case BI_PARALLEL_COREID: return mk_int((int32_t)vm->core_index);
    case BI_PARALLEL_NUMCORES: return mk_int((int32_t)vm->ncores);
    default: break;
    }
    return builtin_rare(vm, id, args, n);
}
