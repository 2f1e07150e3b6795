/* verify.c: the image verifier, a port of epython/bytecode/image.py decode(),
 * epython/bytecode/verify.py and the stack-depth walk of epython/bytecode/flow.py with the same
 * checks in the same order and the same messages; opcodes are told apart by the generated
 * tables of opcodes.h (stack counts, control flow), not by name.
 * It reads only inside [data, data + size) and never trusts a length it has not checked. */
#include <stdarg.h>

#include "text.h"
#include "vm.h"

static const uint8_t op_len[OP__COUNT] = EPY_OP_LENGTHS;
static const uint8_t op_fmt[OP__COUNT] = EPY_OP_FORMATS;
static const int8_t op_pops[OP__COUNT] = EPY_OP_POPS;
static const int8_t op_pushes[OP__COUNT] = EPY_OP_PUSHES;
static const uint8_t op_bpops[OP__COUNT] = EPY_OP_BRANCH_POPS;
static const uint8_t op_bpushes[OP__COUNT] = EPY_OP_BRANCH_PUSHES;
static const uint8_t op_flow[OP__COUNT] = EPY_OP_FLOW;
static const uint8_t bi_min[BI__COUNT] = EPY_BUILTIN_MIN_ARGS;
static const uint8_t bi_max[BI__COUNT] = EPY_BUILTIN_MAX_ARGS;

/* The verifier's state: the image bytes, the read position, the message being written. */
typedef struct Verifier {
    const uint8_t *d;
    uint32_t size, pos;
    Sink msg;
    Image *img;
    uint8_t *scratch;
    uint32_t scratch_size;
} Verifier;

/* Append printf text to the message. */
EPY_COLD static void say(Verifier *v, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    int n = epy_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = (int)sizeof buf - 1;
    if (n > 0)
        sink_put(&v->msg, buf, (uint32_t)n);
}

/* Take n bytes or fail with the truncation message. */
EPY_COLD static int take(Verifier *v, uint64_t n, const char *what, long idx)
{
    if (v->pos + n > v->size) {
        say(v, "truncated image: ");
        say(v, what, idx);
        say(v, " needs %llu bytes at offset %u, image has %u", (unsigned long long)n,
            (unsigned)v->pos, (unsigned)v->size);
        return 1;
    }
    v->pos += (uint32_t)n;
    return 0;
}

/* Check UTF-8 like CPython's decoder; on error describe it as UnicodeDecodeError does. */
EPY_COLD static int utf8_error(char *out, uint32_t outsize, const uint8_t *p, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c < 0xC2 || c > 0xF4) {
            epy_snprintf(out, outsize, "'utf-8' codec can't decode byte 0x%02x in position %u: invalid start byte",
                c, (unsigned)i);
            return 1;
        }
        /* continuation bytes after the lead byte, and the range of the first one */
        uint32_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
        uint8_t lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        uint8_t hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        for (uint32_t k = 1; k <= need; k++) {
            const char *why = NULL;
            if (i + k >= n)
                why = "unexpected end of data";
            else if (p[i + k] < (k == 1 ? lo : 0x80) || p[i + k] > (k == 1 ? hi : 0xBF))
                why = "invalid continuation byte";
            if (why) {
                if (k == 1)
                    epy_snprintf(out, outsize, "'utf-8' codec can't decode byte 0x%02x in position %u: %s", c,
                        (unsigned)i, why);
                else
                    epy_snprintf(out, outsize, "'utf-8' codec can't decode bytes in position %u-%u: %s",
                        (unsigned)i, (unsigned)(i + k - 1), why);
                return 1;
            }
        }
        i += need + 1;
    }
    return 0;
}

/* Offset of constant i's tag byte, found by walking the (already decoded) pool. */
EPY_COLD static uint32_t const_at(const Image *img, uint32_t i)
{
    uint32_t pos = img->consts;
    for (uint32_t k = 0; k < i; k++) {
        uint8_t tag = img->base[pos];
        pos += 1 + (tag == TAG_INT || tag == TAG_FLOAT ? 4u : tag == TAG_STR ? 2u + rd16(img->base + pos + 1) : 0u);
    }
    return pos;
}

