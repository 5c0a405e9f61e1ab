/* TCP sequence numbers compared in sequence space (RFC 793's modular
 * arithmetic), right across the 2^32 wrap as long as the two are less than
 * 2^31 apart. */
#ifndef TL_COMMON_SEQ_H
#define TL_COMMON_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* tl_seq_after_eq: a is at or after b. */
static inline bool tl_seq_after_eq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* tl_seq_after: a is strictly after b. */
static inline bool tl_seq_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

#endif
