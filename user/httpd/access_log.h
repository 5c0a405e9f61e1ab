/* Common Log Format on stderr, one line per request. Lines are buffered and
 * written once per event-loop pass, not once per request. */
#ifndef HTTPD_ACCESS_LOG_H
#define HTTPD_ACCESS_LOG_H

#include <stdint.h>
#include <time.h>

#include "httpd/http.h"

/* line is the request line, empty when the request was unreadable. */
void access_log_request(const char *peer, time_t now, struct http_slice line, int status,
			uint64_t bytes);
void access_log_flush(void);

#endif