/* Is constant i a str; write its text into the message if so. */
EPY_COLD static int name_ok(Verifier *v, uint32_t index, int print)
{
    if (index >= v->img->n_consts)
        return 0;
    uint32_t at = const_at(v->img, index);
    if (v->d[at] != TAG_STR)
        return 0;
    if (print)
        sink_put(&v->msg, (const char *)v->d + at + 3, rd16(v->d + at + 1));
    return 1;
}

/* Does the (str) name constant contain a NUL byte (names end up in C strings and file names). */
EPY_COLD static int name_has_nul(const Image *img, uint32_t index)
{
    uint32_t at = const_at(img, index);
    return memchr(img->base + at + 3, 0, rd16(img->base + at + 1)) != NULL;
}

/* Decode one function table entry. */
EPY_COLD void func_info(const Image *img, uint32_t i, FuncInfo *f)
{
    const uint8_t *p = img->base + img->funcs + EPY_FUNC_ENTRY_SIZE * i;
    f->name_const = rd16(p);
    f->n_params = p[2];
    f->n_locals = p[3];
    f->max_stack = rd16(p + 4);
    f->code_len = rd16(p + 6);
    f->code_offset = rd32(p + 8);
    f->line_start = rd32(p + 12);
    f->n_lines = rd16(p + 16);
}

/* Source line of pc in function fi (0 if unknown). */
EPY_COLD uint32_t line_of(const Image *img, uint32_t fi, uint32_t pc)
{
    FuncInfo f;
    func_info(img, fi, &f);
    uint32_t line = 0;
    for (uint32_t k = 0; k < f.n_lines; k++) {
        const uint8_t *e = img->base + img->lines + 4 * (f.line_start + k);
        if (rd16(e) > pc)
            break;
        line = rd16(e + 2);
    }
    return line;
}

/* "function i (name)" prefix. */
EPY_COLD static void where_fn(Verifier *v, uint32_t i, const FuncInfo *f)
{
    say(v, "function %u (", (unsigned)i);
    name_ok(v, f->name_const, 1);
    say(v, ")");
}

/* "function i (name) pc P NAME: " prefix. */
EPY_COLD static void where_ins(Verifier *v, uint32_t i, const FuncInfo *f, uint32_t pc, uint32_t op)
{
    where_fn(v, i, f);
    say(v, " pc %u %s: ", (unsigned)pc, epy_op_names[op]);
}

/* First operand of the instruction at code[pc]. */
EPY_COLD static uint32_t operand(const uint8_t *code, uint32_t pc)
{
    switch (op_fmt[code[pc]]) {
    case EPY_OPERAND_NONE: return 0;
    case EPY_OPERAND_U8: case EPY_OPERAND_U8U8: return code[pc + 1];
    case EPY_OPERAND_I16: return (uint32_t)(int32_t)(int16_t)rd16(code + pc + 1);
    default: return rd16(code + pc + 1); /* u16, addr */
    }
}

#define IS_START 1
#define KNOWN 2

