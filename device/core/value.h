/* value.h: tagged 8-byte values and the layout of heap objects (docs: the memory model).
 *
 * A Value is {tag, payload}.  Immediates (None, bool, int32, float32) carry their payload;
 * heap objects carry their byte offset in the core's arena; strings of the program image carry
 * the offset (from the local memory base) of their u16 length.  Heap objects start with an
 * 8-byte header; their real size equals their model size, so the accounting limit is always
 * reachable after a compaction. */
#ifndef EPY_VALUE_H
#define EPY_VALUE_H

#include <stdint.h>
#include <string.h>

#include "memlayout.h"

typedef struct Value {
    uint32_t tag;
    uint32_t u;
} Value;

enum vtag {
    V_UNSET = 0, /* an unassigned local or global */
    V_NONE,
    V_BOOL,  /* u: 0 or 1 */
    V_INT,   /* u: int32 bits */
    V_FLOAT, /* u: binary32 bits */
    V_SSTR,  /* u: local-memory offset of a u16 length + UTF-8 bytes (image or argument area) */
    V_ARRAY, /* u: local-memory offset of a marshalled array (dtype byte) in the argument area */
    V_SARRAY, /* u: local-memory offset of a shared() array's descriptor (its data in DRAM) */
    /* heap objects (u: arena offset); keep these last: is_heap() relies on the order */
    V_STR,
    V_TUPLE,
    V_LIST,
    V_DICT, /* a dict: laid out as a list of 2 * entries slots, key and value (dict.c) */
    V_RANGE,
    V_ITER,   /* iterator over a sequence, enumerate or zip */
    V_HARRAY, /* an array received from another core (heap copy, wire layout after the header) */
    V_EXC,    /* an exception object (a V_TUPLE object in the heap: see EXC_INFO_SLOTS) */
    V_ROW,    /* a row of a 2-D array */
    V_DVIEW,  /* d.keys(), d.values() or d.items() (DViewObj); V_ROW and V_DVIEW are the last
               * object types of heap headers (heap.c) */
    V_SET     /* a set: in the heap a dict (header type V_DICT) whose values are None (set.c) */
};

#define IS_ARRAY(v) ((v).tag == V_ARRAY || (v).tag == V_ROW || (v).tag == V_HARRAY || \
                     (v).tag == V_SARRAY)

#define IS_HEAP(v) ((v).tag >= V_STR)

/* Heap object header (8 bytes).  rc counts owning references; fwd is used by compaction and
 * by the iterative freeing list. */
typedef struct ObjHdr {
    uint8_t type;  /* enum vtag of the object, or OBJ_HOLE for freed space */
    uint8_t flags; /* OF_FREE: an argument object (never charged) */
    uint16_t rc;
    uint16_t len;  /* items of a tuple/list, bytes of a str, size of a hole */
    uint16_t fwd;  /* new offset / 4 during compaction */
} ObjHdr;

#define OBJ_HOLE 0xFF
#define OBJ_HOLE4 0xFE /* a 4-byte hole (no room for a header) */
#define OF_FREE 1
/* An iterator's flags above OF_FREE: how many iterators it is made of (iter.c). */
#define ITER_DEPTH_SHIFT 1
#define ITER_DEPTH(h) ((uint32_t)(h)->flags >> ITER_DEPTH_SHIFT)

/* Range object (EPY_SMALL_OBJECT_BYTES).  len (its item count, computed once) keeps the iteration in 32-bit
 * arithmetic: item i < len is start + i * step, which fits int32. */
typedef struct RangeObj {
    ObjHdr h;
    int32_t start, stop, step;
    uint32_t len;
} RangeObj;

/* Item i (< len) of a range. */
static inline int32_t range_item(const RangeObj *r, uint32_t i)
{
    return (int32_t)((uint32_t)r->start + i * (uint32_t)r->step);
}

/* Iterator object (EPY_SMALL_OBJECT_BYTES).  Kind in h.len: IT_SEQ (over src), IT_ENUM (enumerate src,
 * aux = start), IT_ZIP (src and the packed value aux: tag << 24 | offset); pos: items taken. */
