/* The one UTF-8 validator: the JSON writer replaces what it refuses with
 * U+FFFD, the text output escapes it. */
#ifndef TL_COMMON_UTF8_H
#define TL_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* tl_utf8_seq: the length of the well-formed UTF-8 sequence at s, n > 0
 * bytes available (RFC 3629: no overlong form, no surrogate, nothing past
 * U+10FFFF), with its code point in *cp; 0 when s does not begin one. An
 * ASCII byte is a sequence of 1. */
size_t tl_utf8_seq(const uint8_t *s, size_t n, uint32_t *cp);

#endif
