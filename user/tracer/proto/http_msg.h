/* The start of an HTTP/1.x message as found at the beginning of a segment:
 * the request or status line and the headers tcplife-http reports. Pure
 * parsing, no I/O, fixed-size fields; what does not fit is truncated and
 * flagged, never overflowed. */
#ifndef TL_HTTP_MSG_H
#define TL_HTTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tl_http_kind {
	TL_HTTP_NONE = 0, /* not an HTTP start line */
	TL_HTTP_REQUEST,
	TL_HTTP_RESPONSE,
};

#define TL_HTTP_METHOD_MAX 16
#define TL_HTTP_URI_MAX 512
#define TL_HTTP_VERSION_MAX 16
#define TL_HTTP_REASON_MAX 64
#define TL_HTTP_HEADER_MAX 128

/* Field text is raw bytes from the wire (may be any byte but NUL, which ends
 * it; the request target alone may hold NUL too, up to uri_len): escape it
 * before output. The bytes of an array past its text are unspecified. */
struct tl_http_msg {
	enum tl_http_kind kind;
	char method[TL_HTTP_METHOD_MAX];
	char uri[TL_HTTP_URI_MAX];
	char version[TL_HTTP_VERSION_MAX]; /* "HTTP/1.1" */
	int status;			   /* 100..999 for a response */
	char reason[TL_HTTP_REASON_MAX];
	bool uri_truncated;
	bool line_complete;    /* the start line ended (CRLF or LF) in the bytes seen */
	bool headers_complete; /* the empty line ending the headers was seen */
	/* Headers, "" when absent from the bytes seen. */
	char content_type[TL_HTTP_HEADER_MAX];
	char range[TL_HTTP_HEADER_MAX];		/* request Range */
	char content_range[TL_HTTP_HEADER_MAX]; /* response Content-Range */
	char connection[TL_HTTP_HEADER_MAX];
	int64_t content_length; /* -1 when absent or invalid */
	size_t header_len;	/* bytes up to and including the empty line, when complete */
	size_t uri_len;		/* bytes in uri, NULs included */
	/* Transfer-Encoding as first seen ("" when absent), and whether the last
	 * coding of all of them is chunked (RFC 9112 6.1). */
	char transfer_encoding[TL_HTTP_HEADER_MAX];
	bool chunked;
	/* Keep-Alive's timeout=N (RFC 9112 leaves it to the server; Apache,
	 * nginx and tcplife-httpd send it): seconds, 0 when absent. */
	unsigned keep_alive_s;
};

/* tl_http_parse: parses the message that begins at buf[0]. Returns the kind
 * (TL_HTTP_NONE when buf does not begin with a request line "METHOD SP
 * request-target SP HTTP/d.d" or a status line "HTTP/d.d SP ddd [SP reason]").
 * The target is any bytes but SP, CR and LF: a request with control bytes,
 * NUL or invalid UTF-8 in it is still a request (tshark dissects it too).
 * A start line cut by the end of buf still counts when its fixed parts
 * (method, target, version; or version and code) are complete, and so does
 * a request line cut inside its target ("METHOD SP target" to the end of
 * buf): version "", uri_truncated set. Header names
 * are matched case-insensitively and exactly. */
enum tl_http_kind tl_http_parse(const uint8_t *buf, size_t len, struct tl_http_msg *m);

/* A header field as sent: the name, and the value without its surrounding
 * whitespace (RFC 9110 5.5), both pointing into the message's bytes. */
struct tl_http_field {
	const uint8_t *name;
	size_t name_len;
	const uint8_t *value;
	size_t value_len;
};

/* tl_http_field_split: one header line (no CRLF) as "name: OWS value OWS";
 * false when it is no valid field (such lines are ignored, as tshark marks
 * them and reads on). */
bool tl_http_field_split(const uint8_t *p, size_t n, struct tl_http_field *f);

/* Which of a caller's fields the header line p[0..n) (no CRLF) is, by its
 * name: an index, *name_len set to the name's length (the colon follows
 * it), or -1 when it is none of them. */
typedef int (*tl_http_field_want)(const uint8_t *p, size_t n, size_t *name_len);

/* tl_http_field_next_wanted: the next valid field of a head from *off
 * (just past the start line, then as it left it) that want finds (NULL:
 * every field); other lines are stepped over unsplit, the bytes of most
 * heads being in fields no one asked for. False at the empty line (*end
 * set, *off just past it) or where the bytes end before it: a line the end
 * of buf cuts is not returned, since its value may be cut too (*off stays
 * at its start). */
bool tl_http_field_next_wanted(const uint8_t *buf, size_t len, size_t *off, struct tl_http_field *f,
			       bool *end, tl_http_field_want want);

/* A field name a caller looks for, with its length. */
struct tl_http_name {
	const char *name;
	size_t len;
};
#define TL_HTTP_NAME(literal)                                                                      \
	{                                                                                          \
		literal, sizeof(literal) - 1                                                       \
	}

/* tl_http_lower: ASCII only, for field names; tolower() would follow the
 * locale. */
static inline uint8_t tl_http_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* tl_http_name_eq: a field name against one of name_len bytes,
 * case-insensitively (ASCII). */
bool tl_http_name_eq(const uint8_t *p, size_t n, const char *name, size_t name_len);

/* tl_http_name_find: which of names the header line p[0..n) is, or -1,
 * among candidates (a bit per index: those whose names begin with p[0], from
 * the caller's table by first byte, so that most lines are ruled out by one
 * load); *name_len set to its length, the colon's offset. A valid field's
 * name ends at its first colon and no name looked for holds one, so each
 * candidate is ruled out by the colon its length puts before any compare,
 * and no line is searched for its colon. Inline: every line of every head
 * passes here. */
static inline int tl_http_name_find(const uint8_t *p, size_t n, unsigned candidates,
				    const struct tl_http_name *names, size_t *name_len)
{
	for (unsigned i; candidates; candidates &= candidates - 1) {
		const size_t len = names[i = (unsigned)__builtin_ctz(candidates)].len;

		if (n > len && p[len] == ':' && tl_http_name_eq(p, len, names[i].name, len)) {
			*name_len = len;
			return (int)i;
		}
	}
	return -1;
}

/* tl_http_head_start: the offset just past the start line of the message
 * buf begins with, len when no line end is in buf. */
size_t tl_http_head_start(const uint8_t *buf, size_t len);

/* tl_http_could_begin: whether buf (no LF in it) may be the first bytes of a
 * start line that more bytes would complete ("GE", "GET /a HT", "HTTP/1."):
 * a message head that a segment boundary cut too early to tell. */
bool tl_http_could_begin(const uint8_t *buf, size_t len);

#endif
