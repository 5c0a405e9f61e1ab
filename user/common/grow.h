/* Growing a byte buffer kept as (buf, cap) with len bytes used: the one
 * rule for the outputs' buffers (a timeline's part, the JSON lines). */
#ifndef TL_COMMON_GROW_H
#define TL_COMMON_GROW_H

#include <stddef.h>

/* tl_grow: room for n more bytes after len in *buf, the capacity doubled
 * (from min when there is none yet) until they fit; 0, or -ENOMEM with
 * *buf and *cap unchanged. */
int tl_grow(char **buf, size_t *cap, size_t len, size_t n, size_t min);

#endif
