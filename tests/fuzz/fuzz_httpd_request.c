/* libFuzzer target: the request parser, whole and resumed after a prefix
 * (the two must agree), then the code that consumes its result without I/O
 * (range maths, dates, path check, MIME type, the conditional checks and
 * the response head), as the server would. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "httpd/conditional.h"
#include "httpd/docroot.h"
#include "httpd/http_request.h"
#include "httpd/http_response.h"
#include "httpd/mime.h"
#include "httpd/range.h"

static void fuzz_consume(const struct http_request *req)
{
	struct stat st = {.st_ino = 7, .st_size = 1000};
	struct http_response resp = {
	    .status = HTTP_MOVED_PERMANENTLY, .location = req->path, .location_query = req->query};
	char etag[COND_ETAG_MAX], out[HTTP_LINE_MAX + 1024];
	struct range r;
	size_t body;

	if (req->range.p && range_parse(req->range.p, req->range.len, 1000, &r) == 0 &&
	    (r.first > r.last || r.last >= 1000))
		abort();
	cond_etag(&st, etag);
	cond_not_modified(req, &st, etag, 784111777);
	cond_range_applies(req, &st, etag);
	if (docroot_check(req->decoded, req->decoded_len) == 0 &&
	    (strstr(req->decoded, "/../") || memchr(req->decoded, '\0', req->decoded_len)))
		abort();
	mime_type(req->decoded, req->decoded_len);
	if (http_response_build(&resp, 0, out, sizeof(out), &body) < 0)
		abort();
}

/* The input parsed as two reads, split where its first byte says. */
static int fuzz_parse_split(struct http_request *req, const char *buf, size_t size)
{
	size_t split = size ? (unsigned char)buf[0] * size / 256 : 0;
	int err;

	http_request_begin(req);
	err = http_request_parse(req, buf, split);
	return err == -EAGAIN ? http_request_parse(req, buf, size) : err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request req, split;
	/* A private copy, so reads past the end are caught by ASan. */
	char *buf = malloc(size ? size : 1);
	int err;

	memcpy(buf, data, size);
	http_request_begin(&req);
	err = http_request_parse(&req, buf, size);
	if (fuzz_parse_split(&split, buf, size) != err || split.error != req.error ||
	    split.length != req.length)
		abort();
	if (err == 0) {
		if (req.length == 0 || req.length > size || req.decoded[req.decoded_len] != '\0')
			abort();
		fuzz_consume(&req);
	} else if (err != -EAGAIN && !(err == -EBADMSG && req.error != HTTP_OK)) {
		abort();
	}
	free(buf);
	return 0;
}
