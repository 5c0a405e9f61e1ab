/* Reading a trace's members back (output/json_member.h), as compare,
 * report and grade do: a whole number is taken only when it is an integer
 * in [0, max], a side only as one of its member's words; a refused one
 * leaves the caller's value alone. */
#include "tracer/output/json_member.h"

#include <stdint.h>
#include <string.h>

#include "unit.h"

static const struct {
	int line;
	const char *json; /* the object; its member is "n" */
	uint64_t max;
	int err;
	uint64_t want; /* with err 0 */
} rows[] = {
    {__LINE__, "{\"n\":0}", 10, 0, 0},
    {__LINE__, "{\"n\":10}", 10, 0, 10},
    {__LINE__, "{\"n\":11}", 10, -EINVAL, 0},
    {__LINE__, "{\"n\":4294967295}", UINT32_MAX, 0, UINT32_MAX},
    {__LINE__, "{\"n\":4294967296}", UINT32_MAX, -EINVAL, 0},
    {__LINE__, "{\"n\":-1}", UINT32_MAX, -EINVAL, 0},
    {__LINE__, "{\"n\":1.0}", UINT32_MAX, -EINVAL, 0},
    {__LINE__, "{\"n\":\"1\"}", UINT32_MAX, -EINVAL, 0},
    {__LINE__, "{\"n\":null}", UINT32_MAX, -EINVAL, 0},
    {__LINE__, "{\"m\":1}", UINT32_MAX, -EINVAL, 0},
};

static const char *const side_members[] = {
    [TL_JSON_SIDE] = "side",	       [TL_JSON_DIR] = "dir",
    [TL_JSON_CLOSED_BY] = "closed_by", [TL_JSON_RESET_BY] = "reset_by",
    [TL_JSON_TIME_WAIT] = "time_wait",
};

static const struct {
	int line;
	enum tl_json_side_member member;
	const char *json; /* the member's value; NULL: no member */
	int err;
	int want; /* with err 0: TL_CLIENT, TL_SERVER, 2 (both, reset), -1 null */
} side_rows[] = {
    {__LINE__, TL_JSON_SIDE, "\"client\"", 0, TL_CLIENT},
    {__LINE__, TL_JSON_SIDE, "\"server\"", 0, TL_SERVER},
    {__LINE__, TL_JSON_SIDE, "\"both\"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "\"c2s\"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "\"garbage\"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "\"Client\"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "\"clien\"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "\"client \"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "\"client\\u0000x\"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "\"\"", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "null", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "0", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, "[\"client\"]", -EINVAL, 0},
    {__LINE__, TL_JSON_SIDE, NULL, -EINVAL, 0},
    {__LINE__, TL_JSON_DIR, "\"c2s\"", 0, TL_CLIENT},
    {__LINE__, TL_JSON_DIR, "\"s2c\"", 0, TL_SERVER},
    {__LINE__, TL_JSON_DIR, "\"client\"", -EINVAL, 0},
    {__LINE__, TL_JSON_DIR, "\"request\"", -EINVAL, 0},
    {__LINE__, TL_JSON_DIR, "null", -EINVAL, 0},
    {__LINE__, TL_JSON_DIR, NULL, -EINVAL, 0},
    {__LINE__, TL_JSON_CLOSED_BY, "\"client\"", 0, TL_CLIENT},
    {__LINE__, TL_JSON_CLOSED_BY, "\"server\"", 0, TL_SERVER},
    {__LINE__, TL_JSON_CLOSED_BY, "\"reset\"", 0, 2},
    {__LINE__, TL_JSON_CLOSED_BY, "null", 0, -1},
    {__LINE__, TL_JSON_CLOSED_BY, "\"both\"", -EINVAL, 0},
    {__LINE__, TL_JSON_CLOSED_BY, NULL, -EINVAL, 0},
    {__LINE__, TL_JSON_RESET_BY, "\"server\"", 0, TL_SERVER},
    {__LINE__, TL_JSON_RESET_BY, "null", 0, -1},
    {__LINE__, TL_JSON_RESET_BY, "\"reset\"", -EINVAL, 0},
    {__LINE__, TL_JSON_RESET_BY, "\"both\"", -EINVAL, 0},
    {__LINE__, TL_JSON_TIME_WAIT, "\"client\"", 0, TL_CLIENT},
    {__LINE__, TL_JSON_TIME_WAIT, "\"both\"", 0, TL_TW_BOTH},
    {__LINE__, TL_JSON_TIME_WAIT, "null", 0, -1},
    {__LINE__, TL_JSON_TIME_WAIT, "\"reset\"", -EINVAL, 0},
    {__LINE__, TL_JSON_TIME_WAIT, "\"s2c\"", -EINVAL, 0},
    {__LINE__, TL_JSON_TIME_WAIT, "false", -EINVAL, 0},
};

