/* HTTP dates (RFC 9110 section 5.6.7): formatting as IMF-fixdate, parsing
 * of the three forms a recipient must accept. */
#ifndef HTTPD_HTTP_DATE_H
#define HTTPD_HTTP_DATE_H

#include <stddef.h>
#include <time.h>

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
#define HTTP_DATE_LEN 29

void http_date_format(time_t t, char out[HTTP_DATE_LEN + 1]);

/* The formatted current time, recomputed only when the second changes. */
const char *http_date_now(time_t now);

/* Parses IMF-fixdate, RFC 850 or asctime form; 0 or -EINVAL. */
int http_date_parse(const char *s, size_t len, time_t *out);

/* Month abbreviations shared with the access log's timestamp. */
extern const char http_date_months[12][4];

#endif
