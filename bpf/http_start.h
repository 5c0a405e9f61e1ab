/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The four-byte tests for "this payload begins an HTTP message" and "this
 * payload begins a chunk-size line", shared by the kernel side and by the
 * capture reader so both name the same segments.
 * No includes: the includer provides __u32 and bool. */
#ifndef TL_HTTP_START_H
#define TL_HTTP_START_H

/* Four bytes as a word, first byte lowest, whatever the host's order: both
 * sides build the word from the bytes, never load it as a __u32. */
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

static inline bool tl_hex_digit(__u32 c) { return c - '0' < 10 || (c | 0x20) - 'a' < 6; }

/* tl_chunk_start_word: whether the payload's first four bytes begin a
 * chunk-size line ("2bc\r", "0\r\n\r", "1f;n") or the CRLF that ends the
 * previous chunk's data before one ("\r\n2b"): a segment of a chunked body
 * whose framing user space follows. */
static inline bool tl_chunk_start_word(__u32 w)
{
	__u32 b0 = w & 0xff, b1 = w >> 8 & 0xff, b2 = w >> 16 & 0xff, b3 = w >> 24;

	if (b0 == '\r')
		return b1 == '\n' && tl_hex_digit(b2);
	if (!tl_hex_digit(b0))
		return false;
	if (!tl_hex_digit(b1))
		return b1 == '\r' || b1 == ';';
	if (!tl_hex_digit(b2))
		return b2 == '\r' || b2 == ';';
	return tl_hex_digit(b3) || b3 == '\r' || b3 == ';';
}

#endif
