/* HTTP start lines and headers: strict syntax, cut input, hostile bytes.
 * Every input is parsed from a heap copy of exactly its length, so that the
 * ASan build catches a read past len. */
#include "tracer/proto/http_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* IN("..."): the bytes of a literal, NULs included, without the final NUL. */
#define IN(s) .in = (s), .len = sizeof(s) - 1

/* Expected fields; NULL strings expect "", and content_length 0 in a row
 * means -1 unless has_clen is set. */
struct http_row {
	int line;
	const char *desc;
	const char *in;
	size_t len;
	enum tl_http_kind kind;
	const char *method, *uri, *version, *reason;
	int status;
	bool line_complete, headers_complete;
	size_t header_len;
	const char *ctype, *range, *crange, *conn;
	bool has_clen;
	int64_t clen;
	const char *te;
	bool chunked;
	size_t uri_len; /* when set, uri is compared for this many bytes, NULs included */
	bool uri_truncated;
};

#define REQ TL_HTTP_REQUEST
#define RSP TL_HTTP_RESPONSE
#define NONE TL_HTTP_NONE

static const struct http_row http_rows[] = {
    /* Start lines. */
    {__LINE__, "GET with headers", IN("GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n"), REQ, "GET",
     "/a?b=1", "HTTP/1.1", .line_complete = true, .headers_complete = true, .header_len = 32},
    {__LINE__, "LF line ends", IN("GET / HTTP/1.0\nHost: x\n\nbody"), REQ, "GET", "/", "HTTP/1.0",
     .line_complete = true, .headers_complete = true, .header_len = 24},
    {__LINE__, "response", IN("HTTP/1.1 200 OK\r\n\r\n"), RSP, .version = "HTTP/1.1", .status = 200,
     .reason = "OK", .line_complete = true, .headers_complete = true, .header_len = 19},
    {__LINE__, "reason with spaces and obs-text", IN("HTTP/1.1 404 Not \xc3\xa9 Found\r\n"), RSP,
     .version = "HTTP/1.1", .status = 404, .reason = "Not \xc3\xa9 Found", .line_complete = true},
    {__LINE__, "empty reason", IN("HTTP/1.1 204 \r\n"), RSP, .version = "HTTP/1.1", .status = 204,
     .line_complete = true},
    {__LINE__, "no reason", IN("HTTP/1.1 304\r\n"), RSP, .version = "HTTP/1.1", .status = 304,
     .line_complete = true},
    {__LINE__, "status 999", IN("HTTP/1.1 999 X\n"), RSP, .version = "HTTP/1.1", .status = 999,
     .reason = "X", .line_complete = true},
    {__LINE__, "status 099", IN("HTTP/1.1 099 X\r\n"), NONE},
    {__LINE__, "four-digit status", IN("HTTP/1.1 2000 OK\r\n"), NONE},
    {__LINE__, "status glued to reason", IN("HTTP/1.1 200OK\r\n"), NONE},
    {__LINE__, "NUL in reason", IN("HTTP/1.1 200 O\0K\r\n"), NONE},
    {__LINE__, "bare CR in reason", IN("HTTP/1.1 200 O\rK\r\n"), NONE},
    {__LINE__, "tchar method", IN("M-SEARCH * HTTP/1.1\r\n"), REQ, "M-SEARCH", "*", "HTTP/1.1",
     .line_complete = true},
    {__LINE__, "lowercase method", IN("get / HTTP/1.1\r\n"), REQ, "get", "/", "HTTP/1.1",
     .line_complete = true},
    {__LINE__, "UTF-8 in target", IN("GET /caf\xc3\xa9 HTTP/1.1\r\n"), REQ, "GET", "/caf\xc3\xa9",
     "HTTP/1.1", .line_complete = true},
    {__LINE__, "separator in method", IN("GE(T / HTTP/1.1\r\n"), NONE},
    {__LINE__, "two spaces", IN("GET  / HTTP/1.1\r\n"), NONE},
    /* Bytes a target should not hold still make a request, as for tshark. */
    {__LINE__, "tab in target", IN("GET /a\tb HTTP/1.1\r\n"), REQ, "GET", "/a\tb", "HTTP/1.1",
     .line_complete = true, .uri_len = 4},
    {__LINE__, "DEL in target", IN("GET /a\x7f HTTP/1.1\r\n"), REQ, "GET", "/a\x7f", "HTTP/1.1",
     .line_complete = true, .uri_len = 3},
    {__LINE__, "NUL in target", IN("GET /a\0 HTTP/1.1\r\n"), REQ, "GET", "/a\0", "HTTP/1.1",
     .line_complete = true, .uri_len = 3},
    {__LINE__, "controls, NUL, invalid UTF-8 in target",
     IN("GET /\x00\x01\xfe\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n"), REQ, "GET", "/\x00\x01\xfe\x1b[2J",
     "HTTP/1.1", .line_complete = true, .headers_complete = true, .header_len = 34, .uri_len = 8},
    {__LINE__, "bare CR in target", IN("GET /a\rb HTTP/1.1\r\n"), NONE},
    {__LINE__, "version HTTP/1.10", IN("GET / HTTP/1.10\r\n"), NONE},
    {__LINE__, "version HTTP/11", IN("GET / HTTP/11\r\n"), NONE},
    {__LINE__, "version lowercase", IN("GET / http/1.1\r\n"), NONE},
    {__LINE__, "status version not HTTP/", IN("HTTX/1.1 200 OK\r\n"), NONE},
    {__LINE__, "status version major not a digit", IN("HTTP/a.1 200 OK\r\n"), NONE},
    {__LINE__, "status version without its dot", IN("HTTP/1x1 200 OK\r\n"), NONE},
    {__LINE__, "status version minor not a digit", IN("HTTP/1.: 200 OK\r\n"), NONE},
    {__LINE__, "request version minor not a digit", IN("GET / HTTP/1./\r\n"), NONE},
    {__LINE__, "space after version", IN("GET / HTTP/1.1 \r\n"), NONE},
    {__LINE__, "bare CR before CRLF", IN("GET / HTTP/1.1\r\r\n"), NONE},
    {__LINE__, "HTTP/0.9 style", IN("GET /\r\n"), NONE},
    {__LINE__, "leading CRLF", IN("\r\nGET / HTTP/1.1\r\n"), NONE},
    {__LINE__, "binary", IN("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), NONE},
    {__LINE__, "empty", IN(""), NONE},
    /* Start lines cut by the end of the bytes. */
    {__LINE__, "cut after version", IN("GET /index.html HTTP/1.1"), REQ, "GET", "/index.html",
     "HTTP/1.1"},
    {__LINE__, "cut in CRLF", IN("GET / HTTP/1.1\r"), REQ, "GET", "/", "HTTP/1.1"},
    {__LINE__, "cut in version", IN("GET /index.html HTTP/1."), REQ, "GET", "/index.html", ""},
    {__LINE__, "cut after target", IN("GET /index.html "), REQ, "GET", "/index.html", ""},
    {__LINE__, "cut in target", IN("GET /index.html"), REQ, "GET", "/index.html", "",
     .uri_truncated = true, .uri_len = 11},
    {__LINE__, "cut in version: the target's length too",
     IN("GET /a\x00"
	"b HTTP/1."),
     REQ, "GET",
     "/a\x00"
     "b",
     "", .uri_len = 4},
    {__LINE__, "cut, not a version", IN("GET /index.html XTTP/1."), NONE},
    {__LINE__, "cut, two spaces", IN("GET /index.html  "), NONE},
    {__LINE__, "cut in method", IN("GET"), NONE},
    {__LINE__, "cut before target", IN("GET "), NONE},
    {__LINE__, "cut after code", IN("HTTP/1.1 200"), RSP, .version = "HTTP/1.1", .status = 200},
    {__LINE__, "cut in reason", IN("HTTP/1.1 206 Partial Con"), RSP, .version = "HTTP/1.1",
     .status = 206, .reason = "Partial Con"},
    {__LINE__, "cut in code", IN("HTTP/1.1 20"), NONE},
    /* Headers. */
    {__LINE__, "reported headers",
     IN("HTTP/1.1 206 Partial Content\r\nContent-Type: video/mp4\r\nContent-Length: 100\r\n"
	"Content-Range: bytes 0-99/1000\r\nConnection: keep-alive\r\n\r\n"),
     RSP, .version = "HTTP/1.1", .status = 206, .reason = "Partial Content", .line_complete = true,
     .headers_complete = true, .header_len = 134, .ctype = "video/mp4", .crange = "bytes 0-99/1000",
     .conn = "keep-alive", .has_clen = true, .clen = 100},
    {__LINE__, "Range", IN("GET /v HTTP/1.1\r\nRange: bytes=0-\r\n"), REQ, "GET", "/v", "HTTP/1.1",
     .line_complete = true, .range = "bytes=0-"},
    {__LINE__, "names match in any case", IN("GET / HTTP/1.1\r\ncontent-TYPE: a/b\r\n"), REQ, "GET",
     "/", "HTTP/1.1", .line_complete = true, .ctype = "a/b"},
    {__LINE__, "longer name does not match", IN("GET / HTTP/1.1\r\nContent-Types: a/b\r\n"), REQ,
     "GET", "/", "HTTP/1.1", .line_complete = true},
    {__LINE__, "name suffix does not match", IN("GET / HTTP/1.1\r\nX-Content-Type: a/b\r\n"), REQ,
     "GET", "/", "HTTP/1.1", .line_complete = true},
    {__LINE__, "space before colon", IN("GET / HTTP/1.1\r\nContent-Type : a/b\r\n"), REQ, "GET",
     "/", "HTTP/1.1", .line_complete = true},
    {__LINE__, "OWS trimmed", IN("GET / HTTP/1.1\r\nConnection:\t close \t\r\n"), REQ, "GET", "/",
     "HTTP/1.1", .line_complete = true, .conn = "close"},
    {__LINE__, "empty value", IN("GET / HTTP/1.1\r\nConnection:\r\n"), REQ, "GET", "/", "HTTP/1.1",
     .line_complete = true},
    {__LINE__, "first of repeated fields", IN("GET / HTTP/1.1\r\nRange: a\r\nRange: b\r\n"), REQ,
     "GET", "/", "HTTP/1.1", .line_complete = true, .range = "a"},
    {__LINE__, "NUL in value drops the line", IN("GET / HTTP/1.1\r\nRange: a\0b\r\n"), REQ, "GET",
     "/", "HTTP/1.1", .line_complete = true},
    {__LINE__, "obs-fold line ignored", IN("GET / HTTP/1.1\r\nRange: a\r\n b\r\n\r\n"), REQ, "GET",
     "/", "HTTP/1.1", .line_complete = true, .headers_complete = true, .header_len = 32,
     .range = "a"},
    {__LINE__, "header cut by the end", IN("GET / HTTP/1.1\r\nContent-Type: text/ht"), REQ, "GET",
     "/", "HTTP/1.1", .line_complete = true},
    {__LINE__, "body not read as headers", IN("GET / HTTP/1.1\r\n\r\nRange: a\r\n"), REQ, "GET",
     "/", "HTTP/1.1", .line_complete = true, .headers_complete = true, .header_len = 18},
    {__LINE__, "Transfer-Encoding: chunked",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), RSP,
     .version = "HTTP/1.1", .status = 200, .reason = "OK", .line_complete = true,
     .headers_complete = true, .header_len = 66, .has_clen = true, .clen = 5, .te = "chunked",
     .chunked = true},
    {__LINE__, "chunked last of a list",
     IN("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip ,Chunked\r\n"), RSP, .version = "HTTP/1.1",
     .status = 200, .reason = "OK", .line_complete = true, .te = "gzip ,Chunked", .chunked = true},
    {__LINE__, "chunked not last", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n"),
     RSP, .version = "HTTP/1.1", .status = 200, .reason = "OK", .line_complete = true,
     .te = "chunked, gzip"},
    {__LINE__, "repeated Transfer-Encoding: the last counts",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), RSP,
     .version = "HTTP/1.1", .status = 200, .reason = "OK", .line_complete = true, .te = "gzip",
     .chunked = true},
    {__LINE__, "chunkeds is not chunked", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkeds\r\n"),
     RSP, .version = "HTTP/1.1", .status = 200, .reason = "OK", .line_complete = true,
     .te = "chunkeds"},
    {__LINE__, "garbage header line skipped", IN("GET / HTTP/1.1\r\n\x01\xff\r\nRange: a\r\n\r\n"),
     REQ, "GET", "/", "HTTP/1.1", .line_complete = true, .headers_complete = true, .header_len = 32,
     .range = "a"},
};

