/* Byte ranges (RFC 9110 section 14): one range-spec per request. */
#ifndef HTTPD_RANGE_H
#define HTTPD_RANGE_H

#include <stddef.h>
#include <stdint.h>

/* Inclusive byte positions, as in Content-Range. */
struct range {
	uint64_t first;
	uint64_t last;
};

/* Parses a Range header value against a representation of size bytes.
 * 0: *out is the satisfiable range (answer 206).
 * -ERANGE: unsatisfiable (answer 416).
 * -EINVAL: ignore the header and send the whole file: bad syntax, another
 *          unit, several ranges, or an empty file. */
int range_parse(const char *value, size_t len, uint64_t size, struct range *out);

#endif
