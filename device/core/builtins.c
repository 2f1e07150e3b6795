/* builtins.c: the builtins a core computes locally (print streams to the host; the parallel
 * module is in comm.c).  Arguments are borrowed stack slots; results are new references. */
#include "fltconv.h"
#include "fmath.h"
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
        int32_t x = as_int(v);
        if (x == INT32_MIN)
            int_overflow(vm, 2147483648LL);
        return mk_int(x < 0 ? -x : x);
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

/* Py_ISSPACE: the whitespace int() and float() strip (after CPython's ASCII transform). */
EPY_COLD_HELPER static int is_space(int c) { return c == ' ' || (c >= 9 && c <= 13); }

/* int(s) for a str: CPython's PyLong_FromString in base 10 on the ASCII transform of s
 * (Unicode digits and spaces count); underscores only between digits.  More than 4300 digits:
 * CPython's int() raises a ValueError (sys.int_info.default_max_str_digits), which the
 * simulator reports as an invalid literal. */
EPY_COLD static Value int_from_str(VM *vm, Value s)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    TextIter it = {p, n, 0};
    int c, neg = 0, prev = 0;
    uint32_t count = 0, sig = 0;
    char digits[200]; /* the first significant digits, for the OverflowError's message */
    int64_t v = 0;
    do
        c = text_next(&it);
    while (is_space(c));
    if (c == '+' || c == '-') {
        neg = c == '-';
        c = text_next(&it);
    }
    for (;; prev = c, c = text_next(&it)) {
        if (c == '_') {
            if (prev < '0' || prev > '9')
                goto bad;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        count++;
        if (sig || c != '0') {
            if (sig < sizeof digits - 1)
                digits[sig] = (char)c;
            if (++sig <= 10)
                v = v * 10 + (c - '0');
        }
    }
    if (prev == '_' || count == 0 || count > 4300)
        goto bad;
    while (is_space(c))
        c = text_next(&it);
    if (c != -1)
        goto bad;
    if (sig > 10 || v > 2147483647LL + neg) {
        digits[sig < sizeof digits - 1 ? sig : sizeof digits - 1] = 0;
        epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s%s does not fit in int32",
                  neg ? "-" : "", digits);
    }
    return mk_int((int32_t)(neg ? -v : v));
bad:
    raise_with_repr(vm, ERR_VALUEERROR, "invalid literal for int() with base 10: ", s);
    return mk_none();
}

/* float(s) for a str (CPython's accepted forms, fltconv.c). */
EPY_COLD static Value float_from_str(VM *vm, Value s)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    double d;
    if (flt_parse(p, n, &d) != 0)
        raise_with_repr(vm, ERR_VALUEERROR, "could not convert string to float: ", s);
    return mk_float((float)d);
}

/* round(v[, nd]). */
EPY_COLD static Value bi_round(VM *vm, Value *args, uint32_t n)
{
    Value v = args[0];
    if (n == 1 || args[1].tag == V_NONE) {
        if (v.tag == V_FLOAT) /* fm_rintf keeps nan and inf: float_to_int reports them */
            return mk_int(float_to_int(vm, fm_rintf(as_float(v))));
        if (v.tag == V_INT || v.tag == V_BOOL)
            return mk_int(as_int(v));
    } else {
        Value nd = args[1];
        if (nd.tag != V_INT && nd.tag != V_BOOL)
            epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                      type_name(nd));
        int32_t k = as_int(nd);
        if (v.tag == V_FLOAT)
            return mk_float((float)flt_round(as_float(v), k));
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

/* A float argument of the math functions (an int converted to binary32 first). */
EPY_COLD static double real_arg(VM *vm, Value v)
{
    if (v.tag == V_FLOAT)
        return as_float(v);
    if (v.tag == V_INT || v.tag == V_BOOL)
        return (float)as_int(v);
    epy_raise(vm, ERR_TYPEERROR, "must be real number, not %s", type_name(v));
}

/* math.floor / math.ceil: the truncation (with int()'s errors), then one step. */
EPY_COLD static Value floor_ceil(VM *vm, Value v, int up)
{
    if (v.tag == V_INT || v.tag == V_BOOL)
        return mk_int(as_int(v));
    float x = (float)real_arg(vm, v);
    int32_t i = float_to_int(vm, x);
    float fi = (float)i; /* exact: i == x when |x| >= 2^24 */
    if (up ? fi < x : fi > x)
        i += up ? 1 : -1;
    return mk_int(i);
}

/* math.* of one or two numbers (fmath.c computes, CPython's errors). */
EPY_COLD static Value bi_math(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    static const uint8_t fns[] = {FM_SQRT, FM_SIN, FM_COS, FM_TAN, FM_ASIN, FM_ACOS, FM_ATAN,
                                  FM_ATAN2, FM_EXP, FM_LOG, FM_LOG10, 0, 0, FM_FABS, FM_POW};
    if (id == BI_MATH_FLOOR || id == BI_MATH_CEIL)
        return floor_ceil(vm, args[0], id == BI_MATH_CEIL);
    double x = real_arg(vm, args[0]);
    double y = n > 1 ? real_arg(vm, args[1]) : 0.0;
    float r;
    switch (fm_py_math(fns[id - BI_MATH_SQRT], x, y, (int)n, &r)) {
    case FM_EDOM: epy_raise(vm, ERR_VALUEERROR, "math domain error");
    case FM_ERANGE: epy_raise(vm, ERR_OVERFLOWERROR, "math range error");
    case FM_EZERODIV: epy_raise(vm, ERR_ZERODIVISIONERROR, "float division by zero");
    default: return mk_float(r);
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
    case BI_REPR: return value_repr(vm, v);
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
        if (id >= BI_RANDOM_RANDOM && id <= BI_RANDOM_SEED)
            return bi_random(vm, id, args, n);
        if (id >= BI_LIST_EXTEND && id <= BI_LIST_REVERSE) {
            static const char *const names[] = {"extend", "insert", "remove", "index", "count",
                                                "reverse"};
            int tuple_ok = v.tag == V_TUPLE && (id == BI_LIST_INDEX || id == BI_LIST_COUNT);
            if (v.tag != V_LIST && !tuple_ok)
                epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute '%s'",
                          type_name(v), names[id - BI_LIST_EXTEND]);
            return list_method(vm, id, args);
        }
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
