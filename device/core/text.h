/* text.h: the core's own printf-style formatter (integers, characters and strings only).
 *
 * The Epiphany build links no C library, so messages are formatted here on both ports (one code
 * path).  Conversions: %d %i %u %x %X %o with the length modifiers l and ll, %c, %s, %.*s, %%;
 * flags '-' and '0', a field width (digits or *).  Floats are not formatted here: format.c has
 * CPython's float formatting in binary32. */
#ifndef EPY_TEXT_H
#define EPY_TEXT_H

#include <stdarg.h>
#include <stdint.h>

/* Format into buf (cap bytes, NUL-terminated when cap > 0); returns the length the whole
 * text has (may exceed cap - 1: the text was cut). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int epy_snprintf(char *buf, uint32_t cap, const char *fmt, ...);

/* epy_snprintf with a va_list. */
int epy_vsnprintf(char *buf, uint32_t cap, const char *fmt, va_list ap);

/* Decimal digits of an unsigned 64-bit value into buf (>= 21 bytes); returns the length.
 * Only 32-bit divisions: the Epiphany has no divider and 64-bit division is a libgcc call. */
int epy_utoa64(uint64_t v, char *buf, unsigned base, int upper);

#endif /* EPY_TEXT_H */
