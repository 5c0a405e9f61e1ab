#include "tracer/report/report_esc.h"

#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

long tl_report_utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	static const long min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t want = s[0] < 0x80		    ? 1
		      : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
		      : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
		      : s[0] >= 0xf0 && s[0] < 0xf5 ? 4
						    : 0;
	long cp;

	*len = 1;
	if (!want)
		return -1;
	if (want == 1)
		return s[0];
	if (want > n)
		return -1;
	cp = s[0] & (0x7f >> want);
	for (size_t i = 1; i < want; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min_cp[want] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		return -1;
	*len = want;
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
