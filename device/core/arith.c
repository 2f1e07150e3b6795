/* arith.c: operators on values: checked int32 arithmetic with Python's floor semantics (32-bit
 * operations only: the Epiphany has no divider and 64-bit arithmetic is a libgcc call), the
 * dispatch of binary/unary operators, comparisons (exact between int32 and binary32), truth
 * and membership. */
#include "fmath.h"
#include "text.h"
#include "vm.h"

static const char *const symbols[] = {"+", "-", "*", "/", "//", "%", "** or pow()", "<<", ">>",
                                      "&", "|", "^"};
static const char *const cmp_symbols[] = {"<", "<=", ">", ">="};

/* OverflowError naming the exact result. */
EPY_COLD void int_overflow(VM *vm, int64_t v)
{
    epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %lld does not fit in int32", (long long)v);
}

/* The OverflowError of a <op> b (+, -, *, <<, // by -1), computed exactly in 64 bits. */
EPY_COLD EPY_NORETURN static void int_op_overflow(VM *vm, int op, int32_t a, int32_t b)
{
    int64_t x = a, y = b;
    switch (op) {
    case OP_BINARY_ADD: int_overflow(vm, x + y);
    case OP_BINARY_SUB: int_overflow(vm, x - y);
    case OP_BINARY_MUL: int_overflow(vm, x * y);
    case OP_BINARY_LSHIFT: int_overflow(vm, x * ((int64_t)1 << y));
    default: int_overflow(vm, -x);
    }
}

/* v >> s for 0 <= s <= 31, arithmetic (C leaves >> of a negative value to the compiler). */
static int32_t asr(int32_t v, int s)
{
    return v >= 0 ? v >> s : ~(~v >> s);
}

/* Is v an int, bool or float. */
int is_num(Value v)
{
    return v.tag == V_INT || v.tag == V_BOOL || v.tag == V_FLOAT;
}

/* Order of an int32 and a binary32, exact, in integer arithmetic: a binary32 outside
 * [-2^31, 2^31) is beyond every int32; inside, its truncation decides, then its fraction. */
EPY_INLINE uint32_t int_float_order(int32_t i, float f)
{
    uint32_t u = f32_bits(f);
    int frac;
    if (f32_bits_nan(u))
        return 0;
    if (!f32_fits_i32(u))
        return (u >> 31) ? 4 : 1;
    int32_t t = f32_trunc_i32(u, &frac);
    if (i != t)
        return i < t ? 1 : 4;
    return !frac ? 2 : (u >> 31) ? 4 : 1;
}

/* Order of two numbers: 1 <, 2 ==, 4 >, 0 unordered (the dispatch loop's compares use it: in
 * SRAM on the chip). */
EPY_HOT uint32_t num_order(Value a, Value b)
{
    if (a.tag == V_FLOAT && b.tag == V_FLOAT) {
        if (f32_bits_nan(a.u) || f32_bits_nan(b.u))
            return 0;
        int32_t x = f32_order_key(a.u), y = f32_order_key(b.u);
        return x < y ? 1 : x == y ? 2 : 4;
    }
    if (a.tag != V_FLOAT && b.tag != V_FLOAT) {
        int32_t x = as_int(a), y = as_int(b);
        return x < y ? 1 : x == y ? 2 : 4;
    }
    if (b.tag == V_FLOAT)
        return int_float_order(as_int(a), as_float(b));
    uint32_t r = int_float_order(as_int(b), as_float(a));
    return r == 1 ? 4 : r == 4 ? 1 : r;
}

/* a ** b for ints, b >= 0 (exact, OverflowError naming the exact value). */
EPY_COLD Value int_pow(VM *vm, int32_t a, int32_t b)
{
    if (a == 0 || a == 1 || b == 0)
        return mk_int(b == 0 ? 1 : a);
    if (a == -1)
        return mk_int(b % 2 == 0 ? 1 : -1);
    if (b >= 32)
        epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %ld ** %ld does not fit in int32",
                  (long)a, (long)b);
    int64_t r = 1;
    int32_t k;
    for (k = 0; k < b; k++) {
        r *= a;
        if (r < INT32_MIN || r > INT32_MAX)
            break;
    }
    if (k == b)
        return mk_int((int32_t)r);
    /* the exact value for the message: base-1e9 limbs (|a| <= 2^31, b < 32: < 300 digits) */
    uint32_t limbs[40] = {1};
    uint32_t n = 1;
    uint64_t m = a < 0 ? (uint64_t)(-(int64_t)a) : (uint64_t)a;
    for (k = 0; k < b; k++) {
        uint64_t carry = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t t = (uint64_t)limbs[i] * m + carry;
            limbs[i] = (uint32_t)(t % 1000000000u);
            carry = t / 1000000000u;
        }
        while (carry) {
            limbs[n++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
    }
    char digits[400];
    int len = epy_snprintf(digits, sizeof digits, "%s%u", (a < 0 && (b & 1)) ? "-" : "",
                       (unsigned)limbs[n - 1]);
    for (uint32_t i = n - 1; i-- > 0;)
        len += epy_snprintf(digits + len, sizeof digits - (size_t)len, "%09u", (unsigned)limbs[i]);
    epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %s does not fit in int32", digits);
}

