/* Big-endian fields of a frame's headers, read byte by byte: a field of a
 * captured frame is not aligned. */
#ifndef TL_BE_H
#define TL_BE_H

#include <linux/types.h>

static inline __u16 tl_be16(const __u8 *p) { return (__u16)(p[0] << 8 | p[1]); }

static inline __u32 tl_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

#endif
