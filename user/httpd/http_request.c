#include "httpd/http_request.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include "common/util.h"

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

/* RFC 3986 reg-name: unreserved, sub-delims and percent-encoded octets. */
static bool reg_name_valid(const char *p, const char *end)
{
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '%' && end - p >= 3 && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0)
			p += 2;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || (c && strchr("-._~!$&'()*+,;=", c))))
			return false;
	}
	return true;
}

/* IP-literal: a bracketed IPv6 address (IPvFuture is not accepted). */
static bool ip_literal_valid(const char *p, const char *end)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr addr;
	size_t n = (size_t)(end - p);

	if (n < 2 || p[0] != '[' || end[-1] != ']' || n - 2 >= sizeof(text))
		return false;
	memcpy(text, p + 1, n - 2);
	text[n - 2] = '\0';
	return inet_pton(AF_INET6, text, &addr) == 1;
}

/* uri-host [ ":" port ] (RFC 9110 section 7.2); the port, when there are
 * digits, must fit 16 bits. No "@": userinfo is not part of it. */
static bool host_port_valid(const char *p, const char *end, bool allow_empty)
{
	const char *colon = end;
	unsigned port = 0;

	for (const char *c = end; c > p && c[-1] >= '0' && c[-1] <= '9'; c--)
		colon = c - 1;
	if (colon > p && colon[-1] == ':') {
		for (const char *c = colon; c < end; c++) {
			port = port * 10 + (unsigned)(*c - '0');
			if (port > 65535)
				return false;
		}
		colon--;
	} else {
		colon = end;
	}
	if (colon == p)
		return allow_empty;
	return *p == '[' ? ip_literal_valid(p, colon) : reg_name_valid(p, colon);
}

/* Absolute-form targets (RFC 9112 section 3.2.2) are reduced to their path.
 * Their authority must be a non-empty host[:port]: userinfo (RFC 9110
 * section 4.2.4) and an empty host (section 4.2.1) are refused (NULL). */
static const char *skip_authority(const char *p, const char *end)
{
	static const char *const schemes[] = {"http://", "https://"};

	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++) {
		size_t n = strlen(schemes[i]);
		const char *host = p + n;

		if ((size_t)(end - p) >= n && strncasecmp(p, schemes[i], n) == 0) {
			p = host;
			while (p < end && *p != '/' && *p != '?')
				p++;
			return host_port_valid(host, p, false) ? p : NULL;
		}
	}
	return p;
}

static enum http_status parse_target(struct http_request *req, const char *p, const char *end)
{
	const char *abs_path = skip_authority(p, end);
	const char *q;

	if (!abs_path)
		return HTTP_BAD_REQUEST;
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

/* One to three digits, as nginx reads them. */
static bool read_version_number(const char **p, const char *end, int *out)
{
	int n = 0, digits = 0;

	for (; *p < end && **p >= '0' && **p <= '9' && digits < 3; (*p)++, digits++)
		n = n * 10 + (**p - '0');
	*out = n;
	return digits > 0;
}

/* RFC 9112 section 2.3 allows one digit each, but a version that is well
 * formed apart from that (HTTP/10.0) is a version we do not support: 505,
 * not 400, as nginx answers. */
static enum http_status parse_version(struct http_request *req, const char *p, const char *end)
{
	int major;

	if (end - p < 8 || memcmp(p, "HTTP/", 5) != 0)
		return HTTP_BAD_REQUEST;
	p += 5;
	if (!read_version_number(&p, end, &major) || p == end || *p++ != '.' ||
	    !read_version_number(&p, end, &req->minor) || p != end)
		return HTTP_BAD_REQUEST;
	return major == 1 ? HTTP_OK : HTTP_VERSION_NOT_SUPPORTED;
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

/* RFC 9112 section 3.2: one Host, and a valid one. An empty value is
 * valid there (a target without authority). */
static enum http_status header_host(struct http_request *req, struct http_slice v)
{
	if (req->host.p || !host_port_valid(v.p, v.p + v.len, true))
		return HTTP_BAD_REQUEST;
	req->host = v;
	return HTTP_OK;
}

/* The next element of a comma-separated list (RFC 9110 section 5.6.1),
 * trimmed; empty elements are skipped. False at the end of the list. */
static bool list_next(const char **p, const char *end, struct http_slice *elem)
{
	while (*p < end) {
		const char *comma = memchr(*p, ',', (size_t)(end - *p));
		const char *stop = comma ? comma : end;

		*elem = slice_trim(*p, stop);
		*p = stop + (comma != NULL);
		if (elem->len)
			return true;
	}
	return false;
}

static enum http_status header_connection(struct http_request *req, struct http_slice v)
{
	const char *p = v.p;
	struct http_slice token;

