#include "httpd/conditional.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "httpd/http_date.h"

void cond_etag(const struct stat *st, char out[COND_ETAG_MAX])
{
	uint64_t mtime_ns =
	    (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec;

	snprintf(out, COND_ETAG_MAX, "\"%" PRIx64 "-%" PRIx64 "\"", mtime_ns,
		 (uint64_t)st->st_size);
}

/* Weak comparison (RFC 9110 section 8.8.3.2): a W/ prefix does not matter. */
static bool etag_list_matches(struct http_slice list, const char *etag)
{
	const char *p = list.p, *end = list.p + list.len;
	size_t etag_len = strlen(etag);

	if (list.len == 1 && list.p[0] == '*')
		return true;
	while (p < end) {
		const char *close;

		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (end - p >= 2 && p[0] == 'W' && p[1] == '/')
			p += 2;
		if (p >= end || *p != '"')
			return false;
		close = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (!close)
			return false;
		if ((size_t)(close + 1 - p) == etag_len && memcmp(p, etag, etag_len) == 0)
			return true;
		p = close + 1;
	}
	return false;
}

/* A date after now is invalid, so ignored (RFC 9110 section 13.1.3): a
 * file touched after it would otherwise never be sent again. */
bool cond_not_modified(const struct http_request *req, const struct stat *st, const char *etag,
		       time_t now)
{
	time_t since;

	if (req->if_none_match.p)
		return etag_list_matches(req->if_none_match, etag);
	if (req->if_modified_since.p &&
	    http_date_parse(req->if_modified_since.p, req->if_modified_since.len, &since) == 0 &&
	    since <= now)
		return st->st_mtime <= since;
	return false;
}

/* If-Range needs a strong match: an exact ETag (never a weak one) or the
 * exact Last-Modified date. */
bool cond_range_applies(const struct http_request *req, const struct stat *st, const char *etag)
{
	struct http_slice v = req->if_range;
	time_t date;

	if (!v.p)
		return true;
	if (v.len > 0 && v.p[0] == '"')
		return v.len == strlen(etag) && memcmp(v.p, etag, v.len) == 0;
	return http_date_parse(v.p, v.len, &date) == 0 && date == st->st_mtime;
}
