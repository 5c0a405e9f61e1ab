#include "httpd/serve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "httpd/mime.h"

void serve_fail(struct serve_reply *out, enum http_status st)
{
	out->resp = (struct http_response){.status = st};
	out->fd = -1;
	out->offset = 0;
}

static enum http_status serve_status_of(int err)
{
	switch (err) {
	case -EINVAL:
		return HTTP_BAD_REQUEST;
	case -ENOENT:
	case -ENOTDIR:
		return HTTP_NOT_FOUND;
	case -EACCES:
	case -EPERM:
	case -EXDEV:
	case -ELOOP:
		return HTTP_FORBIDDEN;
	case -ENAMETOOLONG:
		return HTTP_URI_TOO_LONG;
	default:
		return HTTP_INTERNAL_ERROR;
	}
}

/* A path ending in "/" names a directory, served by its index.html, which
 * is opened directly: no listing, and no extra open of the directory. */
static int serve_open(const struct docroot *root, const struct http_request *req, struct stat *st)
{
	char index[HTTP_LINE_MAX + sizeof("index.html")];
	int fd;

	if (req->decoded[req->decoded_len - 1] != '/')
		return docroot_open(root, req->decoded, st);
	snprintf(index, sizeof(index), "%sindex.html", req->decoded);
	fd = docroot_open(root, index, st);
	if (fd >= 0 && S_ISDIR(st->st_mode)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* Range is defined for GET only, and only while If-Range still matches. */
static void serve_range(const struct http_request *req, const struct stat *st,
			struct serve_reply *out)
{
	struct range r;
	int err;

	if (req->method != HTTP_METHOD_GET || !req->range.p ||
	    !cond_range_applies(req, st, out->etag))
		return;
	err = range_parse(req->range.p, req->range.len, (uint64_t)st->st_size, &r);
	if (err == -ERANGE) {
		out->resp.status = HTTP_RANGE_NOT_SATISFIABLE;
	} else if (err == 0) {
		out->resp.status = HTTP_PARTIAL_CONTENT;
		out->resp.range = r;
		out->offset = r.first;
		out->resp.length = r.last - r.first + 1;
	}
}

/* The type comes from the URL path; an index is always HTML. */
static void serve_file(const struct http_request *req, int fd, const struct stat *st, time_t now,
		       struct serve_reply *out)
{
	cond_etag(st, out->etag);
	out->resp.etag = out->etag;
	out->resp.mtime = st->st_mtime;
	out->resp.content_type = req->decoded[req->decoded_len - 1] == '/'
				     ? mime_type("index.html", strlen("index.html"))
				     : mime_type(req->decoded, req->decoded_len);
	out->resp.size = (uint64_t)st->st_size;
	out->resp.length = (uint64_t)st->st_size;
	if (cond_not_modified(req, st, out->etag, now))
		out->resp.status = HTTP_NOT_MODIFIED;
	else
		serve_range(req, st, out);
	if (req->method == HTTP_METHOD_GET &&
	    (out->resp.status == HTTP_OK || out->resp.status == HTTP_PARTIAL_CONTENT))
		out->fd = fd;
	else
		close(fd);
}

void serve_request(const struct docroot *root, const struct http_request *req, time_t now,
		   struct serve_reply *out)
{
	struct stat st;
	int fd, err;

	serve_fail(out, HTTP_OK);
	if (req->method == HTTP_METHOD_OTHER) {
		serve_fail(out, HTTP_METHOD_NOT_ALLOWED);
		return;
	}
	err = docroot_check(req->decoded, req->decoded_len);
	fd = err ? err : serve_open(root, req, &st);
	if (fd < 0) {
		serve_fail(out, serve_status_of(fd));
		return;
	}
	/* Redirected to the slash form so relative links in its index resolve. */
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		serve_fail(out, HTTP_MOVED_PERMANENTLY);
		out->resp.location = req->path;
		out->resp.location_query = req->query;
		return;
	}
	serve_file(req, fd, &st, now, out);
}