/* a <op> b for ints and bools. */
static Value int_binary(VM *vm, int op, Value va, Value vb)
{
    int32_t a = as_int(va), b = as_int(vb), r;
    int both_bool = va.tag == V_BOOL && vb.tag == V_BOOL;
    switch (op) {
    case OP_BINARY_ADD:
        if (__builtin_add_overflow(a, b, &r))
            int_op_overflow(vm, op, a, b);
        return mk_int(r);
    case OP_BINARY_SUB:
        if (__builtin_sub_overflow(a, b, &r))
            int_op_overflow(vm, op, a, b);
        return mk_int(r);
    case OP_BINARY_MUL:
        if (__builtin_mul_overflow(a, b, &r))
            int_op_overflow(vm, op, a, b);
        return mk_int(r);
    case OP_BINARY_TRUEDIV:
        if (b == 0)
            epy_raise(vm, ERR_ZERODIVISIONERROR, "division by zero");
        return mk_float((float)a / (float)b);
    case OP_BINARY_FLOORDIV: {
        if (b == 0)
            epy_raise(vm, ERR_ZERODIVISIONERROR, "integer division or modulo by zero");
        if (b == -1) {
            if (a == INT32_MIN)
                int_op_overflow(vm, op, a, b);
            return mk_int(-a);
        }
        int32_t q = a / b;
        if (a % b != 0 && ((a < 0) != (b < 0)))
            q--;
        return mk_int(q);
    }
    case OP_BINARY_MOD: {
        if (b == 0)
            epy_raise(vm, ERR_ZERODIVISIONERROR, "integer modulo by zero");
        if (b == -1)
            return mk_int(0);
        r = a % b;
        if (r != 0 && ((r < 0) != (b < 0)))
            r += b;
        return mk_int(r);
    }
    case OP_BINARY_POW:
        if (b < 0) {
            if (a == 0)
                epy_raise(vm, ERR_ZERODIVISIONERROR, "0.0 cannot be raised to a negative power");
            return float_pow(vm, (float)a, (float)b);
        }
        return int_pow(vm, a, b);
    case OP_BINARY_LSHIFT:
        if (b < 0)
            epy_raise(vm, ERR_VALUEERROR, "negative shift count");
        if (a == 0)
            return mk_int(0);
        if (b >= 32)
            epy_raise(vm, ERR_OVERFLOWERROR, "integer overflow: %ld << %ld does not fit in int32",
                      (long)a, (long)b);
        r = (int32_t)((uint32_t)a << b);
        if (asr(r, b) != a)
            int_op_overflow(vm, op, a, b);
        return mk_int(r);
    case OP_BINARY_RSHIFT:
        if (b < 0)
            epy_raise(vm, ERR_VALUEERROR, "negative shift count");
        return mk_int(asr(a, b > 31 ? 31 : b));
    case OP_BINARY_AND:
        r = a & b;
        return both_bool ? mk_bool(r != 0) : mk_int(r);
    case OP_BINARY_OR:
        r = a | b;
        return both_bool ? mk_bool(r != 0) : mk_int(r);
    default:
        r = a ^ b;
        return both_bool ? mk_bool(r != 0) : mk_int(r);
    }
}

/* TypeError for an operator on unsupported operand types. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void op_type_error(VM *vm, int op, Value a, Value b)
{
    epy_raise(vm, ERR_TYPEERROR, "unsupported operand type(s) for %s: '%s' and '%s'",
              symbols[op - OP_BINARY_ADD], type_name(a), type_name(b));
}

/* int or bool. */
static int is_intlike(Value v) { return v.tag == V_INT || v.tag == V_BOOL; }
/* str, list or tuple. */
static int is_seq3(Value v) { return is_str(v) || v.tag == V_LIST || v.tag == V_TUPLE; }
/* Same Python type (both kinds of str are str). */
static int same_type(Value a, Value b) { return a.tag == b.tag || (is_str(a) && is_str(b)); }

/* Repeat a str/list/tuple. */
static Value repeat(VM *vm, Value s, Value n)
{
    return is_str(s) ? str_repeat(vm, s, as_int(n)) : seq_repeat(vm, s, as_int(n));
}

