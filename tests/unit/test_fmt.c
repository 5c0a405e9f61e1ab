/* The bounded text builder both programs use (user/common/fmt.c): text
 * that fits is exact, text that does not is cut at size - 1 bytes and says
 * so, the buffer is always NUL-terminated, and nothing past size is
 * written. */
#include "common/fmt.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static void b_str(struct tl_fmt *f) { tl_fmt_str(f, "abc"); }
static void b_str_uint(struct tl_fmt *f)
{
	tl_fmt_str(f, "abc");
	tl_fmt_uint(f, 12345);
}
static void b_fill(struct tl_fmt *f) { tl_fmt_str(f, "abcde"); }
static void b_over(struct tl_fmt *f) { tl_fmt_str(f, "abcdef"); }
static void b_over_then_fits(struct tl_fmt *f)
{
	tl_fmt_str(f, "abcdef");
	tl_fmt_str(f, "");
}
static void b_empty_slice(struct tl_fmt *f) { tl_fmt_mem(f, NULL, 0); }
static void b_mem_nul(struct tl_fmt *f) { tl_fmt_mem(f, "a\0b", 3); }
static void b_char(struct tl_fmt *f)
{
	tl_fmt_char(f, 'x');
	tl_fmt_char(f, 'y');
}
static void b_uint0(struct tl_fmt *f) { tl_fmt_uint(f, 0); }
static void b_uint_max(struct tl_fmt *f) { tl_fmt_uint(f, UINT64_MAX); }
static void b_uint_cut(struct tl_fmt *f) { tl_fmt_uint(f, 12345); }
static void b_fixed(struct tl_fmt *f) { tl_fmt_fixed(f, 3, 42, 6); }
static void b_fixed_wide(struct tl_fmt *f) { tl_fmt_fixed(f, 0, 7, 3); }
static void b_fixed_long_frac(struct tl_fmt *f) { tl_fmt_fixed(f, 1, 12345, 3); }
static void b_fixed_max(struct tl_fmt *f) { tl_fmt_fixed(f, UINT64_MAX, 5, 24); }
static void b_pad(struct tl_fmt *f)
{
	tl_fmt_str(f, "ab");
	tl_fmt_pad(f, 5);
	tl_fmt_char(f, '|');
}
static void b_pad_behind(struct tl_fmt *f)
{
	tl_fmt_str(f, "abcd");
	tl_fmt_pad(f, 2);
}
static void b_pad_past_end(struct tl_fmt *f) { tl_fmt_pad(f, 10); }
/* Past TL_FMT_PAD_RUN spaces, the run is not one fixed copy. */
static void b_pad_long(struct tl_fmt *f)
{
	tl_fmt_str(f, "ab");
	tl_fmt_pad(f, 40);
	tl_fmt_char(f, '|');
}

