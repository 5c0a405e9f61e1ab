#include "common/fmt.h"

#include <string.h>

void tl_fmt_init(struct tl_fmt *f, char *buf, size_t size)
{
	f->buf = buf;
	f->size = size;
	f->len = 0;
	buf[0] = '\0';
}

void tl_fmt_mem(struct tl_fmt *f, const char *s, size_t n)
{
	size_t room = f->size - 1 - f->len;

	if (n > room)
		n = room;
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = '\0';
}

void tl_fmt_str(struct tl_fmt *f, const char *s) { tl_fmt_mem(f, s, strlen(s)); }

void tl_fmt_char(struct tl_fmt *f, char c) { tl_fmt_mem(f, &c, 1); }

/* Writes v in decimal, at least width digits, ending just before end;
 * returns where it begins. */
static char *digits(char *end, uint64_t v, int width)
{
	char *p = end;
	int n = 0;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
		n++;
	} while (v || n < width);
	return p;
}

void tl_fmt_uint(struct tl_fmt *f, uint64_t v)
{
	char num[24], *end = num + sizeof(num);
	char *p = digits(end, v, 1);

	tl_fmt_mem(f, p, end - p);
}

void tl_fmt_fixed(struct tl_fmt *f, uint64_t whole, uint64_t frac, int frac_width)
{
	char num[48], *end = num + sizeof(num), *p = end;

	if (frac_width > 24)
		frac_width = 24;
	p = digits(p, frac, frac_width);
	*--p = '.';
	p = digits(p, whole, 1);
	tl_fmt_mem(f, p, end - p);
}

void tl_fmt_pad(struct tl_fmt *f, size_t col)
{
	if (col > f->size - 1)
		col = f->size - 1;
	if (f->len >= col)
		return;
	memset(f->buf + f->len, ' ', col - f->len);
	f->len = col;
	f->buf[f->len] = '\0';
}
