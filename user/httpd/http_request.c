#include "httpd/http_request.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 token characters: header names and methods. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool all_tchar(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (!is_tchar((unsigned char)*p))
			return false;
	}
	return true;
}

static bool slice_eq_ci(struct http_slice s, const char *lit)
{
	return s.len == strlen(lit) && strncasecmp(s.p, lit, s.len) == 0;
}

static struct http_slice slice_trim(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (struct http_slice){p, (size_t)(end - p)};
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decoding here, once, means every later check sees the bytes the file
 * system will see: %2e%2e and %2f are just "..", "/" to docroot.c. */
static enum http_status decode_path(struct http_request *req)
{
	const char *p = req->path.p;
	size_t n = req->path.len, o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)p[i];

		if (c == '%') {
			int hi = i + 2 < n ? hex_value(p[i + 1]) : -1;
			int lo = i + 2 < n ? hex_value(p[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return HTTP_BAD_REQUEST;
			c = hi * 16 + lo;
			i += 2;
		}
		req->decoded[o++] = (char)c;
	}
	req->decoded[o] = '\0';
	req->decoded_len = o;
	return HTTP_OK;
}

/* Absolute-form targets (RFC 9112 section 3.2.2) are reduced to their path. */
static const char *skip_authority(const char *p, const char *end)
{
	static const char *const schemes[] = {"http://", "https://"};

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);

		if ((size_t)(end - p) >= n && strncasecmp(p, schemes[i], n) == 0) {
			p += n;
			while (p < end && *p != '/' && *p != '?')
				p++;
			return p;
		}
	}
	return p;
}

static enum http_status parse_target(struct http_request *req, const char *p, const char *end)
{
	const char *abs_path = skip_authority(p, end);
	const char *q;

	for (const char *c = p; c < end; c++) {
		unsigned char u = (unsigned char)*c;

		if (u <= ' ' || u >= 0x7f || u == '#')
			return HTTP_BAD_REQUEST;
	}
	if (abs_path == p && (p == end || *p != '/'))
		return HTTP_BAD_REQUEST;
	q = memchr(abs_path, '?', (size_t)(end - abs_path));
	if (!q)
		q = end;
	req->path = abs_path == q ? (struct http_slice){"/", 1}
				  : (struct http_slice){abs_path, (size_t)(q - abs_path)};
	req->query = (struct http_slice){q, (size_t)(end - q)};
	return decode_path(req);
}

static enum http_status parse_version(struct http_request *req, const char *p, const char *end)
{
	if (end - p != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' || p[5] < '0' || p[5] > '9' ||
	    p[7] < '0' || p[7] > '9')
		return HTTP_BAD_REQUEST;
	if (p[5] != '1')
		return HTTP_VERSION_NOT_SUPPORTED;
	req->minor = p[7] - '0';
	return HTTP_OK;
}

static enum http_status parse_request_line(struct http_request *req, const char *p, const char *end)
{
	const char *sp1 = memchr(p, ' ', (size_t)(end - p));
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1)) : NULL;
	enum http_status st;

	if (!sp2 || sp1 == p || sp2 == sp1 + 1 || !all_tchar(p, sp1))
		return HTTP_BAD_REQUEST;
	st = parse_version(req, sp2 + 1, end);
	if (st == HTTP_OK)
		st = parse_target(req, sp1 + 1, sp2);
	if (st != HTTP_OK)
		return st;
	if (sp1 - p == 3 && memcmp(p, "GET", 3) == 0)
		req->method = HTTP_METHOD_GET;
	else if (sp1 - p == 4 && memcmp(p, "HEAD", 4) == 0)
		req->method = HTTP_METHOD_HEAD;
	else
		req->method = HTTP_METHOD_OTHER;
	req->line = (struct http_slice){p, (size_t)(end - p)};
	return HTTP_OK;
}

static enum http_status header_host(struct http_request *req, struct http_slice v)
{
	if (req->host.p)
		return HTTP_BAD_REQUEST;
	req->host = v;
	return HTTP_OK;
}

static enum http_status header_connection(struct http_request *req, struct http_slice v)
{
	const char *p = v.p, *end = v.p + v.len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		struct http_slice token = slice_trim(p, stop);

		if (slice_eq_ci(token, "close"))
			req->conn_close = true;
		else if (slice_eq_ci(token, "keep-alive"))
			req->conn_keep_alive = true;
		p = stop + (comma != NULL);
	}
	return HTTP_OK;
}

/* Differing repeated lengths are the classic request smuggling vector. */
static enum http_status header_content_length(struct http_request *req, struct http_slice v)
{
	uint64_t n = 0;

	if (v.len == 0)
		return HTTP_BAD_REQUEST;
	for (size_t i = 0; i < v.len; i++) {
		unsigned d = (unsigned)(v.p[i] - '0');

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return HTTP_BAD_REQUEST;
		n = n * 10 + d;
	}
	if (req->has_length && n != req->content_length)
		return HTTP_BAD_REQUEST;
	req->has_length = true;
	req->content_length = n;
	return HTTP_OK;
}

