/* HTTP start lines and headers from arbitrary bytes: no read past size, and
 * every field NUL-terminated within its array; --headers' fields within the
 * bytes (or, joined, within their own buffer), and a head is cut exactly
 * when the parser found no end to it.
 * fuzz-sources: user/tracer/proto/ user/common/fmt.c user/common/utf8.c
 */
#include "tracer/proto/http_headers.h"
#include "tracer/proto/http_msg.h"

#include <stdlib.h>
#include <string.h>

static void fuzz_check_field(const char *field, size_t size)
{
	if (!memchr(field, '\0', size))
		abort();
}

static bool fuzz_inside(const uint8_t *p, size_t n, const uint8_t *base, size_t size)
{
	return p >= base && n <= size && (size_t)(p - base) <= size - n;
}

static void fuzz_headers(const uint8_t *data, size_t size, const struct tl_http_msg *m)
{
	static struct tl_http_headers h;

	for (int mode = TL_HEADERS_EXPLAIN; mode <= TL_HEADERS_ALL; mode++) {
		for (int join = 0; join < 2; join++) {
			tl_http_headers_collect(data, size, mode, join, &h);
			if (h.n < 0 || h.n > TL_HTTP_FIELDS_MAX || h.joined_len > sizeof(h.joined))
				abort();
			for (int i = 0; i < h.n; i++)
				if (!fuzz_inside(h.f[i].name, h.f[i].name_len, data, size) ||
				    (!fuzz_inside(h.f[i].value, h.f[i].value_len, data, size) &&
				     !fuzz_inside(h.f[i].value, h.f[i].value_len, h.joined,
						  h.joined_len)))
					abort();
			if (m->kind != TL_HTTP_NONE && m->line_complete &&
			    h.truncated == m->headers_complete)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_http_msg m;
	enum tl_http_kind kind = tl_http_parse(data, size, &m);

	fuzz_check_field(m.method, sizeof(m.method));
	fuzz_check_field(m.uri, sizeof(m.uri));
	fuzz_check_field(m.version, sizeof(m.version));
	fuzz_check_field(m.reason, sizeof(m.reason));
	fuzz_check_field(m.content_type, sizeof(m.content_type));
	fuzz_check_field(m.range, sizeof(m.range));
	fuzz_check_field(m.content_range, sizeof(m.content_range));
	fuzz_check_field(m.connection, sizeof(m.connection));
	fuzz_check_field(m.transfer_encoding, sizeof(m.transfer_encoding));
	if (kind != m.kind || m.header_len > size || m.content_length < -1)
		abort();
	if (m.uri_len >= sizeof(m.uri) || (kind != TL_HTTP_REQUEST && m.uri_len))
		abort();
	/* Bytes that could begin a start line hold no LF, so no line of them
	 * is complete. */
	if (tl_http_could_begin(data, size) &&
	    (!size || memchr(data, '\n', size) || m.line_complete))
		abort();
	if (kind == TL_HTTP_RESPONSE && (m.status < 100 || m.status > 999))
		abort();
	if (m.headers_complete && !m.line_complete)
		abort();
	fuzz_headers(data, size, &m);
	return 0;
}
