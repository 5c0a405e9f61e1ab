/* JSON lines: exact escapes, numbers from integer math, and jansson reading
 * back every line whatever bytes went in. */
#include "tracer/output/json_writer.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define IN(s) .in = (s), .len = sizeof(s) - 1

struct escape_row {
	int line;
	const char *desc;
	const char *in;
	size_t len;
	const char *want; /* the quoted JSON string */
};

static const struct escape_row escape_rows[] = {
    {__LINE__, "plain", IN("GET /index.html"), "\"GET /index.html\""},
    {__LINE__, "empty", IN(""), "\"\""},
    {__LINE__, "quote and backslash", IN("a\"b\\c"), "\"a\\\"b\\\\c\""},
    {__LINE__, "short forms", IN("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\""},
    {__LINE__, "NUL", IN("a\0b"), "\"a\\u0000b\""},
    {__LINE__, "other controls", IN("\x01\x0b\x1b\x1f"), "\"\\u0001\\u000b\\u001b\\u001f\""},
    {__LINE__, "DEL stays", IN("\x7f"), "\"\x7f\""},
    {__LINE__, "slash stays", IN("/"), "\"/\""},
    {__LINE__, "2-byte", IN("\xc2\xa9"), "\"\xc2\xa9\""},
    {__LINE__, "3-byte", IN("\xe2\x82\xac"), "\"\xe2\x82\xac\""},
    {__LINE__, "4-byte", IN("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\""},
    {__LINE__, "U+D7FF", IN("\xed\x9f\xbf"), "\"\xed\x9f\xbf\""},
    {__LINE__, "U+E000", IN("\xee\x80\x80"), "\"\xee\x80\x80\""},
    {__LINE__, "U+FFFF", IN("\xef\xbf\xbf"), "\"\xef\xbf\xbf\""},
    {__LINE__, "U+10FFFF", IN("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""},
    {__LINE__, "lone continuation", IN("\x80"), "\"\\ufffd\""},
    {__LINE__, "0xff", IN("a\xff"), "\"a\\ufffd\""},
    {__LINE__, "overlong NUL", IN("\xc0\x80"), "\"\\ufffd\\ufffd\""},
    {__LINE__, "overlong slash", IN("\xc1\xaf"), "\"\\ufffd\\ufffd\""},
    {__LINE__, "overlong 3-byte", IN("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\""},
    {__LINE__, "overlong 4-byte", IN("\xf0\x8f\xbf\xbf"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
    {__LINE__, "surrogate D800", IN("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""},
    {__LINE__, "surrogate DFFF", IN("\xed\xbf\xbf"), "\"\\ufffd\\ufffd\\ufffd\""},
    {__LINE__, "U+110000", IN("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
    {__LINE__, "F5 lead", IN("\xf5\x80\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
    {__LINE__, "cut at the end", IN("a\xe2\x82"), "\"a\\ufffd\\ufffd\""},
    {__LINE__, "cut by ASCII",
     IN("\xe2\x82"
	"A"),
     "\"\\ufffd\\ufffdA\""},
    {__LINE__, "cut by a new lead", IN("\xe2\xc2\xa9"), "\"\\ufffd\xc2\xa9\""},
};

struct time_row {
	int line;
	uint64_t ns;
	const char *time, *ms;
};

static const struct time_row time_rows[] = {
    {__LINE__, 0, "0.000000", "0.000"},
    {__LINE__, 999, "0.000000", "0.000"},
    {__LINE__, 1000, "0.000001", "0.001"},
    {__LINE__, 1234567, "0.001234", "1.234"},
    {__LINE__, 999999999, "0.999999", "999.999"},
    {__LINE__, 1763700000123456789ull, "1763700000.123456", "1763700000123.456"},
    {__LINE__, UINT64_MAX, "18446744073.709551", "18446744073709.551"},
};

/* Ends the line into a string the caller frees. */
static char *end_line(struct tl_json *j, int *rc)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	*rc = tl_json_end(j, f);
	fclose(f);
	return out;
}

static char *escape_line(const void *in, size_t len)
{
	struct tl_json j = {0};
	char *line;
	int rc;

	tl_json_begin(&j);
	tl_json_strn(&j, "s", in, len);
	line = end_line(&j, &rc);
	tl_json_free(&j);
	return line;
}

/* The decoded member "s" of a line jansson accepts; *n its length, NULL when
 * jansson rejects the line. Frees line. */
static char *decode_line(char *line, size_t *n)
{
	json_t *root = json_loads(line, JSON_ALLOW_NUL, NULL);
	json_t *s = json_object_get(root, "s");
	char *out = NULL;

	if (json_is_string(s)) {
		*n = json_string_length(s);
		out = malloc(*n + 1);
		memcpy(out, json_string_value(s), *n + 1);
	}
	json_decref(root);
	free(line);
	return out;
}

static void check_escape_row(const struct escape_row *row)
{
	char *line = escape_line(row->in, row->len), want[256];
	size_t n;
	char *dec;
	bool ok;

	snprintf(want, sizeof(want), "{\"s\":%s}\n", row->want);
	ok = !strcmp(line, want);
	UNIT_CHECK_AT(row->line, ok, "escape %s%s%.*s", row->desc, ok ? "" : ": got ",
		      ok ? 0 : (int)strcspn(line, "\n"), line);
	dec = decode_line(line, &n);
	UNIT_CHECK_AT(row->line, dec != NULL, "escape %s: jansson parses it", row->desc);
	free(dec);
}

static void check_time_row(const struct time_row *row)
{
	struct tl_json j = {0};
	char want[128], *line;
	int rc;

	tl_json_begin(&j);
	tl_json_time(&j, "t", row->ns);
	tl_json_ms(&j, "ms", row->ns);
	line = end_line(&j, &rc);
	snprintf(want, sizeof(want), "{\"t\":%s,\"ms\":%s}\n", row->time, row->ms);
	UNIT_CHECK_AT(row->line, !strcmp(line, want) && !rc, "time %llu ns: %s s, %s ms",
		      (unsigned long long)row->ns, row->time, row->ms);
	free(line);
	tl_json_free(&j);
}

static void check_members(void)
{
	struct tl_json j = {0};
	char *line;
	int rc;

	tl_json_begin(&j);
	tl_json_str(&j, "type", "packet");
	tl_json_int(&j, "i", INT64_MIN);
	tl_json_uint(&j, "u", UINT64_MAX);
	tl_json_bool(&j, "t", true);
	tl_json_bool(&j, "f", false);
	tl_json_null(&j, "n");
	tl_json_open(&j, "a", '[');
	tl_json_elem_uint(&j, 1);
	tl_json_elem_uint(&j, 2);
	tl_json_close(&j, ']');
	tl_json_open(&j, "o", '{');
	tl_json_open(&j, "e", '[');
	tl_json_close(&j, ']');
	tl_json_uint(&j, "k", 0);
	tl_json_close(&j, '}');
	tl_json_uint(&j, "last", 2);
	line = end_line(&j, &rc);
	UNIT_CHECK(!rc && !strcmp(line, "{\"type\":\"packet\",\"i\":-9223372036854775808,"
					"\"u\":18446744073709551615,\"t\":true,\"f\":false,"
					"\"n\":null,\"a\":[1,2],\"o\":{\"e\":[],\"k\":0},"
					"\"last\":2}\n"),
		   "every member kind: %.*s", (int)strcspn(line, "\n"), line);
	free(line);
	tl_json_begin(&j);
	line = end_line(&j, &rc);
	UNIT_CHECK(!rc && !strcmp(line, "{}\n"), "the buffer is reused for an empty line");
	free(line);
	tl_json_free(&j);
	UNIT_CHECK(!j.buf && !j.len && !j.cap, "tl_json_free leaves an empty writer");
}

/* A length no buffer can hold stands in for a failed allocation. */
static void check_oom(void)
{
	struct tl_json j = {0};
	char *line;
	int rc;

	tl_json_begin(&j);
	tl_json_str(&j, "a", "b");
	tl_json_strn(&j, "s", "x", SIZE_MAX / 2);
	tl_json_uint(&j, "after", 1);
	line = end_line(&j, &rc);
	UNIT_CHECK(rc == -ENOMEM && !strcmp(line, ""), "oom drops the whole line, -ENOMEM");
	free(line);
	tl_json_begin(&j);
	tl_json_uint(&j, "next", 1);
	line = end_line(&j, &rc);
	UNIT_CHECK(!rc && !strcmp(line, "{\"next\":1}\n"), "the next line is written again");
	free(line);
	tl_json_free(&j);
}

/* Batched: lines wait for tl_json_flush, whole; a line dropped for lack of
 * memory leaves the lines before it; a full batch goes out by itself. */
static void check_batched(void)
{
	struct tl_json j = {.batched = true};
	char *out = NULL;
	size_t n = 0, lines = 0;
	FILE *f = open_memstream(&out, &n);
	int rc;

	tl_json_begin(&j);
	tl_json_uint(&j, "a", 1);
	rc = tl_json_end(&j, f);
	tl_json_begin(&j);
	tl_json_strn(&j, "s", "x", SIZE_MAX / 2);
	UNIT_CHECK(tl_json_end(&j, f) == -ENOMEM, "batched: oom drops the line");
	tl_json_begin(&j);
	tl_json_uint(&j, "b", 2);
	rc |= tl_json_end(&j, f);
	fflush(f);
	UNIT_CHECK(!rc && n == 0, "batched: nothing written before the flush (%zu bytes)", n);
	rc = tl_json_flush(&j, f);
	UNIT_CHECK(!rc && !strcmp(out, "{\"a\":1}\n{\"b\":2}\n"),
		   "batched: the flush writes the lines kept: %s", out);
	while (!rc && n < TL_JSON_BATCH_MAX + 100 && ++lines < 100000) {
		tl_json_begin(&j);
		tl_json_str(&j, "pad", "0123456789012345678901234567890123456789");
		rc = tl_json_end(&j, f);
		fflush(f);
	}
	UNIT_CHECK(!rc && n >= TL_JSON_BATCH_MAX && out[n - 1] == '\n',
		   "batched: a full batch is written by itself, whole lines (%zu bytes)", n);
	fclose(f);
	free(out);
	tl_json_free(&j);
}

static void check_write_error(void)
{
	struct tl_json j = {0};
	FILE *f = fopen("/dev/full", "w");
	int rc;

	if (!f) {
		UNIT_CHECK(0, "open /dev/full");
		return;
	}
	tl_json_begin(&j);
	tl_json_uint(&j, "a", 1);
	rc = tl_json_end(&j, f);
	UNIT_CHECK(rc == -ENOSPC, "a full disk is -ENOSPC (got %d)", rc);
	fclose(f);
	tl_json_free(&j);
}

/* Random bytes, biased to the ones UTF-8 cares about. */
static void fill_random(uint8_t *p, size_t n)
{
	static const uint8_t pool[] = {0x00, 0x1f, '"',	 '\\', 'a',  0x7f, 0x80, 0xbf, 0xc0,
				       0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rand() % 2 ? pool[rand() % sizeof(pool)] : (uint8_t)rand();
}

/* Writes code point cp as UTF-8; returns its length. */
static size_t put_utf8(uint8_t *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (uint8_t)(0xc0 | cp >> 6);
		p[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (uint8_t)(0xe0 | cp >> 12);
		p[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		p[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (uint8_t)(0xf0 | cp >> 18);
	p[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
	p[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	p[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* Random well-formed UTF-8 of about n bytes, every plane and control. */
static size_t fill_valid(uint8_t *p, size_t n)
{
	size_t len = 0;

	while (len + 4 <= n) {
		uint32_t cp = (uint32_t)rand() % (rand() % 2 ? 0x80 : 0x110000);

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		len += put_utf8(p + len, cp);
	}
	return len;
}

/* Whether jansson reads the line back, and gives exactly in when in is
 * well-formed. */
static bool line_ok(const uint8_t *in, size_t len, bool valid)
{
	size_t n;
	char *dec = decode_line(escape_line(in, len), &n);
	bool ok = dec && (!valid || (n == len && !memcmp(dec, in, len)));

	free(dec);
	return ok;
}

static void check_hostile(void)
{
	enum { BIG = 100 * 1024 };
	uint8_t *buf = malloc(BIG);
	size_t bad = 0, i, n;

	for (i = 0; i < 256; i++) {
		buf[i] = (uint8_t)i;
		bad += !line_ok(buf + i, 1, i < 0x80);
	}
	UNIT_CHECK(!bad, "each byte 0..255 alone parses, ASCII round-trips (%zu bad)", bad);
	UNIT_CHECK(line_ok(buf, 256, false), "bytes 0..255 in one string parse");
	srand(1);
	for (i = bad = 0; i < 20000; i++) {
		n = (size_t)rand() % 64;
		fill_random(buf, n);
		bad += !line_ok(buf, n, false);
	}
	UNIT_CHECK(!bad, "20000 random byte strings parse (%zu bad)", bad);
	for (i = bad = 0; i < 5000; i++) {
		n = fill_valid(buf, (size_t)rand() % 64);
		bad += !line_ok(buf, n, true);
	}
	UNIT_CHECK(!bad, "5000 random valid UTF-8 strings round-trip exactly (%zu bad)", bad);
	fill_random(buf, BIG);
	UNIT_CHECK(line_ok(buf, BIG, false), "100 KB of random bytes parses");
	n = fill_valid(buf, BIG);
	UNIT_CHECK(line_ok(buf, n, true), "100 KB of valid UTF-8 round-trips exactly");
	free(buf);
}

/* Strings are checked eight bytes at a time: every byte value at every
 * place of a 16-byte run is escaped as it is alone (a one-byte string,
 * which the byte-at-a-time path takes). */
static void check_escape_in_runs(void)
{
	unsigned int bad = 0, first = 0;

	for (unsigned int c = 0; c < 256; c++) {
		char *alone = escape_line(&(uint8_t){(uint8_t)c}, 1), want[128];
		const size_t an = strlen(alone) - strlen("{\"s\":\"\"}\n");

		for (int pos = 0; pos < 16; pos++) {
			uint8_t in[16];
			char *line;

			memset(in, 'a', sizeof(in));
			in[pos] = (uint8_t)c;
			snprintf(want, sizeof(want), "{\"s\":\"%.*s%.*s%.*s\"}\n", pos,
				 "aaaaaaaaaaaaaaaa", (int)an, alone + strlen("{\"s\":\""), 15 - pos,
				 "aaaaaaaaaaaaaaaa");
			line = escape_line(in, sizeof(in));
			if (strcmp(line, want))
				first = bad++ ? first : c << 8 | (unsigned int)pos;
			free(line);
		}
		free(alone);
	}
	UNIT_CHECK(!bad,
		   "every byte at every place of a 16-byte run escaped as alone (%u differ, "
		   "first byte 0x%x at %u)",
		   bad, first >> 8, first & 0xff);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(escape_rows) / sizeof(escape_rows[0]); i++)
		check_escape_row(&escape_rows[i]);
	for (i = 0; i < sizeof(time_rows) / sizeof(time_rows[0]); i++)
		check_time_row(&time_rows[i]);
	check_members();
	check_oom();
	check_batched();
	check_write_error();
	check_hostile();
	check_escape_in_runs();
	return unit_done();
}