/* Content-Length values, alone or repeated. */
struct clen_row {
	int line;
	const char *headers;
	int64_t want;
};

static const struct clen_row clen_rows[] = {
    {__LINE__, "Content-Length: 0\r\n", 0},
    {__LINE__, "Content-Length: 00012\r\n", 12},
    {__LINE__, "content-length:  42 \r\n", 42},
    {__LINE__, "Content-Length: 9223372036854775807\r\n", INT64_MAX},
    {__LINE__, "Content-Length: 9223372036854775808\r\n", -1},
    {__LINE__, "Content-Length: 99999999999999999999999\r\n", -1},
    {__LINE__, "Content-Length: +5\r\n", -1},
    {__LINE__, "Content-Length: -1\r\n", -1},
    {__LINE__, "Content-Length: 0x10\r\n", -1},
    {__LINE__, "Content-Length: 5 5\r\n", -1},
    {__LINE__, "Content-Length: 5, 5\r\n", -1},
    {__LINE__, "Content-Length:\r\n", -1},
    {__LINE__, "Content-Length: 5\r\nContent-Length: 5\r\n", 5},
    {__LINE__, "Content-Length: 5\r\nContent-Length: 6\r\n", -1},
    {__LINE__, "Content-Length: x\r\nContent-Length: 6\r\n", -1},
    {__LINE__, "Content-Length: 5\r\nContent-Length: 5\r\nContent-Length: 7\r\n", -1},
    {__LINE__, "Content-Lengths: 5\r\n", -1},
    /* Names told apart by first byte and colon before any compare. */
    {__LINE__, "CONTENT-LENGTH: 7\r\n", 7},
    {__LINE__, "cOnTeNt-LeNgTh:7\r\n", 7},
    {__LINE__, "Content-Length : 5\r\n", -1},
    {__LINE__, "XContent-Length: 5\r\n", -1},
    {__LINE__, "Content\rLength: 5\r\n", -1},
    {__LINE__, "Content-Lengt: 5\r\n", -1},
    {__LINE__, "Content-Length: 5\x01\r\n", -1},
    {__LINE__, "Content-Type: x\r\nConnection: y\r\nContent-Length: 3\r\n", 3},
};

