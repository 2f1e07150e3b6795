/* vm.h: the interpreter context of one core and the internal interface between the modules
 * (heap, str, seq, array, iter, arith, float, format, builtins, verify, marshal, interp, comm,
 * runtime).  All state lives in a VM: the host build runs several cores in one process. */
#ifndef EPY_VM_H
#define EPY_VM_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "opcodes.h"
#include "port.h"
#include "value.h"

/* Where an image's sections start (offsets into the image), after verification. */
typedef struct Image {
    const uint8_t *base;
    uint32_t size;
    uint32_t n_consts, n_globals, n_funcs, entry, code_size, n_lines;
    uint32_t consts, globals, funcs, code, lines;
} Image;

/* The exception table (only when the header's flags have EPY_FLAG_HANDLERS) follows the line
 * table: a u16 count, then EPY_HANDLER_ENTRY_SIZE-byte entries (derived, not stored: the
 * Image lives in the resident core's stack). */
static inline uint32_t img_n_handlers(const Image *img)
{
    if (!(rd16(img->base + 6) & EPY_FLAG_HANDLERS))
        return 0;
    return rd16(img->base + img->lines + EPY_LINE_ENTRY_SIZE * img->n_lines);
}
/* Offset of the exception table's first entry. */
static inline uint32_t img_handlers(const Image *img)
{
    return img->lines + EPY_LINE_ENTRY_SIZE * img->n_lines + 2;
}

/* One function table entry, decoded (EPY_FUNC_INFO_BYTES: the memory model charges it). */
typedef struct FuncInfo {
    uint32_t name_const, n_params, n_locals, max_stack, code_len, code_offset, line_start, n_lines;
} FuncInfo;
_Static_assert(sizeof(FuncInfo) == EPY_FUNC_INFO_BYTES, "memory.FUNC_INFO_BYTES");

/* A call frame as stored at the top of the workspace (16-byte header, then the slots). */
typedef struct Frame {
    uint16_t func;
    uint16_t pc;       /* return pc of a suspended frame */
    uint16_t depth;    /* value-stack depth of a suspended frame */
    uint16_t n_locals;
    uint32_t prev;     /* arena offset of the caller's frame, or EPY_NO_FRAME */
    uint32_t nslots;   /* n_locals + max_stack */
} Frame;

#define EPY_NO_FRAME 0xFFFFFFFFu
#define EPY_MAX_TROOTS 64
#define EPY_STASH 8
#define EPY_MSG_BYTES 256

typedef struct VM VM;

/* Sink for text: counts, fills a buffer, or streams to the core's output. */
typedef struct Sink {
    VM *vm;
    char *buf;     /* NULL: count only (or stream when out is set) */
    uint32_t len;  /* bytes written */
    int out;       /* nonzero: stream to epy_emit */
    int limited;   /* nonzero: keep only the first maxcp code points */
    uint32_t maxcp, cps;
    uint32_t cap;  /* nonzero: at most cap bytes go into buf */
} Sink;

struct VM {
    uint8_t *local;          /* base of local memory (static strings and arrays live there) */
    Image img;
    Value *consts;           /* the constant pool as values (strs refer to the image) */
    Value *globals;
    FuncInfo *funcs;         /* the function table, decoded once per launch */

    /* the workspace: heap objects grow up from heap_base, frames down from arena_end */
    uint8_t *arena;
    uint32_t heap_base, top, frame_low, arena_end;
    uint32_t workspace;      /* W of the memory model */
    uint32_t live;           /* model bytes of charged live objects */
    uint32_t frames_bytes;   /* model bytes of frames in use */
    uint32_t peak;
    uint32_t free_list;      /* objects waiting to be freed (iterative decref), fwd-linked */

    /* execution state */
    uint32_t frame;          /* arena offset of the current frame */
    uint32_t depth;          /* frames in use */
    uint32_t func;
    uint32_t pc;             /* pc of the executing instruction */
    const uint8_t *code;
    Value *locals, *stack, *sp;
    Value *troots[EPY_MAX_TROOTS];
    uint32_t ntroots;
    uint32_t instructions;
    uint32_t poll_at;        /* instruction count of the next heartbeat/poll */
    uint32_t no_line;        /* nonzero: report line 0 for the next error */

