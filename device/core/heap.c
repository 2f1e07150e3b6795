/* heap.c: the workspace of a launch: heap objects (bump allocation, reference counting, sliding
 * compaction) growing up, call frames growing down, and the accounting of the memory model.
 *
 * Every object's real size equals its model size (memlayout.h, generated from
 * epython/bytecode/memory.py), so after a compaction the free gap is exactly W - live - frames
 * (plus the slack of the host arena): an allocation that the accounting admits always finds
 * room. */
#include "vm.h"

#define FREE_END 0xFFFFu
/* The bytes a list grows or shrinks by: one value slot. */
#define SLOT EPY_VALUE_SLOT_BYTES

/* Real (= model) size of the block at off. */
EPY_HOT static inline uint32_t block_size(VM *vm, uint32_t off)
{
    ObjHdr *h = obj(vm, off);
    switch (h->type) {
    case V_STR: return EPY_STR_BYTES(h->len);
    case V_TUPLE:
    case V_LIST:
    case V_DICT: return EPY_SEQ_BYTES(h->len);
    case OBJ_HOLE4: return 4;
    case OBJ_HOLE: case V_HARRAY: return h->len;
    default: return EPY_SMALL_OBJECT_BYTES;
    }
}

/* Set up an empty workspace. */
EPY_COLD void heap_init(VM *vm, uint8_t *arena, uint32_t bytes, uint32_t workspace)
{
    vm->arena = arena;
    vm->heap_base = vm->top = 0;
    vm->frame_low = vm->arena_end = bytes & ~7u;
    vm->workspace = workspace;
    vm->live = vm->frames_bytes = vm->peak = 0;
    vm->free_list = FREE_END;
    vm->frame = EPY_NO_FRAME;
    vm->depth = 0;
    vm->ntroots = 0;
}

/* Reserve a table below the heap; returns NULL when the arena cannot hold it. */
EPY_COLD void *heap_prefix(VM *vm, uint32_t bytes)
{
    uint32_t n = (bytes + 7u) & ~7u;
    if (n > vm->frame_low - vm->top)
        return NULL;
    void *p = vm->arena + vm->top;
    memset(p, 0, n);
    vm->top += n;
    vm->heap_base = vm->top;
    return p;
}

/* Turn [off, off + size) into free space (a hole, or lower the top). */
EPY_HOT static void make_hole(VM *vm, uint32_t off, uint32_t size)
{
    if (off + size == vm->top) {
        vm->top = off;
        return;
    }
    ObjHdr *h = obj(vm, off);
    if (size == 4) {
        h->type = OBJ_HOLE4;
        return;
    }
    h->type = OBJ_HOLE;
    h->flags = 0;
    h->rc = 0;
    h->len = (uint16_t)size;
}

/* Remap one value during a move: by forwarding addresses, or one object old -> new. */
typedef struct Remap {
    int by_fwd;
    uint32_t old, new_;
} Remap;

/* Update one reference under a remapping. */
static void remap(VM *vm, Value *v, const Remap *m)
{
    if (!IS_HEAP(*v))
        return;
    if (m->by_fwd)
        v->u = (uint32_t)obj(vm, v->u)->fwd * 4u;
    else if (v->u == m->old)
        v->u = m->new_;
}

/* Apply a remapping to every reference: roots (globals, frames, temporaries) and objects. */
EPY_COLD static void update_refs(VM *vm, const Remap *m)
{
    uint32_t i;
    for (i = 0; i < vm->img.n_globals; i++)
        remap(vm, &vm->globals[i], m);
    for (i = 0; i < vm->ntroots; i++)
        remap(vm, vm->troots[i], m);
    for (i = 0; i < vm->nstash; i++)
        remap(vm, &vm->stash[i], m);
    uint32_t f = vm->frame;
    int current = 1;
    while (f != EPY_NO_FRAME) {
        Frame *fr = (Frame *)(void *)(vm->arena + f);
        Value *slots = (Value *)(void *)(fr + 1);
        uint32_t n = fr->n_locals + (current ? (uint32_t)(vm->sp - vm->stack) : fr->depth);
        for (i = 0; i < n; i++)
            remap(vm, &slots[i], m);
        current = 0;
        f = fr->prev;
    }
    /* inside objects (read their sizes before any move: headers are intact here) */
    uint32_t off = vm->heap_base;
    while (off < vm->top) {
        ObjHdr *h = obj(vm, off);
        uint32_t size = block_size(vm, off);
        if (h->type == V_TUPLE || h->type == V_LIST || h->type == V_DICT) {
            Value *items = (Value *)(void *)(h + 1);
            for (i = 0; i < h->len; i++)
                remap(vm, &items[i], m);
        } else if (h->type == V_ITER) {
            IterObj *it = (IterObj *)(void *)h;
            remap(vm, &it->src, m);
            if (h->len == IT_ZIP) {
                Value s2 = unpack_ref(it->aux);
                remap(vm, &s2, m);
                it->aux = pack_ref(s2);
            }
        } else if (h->type == V_ROW || h->type == V_DVIEW) { /* the same layout */
            remap(vm, &((RowObj *)(void *)h)->arr, m);
        }
        off += size;
    }
}

