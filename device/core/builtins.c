/* builtins.c: the builtins a core computes locally (print streams to the host; the parallel
 * module is in comm.c).  Arguments are borrowed stack slots; results are new references. */
#include "fltconv.h"
#include "fmath.h"
#include "text.h"
#include "utf8.h"
#include "vm.h"

/* A message naming a str's repr: "<prefix>'text'<suffix>", with ", <base>" after the repr
 * when base >= 0. */
EPY_COLD static void raise_with_repr(VM *vm, uint32_t code, const char *prefix, Value s, int base,
                                     const char *suffix)
{
    char msg[EPY_MSG_BYTES];
    Sink m = {vm, msg, 0, 0, 0, 0, 0, sizeof msg - 1};
    sink_str(&m, prefix);
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    repr_bytes(&m, p, n, 0);
    if (base >= 0) {
        char num[16];
        epy_snprintf(num, sizeof num, ", %d", base);
        sink_str(&m, num);
    }
    sink_str(&m, suffix);
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

/* min()/max(); with dflt (min/max.keyed of no keys), an empty iterable gives *dflt. */
static Value extreme_of(VM *vm, Value *args, uint32_t n, int op, const char *name,
                        const Value *dflt)
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
    if (best.tag == V_UNSET && dflt) {
        incref(vm, *dflt);
        return *dflt;
    }
    if (best.tag == V_UNSET)
        epy_raise(vm, ERR_VALUEERROR, "%s() arg is an empty sequence", name);
    return best;
}

/* min()/max(). */
static Value bi_extreme(VM *vm, Value *args, uint32_t n, int op, const char *name)
{
    return extreme_of(vm, args, n, op, name, NULL);
}

/* min.keyed/max.keyed(items, keys[, default]): keys None (the items compared) or the
 * compiler's list of one key per item of the list items; the first extreme item wins. */
EPY_COLD static Value bi_keyed(VM *vm, Value *args, uint32_t n, int op, const char *name)
{
    const Value *dflt = n > 2 ? &args[2] : NULL;
    if (args[1].tag == V_NONE)
        return extreme_of(vm, args, 1, op, name, dflt);
    uint32_t len = seq_len(vm, args[0]), best = 0;
    if (len == 0) {
        if (!dflt)
            epy_raise(vm, ERR_VALUEERROR, "%s() arg is an empty sequence", name);
        incref(vm, *dflt);
        return *dflt;
    }
    for (uint32_t k = 1; k < len; k++)
        if (compare_order(vm, op, seq_items(vm, args[1])[k], seq_items(vm, args[1])[best]))
            best = k;
    Value r = seq_items(vm, args[0])[best];
    incref(vm, r);
    return r;
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

/* The value of digit character c in bases up to 36 (99 for any other character). */
EPY_COLD_HELPER static int digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'z' ? c - 'a' + 10 : 99;
}

/* int(s[, base]) for a str: CPython's PyLong_FromString on the ASCII transform of s (Unicode
 * digits and spaces count): base 2..36, or 0 for a literal's own prefix (0x, 0o, 0b; a
 * decimal literal other than zeros may not start with 0); a prefix of the base, then one
 * underscore, may be skipped; underscores only between digits.  More than 4300 digits in a base
 * that is not a power of two: CPython's int() raises a ValueError
 * (sys.int_info.default_max_str_digits), which the simulator reports as an invalid literal.
 * Past int32, an OverflowError naming the value (in base 10 by its digits; in other bases past
 * 2**62 by the text). */