    /* errors */
    epy_jmp_buf *on_error;
    uint32_t err_code, err_func, err_line;
    char err_msg[EPY_MSG_BYTES];
    Value err_value;         /* a KeyError's key (a reference): the exception object's arg */

    /* launch */
    uint32_t rank, ncores, chip_cores, core_index;
    uint32_t rng;            /* the state of random's generator (random.c) */
    uint8_t cores[64];       /* chip core index of each rank */
    uint16_t send_seq[64];   /* messages sent to each chip core this launch (12 bits travel) */
    uint16_t recv_seq[64];   /* messages taken from each chip core this launch */
    volatile uint8_t *mailbox; /* this core's host mailbox in DRAM */
    uint32_t epoch;          /* launch id shared by the cores of a launch (the command) */
    uint32_t nstash;         /* messages taken out of a slot before their recv */
    Value stash[EPY_STASH];  /* their bytes (uncharged strs) */
    uint8_t stash_src[EPY_STASH], stash_chan[EPY_STASH];
    uint32_t out_head;
    int abandoned;           /* plat_poll() asked to stop */
};

/* ---- random.c ---- */
/* Start this core's generator as a launch does. */
void rng_reset(VM *vm);
/* The builtin random.<id> (BI_RANDOM_*) on n arguments; a new reference. */
Value bi_random(VM *vm, uint32_t id, Value *args, uint32_t n);

/* ---- names.c (generated from the opcode table) ---- */
/* Name of each opcode and builtin, for messages. */
extern const char *const epy_op_names[OP__COUNT];
extern const char *const epy_builtin_names[BI__COUNT];

/* ---- errors (interp.c) ---- */
/* Raise a kernel error: records code and message and longjmps to vm->on_error. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 3, 4)))
#endif
void epy_raise(VM *vm, uint32_t code, const char *fmt, ...);
/* Raise a kernel error whose message is already in vm->err_msg (as epy_raise). */
EPY_NORETURN void epy_raise_written(VM *vm, uint32_t code);
/* Bits of vm->no_line beside bit 0 (report line 0): how the error in flight is held for a
 * handler (interp.c, epy_catch). */
#define EPY_EXC_ON_STACK 2u /* RAISE_VALUE: the exception object is the stack's top */
#define EPY_MSG_ON_STACK 4u /* RAISE: its message value is the stack's top */
#define EPY_NO_CATCH 8u     /* making a caught exception's object failed: not catchable */
/* A new exception object of class code whose n args are the top n values of vm->sp (taken
 * off the stack: their references move into it). */
Value exc_new(VM *vm, uint32_t code, uint32_t n);
/* After an error: when a handler of the exception table covers it, unwind to that handler
 * (frames left, stack truncated, the exception object pushed) and return 1 for interp_run to
 * go on; 0 leaves the error to the host. */
int epy_catch(VM *vm);
/* CPython's name of a value's type (iterators: their class names). */
const char *epy_type_name(VM *vm, Value v);
#define type_name(v) epy_type_name(vm, (v))

/* ---- heap.c ---- */
/* Set up the workspace of a launch inside [arena, arena + bytes); W is the model limit. */
void heap_init(VM *vm, uint8_t *arena, uint32_t bytes, uint32_t workspace);
/* Reserve `prefix` bytes at the bottom of the arena (tables that are not part of the model). */
void *heap_prefix(VM *vm, uint32_t bytes);
/* Allocate a heap object of `size` bytes (model = real), charging it unless `free_obj`;
 * MemoryError when live + frames + size > W. Returns its arena offset; may compact. */
