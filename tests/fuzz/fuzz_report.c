/* Any bytes as --json lines into the report's model, then the page and each
 * standalone SVG: no crash, and every '<' written opens one of the elements
 * the drawing itself makes (nothing from the input becomes markup).
 * fuzz-sources: user/tracer/report/report_model.c user/tracer/report/report_esc.c
 * fuzz-sources: user/tracer/report/report_svg.c user/tracer/report/report_html.c
 * fuzz-sources: user/tracer/report/report_pack.c user/tracer/proto/
 * fuzz-sources: user/common/fmt.c user/common/utf8.c user/common/vec.c
 * fuzz-libs: -ljansson -lz
 */
#include <stdlib.h>
#include <string.h>

#include "tracer/report/report_html.h"
#include "tracer/report/report_svg.h"

static const char *const fuzz_tags[] = {"?xml",	 "svg",	   "/svg",  "g",     "/g",
					"path",	 "rect",   "text",  "/text", "line",
					"style", "/style", "title", "/title"};

static void fuzz_only_our_tags(const char *s, size_t n)
{
	for (const char *p = memchr(s, '<', n); p; p = memchr(p + 1, '<', n - (p + 1 - s))) {
		size_t len = strcspn(p + 1, " >\n"), i;

		for (i = 0; i < sizeof(fuzz_tags) / sizeof(fuzz_tags[0]); i++)
			if (strlen(fuzz_tags[i]) == len && !strncmp(p + 1, fuzz_tags[i], len))
				break;
		if (i == sizeof(fuzz_tags) / sizeof(fuzz_tags[0]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_rp_model m = {0};
	const char *s = (const char *)data, *end = s + size;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		tl_rp_model_line(&m, s, n);
		s += n + 1;
	}
	f = open_memstream(&out, &len);
	tl_rp_html(f, &m, true);
	fclose(f);
	free(out);
	for (size_t i = 0; i < m.conns.n; i++) {
		f = open_memstream(&out, &len);
		tl_rp_svg(f, tl_rp_conn_at(&m, i), true);
		fclose(f);
		fuzz_only_our_tags(out, len);
		free(out);
	}
	tl_rp_model_free(&m);
	return 0;
}
