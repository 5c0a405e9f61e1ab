/* Response heads, error pages and conditional requests. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "httpd/conditional.h"
#include "httpd/http_response.h"
#include "unit.h"

static char out[4096];

static const char *build(const struct http_response *r, size_t *body)
{
	int n = http_response_build(r, 784111777, out, sizeof(out) - 1, body);

	out[n < 0 ? 0 : n] = '\0';
	return out;
}

static const struct {
	int line;
	const char *desc;
	struct http_response resp;
	const char *want; /* a substring of the reply */
} head_rows[] = {
    {__LINE__, "status line", {.status = HTTP_NOT_FOUND}, "HTTP/1.1 404 Not Found\r\n"},
    {__LINE__, "Date", {.status = HTTP_NOT_FOUND}, "\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"},
    {__LINE__, "close", {.status = HTTP_BAD_REQUEST}, "\r\nConnection: close\r\n"},
    {__LINE__,
     "keep-alive announces timeout and max",
     {.status = HTTP_NOT_FOUND, .keep_alive = true, .keep_alive_timeout = 5, .keep_alive_max = 99},
     "\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5, max=99\r\n"},
    {__LINE__,
     "405 lists the methods",
     {.status = HTTP_METHOD_NOT_ALLOWED},
     "\r\nAllow: GET, HEAD\r\n"},
    {__LINE__,
     "416 gives the size",
     {.status = HTTP_RANGE_NOT_SATISFIABLE, .size = 1234},
     "\r\nContent-Range: bytes */1234\r\n"},
    {__LINE__,
     "206 gives the range",
     {.status = HTTP_PARTIAL_CONTENT,
      .content_type = "image/png",
      .length = 10,
      .size = 100,
      .range = {5, 14},
      .etag = "\"e\""},
     "\r\nContent-Range: bytes 5-14/100\r\nContent-Type: image/png\r\nContent-Length: 10\r\n"},
    {__LINE__,
     "validators",
     {.status = HTTP_OK, .content_type = "text/plain", .etag = "\"1-2-3\"", .mtime = 0},
     "\r\nLast-Modified: Thu, 01 Jan 1970 00:00:00 GMT\r\nETag: \"1-2-3\"\r\nAccept-Ranges: "
     "bytes\r\n"},
    {__LINE__,
     "301 adds the slash and keeps the query",
     {.status = HTTP_MOVED_PERMANENTLY, .location = {"/dir", 4}, .location_query = {"?a=1", 4}},
     "\r\nLocation: /dir/?a=1\r\n"},
    {__LINE__,
     "301 collapses leading slashes: no network-path reference",
     {.status = HTTP_MOVED_PERMANENTLY, .location = {"//sub", 5}},
     "\r\nLocation: /sub/\r\n"},
    {__LINE__,
     "301 collapses only the leading slashes",
     {.status = HTTP_MOVED_PERMANENTLY, .location = {"///a//b", 7}},
     "\r\nLocation: /a//b/\r\n"},
    {__LINE__,
     "301 drops leading backslashes, which browsers take for slashes",
     {.status = HTTP_MOVED_PERMANENTLY, .location = {"/\\/\\evil", 8}},
     "\r\nLocation: /evil/\r\n"},
    {__LINE__, "408", {.status = HTTP_REQUEST_TIMEOUT}, "HTTP/1.1 408 Request Timeout\r\n"},
    {__LINE__, "501", {.status = HTTP_NOT_IMPLEMENTED}, "HTTP/1.1 501 Not Implemented\r\n"},
    {__LINE__,
     "error page",
     {.status = HTTP_NOT_FOUND},
     "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 68\r\n"},
};

static void check_heads(void)
{
	for (size_t i = 0; i < sizeof(head_rows) / sizeof(head_rows[0]); i++) {
		size_t body;
		const char *got = build(&head_rows[i].resp, &body);

		UNIT_CHECK_AT(head_rows[i].line, strstr(got, head_rows[i].want) != NULL, "head %s",
			      head_rows[i].desc);
	}
}

static void check_bodies(void)
{
	struct http_response r = {.status = HTTP_NOT_FOUND};
	size_t body;
	const char *got = build(&r, &body);
	const char *sep = strstr(got, "\r\n\r\n");

	UNIT_CHECK(sep && body == 68 && strlen(sep + 4) == body &&
		       strstr(sep, "<title>404 Not Found</title>"),
		   "error page follows the head, with its length");
	r.head_only = true;
	got = build(&r, &body);
	UNIT_CHECK(body == 0 && strstr(got, "Content-Length: 68\r\n") &&
		       strstr(got, "\r\n\r\n")[4] == 0,
		   "HEAD: same length announced, no body");
	r = (struct http_response){.status = HTTP_NOT_MODIFIED, .etag = "\"x\""};
	got = build(&r, &body);
	UNIT_CHECK(body == 0 && !strstr(got, "Content-Length") && strstr(got, "ETag: \"x\""),
		   "304: validators, no length, no body");
	r = (struct http_response){
	    .status = HTTP_OK, .content_type = "text/plain", .chunked = true};
	got = build(&r, &body);
	UNIT_CHECK(strstr(got, "\r\nTransfer-Encoding: chunked\r\n") &&
		       !strstr(got, "Content-Length"),
		   "chunked (lab): Transfer-Encoding, no length");
	r = (struct http_response){
	    .status = HTTP_OK, .content_type = "text/plain", .close_delimited = true};
	got = build(&r, &body);
	UNIT_CHECK(strstr(got, "\r\nConnection: close\r\n") && !strstr(got, "Content-Length") &&
		       !strstr(got, "Transfer-Encoding"),
		   "ended by the close (lab): neither length nor coding");
	UNIT_CHECK(http_response_build(&r, 0, out, 40, &body) == -ENOSPC,
		   "a buffer too small is reported, not overrun");
}

