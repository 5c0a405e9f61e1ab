#include "httpd/http_response.h"

#include <errno.h>
#include <stdio.h>

#include "httpd/http_date.h"
#include "common/fmt.h"

static const struct {
	int code;
	const char *reason;
	bool page; /* replies whose body is the tiny HTML page */
} http_statuses[HTTP_STATUS_COUNT] = {
    [HTTP_OK] = {200, "OK", false},
    [HTTP_PARTIAL_CONTENT] = {206, "Partial Content", false},
    [HTTP_MOVED_PERMANENTLY] = {301, "Moved Permanently", true},
    [HTTP_NOT_MODIFIED] = {304, "Not Modified", false},
    [HTTP_BAD_REQUEST] = {400, "Bad Request", true},
    [HTTP_FORBIDDEN] = {403, "Forbidden", true},
    [HTTP_NOT_FOUND] = {404, "Not Found", true},
    [HTTP_METHOD_NOT_ALLOWED] = {405, "Method Not Allowed", true},
    [HTTP_REQUEST_TIMEOUT] = {408, "Request Timeout", true},
    [HTTP_LENGTH_REQUIRED] = {411, "Length Required", true},
    [HTTP_PAYLOAD_TOO_LARGE] = {413, "Content Too Large", true},
    [HTTP_URI_TOO_LONG] = {414, "URI Too Long", true},
    [HTTP_RANGE_NOT_SATISFIABLE] = {416, "Range Not Satisfiable", true},
    [HTTP_HEADERS_TOO_LARGE] = {431, "Request Header Fields Too Large", true},
    [HTTP_INTERNAL_ERROR] = {500, "Internal Server Error", true},
    [HTTP_NOT_IMPLEMENTED] = {501, "Not Implemented", true},
    [HTTP_VERSION_NOT_SUPPORTED] = {505, "HTTP Version Not Supported", true},
};

int http_status_code(enum http_status st) { return http_statuses[st].code; }

/* The page names the status only: echoing the request would invite
 * reflected markup. */
static size_t http_response_page(enum http_status st, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "<!DOCTYPE html>\n<title>%d %s</title>\n<h1>%d %s</h1>\n",
			 http_statuses[st].code, http_statuses[st].reason, http_statuses[st].code,
			 http_statuses[st].reason);

	return (size_t)n < cap ? (size_t)n : cap - 1;
}

static void head_header(struct tl_fmt *b, const char *name, const char *value)
{
	tl_fmt_str(b, name);
	tl_fmt_str(b, ": ");
	tl_fmt_str(b, value);
	tl_fmt_str(b, "\r\n");
}

static void head_u64(struct tl_fmt *b, const char *name, uint64_t value)
{
	tl_fmt_str(b, name);
	tl_fmt_str(b, ": ");
	tl_fmt_uint(b, value);
	tl_fmt_str(b, "\r\n");
}

static void head_validators(struct tl_fmt *b, const struct http_response *r)
{
	char date[HTTP_DATE_LEN + 1];

	http_date_format(r->mtime, date);
	head_header(b, "Last-Modified", date);
	head_header(b, "ETag", r->etag);
	head_header(b, "Accept-Ranges", "bytes");
}

/* The path with its leading slashes collapsed into one, as nginx does:
 * "//host/" would be a network-path reference (RFC 3986 section 4.2) that
 * browsers follow to another host, and they take a backslash for a slash. */
static void head_location(struct tl_fmt *b, const struct http_response *r)
{
	const char *p = r->location.p, *end = p + r->location.len;

	while (p < end && (*p == '/' || *p == '\\'))
		p++;
	tl_fmt_str(b, "Location: /");
	tl_fmt_mem(b, p, (size_t)(end - p));
	tl_fmt_str(b, "/");
	tl_fmt_mem(b, r->location_query.p, r->location_query.len);
	tl_fmt_str(b, "\r\n");
}

/* Headers that belong to one status only. */
static void head_status_specific(struct tl_fmt *b, const struct http_response *r)
{
	switch (r->status) {
	case HTTP_MOVED_PERMANENTLY:
		head_location(b, r);
		break;
	case HTTP_METHOD_NOT_ALLOWED:
		head_header(b, "Allow", "GET, HEAD");
		break;
	case HTTP_PARTIAL_CONTENT:
		tl_fmt_str(b, "Content-Range: bytes ");
		tl_fmt_uint(b, r->range.first);
		tl_fmt_str(b, "-");
		tl_fmt_uint(b, r->range.last);
		tl_fmt_str(b, "/");
		tl_fmt_uint(b, r->size);
		tl_fmt_str(b, "\r\n");
		break;
	case HTTP_RANGE_NOT_SATISFIABLE:
		tl_fmt_str(b, "Content-Range: bytes */");
		tl_fmt_uint(b, r->size);
		tl_fmt_str(b, "\r\n");
		break;
	default:
		break;
	}
}

/* Announcing the timeout lets clients know the server closes idle
 * connections first, as Apache does. */
static void head_connection(struct tl_fmt *b, const struct http_response *r)
{
	if (!r->keep_alive) {
		head_header(b, "Connection", "close");
		return;
	}
	head_header(b, "Connection", "keep-alive");
	tl_fmt_str(b, "Keep-Alive: timeout=");
	tl_fmt_uint(b, r->keep_alive_timeout);
	tl_fmt_str(b, ", max=");
	tl_fmt_uint(b, r->keep_alive_max);
	tl_fmt_str(b, "\r\n");
}

int http_response_build(const struct http_response *r, time_t now, char *buf, size_t cap,
			size_t *body_len)
{
	char page[256];
	size_t page_len = 0;
	struct tl_fmt b;

	if (http_statuses[r->status].page)
		page_len = http_response_page(r->status, page, sizeof(page));
	tl_fmt_init(&b, buf, cap);
	tl_fmt_str(&b, "HTTP/1.1 ");
	tl_fmt_uint(&b, (uint64_t)http_statuses[r->status].code);
	tl_fmt_str(&b, " ");
	tl_fmt_str(&b, http_statuses[r->status].reason);
	tl_fmt_str(&b, "\r\n");
	head_header(&b, "Date", http_date_now(now));
	head_header(&b, "Server", "tcplife-httpd");
	if (r->etag)
		head_validators(&b, r);
	head_status_specific(&b, r);
	if (page_len) {
		head_header(&b, "Content-Type", "text/html; charset=utf-8");
		head_u64(&b, "Content-Length", page_len);
	} else if (r->status != HTTP_NOT_MODIFIED) {
		head_header(&b, "Content-Type", r->content_type);
		if (r->chunked)
			head_header(&b, "Transfer-Encoding", "chunked");
		else if (!r->close_delimited)
			head_u64(&b, "Content-Length", r->length);
	}
	head_connection(&b, r);
	tl_fmt_str(&b, "\r\n");
	*body_len = r->head_only ? 0 : page_len;
	tl_fmt_mem(&b, page, *body_len);
	return b.cut ? -ENOSPC : (int)b.len;
}
