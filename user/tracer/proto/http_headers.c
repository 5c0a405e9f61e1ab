#include "tracer/proto/http_headers.h"

#include <string.h>

/* What a student needs to explain a 304 (the validators), a 206 (Range),
 * a kept-alive or closed connection, and where a body ends. */
enum {
	EX_IF_NONE_MATCH,
	EX_IF_MODIFIED_SINCE,
	EX_ETAG,
	EX_LAST_MODIFIED,
	EX_CACHE_CONTROL,
	EX_KEEP_ALIVE,
	EX_CONNECTION,
	EX_RANGE,
	EX_CONTENT_RANGE,
	EX_TRANSFER_ENCODING,
	EX_CONTENT_LENGTH,
	EX_CONTENT_TYPE,
};
static const struct tl_http_name explaining[] = {
    [EX_IF_NONE_MATCH] = TL_HTTP_NAME("If-None-Match"),
    [EX_IF_MODIFIED_SINCE] = TL_HTTP_NAME("If-Modified-Since"),
    [EX_ETAG] = TL_HTTP_NAME("ETag"),
    [EX_LAST_MODIFIED] = TL_HTTP_NAME("Last-Modified"),
    [EX_CACHE_CONTROL] = TL_HTTP_NAME("Cache-Control"),
    [EX_KEEP_ALIVE] = TL_HTTP_NAME("Keep-Alive"),
    [EX_CONNECTION] = TL_HTTP_NAME("Connection"),
    [EX_RANGE] = TL_HTTP_NAME("Range"),
    [EX_CONTENT_RANGE] = TL_HTTP_NAME("Content-Range"),
    [EX_TRANSFER_ENCODING] = TL_HTTP_NAME("Transfer-Encoding"),
    [EX_CONTENT_LENGTH] = TL_HTTP_NAME("Content-Length"),
    [EX_CONTENT_TYPE] = TL_HTTP_NAME("Content-Type"),
};

#define EX_BIT(field) (1u << (field))
#define EX_C                                                                                       \
	(EX_BIT(EX_CACHE_CONTROL) | EX_BIT(EX_CONNECTION) | EX_BIT(EX_CONTENT_RANGE) |             \
	 EX_BIT(EX_CONTENT_LENGTH) | EX_BIT(EX_CONTENT_TYPE))
#define EX_I (EX_BIT(EX_IF_NONE_MATCH) | EX_BIT(EX_IF_MODIFIED_SINCE))
/* The explaining fields whose names begin with each byte, either case: a
 * browser's User-Agent, Accept and sec-ch-* lines, most of its bytes, and a
 * server's Date and Server, are stepped over by one load. */
static const uint16_t explaining_first[256] = {
    ['C'] = EX_C,
    ['c'] = EX_C,
    ['I'] = EX_I,
    ['i'] = EX_I,
    ['E'] = EX_BIT(EX_ETAG),
    ['e'] = EX_BIT(EX_ETAG),
    ['L'] = EX_BIT(EX_LAST_MODIFIED),
    ['l'] = EX_BIT(EX_LAST_MODIFIED),
    ['K'] = EX_BIT(EX_KEEP_ALIVE),
    ['k'] = EX_BIT(EX_KEEP_ALIVE),
    ['R'] = EX_BIT(EX_RANGE),
    ['r'] = EX_BIT(EX_RANGE),
    ['T'] = EX_BIT(EX_TRANSFER_ENCODING),
    ['t'] = EX_BIT(EX_TRANSFER_ENCODING),
};

/* Which explaining field the line p[0..n) is (tl_http_field_want). */
static int header_explains(const uint8_t *p, size_t n, size_t *name_len)
{
	return tl_http_name_find(p, n, explaining_first[p[0]], explaining, name_len);
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

void tl_http_headers_collect(const uint8_t *head, size_t len, enum tl_headers_mode mode, bool join,
			     struct tl_http_headers *out)
{
	const tl_http_field_want want = mode == TL_HEADERS_EXPLAIN ? header_explains : NULL;
	struct tl_http_field f;
	bool end = false;
	size_t off;
	int k;

	out->n = 0;
	out->more = false;
	out->truncated = false;
	out->joined_len = 0;
	if (mode == TL_HEADERS_NONE)
		return;
	off = tl_http_head_start(head, len);
	while (tl_http_field_next_wanted(head, len, &off, &f, &end, want)) {
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
