/* The request parser: pure, no I/O. It reads the request line and header
 * block from a buffer and fills a struct whose slices point into it. It
 * resumes where the previous call stopped, so a request that arrives a byte
 * at a time costs time linear in its length, not quadratic. */
#ifndef HTTPD_HTTP_REQUEST_H
#define HTTPD_HTTP_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "httpd/http.h"

enum http_method {
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_OTHER,
};

struct http_request {
	size_t length;		/* bytes of request line and header block */
	struct http_slice line; /* request line for the access log, once valid */
	enum http_method method;
	int minor;		 /* HTTP/1.minor */
	struct http_slice path;	 /* raw path of the target, without the query */
	struct http_slice query; /* "?..." or empty */
	struct http_slice host;
	struct http_slice if_none_match;
	struct http_slice if_modified_since;
	struct http_slice if_range;
	struct http_slice range;
	bool conn_close;
	bool conn_keep_alive;
	bool has_length;
	bool has_transfer_encoding; /* chunked, the only coding understood */
	uint64_t content_length;
	enum http_status error; /* the answer when parsing fails */
	/* Where to resume: lines before pos are parsed, the line at pos has
	 * been searched for its end up to scan; headers_at is the offset of
	 * the first header line, 0 while the request line is incomplete. */
	size_t pos;
	size_t scan;
	size_t headers_at;
	size_t decoded_len;
	char decoded[HTTP_LINE_MAX]; /* percent-decoded path, NUL-terminated */
};

/* Starts a new request: forgets everything parsed so far. */
void http_request_begin(struct http_request *req);

/* Parses buf, which holds the request's first len bytes; between calls
 * since http_request_begin the bytes already passed must stay in place
 * and unchanged, and only more may be appended.
 * 0: a complete request of req->length bytes.
 * -EAGAIN: incomplete, within limits; call again with more bytes.
 * -EBADMSG: unacceptable; req->error says which status to answer. */
int http_request_parse(struct http_request *req, const char *buf, size_t len);

#endif
