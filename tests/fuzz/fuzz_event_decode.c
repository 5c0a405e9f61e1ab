/* Ring buffer records from arbitrary bytes, through the decoder, the engine
 * and the JSON and text outputs: nothing may crash, and every JSON line must
 * parse. The input is a list of records, each a 16-bit length then its bytes.
 * fuzz-sources: user/tracer/kernel/event_decode.c user/tracer/engine/ user/tracer/proto/
 * fuzz-sources: user/common/fmt.c user/common/utf8.c
 * fuzz-sources: user/tracer/output/output_json.c user/tracer/output/output_text.c
 * fuzz-sources: user/tracer/output/json_writer.c user/tracer/output/conn_map.c
 * fuzz-sources: user/tracer/output/text_lang.c
 * fuzz-sources: user/tracer/output/text_legend.c
 * fuzz-sources: user/tracer/kernel/kernel_names.c user/common/vec.c
 * fuzz-libs: -ljansson -lbpf
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/engine/engine.h"
#include "tracer/kernel/event_decode.h"
#include "tracer/output/output.h"

/* Records are 8-byte aligned in the ring buffer; so are they here. */
static union {
	uint64_t align;
	uint8_t bytes[sizeof(struct tl_packet_data) + 64];
} rec;

static void feed_all(struct tl_engine *e, const uint8_t *data, size_t size)
{
	while (size >= 2) {
		size_t len = data[0] | (size_t)data[1] << 8;
		struct tl_event ev;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (len > sizeof(rec.bytes))
			len = sizeof(rec.bytes);
		memcpy(rec.bytes, data, len);
		if (!tl_event_decode(rec.bytes, len, 0, &ev))
			tl_engine_feed(e, &ev);
		data += len;
		size -= len;
	}
}

static void run(struct tl_output *out, const uint8_t *data, size_t size)
{
	struct tl_engine_config cfg = {0};
	struct tl_engine *e = tl_engine_new(&cfg, &out->sink);

	if (!e)
		abort();
	feed_all(e, data, size);
	tl_engine_tick(e, UINT64_MAX / 2);
	tl_engine_finish(e);
	tl_engine_free(e);
	out->free(out);
}

static void check_json_lines(char *buf, size_t len)
{
	char *line = buf, *end = buf + len;

	while (line < end) {
		char *nl = memchr(line, '\n', end - line);
		json_t *j;

		if (!nl)
			abort();
		/* A request target may carry NUL: "\u0000" is valid JSON. */
		j = json_loadb(line, nl - line, JSON_ALLOW_NUL, NULL);
		if (!j)
			abort();
		json_decref(j);
		line = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	FILE *null = fopen("/dev/null", "w");

	if (!f || !null)
		abort();
	run(tl_output_json_new(f), data, size);
	fclose(f);
	check_json_lines(buf, len);
	free(buf);
	run(tl_output_text_new(null, true), data, size);
	fclose(null);
	return 0;
}