/* Keep-Alive's timeout, which the status line names. */
static const struct {
	int line;
	const char *headers;
	unsigned want;
} keep_alive_rows[] = {
    {__LINE__, "Keep-Alive: timeout=5\r\n", 5},
    {__LINE__, "keep-alive: timeout=5, max=100\r\n", 5},
    {__LINE__, "Keep-Alive: max=100, timeout=15\r\n", 15},
    {__LINE__, "Keep-Alive: max=100,timeout=7\r\n", 7},
    {__LINE__, "Keep-Alive: xtimeout=5\r\n", 0},
    {__LINE__, "Keep-Alive: max=5\r\n", 0},
    {__LINE__, "Keep-Alive: timeout=\r\n", 0},
    {__LINE__, "Keep-Alive: timeout=99999999999\r\n", 9999999},
    {__LINE__, "Connection: keep-alive\r\n", 0},
};

static enum tl_http_kind parse_copy(const char *in, size_t len, struct tl_http_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum tl_http_kind kind;

	memcpy(copy, in, len);
	kind = tl_http_parse(copy, len, m);
	free(copy);
	return kind;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

/* Appends "name: want 'x' got 'y'; " to diff when a string field differs. */
static void diff_str(char *diff, size_t size, const char *name, const char *want, const char *got)
{
	size_t n = strlen(diff);

	if (strcmp(or_empty(want), got))
		snprintf(diff + n, size - n, " %s: want '%s' got '%s';", name, or_empty(want), got);
}

static void diff_num(char *diff, size_t size, const char *name, long long want, long long got)
{
	size_t n = strlen(diff);

	if (want != got)
		snprintf(diff + n, size - n, " %s: want %lld got %lld;", name, want, got);
}

static void check_http_row(const struct http_row *row)
{
	struct tl_http_msg m;
	char diff[1024] = "";
	enum tl_http_kind kind = parse_copy(row->in, row->len, &m);

	diff_num(diff, sizeof(diff), "kind", row->kind, kind);
	diff_num(diff, sizeof(diff), "m.kind", row->kind, m.kind);
	diff_str(diff, sizeof(diff), "method", row->method, m.method);
	diff_str(diff, sizeof(diff), "uri", row->uri, m.uri);
	if (row->uri_len) {
		diff_num(diff, sizeof(diff), "uri_len", (long long)row->uri_len,
			 (long long)m.uri_len);
		if (m.uri_len == row->uri_len && memcmp(m.uri, row->uri, row->uri_len))
			strcat(diff, " uri bytes differ;");
	}
	diff_str(diff, sizeof(diff), "transfer_encoding", row->te, m.transfer_encoding);
	diff_num(diff, sizeof(diff), "chunked", row->chunked, m.chunked);
	diff_str(diff, sizeof(diff), "version", row->version, m.version);
	diff_num(diff, sizeof(diff), "status", row->status, m.status);
	diff_str(diff, sizeof(diff), "reason", row->reason, m.reason);
	diff_num(diff, sizeof(diff), "line_complete", row->line_complete, m.line_complete);
	diff_num(diff, sizeof(diff), "headers_complete", row->headers_complete, m.headers_complete);
	diff_num(diff, sizeof(diff), "header_len", (long long)row->header_len,
		 (long long)m.header_len);
	diff_str(diff, sizeof(diff), "content_type", row->ctype, m.content_type);
	diff_str(diff, sizeof(diff), "range", row->range, m.range);
	diff_str(diff, sizeof(diff), "content_range", row->crange, m.content_range);
	diff_str(diff, sizeof(diff), "connection", row->conn, m.connection);
	diff_num(diff, sizeof(diff), "content_length", row->has_clen ? row->clen : -1,
		 m.content_length);
	diff_num(diff, sizeof(diff), "uri_truncated", row->uri_truncated, m.uri_truncated);
	UNIT_CHECK_AT(row->line, !diff[0], "%s%s", row->desc, diff);
}

static void check_clen_row(const struct clen_row *row)
{
	char in[256];
	struct tl_http_msg m;
	int n = snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\n%s\r\n", row->headers);

	parse_copy(in, (size_t)n, &m);
	UNIT_CHECK_AT(row->line, m.content_length == row->want,
		      "Content-Length %.*s -> %lld (got %lld)", (int)strcspn(row->headers, "\r"),
		      row->headers, (long long)row->want, (long long)m.content_length);
}

static void check_keep_alive_rows(void)
{
	for (size_t i = 0; i < sizeof(keep_alive_rows) / sizeof(keep_alive_rows[0]); i++) {
		char in[256];
		struct tl_http_msg m;
		int n = snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\n%s\r\n",
				 keep_alive_rows[i].headers);

		parse_copy(in, (size_t)n, &m);
		UNIT_CHECK_AT(keep_alive_rows[i].line, m.keep_alive_s == keep_alive_rows[i].want,
			      "%.*s -> keep-alive %u s (got %u)",
			      (int)strcspn(keep_alive_rows[i].headers, "\r"),
			      keep_alive_rows[i].headers, keep_alive_rows[i].want, m.keep_alive_s);
	}
}