typedef struct IterObj {
    ObjHdr h;
    Value src;
    uint32_t aux;
    uint32_t pos;
} IterObj;

enum { IT_SEQ = 0, IT_ENUM = 1, IT_ZIP = 2 };

/* A heap or static reference in one word (tag << 24 | offset). */
static inline uint32_t pack_ref(Value v) { return (v.tag << 24) | v.u; }
/* The reference packed by pack_ref. */
static inline Value unpack_ref(uint32_t p) { Value v = {p >> 24, p & 0xFFFFFFu}; return v; }

/* Row view of a 2-D array (EPY_SMALL_OBJECT_BYTES). */
typedef struct RowObj {
    ObjHdr h;
    Value arr;     /* the 2-D array (V_ARRAY or V_HARRAY; a reference) */
    uint32_t row;
    uint32_t pad;
} RowObj;

/* A dict view (EPY_SMALL_OBJECT_BYTES), laid out as a RowObj: h.len is its kind (0 keys,
 * 1 values, 2 items). */
typedef struct DViewObj {
    ObjHdr h;
    Value dict;
    uint32_t pad[2];
} DViewObj;

/* An exception object (Value tag V_EXC) is, in the heap, a tuple (header type V_TUPLE) of
 * its n args and two int slots: its class (an ErrorCode, | 0x100 once raised) and where it
 * was first raised (func | line << 16).  So the heap walks and sizes it as a tuple. */
#define EXC_INFO_SLOTS 2u
_Static_assert(EPY_SEQ_BYTES(EXC_INFO_SLOTS) == EPY_EXC_BYTES(0), "memory.exc_bytes");

/* The fixed-size objects are what the memory model charges for them (memory.py). */
_Static_assert(sizeof(RangeObj) == EPY_SMALL_OBJECT_BYTES, "memory.SMALL_OBJECT_BYTES");
_Static_assert(sizeof(IterObj) == EPY_SMALL_OBJECT_BYTES, "memory.SMALL_OBJECT_BYTES");
_Static_assert(sizeof(RowObj) == EPY_SMALL_OBJECT_BYTES, "memory.SMALL_OBJECT_BYTES");
_Static_assert(sizeof(DViewObj) == EPY_SMALL_OBJECT_BYTES, "memory.SMALL_OBJECT_BYTES");
/* A dict's slots are sized as a list's: memory.dict_bytes(n) == memory.seq_bytes(2 * n). */
_Static_assert(EPY_DICT_BYTES(3) == EPY_SEQ_BYTES(6), "memory.dict_bytes");

/* None. */
static inline Value mk_none(void) { Value v = {V_NONE, 0}; return v; }
/* The marker of an unassigned variable. */
static inline Value mk_unset(void) { Value v = {V_UNSET, 0}; return v; }
/* True or False. */
static inline Value mk_bool(int b) { Value v = {V_BOOL, b ? 1u : 0u}; return v; }
/* An int. */
static inline Value mk_int(int32_t i) { Value v = {V_INT, (uint32_t)i}; return v; }
/* A reference to an object (no reference count taken). */
static inline Value mk_obj(uint32_t tag, uint32_t off) { Value v = {tag, off}; return v; }
/* A float. */
static inline Value mk_float(float f)
{
    Value v = {V_FLOAT, 0};
    memcpy(&v.u, &f, 4);
    return v;
}
/* The binary32 of a float value. */
static inline float as_float(Value v)
{
    float f;
    memcpy(&f, &v.u, 4);
    return f;
}
/* The int32 of an int or bool value. */
static inline int32_t as_int(Value v) { return (int32_t)v.u; }

/* Little-endian u16 load (any alignment). */
static inline uint16_t rd16(const volatile uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
/* Little-endian u32 load (any alignment). */
static inline uint32_t rd32(const volatile uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
/* Little-endian u16 store (any alignment). */
static inline void wr16(volatile uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
/* Little-endian u32 store (any alignment). */
static inline void wr32(volatile uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#endif /* EPY_VALUE_H */
