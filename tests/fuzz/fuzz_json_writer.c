/* Escapes arbitrary bytes: jansson must accept every line, and well-formed
 * UTF-8 must come back unchanged.
 * fuzz-sources: user/tracer/output/json_writer.c user/common/fmt.c user/common/utf8.c
 * fuzz-sources: user/common/vec.c
 * fuzz-libs: -ljansson
 */
#include "tracer/output/json_writer.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static struct tl_json fuzz_json;

/* Jansson's own UTF-8 check decides whether the input should round-trip. */
static bool fuzz_is_utf8(const uint8_t *data, size_t size)
{
	json_t *s = json_stringn_nocheck((const char *)data, size);
	bool ok = s && json_string_setn(s, (const char *)data, size) == 0;

	json_decref(s);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	json_t *root, *s;

	tl_json_begin(&fuzz_json);
	tl_json_strn(&fuzz_json, "s", data, size);
	if (!f || tl_json_end(&fuzz_json, f))
		abort();
	fclose(f);
	root = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	s = json_object_get(root, "s");
	if (!json_is_string(s) || len == 0 || line[len - 1] != '\n')
		abort();
	if (fuzz_is_utf8(data, size) &&
	    (json_string_length(s) != size || memcmp(json_string_value(s), data, size)))
		abort();
	json_decref(root);
	free(line);
	return 0;
}