/* Fields that do not fit are cut at their size, NUL-terminated. */
static void check_http_long(void)
{
	char in[2048], want[TL_HTTP_URI_MAX];
	struct tl_http_msg m;
	int n;

	memset(want, 'a', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	n = snprintf(in, sizeof(in), "GET /%s HTTP/1.1\r\nContent-Type: %s%s\r\n\r\n", want, want,
		     want);
	parse_copy(in, (size_t)n, &m);
	UNIT_CHECK(m.kind == TL_HTTP_REQUEST && m.uri_truncated &&
		       strlen(m.uri) == TL_HTTP_URI_MAX - 1 && !strncmp(m.uri, "/aaa", 4),
		   "long URI cut to %d bytes and flagged", TL_HTTP_URI_MAX - 1);
	UNIT_CHECK(strlen(m.content_type) == TL_HTTP_HEADER_MAX - 1 && m.headers_complete,
		   "long header value cut to %d bytes", TL_HTTP_HEADER_MAX - 1);
	n = snprintf(in, sizeof(in), "%.*s / HTTP/1.1\r\n", 40, want);
	parse_copy(in, (size_t)n, &m);
	UNIT_CHECK(m.kind == TL_HTTP_REQUEST && strlen(m.method) == TL_HTTP_METHOD_MAX - 1 &&
		       !m.uri_truncated,
		   "long method cut to %d bytes", TL_HTTP_METHOD_MAX - 1);
	n = snprintf(in, sizeof(in), "HTTP/1.1 200 %s\r\n", want);
	parse_copy(in, (size_t)n, &m);
	UNIT_CHECK(m.kind == TL_HTTP_RESPONSE && strlen(m.reason) == TL_HTTP_REASON_MAX - 1,
		   "long reason cut to %d bytes", TL_HTTP_REASON_MAX - 1);
}

/* Every prefix of a message: a request once its target has begun, and the
 * headers only from whole lines. */
static void check_http_prefixes(void)
{
	static const char msg[] =
	    "GET /x HTTP/1.1\r\nRange: bytes=1-2\r\nContent-Length: 12\r\n\r\n";
	size_t len, bad = 0;
	struct tl_http_msg m;

	for (len = 0; len < sizeof(msg); len++) {
		enum tl_http_kind kind = parse_copy(msg, len, &m);
		bool want_req = len >= strlen("GET /");
		bool want_range = len >= strlen("GET /x HTTP/1.1\r\nRange: bytes=1-2\r\n");

		if ((kind == TL_HTTP_REQUEST) != want_req ||
		    (!strcmp(m.range, "bytes=1-2")) != want_range ||
		    m.headers_complete != (len == sizeof(msg) - 1))
			bad++;
	}
	UNIT_CHECK(!bad, "every prefix of a request (%zu wrong)", bad);
}

/* Whether cut bytes may still become a start line: what a segment boundary
 * leaves of a head ("GE" + "T / HTTP/1.1..."). */
struct begin_row {
	int line;
	const char *in;
	size_t len;
	bool want;
};

static const struct begin_row begin_rows[] = {
    {__LINE__, IN("G"), true},
    {__LINE__, IN("GE"), true},
    {__LINE__, IN("GET"), true},
    {__LINE__, IN("GET "), true},
    {__LINE__, IN("GET /index.h"), true},
    {__LINE__, IN("GET /\x00\x01\xfe\x1b[2J"), true},
    {__LINE__, IN("GET /index.html "), true},
    {__LINE__, IN("GET /index.html HT"), true},
    {__LINE__, IN("GET /index.html HTTP/1."), true},
    {__LINE__, IN("GET /index.html HTTP/1.1\r"), true},
    {__LINE__, IN("H"), true},
    {__LINE__, IN("HTTP/1"), true},
    {__LINE__, IN("HTTP/1.1 2"), true},
    {__LINE__, IN(""), false},
    {__LINE__, IN("GET  /"), false},
    {__LINE__, IN("GET / X"), false},
    {__LINE__, IN("GET / HTTP/1.1x"), false},
    {__LINE__, IN("GE\n"), false},
    {__LINE__, IN("(GET"), false},
    {__LINE__, IN("\r\n"), false},
    {__LINE__, IN("\x16\x03\x01"), false},
};

static void check_begin_row(const struct begin_row *row)
{
	uint8_t *copy = malloc(row->len ? row->len : 1);
	bool got;

	memcpy(copy, row->in, row->len);
	got = tl_http_could_begin(copy, row->len);
	free(copy);
	UNIT_CHECK_AT(row->line, got == row->want, "could begin a start line: %s (got %d)",
		      row->want ? "yes" : "no", got);
}

/* Random bytes, and random bytes after a valid start line: no crash, no
 * read past len (under ASan), and fields always NUL-terminated. */
static void check_http_random(void)
{
	char in[600];
	struct tl_http_msg m;
	size_t bad = 0, i, k;

	srand(1);
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % sizeof(in), start = i % 2 ? 16 : 0;

		memcpy(in, "GET / HTTP/1.1\r\n", 16);
		for (k = start; k < len; k++)
			in[k] = "\r\n: aZ\t\0\xff"[rand() % 10];
		parse_copy(in, len, &m);
		if (memchr(m.uri, 0, sizeof(m.uri)) == NULL ||
		    memchr(m.content_type, 0, sizeof(m.content_type)) == NULL)
			bad++;
	}
	UNIT_CHECK(!bad, "20000 random inputs keep fields terminated (%zu bad)", bad);
}

