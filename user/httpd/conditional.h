/* Validators and conditional requests (RFC 9110 section 13). */
#ifndef HTTPD_CONDITIONAL_H
#define HTTPD_CONDITIONAL_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "httpd/http_request.h"

#define COND_ETAG_MAX 64

/* A strong ETag from nanosecond mtime and size, in hex, as nginx makes it
 * (from seconds): any rewrite of the file changes it, and unlike an inode
 * number it tells nothing about the server's file system. */
void cond_etag(const struct stat *st, char out[COND_ETAG_MAX]);

/* If-None-Match (which takes precedence) or If-Modified-Since, unless it
 * is later than now, says the client's copy is current: answer 304. */
bool cond_not_modified(const struct http_request *req, const struct stat *st, const char *etag,
		       time_t now);

/* If-Range, when present, still matches: the Range header may be honoured. */
bool cond_range_applies(const struct http_request *req, const struct stat *st, const char *etag);

#endif
