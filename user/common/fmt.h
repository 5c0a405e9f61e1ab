/* Text into a fixed buffer, cheaply: strings and decimal numbers appended
 * by hand, for both programs (the tracer's lines, the server's response
 * heads and access log). The tracer formats every event it receives;
 * vsnprintf was most of its time under load. Output that does not fit is
 * cut, never overrun, and says so (cut); the buffer always stays
 * NUL-terminated, so size counts the NUL: size - 1 bytes of text. */
#ifndef TL_FMT_H
#define TL_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tl_fmt {
	char *buf;
	size_t len, size; /* size > 0 */
	bool cut;	  /* something did not fit: a builder checks once, at the end */
};

/* tl_fmt_init: an empty text in buf[size]. */
static inline void tl_fmt_init(struct tl_fmt *f, char *buf, size_t size)
{
	f->buf = buf;
	f->size = size;
	f->len = 0;
	f->cut = false;
	buf[0] = '\0';
}

/* tl_fmt_mem_cut: the start of s that fits in the room left; the text is
 * cut. */
void tl_fmt_mem_cut(struct tl_fmt *f, const void *s);

/* n bytes of s; s may be NULL when n is 0 (an empty slice). Inline, as are
 * the two below: most pieces are literals, whose length and copy then fold
 * where they are written, a dozen times per line. */
static inline void tl_fmt_mem(struct tl_fmt *f, const void *s, size_t n)
{
	if (n > f->size - 1 - f->len) {
		tl_fmt_mem_cut(f, s);
		return;
	}
	if (n)
		memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = '\0';
}

static inline void tl_fmt_str(struct tl_fmt *f, const char *s) { tl_fmt_mem(f, s, strlen(s)); }

static inline void tl_fmt_char(struct tl_fmt *f, char c) { tl_fmt_mem(f, &c, 1); }

/* tl_fmt_digits: v in decimal, at least width digits, written backwards to
 * end just before end (room for 20 digits, or width); returns where it
 * begins. For writers that keep their own buffer. Inline, as the number
 * writers below: a JSON line holds twenty numbers and a text line ten,
 * and the call, its saved registers and its width loop cost as much as
 * the digits of a short number. */
extern const char tl_fmt_pairs[201];

static inline char *tl_fmt_digits(char *end, uint64_t v, int width)
{
	char *p = end;
	uint32_t w, r, hi;

	/* Nearly every number is 32-bit: once v fits, the steps are in 32-bit
	 * arithmetic, where a division by a constant is one multiplication
	 * and a shift (in 64 bits, five more instructions). */
	for (; v > UINT32_MAX; v /= 100) {
		p -= 2;
		memcpy(p, tl_fmt_pairs + v % 100 * 2, 2);
	}
	/* Four digits a step: the two pairs of a remainder below 10000 are
	 * split by a multiplication (r * 5243 >> 19 is r / 100 there). */
	for (w = (uint32_t)v; w >= 10000; w /= 10000) {
		r = w % 10000;
		hi = r * 5243 >> 19;
		p -= 4;
		memcpy(p, tl_fmt_pairs + hi * 2, 2);
		memcpy(p + 2, tl_fmt_pairs + (r - hi * 100) * 2, 2);
	}
	if (w >= 100) {
		hi = w * 5243 >> 19;
		p -= 2;
		memcpy(p, tl_fmt_pairs + (w - hi * 100) * 2, 2);
		w = hi;
	}
	if (w >= 10) {
		p -= 2;
		memcpy(p, tl_fmt_pairs + w * 2, 2);
	} else {
		*--p = (char)('0' + w);
	}
	while (end - p < width)
		*--p = '0';
	return p;
}

/* tl_fmt_ndigits: how many decimal digits v has: from its highest bit
 * (log10(2) is about 1233 / 4096), then one comparison; no division. */
#define TL_FMT_DEC_MAX 20
extern const uint64_t tl_fmt_pow10[TL_FMT_DEC_MAX];

static inline int tl_fmt_ndigits(uint64_t v)
{
	const int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + 1 - ((v | 1) < tl_fmt_pow10[t]);
}

/* tl_fmt_dec: v in decimal from p on (room for TL_FMT_DEC_MAX); returns
 * where it ends. No NUL. */
static inline char *tl_fmt_dec(char *p, uint64_t v)
{
	const int n = tl_fmt_ndigits(v);

	tl_fmt_digits(p + n, v, 0);
	return p + n;
}

/* tl_fmt_uint_cut: tl_fmt_uint near the end of the room. */
void tl_fmt_uint_cut(struct tl_fmt *f, uint64_t v);

/* Forced inline: left to itself, the compiler calls a copy of it from some
 * files, and the call is what inlining saves. */
static inline __attribute__((always_inline)) void tl_fmt_uint(struct tl_fmt *f, uint64_t v)
{
	if (f->size - 1 - f->len < TL_FMT_DEC_MAX) {
		tl_fmt_uint_cut(f, v);
		return;
	}
	f->len = (size_t)(tl_fmt_dec(f->buf + f->len, v) - f->buf);
	f->buf[f->len] = '\0';
}

/* "whole.frac" with frac written in exactly frac_width digits (zero-padded). */
void tl_fmt_fixed(struct tl_fmt *f, uint64_t whole, uint64_t frac, int frac_width);
/* tl_fmt_pad_cut: tl_fmt_pad for a long run or near the end of the room. */
void tl_fmt_pad_cut(struct tl_fmt *f, size_t col);

/* Spaces up to column col (nothing when already there). Inline, a fixed
 * copy for the short runs of a line's columns (three a segment): a memset
 * of a few bytes was a call and a third of its cost. */
#define TL_FMT_PAD_RUN 32
static inline void tl_fmt_pad(struct tl_fmt *f, size_t col)
{
	static const char spaces[TL_FMT_PAD_RUN] = "                                ";

	if (f->len >= col)
		return;
	if (col - f->len > TL_FMT_PAD_RUN || f->size - 1 - f->len < TL_FMT_PAD_RUN) {
		tl_fmt_pad_cut(f, col);
		return;
	}
	memcpy(f->buf + f->len, spaces, TL_FMT_PAD_RUN);
	f->len = col;
	f->buf[col] = '\0';
}

/* tl_plural: "s" after a count other than 1 ("1 connection", "2 connections"). */
static inline const char *tl_plural(uint64_t n) { return n == 1 ? "" : "s"; }

#endif
