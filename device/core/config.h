/* config.h: build knobs of the core interpreter, one place (MicroPython's mpconfig style).
 * A port overrides them with -D on the compiler command line. */
#ifndef EPY_CONFIG_H
#define EPY_CONFIG_H

/* Dispatch with computed goto (GCC extension) instead of a switch. */
#ifndef EPY_COMPUTED_GOTO
#define EPY_COMPUTED_GOTO 0
#endif

/* Real bytes of the arena of one launch on the host port (model limit W is enforced apart:
 * the arena also holds the constant table, the globals and the argument objects). */
#ifndef EPY_HOST_ARENA_BYTES
#define EPY_HOST_ARENA_BYTES (64 * 1024)
#endif

/* Instructions between heartbeat updates and plat_poll() calls while running. */
#ifndef EPY_POLL_INTERVAL
#define EPY_POLL_INTERVAL 4096
#endif

/* Where code runs on the chip.  The Epiphany build keeps only what every kernel runs at speed
 * in the core's SRAM (EPY_HOT functions, EPY_HOT_DATA tables: the dispatch loop, the heap's
 * allocation and freeing, the C library's copies); everything else runs from shared DRAM
 * (epiphany/epycore.ld), slower but without using the 32 KB.  EPY_COLD marks code that is rarely
 * run (error paths, formatting, parsing, the verifier): on the chip it is never inlined into
 * hot code.  On the host port all three are the defaults (no sections, inlining as usual). */
#ifndef EPY_COLD_SECTION
#if defined(__epiphany__)
#define EPY_COLD_SECTION 1
#else
#define EPY_COLD_SECTION 0
#endif
#endif
#if EPY_COLD_SECTION && defined(__GNUC__)
#define EPY_HOT __attribute__((section(".text.epy_hot")))
#define EPY_HOT_DATA __attribute__((section(".rodata.epy_hot")))
#define EPY_COLD __attribute__((cold, noinline, section(".text.epy_cold")))
#else
#define EPY_HOT
#define EPY_HOT_DATA
#define EPY_COLD
#endif

/* A small helper of the hot paths that must be inlined (-Os would call an out-of-line copy,
 * which on the chip is not in SRAM). */
#if defined(__GNUC__)
#define EPY_INLINE static inline __attribute__((always_inline))
#else
#define EPY_INLINE static inline
#endif

/* A small helper of cold code, left free to be inlined: its out-of-line copy goes to the cold
 * section as well (GCC would otherwise put it in .text.unlikely, which stays in SRAM). */
#if EPY_COLD_SECTION && defined(__GNUC__)
#define EPY_COLD_HELPER __attribute__((section(".text.epy_cold")))
#else
#define EPY_COLD_HELPER
#endif

/* The Epiphany FPU flushes subnormal operands and results of fadd, fsub and fmul to zero (GCC
 * documents it for -mno-soft-cmpsf; the architecture reference for the FPU): where a zero or a
 * subnormal takes part, + - * / of binary32 are redone in software (float.c, interp.c) so that
 * they stay IEEE results.  The GC stress build sets it on the host to exercise that path. */
#ifndef EPY_FPU_FLUSHES_SUBNORMALS
#if defined(__epiphany__)
#define EPY_FPU_FLUSHES_SUBNORMALS 1
#else
#define EPY_FPU_FLUSHES_SUBNORMALS 0
#endif
#endif

/* Functions that do not return (they raise). */
#if defined(__GNUC__)
#define EPY_NORETURN __attribute__((noreturn))
#else
#define EPY_NORETURN
#endif

/* Test knob: compact the heap at every allocation (finds stale object pointers). */
#ifndef EPY_GC_STRESS
#define EPY_GC_STRESS 0
#endif

#endif /* EPY_CONFIG_H */