	while (list_next(&p, v.p + v.len, &token)) {
		if (slice_eq_ci(token, "close"))
			req->conn_close = true;
		else if (slice_eq_ci(token, "keep-alive"))
			req->conn_keep_alive = true;
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

/* Chunked is the only coding understood (RFC 9112 section 6.1): any other
 * gets 501. Chunked applied twice, or an empty list, is malformed. */
static enum http_status header_transfer_encoding(struct http_request *req, struct http_slice v)
{
	const char *p = v.p;
	struct http_slice coding;
	bool any = false;

	while (list_next(&p, v.p + v.len, &coding)) {
		if (!slice_eq_ci(coding, "chunked"))
			return HTTP_NOT_IMPLEMENTED;
		if (req->has_transfer_encoding)
			return HTTP_BAD_REQUEST;
		req->has_transfer_encoding = true;
		any = true;
	}
	return any ? HTTP_OK : HTTP_BAD_REQUEST;
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
	for (size_t i = 0; i < ARRAY_SIZE(http_headers); i++) {
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

/* Finds the LF ending the line at req->pos within buf[0, limit), searching
 * only bytes not searched before. A CR not followed by LF is refused as soon
 * as the next byte shows it (RFC 9112 section 2.2), instead of waiting for
 * an LF that a client ending lines with CR alone never sends. */
static int find_line_end(struct http_request *req, const char *buf, size_t limit, const char **nl)
{
	const char *from = buf + req->scan, *end = buf + limit;
	const char *lf = memchr(from, '\n', (size_t)(end - from));
	const char *stop = lf ? lf : end;
	const char *cr = memchr(from, '\r', (size_t)(stop - from));

	if (cr && cr + 1 < stop)
		return parse_fail(req, HTTP_BAD_REQUEST);
	if (!lf) {
		/* A CR last in the buffer is looked at again with its successor. */
		req->scan = (size_t)((cr ? cr : end) - buf);
		return -EAGAIN;
	}
	*nl = lf;
	return 0;
}

/* One complete line: the request line (after any empty lines, RFC 9112
 * section 2.2), a header line, or the empty line that ends the block. */
static enum http_status parse_line(struct http_request *req, const char *buf, const char *nl)
{
	const char *line = buf + req->pos, *end = line_end(line, nl);
	size_t next = (size_t)(nl + 1 - buf);

	if (!req->headers_at) {
		if (end > line) {
			enum http_status st = parse_request_line(req, line, end);

			if (st != HTTP_OK)
				return st;
			req->headers_at = next;
		}
	} else if (end == line) {
		req->length = next;
	} else {
		enum http_status st = parse_header(req, line, end);

		if (st != HTTP_OK)
			return st;
	}
	req->pos = req->scan = next;
	return HTTP_OK;
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

void http_request_begin(struct http_request *req)
{
	memset(req, 0, offsetof(struct http_request, decoded));
	req->decoded[0] = '\0';
}

/* The request line may take HTTP_LINE_MAX bytes from the start of the
 * buffer, the header block HTTP_HEADERS_MAX from its first line. */
int http_request_parse(struct http_request *req, const char *buf, size_t len)
{
	enum http_status st;

	while (!req->length) {
		size_t base = req->headers_at;
		size_t max = base ? HTTP_HEADERS_MAX : HTTP_LINE_MAX;
		const char *nl;
		int err = find_line_end(req, buf, len < base + max ? len : base + max, &nl);

		if (err == -EAGAIN && len >= base + max)
			return parse_fail(req, base ? HTTP_HEADERS_TOO_LARGE : HTTP_URI_TOO_LONG);
		if (err)
			return err;
		st = parse_line(req, buf, nl);
		if (st != HTTP_OK)
			return parse_fail(req, st);
	}
	st = check_request(req);
	return st == HTTP_OK ? 0 : parse_fail(req, st);
}
