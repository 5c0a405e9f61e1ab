#include "common/fmt.h"

#include <string.h>

void tl_fmt_mem_cut(struct tl_fmt *f, const void *s)
{
	f->cut = true;
	tl_fmt_mem(f, s, f->size - 1 - f->len);
}

static const char fmt_pairs[201] = "00010203040506070809101112131415161718192021222324"
				   "25262728293031323334353637383940414243444546474849"
				   "50515253545556575859606162636465666768697071727374"
				   "75767778798081828384858687888990919293949596979899";

/* Two digits per division. The JSON and text outputs write a dozen
 * numbers per segment, nearly all of them 32-bit: once v fits, the steps
 * are in 32-bit arithmetic, where dividing by 100 is one multiplication
 * and a shift (in 64 bits, five more instructions). */
char *tl_fmt_digits(char *end, uint64_t v, int width)
{
	char *p = end;
	uint32_t w;

	for (; v > UINT32_MAX; v /= 100) {
		p -= 2;
		memcpy(p, fmt_pairs + v % 100 * 2, 2);
	}
	for (w = (uint32_t)v; w >= 100; w /= 100) {
		p -= 2;
		memcpy(p, fmt_pairs + w % 100 * 2, 2);
	}
	if (w >= 10) {
		p -= 2;
		memcpy(p, fmt_pairs + w * 2, 2);
	} else {
		*--p = (char)('0' + w);
	}
	while (end - p < width)
		*--p = '0';
	return p;
}

/* How many decimal digits v has: from its highest bit (log10(2) is about
 * 1233 / 4096), then one comparison; no division. */
static int fmt_ndigits(uint64_t v)
{
	/* Powers of ten up to 1e19, every one exact as a double. */
	static const uint64_t pow10[TL_FMT_DEC_MAX] = {1e0,  1e1,  1e2,	 1e3,  1e4,  1e5,  1e6,
						       1e7,  1e8,  1e9,	 1e10, 1e11, 1e12, 1e13,
						       1e14, 1e15, 1e16, 1e17, 1e18, 1e19};
	const int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + 1 - ((v | 1) < pow10[t]);
}

char *tl_fmt_dec(char *p, uint64_t v)
{
	const int n = fmt_ndigits(v);

	tl_fmt_digits(p + n, v, n);
	return p + n;
}

void tl_fmt_uint(struct tl_fmt *f, uint64_t v)
{
	char num[TL_FMT_DEC_MAX];

	if (f->size - 1 - f->len < TL_FMT_DEC_MAX) {
		tl_fmt_mem(f, num, (size_t)(tl_fmt_dec(num, v) - num));
		return;
	}
	f->len = (size_t)(tl_fmt_dec(f->buf + f->len, v) - f->buf);
	f->buf[f->len] = '\0';
}

/* The most fraction digits tl_fmt_fixed writes, and the longest text:
 * 20 digits, ".", 24 digits. */
#define FMT_FRAC_MAX 24
#define FMT_FIXED_MAX (TL_FMT_DEC_MAX + 1 + FMT_FRAC_MAX)

/* "whole.frac" from p on; returns where it ends. */
static char *fmt_fixed(char *p, uint64_t whole, uint64_t frac, int frac_width)
{
	const int n = fmt_ndigits(frac);

	p = tl_fmt_dec(p, whole);
	*p++ = '.';
	p += n > frac_width ? n : frac_width;
	tl_fmt_digits(p, frac, frac_width);
	return p;
}

void tl_fmt_fixed(struct tl_fmt *f, uint64_t whole, uint64_t frac, int frac_width)
{
	char num[FMT_FIXED_MAX];

	if (frac_width > FMT_FRAC_MAX)
		frac_width = FMT_FRAC_MAX;
	if (f->size - 1 - f->len < sizeof(num)) {
		tl_fmt_mem(f, num, (size_t)(fmt_fixed(num, whole, frac, frac_width) - num));
		return;
	}
	f->len = (size_t)(fmt_fixed(f->buf + f->len, whole, frac, frac_width) - f->buf);
	f->buf[f->len] = '\0';
}

void tl_fmt_pad(struct tl_fmt *f, size_t col)
{
	if (col > f->size - 1) {
		col = f->size - 1;
		f->cut = true;
	}
	if (f->len >= col)
		return;
	memset(f->buf + f->len, ' ', col - f->len);
	f->len = col;
	f->buf[f->len] = '\0';
}
