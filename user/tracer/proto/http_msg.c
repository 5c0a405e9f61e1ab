#include "tracer/proto/http_msg.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "common/util.h"

/* "HTTP/1.1": the only version shape accepted. */
#define HTTP_VERSION_LEN 8

/* Content-Length as the headers seen so far left it. */
enum http_cl_state {
	HTTP_CL_ABSENT,
	HTTP_CL_VALID,
	HTTP_CL_INVALID,
};

static bool http_is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Byte classes, looked up rather than tested: every byte of every head
 * passes here, twice with --json's "headers". */
enum {
	HTTP_TARGET = 1, /* a request-target as tshark delimits it: up to the next space */
	HTTP_TEXT = 2,	 /* a reason phrase or field value: HTAB, SP, VCHAR, obs-text */
	HTTP_TCHAR = 4,	 /* RFC 9110 tchar: no separator, space or control */
};
#define HTTP_TT (HTTP_TARGET | HTTP_TEXT)
#define HTTP_TTT (HTTP_TARGET | HTTP_TEXT | HTTP_TCHAR)

/* Controls, NUL and bytes that are not UTF-8 are a client's to send in a
 * target and the reader's to see, escaped; only the framing bytes end it. */
static const uint8_t http_class[256] = {
    [0x00 ... 0x08] = HTTP_TARGET,
    ['\t'] = HTTP_TT,
    [0x0b ... 0x0c] = HTTP_TARGET,
    [0x0e ... 0x1f] = HTTP_TARGET,
    [' '] = HTTP_TEXT,
    ['!'] = HTTP_TTT,
    ['"'] = HTTP_TT,
    ['#' ... '\''] = HTTP_TTT,
    ['(' ... ')'] = HTTP_TT,
    ['*' ... '+'] = HTTP_TTT,
    [','] = HTTP_TT,
    ['-' ... '.'] = HTTP_TTT,
    ['/'] = HTTP_TT,
    ['0' ... '9'] = HTTP_TTT,
    [':' ... '@'] = HTTP_TT,
    ['A' ... 'Z'] = HTTP_TTT,
    ['[' ... ']'] = HTTP_TT,
    ['^' ... '`'] = HTTP_TTT,
    ['a' ... 'z'] = HTTP_TTT,
    ['{'] = HTTP_TT,
    ['|'] = HTTP_TTT,
    ['}'] = HTTP_TT,
    ['~'] = HTTP_TTT,
    [0x7f] = HTTP_TARGET,
    [0x80 ... 0xff] = HTTP_TT,
};

/* How many bytes from p on are of class cls. */
static size_t http_span(const uint8_t *p, size_t n, uint8_t cls)
{
	size_t i = 0;

	while (i < n && (http_class[p[i]] & cls))
		i++;
	return i;
}

/* Copies n bytes as a C string, cutting what does not fit in cap; returns
 * true when it cut. */
static bool http_copy(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	bool cut = n >= cap;

	if (cut)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return cut;
}

/* Whether p[0..n) matches "HTTP/d.d" as far as it goes. */
static bool http_version_prefix(const uint8_t *p, size_t n)
{
	static const char shape[] = "HTTP/d.d";

	if (n > HTTP_VERSION_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (shape[i] == 'd' ? !http_is_digit(p[i]) : p[i] != (uint8_t)shape[i])
			return false;
	}
	return true;
}

/* The whole shape at once: every message's start line is tried as a status
 * line first, and a byte-by-byte walk of the shape was a tenth of a head's
 * cost. */
static bool http_is_version(const uint8_t *p, size_t n)
{
	return n >= HTTP_VERSION_LEN && !memcmp(p, "HTTP/", 5) && http_is_digit(p[5]) &&
	       p[6] == '.' && http_is_digit(p[7]);
}

/* "METHOD SP target SP HTTP/d.d", the line without its CRLF. */
static bool http_parse_request_line(const uint8_t *p, size_t n, struct tl_http_msg *m)
{
	size_t mlen = http_span(p, n, HTTP_TCHAR), tlen, off;
	const uint8_t *version;

	if (!mlen || mlen >= n || p[mlen] != ' ')
		return false;
	off = mlen + 1;
	tlen = http_span(p + off, n - off, HTTP_TARGET);
	if (!tlen || off + tlen >= n || p[off + tlen] != ' ')
		return false;
	version = p + off + tlen + 1;
	if (n - (off + tlen + 1) != HTTP_VERSION_LEN || !http_is_version(version, HTTP_VERSION_LEN))
		return false;
	http_copy(m->method, sizeof(m->method), p, mlen);
	m->uri_truncated = http_copy(m->uri, sizeof(m->uri), p + off, tlen);
	m->uri_len = m->uri_truncated ? sizeof(m->uri) - 1 : tlen;
	http_copy(m->version, sizeof(m->version), version, HTTP_VERSION_LEN);
	return true;
}

