/* memlayout.h: GENERATED from epython/bytecode/memory.py by
 * `python -m epython.bytecode.gen_c`. DO NOT EDIT; a test fails when it is stale.
 * The memory model's object sizes: what the heap allocates for each kind of object
 * (real size = model size), the frames and the launch's tables. */
#ifndef EPY_MEMLAYOUT_H
#define EPY_MEMLAYOUT_H

/* A range, an iterator, a row view of a 2-D array. */
#define EPY_SMALL_OBJECT_BYTES 24
/* A str of n UTF-8 bytes (made on the core: the image's constants and the argument block's strs take no heap). */
#define EPY_STR_BYTES(n) (8u + (((n) + 3u) & ~3u))
/* A tuple or list of n items. */
#define EPY_SEQ_BYTES(n) (8u + 8u * (n))
/* An array received from another core, with n bytes of elements (the argument block's arrays take no heap). */
#define EPY_ARRAY_BYTES(n) (16u + (((n) + 3u) & ~3u))
/* A call frame of n value slots: its locals and its maximum stack depth. */
#define EPY_FRAME_BYTES(n) (16u + 8u * (n))
/* A launch's constant pool or globals of n entries, decoded into value slots (one slot more). */
#define EPY_VALUE_TABLE_BYTES(n) (8u + 8u * (n))
/* A launch's function table of n functions. */
#define EPY_FUNC_TABLE_BYTES(n) (32u * (n))
/* A dict of n entries: its (key, value) value slots in insertion order, looked up by equality (docs/bytecode.md, "Dicts"). */
#define EPY_DICT_BYTES(n) (8u + 16u * (n))
/* An exception object with n args: the header, the args, and two slots for its class and where it was first raised. */
#define EPY_EXC_BYTES(n) (24u + 8u * (n))
/* What a launch's tables take at the bottom of the workspace. */
#define EPY_LAUNCH_TABLES_BYTES(n_consts, n_globals, n_funcs) (EPY_VALUE_TABLE_BYTES(n_consts) + EPY_VALUE_TABLE_BYTES(n_globals) + EPY_FUNC_TABLE_BYTES(n_funcs))

#endif /* EPY_MEMLAYOUT_H */
