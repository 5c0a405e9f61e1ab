#include "httpd/access_log.h"

#include <stdio.h>
#include <unistd.h>

#include "httpd/http_date.h"
#include "common/fmt.h"

/* Room for many lines; one line is at most an escaped request line plus
 * about a hundred bytes. */
#define ACCESS_LOG_BUF (64 * 1024)
#define ACCESS_LOG_LINE_MAX (2 * HTTP_LINE_MAX + 128)

static char access_log_buf[ACCESS_LOG_BUF];
static size_t access_log_len;

void access_log_flush(void)
{
	size_t off = 0;

	while (off < access_log_len) {
		ssize_t n = write(STDERR_FILENO, access_log_buf + off, access_log_len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	access_log_len = 0;
}

/* [21/Nov/2026:05:41:00 +0000], recomputed when the second changes. */
static const char *access_log_time(time_t now)
{
	static char cached[32];
	static time_t cached_at = -1;
	struct tm tm;

	if (now != cached_at) {
		gmtime_r(&now, &tm);
		snprintf(cached, sizeof(cached), "[%02u/%.3s/%04u:%02u:%02u:%02u +0000]",
			 (unsigned)tm.tm_mday % 100u, http_date_months[tm.tm_mon],
			 (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)tm.tm_hour % 100u,
			 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
		cached_at = now;
	}
	return cached;
}

/* Quotes and backslashes are escaped as Apache does, so a target cannot
 * forge the fields after it. */
static void access_log_quoted(struct tl_fmt *b, struct http_slice line)
{
	tl_fmt_str(b, "\"");
	if (!line.len)
		tl_fmt_str(b, "-");
	for (size_t i = 0; i < line.len; i++) {
		if (line.p[i] == '"' || line.p[i] == '\\')
			tl_fmt_str(b, "\\");
		tl_fmt_mem(b, line.p + i, 1);
	}
	tl_fmt_str(b, "\"");
}

void access_log_request(const char *peer, time_t now, struct http_slice line, int status,
			uint64_t bytes)
{
	struct tl_fmt b;

	if (ACCESS_LOG_BUF - access_log_len < ACCESS_LOG_LINE_MAX)
		access_log_flush();
	tl_fmt_init(&b, access_log_buf + access_log_len, ACCESS_LOG_BUF - access_log_len);
	tl_fmt_str(&b, peer);
	tl_fmt_str(&b, " - - ");
	tl_fmt_str(&b, access_log_time(now));
	tl_fmt_str(&b, " ");
	access_log_quoted(&b, line);
	tl_fmt_str(&b, " ");
	tl_fmt_uint(&b, (uint64_t)status);
	tl_fmt_str(&b, " ");
	if (bytes)
		tl_fmt_uint(&b, bytes);
	else
		tl_fmt_str(&b, "-");
	tl_fmt_str(&b, "\n");
	access_log_len += b.len;
}
