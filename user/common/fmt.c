#include "common/fmt.h"

#include <string.h>

void tl_fmt_mem_cut(struct tl_fmt *f, const void *s)
{
	f->cut = true;
	tl_fmt_mem(f, s, f->size - 1 - f->len);
}

const char tl_fmt_pairs[201] = "00010203040506070809101112131415161718192021222324"
			       "25262728293031323334353637383940414243444546474849"
			       "50515253545556575859606162636465666768697071727374"
			       "75767778798081828384858687888990919293949596979899";

/* Powers of ten up to 1e19, every one exact as a double. */
const uint64_t tl_fmt_pow10[TL_FMT_DEC_MAX] = {1e0,  1e1,  1e2,	 1e3,  1e4,  1e5,  1e6,
					       1e7,  1e8,  1e9,	 1e10, 1e11, 1e12, 1e13,
					       1e14, 1e15, 1e16, 1e17, 1e18, 1e19};

void tl_fmt_uint_cut(struct tl_fmt *f, uint64_t v)
{
	char num[TL_FMT_DEC_MAX];

	tl_fmt_mem(f, num, (size_t)(tl_fmt_dec(num, v) - num));
}

/* The most fraction digits tl_fmt_fixed writes, and the longest text:
 * 20 digits, ".", 24 digits. */
#define FMT_FRAC_MAX 24
#define FMT_FIXED_MAX (TL_FMT_DEC_MAX + 1 + FMT_FRAC_MAX)

/* "whole.frac" from p on; returns where it ends. */
static char *fmt_fixed(char *p, uint64_t whole, uint64_t frac, int frac_width)
{
	const int n = tl_fmt_ndigits(frac);

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

void tl_fmt_pad_cut(struct tl_fmt *f, size_t col)
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