uint32_t heap_alloc(VM *vm, uint8_t type, uint32_t size, uint16_t len, int free_obj);
/* Pointer to the object at arena offset off (invalidated by the next allocation). */
EPY_INLINE ObjHdr *obj(VM *vm, uint32_t off) { return (ObjHdr *)(void *)(vm->arena + off); }
/* The arg count of an exception object. */
EPY_INLINE uint32_t exc_len(VM *vm, Value v) { return obj(vm, v.u)->len - EXC_INFO_SLOTS; }
/* Its args (then its two info slots). */
EPY_INLINE Value *exc_args(VM *vm, Value v) { return (Value *)(void *)(obj(vm, v.u) + 1); }
/* Its class. */
EPY_INLINE uint32_t exc_code(VM *vm, Value v) { return exc_args(vm, v)[exc_len(vm, v)].u & 0xFFu; }
/* Take a reference. */
EPY_INLINE void incref(VM *vm, Value v) { if (IS_HEAP(v)) obj(vm, v.u)->rc++; }
/* Drop a reference to a heap object, freeing it (and what it owns) when it was the last one. */
void decref_obj(VM *vm, Value v);
/* Free the object at off, whose count has just dropped to zero (and what it owns). */
void heap_release(VM *vm, uint32_t off);
/* Drop a reference, freeing the object (and what it owns) when it was the last one. */
EPY_INLINE void decref(VM *vm, Value v) { if (IS_HEAP(v)) decref_obj(vm, v); }
/* Grow list `*lst` by one slot (real and model), keeping its items; may move it. */
void heap_list_grow(VM *vm, Value *lst);
/* Shrink list by one slot (the caller has taken the last item out). */
void heap_list_shrink(VM *vm, Value lst);
/* heap_push_frame when the frame does not fit at once (compaction, RecursionError). */
uint32_t heap_push_frame_slow(VM *vm, uint32_t nslots, uint32_t model_bytes);
/* Push a frame of nslots value slots (RecursionError when it does not fit); returns its
 * offset. */
EPY_INLINE uint32_t heap_push_frame(VM *vm, uint32_t nslots, uint32_t model_bytes)
{
    uint32_t real = EPY_FRAME_BYTES(nslots);
    if (EPY_GC_STRESS || vm->live + vm->frames_bytes + model_bytes > vm->workspace ||
        vm->frame_low - vm->top < real)
        return heap_push_frame_slow(vm, nslots, model_bytes);
    vm->frame_low -= real;
    vm->frames_bytes += model_bytes;
    if (vm->live + vm->frames_bytes > vm->peak)
        vm->peak = vm->live + vm->frames_bytes;
    return vm->frame_low;
}
/* Pop the current frame's memory. */
EPY_INLINE void heap_pop_frame(VM *vm, uint32_t nslots, uint32_t model_bytes)
{
    vm->frame_low += EPY_FRAME_BYTES(nslots);
    vm->frames_bytes -= model_bytes;
}
/* Borrow n bytes below the frames that never move (uncharged; MemoryError if no room). */
uint8_t *heap_scratch(VM *vm, uint32_t n);
/* Give back the last heap_scratch(n). */
void heap_scratch_release(VM *vm, uint32_t n);
/* Register/unregister a C variable holding a Value as a root across allocations. */
static inline void troot_push(VM *vm, Value *p) { vm->troots[vm->ntroots++] = p; }
/* Unregister the last n temporary roots. */
static inline void troot_pop(VM *vm, uint32_t n) { vm->ntroots -= n; }
/* Model bytes of an object (0 for immediates, static strings and arrays). */
uint32_t model_bytes(VM *vm, Value v);

/* ---- str.c ---- */
/* Bytes and length of a str value (static or heap). */
const uint8_t *str_data(VM *vm, Value v, uint32_t *len);
/* New heap str of n bytes (contents uninitialised); returns the value. */
Value str_new(VM *vm, uint32_t n);
/* Writable bytes of a heap str (valid until the next allocation). */
static inline uint8_t *str_bytes(VM *vm, Value v) { return vm->arena + v.u + 8; }
/* New str copied from bytes that are not in the arena. */
Value str_from(VM *vm, const char *s, uint32_t n);
/* a + b for strs; returns a new reference. */
Value str_concat(VM *vm, Value a, Value b);
/* s * n; returns a new reference. */
Value str_repeat(VM *vm, Value s, int32_t n);
/* Byte equality / ordering of two strs (<0, 0, >0). */
int str_cmp(VM *vm, Value a, Value b);
/* needle in hay. */
int str_contains(VM *vm, Value hay, Value needle);
/* Number of code points. */
uint32_t str_chars(VM *vm, Value s);
/* s[i] as a new one-character str (i already normalised). */
Value str_char_at(VM *vm, Value s, uint32_t i);
/* s[lo:hi:step] in code points; returns a new reference. */
Value str_slice(VM *vm, Value s, int32_t start, int32_t count, int32_t step, uint32_t nchars);
/* The str methods (BI_STR_*, list.index and list.count of a str); a new reference. */
Value str_method(VM *vm, uint32_t id, Value *args, uint32_t n);
/* Is a value a str. */
static inline int is_str(Value v) { return v.tag == V_STR || v.tag == V_SSTR; }