/* A request line cut by the end of the bytes kept (a URI of several KB past
 * the kernel's copy or a capture's snaplen): "METHOD SP target", the target
 * cut and marked, or "METHOD SP target SP" and part of the version. Still
 * the request; its version is unknown. */
static bool http_parse_cut_request_line(const uint8_t *p, size_t n, struct tl_http_msg *m)
{
	size_t mlen = http_span(p, n, HTTP_TCHAR), tlen, end;

	if (!mlen || mlen >= n || p[mlen] != ' ')
		return false;
	tlen = http_span(p + mlen + 1, n - mlen - 1, HTTP_TARGET);
	end = mlen + 1 + tlen;
	if (!tlen || (end < n && (p[end] != ' ' || !http_version_prefix(p + end + 1, n - end - 1))))
		return false;
	http_copy(m->method, sizeof(m->method), p, mlen);
	m->uri_truncated = http_copy(m->uri, sizeof(m->uri), p + mlen + 1, tlen) || end == n;
	m->uri_len = tlen < sizeof(m->uri) ? tlen : sizeof(m->uri) - 1;
	return true;
}

/* "HTTP/d.d SP ddd [SP reason]", the line without its CRLF. */
static bool http_parse_status_line(const uint8_t *p, size_t n, struct tl_http_msg *m)
{
	const uint8_t *code = p + HTTP_VERSION_LEN + 1;
	size_t rest;

	if (n < HTTP_VERSION_LEN + 4 || !http_is_version(p, n) || p[HTTP_VERSION_LEN] != ' ')
		return false;
	if (code[0] < '1' || code[0] > '9' || !http_is_digit(code[1]) || !http_is_digit(code[2]))
		return false;
	rest = n - (HTTP_VERSION_LEN + 4);
	if (rest && (code[3] != ' ' || http_span(code + 4, rest - 1, HTTP_TEXT) != rest - 1))
		return false;
	http_copy(m->version, sizeof(m->version), p, HTTP_VERSION_LEN);
	m->status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
	http_copy(m->reason, sizeof(m->reason), code + 4, rest ? rest - 1 : 0);
	return true;
}

/* The line starting at off: sets *n to its length without CRLF or LF and
 * returns the offset after it, len when no LF ends it (then a CR at the very
 * end is taken as the start of the cut CRLF). */
static inline size_t http_line(const uint8_t *buf, size_t len, size_t off, size_t *n,
			       bool *complete)
{
	const uint8_t *lf = memchr(buf + off, '\n', len - off);
	size_t end = lf ? (size_t)(lf - buf) : len;

	*complete = lf != NULL;
	*n = end - off;
	if (*n && buf[end - 1] == '\r')
		(*n)--;
	return lf ? end + 1 : len;
}

/* name_len first: every field of every head is matched against several
 * names, and lengths alone tell most of them apart. */
static bool http_name_eq(const uint8_t *p, size_t n, const char *name, size_t name_len)
{
	if (n != name_len)
		return false;
	/* Most senders write names as the RFCs do, as the callers' are. */
	if (!memcmp(p, name, n))
		return true;
	for (size_t i = 0; i < n; i++) {
		if (tl_http_lower(p[i]) != tl_http_lower((uint8_t)name[i]))
			return false;
	}
	return true;
}

/* A name given as a string literal. */
#define HTTP_NAME_IS(p, n, literal) http_name_eq(p, n, literal, sizeof(literal) - 1)

/* Digits only: a sign, a list ("5, 5") or a value past INT64_MAX is no
 * length a reader could trust. */
