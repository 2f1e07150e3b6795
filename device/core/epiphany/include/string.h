/* string.h of the Epiphany port: the six functions libc.c provides (there is no C library). */
#ifndef EPY_EPIPHANY_STRING_H
#define EPY_EPIPHANY_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *p, int c, size_t n);
size_t strlen(const char *s);

/* The build is -ffreestanding (no hosted C library), which also turns off GCC's built-in
 * knowledge of these functions: give it back, so that small copies of a known size (a float's
 * bits into a word, a Value) stay inline moves instead of calls. */
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#define strlen(s) __builtin_strlen(s)

#endif /* EPY_EPIPHANY_STRING_H */