/* ---- seq.c: tuples and lists ---- */
/* Items of a tuple or list (valid until the next allocation). */
static inline Value *seq_items(VM *vm, Value v) { return (Value *)(void *)(vm->arena + v.u + 8); }
/* Items of a tuple or list. */
static inline uint32_t seq_len(VM *vm, Value v) { return obj(vm, v.u)->len; }
/* New tuple/list of n items, all None; a new reference. */
Value seq_new(VM *vm, uint32_t tag, uint32_t n);
/* New tuple/list from n values (takes references to them). */
Value seq_from(VM *vm, uint32_t tag, const Value *items, uint32_t n);
/* a + b (same kind); new reference. */
Value seq_concat(VM *vm, Value a, Value b);
/* s * n; new reference. */
Value seq_repeat(VM *vm, Value s, int32_t n);
/* s[lo:hi:step]; new reference. */
Value seq_slice(VM *vm, Value s, int32_t start, int32_t count, int32_t step);
/* list.append(v). */
void list_append(VM *vm, Value *lst, Value v);
/* list.sort(lst[, keys, reverse]) (keys None: the items are the keys). */
Value list_sort(VM *vm, Value *args, uint32_t n);
/* list.pop(i); returns the item (a reference). */
Value list_pop(VM *vm, Value lst, Value *index);

/* ---- array.c ---- */
/* dtype (0 int32, 1 float32, 2 bool), ndim, shape and data of an array or row value. */
typedef struct ArrayRef {
    uint32_t dtype, ndim, shape0, shape1;
    uint8_t *data;   /* first element of this view */
    Value base;      /* the array (V_ARRAY, V_SARRAY or V_HARRAY) a row belongs to, or itself */
    uint32_t first;  /* flat index of the view's first element */
} ArrayRef;
/* Describe an array (argument, received copy) or a row view. */
void array_ref(VM *vm, Value v, ArrayRef *a);
/* Element i of a 1-D view as a value. */
Value array_get_flat(const ArrayRef *a, uint32_t i);
/* a[index] (index an int or a tuple); new reference. */
Value array_subscr(VM *vm, Value arr, Value index);
/* a[i] of a 1-D view for an int i in range into *out (returns 1), else 0. */
int array_get_int(VM *vm, Value v, int32_t i, Value *out);
/* a[index] = v. */
void array_store(VM *vm, Value arr, Value index, Value v);
/* Number of items of the first axis. */
uint32_t array_len(VM *vm, Value arr);
/* Item i of the first axis (an element or a new row view). */
Value array_item(VM *vm, Value arr, uint32_t i);
/* Bytes of a marshalled array starting at p (header and data), 0 if malformed within max. */
uint32_t array_wire_size(const uint8_t *p, uint32_t max);
/* Bytes of a shared() array's descriptor at p, 0 if malformed within max bytes or if its data
 * would lie outside shared DRAM's window. */
uint32_t shared_wire_size(const uint8_t *p, uint32_t max);

/* ---- iter.c ---- */
/* iter(v): a new iterator reference (TypeError if not iterable). */
Value iter_new(VM *vm, Value v);
/* Next item of an iterator into *out (a new reference); 0 when exhausted. */
int iter_next(VM *vm, Value *it, Value *out);
/* Next item of a sequence (at *pos) or an iterator; 0 when exhausted. */
int source_next(VM *vm, Value src, uint32_t *pos, Value *out);
/* range(...) from 1..3 int args. */
Value range_new(VM *vm, const Value *args, uint32_t n);
/* Length of a range. */
uint32_t range_len(VM *vm, Value r);
/* list.extend/insert/remove/index/count/reverse (BI_LIST_*; args[0] a list; n arguments). */
Value list_method(VM *vm, uint32_t id, Value *args, uint32_t n);
/* list += other / list *= n in place (*lst, *other: VM stack slots). */
void list_inplace(VM *vm, uint32_t op, Value *lst, Value *other);
/* r[lo:hi:step] given the slice's indices into r (OverflowError past int32). */
Value range_slice(VM *vm, Value r, int32_t lo, int32_t hi, int32_t step);
/* item in the range r. */
int range_contains(VM *vm, Value r, Value item);
/* enumerate(seq, start) / zip(a, b). */
Value enumerate_new(VM *vm, Value seq, Value start);
/* zip(a, b). */
Value zip_new(VM *vm, Value a, Value b);
/* Number of items and item i of a sequence-like value (str, tuple, list, range, array). */
int seq_like(Value v);
/* Length of a sequence-like value. */
uint32_t generic_len(VM *vm, Value v);
/* Item i of a sequence-like value (a new reference). */
Value generic_item(VM *vm, Value v, uint32_t i);