/* Every byte in a field name, a field value and a request-target, judged by
 * the grammar written out plainly here (RFC 9110 tchar and field-value
 * bytes; a target ends only at SP, CR or LF), against the parser's table. */
static void check_http_byte_classes(void)
{
	size_t bad_name = 0, bad_value = 0, bad_target = 0;
	struct tl_http_field f;
	struct tl_http_msg m;

	for (int c = 0; c < 256; c++) {
		const bool tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				   (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
		const bool text = c == '\t' || (c >= ' ' && c != 0x7f);
		const bool target = c != ' ' && c != '\r' && c != '\n';
		uint8_t name[] = {(uint8_t)c, ':', 'v'};
		uint8_t value[] = {'n', ':', 'v', (uint8_t)c, 'v'};
		uint8_t req[] = "GET /x? HTTP/1.1\r\n\r\n";

		bad_name += tl_http_field_split(name, sizeof(name), &f) != tchar;
		bad_value += tl_http_field_split(value, sizeof(value), &f) != text;
		req[6] = (uint8_t)c;
		bad_target +=
		    (parse_copy((const char *)req, sizeof(req) - 1, &m) == TL_HTTP_REQUEST &&
		     m.uri_len == 3) != target;
	}
	UNIT_CHECK(!bad_name, "each byte in a field name: accepted iff tchar (%zu wrong)",
		   bad_name);
	UNIT_CHECK(!bad_value, "each byte in a field value: accepted iff field text (%zu wrong)",
		   bad_value);
	UNIT_CHECK(!bad_target, "each byte in a target: kept iff not SP, CR, LF (%zu wrong)",
		   bad_target);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(http_rows) / sizeof(http_rows[0]); i++)
		check_http_row(&http_rows[i]);
	for (i = 0; i < sizeof(clen_rows) / sizeof(clen_rows[0]); i++)
		check_clen_row(&clen_rows[i]);
	check_keep_alive_rows();
	for (i = 0; i < sizeof(begin_rows) / sizeof(begin_rows[0]); i++)
		check_begin_row(&begin_rows[i]);
	check_http_long();
	check_http_prefixes();
	check_http_random();
	check_http_byte_classes();
	return unit_done();
}
