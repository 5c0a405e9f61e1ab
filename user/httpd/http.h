/* Types and limits shared by the request parser, the response builder and
 * the connection state machine. */
#ifndef HTTPD_HTTP_H
#define HTTPD_HTTP_H

#include <stddef.h>

/* Fixed-size buffers: a request that does not fit is refused (414 or 431)
 * instead of growing memory a client controls. */
#define HTTP_LINE_MAX 8192
#define HTTP_HEADERS_MAX 16384
#define HTTP_REQUEST_MAX (HTTP_LINE_MAX + HTTP_HEADERS_MAX)

/* Every status the server can send; indexes the table in http_response.c. */
enum http_status {
	HTTP_OK,
	HTTP_PARTIAL_CONTENT,
	HTTP_MOVED_PERMANENTLY,
	HTTP_NOT_MODIFIED,
	HTTP_BAD_REQUEST,
	HTTP_FORBIDDEN,
	HTTP_NOT_FOUND,
	HTTP_METHOD_NOT_ALLOWED,
	HTTP_REQUEST_TIMEOUT,
	HTTP_LENGTH_REQUIRED,
	HTTP_PAYLOAD_TOO_LARGE,
	HTTP_URI_TOO_LONG,
	HTTP_RANGE_NOT_SATISFIABLE,
	HTTP_HEADERS_TOO_LARGE,
	HTTP_INTERNAL_ERROR,
	HTTP_NOT_IMPLEMENTED,
	HTTP_VERSION_NOT_SUPPORTED,
	HTTP_STATUS_COUNT
};

/* A view into the receive buffer; not NUL-terminated. */
struct http_slice {
	const char *p;
	size_t len;
};

#endif