/* Check one function (verify.py: verify() body for one function). */
EPY_COLD static int check_function(Verifier *v, uint32_t fi)
{
    Image *img = v->img;
    FuncInfo f;
    func_info(img, fi, &f);
    const uint8_t *code = img->base + img->code + f.code_offset;
    uint32_t end = f.code_len;
    if (name_has_nul(img, f.name_const)) {
        say(v, "function %u: its name contains a NUL character", (unsigned)fi);
        return 1;
    }
    if (f.max_stack > EPY_MAX_FRAME_STACK) {
        where_fn(v, fi, &f);
        say(v, ": max_stack %u exceeds %u", (unsigned)f.max_stack, EPY_MAX_FRAME_STACK);
        return 1;
    }
    /* scratch: flags[end], depth[end], work[end] (u16) */
    if ((uint64_t)end * 4u + 2u > v->scratch_size) {
        where_fn(v, fi, &f);
        say(v, ": %u bytes of code are too many to verify in core memory", (unsigned)end);
        return 1;
    }
    uint8_t *flags = v->scratch, *depth = v->scratch + end;
    uint16_t *work = (uint16_t *)(void *)(v->scratch + 2 * end + (2 * end & 1));
    memset(flags, 0, end);
    uint32_t pc = 0;
    while (pc < end) {
        uint32_t op = code[pc];
        if (op >= OP__COUNT) {
            where_fn(v, fi, &f);
            say(v, ": unknown opcode %u at pc %u", (unsigned)op, (unsigned)pc);
            return 1;
        }
        if (pc + op_len[op] > end) {
            where_fn(v, fi, &f);
            say(v, ": %s at pc %u is cut off by the end of the code", epy_op_names[op], (unsigned)pc);
            return 1;
        }
        flags[pc] = IS_START;
        pc += op_len[op];
    }
    for (pc = 0; pc < end; pc += op_len[code[pc]]) {
        uint32_t op = code[pc], arg = operand(code, pc);
        int bad = 1;
        if (op == OP_LOAD_CONST && arg >= img->n_consts) {
            where_ins(v, fi, &f, pc, op);
            say(v, "constant %u out of range (%u constants)", (unsigned)arg, (unsigned)img->n_consts);
        } else if ((op == OP_LOAD_LOCAL || op == OP_STORE_LOCAL || op == OP_DELETE_LOCAL) &&
                   arg >= f.n_locals) {
            where_ins(v, fi, &f, pc, op);
            say(v, "local %u out of range (%u locals)", (unsigned)arg, (unsigned)f.n_locals);
        } else if ((op == OP_LOAD_GLOBAL || op == OP_STORE_GLOBAL || op == OP_DELETE_GLOBAL) &&
                   arg >= img->n_globals) {
            where_ins(v, fi, &f, pc, op);
            say(v, "global %u out of range (%u globals)", (unsigned)arg, (unsigned)img->n_globals);
        } else if (op == OP_CALL && arg >= img->n_funcs) {
            where_ins(v, fi, &f, pc, op);
            say(v, "function %u out of range (%u)", (unsigned)arg, (unsigned)img->n_funcs);
        } else if (op == OP_CALL_BUILTIN && arg >= BI__COUNT) {
            where_ins(v, fi, &f, pc, op);
            say(v, "builtin %u out of range (%u)", (unsigned)arg, (unsigned)BI__COUNT);
        } else if (op == OP_CALL_BUILTIN && (code[pc + 2] < bi_min[arg] || code[pc + 2] > bi_max[arg])) {
            where_ins(v, fi, &f, pc, op);
            say(v, "%s takes %u..%u arguments, got %u", epy_builtin_names[arg], bi_min[arg],
                bi_max[arg], code[pc + 2]);
        } else if ((op == OP_RAISE || op == OP_BUILD_EXC || op == OP_CHECK_EXC)
                   && !(arg > 0 && arg <= EPY_RAISABLE_MAX)) {
            where_ins(v, fi, &f, pc, op);
            say(v, "%u is not a raisable error code", (unsigned)arg);
        } else if (op == OP_LOAD_ATTR && arg >= ATTR__COUNT) {
            where_ins(v, fi, &f, pc, op);
            say(v, "attribute %u out of range (%u)", (unsigned)arg, (unsigned)ATTR__COUNT);
        } else if (op == OP_FORMAT_VALUE && arg > 1) {
            where_ins(v, fi, &f, pc, op);
            say(v, "format flag %u is not 0 or 1", (unsigned)arg);
        } else if ((op_flow[op] & EPY_FLOW_TARGET) && (arg >= end || !(flags[arg] & IS_START))) {
            where_ins(v, fi, &f, pc, op);
            say(v, "jump target %u is not the start of an instruction", (unsigned)arg);
        } else {
            bad = 0;
        }
        if (bad)
            return 1;
    }
    /* abstract interpretation of stack depths, in the Python verifier's worklist order: from
     * the entry, then from each handler of the exception table in order (flow.py) */
    uint32_t nwork = 0, hk = 0, hfirst = 0, hcount = 0;
    uint32_t n_handlers = img_n_handlers(img), handlers = img_handlers(img);
    for (uint32_t i = 0; i < n_handlers; i++) {
        if (rd16(img->base + handlers + EPY_HANDLER_ENTRY_SIZE * i) == fi) {
            if (!hcount)
                hfirst = i;
            hcount++;
        }
    }
    flags[0] |= KNOWN;
    depth[0] = 0;
    work[nwork++] = 0;
    for (;;) {
    while (nwork) {
        pc = work[--nwork];
        uint32_t op = code[pc], arg = operand(code, pc), d = depth[pc];
        /* the table's counts, or what the operands give (epython/bytecode/flow.py) */
        uint32_t pops = (uint32_t)op_pops[op], pushes = (uint32_t)op_pushes[op];
        if (op_pops[op] == EPY_COUNT_CALLEE_PARAMS) {
            FuncInfo callee;
            func_info(img, arg, &callee);
            pops = callee.n_params;
        } else if (op_pops[op] == EPY_COUNT_SECOND_OPERAND) {
            pops = code[pc + 2];
        } else if (op_pops[op] == EPY_COUNT_OPERAND) {
            pops = arg;
        }
        if (op_pushes[op] == EPY_COUNT_OPERAND)
            pushes = arg;
        if (d < pops) {
            where_ins(v, fi, &f, pc, op);
            say(v, "stack underflow (needs %u, has %u)", (unsigned)pops, (unsigned)d);
            return 1;
        }
        uint32_t targets[2], depths[2], nt = 0;
        if (op_flow[op] & EPY_FLOW_TARGET) {
            if (d < op_bpops[op]) {
                where_ins(v, fi, &f, pc, op);
                say(v, "stack underflow on the branch");
                return 1;
            }
            targets[nt] = arg;
            depths[nt++] = d - op_bpops[op] + op_bpushes[op];
        }
        if (op_flow[op] & EPY_FLOW_FALLS_THROUGH) {
            targets[nt] = pc + op_len[op];
            depths[nt++] = d - pops + pushes;
        }
        for (uint32_t t = 0; t < nt; t++) {
            uint32_t to = targets[t], dd = depths[t];
            if (to >= end) {
                where_ins(v, fi, &f, pc, op);
                say(v, "control runs off the end of the function");
                return 1;
            }
            if (dd > f.max_stack) {
                where_ins(v, fi, &f, pc, op);
                say(v, "stack depth %u exceeds max_stack %u", (unsigned)dd, (unsigned)f.max_stack);
                return 1;
            }
            if (!(flags[to] & KNOWN)) {
                flags[to] |= KNOWN;
                depth[to] = (uint8_t)dd;
                work[nwork++] = (uint16_t)to;
            } else if (depth[to] != dd) {
                where_ins(v, fi, &f, pc, op);
                say(v, "stack depth %u at pc %u disagrees with %u on another path", (unsigned)dd,
                    (unsigned)to, (unsigned)depth[to]);
                return 1;
            }
        }
    }
    if (hk >= hcount)
        break;
    {
        const uint8_t *h = img->base + handlers + EPY_HANDLER_ENTRY_SIZE * (hfirst + hk);
        uint32_t hs = rd16(h + 2), he = rd16(h + 4), ht = rd16(h + 6), hd = rd16(h + 8);
        if (!(hs < he) || !(hs == end || (hs < end && (flags[hs] & IS_START))) ||
            !(he == end || (he < end && (flags[he] & IS_START)))) {
            where_fn(v, fi, &f);
            say(v, ": exception table entry %u: range [%u, %u) is empty or does not fall on "
                "instructions", (unsigned)hk, (unsigned)hs, (unsigned)he);
            return 1;
        }
        if (ht >= end || !(flags[ht] & IS_START)) {
            where_fn(v, fi, &f);
            say(v, ": exception table entry %u: handler %u is not the start of an instruction",
                (unsigned)hk, (unsigned)ht);
            return 1;
        }
        if (hd + 1 > f.max_stack) {
            where_ins(v, fi, &f, ht, code[ht]);
            say(v, "stack depth %u exceeds max_stack %u", (unsigned)(hd + 1),
                (unsigned)f.max_stack);
            return 1;
        }
        if (!(flags[ht] & KNOWN)) {
            flags[ht] |= KNOWN;
            depth[ht] = (uint8_t)(hd + 1);
            work[nwork++] = (uint16_t)ht;
        } else if (depth[ht] != hd + 1) {
            where_ins(v, fi, &f, ht, code[ht]);
            say(v, "stack depth %u at pc %u disagrees with %u on another path",
                (unsigned)(hd + 1), (unsigned)ht, (unsigned)depth[ht]);
            return 1;
        }
        hk++;
    }
    }
    for (hk = 0; hk < hcount; hk++) {
        const uint8_t *h = img->base + handlers + EPY_HANDLER_ENTRY_SIZE * (hfirst + hk);
        uint32_t hs = rd16(h + 2), he = rd16(h + 4), hd = rd16(h + 8);
        for (pc = hs; pc < he; pc += op_len[code[pc]]) {
            if (!(flags[pc] & KNOWN))
                continue;
            uint32_t op = code[pc], pops = (uint32_t)op_pops[op];
            if (op_pops[op] == EPY_COUNT_CALLEE_PARAMS) {
                FuncInfo callee;
                func_info(img, operand(code, pc), &callee);
                pops = callee.n_params;
            } else if (op_pops[op] == EPY_COUNT_SECOND_OPERAND) {
                pops = code[pc + 2];
            } else if (op_pops[op] == EPY_COUNT_OPERAND) {
                pops = operand(code, pc);
            }
            if ((int32_t)depth[pc] - (int32_t)pops < (int32_t)hd) {
                where_ins(v, fi, &f, pc, op);
                say(v, "exception table entry %u: the stack is shallower than the handler's "
                    "depth %u", (unsigned)hk, (unsigned)hd);
                return 1;
            }
        }
    }
    uint32_t last = 0;
    for (uint32_t k = 0; k < f.n_lines; k++) {
        uint32_t lpc = rd16(img->base + img->lines + 4 * (f.line_start + k));
        if (lpc >= end || !(flags[lpc] & IS_START) || lpc < last) {
            where_fn(v, fi, &f);
            say(v, ": line entry for pc %u is not an instruction in order", (unsigned)lpc);
            return 1;
        }
        last = lpc;
    }
    return 0;
}