/* a <op> b for BINARY_ADD .. BINARY_XOR; a new reference (operands rooted by the caller). */
Value binary_op(VM *vm, int op, Value a, Value b)
{
    if (is_intlike(a) && is_intlike(b))
        return int_binary(vm, op, a, b);
    if (is_num(a) && is_num(b)) {
        if (op >= OP_BINARY_LSHIFT)
            op_type_error(vm, op, a, b);
        float x = a.tag == V_FLOAT ? as_float(a) : (float)as_int(a);
        float y = b.tag == V_FLOAT ? as_float(b) : (float)as_int(b);
        return float_binary(vm, op, x, y);
    }
    if (op == OP_BINARY_ADD) {
        if (same_type(a, b) && is_seq3(a))
            return is_str(a) ? str_concat(vm, a, b) : seq_concat(vm, a, b);
        if (is_seq3(a))
            epy_raise(vm, ERR_TYPEERROR, "can only concatenate %s (not \"%s\") to %s",
                      type_name(a), type_name(b), type_name(a));
    }
    if (op == OP_BINARY_MUL) {
        if (is_seq3(a) && is_intlike(b))
            return repeat(vm, a, b);
        if (is_seq3(b) && is_intlike(a))
            return repeat(vm, b, a);
    }
    if (a.tag == V_SET) {
        Value r = set_binary(vm, op, a, b);
        if (r.tag != V_UNSET)
            return r;
    }
    if (op == OP_BINARY_MOD && is_str(a))
        epy_raise(vm, ERR_TYPEERROR,
                  "%%-formatting of strings is not supported in kernels; use an f-string");
    op_type_error(vm, op, a, b);
}

/* -a, +a, not a, ~a. */
Value unary_op(VM *vm, int op, Value a)
{
    if (op == OP_UNARY_NOT)
        return mk_bool(!truth(vm, a));
    if (is_intlike(a)) {
        int32_t v = as_int(a);
        if (op == OP_UNARY_NEG) {
            if (v == INT32_MIN)
                int_op_overflow(vm, OP_BINARY_FLOORDIV, v, -1);
            return mk_int(-v);
        }
        if (op == OP_UNARY_POS)
            return mk_int(v);
        return mk_int(~v);
    }
    if (a.tag == V_FLOAT) {
        if (op == OP_UNARY_NEG) {
            Value r = a;
            r.u ^= 0x80000000u;
            return r;
        }
        if (op == OP_UNARY_POS)
            return a;
        epy_raise(vm, ERR_TYPEERROR, "bad operand type for unary ~: 'float'");
    }
    epy_raise(vm, ERR_TYPEERROR, "bad operand type for unary %s: '%s'",
              op == OP_UNARY_NEG ? "-" : op == OP_UNARY_POS ? "+" : "~", type_name(a));
}

/* Python truthiness. */
int truth(VM *vm, Value v)
{
    switch (v.tag) {
    case V_NONE: return 0;
    case V_BOOL: case V_INT: return v.u != 0;
    case V_FLOAT: return (v.u << 1) != 0; /* not +-0 (a nan is true) */
    case V_SSTR: case V_STR: {
        uint32_t n;
        str_data(vm, v, &n);
        return n != 0;
    }
    case V_TUPLE: case V_LIST: case V_DICT: case V_SET: return seq_len(vm, v) != 0;
    case V_RANGE: return range_len(vm, v) != 0;
    case V_DVIEW: return dict_len(vm, v) != 0;
    case V_ARRAY: case V_SARRAY: case V_ROW: case V_HARRAY: {
        ArrayRef a;
        array_ref(vm, v, &a);
        if (a.shape0 * a.shape1 == 1)
            return truth(vm, array_get_flat(&a, 0));
        epy_raise(vm, ERR_VALUEERROR,
                  "The truth value of an array with more than one element is ambiguous");
    }
    default: return 1;
    }
}

/* a == b with the kernel language's rules, for values inside `depth` lists and tuples (two
 * lists or tuples of one length one level deeper than EPY_MAX_NESTING: RecursionError). */