static enum http_status header_transfer_encoding(struct http_request *req, struct http_slice v)
{
	(void)v;
	req->has_transfer_encoding = true;
	return HTTP_OK;
}

/* Headers the server acts on; a field either has a handler or is stored. */
static const struct {
	const char *name;
	enum http_status (*handle)(struct http_request *req, struct http_slice v);
	size_t slice;
} http_headers[] = {
    {"host", header_host, 0},
    {"connection", header_connection, 0},
    {"content-length", header_content_length, 0},
    {"transfer-encoding", header_transfer_encoding, 0},
    {"if-none-match", NULL, offsetof(struct http_request, if_none_match)},
    {"if-modified-since", NULL, offsetof(struct http_request, if_modified_since)},
    {"if-range", NULL, offsetof(struct http_request, if_range)},
    {"range", NULL, offsetof(struct http_request, range)},
};

static enum http_status apply_header(struct http_request *req, struct http_slice name,
				     struct http_slice v)
{
	for (size_t i = 0; i < sizeof(http_headers) / sizeof(http_headers[0]); i++) {
		if (!slice_eq_ci(name, http_headers[i].name))
			continue;
		if (http_headers[i].handle)
			return http_headers[i].handle(req, v);
		*(struct http_slice *)((char *)req + http_headers[i].slice) = v;
		return HTTP_OK;
	}
	return HTTP_OK;
}

/* No space before the colon and no obs-fold (RFC 9112 section 5): both are
 * refused, which the tchar scan does by stopping at the space. */
static enum http_status parse_header(struct http_request *req, const char *p, const char *end)
{
	const char *colon = p;
	struct http_slice v;

	while (colon < end && is_tchar((unsigned char)*colon))
		colon++;
	if (colon == p || colon == end || *colon != ':')
		return HTTP_BAD_REQUEST;
	v = slice_trim(colon + 1, end);
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if ((c < ' ' && c != '\t') || c == 0x7f)
			return HTTP_BAD_REQUEST;
	}
	return apply_header(req, (struct http_slice){p, (size_t)(colon - p)}, v);
}

/* The line ending at nl, without its CR. */
static const char *line_end(const char *start, const char *nl)
{
	return nl > start && nl[-1] == '\r' ? nl - 1 : nl;
}

static int parse_fail(struct http_request *req, enum http_status st)
{
	req->error = st;
	return -EBADMSG;
}

static int parse_headers(struct http_request *req, const char *buf, size_t len, size_t start)
{
	size_t limit = start + HTTP_HEADERS_MAX < len ? start + HTTP_HEADERS_MAX : len;
	size_t pos = start;

	for (;;) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', limit - pos);
		enum http_status st;

		if (!nl)
			return len >= start + HTTP_HEADERS_MAX
				   ? parse_fail(req, HTTP_HEADERS_TOO_LARGE)
				   : -EAGAIN;
		if (line_end(line, nl) == line) {
			req->length = (size_t)(nl + 1 - buf);
			return 0;
		}
		st = parse_header(req, line, line_end(line, nl));
		if (st != HTTP_OK)
			return parse_fail(req, st);
		pos = (size_t)(nl + 1 - buf);
	}
}

/* Framing rules that need the whole header block. */
static enum http_status check_request(const struct http_request *req)
{
	if (req->minor >= 1 && !req->host.p)
		return HTTP_BAD_REQUEST;
	if (req->has_length && req->has_transfer_encoding)
		return HTTP_BAD_REQUEST;
	return HTTP_OK;
}

static void request_reset(struct http_request *req)
{
	memset(req, 0, offsetof(struct http_request, decoded));
	req->decoded[0] = '\0';
}

int http_request_parse(struct http_request *req, const char *buf, size_t len)
{
	size_t start = 0, window = len < HTTP_LINE_MAX ? len : HTTP_LINE_MAX;
	const char *nl;
	enum http_status st;
	int err;

	request_reset(req);
	/* RFC 9112 section 2.2: ignore empty lines before the request line. */
	while (start < window && (buf[start] == '\n' || (buf[start] == '\r' && start + 1 < window &&
							 buf[start + 1] == '\n')))
		start++;
	nl = memchr(buf + start, '\n', window - start);
	if (!nl)
		return len >= HTTP_LINE_MAX ? parse_fail(req, HTTP_URI_TOO_LONG) : -EAGAIN;
	st = parse_request_line(req, buf + start, line_end(buf + start, nl));
	if (st != HTTP_OK)
		return parse_fail(req, st);
	err = parse_headers(req, buf, len, (size_t)(nl + 1 - buf));
	if (err)
		return err;
	st = check_request(req);
	return st == HTTP_OK ? 0 : parse_fail(req, st);
}