static int64_t http_parse_length(const uint8_t *p, size_t n)
{
	int64_t v = 0;
	size_t i;

	if (!n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!http_is_digit(p[i]) || v > (INT64_MAX - (p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* A repeated Content-Length that differs, or any invalid one, makes the
 * length unknown for good: framing is ambiguous. */
static void http_content_length(struct tl_http_msg *m, enum http_cl_state *cl, const uint8_t *p,
				size_t n)
{
	int64_t v = http_parse_length(p, n);

	if (*cl == HTTP_CL_INVALID || v < 0 || (*cl == HTTP_CL_VALID && v != m->content_length)) {
		*cl = HTTP_CL_INVALID;
		m->content_length = -1;
		return;
	}
	*cl = HTTP_CL_VALID;
	m->content_length = v;
}

/* The fields read, each at most once a head: which, by index in
 * http_read. */
enum http_read_field {
	HTTP_CONTENT_LENGTH,
	HTTP_KEEP_ALIVE,
	HTTP_TRANSFER_ENCODING,
	HTTP_CONTENT_TYPE,
	HTTP_RANGE,
	HTTP_CONTENT_RANGE,
	HTTP_CONNECTION,
};

static const struct tl_http_name http_read[] = {
    [HTTP_CONTENT_LENGTH] = TL_HTTP_NAME("Content-Length"),
    [HTTP_KEEP_ALIVE] = TL_HTTP_NAME("Keep-Alive"),
    [HTTP_TRANSFER_ENCODING] = TL_HTTP_NAME("Transfer-Encoding"),
    [HTTP_CONTENT_TYPE] = TL_HTTP_NAME("Content-Type"),
    [HTTP_RANGE] = TL_HTTP_NAME("Range"),
    [HTTP_CONTENT_RANGE] = TL_HTTP_NAME("Content-Range"),
    [HTTP_CONNECTION] = TL_HTTP_NAME("Connection"),
};

/* No text kept for a field. */
#define HTTP_NO_TEXT SIZE_MAX
#define HTTP_TEXT_OF(member) offsetof(struct tl_http_msg, member)
/* Where each field's text is kept: the offset of its
 * char[TL_HTTP_HEADER_MAX] in tl_http_msg. */
static const size_t http_read_text[ARRAY_SIZE(http_read)] = {
    [HTTP_CONTENT_LENGTH] = HTTP_NO_TEXT,
    [HTTP_KEEP_ALIVE] = HTTP_NO_TEXT,
    [HTTP_TRANSFER_ENCODING] = HTTP_TEXT_OF(transfer_encoding),
    [HTTP_CONTENT_TYPE] = HTTP_TEXT_OF(content_type),
    [HTTP_RANGE] = HTTP_TEXT_OF(range),
    [HTTP_CONTENT_RANGE] = HTTP_TEXT_OF(content_range),
    [HTTP_CONNECTION] = HTTP_TEXT_OF(connection),
};

#define HTTP_BIT(field) (1u << (field))
/* The fields of http_read whose names begin with each byte, either case:
 * most lines of a head (Host, Date, Server, ETag, a browser's Accept and
 * User-Agent) begin with none, and are told so by one load. */
static const uint8_t http_read_first[256] = {
    ['C'] = HTTP_BIT(HTTP_CONTENT_LENGTH) | HTTP_BIT(HTTP_CONTENT_TYPE) |
	    HTTP_BIT(HTTP_CONTENT_RANGE) | HTTP_BIT(HTTP_CONNECTION),
    ['c'] = HTTP_BIT(HTTP_CONTENT_LENGTH) | HTTP_BIT(HTTP_CONTENT_TYPE) |
	    HTTP_BIT(HTTP_CONTENT_RANGE) | HTTP_BIT(HTTP_CONNECTION),
    ['K'] = HTTP_BIT(HTTP_KEEP_ALIVE),
    ['k'] = HTTP_BIT(HTTP_KEEP_ALIVE),
    ['T'] = HTTP_BIT(HTTP_TRANSFER_ENCODING),
    ['t'] = HTTP_BIT(HTTP_TRANSFER_ENCODING),
    ['R'] = HTTP_BIT(HTTP_RANGE),
    ['r'] = HTTP_BIT(HTTP_RANGE),
};

/* Which field of http_read the line p[0..n) is (tl_http_field_want): a
 * field not read changes nothing, valid or not, so its value is not even
 * checked. */
static int http_read_index(const uint8_t *p, size_t n, size_t *name_len)
{
	return tl_http_name_find(p, n, http_read_first[p[0]], http_read, name_len);
}

/* "gzip, chunked": whether the last coding of the list is chunked. */
static bool http_last_coding_chunked(const uint8_t *v, size_t n)
{
	const uint8_t *comma = v + n;
	size_t start;

	while (comma > v && comma[-1] != ',')
		comma--;
	start = comma - v;
	while (start < n && (v[start] == ' ' || v[start] == '\t'))
		start++;
	return HTTP_NAME_IS(v + start, n - start, "chunked");
}

/* "timeout=5, max=100": the timeout's seconds, 0 when there is none. */
static unsigned http_keep_alive_timeout(const uint8_t *v, size_t n)
{
	static const char key[] = "timeout=";
	const size_t klen = sizeof(key) - 1;
	unsigned s = 0;

	for (size_t i = 0; i + klen <= n; i++) {
		if (!http_name_eq(v + i, klen, key, klen) ||
		    (i && v[i - 1] != ' ' && v[i - 1] != ','))
			continue;
		for (i += klen; i < n && http_is_digit(v[i]) && s < 1000000; i++)
			s = s * 10 + (v[i] - '0');
		return s;
	}
	return 0;
}

#define HTTP_ONES 0x0101010101010101ull
#define HTTP_HIGHS 0x8080808080808080ull

/* Whether all of v[0..n) is field text: eight bytes a step while none is a
 * control or DEL (exact whatever the byte order: a borrow starts only at a
 * byte below the one subtracted), the rest and any word with an HTAB by the
 * table. Every value read or shown passes here. */
static bool http_is_text(const uint8_t *v, size_t n)
{
	size_t i = 0;
	uint64_t x, del;

	for (; i + sizeof(x) <= n; i += sizeof(x)) {
		memcpy(&x, v + i, sizeof(x));
		del = x ^ (HTTP_ONES * 0x7f);
		if (((x - HTTP_ONES * ' ') & ~x & HTTP_HIGHS) ||
		    ((del - HTTP_ONES) & ~del & HTTP_HIGHS))
			break;
	}
	return http_span(v + i, n - i, HTTP_TEXT) == n - i;
}

/* http_field_named: the line p[0..n) as the field whose name is
 * p[0..name_len), already known valid and followed by the colon: false when
 * its value is no field text. */
static bool http_field_named(const uint8_t *p, size_t n, size_t name_len, struct tl_http_field *f)
{
	const uint8_t *v = p + name_len + 1;
	size_t vlen = n - name_len - 1;

	if (!http_is_text(v, vlen))
		return false;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	*f = (struct tl_http_field){.name = p, .name_len = name_len, .value = v, .value_len = vlen};
	return true;
}

bool tl_http_field_split(const uint8_t *p, size_t n, struct tl_http_field *f)
{
	size_t nlen = http_span(p, n, HTTP_TCHAR);

	return nlen && nlen < n && p[nlen] == ':' && http_field_named(p, n, nlen, f);
}

/* tl_http_field_next_wanted's walk, inlined into each caller so that the
 * parser's want is a direct call, inlined too: every line of every head
 * passes here. */
static inline __attribute__((always_inline)) bool
http_field_next(const uint8_t *buf, size_t len, size_t *off, struct tl_http_field *f, bool *end,
		tl_http_field_want want, int *which)
{
	size_t n, start, nlen;
	bool complete;

	*end = false;
	while (*off < len) {
		start = *off;
		*off = http_line(buf, len, start, &n, &complete);
		if (!complete) {
			*off = start;
			return false;
		}
		if (!n) {
			*end = true;
			return false;
		}
		if (!want) {
			if (tl_http_field_split(buf + start, n, f))
				return true;
		} else if ((*which = want(buf + start, n, &nlen)) >= 0 &&
			   http_field_named(buf + start, n, nlen, f)) {
			return true;
		}
	}
	return false;
}

bool tl_http_field_next_wanted(const uint8_t *buf, size_t len, size_t *off, struct tl_http_field *f,
			       bool *end, tl_http_field_want want)
{
	int which;

	return http_field_next(buf, len, off, f, end, want, &which);
}

bool tl_http_name_eq(const uint8_t *p, size_t n, const char *name, size_t name_len)
{
	return http_name_eq(p, n, name, name_len);
}

/* The first of repeated fields is kept. */
static void http_parse_header(const struct tl_http_field *h, enum http_read_field which,
			      struct tl_http_msg *m, enum http_cl_state *cl)
{
	char *text;

	if (which == HTTP_CONTENT_LENGTH)
		http_content_length(m, cl, h->value, h->value_len);
	if (which == HTTP_KEEP_ALIVE && !m->keep_alive_s)
		m->keep_alive_s = http_keep_alive_timeout(h->value, h->value_len);
	/* Repeated fields make one list: the last one's last coding counts. */
	if (which == HTTP_TRANSFER_ENCODING)
		m->chunked = http_last_coding_chunked(h->value, h->value_len);
	if (http_read_text[which] == HTTP_NO_TEXT)
		return;
	text = (char *)m + http_read_text[which];
	if (!text[0])
		http_copy(text, TL_HTTP_HEADER_MAX, h->value, h->value_len);
}

/* Header lines from off on, up to the empty line; a line the end of buf cuts
 * is left out, since its value may be cut too. Each line is found once and
 * split only when it is a field read. */
static void http_parse_headers(const uint8_t *buf, size_t len, size_t off, struct tl_http_msg *m)
{
	enum http_cl_state cl = HTTP_CL_ABSENT;
	struct tl_http_field h;
	int which;
	bool end;

	while (http_field_next(buf, len, &off, &h, &end, http_read_index, &which))
		http_parse_header(&h, (enum http_read_field)which, m, &cl);
	if (end) {
		m->headers_complete = true;
		m->header_len = off;
	}
}

/* What tl_http_parse leaves unset is "", 0 or false: each string's first
 * byte rather than the whole message, whose arrays are over a kilobyte
 * (clearing them was a tenth of a head's cost). */
static void http_msg_reset(struct tl_http_msg *m)
{
	m->kind = TL_HTTP_NONE;
	m->method[0] = m->uri[0] = m->version[0] = m->reason[0] = '\0';
	m->status = 0;
	m->uri_truncated = m->line_complete = m->headers_complete = false;
	m->content_type[0] = m->range[0] = m->content_range[0] = m->connection[0] = '\0';
	m->content_length = -1;
	m->header_len = m->uri_len = 0;
	m->transfer_encoding[0] = '\0';
	m->chunked = false;
	m->keep_alive_s = 0;
}

enum tl_http_kind tl_http_parse(const uint8_t *buf, size_t len, struct tl_http_msg *m)
{
	size_t n, next;
	bool complete;

	http_msg_reset(m);
	/* buf may be NULL then, which memchr must not see. */
	if (!len)
		return TL_HTTP_NONE;
	next = http_line(buf, len, 0, &n, &complete);
	if (http_parse_status_line(buf, n, m))
		m->kind = TL_HTTP_RESPONSE;
	else if (http_parse_request_line(buf, n, m) ||
		 (!complete && http_parse_cut_request_line(buf, n, m)))
		m->kind = TL_HTTP_REQUEST;
	else
		return TL_HTTP_NONE;
	m->line_complete = complete;
	if (complete)
		http_parse_headers(buf, len, next, m);
	return m->kind;
}

/* The request line's beginning: a token, then a target, then the version,
 * each as far as the bytes go. */
static bool http_request_prefix(const uint8_t *p, size_t n)
{
	size_t off = http_span(p, n, HTTP_TCHAR), tlen;

	if (!off || off == n)
		return off > 0;
	if (p[off++] != ' ')
		return false;
	tlen = http_span(p + off, n - off, HTTP_TARGET);
	off += tlen;
	if (off == n)
		return true;
	if (!tlen || p[off++] != ' ')
		return false;
	/* A CR after the version is the cut CRLF. */
	if (n - off == HTTP_VERSION_LEN + 1 && p[n - 1] == '\r')
		n--;
	return http_version_prefix(p + off, n - off);
}

bool tl_http_could_begin(const uint8_t *buf, size_t len)
{
	if (!len || memchr(buf, '\n', len))
		return false;
	return http_version_prefix(buf, len < HTTP_VERSION_LEN ? len : HTTP_VERSION_LEN) ||
	       http_request_prefix(buf, len);
}

size_t tl_http_head_start(const uint8_t *buf, size_t len)
{
	const uint8_t *lf = len ? memchr(buf, '\n', len) : NULL;

	return lf ? (size_t)(lf - buf) + 1 : len;
}
