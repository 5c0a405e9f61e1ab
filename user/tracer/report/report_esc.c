#include "tracer/report/report_esc.h"

#include <stdint.h>
#include <string.h>

#include "common/utf8.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

long tl_report_utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t cp;

	*len = tl_utf8_seq(s, n, &cp);
	if (!*len) {
		*len = 1;
		return -1;
	}
	return cp;
}

/* XML 1.0's Char production, less the C0 and C1 controls a browser would
 * show as nothing (tab and newline included: a label is one line). */
static int esc_allowed(long cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	return cp != 0xfffe && cp != 0xffff;
}

static const char *esc_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

void tl_report_esc(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, len;

	/* Safe bytes go out in runs; only what needs a change is looked at. */
	while (i < n) {
		long cp = tl_report_utf8_next(u + i, n - i, &len);
		const char *ent = cp >= 0 && cp < 0x80 ? esc_entity(cp) : NULL;

		if (!ent && cp >= 0 && esc_allowed(cp)) {
			i += len;
			run += len;
			continue;
		}
		fwrite_unlocked(u + i - run, 1, run, f);
		fputs_unlocked(ent ? ent : REPLACEMENT, f);
		i += len;
		run = 0;
	}
	fwrite_unlocked(u + i - run, 1, run, f);
}

void tl_report_escs(FILE *f, const char *s) { tl_report_esc(f, s, strlen(s)); }
