/* epy_numcheck.c: test driver for the core's number code: runs builtins, operators,
 * comparisons, str() and format specs of the C core on values read from stdin, one request a
 * line, and prints one answer a line (tests/test_device_float.py compares them with the
 * simulator, i.e. with CPython, by the hundred thousand).
 *
 *   c <builtin id> <value>...       call_builtin (math.*, round, int, float, ...)
 *   o <opcode> <value> <value>      binary_op (BINARY_*)
 *   q <opcode> <value> <value>      COMPARE_EQ/NE (values_eq), COMPARE_LT..GE (compare_order)
 *   s <value>                       str(value)
 *   F x<hex of the spec> <value>    format(value, spec) as an f-string does
 *
 * A value is i<hex int32>, f<hex binary32 bits>, b0/b1, n (None) or s<hex of UTF-8 bytes>.
 * An answer is "ok <value>" or "err <code> <hex of the message>". */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

#define ARENA_BYTES (512u * 1024u)
#define LINE_MAX_BYTES (300u * 1024u)

static uint8_t *arena;
static char *line;
static uint8_t *bytes;

/* Hex digit value, or -1. */
static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode hex text up to a space or the end into bytes; returns the count. */
static uint32_t unhex(const char **p, uint8_t *out)
{
    uint32_t n = 0;
    while (hexval((*p)[0]) >= 0 && hexval((*p)[1]) >= 0) {
        out[n++] = (uint8_t)(hexval((*p)[0]) << 4 | hexval((*p)[1]));
        *p += 2;
    }
    return n;
}

/* Parse one value at *p (a str becomes a heap str). */
static Value read_value(VM *vm, const char **p)
{
    while (**p == ' ')
        (*p)++;
    char kind = *(*p)++;
    if (kind == 'n')
        return mk_none();
    if (kind == 'b')
        return mk_bool(*(*p)++ == '1');
    if (kind == 's') {
        uint32_t n = unhex(p, bytes);
        return str_from(vm, (const char *)bytes, n);
    }
    uint32_t v = (uint32_t)strtoul(*p, (char **)p, 16);
    Value r = {kind == 'f' ? V_FLOAT : V_INT, v};
    return r;
}

/* Print a value. */
static void print_value(VM *vm, Value v)
{
    switch (v.tag) {
    case V_NONE: printf("n"); break;
    case V_BOOL: printf("b%u", (unsigned)v.u); break;
    case V_INT: printf("i%x", (unsigned)v.u); break;
    case V_FLOAT: printf("f%x", (unsigned)v.u); break;
    case V_STR: case V_SSTR: {
        uint32_t n;
        const uint8_t *d = str_data(vm, v, &n);
        putchar('s');
        for (uint32_t i = 0; i < n; i++)
            printf("%02x", d[i]);
        break;
    }
    default: printf("?%u", (unsigned)v.tag); break;
    }
}

/* Carry out one request (errors longjmp out). */
static void request(VM *vm, const char *p)
{
    Value args[8];
    uint32_t n = 0;
    char cmd = *p++;
    uint32_t code = 0;
    if (cmd == 'c' || cmd == 'o' || cmd == 'q')
        code = (uint32_t)strtoul(p, (char **)&p, 10);
    Value spec = mk_none();
    if (cmd == 'F') {
        while (*p == ' ')
            p++;
        p += *p == 'x';
        uint32_t k = unhex(&p, bytes);
        spec = str_from(vm, (const char *)bytes, k);
        troot_push(vm, &spec);
    }
    while (n < 8) {
        while (*p == ' ')
            p++;
        if (!*p || *p == '\n')
            break;
        args[n] = read_value(vm, &p);
        troot_push(vm, &args[n]);
        n++;
    }
    Value r = mk_none();
    switch (cmd) {
    case 'c': r = call_builtin(vm, code, args, n); break;
    case 'o': r = binary_op(vm, (int)code, args[0], args[1]); break;
    case 'q':
        r = mk_bool(code == OP_COMPARE_EQ ? values_eq(vm, args[0], args[1]) :
                    code == OP_COMPARE_NE ? !values_eq(vm, args[0], args[1]) :
                    compare_order(vm, (int)code, args[0], args[1]));
        break;
    case 's': r = value_str(vm, args[0]); break;
    case 'F': r = value_format(vm, args[0], spec, 0); break;
    default: printf("bad request\n"); return;
    }
    printf("ok ");
    print_value(vm, r);
    putchar('\n');
}

/* Run one request line on an empty heap. */
static void run(VM *vm, const char *p)
{
    jmp_buf env;
    heap_init(vm, arena, ARENA_BYTES, ARENA_BYTES);
    vm->on_error = &env;
    if (setjmp(env) == 0) {
        request(vm, p);
        return;
    }
    printf("err %u ", (unsigned)vm->err_code);
    for (const char *m = vm->err_msg; *m; m++)
        printf("%02x", (uint8_t)*m);
    putchar('\n');
}

int main(void)
{
    static VM vm;
    arena = malloc(ARENA_BYTES);
    line = malloc(LINE_MAX_BYTES);
    bytes = malloc(LINE_MAX_BYTES / 2);
    if (!arena || !line || !bytes)
        return 2;
    vm.no_line = 1;
    while (fgets(line, (int)LINE_MAX_BYTES, stdin))
        run(&vm, line);
    free(arena);
    free(line);
    free(bytes);
    return 0;
}