static void check_sides(void)
{
	for (size_t i = 0; i < sizeof(side_rows) / sizeof(side_rows[0]); i++) {
		const char *name = side_members[side_rows[i].member];
		char text[128];
		json_t *o;
		int side = 77, err;

		if (side_rows[i].json)
			snprintf(text, sizeof(text), "{\"%s\":%s}", name, side_rows[i].json);
		else
			snprintf(text, sizeof(text), "{\"other\":\"client\"}");
		o = json_loads(text, JSON_ALLOW_NUL, NULL);
		err = tl_json_member_side(o, side_rows[i].member, &side);
		UNIT_CHECK_AT(side_rows[i].line,
			      err == side_rows[i].err && side == (err ? 77 : side_rows[i].want),
			      "member_side %s: %d, %d", text, err, side);
		json_decref(o);
	}
}

/* The words read are the words written: the writer names sides with
 * tl_side_name and tl_time_wait_name. */
static void check_writer_words(void)
{
	for (int s = TL_CLIENT; s <= TL_SERVER; s++) {
		UNIT_CHECK(!strcmp(tl_json_side_word(TL_JSON_SIDE, s), tl_side_name(s)) &&
			       !strcmp(tl_json_side_word(TL_JSON_RESET_BY, s), tl_side_name(s)) &&
			       !strcmp(tl_json_side_word(TL_JSON_CLOSED_BY, s), tl_side_name(s)),
			   "side %d reads as the writer's %s", s, tl_side_name(s));
	}
	for (int tw = TL_CLIENT; tw <= TL_TW_BOTH; tw++)
		UNIT_CHECK(!strcmp(tl_json_side_word(TL_JSON_TIME_WAIT, tw), tl_time_wait_name(tw)),
			   "time_wait %d reads as the writer's %s", tw, tl_time_wait_name(tw));
	UNIT_CHECK(!tl_json_side_word(TL_JSON_SIDE, 2) && !tl_json_side_word(TL_JSON_DIR, 2) &&
		       !tl_json_side_word(TL_JSON_TIME_WAIT, 3) &&
		       !tl_json_side_word(TL_JSON_SIDE, -1),
		   "no word past a member's last");
}

int main(void)
{
	check_sides();
	check_writer_words();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *o = json_loads(rows[i].json, 0, NULL);
		uint64_t v64 = 77;
		uint32_t v32 = 77;
		int err64 = tl_json_member_uint(o, "n", rows[i].max, &v64);
		int err32 = tl_json_member_u32(o, "n", (uint32_t)rows[i].max, &v32);

		UNIT_CHECK_AT(rows[i].line,
			      err64 == rows[i].err && v64 == (rows[i].err ? 77 : rows[i].want),
			      "member_uint %s, max %llu: %d, %llu", rows[i].json,
			      (unsigned long long)rows[i].max, err64, (unsigned long long)v64);
		UNIT_CHECK_AT(rows[i].line,
			      err32 == rows[i].err && v32 == (rows[i].err ? 77 : rows[i].want),
			      "member_u32 %s, max %llu: %d, %u", rows[i].json,
			      (unsigned long long)rows[i].max, err32, v32);
		json_decref(o);
	}
	return unit_done();
}
