#include "tracer/proto/http_headers.h"

#include <string.h>

#include "common/util.h"

/* What a student needs to explain a 304 (the validators), a 206 (Range),
 * a kept-alive or closed connection, and where a body ends. With their
 * lengths: most names are told apart by length alone. */
#define EXPLAINING(name)                                                                           \
	{                                                                                          \
		name, sizeof(name) - 1                                                             \
	}
static const struct {
	const char *name;
	size_t len;
} explaining[] = {
    EXPLAINING("If-None-Match"),  EXPLAINING("If-Modified-Since"),
    EXPLAINING("ETag"),		  EXPLAINING("Last-Modified"),
    EXPLAINING("Cache-Control"),  EXPLAINING("Keep-Alive"),
    EXPLAINING("Connection"),	  EXPLAINING("Range"),
    EXPLAINING("Content-Range"),  EXPLAINING("Transfer-Encoding"),
    EXPLAINING("Content-Length"), EXPLAINING("Content-Type"),
};

/* Whether --headers shows a field of this name by default. */
static bool header_explains(const uint8_t *name, size_t n)
{
	/* Lengths first, here: a call per name and field was --json's cost. */
	for (size_t i = 0; i < ARRAY_SIZE(explaining); i++)
		if (explaining[i].len == n &&
		    tl_http_name_eq(name, n, explaining[i].name, explaining[i].len))
			return true;
	return false;
}

/* The earlier field of the same name, or -1. */
static int headers_find(const struct tl_http_headers *h, const struct tl_http_field *f)
{
	for (int i = 0; i < h->n; i++)
		if (tl_http_name_eq(h->f[i].name, h->f[i].name_len, (const char *)f->name,
				    f->name_len))
			return i;
	return -1;
}

/* Appends f's value to field k's, moving k's into joined unless it ends
 * there already; false when there is no room. */
static bool headers_join(struct tl_http_headers *h, int k, const struct tl_http_field *f)
{
	struct tl_http_field *t = &h->f[k];
	const bool in_place = t->value + t->value_len == h->joined + h->joined_len &&
			      t->value >= h->joined && t->value < h->joined + sizeof(h->joined);
	const size_t need = (in_place ? 0 : t->value_len) + 2 + f->value_len;
	uint8_t *dst;

	if (need > sizeof(h->joined) - h->joined_len)
		return false;
	dst = h->joined + h->joined_len;
	if (!in_place) {
		memcpy(dst, t->value, t->value_len);
		t->value = dst;
		h->joined_len += t->value_len;
	}
	memcpy(h->joined + h->joined_len, ", ", 2);
	memcpy(h->joined + h->joined_len + 2, f->value, f->value_len);
	h->joined_len += 2 + f->value_len;
	t->value_len += 2 + f->value_len;
	return true;
}

/* Whether the line at off can be no explaining field, by its first byte
 * (none of theirs begins with A, H, S, U...): then it is stepped over
 * without splitting, which spares a browser's User-Agent, Accept and sec-ch-*
 * lines, most of its bytes. False for the empty line and a cut line, which
 * tl_http_field_next must see. */
static bool headers_skip(const uint8_t *head, size_t len, size_t *off)
{
	const uint8_t *lf;

	if (*off >= len || strchr("IiEeLlCcKkRrTt\r\n", head[*off]) || !head[*off])
		return false;
	lf = memchr(head + *off, '\n', len - *off);
	if (!lf)
		return false;
	*off = (size_t)(lf - head) + 1;
	return true;
}

void tl_http_headers_collect(const uint8_t *head, size_t len, enum tl_headers_mode mode, bool join,
			     struct tl_http_headers *out)
{
	size_t off = tl_http_head_start(head, len);
	struct tl_http_field f;
	bool end = false;
	int k;

	out->n = 0;
	out->more = false;
	out->truncated = false;
	out->joined_len = 0;
	if (mode == TL_HEADERS_NONE)
		return;
	for (;;) {
		while (mode == TL_HEADERS_EXPLAIN && headers_skip(head, len, &off))
			;
		if (!tl_http_field_next(head, len, &off, &f, &end))
			break;
		if (mode == TL_HEADERS_EXPLAIN && !header_explains(f.name, f.name_len))
			continue;
		k = join ? headers_find(out, &f) : -1;
		if (k >= 0)
			out->more |= !headers_join(out, k, &f);
		else if (out->n < TL_HTTP_FIELDS_MAX)
			out->f[out->n++] = f;
		else
			out->more = true;
	}
	out->truncated = !end;
}
