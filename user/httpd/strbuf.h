/* Bounded append-only text buffer: an append that does not fit sets the
 * overflow flag instead of writing past the end, so builders check once. */
#ifndef HTTPD_STRBUF_H
#define HTTPD_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
};

void strbuf_init(struct strbuf *b, char *p, size_t cap);
void strbuf_mem(struct strbuf *b, const void *s, size_t n);
void strbuf_str(struct strbuf *b, const char *s);
void strbuf_u64(struct strbuf *b, uint64_t v);

#endif