/* Slide every live object down over the holes. */
EPY_COLD static void compact(VM *vm)
{
    uint32_t off = vm->heap_base, dst = vm->heap_base;
    while (off < vm->top) {
        ObjHdr *h = obj(vm, off);
        uint32_t size = block_size(vm, off);
        if (h->type != OBJ_HOLE && h->type != OBJ_HOLE4) {
            h->fwd = (uint16_t)(dst / 4u);
            dst += size;
        }
        off += size;
    }
    Remap m = {1, 0, 0};
    update_refs(vm, &m);
    off = vm->heap_base;
    while (off < vm->top) {
        ObjHdr *h = obj(vm, off);
        uint32_t size = block_size(vm, off);
        if (h->type != OBJ_HOLE && h->type != OBJ_HOLE4) {
            uint32_t to = (uint32_t)h->fwd * 4u;
            if (to != off)
                memmove(vm->arena + to, vm->arena + off, size);
        }
        off += size;
    }
    vm->top = dst;
}

/* MemoryError in the words of the simulator. */
EPY_COLD static void out_of_memory(VM *vm, uint32_t size)
{
    epy_raise(vm, ERR_MEMORYERROR,
              "out of core memory: %u bytes requested, %u bytes of live objects and %u bytes of "
              "frames in a workspace of %u bytes",
              (unsigned)size, (unsigned)vm->live, (unsigned)vm->frames_bytes,
              (unsigned)vm->workspace);
}

/* Make sure `size` real bytes are free at the top (compacting if needed). */
static inline void room(VM *vm, uint32_t size, uint32_t model)
{
    if (vm->top + size > vm->frame_low) {
        compact(vm);
        if (vm->top + size > vm->frame_low)
            out_of_memory(vm, model);
    }
}

/* Count size more live bytes (and the peak). */
static inline void charge(VM *vm, uint32_t size)
{
    vm->live += size;
    if (vm->live + vm->frames_bytes > vm->peak)
        vm->peak = vm->live + vm->frames_bytes;
}

/* Allocate one object (see vm.h). */
EPY_HOT uint32_t heap_alloc(VM *vm, uint8_t type, uint32_t size, uint16_t len, int free_obj)
{
    if (!free_obj && vm->live + vm->frames_bytes + size > vm->workspace)
        out_of_memory(vm, size);
#if EPY_GC_STRESS
    compact(vm); /* every allocation moves everything: finds stale pointers */
#endif
    room(vm, size, size);
    uint32_t off = vm->top;
    vm->top += size;
    ObjHdr *h = obj(vm, off);
    h->type = type;
    h->flags = free_obj ? OF_FREE : 0;
    h->rc = 1;
    h->len = len;
    h->fwd = 0;
    if (!free_obj)
        charge(vm, size);
    return off;
}

/* Model bytes of a value's own object. */
uint32_t model_bytes(VM *vm, Value v)
{
    if (!IS_HEAP(v) || (obj(vm, v.u)->flags & OF_FREE))
        return 0;
    return block_size(vm, v.u);
}

/* Queue an object whose count reached zero. */
EPY_HOT static inline void queue_free(VM *vm, uint32_t off)
{
    obj(vm, off)->fwd = (uint16_t)(vm->free_list == FREE_END ? FREE_END : vm->free_list / 4u);
    vm->free_list = off;
}

