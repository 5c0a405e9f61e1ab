/* HTTP dates: the three accepted forms, rejects, and formatting. */
#include <errno.h>
#include <string.h>

#include "httpd/http_date.h"
#include "unit.h"

/* 784111777 is Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example. */
static const struct {
	int line;
	const char *desc;
	const char *text;
	int want;
	time_t t;
} date_rows[] = {
    {__LINE__, "IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", 0, 784111777},
    {__LINE__, "RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", 0, 784111777},
    {__LINE__, "asctime, space-padded day", "Sun Nov  6 08:49:37 1994", 0, 784111777},
    {__LINE__, "asctime, two-digit day", "Thu Nov 26 08:49:37 2026", 0, 1795682977},
    {__LINE__, "RFC 850 year below 70 is 20xx", "Friday, 01-Jan-21 00:00:00 GMT", 0, 1609459200},
    {__LINE__, "epoch", "Thu, 01 Jan 1970 00:00:00 GMT", 0, 0},
    {__LINE__, "leap day", "Thu, 29 Feb 2024 12:00:00 GMT", 0, 1709208000},
    {__LINE__, "weekday is not checked against the date", "Mon, 06 Nov 1994 08:49:37 GMT", 0,
     784111777},
    {__LINE__, "lower-case month", "Sun, 06 nov 1994 08:49:37 GMT", -EINVAL, 0},
    {__LINE__, "not GMT", "Sun, 06 Nov 1994 08:49:37 UTC", -EINVAL, 0},
    {__LINE__, "single-digit day in IMF", "Sun, 6 Nov 1994 08:49:37 GMT", -EINVAL, 0},
    {__LINE__, "hour 24", "Sun, 06 Nov 1994 24:00:00 GMT", -EINVAL, 0},
    {__LINE__, "day 0", "Sun, 00 Nov 1994 08:49:37 GMT", -EINVAL, 0},
    {__LINE__, "trailing junk", "Sun, 06 Nov 1994 08:49:37 GMTx", -EINVAL, 0},
    {__LINE__, "truncated", "Sun, 06 Nov 1994 08:49", -EINVAL, 0},
    {__LINE__, "empty", "", -EINVAL, 0},
    {__LINE__, "not a date", "yesterday", -EINVAL, 0},
};

static void check_parse(void)
{
	for (size_t i = 0; i < sizeof(date_rows) / sizeof(date_rows[0]); i++) {
		time_t t = -1;
		int got = http_date_parse(date_rows[i].text, strlen(date_rows[i].text), &t);

		UNIT_CHECK_AT(date_rows[i].line, got == date_rows[i].want, "%s: result %d",
			      date_rows[i].desc, got);
		if (date_rows[i].want == 0)
			UNIT_CHECK_AT(date_rows[i].line, t == date_rows[i].t, "%s: time %lld",
				      date_rows[i].desc, (long long)t);
	}
}

static void check_format(void)
{
	char out[HTTP_DATE_LEN + 1];
	time_t t;

	http_date_format(784111777, out);
	UNIT_CHECK(strcmp(out, "Sun, 06 Nov 1994 08:49:37 GMT") == 0, "format IMF-fixdate: %s",
		   out);
	UNIT_CHECK(http_date_parse(out, strlen(out), &t) == 0 && t == 784111777,
		   "format and parse round trip");
	UNIT_CHECK(strcmp(http_date_now(0), "Thu, 01 Jan 1970 00:00:00 GMT") == 0 &&
		       strcmp(http_date_now(86400), "Fri, 02 Jan 1970 00:00:00 GMT") == 0,
		   "cached current date follows the clock");
}

int main(void)
{
	check_parse();
	check_format();
	return unit_done();
}
