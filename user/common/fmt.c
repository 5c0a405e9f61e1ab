#include "common/fmt.h"

#include <string.h>

void tl_fmt_init(struct tl_fmt *f, char *buf, size_t size)
{
	f->buf = buf;
	f->size = size;
	f->len = 0;
	f->cut = false;
	buf[0] = '\0';
}

void tl_fmt_mem(struct tl_fmt *f, const void *s, size_t n)
{
	size_t room = f->size - 1 - f->len;

	if (n > room) {
		n = room;
		f->cut = true;
	}
	if (n)
		memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = '\0';
}

void tl_fmt_str(struct tl_fmt *f, const char *s) { tl_fmt_mem(f, s, strlen(s)); }

void tl_fmt_char(struct tl_fmt *f, char c) { tl_fmt_mem(f, &c, 1); }

/* Two digits per division: the JSON and text outputs write a dozen numbers
 * per segment. */
char *tl_fmt_digits(char *end, uint64_t v, int width)
{
	static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
				       "25262728293031323334353637383940414243444546474849"
				       "50515253545556575859606162636465666768697071727374"
				       "75767778798081828384858687888990919293949596979899";
	char *p = end;

	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + v * 2, 2);
	} else {
		*--p = (char)('0' + v);
	}
	while (end - p < width)
		*--p = '0';
	return p;
}

void tl_fmt_uint(struct tl_fmt *f, uint64_t v)
{
	char num[24], *end = num + sizeof(num);
	char *p = tl_fmt_digits(end, v, 1);

	tl_fmt_mem(f, p, end - p);
}

void tl_fmt_fixed(struct tl_fmt *f, uint64_t whole, uint64_t frac, int frac_width)
{
	char num[48], *end = num + sizeof(num), *p = end;

	if (frac_width > 24)
		frac_width = 24;
	p = tl_fmt_digits(p, frac, frac_width);
	*--p = '.';
	p = tl_fmt_digits(p, whole, 1);
	tl_fmt_mem(f, p, end - p);
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