EPY_COLD static Value int_from_str(VM *vm, Value s, int base)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    TextIter it = {p, n, 0};
    int c, neg = 0, digit = 0, big = 0, zeros_only = 0, b = base;
    uint32_t count = 0, sig = 0;
    char digits[200]; /* the first significant digits, for the OverflowError's message */
    uint64_t v = 0;
    do
        c = text_next(&it);
    while (is_space(c));
    if (c == '+' || c == '-') {
        neg = c == '-';
        c = text_next(&it);
    }
    if (c == '0') {
        TextIter save = it;
        int x = text_next(&it) | 0x20;
        int pb = x == 'x' ? 16 : x == 'o' ? 8 : x == 'b' ? 2 : 0;
        if (b == 0) {
            b = pb ? pb : 10;
            zeros_only = !pb;
        }
        if (pb && pb == b) { /* the prefix, then at most one underscore */
            c = text_next(&it);
            if (c == '_')
                c = text_next(&it);
            if (c == '_')
                goto bad;
        } else {
            it = save;
        }
    } else if (b == 0) {
        b = 10;
    }
    for (;; c = text_next(&it)) {
        if (c == '_') {
            if (!digit)
                goto bad;
            digit = 0;
            continue;
        }
        int d = digit_value(c);
        if (d >= b)
            break;
        digit = 1;
        count++;
        if (sig || d) {
            if (sig < sizeof digits - 1)
                digits[sig] = (char)c;
            sig++;
            if (!big && v > (0xFFFFFFFFFFFFFFFFull - (uint64_t)d) / (uint64_t)b)
                big = 1;
            else if (!big && (v = v * (uint64_t)b + (uint64_t)d) >= (1ull << 62))
                big = 1;
        }
    }
    if (!digit || (count > 4300 && (b & (b - 1))) || (zeros_only && sig))
        goto bad;
    while (is_space(c))
        c = text_next(&it);
    if (c != -1)
        goto bad;
    if (!big && v <= 2147483647ull + (uint64_t)neg)
        return mk_int((int32_t)(neg ? -(int64_t)v : (int64_t)v));
    if (b == 10) {
        digits[sig < sizeof digits - 1 ? sig : sizeof digits - 1] = 0;
        epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s%s does not fit in int32",
                  neg ? "-" : "", digits);
    }
    if (!big)
        epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s%llu does not fit in int32",
                  neg ? "-" : "", (unsigned long long)v);
    raise_with_repr(vm, ERR_OVERFLOWERROR, "integer overflow: int(", s, base,
                    ") does not fit in int32");
    return mk_none();
bad:;
    char pre[48];
    epy_snprintf(pre, sizeof pre, "invalid literal for int() with base %d: ", base);
    raise_with_repr(vm, ERR_VALUEERROR, pre, s, -1, "");
    return mk_none();
}

/* int(s, base): the base's checks, then int_from_str. */
EPY_COLD static Value int_with_base(VM *vm, Value s, Value base)
{
    if (base.tag != V_INT && base.tag != V_BOOL)
        epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                  type_name(base));
    int32_t b = as_int(base);
    if (b != 0 && (b < 2 || b > 36))
        epy_raise(vm, ERR_VALUEERROR, "int() base must be >= 2 and <= 36, or 0");
    if (!is_str(s))
        epy_raise(vm, ERR_TYPEERROR, "int() can't convert non-string with explicit base");
    return int_from_str(vm, s, (int)b);
}

