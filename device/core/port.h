/* port.h: the few compiler/port specifics the core code needs (memory fences). */
#ifndef EPY_PORT_H
#define EPY_PORT_H

#if defined(__epiphany__)
/* Stores from one core to one destination arrive in order on the mesh: a compiler barrier. */
#define EPY_FENCE() __asm__ __volatile__("" ::: "memory")
#else
/* Host threads: a full barrier orders payload and flag stores and loads. */
#define EPY_FENCE() __sync_synchronize()
#endif

#endif /* EPY_PORT_H */
