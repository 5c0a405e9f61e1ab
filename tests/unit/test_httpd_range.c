/* Range parsing and arithmetic against a file size. */
#include <errno.h>
#include <string.h>

#include "httpd/range.h"
#include "unit.h"

static const struct {
	int line;
	const char *desc;
	const char *value;
	uint64_t size;
	int want; /* 0, -ERANGE (416) or -EINVAL (ignored: 200) */
	uint64_t first;
	uint64_t last;
} range_rows[] = {
    {__LINE__, "first-last", "bytes=0-99", 1000, 0, 0, 99},
    {__LINE__, "single byte", "bytes=5-5", 1000, 0, 5, 5},
    {__LINE__, "last clamped to the end", "bytes=900-5000", 1000, 0, 900, 999},
    {__LINE__, "open-ended", "bytes=10-", 1000, 0, 10, 999},
    {__LINE__, "open-ended at the last byte", "bytes=999-", 1000, 0, 999, 999},
    {__LINE__, "suffix", "bytes=-100", 1000, 0, 900, 999},
    {__LINE__, "suffix equal to size: whole file", "bytes=-1000", 1000, 0, 0, 999},
    {__LINE__, "suffix larger than size: whole file", "bytes=-5000", 1000, 0, 0, 999},
    {__LINE__, "unit is case-insensitive, OWS allowed", "Bytes= 1-2 ", 1000, 0, 1, 2},
    {__LINE__, "first at size: unsatisfiable", "bytes=1000-", 1000, -ERANGE, 0, 0},
    {__LINE__, "first past size: unsatisfiable", "bytes=2000-3000", 1000, -ERANGE, 0, 0},
    {__LINE__, "suffix of zero: unsatisfiable", "bytes=-0", 1000, -ERANGE, 0, 0},
    {__LINE__, "last before first: invalid", "bytes=5-4", 1000, -EINVAL, 0, 0},
    {__LINE__, "several ranges: whole file", "bytes=0-1,5-6", 1000, -EINVAL, 0, 0},
    {__LINE__, "other unit", "items=0-1", 1000, -EINVAL, 0, 0},
    {__LINE__, "no dash", "bytes=5", 1000, -EINVAL, 0, 0},
    {__LINE__, "empty spec", "bytes=", 1000, -EINVAL, 0, 0},
    {__LINE__, "bare dash", "bytes=-", 1000, -EINVAL, 0, 0},
    {__LINE__, "negative first", "bytes=--5", 1000, -EINVAL, 0, 0},
    {__LINE__, "trailing junk", "bytes=0-1x", 1000, -EINVAL, 0, 0},
    {__LINE__, "number overflow", "bytes=0-99999999999999999999999", 1000, -EINVAL, 0, 0},
    {__LINE__, "largest number", "bytes=0-18446744073709551615", 1000, 0, 0, 999},
    {__LINE__, "empty file: ignored", "bytes=0-", 0, -EINVAL, 0, 0},
    {__LINE__, "empty file, suffix: ignored", "bytes=-5", 0, -EINVAL, 0, 0},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(range_rows) / sizeof(range_rows[0]); i++) {
		struct range r = {0, 0};
		int got = range_parse(range_rows[i].value, strlen(range_rows[i].value),
				      range_rows[i].size, &r);

		UNIT_CHECK_AT(range_rows[i].line, got == range_rows[i].want, "%s: result %d",
			      range_rows[i].desc, got);
		if (range_rows[i].want == 0)
			UNIT_CHECK_AT(range_rows[i].line,
				      r.first == range_rows[i].first &&
					  r.last == range_rows[i].last,
				      "%s: %llu-%llu", range_rows[i].desc,
				      (unsigned long long)r.first, (unsigned long long)r.last);
	}
	return unit_done();
}