/* ---- arith.c / float.c ---- */
/* OverflowError naming the exact integer result. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void int_overflow(VM *vm, int64_t v);
/* a <op> b for BINARY_*; a new reference (operands rooted by the caller). */
Value binary_op(VM *vm, int op, Value a, Value b);
/* -a, +a, not a, ~a. */
Value unary_op(VM *vm, int op, Value a);
/* Python truthiness (ValueError for arrays of several elements). */
int truth(VM *vm, Value v);
/* a == b (TypeError for arrays). */
int values_eq(VM *vm, Value a, Value b);
/* a < b etc. for COMPARE_LT..GE (op is the opcode); raises TypeError. */
int compare_order(VM *vm, int op, Value a, Value b);
/* item in container. */
int contains(VM *vm, Value container, Value item);
/* int, bool or float. */
int is_num(Value v);
/* Order of two numbers, exact as in CPython (an int32 and a binary32 are compared without
 * rounding either): 1 a < b, 2 a == b, 4 a > b, 0 unordered (a nan). */
uint32_t num_order(Value a, Value b);
/* x <op> y for binary32 operands. */
Value float_binary(VM *vm, int op, float x, float y);
/* x <op> y (+ - * /) in software, IEEE even where the FPU flushes subnormals. */
float float_arith_soft(int op, float x, float y);
/* a ** b for ints, b >= 0. */
Value int_pow(VM *vm, int32_t a, int32_t b);
/* a ** b for floats. */
Value float_pow(VM *vm, float a, float b);
/* int(x) for a float with CPython's errors. */
int32_t float_to_int(VM *vm, float x);

/* ---- dict.c: dicts and their views (value.h: V_DICT, V_DVIEW) ---- */
/* CPython's class name of a dict view of kind 0..2 (dict_keys, dict_values, dict_items). */
const char *dict_view_name(uint32_t kind);
/* TypeError unless k can be a dict key (unhashable: a list, dict, view or array, or a tuple
 * holding one). */
void dict_check_key(VM *vm, Value k);
/* The slot index of key k in dict d, or -1 (TypeError for an unhashable k). */
int32_t dict_find(VM *vm, Value d, Value k);
/* d[k] as a new reference (KeyError when absent). */
Value dict_subscr(VM *vm, Value d, Value k);
/* d[k] = v; *d is rooted (the dict may move as it grows); k and v are borrowed. */
void dict_store(VM *vm, Value *d, Value k, Value v);
/* Entries of a dict, or of the dict of a view. */
uint32_t dict_len(VM *vm, Value v);
/* Item i of iterating a dict (its key) or a view, as a new reference. */
Value dict_item(VM *vm, Value v, uint32_t i);
/* RuntimeError when the dict an iterator walks no longer has its first size (aux - 1). */
void dict_check_size(VM *vm, Value src, uint32_t aux);
/* item in v for a dict or a view. */
int dict_contains(VM *vm, Value v, Value item);
/* The dict builtins (BI_DICT..BI_DEL, and BI_LIST_POP/BI_LIST_COPY of a dict); a new
 * reference. */
Value dict_builtin(VM *vm, uint32_t id, Value *args, uint32_t n);
/* Remove the entry at slot i of dict d. */
void dict_remove_at(VM *vm, Value d, uint32_t i);
/* KeyError(k): of a key the caller keeps, or of one whose rooted reference it takes over. */
EPY_NORETURN void dict_key_error(VM *vm, Value k);
EPY_NORETURN void dict_key_error_owned(VM *vm, Value k);