/* Drop a reference during freeing (queues objects that die). */
EPY_HOT static inline void drop(VM *vm, Value v)
{
    if (IS_HEAP(v) && --obj(vm, v.u)->rc == 0)
        queue_free(vm, v.u);
}

/* Drop a reference to a heap object. */
EPY_HOT void decref_obj(VM *vm, Value v)
{
    if (--obj(vm, v.u)->rc == 0)
        heap_release(vm, v.u);
}

/* Free an object whose count reached zero (iteratively frees everything that dies with it). */
EPY_HOT void heap_release(VM *vm, uint32_t off)
{
    queue_free(vm, off);
    while (vm->free_list != FREE_END) {
        uint32_t off = vm->free_list;
        ObjHdr *h = obj(vm, off);
        vm->free_list = h->fwd == FREE_END ? FREE_END : (uint32_t)h->fwd * 4u;
        if (h->type == V_TUPLE || h->type == V_LIST || h->type == V_DICT) {
            Value *items = (Value *)(void *)(h + 1);
            for (uint32_t i = 0; i < h->len; i++)
                drop(vm, items[i]);
        } else if (h->type == V_ITER) {
            IterObj *it = (IterObj *)(void *)h;
            drop(vm, it->src);
            if (h->len == IT_ZIP)
                drop(vm, unpack_ref(it->aux));
        } else if (h->type >= V_ROW) { /* a row or a dict view (the same layout; a freed
                                           * object is never a hole) */
            drop(vm, ((RowObj *)(void *)h)->arr);
        }
        uint32_t size = block_size(vm, off);
        if (!(h->flags & OF_FREE))
            vm->live -= size;
        make_hole(vm, off, size);
    }
}

/* heap_list_grow when the slot after the list is not free: move the list to the top (with
 * spare room), compacting first if needed, or rotate it there in place when there is no room
 * for a copy (rotate: at once).  Ends with the new slot taken at the top. */
EPY_COLD static void list_move(VM *vm, Value *lst, uint32_t size, int rotate)
{
    if (rotate)
        goto rotate;
    /* move the list to the top with spare room behind it (a hole later appends absorb) */
    uint32_t spare = size / 2u < 16u ? 16u : (size / 2u + 7u) & ~7u;
    if (vm->top + size + SLOT + spare > vm->frame_low)
        spare = 0;
    if (vm->top + size + SLOT + spare > vm->frame_low) {
        compact(vm);
        if (vm->top + size + SLOT > vm->frame_low) {
rotate:;
            /* no room for a copy: rotate the list to the top in place */
            uint32_t at = lst->u, top = vm->top, off = at + size;
            while (off < top) {
                uint32_t s = block_size(vm, off);
                obj(vm, off)->fwd = (uint16_t)((off - size) / 4u);
                off += s;
            }
            obj(vm, at)->fwd = (uint16_t)((top - size) / 4u);
            for (off = vm->heap_base; off < at; off += block_size(vm, off))
                obj(vm, off)->fwd = (uint16_t)(off / 4u);
            Remap m = {1, 0, 0};
            update_refs(vm, &m);
            /* rotate [at, top) left by size: three reversals */
            uint8_t *p = vm->arena;
            uint32_t a, b;
            for (a = at, b = at + size - 1; a < b; a++, b--) { uint8_t t = p[a]; p[a] = p[b]; p[b] = t; }
            for (a = at + size, b = top - 1; a < b && top > at + size; a++, b--) { uint8_t t = p[a]; p[a] = p[b]; p[b] = t; }
            for (a = at, b = top - 1; a < b; a++, b--) { uint8_t t = p[a]; p[a] = p[b]; p[b] = t; }
            if (vm->top + SLOT > vm->frame_low)
                out_of_memory(vm, SLOT);
            vm->top += SLOT;
            return;
        }
        if (vm->top + size + SLOT + spare > vm->frame_low)
            spare = 0;
    }
    uint32_t old = lst->u, to = vm->top;
    memcpy(vm->arena + to, vm->arena + old, size);
    vm->top += size + SLOT + spare;
    /* the new slot is a hole until the list takes it: update_refs walks the heap up to the
     * top and must not read stale bytes there as an object header (found by fuzzing) */
    ObjHdr *gap = obj(vm, to + size);
    gap->type = OBJ_HOLE;
    gap->flags = 0;
    gap->rc = 0;
    gap->len = SLOT;
    if (spare) {
        ObjHdr *sh = obj(vm, to + size + SLOT);
        sh->type = OBJ_HOLE;
        sh->flags = 0;
        sh->rc = 0;
        sh->len = (uint16_t)spare;
    }
    Remap m = {0, old, to};
    update_refs(vm, &m);
    lst->u = to;
    make_hole(vm, old, size);
}