static const struct {
	int line;
	const char *desc;
	size_t size;
	void (*build)(struct tl_fmt *f);
	const char *want;
	size_t want_len; /* 0: strlen(want) */
	bool want_cut;
} rows[] = {
    {__LINE__, "a string", 16, b_str, "abc", 0, false},
    {__LINE__, "a string and a number", 16, b_str_uint, "abc12345", 0, false},
    {__LINE__, "size - 1 bytes fit exactly", 6, b_fill, "abcde", 0, false},
    {__LINE__, "one byte more is cut, and said", 6, b_over, "abcde", 0, true},
    {__LINE__, "a cut text stays cut", 6, b_over_then_fits, "abcde", 0, true},
    {__LINE__, "an empty slice {NULL, 0}", 4, b_empty_slice, "", 0, false},
    {__LINE__, "bytes with a NUL", 8, b_mem_nul, "a\0b", 3, false},
    {__LINE__, "characters", 4, b_char, "xy", 0, false},
    {__LINE__, "zero", 4, b_uint0, "0", 0, false},
    {__LINE__, "the largest number", 32, b_uint_max, "18446744073709551615", 0, false},
    {__LINE__, "a number cut", 4, b_uint_cut, "123", 0, true},
    {__LINE__, "fixed point, zero-padded", 16, b_fixed, "3.000042", 0, false},
    {__LINE__, "fixed point under one", 16, b_fixed_wide, "0.007", 0, false},
    {__LINE__, "a fraction wider than asked is whole", 16, b_fixed_long_frac, "1.12345", 0, false},
    {__LINE__, "fixed point at its longest", 64, b_fixed_max,
     "18446744073709551615.000000000000000000000005", 0, false},
    {__LINE__, "fixed point cut", 8, b_fixed, "3.00004", 0, true},
    {__LINE__, "padding to a column", 16, b_pad, "ab   |", 0, false},
    {__LINE__, "padding to a column, room for a fixed copy", 64, b_pad, "ab   |", 0, false},
    {__LINE__, "padding a run longer than one copy", 64, b_pad_long,
     "ab                                      |", 0, false},
    {__LINE__, "padding to a column already passed, with room", 64, b_pad_behind, "abcd", 0, false},
    {__LINE__, "padding to a column already passed", 16, b_pad_behind, "abcd", 0, false},
    {__LINE__, "padding past the end is cut", 6, b_pad_past_end, "     ", 0, true},
    {__LINE__, "size 1 holds only the NUL", 1, b_str, "", 0, true},
};

#define GUARD 8

/* tl_fmt_uint counts a number's digits before it writes them in place:
 * every length, at both ends of each, written with room to spare (in
 * place) and with just enough (through a copy), as printf writes it. */
static const struct {
	int line;
	uint64_t v;
} decimal_rows[] = {
    {__LINE__, 0},
    {__LINE__, 1},
    {__LINE__, 65535},
    {__LINE__, 4294967295u},
    {__LINE__, 4294967296u},
    {__LINE__, UINT64_MAX},
    {__LINE__, UINT64_MAX - 1},
    {__LINE__, (uint64_t)1 << 63},
};

static void check_decimal(int line, uint64_t v)
{
	char want[32], buf[64];
	size_t sizes[2] = {sizeof(buf)};
	struct tl_fmt f;

	sizes[1] = (size_t)snprintf(want, sizeof(want), "%" PRIu64, v) + 1;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tl_fmt_init(&f, buf, sizes[i]);
		tl_fmt_uint(&f, v);
		UNIT_CHECK_AT(line, !strcmp(buf, want) && f.len == strlen(want) && !f.cut,
			      "decimal %s in %zu bytes (got %s)", want, sizes[i], buf);
	}
}

static void test_decimal(void)
{
	uint64_t p = 1;

	for (size_t i = 0; i < sizeof(decimal_rows) / sizeof(decimal_rows[0]); i++)
		check_decimal(decimal_rows[i].line, decimal_rows[i].v);
	for (int e = 0; e < TL_FMT_DEC_MAX; e++, p *= 10) {
		check_decimal(__LINE__, p);
		check_decimal(__LINE__, p - 1);
		check_decimal(__LINE__, p + 1);
	}
}

int main(void)
{
	test_decimal();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t want_len = rows[i].want_len ? rows[i].want_len : strlen(rows[i].want);
		char buf[64 + GUARD];
		struct tl_fmt f;
		bool guard_ok = true;

		memset(buf, 'X', sizeof(buf));
		tl_fmt_init(&f, buf, rows[i].size);
		rows[i].build(&f);
		for (size_t g = rows[i].size; g < rows[i].size + GUARD; g++)
			guard_ok &= buf[g] == 'X';
		UNIT_CHECK_AT(rows[i].line,
			      f.len == want_len && !memcmp(buf, rows[i].want, want_len) &&
				  buf[f.len] == '\0' && f.cut == rows[i].want_cut && guard_ok,
			      "%s: len %zu cut %d (got len %zu cut %d, guard %s)", rows[i].desc,
			      want_len, rows[i].want_cut, f.len, f.cut,
			      guard_ok ? "kept" : "overrun");
	}
	return unit_done();
}
