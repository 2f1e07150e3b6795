/* fuzz_main.c: a deterministic mutation fuzzer around fuzz_one() (fuzz_image.c) for builds
 * without libFuzzer (gcc + ASan/UBSan: make smoke).
 *
 *   fuzz-image [-n ITERATIONS] [-t SECONDS] [-s SEED] [-T TIMEOUT] [-o DIR] [-v] INPUT...
 *
 * INPUTs are seed files or directories of them.  Without -n and -t every input runs once
 * (regression mode).  Otherwise each iteration takes a seed (or an earlier mutant the verifier
 * accepted), applies 1 to 4 mutations drawn from a seeded PRNG and runs it: bit flips, byte
 * and u16 sets to edge values, truncation, insertion and deletion, splices with another seed,
 * and structured mutations that parse the image first: jump targets, constant, local,
 * global, function and builtin indexes and counts, opcodes swapped for others of the same
 * length (stack underflow paths), function table, header and line table fields, argument
 * bytes.  The same SEED and inputs give the same sequence of mutants; -t only cuts it short.
 *
 * A sanitizer report, an abort or an input running longer than TIMEOUT seconds (default 10)
 * writes the input to DIR/crash-<iteration> (DIR defaults to .) before the process dies; the
 * exit status is then non-zero.  At the end it prints the counts. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "opcodes.h"

#define MAX_INPUT 16384
#define MAX_SEEDS 4096
#define POOL 512

static const uint8_t op_len[OP__COUNT] = EPY_OP_LENGTHS;
static const uint8_t op_fmt[OP__COUNT] = EPY_OP_FORMATS;

/* ---- crash capture ---- */
static const uint8_t *cur_data;
static size_t cur_size;
static unsigned long long cur_iter;
static char crash_dir[512] = ".";

