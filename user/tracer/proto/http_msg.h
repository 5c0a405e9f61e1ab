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
 * before output. */
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

/* tl_http_could_begin: whether buf (no LF in it) may be the first bytes of a
 * start line that more bytes would complete ("GE", "GET /a HT", "HTTP/1."):
 * a message head that a segment boundary cut too early to tell. */
bool tl_http_could_begin(const uint8_t *buf, size_t len);

#endif
