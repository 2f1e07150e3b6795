/* random.c: the builtins of `random` in kernels, on one 32-bit xorshift state per core (the C
 * twin of esim/cores/rng.py, which documents the algorithm; docs/language.md). */
#include "vm.h"

#define RNG_DEFAULT_SEED 0x5EED0000u

/* MurmurHash3's fmix32 of x; 0 maps to 1 (xorshift's state is never 0). */
EPY_COLD static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x ? x : 1u;
}

/* The state a launch starts this core from. */
EPY_COLD void rng_reset(VM *vm)
{
    vm->rng = mix32(RNG_DEFAULT_SEED + vm->core_index);
}

/* The next 32-bit word (xorshift32: 13, 17, 5). */
EPY_COLD static uint32_t next32(VM *vm)
{
    uint32_t x = vm->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    vm->rng = x;
    return x;
}

/* An integer in [0, n) without bias; n == 0 stands for 2**32. */
EPY_COLD static uint32_t below(VM *vm, uint32_t n)
{
    if (n == 0)
        return next32(vm);
    uint32_t rest = (0u - n) % n; /* 2**32 mod n */
    for (;;) {
        uint32_t x = next32(vm);
        if (x <= 0xFFFFFFFFu - rest) /* below the largest multiple of n that fits */
            return x % n;
    }
}

/* The top 24 bits of the next word times 2**-24. */
EPY_COLD static float unit(VM *vm)
{
    return (float)(next32(vm) >> 8) * (1.0f / 16777216.0f);
}

EPY_COLD static int32_t int_arg(VM *vm, Value v, const char *what)
{
    if (v.tag != V_INT && v.tag != V_BOOL)
        epy_raise(vm, ERR_TYPEERROR, "%s: '%s' object cannot be interpreted as an integer", what,
                  type_name(v));
    return as_int(v);
}

EPY_COLD static Value float_arg(VM *vm, Value v)
{
    if (v.tag == V_FLOAT)
        return v;
    if (v.tag == V_INT || v.tag == V_BOOL)
        return mk_float((float)as_int(v));
    epy_raise(vm, ERR_TYPEERROR, "uniform() needs numbers, not '%s'", type_name(v));
}

/* randrange(stop) / randrange(start, stop[, step]). */
EPY_COLD static Value randrange(VM *vm, const Value *args, uint32_t n)
{
    if (n == 1) {
        int32_t stop = int_arg(vm, args[0], "randrange()");
        if (stop <= 0)
            epy_raise(vm, ERR_VALUEERROR, "empty range in randrange(%ld)", (long)stop);
        return mk_int((int32_t)below(vm, (uint32_t)stop));
    }
    int64_t start = int_arg(vm, args[0], "randrange()"), stop = int_arg(vm, args[1], "randrange()");
    int64_t step = n == 3 ? int_arg(vm, args[2], "randrange()") : 1;
    if (step == 0)
        epy_raise(vm, ERR_VALUEERROR, "zero step for randrange()");
    /* the count, by unsigned 32-bit division of the distance (no 64-bit division on the chip) */
    uint32_t count = 0;
    if (step > 0 && stop > start)
        count = (uint32_t)(stop - start - 1) / (uint32_t)step + 1u;
    else if (step < 0 && stop < start)
        count = (uint32_t)(start - stop - 1) / (uint32_t)(-step) + 1u;
    if (count == 0) {
        if (n == 3)
            epy_raise(vm, ERR_VALUEERROR, "empty range in randrange(%ld, %ld, %ld)", (long)start,
                      (long)stop, (long)step);
        epy_raise(vm, ERR_VALUEERROR, "empty range in randrange(%ld, %ld)", (long)start, (long)stop);
    }
    return mk_int((int32_t)(start + step * (int64_t)below(vm, count)));
}

/* The builtin random.<id> on n arguments (borrowed stack slots); a new reference. */
EPY_COLD Value bi_random(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    switch (id) {
    case BI_RANDOM_RANDOM: return mk_float(unit(vm));
    case BI_RANDOM_SEED:
        if (n == 0 || args[0].tag == V_NONE)
            rng_reset(vm);
        else
            vm->rng = mix32((uint32_t)int_arg(vm, args[0], "seed()"));
        return mk_none();
    case BI_RANDOM_RANDINT: {
        int32_t a = int_arg(vm, args[0], "randint()"), b = int_arg(vm, args[1], "randint()");
        if (b < a)
            epy_raise(vm, ERR_VALUEERROR, "empty range in randint(%ld, %ld)", (long)a, (long)b);
        return mk_int((int32_t)((uint32_t)a + below(vm, (uint32_t)b - (uint32_t)a + 1u)));
    }
    case BI_RANDOM_RANDRANGE: return randrange(vm, args, n);
    case BI_RANDOM_UNIFORM: {
        Value lo = float_arg(vm, args[0]), hi = float_arg(vm, args[1]);
        Value d = binary_op(vm, OP_BINARY_SUB, hi, lo);
        Value t = binary_op(vm, OP_BINARY_MUL, d, mk_float(unit(vm)));
        return binary_op(vm, OP_BINARY_ADD, lo, t);
    }
    case BI_RANDOM_CHOICE: {
        Value s = args[0];
        if (!seq_like(s) || s.tag == V_DICT || s.tag >= V_DVIEW)
            epy_raise(vm, ERR_TYPEERROR, "choice() needs a sequence, not '%s'", type_name(s));
        uint32_t len = generic_len(vm, s);
        if (len == 0)
            epy_raise(vm, ERR_INDEXERROR, "Cannot choose from an empty sequence");
        return generic_item(vm, s, below(vm, len));
    }
    default: { /* BI_RANDOM_SHUFFLE: Fisher-Yates from the end, as CPython */
        Value x = args[0];
        if (x.tag != V_LIST)
            epy_raise(vm, ERR_TYPEERROR,
                      "'%s' object does not support item assignment (kernels shuffle lists)",
                      type_name(x));
        Value *items = seq_items(vm, x);
        for (uint32_t i = seq_len(vm, x); i-- > 1;) {
            uint32_t j = below(vm, i + 1u);
            Value t = items[i];
            items[i] = items[j];
            items[j] = t;
        }
        return mk_none();
    }
    }
}
