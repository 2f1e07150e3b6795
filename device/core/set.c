/* set.c: sets (docs/language.md, "Sets"; the spec: esim/cores/sets.py).
 *
 * A set value (V_SET) refers to a heap object that is a dict (header type V_DICT) whose values
 * are None: its items are the keys, in insertion order, found by dict.c's equality, and it is
 * sized, grown, shrunk, moved and freed as a dict.  An operator's result is made in one
 * allocation of its final size; a method's argument that is not a set is first made a set.
 * Every function here is cold: a set operation is a builtin call or a rare case of an opcode. */
#include "vm.h"

/* The dict object of a set, as a dict value. */
EPY_COLD static Value as_dict(Value s)
{
    s.tag = V_DICT;
    return s;
}

/* A new empty set. */
EPY_COLD static Value set_new(VM *vm)
{
    Value s = seq_new(vm, V_DICT, 0);
    s.tag = V_SET;
    return s;
}

/* A new set with the items of set s. */
EPY_COLD static Value set_copy(VM *vm, Value s)
{
    troot_push(vm, &s);
    Value r = seq_slice(vm, as_dict(s), 0, (int32_t)seq_len(vm, s), 1);
    troot_pop(vm, 1);
    r.tag = V_SET;
    return r;
}

/* TypeError unless src can be iterated. */
EPY_COLD static void check_iterable(VM *vm, Value src)
{
    if (src.tag != V_ITER && !seq_like(src))
        epy_raise(vm, ERR_TYPEERROR, "'%s' object is not iterable", type_name(src));
}

/* Add each item of the iterable *src to the set *s (both rooted). */
EPY_COLD static void add_items(VM *vm, Value *s, Value *src)
{
    if (src->tag == V_SET) {
        for (uint32_t i = 0; i < seq_len(vm, *src); i += 2)
            dict_store(vm, s, seq_items(vm, *src)[i], mk_none());
        return;
    }
    check_iterable(vm, *src);
    uint32_t pos = 0;
    Value item;
    while (source_next(vm, *src, &pos, &item)) {
        troot_push(vm, &item);
        dict_store(vm, s, item, mk_none());
        troot_pop(vm, 1);
        decref(vm, item);
    }
}

/* *o if it is a set (borrowed), else set(*o) (a new reference); *temp says which. */
EPY_COLD static Value as_set(VM *vm, Value *o, int *temp)
{
    *temp = o->tag != V_SET;
    if (!*temp)
        return *o;
    Value s = set_new(vm);
    troot_push(vm, &s);
    add_items(vm, &s, o);
    troot_pop(vm, 1);
    return s;
}

/* Is k an item of set s. */
EPY_COLD static int has(VM *vm, Value s, Value k)
{
    return dict_find(vm, s, k) >= 0;
}

/* The items of a that go into a <op> b (the first part of each result), or b's (second). */
EPY_COLD static int keep(VM *vm, int op, Value a, Value b, Value k, int second)
{
    if (second)
        return (op == OP_BINARY_OR || op == OP_BINARY_XOR) && !has(vm, a, k);
    return op == OP_BINARY_AND ? has(vm, b, k) : op == OP_BINARY_OR || !has(vm, b, k);
}

/* a <op> b for two sets (rooted) and | & - ^: a new set of its final size. */
EPY_COLD static Value set_result(VM *vm, int op, Value a, Value b)
{
    uint32_t n = 0;
    for (int part = 0; part < 2; part++) {
        Value x = part ? b : a;
        for (uint32_t i = 0; i < seq_len(vm, x); i += 2)
            n += (uint32_t)keep(vm, op, a, b, seq_items(vm, x)[i], part);
    }
    Value r = seq_new(vm, V_DICT, 2u * n);
    r.tag = V_SET;
    uint32_t j = 0;
    for (int part = 0; part < 2; part++) {
        Value x = part ? b : a;
        for (uint32_t i = 0; i < seq_len(vm, x); i += 2) {
            Value k = seq_items(vm, x)[i];
            if (keep(vm, op, a, b, k, part)) {
                seq_items(vm, r)[j] = k;
                incref(vm, k);
                j += 2;
            }
        }
    }
    return r;
}

/* a <op> b for BINARY_*, a or b a set (rooted): a new set, or V_UNSET when the operator does
 * not apply (binary_op raises its TypeError). */
EPY_COLD Value set_binary(VM *vm, int op, Value a, Value b)
{
    if (a.tag != V_SET || b.tag != V_SET ||
        !(op == OP_BINARY_OR || op == OP_BINARY_AND || op == OP_BINARY_SUB || op == OP_BINARY_XOR))
        return mk_unset();
    return set_result(vm, op, a, b);
}

