/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The four-byte test for "this payload begins an HTTP message", shared by
 * the kernel side and by the capture reader so both pick the same segments.
 * No includes: the includer provides __u32 and bool. */
#ifndef TL_HTTP_START_H
#define TL_HTTP_START_H

/* Four bytes as a word, first byte lowest, whatever the host's order. */
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

/* tl_http_start: the test on the payload's first four bytes, built into a
 * word from the bytes so that the answer is the same on either byte order. */
static inline bool tl_http_start(const __u8 *b)
{
	return tl_http_start_word(TL_WORD(b[0], b[1], b[2], b[3]));
}

#endif