/* Decode the image structure (image.py decode) and verify every function (verify.py). */
EPY_COLD int verify_image(const uint8_t *data, uint32_t size, Image *img, char *msg, uint32_t msgsize,
                 uint8_t *scratch, uint32_t scratch_size)
{
    Verifier v;
    v.d = data;
    v.size = size;
    v.pos = 0;
    v.msg.vm = NULL;
    v.msg.buf = msg;
    v.msg.len = 0;
    v.msg.out = 0;
    v.msg.limited = 0;
    v.msg.maxcp = 0;
    v.msg.cps = 0;
    v.msg.cap = msgsize - 1;
    v.img = img;
    v.scratch = scratch;
    v.scratch_size = scratch_size;
    memset(img, 0, sizeof *img);
    img->base = data;
    img->size = size;
    int bad = 1;
    uint32_t i, last_fn;
    if (take(&v, EPY_HEADER_SIZE, "header", 0))
        goto out;
    if (memcmp(data, EPY_IMAGE_MAGIC, 4) != 0) {
        say(&v, "bad magic ");
        repr_bytes(&v.msg, data, 4, 1);
        say(&v, ": not an epython program image (expected b'EPYB')");
        goto out;
    }
    if (rd16(data + 4) != EPY_FORMAT_VERSION) {
        say(&v, "image format version %u, this interpreter reads %u", rd16(data + 4),
            EPY_FORMAT_VERSION);
        goto out;
    }
    img->n_consts = rd16(data + 8);
    img->n_globals = rd16(data + 10);
    img->n_funcs = rd16(data + 12);
    img->entry = rd16(data + 14);
    img->code_size = rd32(data + 16);
    img->n_lines = rd32(data + 20);
    img->consts = v.pos;
    for (i = 0; i < img->n_consts; i++) {
        if (take(&v, 1, "tag of constant %ld", (long)i))
            goto out;
        uint8_t tag = data[v.pos - 1];
        if (tag == TAG_NONE || tag == TAG_TRUE || tag == TAG_FALSE)
            continue;
        if (tag == TAG_INT || tag == TAG_FLOAT) {
            if (take(&v, 4, "constant %ld", (long)i))
                goto out;
        } else if (tag == TAG_STR) {
            if (take(&v, 2, "length of constant %ld", (long)i))
                goto out;
            uint32_t n = rd16(data + v.pos - 2);
            if (take(&v, n, "string constant %ld", (long)i))
                goto out;
            char tail[160];
            if (utf8_error(tail, sizeof tail, data + v.pos - n, n)) {
                say(&v, "string constant %u is not valid UTF-8: %s", (unsigned)i, tail);
                goto out;
            }
        } else {
            say(&v, "constant %u has unknown tag %u", (unsigned)i, tag);
            goto out;
        }
    }
    img->globals = v.pos;
    for (i = 0; i < img->n_globals; i++) {
        if (take(&v, EPY_GLOBAL_ENTRY_SIZE, "global %ld", (long)i))
            goto out;
        uint32_t name = rd16(data + v.pos - 4), init = rd16(data + v.pos - 2);
        if (init != EPY_NO_INIT && init >= img->n_consts) {
            say(&v, "global %u: initial constant %u out of range (%u constants)", (unsigned)i,
                (unsigned)init, (unsigned)img->n_consts);
            goto out;
        }
        if (!name_ok(&v, name, 0)) {
            say(&v, "global %u: name constant %u is not a string constant", (unsigned)i,
                (unsigned)name);
            goto out;
        }
    }
    img->funcs = v.pos;
    for (i = 0; i < img->n_funcs; i++)
        if (take(&v, EPY_FUNC_ENTRY_SIZE, "function %ld", (long)i))
            goto out;
    img->code = v.pos;
    if (take(&v, img->code_size, "code section", 0))
        goto out;
    img->lines = v.pos;
    if (take(&v, (uint64_t)EPY_LINE_ENTRY_SIZE * img->n_lines, "line table", 0))
        goto out;
    if (rd16(data + 6) & EPY_FLAG_HANDLERS) {
        if (take(&v, 2, "exception table count", 0))
            goto out;
        uint32_t n_handlers = rd16(data + v.pos - 2);
        for (i = 0; i < n_handlers; i++)
            if (take(&v, EPY_HANDLER_ENTRY_SIZE, "exception table entry %ld", (long)i))
                goto out;
    }
    if (v.pos != size) {
        say(&v, "%u trailing bytes after the line table", (unsigned)(size - v.pos));
        goto out;
    }
    if (img->n_funcs == 0) {
        say(&v, "image has no functions");
        goto out;
    }
    if (img->entry >= img->n_funcs) {
        say(&v, "entry function %u out of range (%u functions)", (unsigned)img->entry,
            (unsigned)img->n_funcs);
        goto out;
    }
    for (i = 0; i < img->n_funcs; i++) {
        FuncInfo f;
        func_info(img, i, &f);
        if ((uint64_t)f.code_offset + f.code_len > img->code_size || f.code_len == 0) {
            say(&v, "function %u: code [%u, %llu) outside the code section of %u bytes or empty",
                (unsigned)i, (unsigned)f.code_offset,
                (unsigned long long)f.code_offset + f.code_len, (unsigned)img->code_size);
            goto out;
        }
        if ((uint64_t)f.line_start + f.n_lines > img->n_lines) {
            say(&v, "function %u: line entries [%u, %llu) outside the table of %u", (unsigned)i,
                (unsigned)f.line_start, (unsigned long long)f.line_start + f.n_lines,
                (unsigned)img->n_lines);
            goto out;
        }
        if (f.n_params > f.n_locals) {
            say(&v, "function %u: %u parameters but only %u locals", (unsigned)i,
                (unsigned)f.n_params, (unsigned)f.n_locals);
            goto out;
        }
        if (!name_ok(&v, f.name_const, 0)) {
            say(&v, "function %u: name constant %u is not a string constant", (unsigned)i,
                (unsigned)f.name_const);
            goto out;
        }
    }
    for (i = 0, last_fn = 0; i < img_n_handlers(img); i++) {
        uint32_t k = rd16(data + img_handlers(img) + EPY_HANDLER_ENTRY_SIZE * i);
        if (k >= img->n_funcs || k < last_fn) {
            say(&v, "exception table entry %u: function %u out of range or out of order",
                (unsigned)i, (unsigned)k);
            goto out;
        }
        last_fn = k;
    }
    for (i = 0; i < img->n_globals; i++) {
        if (name_has_nul(img, rd16(data + img->globals + 4 * i))) {
            say(&v, "global %u: its name contains a NUL character", (unsigned)i);
            goto out;
        }
    }
    for (i = 0; i < img->n_funcs; i++)
        if (check_function(&v, i))
            goto out;
    bad = 0;
out:
    msg[v.msg.len < msgsize ? v.msg.len : msgsize - 1] = 0;
    return bad;
}