EPY_COLD static int eq_at(VM *vm, Value a, Value b, uint32_t depth)
{
    if (IS_ARRAY(a) || IS_ARRAY(b))
        epy_raise(vm, ERR_TYPEERROR,
                  "comparing arrays with == is not supported in kernels; compare elements");
    if (is_num(a) && is_num(b))
        return num_order(a, b) == 2;
    if (!same_type(a, b))
        return 0;
    switch (a.tag) {
    case V_NONE: return 1;
    case V_SSTR: case V_STR: return str_cmp(vm, a, b) == 0;
    case V_TUPLE: case V_LIST: {
        uint32_t n = seq_len(vm, a);
        if (n != seq_len(vm, b))
            return 0;
        if (depth >= EPY_MAX_NESTING)
            epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_COMPARE_MESSAGE);
        for (uint32_t i = 0; i < n; i++)
            if (!eq_at(vm, seq_items(vm, a)[i], seq_items(vm, b)[i], depth + 1))
                return 0;
        return 1;
    }
    case V_DICT: case V_SET: { /* the same keys, and equal values (a set's: None) */
        uint32_t n = seq_len(vm, a);
        if (n != seq_len(vm, b))
            return 0;
        if (depth >= EPY_MAX_NESTING)
            epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_COMPARE_MESSAGE);
        /* b's entry of each key of a is found without this recursion (dict_find compares
         * keys on its own), so that its frame stays the list case's */
        for (uint32_t i = 0; i < n; i += 2) {
            int32_t k = dict_find(vm, b, seq_items(vm, a)[i]);
            if (k < 0 || !eq_at(vm, seq_items(vm, a)[i + 1], seq_items(vm, b)[k + 1], depth + 1))
                return 0;
        }
        return 1;
    }
    case V_RANGE: {
        uint32_t n = range_len(vm, a);
        if (n != range_len(vm, b))
            return 0;
        if (n == 0)
            return 1;
        RangeObj *x = (RangeObj *)(void *)obj(vm, a.u), *y = (RangeObj *)(void *)obj(vm, b.u);
        return x->start == y->start && (n == 1 || x->step == y->step);
    }
    default: return a.u == b.u;
    }
}

/* a == b (TypeError for arrays). */
int values_eq(VM *vm, Value a, Value b)
{
    return eq_at(vm, a, b, 0);
}

/* a < b etc. for values inside `depth` lists and tuples (see eq_at). */
EPY_COLD static int order_at(VM *vm, int op, Value a, Value b, uint32_t depth)
{
    if (a.tag == V_SET && b.tag == V_SET)
        return set_compare(vm, op, a, b);
    int ok = (is_num(a) && is_num(b)) || (same_type(a, b) && is_seq3(a));
    if (!ok)
        epy_raise(vm, ERR_TYPEERROR, "'%s' not supported between instances of '%s' and '%s'",
                  cmp_symbols[op - OP_COMPARE_LT], type_name(a), type_name(b));
    if (is_num(a)) {
        static const uint8_t masks[4] = {1, 3, 4, 6}; /* <, <=, >, >= over num_order's bits */
        return (num_order(a, b) & masks[op - OP_COMPARE_LT]) != 0;
    }
    int64_t c;
    if (is_str(a)) {
        c = str_cmp(vm, a, b);
    } else {
        uint32_t na = seq_len(vm, a), nb = seq_len(vm, b);
        if (depth >= EPY_MAX_NESTING)
            epy_raise(vm, ERR_RECURSIONERROR, "%s", EPY_NESTING_COMPARE_MESSAGE);
        for (uint32_t i = 0; i < na && i < nb; i++) {
            Value x = seq_items(vm, a)[i], y = seq_items(vm, b)[i];
            if (!eq_at(vm, x, y, depth + 1))
                return order_at(vm, op, x, y, depth + 1);
        }
        c = (int64_t)na - (int64_t)nb;
    }
    switch (op) {
    case OP_COMPARE_LT: return c < 0;
    case OP_COMPARE_LE: return c <= 0;
    case OP_COMPARE_GT: return c > 0;
    default: return c >= 0;
    }
}

/* a < b, a <= b, a > b, a >= b (op is the opcode). */
int compare_order(VM *vm, int op, Value a, Value b)
{
    return order_at(vm, op, a, b, 0);
}

/* item in container. */
int contains(VM *vm, Value container, Value item)
{
    if (is_str(container)) {
        if (!is_str(item))
            epy_raise(vm, ERR_TYPEERROR, "'in <string>' requires string as left operand, not %s",
                      type_name(item));
        return str_contains(vm, container, item);
    }
    if (container.tag == V_LIST || container.tag == V_TUPLE) {
        for (uint32_t i = 0; i < seq_len(vm, container); i++)
            if (values_eq(vm, seq_items(vm, container)[i], item))
                return 1;
        return 0;
    }
    if (container.tag == V_RANGE)
        return range_contains(vm, container, item);
    if (IS_ARRAY(container)) {
        ArrayRef a;
        array_ref(vm, container, &a);
        if (a.ndim == 2)
            return a.shape0 ? values_eq(vm, container, item) : 0; /* rows: TypeError */
        for (uint32_t i = 0; i < a.shape0; i++)
            if (values_eq(vm, array_get_flat(&a, i), item))
                return 1;
        return 0;
    }
    return dict_contains(vm, container, item); /* TypeError for what is not a dict or view */
}