/* Grow a list by one slot; *lst must be a root (it is updated when the list moves). */
void heap_list_grow(VM *vm, Value *lst)
{
    ObjHdr *h = obj(vm, lst->u);
    int free_obj = h->flags & OF_FREE;
    if (!free_obj && vm->live + vm->frames_bytes + SLOT > vm->workspace)
        out_of_memory(vm, SLOT);
    uint32_t size = block_size(vm, lst->u);
    uint32_t end = lst->u + size;
#if EPY_GC_STRESS
    compact(vm);
    end = lst->u + size;
    if (end != vm->top) {
        list_move(vm, lst, size, 1);
        goto grown;
    }
#endif
    if (end == vm->top && vm->top + SLOT <= vm->frame_low) {
        vm->top += SLOT;
    } else if (end < vm->top && obj(vm, end)->type == OBJ_HOLE && obj(vm, end)->len >= SLOT) {
        uint32_t hole = obj(vm, end)->len;
        if (hole > SLOT) {
            if (hole - SLOT == 4) {
                obj(vm, end + SLOT)->type = OBJ_HOLE4;
            } else {
                ObjHdr *nh = obj(vm, end + SLOT);
                nh->type = OBJ_HOLE;
                nh->flags = 0;
                nh->rc = 0;
                nh->len = (uint16_t)(hole - SLOT);
            }
        }
    } else {
        list_move(vm, lst, size, 0);
    }
#if EPY_GC_STRESS
grown:
#endif
    h = obj(vm, lst->u);
    seq_items(vm, *lst)[h->len] = mk_none();
    h->len++;
    if (!free_obj)
        charge(vm, SLOT);
}

/* Shrink a list by one slot. */
void heap_list_shrink(VM *vm, Value lst)
{
    ObjHdr *h = obj(vm, lst.u);
    uint32_t size = block_size(vm, lst.u);
    h->len--;
    if (!(h->flags & OF_FREE))
        vm->live -= SLOT;
    make_hole(vm, lst.u + size - SLOT, SLOT);
}

/* Push a frame's memory (RecursionError when it does not fit). */
EPY_COLD uint32_t heap_push_frame_slow(VM *vm, uint32_t nslots, uint32_t model)
{
    uint32_t real = EPY_FRAME_BYTES(nslots);
#if EPY_GC_STRESS
    compact(vm);
#endif
    if (vm->live + vm->frames_bytes + model > vm->workspace ||
        (vm->frame_low - vm->top < real && (compact(vm), vm->frame_low - vm->top < real)))
        epy_raise(vm, ERR_RECURSIONERROR,
                  "maximum recursion depth exceeded (the core's stack and heap are full: %u bytes "
                  "of frames, %u bytes of objects, workspace %u bytes)",
                  (unsigned)vm->frames_bytes, (unsigned)vm->live, (unsigned)vm->workspace);
    vm->frame_low -= real;
    vm->frames_bytes += model;
    if (vm->live + vm->frames_bytes > vm->peak)
        vm->peak = vm->live + vm->frames_bytes;
    return vm->frame_low;
}

/* Borrow scratch bytes below the frames (see vm.h). */
EPY_COLD uint8_t *heap_scratch(VM *vm, uint32_t n)
{
    n = (n + 7u) & ~7u;
    if (vm->frame_low - vm->top < n) {
        compact(vm);
        if (vm->frame_low - vm->top < n)
            out_of_memory(vm, n);
    }
    vm->frame_low -= n;
    return vm->arena + vm->frame_low;
}

/* Return scratch bytes. */
EPY_COLD void heap_scratch_release(VM *vm, uint32_t n)
{
    vm->frame_low += (n + 7u) & ~7u;
}