/* Write the current input to DIR/crash-<iteration> (async-signal-safe). */
static void dump_current(const char *kind)
{
    char path[600];
    char num[24];
    int k = 0;
    unsigned long long v = cur_iter;
    do {
        num[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t n = strlen(crash_dir);
    memcpy(path, crash_dir, n);
    path[n++] = '/';
    size_t kl = strlen(kind);
    memcpy(path + n, kind, kl);
    n += kl;
    path[n++] = '-';
    while (k)
        path[n++] = num[--k];
    path[n] = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (cur_data && write(fd, cur_data, cur_size) < 0) {
            /* nothing more to do in a dying process */
        }
        close(fd);
    }
    const char *m1 = "fuzz-image: input written to ";
    if (write(2, m1, strlen(m1)) < 0 || write(2, path, n) < 0 || write(2, "\n", 1) < 0) {
        /* ignore */
    }
}

static void on_death(void) { dump_current("crash"); }

static void on_alarm(int sig)
{
    (void)sig;
    const char *m = "fuzz-image: timeout: an input ran longer than the per-input limit\n";
    if (write(2, m, strlen(m)) < 0) {
        /* ignore */
    }
    dump_current("timeout");
    _exit(3);
}

static void on_signal(int sig)
{
    dump_current("crash");
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Sanitizer runtimes call this before they exit on an error report. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* ---- PRNG (splitmix64) ---- */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0). */
static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

/* ---- inputs ---- */
typedef struct Buf {
    uint8_t *d;
    size_t n;
} Buf;

static Buf seeds[MAX_SEEDS];
static size_t nseeds;
static Buf pool[POOL];
static size_t npool;

static void add_seed_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    uint8_t *buf = malloc(MAX_INPUT);
    size_t n = fread(buf, 1, MAX_INPUT, f);
    fclose(f);
    if (nseeds == MAX_SEEDS) {
        free(buf);
        return;
    }
    seeds[nseeds].d = buf;
    seeds[nseeds++].n = n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every regular file of a directory in name order (determinism). */
static void add_input(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_seed_file(path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        perror(path);
        exit(2);
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[count] = malloc(len);
        snprintf(names[count++], len, "%s/%s", path, e->d_name);
    }
    closedir(dir);
    if (count)
        qsort(names, count, sizeof *names, cmp_str);
    for (size_t i = 0; i < count; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            add_seed_file(names[i]);
        free(names[i]);
    }
    free(names);
}

/* ---- image layout (for structured mutations; every read bounds-checked) ---- */
typedef struct Layout {
    size_t img, img_len;           /* image region inside the input */
    size_t args, args_len;         /* argument region (container inputs) */
    int container;
    uint32_t n_consts, n_globals, n_funcs, code_size, n_lines;
    size_t consts, globals, funcs, code, lines; /* input offsets; 0 when not reached */
} Layout;

static uint32_t g16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t g32(const uint8_t *p) { return g16(p) | g16(p + 2) << 16; }
static void p16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void layout(const uint8_t *d, size_t n, Layout *L)
{
    memset(L, 0, sizeof *L);
    FuzzInput in;
    fuzz_split(d, n, &in);
    L->container = in.container;
    L->img = (size_t)(in.image - d);
    L->img_len = in.image_size;
    if (in.args && in.container) {
        L->args = (size_t)(in.args - d);
        L->args_len = in.args_size;
    }
    const uint8_t *im = d + L->img;
    size_t len = L->img_len;
    if (len < EPY_HEADER_SIZE)
        return;
    L->n_consts = g16(im + 8);
    L->n_globals = g16(im + 10);
    L->n_funcs = g16(im + 12);
    L->code_size = g32(im + 16);
    L->n_lines = g32(im + 20);
    size_t pos = EPY_HEADER_SIZE;
    L->consts = L->img + pos;
    for (uint32_t i = 0; i < L->n_consts; i++) {
        if (pos >= len)
            return;
        uint8_t tag = im[pos++];
        if (tag == TAG_INT || tag == TAG_FLOAT)
            pos += 4;
        else if (tag == TAG_STR) {
            if (pos + 2 > len)
                return;
            pos += 2 + g16(im + pos);
        } else if (tag > TAG_STR)
            return;
    }
    if (pos > len)
        return;
    L->globals = L->img + pos;
    pos += (size_t)EPY_GLOBAL_ENTRY_SIZE * L->n_globals;
    if (pos > len)
        return;
    L->funcs = L->img + pos;
    pos += (size_t)EPY_FUNC_ENTRY_SIZE * L->n_funcs;
    if (pos > len)
        return;
    L->code = L->img + pos;
    pos += L->code_size;
    if (pos > len) {
        L->code_size = (uint32_t)(len - (pos - L->code_size));
        return;
    }
    L->lines = L->img + pos;
}

/* Offset (in the input) of a random instruction whose format is in mask, or 0. */
static size_t pick_instr(const uint8_t *d, const Layout *L, uint32_t mask, size_t *fn_code,
                         uint32_t *fn_len)
{
    if (!L->code || !L->funcs || L->n_funcs == 0)
        return 0;
    uint32_t fi = below(L->n_funcs);
    const uint8_t *fe = d + L->funcs + (size_t)EPY_FUNC_ENTRY_SIZE * fi;
    uint32_t clen = g16(fe + 6), coff = g32(fe + 8);
    if ((uint64_t)coff + clen > L->code_size)
        return 0;
    size_t base = L->code + coff;
    size_t hits[256];
    uint32_t nh = 0;
    for (uint32_t pc = 0; pc < clen;) {
        uint8_t op = d[base + pc];
        if (op >= OP__COUNT || pc + op_len[op] > clen)
            break;
        if ((mask >> op_fmt[op]) & 1 && nh < 256)
            hits[nh++] = base + pc;
        pc += op_len[op];
    }
    *fn_code = base;
    *fn_len = clen;
    return nh ? hits[below(nh)] : 0;
}

/* An edge value around n (n-1, n, n+1, 0, max) or a random one below limit. */
static uint32_t edge(uint32_t n, uint32_t limit)
{
    switch (below(7)) {
    case 0: return n ? n - 1 : 0;
    case 1: return n;
    case 2: return n + 1;
    case 3: return 0;
    case 4: return limit - 1;
    case 5: return limit / 2;
    default: return below(limit);
    }
}

/* Keep a container's u16 image length in step with an edit of the image region. */
static void resize_image(uint8_t *d, const Layout *L, long delta)
{
    if (L->container && L->args)
        p16(d + 4, (uint32_t)((long)L->img_len + delta));
}

/* One mutation of d[0..*n) (capacity MAX_INPUT). */
static void mutate(uint8_t *d, size_t *n)
{
    Layout L;
    layout(d, *n, &L);
    size_t fn_code;
    uint32_t fn_len;
    switch (below(14)) {
    case 0: /* bit flip */
        if (*n)
            d[below((uint32_t)*n)] ^= (uint8_t)(1u << below(8));
        break;
    case 1: { /* byte set */
        static const uint8_t v[] = {0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF, 5, 6, 0x40};
        if (*n)
            d[below((uint32_t)*n)] = below(3) ? v[below(sizeof v)] : (uint8_t)rnd();
        break;
    }
    case 2: /* u16 set */
        if (*n >= 2) {
            size_t at = below((uint32_t)*n - 1);
            p16(d + at, edge(g16(d + at), 0x10000));
        }
        break;
    case 3: { /* truncate the image (or the whole input) */
        if (L.img_len && below(4)) {
            size_t cut = below((uint32_t)L.img_len);
            memmove(d + L.img + cut, d + L.img + L.img_len, *n - L.img - L.img_len);
            *n -= L.img_len - cut;
            resize_image(d, &L, -(long)(L.img_len - cut));
        } else if (*n) {
            *n = below((uint32_t)*n);
        }
        break;
    }
    case 4: { /* insert or delete a few bytes inside the image */
        if (!L.img_len)
            break;
        size_t at = L.img + below((uint32_t)L.img_len);
        size_t k = 1 + below(8);
        if (below(2)) {
            if (*n + k > MAX_INPUT)
                break;
            memmove(d + at + k, d + at, *n - at);
            for (size_t i = 0; i < k; i++)
                d[at + i] = (uint8_t)rnd();
            *n += k;
            resize_image(d, &L, (long)k);
        } else {
            if (at + k > L.img + L.img_len)
                k = L.img + L.img_len - at;
            memmove(d + at, d + at + k, *n - at - k);
            *n -= k;
            resize_image(d, &L, -(long)k);
        }
        break;
    }
    case 5: { /* splice: a chunk of another seed over this input */
        const Buf *o = &seeds[below((uint32_t)nseeds)];
        if (!o->n || !*n)
            break;
        size_t from = below((uint32_t)o->n), at = below((uint32_t)*n);
        size_t k = 1 + below(64);
        if (from + k > o->n)
            k = o->n - from;
        if (at + k > *n)
            k = *n - at;
        memcpy(d + at, o->d + from, k);
        break;
    }
    case 6: { /* jump target */
        size_t at = pick_instr(d, &L, 1u << 4, &fn_code, &fn_len);
        if (!at)
            break;
        uint32_t t;
        switch (below(5)) {
        case 0: t = fn_len; break;
        case 1: t = g16(d + at + 1) + (below(2) ? 1 : 0xFFFF); break;
        case 2: t = (uint32_t)(at - fn_code); break;      /* itself */
        case 3: t = below(fn_len + 1); break;
        default: {                                          /* another instruction */
            size_t other = pick_instr(d, &L, 0x3F, &fn_code, &fn_len);
            t = other ? (uint32_t)(other - fn_code) : 0;
        }
        }
        p16(d + at + 1, t);
        break;
    }
    case 7: { /* operand indexes: consts, locals, globals, functions, builtins, counts */
        size_t at = pick_instr(d, &L, (1u << 1) | (1u << 3) | (1u << 5), &fn_code, &fn_len);
        if (!at)
            break;
        uint8_t op = d[at];
        uint32_t n0 = 0;
        if (op == OP_LOAD_CONST)
            n0 = L.n_consts;
        else if (op == OP_LOAD_GLOBAL || op == OP_STORE_GLOBAL)
            n0 = L.n_globals;
        else if (op == OP_CALL)
            n0 = L.n_funcs;
        else if (op == OP_CALL_BUILTIN)
            n0 = below(2) ? BI__COUNT : g16(d + at + 1) >> 8;
        else
            n0 = d[at + 1];
        if (op_fmt[op] == EPY_OPERAND_U16)
            p16(d + at + 1, edge(n0, 0x10000));
        else if (op == OP_CALL_BUILTIN && below(2))
            d[at + 2] = (uint8_t)edge(d[at + 2], 256);
        else
            d[at + 1] = (uint8_t)edge(n0, 256);
        break;
    }
    case 8: { /* swap an opcode for another of the same length */
        size_t at = pick_instr(d, &L, 0x3F, &fn_code, &fn_len);
        if (!at)
            break;
        uint8_t len = op_len[d[at]], cand[OP__COUNT], nc = 0;
        for (uint8_t o = 0; o < OP__COUNT; o++)
            if (op_len[o] == len)
                cand[nc++] = o;
        d[at] = cand[below(nc)];
        break;
    }
    case 9: { /* function table field */
        if (!L.funcs || !L.n_funcs || L.funcs + (size_t)EPY_FUNC_ENTRY_SIZE * L.n_funcs > *n)
            break;
        uint8_t *fe = d + L.funcs + (size_t)EPY_FUNC_ENTRY_SIZE * below(L.n_funcs);
        switch (below(8)) {
        case 0: p16(fe, edge(L.n_consts, 0x10000)); break;
        case 1: fe[2] = (uint8_t)edge(fe[2], 256); break;                /* n_params */
        case 2: fe[3] = (uint8_t)edge(fe[3], 256); break;                /* n_locals */
        case 3: p16(fe + 4, edge(g16(fe + 4), 300)); break;              /* max_stack */
        case 4: p16(fe + 6, edge(g16(fe + 6), 0x10000)); break;          /* code_len */
        case 5: p16(fe + 8, edge(g16(fe + 8), L.code_size + 2)); break;  /* code_offset */
        case 6: p16(fe + 12, edge(g16(fe + 12), L.n_lines + 2)); break;  /* line_start */
        default: p16(fe + 16, edge(g16(fe + 16), L.n_lines + 2)); break; /* n_lines */
        }
        break;
    }
    case 10: { /* header field */
        if (L.img_len < EPY_HEADER_SIZE)
            break;
        static const uint8_t fields[] = {4, 6, 8, 10, 12, 14, 16, 20};
        uint8_t *p = d + L.img + fields[below(sizeof fields)];
        p16(p, edge(g16(p), 0x10000));
        break;
    }
    case 11: { /* line table entry, or a global's fields */
        if (below(2) && L.lines && L.n_lines && L.lines + (size_t)4 * L.n_lines <= *n) {
            uint8_t *e = d + L.lines + (size_t)4 * below(L.n_lines);
            p16(e, edge(g16(e), 0x10000));
        } else if (L.globals && L.n_globals && L.globals + 4u * L.n_globals <= *n) {
            uint8_t *e = d + L.globals + 4u * below(L.n_globals) + 2u * below(2);
            p16(e, edge(L.n_consts, 0x10000));
        }
        break;
    }
    case 12: { /* a constant's tag or string length */
        if (!L.consts || !L.n_consts || L.consts >= *n)
            break;
        size_t at = L.consts + below((uint32_t)(*n - L.consts < 64 ? *n - L.consts : 64));
        d[at] = (uint8_t)edge(d[at], 9);
        break;
    }
    default: /* argument bytes */
        if (L.args_len)
            d[L.args + below((uint32_t)L.args_len)] ^= (uint8_t)(1u << below(8));
        else if (*n)
            d[below((uint32_t)*n)] = (uint8_t)rnd();
        break;
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void usage(void)
{
    fprintf(stderr, "usage: fuzz-image [-n ITERATIONS] [-t SECONDS] [-s SEED] [-T TIMEOUT] "
                    "[-o DIR] [-v] INPUT...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long iters = 0, seed = 1;
    double seconds = 0;
    unsigned timeout = 10;
    int verbose = 0, opt;
    while ((opt = getopt(argc, argv, "n:t:s:T:o:v")) != -1) {
        switch (opt) {
        case 'n': iters = strtoull(optarg, NULL, 10); break;
        case 't': seconds = atof(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'T': timeout = (unsigned)atoi(optarg); break;
        case 'o': snprintf(crash_dir, sizeof crash_dir, "%s", optarg); break;
        case 'v': verbose = 1; break;
        default: usage();
        }
    }
    if (optind >= argc)
        usage();
    for (int i = optind; i < argc; i++)
        add_input(argv[i]);
    if (!nseeds) {
        fprintf(stderr, "fuzz-image: no inputs\n");
        return 2;
    }
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(on_death);
    signal(SIGALRM, on_alarm);
    if (!__sanitizer_set_death_callback) { /* no sanitizer: catch the fatal signals here */
        signal(SIGSEGV, on_signal);
        signal(SIGBUS, on_signal);
        signal(SIGFPE, on_signal);
        signal(SIGABRT, on_signal);
    }
    rng_state = seed;
    double start = now();
    /* every input once (the regression run) */
    for (size_t i = 0; i < nseeds; i++) {
        cur_data = seeds[i].d;
        cur_size = seeds[i].n;
        cur_iter = i;
        alarm(timeout);
        fuzz_one(seeds[i].d, seeds[i].n);
        alarm(0);
    }
    fprintf(stderr, "fuzz-image: %zu inputs ran\n", nseeds);
    fuzz_finished = fuzz_abandoned = 0;
    if (!iters && seconds <= 0)
        return 0;
    uint8_t *buf = malloc(MAX_INPUT);
    unsigned long long done = 0, accepted = 0;
    size_t pool_next = 0;
    while ((!iters || done < iters) && (seconds <= 0 || now() - start < seconds)) {
        const Buf *src = npool && below(3) == 0 ? &pool[below((uint32_t)npool)]
                                                : &seeds[below((uint32_t)nseeds)];
        size_t n = src->n;
        memcpy(buf, src->d, n);
        uint32_t k = 1 + below(4);
        for (uint32_t m = 0; m < k; m++)
            mutate(buf, &n);
        cur_data = buf;
        cur_size = n;
        cur_iter = nseeds + done;
        alarm(timeout);
        fuzz_one(buf, n);
        alarm(0);
        done++;
        if (fuzz_last_verified) {
            accepted++;
            /* keep some accepted mutants to mutate further (a cheap stand-in for coverage) */
            if (below(8) == 0) {
                Buf *slot = npool < POOL ? &pool[npool++] : &pool[pool_next++ % POOL];
                free(slot->d);
                slot->d = malloc(n ? n : 1);
                memcpy(slot->d, buf, n);
                slot->n = n;
            }
        }
        if (verbose && done % 10000 == 0)
            fprintf(stderr, "fuzz-image: %llu mutants, %llu accepted, %.0f exec/s\n", done,
                    accepted, (double)done / (now() - start));
    }
    double t = now() - start;
    fprintf(stderr, "fuzz-image: seed %llu: %llu mutants in %.1f s (%.0f exec/s), %llu accepted "
                    "by the verifier (%llu ran to the end, %llu stopped by the budget), pool %zu, "
                    "no crash\n", seed, done, t, t > 0 ? (double)done / t : 0.0, accepted,
            fuzz_finished, fuzz_abandoned, npool);
    free(buf);
    for (size_t i = 0; i < npool; i++)
        free(pool[i].d);
    for (size_t i = 0; i < nseeds; i++)
        free(seeds[i].d);
    return 0;
}
