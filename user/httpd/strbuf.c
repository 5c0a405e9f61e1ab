#include "httpd/strbuf.h"

#include <string.h>

void strbuf_init(struct strbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

void strbuf_mem(struct strbuf *b, const void *s, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	/* An empty slice may be {NULL, 0}, which memcpy must not be given. */
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
}

void strbuf_str(struct strbuf *b, const char *s) { strbuf_mem(b, s, strlen(s)); }

void strbuf_u64(struct strbuf *b, uint64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	strbuf_mem(b, digits + i, sizeof(digits) - i);
}
