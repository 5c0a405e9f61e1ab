#include "httpd/http_date.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "common/util.h"

const char http_date_months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static const char *const http_date_days[7] = {"Sunday",	  "Monday", "Tuesday", "Wednesday",
					      "Thursday", "Friday", "Saturday"};

void http_date_format(time_t t, char out[HTTP_DATE_LEN + 1])
{
	struct tm tm;

	/* The modulos bound every field to its width (years past 9999 wrap). */
	gmtime_r(&t, &tm);
	snprintf(out, HTTP_DATE_LEN + 1, "%.3s, %02u %.3s %04u %02u:%02u:%02u GMT",
		 http_date_days[tm.tm_wday], (unsigned)tm.tm_mday % 100u,
		 http_date_months[tm.tm_mon], (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u);
}

const char *http_date_now(time_t now)
{
	static char cached[HTTP_DATE_LEN + 1];
	static time_t cached_at = -1;

	if (now != cached_at) {
		http_date_format(now, cached);
		cached_at = now;
	}
	return cached;
}

/* The parser walks the input with a cursor; each take_* consumes one field
 * or fails, so a format is one chain of takes ending exactly at the end. */
struct date_cursor {
	const char *p;
	const char *end;
};

static bool take_mem(struct date_cursor *c, const char *lit, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool take_lit(struct date_cursor *c, const char *lit)
{
	return take_mem(c, lit, strlen(lit));
}

static bool take_num(struct date_cursor *c, int digits, int *out)
{
	int v = 0;

	if (c->end - c->p < digits)
		return false;
	for (int i = 0; i < digits; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return false;
		v = v * 10 + (c->p[i] - '0');
	}
	c->p += digits;
	*out = v;
	return true;
}

static bool take_month(struct date_cursor *c, int *mon)
{
	for (int i = 0; i < 12; i++) {
		if (take_mem(c, http_date_months[i], 3)) {
			*mon = i;
			return true;
		}
	}
	return false;
}

/* The weekday is checked for form only: RFC 9110 lets a recipient ignore
 * whether it agrees with the date. */
static bool take_day_name(struct date_cursor *c, bool full)
{
	for (int i = 0; i < 7; i++) {
		const char *day = http_date_days[i];

		if (take_mem(c, day, full ? strlen(day) : 3))
			return true;
	}
	return false;
}

static bool take_time(struct date_cursor *c, struct tm *tm)
{
	return take_num(c, 2, &tm->tm_hour) && take_lit(c, ":") && take_num(c, 2, &tm->tm_min) &&
	       take_lit(c, ":") && take_num(c, 2, &tm->tm_sec);
}

/* Sun, 06 Nov 1994 08:49:37 GMT */
static bool parse_imf_fixdate(struct date_cursor *c, struct tm *tm)
{
	if (!(take_day_name(c, false) && take_lit(c, ", ") && take_num(c, 2, &tm->tm_mday) &&
	      take_lit(c, " ") && take_month(c, &tm->tm_mon) && take_lit(c, " ") &&
	      take_num(c, 4, &tm->tm_year) && take_lit(c, " ") && take_time(c, tm) &&
	      take_lit(c, " GMT")))
		return false;
	tm->tm_year -= 1900;
	return true;
}

/* Sunday, 06-Nov-94 08:49:37 GMT; two-digit years below 70 are 20xx. */
static bool parse_rfc850(struct date_cursor *c, struct tm *tm)
{
	if (!(take_day_name(c, true) && take_lit(c, ", ") && take_num(c, 2, &tm->tm_mday) &&
	      take_lit(c, "-") && take_month(c, &tm->tm_mon) && take_lit(c, "-") &&
	      take_num(c, 2, &tm->tm_year) && take_lit(c, " ") && take_time(c, tm) &&
	      take_lit(c, " GMT")))
		return false;
	if (tm->tm_year < 70)
		tm->tm_year += 100;
	return true;
}

/* Sun Nov  6 08:49:37 1994 */
static bool parse_asctime(struct date_cursor *c, struct tm *tm)
{
	if (!(take_day_name(c, false) && take_lit(c, " ") && take_month(c, &tm->tm_mon) &&
	      take_lit(c, " ")))
		return false;
	if (!(take_lit(c, " ") ? take_num(c, 1, &tm->tm_mday) : take_num(c, 2, &tm->tm_mday)))
		return false;
	if (!(take_lit(c, " ") && take_time(c, tm) && take_lit(c, " ") &&
	      take_num(c, 4, &tm->tm_year)))
		return false;
	tm->tm_year -= 1900;
	return true;
}

static bool http_date_fields_valid(const struct tm *tm)
{
	return tm->tm_mday >= 1 && tm->tm_mday <= 31 && tm->tm_hour <= 23 && tm->tm_min <= 59 &&
	       tm->tm_sec <= 60;
}

int http_date_parse(const char *s, size_t len, time_t *out)
{
	bool (*const forms[])(struct date_cursor *, struct tm *) = {parse_imf_fixdate, parse_rfc850,
								    parse_asctime};

	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		struct date_cursor c = {s, s + len};
		struct tm tm = {0};

		if (forms[i](&c, &tm) && c.p == c.end && http_date_fields_valid(&tm)) {
			*out = timegm(&tm);
			return 0;
		}
	}
	return -EINVAL;
}
