/* Any bytes as a golden shape and as --json trace lines, then the checks of
 * the one against the other: no crash, every line "name: VERDICT ..." and
 * whole (the input's bytes cannot break or forge one), and grade's count of
 * failures that of its FAIL lines.
 * fuzz-sources: user/tracer/grade/grade_life.c user/tracer/grade/grade_shape.c
 * fuzz-sources: user/tracer/grade/grade_check.c user/common/vec.c
 * fuzz-libs: -ljansson
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/grade/grade.h"

static void fuzz_trace(struct grade_trace *t, const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) + 1 : n;

		grade_trace_line(t, s, len);
		s += len;
		n -= len;
	}
}

static int fuzz_fails(const char *out)
{
	int n = 0;

	for (const char *line = out; *line;) {
		const char *nl = strchr(line, '\n'), *colon = strstr(line, ": ");

		if (!nl || !colon || colon > nl)
			abort();
		n += !strncmp(colon + 2, "FAIL ", 5);
		line = nl + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct grade_trace trace = {0};
	struct grade_shape shape;
	char err[160], *out = NULL;
	size_t out_size = 0;
	FILE *f;
	int failed;

	fuzz_trace(&trace, (const char *)data, size);
	if (grade_shape_parse((const char *)data, size, &shape, err, sizeof(err)) == 0) {
		f = open_memstream(&out, &out_size);
		if (!f)
			abort();
		failed = grade_check(&shape, &trace, f);
		fclose(f);
		if (failed != fuzz_fails(out))
			abort();
		free(out);
	} else if (!memchr(err, '\0', sizeof(err))) {
		abort();
	}
	grade_trace_free(&trace);
	return 0;
}