/* float(s) for a str (CPython's accepted forms, fltconv.c). */
EPY_COLD static Value float_from_str(VM *vm, Value s)
{
    uint32_t n;
    const uint8_t *p = str_data(vm, s, &n);
    double d;
    if (flt_parse(p, n, &d) != 0)
        raise_with_repr(vm, ERR_VALUEERROR, "could not convert string to float: ", s, -1, "");
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

/* ord(c) of a one-character str. */
EPY_COLD static Value bi_ord(VM *vm, Value s)
{
    if (!is_str(s))
        epy_raise(vm, ERR_TYPEERROR, "ord() expected string of length 1, but %s found",
                  type_name(s));
    uint32_t n, c;
    const uint8_t *p = str_data(vm, s, &n);
    uint32_t chars = str_chars(vm, s);
    if (chars != 1)
        epy_raise(vm, ERR_TYPEERROR, "ord() expected a character, but string of length %u found",
                  (unsigned)chars);
    utf8_decode(p, n, &c);
    return mk_int((int32_t)c);
}

/* chr(i): a new one-character str (a surrogate has no UTF-8: NotImplementedError). */
EPY_COLD static Value bi_chr(VM *vm, Value v)
{
    if (v.tag != V_INT && v.tag != V_BOOL)
        epy_raise(vm, ERR_TYPEERROR, "'%s' object cannot be interpreted as an integer",
                  type_name(v));
    int32_t c = as_int(v);
    if (c < 0 || c > 0x10FFFF)
        epy_raise(vm, ERR_VALUEERROR, "chr() arg not in range(0x110000)");
    if (c >= 0xD800 && c <= 0xDFFF)
        epy_raise(vm, ERR_NOTIMPLEMENTEDERROR,
                  "chr(0x%x) is a surrogate: kernel strs are UTF-8, which cannot hold one",
                  (unsigned)c);
    uint8_t b[4];
    uint32_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (n == 1) {
        b[0] = (uint8_t)c;
    } else {
        for (uint32_t i = n - 1; i > 0; i--, c >>= 6)
            b[i] = (uint8_t)(0x80 | (c & 0x3F));
        b[0] = (uint8_t)((0xF00u >> n) | (uint32_t)c);
    }
    return str_from(vm, (const char *)b, n);
}

/* The builtins that are rare in loops (print, str, round, list.copy, math, parallel), int()
 * and float() of strs, and the errors of call_builtin's cases. */
EPY_COLD static Value builtin_rare(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    Value v = n ? args[0] : mk_none();
    if ((id >= BI_SET && id <= BI_SET_INPLACE) || (v.tag == V_SET && set_shared(id)))
        return set_builtin(vm, id, args, n);
    switch (id) {
    case BI_PRINT: return bi_print(vm, args, n);
    case BI_INT:
        if (n == 2)
            return int_with_base(vm, v, args[1]);
        if (is_str(v))
            return int_from_str(vm, v, 10);
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
        if (v.tag == V_DICT)
            return dict_builtin(vm, id, args, n);
        epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'pop'", type_name(v));
    case BI_LIST_COPY:
        if (v.tag == V_DICT)
            return dict_builtin(vm, id, args, n);
        if (v.tag != V_LIST)
            epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute 'copy'", type_name(v));
        return seq_slice(vm, v, 0, (int32_t)seq_len(vm, v), 1);
    case BI_LIST_SORT: return list_sort(vm, args, n);
    case BI_ORD: return bi_ord(vm, v);
    case BI_CHR: return bi_chr(vm, v);
    case BI_HEX: return value_radix(vm, v, 'x');
    case BI_OCT: return value_radix(vm, v, 'o');
    case BI_BIN: return value_radix(vm, v, 'b');
    case BI_MIN_KEYED: return bi_keyed(vm, args, n, OP_COMPARE_LT, "min");
    case BI_MAX_KEYED: return bi_keyed(vm, args, n, OP_COMPARE_GT, "max");
    case BI_STR_SPLIT: case BI_STR_RSPLIT: case BI_STR_JOIN: case BI_STR_STRIP:
    case BI_STR_LSTRIP: case BI_STR_RSTRIP: case BI_STR_UPPER: case BI_STR_LOWER:
    case BI_STR_REPLACE: case BI_STR_FIND: case BI_STR_RFIND: case BI_STR_RINDEX:
    case BI_STR_STARTSWITH: case BI_STR_ENDSWITH: case BI_STR_ISDIGIT: case BI_STR_ISALPHA:
    case BI_STR_ISSPACE: case BI_STR_ISALNUM: case BI_STR_ISUPPER: case BI_STR_ISLOWER:
        return str_method(vm, id, args, n);
    default:
        if (id >= BI_MATH_SQRT && id <= BI_MATH_POW)
            return bi_math(vm, id, args, n);
        if (id >= BI_RANDOM_RANDOM && id <= BI_RANDOM_SEED)
            return bi_random(vm, id, args, n);
        if (id >= BI_DICT && id <= BI_DICT_FROMKEYS)
            return dict_builtin(vm, id, args, n);
        if (is_str(v) && (id == BI_LIST_INDEX || id == BI_LIST_COUNT))
            return str_method(vm, id, args, n);
        if (id >= BI_LIST_EXTEND && id <= BI_LIST_REVERSE) {
            static const char *const names[] = {"extend", "insert", "remove", "index", "count",
                                                "reverse"};
            int tuple_ok = v.tag == V_TUPLE && (id == BI_LIST_INDEX || id == BI_LIST_COUNT);
            if (v.tag != V_LIST && !tuple_ok)
                epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute '%s'",
                          type_name(v), names[id - BI_LIST_EXTEND]);
            return list_method(vm, id, args, n);
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
        if (n != 1)
            return n ? builtin_rare(vm, id, args, n) : mk_int(0);
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
