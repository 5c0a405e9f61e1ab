/* Response heads, and the one tiny HTML page used by every error and
 * redirect reply. */
#ifndef HTTPD_HTTP_RESPONSE_H
#define HTTPD_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "httpd/http.h"
#include "httpd/range.h"

struct http_response {
	enum http_status status;
	bool head_only; /* HEAD: the GET head, no body */
	bool keep_alive;
	unsigned keep_alive_timeout; /* seconds, announced in Keep-Alive */
	unsigned keep_alive_max;     /* requests left on the connection */
	const char *content_type;    /* file replies */
	uint64_t length;	     /* file bytes in the body */
	/* How the body's end is told when not by Content-Length (the lab
	 * scenarios, httpd/lab/scenarios.h): chunks, or the server's FIN. */
	bool chunked;
	bool close_delimited;
	uint64_t size;	    /* the whole file, for Content-Range */
	struct range range; /* 206 */
	const char *etag;   /* file replies carry validators */
	time_t mtime;
	struct http_slice location;	  /* 301: the directory path lacking "/", raw */
	struct http_slice location_query; /* kept on the redirect */
};

int http_status_code(enum http_status st);

/* Writes the status line, the headers and, for statuses that carry the
 * HTML page, the page (unless head_only) into buf. Returns the bytes
 * written or -ENOSPC; *body_len tells how many of them are body. */
int http_response_build(const struct http_response *r, time_t now, char *buf, size_t cap,
			size_t *body_len);

#endif
