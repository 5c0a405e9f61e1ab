/* --headers: which fields of a head are shown, as sent; repeated fields
 * joined for JSON; a head the bytes kept cut is marked, never completed. */
#include "tracer/proto/http_headers.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

#define REQ304                                                                                     \
	"GET /logo.png HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5\r\n"               \
	"If-None-Match: \"a-1\"\r\nIf-Modified-Since: Sat, 28 Nov 2026 04:33:45 GMT\r\n\r\n"

struct headers_row {
	int line;
	const char *head;
	size_t len; /* 0: strlen(head) */
	enum tl_headers_mode mode;
	bool join;
	const char *want; /* the fields as "name=value|...", then "+cut" when truncated */
};

static const struct headers_row rows[] = {
    {__LINE__, REQ304, 0, TL_HEADERS_EXPLAIN, false,
     "If-None-Match=\"a-1\"|If-Modified-Since=Sat, 28 Nov 2026 04:33:45 GMT|"},
    {__LINE__, REQ304, 0, TL_HEADERS_ALL, false,
     "Host=127.0.0.1:8080|User-Agent=curl/8.5|If-None-Match=\"a-1\"|If-Modified-Since=Sat, 28 "
     "Nov 2026 04:33:45 GMT|"},
    {__LINE__, REQ304, 0, TL_HEADERS_NONE, false, ""},
    /* Case-insensitive names, kept as sent; OWS around the value dropped. */
    {__LINE__, "HTTP/1.1 304 Not Modified\r\netag:   \"x\"  \r\nKEEP-ALIVE: timeout=5\r\n\r\n", 0,
     TL_HEADERS_EXPLAIN, false, "etag=\"x\"|KEEP-ALIVE=timeout=5|"},
    /* Cut inside If-Modified-Since: that line is not shown, the head is cut. */
    {__LINE__, REQ304, sizeof(REQ304) - 20, TL_HEADERS_EXPLAIN, false,
     "If-None-Match=\"a-1\"|+cut"},
    /* Cut right after a whole line but before the empty one. */
    {__LINE__, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", 0, TL_HEADERS_EXPLAIN, false,
     "Content-Length=5|+cut"},
    /* Cut inside a line that explains nothing: still cut. */
    {__LINE__, "HTTP/1.1 200 OK\r\nETag: \"e\"\r\nServer: tcpl", 0, TL_HEADERS_EXPLAIN, false,
     "ETag=\"e\"|+cut"},
    /* A header after lines stepped over by their first byte; an obs-fold line. */
    {__LINE__,
     "GET / HTTP/1.1\r\nUser-Agent: x\r\n y\r\nAccept: */*\r\nsec-ch-ua: z\r\nrange: "
     "bytes=1-\r\n\r\n",
     0, TL_HEADERS_EXPLAIN, false, "range=bytes=1-|"},
    /* Explaining names found by first byte and colon: a longer name, a space
     * before the colon, an invalid value and a CR inside the name are none. */
    {__LINE__,
     "HTTP/1.1 200 OK\r\nETagx: a\r\nETag : b\r\nETag: \x01\r\nContent\rType: d\r\n"
     "CONNECTION: close\r\nconTent-TYPE:e\r\n\r\n",
     0, TL_HEADERS_EXPLAIN, false, "CONNECTION=close|conTent-TYPE=e|"},
    /* Every explaining name, in lower case as HTTP/2-era clients send them. */
    {__LINE__,
     "HTTP/1.1 200 OK\r\nif-none-match: a\r\nif-modified-since: b\r\netag: c\r\n"
     "last-modified: d\r\ncache-control: e\r\nkeep-alive: f\r\nconnection: g\r\n"
     "range: h\r\ncontent-range: i\r\ntransfer-encoding: j\r\ncontent-length: k\r\n"
     "content-type: l\r\nhost: m\r\n\r\n",
     0, TL_HEADERS_EXPLAIN, false,
     "if-none-match=a|if-modified-since=b|etag=c|last-modified=d|cache-control=e|keep-alive=f|"
     "connection=g|range=h|content-range=i|transfer-encoding=j|content-length=k|content-type=l|"},
    /* Values checked eight bytes at a time: a control or DEL anywhere in a
     * word or in the tail makes no field; HTAB and obs-text are text. */
    {__LINE__,
     "HTTP/1.1 200 OK\r\nX-A: 0123456\x01"
     "789abcdef\r\nX-B: 0123456789abcde\x7f\r\n"
     "X-C: \xff\xfe\x80 0123456789\tabc\r\nX-D: 01234567\x1f\r\nX-E: \x7f"
     "0123456789\r\n"
     "X-F: 0123456789abcdef0123\r\n\r\n",
     0, TL_HEADERS_ALL, false, "X-C=\xff\xfe\x80 0123456789\tabc|X-F=0123456789abcdef0123|"},
    /* The start line alone, cut: no field, cut. */
    {__LINE__, "GET /a", 0, TL_HEADERS_ALL, false, "+cut"},
    /* Bare LF line ends, as tshark accepts them. */
    {__LINE__, "HTTP/1.1 206 Partial Content\nContent-Range: bytes 0-9/100\n\n", 0,
     TL_HEADERS_EXPLAIN, false, "Content-Range=bytes 0-9/100|"},
    /* Lines that are no field are skipped; the next message is not read. */
    {__LINE__,
     "HTTP/1.1 200 OK\r\nbad line\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nETag: y\r\n", 0,
     TL_HEADERS_ALL, false, "Connection=close|"},
    /* Repeated fields: each line as sent, or joined for JSON. */
    {__LINE__,
     "HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nVary: a\r\ncache-control: max-age=0\r\n\r\n", 0,
     TL_HEADERS_ALL, false, "Cache-Control=no-cache|Vary=a|cache-control=max-age=0|"},
    {__LINE__,
     "HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nVary: a\r\ncache-control: max-age=0\r\n\r\n", 0,
     TL_HEADERS_ALL, true, "Cache-Control=no-cache, max-age=0|Vary=a|"},
    {__LINE__, "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\na: 3\r\nb: 4\r\nA: 5\r\n\r\n", 0, TL_HEADERS_ALL,
     true, "A=1, 3, 5|B=2, 4|"},
    /* '^' and '~' differ only in the bit that case folding flips: not the same name. */
    {__LINE__, "HTTP/1.1 200 OK\r\nx^: 1\r\nx~: 2\r\n\r\n", 0, TL_HEADERS_ALL, true, "x^=1|x~=2|"},
};

