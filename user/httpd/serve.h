/* Static file replies: maps a parsed request to a status, headers and an
 * open file range, without touching the socket. */
#ifndef HTTPD_SERVE_H
#define HTTPD_SERVE_H

#include <stdint.h>
#include <time.h>

#include "httpd/conditional.h"
#include "httpd/docroot.h"
#include "httpd/http_request.h"
#include "httpd/http_response.h"

struct serve_reply {
	struct http_response resp;
	int fd;		 /* body source, -1 when the body is not a file */
	uint64_t offset; /* where the body starts in the file */
	char etag[COND_ETAG_MAX];
};

/* A reply with no file: an error or redirect page for st. */
void serve_fail(struct serve_reply *out, enum http_status st);

/* The reply to a well-formed request at wall-clock time now; out->fd, set
 * for GET bodies only, is the caller's to close. */
void serve_request(const struct docroot *root, const struct http_request *req, time_t now,
		   struct serve_reply *out);

#endif
