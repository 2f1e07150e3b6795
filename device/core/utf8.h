/* utf8.h: one UTF-8 code point of text the verifier (or the host's encoder) already checked. */
#ifndef EPY_UTF8_H
#define EPY_UTF8_H

#include <stdint.h>

/* Decode the code point at p (n >= 1 bytes left) into *cp; returns its byte length (cut at n). */
static inline uint32_t utf8_decode(const uint8_t *p, uint32_t n, uint32_t *cp)
{
    uint32_t len = p[0] < 0x80 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
    if (len > n)
        len = n;
    uint32_t c = len == 1 ? p[0] : len == 2 ? p[0] & 0x1Fu : len == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
    for (uint32_t i = 1; i < len; i++)
        c = (c << 6) | (p[i] & 0x3Fu);
    *cp = c;
    return len;
}

#endif /* EPY_UTF8_H */