static void render(const struct tl_http_headers *h, char *out, size_t size)
{
	size_t k = 0;

	out[0] = '\0';
	for (int i = 0; i < h->n; i++)
		k += snprintf(out + k, size - k, "%.*s=%.*s|", (int)h->f[i].name_len, h->f[i].name,
			      (int)h->f[i].value_len, h->f[i].value);
	if (h->truncated)
		snprintf(out + k, size - k, "+cut");
}

static void test_rows(void)
{
	static struct tl_http_headers h;
	char got[1024];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct headers_row *r = &rows[i];
		size_t len = r->len ? r->len : strlen(r->head);

		tl_http_headers_collect((const uint8_t *)r->head, len, r->mode, r->join, &h);
		render(&h, got, sizeof(got));
		UNIT_CHECK_AT(r->line, !strcmp(got, r->want), "headers: got '%s'", got);
	}
}

/* More fields than kept: the rest are said to be left out. */
static void test_many(void)
{
	static struct tl_http_headers h;
	char head[4096] = "HTTP/1.1 200 OK\r\n";
	size_t k = strlen(head);

	for (int i = 0; i < TL_HTTP_FIELDS_MAX + 3; i++)
		k += snprintf(head + k, sizeof(head) - k, "X-%d: v\r\n", i);
	k += snprintf(head + k, sizeof(head) - k, "\r\n");
	tl_http_headers_collect((const uint8_t *)head, k, TL_HEADERS_ALL, true, &h);
	UNIT_CHECK(h.n == TL_HTTP_FIELDS_MAX && h.more && !h.truncated,
		   "headers: %d fields kept of %d, the rest marked", h.n, TL_HTTP_FIELDS_MAX + 3);
}

/* Which names --headers shows by default: any case, and only the whole name. */
static const struct {
	int line;
	const char *name;
	bool shown;
} explains[] = {
    {__LINE__, "if-none-match", true}, {__LINE__, "ETAG", true},
    {__LINE__, "Keep-Alive", true},    {__LINE__, "content-type", true},
    {__LINE__, "Host", false},	       {__LINE__, "User-Agent", false},
    {__LINE__, "ETag2", false},	       {__LINE__, "If-None", false},
};

static void test_explains(void)
{
	for (size_t i = 0; i < sizeof(explains) / sizeof(explains[0]); i++) {
		struct tl_http_headers h;
		char head[128];
		int k = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n%s: v\r\n\r\n",
				 explains[i].name);

		tl_http_headers_collect((const uint8_t *)head, (size_t)k, TL_HEADERS_EXPLAIN, false,
					&h);
		UNIT_CHECK_AT(explains[i].line, h.n == (explains[i].shown ? 1 : 0),
			      "%s %s shown by default", explains[i].name,
			      explains[i].shown ? "is" : "is not");
	}
}

int main(void)
{
	test_rows();
	test_many();
	test_explains();
	return unit_done();
}