/* a < b, <=, >, >= for two sets: proper subset, subset and the reverse. */
EPY_COLD int set_compare(VM *vm, int op, Value a, Value b)
{
    if (op == OP_COMPARE_GT || op == OP_COMPARE_GE) {
        Value t = a;
        a = b;
        b = t;
    }
    uint32_t na = seq_len(vm, a), nb = seq_len(vm, b);
    if (na > nb)
        return 0;
    for (uint32_t i = 0; i < na; i += 2)
        if (!has(vm, b, seq_items(vm, a)[i]))
            return 0;
    return op == OP_COMPARE_LT || op == OP_COMPARE_GT ? na < nb : 1;
}

/* Remove item slot i of set s. */
EPY_COLD static void remove_at(VM *vm, Value s, uint32_t i)
{
    dict_remove_at(vm, as_dict(s), i);
}

/* s.intersection_update / difference_update / symmetric_difference_update (kind 0, 1, 2) with
 * *o (rooted); s is rooted. */
EPY_COLD static void update_with(VM *vm, Value *s, Value *o, int kind)
{
    if (kind == 1 && o->tag != V_SET) { /* difference_update(iterable): each item discarded */
        check_iterable(vm, *o);
        uint32_t pos = 0;
        Value item;
        while (source_next(vm, *o, &pos, &item)) {
            troot_push(vm, &item);
            int32_t k = dict_find(vm, *s, item);
            troot_pop(vm, 1);
            decref(vm, item);
            if (k >= 0)
                remove_at(vm, *s, (uint32_t)k);
        }
        return;
    }
    int temp;
    Value other = as_set(vm, o, &temp);
    troot_push(vm, &other);
    if (kind == 2 && other.u == s->u) { /* s ^= s */
        while (seq_len(vm, *s))
            remove_at(vm, *s, seq_len(vm, *s) - 2);
    } else if (kind == 2) {
        for (uint32_t i = 0; i < seq_len(vm, other); i += 2) {
            Value k = seq_items(vm, other)[i];
            int32_t at = dict_find(vm, *s, k);
            if (at >= 0)
                remove_at(vm, *s, (uint32_t)at);
            else
                dict_store(vm, s, k, mk_none());
        }
    } else {
        uint32_t i = 0;
        while (i < seq_len(vm, *s)) {
            if (has(vm, other, seq_items(vm, *s)[i]) == (kind == 1))
                remove_at(vm, *s, i);
            else
                i += 2;
        }
    }
    troot_pop(vm, 1);
    if (temp)
        decref(vm, other);
}

/* s.union(*others) and the like (op: the operator's BINARY_*): each argument made a set, then
 * one operator at a time; no argument: a copy.  args in VM stack slots. */
EPY_COLD static Value fold(VM *vm, int op, Value *args, uint32_t n)
{
    if (n == 1)
        return set_copy(vm, args[0]);
    Value r = args[0];
    int owned = 0;
    troot_push(vm, &r);
    for (uint32_t i = 1; i < n; i++) {
        int temp;
        Value other = as_set(vm, &args[i], &temp);
        troot_push(vm, &other);
        Value next = set_result(vm, op, r, other);
        troot_pop(vm, 1);
        if (temp)
            decref(vm, other);
        if (owned)
            decref(vm, r);
        r = next;
        owned = 1;
    }
    troot_pop(vm, 1);
    return r;
}

/* Is builtin id a list or dict method that a set receiver turns into its own. */
EPY_COLD int set_shared(uint32_t id)
{
    return id == BI_LIST_POP || id == BI_LIST_COPY || id == BI_LIST_REMOVE ||
           id == BI_DICT_CLEAR || id == BI_DICT_UPDATE;
}

/* a op= b for set.inplace (op: |, &, ^ or -): a set changed in place, or the number. */
EPY_COLD static Value set_inplace(VM *vm, Value *args)
{
    static const char *const symbols[] = {"-", "&", "|", "^"};
    int op = as_int(args[2]);
    Value a = args[0], b = args[1];
    if (a.tag == V_SET && b.tag == V_SET) {
        if (op == OP_BINARY_OR)
            add_items(vm, &args[0], &args[1]);
        else
            update_with(vm, &args[0], &args[1], op == OP_BINARY_AND ? 0 : op == OP_BINARY_SUB ? 1 : 2);
        incref(vm, args[0]);
        return args[0];
    }
    int ints = (a.tag == V_INT || a.tag == V_BOOL) && (b.tag == V_INT || b.tag == V_BOOL);
    if (ints || (op == OP_BINARY_SUB && is_num(a) && is_num(b)))
        return binary_op(vm, op, a, b);
    epy_raise(vm, ERR_TYPEERROR, "unsupported operand type(s) for %s=: '%s' and '%s'",
              symbols[op == OP_BINARY_SUB ? 0 : op - OP_BINARY_AND + 1], type_name(a),
              type_name(b));
}

