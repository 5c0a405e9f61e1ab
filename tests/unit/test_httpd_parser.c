/* The request parser: framing, limits, methods, versions, targets and the
 * header fields the server acts on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "httpd/http_request.h"
#include "unit.h"

#define H "Host: x\r\n"

/* One request parsed from its whole text. */
static int parse(struct http_request *req, const char *buf, size_t len)
{
	http_request_begin(req);
	return http_request_parse(req, buf, len);
}

static const struct {
	int line;
	const char *desc;
	const char *raw;
	int want;		/* 0, -EAGAIN or -EBADMSG */
	enum http_status error; /* with -EBADMSG */
	const char *path;	/* decoded path, with 0 */
} parse_rows[] = {
    {__LINE__, "plain GET", "GET / HTTP/1.1\r\n" H "\r\n", 0, HTTP_OK, "/"},
    {__LINE__, "bare LF line ends", "GET /a HTTP/1.1\n" H "\n", 0, HTTP_OK, "/a"},
    {__LINE__, "empty lines before the request line", "\r\n\r\nGET / HTTP/1.1\r\n" H "\r\n", 0,
     HTTP_OK, "/"},
    {__LINE__, "HTTP/1.0 needs no Host", "GET /x HTTP/1.0\r\n\r\n", 0, HTTP_OK, "/x"},
    {__LINE__, "query is not part of the path", "GET /a%20b?c=%00 HTTP/1.1\r\n" H "\r\n", 0,
     HTTP_OK, "/a b"},
    {__LINE__, "percent-encoded dots and slash decode", "GET /%2e%2E%2fx HTTP/1.1\r\n" H "\r\n", 0,
     HTTP_OK, "/../x"},
    {__LINE__, "absolute-form reduces to its path",
     "GET http://example.org/p/q?x HTTP/1.1\r\n" H "\r\n", 0, HTTP_OK, "/p/q"},
    {__LINE__, "absolute-form without a path", "GET http://example.org HTTP/1.1\r\n" H "\r\n", 0,
     HTTP_OK, "/"},
    {__LINE__, "incomplete request line", "GET / HT", -EAGAIN, HTTP_OK, NULL},
    {__LINE__, "incomplete headers", "GET / HTTP/1.1\r\nHost: x\r\n", -EAGAIN, HTTP_OK, NULL},
    {__LINE__, "nothing but CRLF yet", "\r\n", -EAGAIN, HTTP_OK, NULL},
    {__LINE__, "%00 is refused", "GET /a%00b HTTP/1.1\r\n" H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "truncated escape", "GET /a%2 HTTP/1.1\r\n" H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "non-hex escape", "GET /a%zz HTTP/1.1\r\n" H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "target must start with /", "GET a HTTP/1.1\r\n" H "\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "fragment in target", "GET /a#b HTTP/1.1\r\n" H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "control byte in target", "GET /a\x01 HTTP/1.1\r\n" H "\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "two spaces after method", "GET  / HTTP/1.1\r\n" H "\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "missing version (HTTP/0.9)", "GET /\r\n\r\n", -EBADMSG, HTTP_BAD_REQUEST, NULL},
    {__LINE__, "lower-case version", "GET / http/1.1\r\n" H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "HTTP/2.0 is not supported", "GET / HTTP/2.0\r\n" H "\r\n", -EBADMSG,
     HTTP_VERSION_NOT_SUPPORTED, NULL},
    {__LINE__, "bad method character", "G(T / HTTP/1.1\r\n" H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", -EBADMSG, HTTP_BAD_REQUEST, NULL},
    {__LINE__, "two Host fields", "GET / HTTP/1.1\r\n" H H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "space before colon", "GET / HTTP/1.1\r\n" H "Range : bytes=0-1\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "obs-fold", "GET / HTTP/1.1\r\n" H "X-A: 1\r\n 2\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "header without colon", "GET / HTTP/1.1\r\n" H "Nonsense\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "bare CR in a value", "GET / HTTP/1.1\r\n" H "X-A: a\rb\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Content-Length not a number", "GET / HTTP/1.1\r\n" H "Content-Length: 1x\r\n\r\n",
     -EBADMSG, HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Content-Length overflow",
     "GET / HTTP/1.1\r\n" H "Content-Length: 99999999999999999999\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "two different Content-Lengths",
     "POST / HTTP/1.1\r\n" H "Content-Length: 1\r\nContent-Length: 2\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Content-Length with Transfer-Encoding",
     "POST / HTTP/1.1\r\n" H "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "chunked is understood",
     "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n\r\n", 0, HTTP_OK, "/"},
    {__LINE__, "unknown Transfer-Encoding: 501",
     "POST / HTTP/1.1\r\n" H "Transfer-Encoding: gzip, chunked\r\n\r\n", -EBADMSG,
     HTTP_NOT_IMPLEMENTED, NULL},
    {__LINE__, "chunked applied twice",
     "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     -EBADMSG, HTTP_BAD_REQUEST, NULL},
    {__LINE__, "empty Transfer-Encoding", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: ,\r\n\r\n",
     -EBADMSG, HTTP_BAD_REQUEST, NULL},
    {__LINE__, "HTTP/10.0: 505, not 400", "GET / HTTP/10.0\r\n" H "\r\n", -EBADMSG,
     HTTP_VERSION_NOT_SUPPORTED, NULL},
    {__LINE__, "HTTP/0.9 with a version: 505", "GET / HTTP/0.9\r\n\r\n", -EBADMSG,
     HTTP_VERSION_NOT_SUPPORTED, NULL},
    {__LINE__, "version with 4 digits", "GET / HTTP/1000.0\r\n" H "\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "version without minor", "GET / HTTP/1.\r\n" H "\r\n", -EBADMSG, HTTP_BAD_REQUEST,
     NULL},
    {__LINE__, "request line ending in a bare CR: 400 at once", "GET / HTTP/1.1\rHost: x", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "a CR last may still be followed by LF", "GET / HTTP/1.1\r", -EAGAIN, HTTP_OK, NULL},
    {__LINE__, "header line ending in a bare CR", "GET / HTTP/1.1\r\nHost: x\rX: y", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Host with port", "GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", 0, HTTP_OK, "/"},
    {__LINE__, "Host IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0, HTTP_OK, "/"},
    {__LINE__, "Host empty (RFC 9112 allows it)", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 0, HTTP_OK,
     "/"},
    {__LINE__, "Host percent-encoded", "GET / HTTP/1.1\r\nHost: a%2Db\r\n\r\n", 0, HTTP_OK, "/"},
    {__LINE__, "Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Host with userinfo", "GET / HTTP/1.1\r\nHost: u:p@x\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Host with a slash", "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Host port too large", "GET / HTTP/1.1\r\nHost: x:65536\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Host port not a number", "GET / HTTP/1.1\r\nHost: x:8o\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Host bad IPv6 literal", "GET / HTTP/1.1\r\nHost: [::g]\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "Host bad percent-encoding", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "absolute-form with userinfo", "GET http://u:p@x/ HTTP/1.1\r\n" H "\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "absolute-form with an empty host", "GET http:///a HTTP/1.1\r\n" H "\r\n", -EBADMSG,
     HTTP_BAD_REQUEST, NULL},
    {__LINE__, "absolute-form with host and port", "GET http://[::1]:8080/a HTTP/1.1\r\n" H "\r\n",
     0, HTTP_OK, "/a"},
};

/* The same request arriving a byte at a time parses as it does whole. */
static void check_incremental(void)
{
	for (size_t i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		static struct http_request whole, bytes;
		const char *raw = parse_rows[i].raw;
		size_t len = strlen(raw), n = 0;
		int want = parse(&whole, raw, len), got = -EAGAIN;

		http_request_begin(&bytes);
		while (got == -EAGAIN && n < len)
			got = http_request_parse(&bytes, raw, ++n);
		UNIT_CHECK_AT(parse_rows[i].line,
			      got == want && bytes.error == whole.error &&
				  bytes.length == whole.length &&
				  strcmp(bytes.decoded, whole.decoded) == 0,
			      "%s: byte by byte as whole (%d at %zu of %zu)", parse_rows[i].desc,
			      got, n, len);
	}
}

static void check_parse_rows(void)
{
	for (size_t i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		static struct http_request req;
		int got = parse(&req, parse_rows[i].raw, strlen(parse_rows[i].raw));

		UNIT_CHECK_AT(parse_rows[i].line, got == parse_rows[i].want, "%s: result %d",
			      parse_rows[i].desc, got);
		if (got == -EBADMSG && parse_rows[i].want == -EBADMSG)
			UNIT_CHECK_AT(parse_rows[i].line, req.error == parse_rows[i].error,
				      "%s: status %d", parse_rows[i].desc, (int)req.error);
		if (got == 0 && parse_rows[i].path)
			UNIT_CHECK_AT(parse_rows[i].line,
				      strcmp(req.decoded, parse_rows[i].path) == 0, "%s: path '%s'",
				      parse_rows[i].desc, req.decoded);
	}
}

/* Fields of well-formed requests. */
static const struct {
	int line;
	const char *desc;
	const char *raw;
	enum http_method method;
	int minor;
	bool conn_close;
	bool keep_alive;
	uint64_t content_length;
	const char *range; /* value of Range, "" when absent */
	const char *query;
} field_rows[] = {
    {__LINE__, "HEAD", "HEAD / HTTP/1.1\r\n" H "\r\n", HTTP_METHOD_HEAD, 1, false, false, 0, "",
     ""},
    {__LINE__, "methods are case-sensitive", "get / HTTP/1.1\r\n" H "\r\n", HTTP_METHOD_OTHER, 1,
     false, false, 0, "", ""},
    {__LINE__, "POST with a body length", "POST /f HTTP/1.1\r\n" H "Content-Length: 12\r\n\r\n",
     HTTP_METHOD_OTHER, 1, false, false, 12, "", ""},
    {__LINE__, "Connection: close, any case", "GET / HTTP/1.1\r\n" H "connection: CLOSE\r\n\r\n",
     HTTP_METHOD_GET, 1, true, false, 0, "", ""},
    {__LINE__, "Connection token list", "GET / HTTP/1.0\r\nConnection: Upgrade, keep-alive\r\n\r\n",
     HTTP_METHOD_GET, 0, false, true, 0, "", ""},
    {__LINE__, "a header merely containing 'close' is not Connection",
     "GET / HTTP/1.1\r\n" H "X-Connection: close\r\nX: Connection: close\r\n\r\n", HTTP_METHOD_GET,
     1, false, false, 0, "", ""},
    {__LINE__, "Range value trimmed", "GET / HTTP/1.1\r\n" H "RANGE:   bytes=1-2 \t\r\n\r\n",
     HTTP_METHOD_GET, 1, false, false, 0, "bytes=1-2", ""},
    {__LINE__, "query kept", "GET /d?x=1&y HTTP/1.1\r\n" H "\r\n", HTTP_METHOD_GET, 1, false, false,
     0, "", "?x=1&y"},
    {__LINE__, "HTTP/1.9 treated as 1.x", "GET / HTTP/1.9\r\n" H "\r\n", HTTP_METHOD_GET, 9, false,
     false, 0, "", ""},
};

static void check_field_rows(void)
{
	for (size_t i = 0; i < sizeof(field_rows) / sizeof(field_rows[0]); i++) {
		static struct http_request req;
		const char *raw = field_rows[i].raw;
		int got = parse(&req, raw, strlen(raw));
		int line = field_rows[i].line;

		UNIT_CHECK_AT(line, got == 0 && req.length == strlen(raw), "%s: parsed (%d)",
			      field_rows[i].desc, got);
		UNIT_CHECK_AT(
		    line, req.method == field_rows[i].method && req.minor == field_rows[i].minor,
		    "%s: method and version", field_rows[i].desc);
		UNIT_CHECK_AT(line,
			      req.conn_close == field_rows[i].conn_close &&
				  req.conn_keep_alive == field_rows[i].keep_alive,
			      "%s: connection tokens", field_rows[i].desc);
		UNIT_CHECK_AT(line, req.content_length == field_rows[i].content_length,
			      "%s: content length", field_rows[i].desc);
		UNIT_CHECK_AT(line,
			      req.range.len == strlen(field_rows[i].range) &&
				  memcmp(req.range.p ? req.range.p : "", field_rows[i].range,
					 req.range.len) == 0,
			      "%s: range", field_rows[i].desc);
		UNIT_CHECK_AT(line,
			      req.query.len == strlen(field_rows[i].query) &&
				  memcmp(req.query.p, field_rows[i].query, req.query.len) == 0,
			      "%s: query", field_rows[i].desc);
	}
}

/* Pipelined input: the parser reports the first request's length only. */
static void check_pipelined(void)
{
	static struct http_request req;
	const char *two = "GET /1 HTTP/1.1\r\n" H "\r\nGET /2 HTTP/1.1\r\n" H "\r\n";
	size_t first = strlen("GET /1 HTTP/1.1\r\n" H "\r\n");

	UNIT_CHECK(parse(&req, two, strlen(two)) == 0 && req.length == first &&
		       strcmp(req.decoded, "/1") == 0,
		   "pipelined: first request and its length");
	UNIT_CHECK(parse(&req, two + first, strlen(two) - first) == 0 &&
		       strcmp(req.decoded, "/2") == 0,
		   "pipelined: second request");
}

/* Limits: 414 past HTTP_LINE_MAX, 431 past HTTP_HEADERS_MAX, each whether
 * the line or block is complete or still arriving. */
static void check_limits(void)
{
	static struct http_request req;
	static char buf[HTTP_REQUEST_MAX + 64];
	size_t n;

	n = (size_t)sprintf(buf, "GET /");
	memset(buf + n, 'a', HTTP_LINE_MAX);
	UNIT_CHECK(parse(&req, buf, n + HTTP_LINE_MAX) == -EBADMSG &&
		       req.error == HTTP_URI_TOO_LONG,
		   "request line over the limit, unterminated: 414");
	memcpy(buf + n + HTTP_LINE_MAX, " HTTP/1.1\r\n", 11);
	UNIT_CHECK(parse(&req, buf, n + HTTP_LINE_MAX + 11) == -EBADMSG &&
		       req.error == HTTP_URI_TOO_LONG,
		   "request line over the limit, complete: 414");
	n = (size_t)sprintf(buf, "GET /%0*d HTTP/1.1\r\n", HTTP_LINE_MAX - 16, 0);
	UNIT_CHECK(n == HTTP_LINE_MAX && parse(&req, buf, n) == -EAGAIN,
		   "request line of exactly the limit is accepted");
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nX: ");
	memset(buf + n, 'b', HTTP_HEADERS_MAX);
	UNIT_CHECK(parse(&req, buf, n + HTTP_HEADERS_MAX) == -EBADMSG &&
		       req.error == HTTP_HEADERS_TOO_LARGE,
		   "header block over the limit: 431");
	UNIT_CHECK(parse(&req, buf, n + HTTP_HEADERS_MAX - 100) == -EAGAIN,
		   "header block under the limit, incomplete: need more");
}

int main(void)
{
	check_parse_rows();
	check_incremental();
	check_field_rows();
	check_pipelined();
	check_limits();
	return unit_done();
}