/* st: inode 1, size 2, mtime 784111777 s (Sun, 06 Nov 1994 08:49:37 GMT);
 * its ETag is "<mtime ns in hex>-2". Now is a day later. */
#define COND_NOW (784111777 + 86400)
static const struct {
	int line;
	const char *desc;
	const char *inm, *ims, *if_range;
	bool not_modified;
	bool range_applies;
} cond_rows[] = {
    {__LINE__, "no conditions", NULL, NULL, NULL, false, true},
    {__LINE__, "If-None-Match equal", "\"ae1b981bc490a00-2\"", NULL, NULL, true, true},
    {__LINE__, "If-None-Match in a list, weak", "\"a\", W/\"ae1b981bc490a00-2\"", NULL, NULL, true,
     true},
    {__LINE__, "If-None-Match star", "*", NULL, NULL, true, true},
    {__LINE__, "If-None-Match differs", "\"1-2-0\"", NULL, NULL, false, true},
    {__LINE__, "If-None-Match wins over a matching date", "\"zz\"", "Sun, 06 Nov 1994 08:49:37 GMT",
     NULL, false, true},
    {__LINE__, "If-Modified-Since same second", NULL, "Sun, 06 Nov 1994 08:49:37 GMT", NULL, true,
     true},
    {__LINE__, "If-Modified-Since later, other form", NULL, "Sunday, 06-Nov-94 09:00:00 GMT", NULL,
     true, true},
    {__LINE__, "If-Modified-Since earlier", NULL, "Sun, 06 Nov 1994 08:49:36 GMT", NULL, false,
     true},
    {__LINE__, "If-Modified-Since compared as time, not text", NULL,
     "Mon, 07 Nov 1994 00:00:00 GMT", NULL, true, true},
    {__LINE__, "If-Modified-Since unparseable: ignored", NULL, "yesterday", NULL, false, true},
    {__LINE__, "If-Modified-Since now", NULL, "Mon, 07 Nov 1994 08:49:37 GMT", NULL, true, true},
    {__LINE__, "If-Modified-Since a second in the future: ignored", NULL,
     "Mon, 07 Nov 1994 08:49:38 GMT", NULL, false, true},
    {__LINE__, "If-Range strong ETag", NULL, NULL, "\"ae1b981bc490a00-2\"", false, true},
    {__LINE__, "If-Range weak ETag never matches", NULL, NULL, "W/\"ae1b981bc490a00-2\"", false,
     false},
    {__LINE__, "If-Range other ETag", NULL, NULL, "\"old\"", false, false},
    {__LINE__, "If-Range exact date", NULL, NULL, "Sun, 06 Nov 1994 08:49:37 GMT", false, true},
    {__LINE__, "If-Range other date", NULL, NULL, "Sun, 06 Nov 1994 08:49:38 GMT", false, false},
};

static struct http_slice slice(const char *s) { return (struct http_slice){s, s ? strlen(s) : 0}; }

static void check_conditions(void)
{
	struct stat st = {.st_ino = 1, .st_size = 2};
	char etag[COND_ETAG_MAX];

	st.st_mtim.tv_sec = 784111777;
	st.st_mtim.tv_nsec = 0;
	cond_etag(&st, etag);
	UNIT_CHECK(strcmp(etag, "\"ae1b981bc490a00-2\"") == 0,
		   "ETag from mtime_ns-size, no inode: %s", etag);
	for (size_t i = 0; i < sizeof(cond_rows) / sizeof(cond_rows[0]); i++) {
		struct http_request req = {0};

		req.if_none_match = slice(cond_rows[i].inm);
		req.if_modified_since = slice(cond_rows[i].ims);
		req.if_range = slice(cond_rows[i].if_range);
		UNIT_CHECK_AT(cond_rows[i].line,
			      cond_not_modified(&req, &st, etag, COND_NOW) ==
				  cond_rows[i].not_modified,
			      "%s: not modified", cond_rows[i].desc);
		UNIT_CHECK_AT(cond_rows[i].line,
			      cond_range_applies(&req, &st, etag) == cond_rows[i].range_applies,
			      "%s: range applies", cond_rows[i].desc);
	}
}

int main(void)
{
	check_heads();
	check_bodies();
	check_conditions();
	return unit_done();
}