/* The set builtins (BI_SET .. BI_SET_INPLACE, and set_shared ones of a set) on n arguments in
 * VM stack slots; a new reference. */
EPY_COLD Value set_builtin(VM *vm, uint32_t id, Value *args, uint32_t n)
{
    static const char *const methods[] = {
        "", "add", "discard", "remove", "pop", "copy", "clear", "update", "union",
        "intersection", "difference", "symmetric_difference", "intersection_update",
        "difference_update", "symmetric_difference_update", "issubset", "issuperset",
        "isdisjoint"};
    switch (id) {
    case BI_LIST_POP: id = BI_SET_POP; break;
    case BI_LIST_COPY: id = BI_SET_COPY; break;
    case BI_LIST_REMOVE: id = BI_SET_REMOVE; break;
    case BI_DICT_CLEAR: id = BI_SET_CLEAR; break;
    case BI_DICT_UPDATE: id = BI_SET_UPDATE; break;
    default: break;
    }
    if (id == BI_SET) {
        if (!n)
            return set_new(vm);
        int temp;
        Value s = as_set(vm, &args[0], &temp);
        return temp ? s : set_copy(vm, s);
    }
    if (id == BI_SET_INPLACE)
        return set_inplace(vm, args);
    if (args[0].tag != V_SET)
        epy_raise(vm, ERR_ATTRIBUTEERROR, "'%s' object has no attribute '%s'",
                  type_name(args[0]), methods[id - BI_SET]);
    switch (id) {
    case BI_SET_ADD: dict_store(vm, &args[0], args[1], mk_none()); return mk_none();
    case BI_SET_DISCARD: case BI_SET_REMOVE: {
        int32_t k = dict_find(vm, args[0], args[1]);
        if (k >= 0)
            remove_at(vm, args[0], (uint32_t)k);
        else if (id == BI_SET_REMOVE)
            dict_key_error(vm, args[1]);
        return mk_none();
    }
    case BI_SET_POP: {
        if (!seq_len(vm, args[0])) {
            Value why = str_from(vm, "pop from an empty set", 21);
            troot_push(vm, &why);
            dict_key_error_owned(vm, why);
        }
        Value k = seq_items(vm, args[0])[0];
        incref(vm, k);
        remove_at(vm, args[0], 0);
        return k;
    }
    case BI_SET_COPY: return set_copy(vm, args[0]);
    case BI_SET_CLEAR:
        while (seq_len(vm, args[0]))
            remove_at(vm, args[0], seq_len(vm, args[0]) - 2);
        return mk_none();
    case BI_SET_UPDATE:
        for (uint32_t i = 1; i < n; i++)
            add_items(vm, &args[0], &args[i]);
        return mk_none();
    case BI_SET_UNION: return fold(vm, OP_BINARY_OR, args, n);
    case BI_SET_INTERSECTION: return fold(vm, OP_BINARY_AND, args, n);
    case BI_SET_DIFFERENCE: return fold(vm, OP_BINARY_SUB, args, n);
    case BI_SET_SYMMETRIC_DIFFERENCE: return fold(vm, OP_BINARY_XOR, args, n);
    case BI_SET_INTERSECTION_UPDATE: case BI_SET_DIFFERENCE_UPDATE:
    case BI_SET_SYMMETRIC_DIFFERENCE_UPDATE:
        for (uint32_t i = 1; i < n; i++)
            update_with(vm, &args[0], &args[i], (int)(id - BI_SET_INTERSECTION_UPDATE));
        return mk_none();
    case BI_SET_ISSUBSET: {
        int temp;
        Value other = as_set(vm, &args[1], &temp);
        troot_push(vm, &other);
        int r = set_compare(vm, OP_COMPARE_LE, args[0], other);
        troot_pop(vm, 1);
        if (temp)
            decref(vm, other);
        return mk_bool(r);
    }
    default: { /* issuperset, isdisjoint: each item of the argument looked up */
        int want = id == BI_SET_ISSUPERSET;
        check_iterable(vm, args[1]);
        uint32_t pos = 0;
        Value item;
        while (source_next(vm, args[1], &pos, &item)) {
            troot_push(vm, &item);
            int found = has(vm, args[0], item);
            troot_pop(vm, 1);
            decref(vm, item);
            if (found != want)
                return mk_bool(0);
        }
        return mk_bool(1);
    }
    }
}
