/* port.h: the few compiler/port specifics the core code needs: memory fences, non-local
 * jumps for raising errors, aligned word access to shared words. */
#ifndef EPY_PORT_H
#define EPY_PORT_H

#include <stdint.h>

#if defined(__epiphany__)
/* No C library on the chip: GCC's own non-local goto (it saves the frame, the stack pointer
 * and the resume address; the function that calls EPY_SETJMP saves the callee-saved
 * registers).  EPY_LONGJMP must be called from another function than the EPY_SETJMP. */
typedef void *epy_jmp_buf[5];
#define EPY_SETJMP(buf) __builtin_setjmp(buf)
#define EPY_LONGJMP(buf) __builtin_longjmp(buf, 1)
#else
#include <setjmp.h>
typedef jmp_buf epy_jmp_buf;
#define EPY_SETJMP(buf) setjmp(buf)
#define EPY_LONGJMP(buf) longjmp(buf, 1)
#endif

/* A 4-aligned word shared with the host or another core, in one access (never torn: the host
 * and the mesh see all of it or none of it). */
static inline uint32_t ld_word(const volatile uint8_t *p)
{
    return *(const volatile uint32_t *)(const volatile void *)p;
}
/* Store a 4-aligned shared word in one access. */
static inline void st_word(volatile uint8_t *p, uint32_t v)
{
    *(volatile uint32_t *)(volatile void *)p = v;
}

#if defined(__epiphany__)
/* Stores from one core to one destination arrive in order on the mesh: a compiler barrier. */
#define EPY_FENCE() __asm__ __volatile__("" ::: "memory")
#else
/* Host threads: a full barrier orders payload and flag stores and loads. */
#define EPY_FENCE() __sync_synchronize()
#endif

#endif /* EPY_PORT_H */
