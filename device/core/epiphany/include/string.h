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

#endif /* EPY_EPIPHANY_STRING_H */