/* ---- set.c: sets (value.h: V_SET) ---- */
/* a <op> b for two sets and | & - ^ (a new set), else V_UNSET. */
Value set_binary(VM *vm, int op, Value a, Value b);
/* a < b, <=, >, >= for two sets. */
int set_compare(VM *vm, int op, Value a, Value b);
/* Is builtin id a list or dict method that a set receiver turns into its own. */
int set_shared(uint32_t id);
/* The set builtins; a new reference. */
Value set_builtin(VM *vm, uint32_t id, Value *args, uint32_t n);

/* ---- format.c ---- */
/* Append bytes to a sink. */
void sink_put(Sink *s, const char *p, uint32_t n);
/* Append a C string to a sink. */
void sink_str(Sink *s, const char *p);
/* Shortest repr of a binary32 in CPython style; returns length (buf >= 32 bytes). */
int float_repr(float x, char *buf);
/* str(v) / repr(v) into a sink. */
void write_str(VM *vm, Sink *s, Value v);
/* repr(v) into a sink. */
void write_repr(VM *vm, Sink *s, Value v);
/* str(v) as a value (v itself for a str). */
Value value_str(VM *vm, Value v);
/* hex/oct/bin of an int (code 'x', 'o', 'b'). */
Value value_radix(VM *vm, Value v, char code);
/* format(v, spec) for f-strings (conv 1: repr first). */
Value value_format(VM *vm, Value v, Value spec, int conv);
/* CPython repr of bytes as a str literal / bytes literal into buf. */
void repr_bytes(Sink *s, const uint8_t *p, uint32_t n, int as_bytes);

/* ---- builtins.c ---- */
/* Call builtin id on n borrowed arguments; a new reference. */
Value call_builtin(VM *vm, uint32_t id, Value *args, uint32_t n);

/* ---- verify.c ---- */
/* Check image bytes; on failure write a message into msg and return nonzero. */
int verify_image(const uint8_t *data, uint32_t size, Image *img, char *msg, uint32_t msgsize,
                 uint8_t *scratch, uint32_t scratch_size);
/* Decode entry i of the function table. */
void func_info(const Image *img, uint32_t i, FuncInfo *f);
/* Source line of pc in function f. */
uint32_t line_of(const Image *img, uint32_t f, uint32_t pc);

/* ---- marshal.c ---- */
/* Decode a received message into new (charged) objects; returns bytes used, 0 if bad. */
uint32_t marshal_decode_copy(VM *vm, const uint8_t *p, uint32_t n, Value *out);
/* Decode one value at p (arrays and strs are referenced in place); returns bytes used, 0 if bad. */
uint32_t marshal_decode(VM *vm, const uint8_t *p, uint32_t n, Value *out);
/* Encode v into buf of cap bytes; returns bytes, or raises TypeError if it cannot travel;
 * returns cap + 1 when it does not fit. */
uint32_t marshal_encode(VM *vm, Value v, uint8_t *buf, uint32_t cap, const char *what,
                        int sets);
/* Device-resident values after the arguments (runtime.c): u8 count, count x (u16 global index,
 * marshalled value); returns the bytes used. */
uint32_t load_resident(VM *vm, const uint8_t *p, uint32_t n);

/* ---- interp.c ---- */
/* Run the entry function on an argument block (u8 count + marshalled values); returns the
 * result reference.  Errors longjmp to vm->on_error. */
Value interp_run_block(VM *vm, const uint8_t *args, uint32_t args_len);
/* The dispatch loop over the current frame until the entry function returns. */
Value interp_run(VM *vm, Value *unused_args, uint32_t unused_n);

/* ---- comm.c ---- */
/* parallel.* builtins that talk to other cores. */
Value comm_builtin(VM *vm, uint32_t id, Value *args);

/* ---- runtime.c ---- */
/* Stream printed text to the host. */
void epy_emit(VM *vm, const char *p, uint32_t n);
/* Record what a core waits for (0 none, 1 recv, 2 barrier, 3 send) and poll; raises a
 * RuntimeError when the launch is abandoned. */
void epy_wait(VM *vm, uint32_t kind, uint32_t peer);
/* Bump the heartbeat and poll (abandons the launch when told to). */
void epy_heartbeat(VM *vm);

#endif /* EPY_VM_H */
