/* libc.c: the few C library functions the core program calls on the Epiphany (no newlib).
 *
 * GCC also emits calls to memcpy/memset/memmove for struct copies and large initialisers, so
 * these names are required.  Word loops when both pointers are 4-aligned (the Epiphany faults
 * on unaligned word accesses), byte loops otherwise; small code before speed. */
#include <stddef.h>
#include <stdint.h>

#include "../config.h"

/* Copy n bytes; the regions do not overlap. */
EPY_HOT void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 3u) == 0) {
        for (; n >= 4; n -= 4, d += 4, s += 4)
            *(uint32_t *)(void *)d = *(const uint32_t *)(const void *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

/* Copy n bytes; the regions may overlap. */
EPY_HOT void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    if ((((uintptr_t)d | (uintptr_t)s | n) & 3u) == 0) {
        for (; n; n -= 4)
            *(uint32_t *)(void *)(d + n - 4) = *(const uint32_t *)(const void *)(s + n - 4);
        return dst;
    }
    while (n--)
        d[n] = s[n];
    return dst;
}

/* Fill n bytes with c. */
EPY_HOT void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    if (((uintptr_t)d & 3u) == 0) {
        uint32_t w = (uint8_t)c * 0x01010101u;
        for (; n >= 4; n -= 4, d += 4)
            *(uint32_t *)(void *)d = w;
    }
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

/* Compare n bytes as unsigned chars. */
int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

/* First byte equal to c among n bytes, or NULL. */
void *memchr(const void *p, int c, size_t n)
{
    const uint8_t *s = p;
    for (; n; n--, s++)
        if (*s == (uint8_t)c)
            return (void *)(uintptr_t)s;
    return NULL;
}

/* Length of a NUL-terminated string. */
size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}
