#include "httpd/range.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Reads a decimal number of at least one digit; false on overflow. */
static bool range_number(const char **p, const char *end, uint64_t *out)
{
	const char *start = *p;
	uint64_t v = 0;

	for (; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
		unsigned d = (unsigned)(**p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return *p > start;
}

static void range_skip_ows(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* The suffix form "-N" is resolved before clamping to the file, so any
 * N >= size selects the whole file. */
static int range_suffix(uint64_t n, uint64_t size, struct range *out)
{
	if (n == 0)
		return -ERANGE;
	out->first = n >= size ? 0 : size - n;
	out->last = size - 1;
	return 0;
}

static int range_bounded(uint64_t first, const char **p, const char *end, uint64_t size,
			 struct range *out)
{
	uint64_t last = UINT64_MAX;

	if (*p < end && **p >= '0' && **p <= '9' && !range_number(p, end, &last))
		return -EINVAL;
	if (last < first)
		return -EINVAL;
	if (first >= size)
		return -ERANGE;
	out->first = first;
	out->last = last < size - 1 ? last : size - 1;
	return 0;
}

int range_parse(const char *value, size_t len, uint64_t size, struct range *out)
{
	const char *p = value, *end = value + len;
	uint64_t n;
	int err;

	if (size == 0 || memchr(value, ',', len) || len < 6 || strncasecmp(p, "bytes=", 6) != 0)
		return -EINVAL;
	p += 6;
	range_skip_ows(&p, end);
	if (p < end && *p == '-') {
		p++;
		if (!range_number(&p, end, &n))
			return -EINVAL;
		err = range_suffix(n, size, out);
	} else {
		if (!range_number(&p, end, &n) || p >= end || *p != '-')
			return -EINVAL;
		p++;
		err = range_bounded(n, &p, end, size, out);
	}
	range_skip_ows(&p, end);
	return p == end ? err : -EINVAL;
}
