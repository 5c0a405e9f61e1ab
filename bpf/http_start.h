/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The four-byte test for "this payload begins an HTTP message", shared by
 * the kernel side and by the capture reader so both pick the same segments.
 * No includes: the includer provides __u32 and bool. */
#ifndef TL_HTTP_START_H
#define TL_HTTP_START_H

/* A little-endian load of four bytes, as both sides read them. */
#define TL_WORD(a, b, c, d) ((__u32)(a) | (__u32)(b) << 8 | (__u32)(c) << 16 | (__u32)(d) << 24)

/* tl_http_start_word: whether the payload's first four bytes start a request
 * line (a common method) or a status line ("HTTP"). User space parses the
 * line for real; this only decides which segments carry bytes. */
static inline bool tl_http_start_word(__u32 w)
{
	switch (w) {
	case TL_WORD('G', 'E', 'T', ' '):
	case TL_WORD('H', 'E', 'A', 'D'):
	case TL_WORD('P', 'O', 'S', 'T'):
	case TL_WORD('P', 'U', 'T', ' '):
	case TL_WORD('D', 'E', 'L', 'E'):
	case TL_WORD('O', 'P', 'T', 'I'):
	case TL_WORD('P', 'A', 'T', 'C'):
	case TL_WORD('C', 'O', 'N', 'N'):
	case TL_WORD('T', 'R', 'A', 'C'):
	case TL_WORD('H', 'T', 'T', 'P'):
		return true;
	}
	return false;
}

#endif
