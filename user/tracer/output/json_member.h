/* Reading back what output_json.c writes (the `compare`, `report` and
 * `grade` subcommands read --json traces): one rule for a member that must
 * be a whole number in range, one for a connection's id, and one for the
 * words that name a side. */
#ifndef TL_JSON_MEMBER_H
#define TL_JSON_MEMBER_H

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tracer/engine/conn.h"
#include "tracer/output/json_contract.h"

/* tl_json_member_uint: 0 and *out when o's member key is an integer in
 * [0, max]; -EINVAL otherwise (missing, another type, out of range). */
static inline int tl_json_member_uint(json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return -EINVAL;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* tl_json_member_u32: the same for a member kept in 32 bits (max at most
 * UINT32_MAX); *out is left alone on error. */
static inline int tl_json_member_u32(json_t *o, const char *key, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int err = tl_json_member_uint(o, key, max, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

/* The largest connection id the readers take. The tracer's ids count up
 * from 1, and the readers index connections by id in a dense array
 * (common/vec.h's vec_slot): a larger id is a broken or hostile trace,
 * refused rather than allocated for. */
#define TL_JSON_CONN_ID_MAX (1U << 24)

/* tl_json_member_conn: o's conn member, in [0, TL_JSON_CONN_ID_MAX]. */
static inline int tl_json_member_conn(json_t *o, uint32_t *id)
{
	return tl_json_member_u32(o, TL_JM(conn), TL_JSON_CONN_ID_MAX, id);
}

/* The members whose words name a side (README's JSON table), each taking
 * only its own words: a packet's dir says c2s or s2c, the others the side's
 * name; time_wait also both, closed_by also reset. */
enum tl_json_side_member {
	TL_JSON_SIDE,	   /* drop, kernel_retransmit, reset, state, time_wait_end */
	TL_JSON_DIR,	   /* packet (an http line's dir says request or response) */
	TL_JSON_CLOSED_BY, /* conn; null while open */
	TL_JSON_RESET_BY,  /* conn; null unless closed_by is reset */
	TL_JSON_TIME_WAIT, /* conn; null when neither side entered it */
};

/* The member's name, how many words it takes (a side's index first:
 * TL_CLIENT, TL_SERVER, then TL_TW_BOTH or reset), and whether null is
 * one of its values. */
struct tl_json_side_rule {
	const char *key;
	int words;
	bool nullable;
};

static inline const struct tl_json_side_rule *tl_json_side_rule(enum tl_json_side_member m)
{
	static const struct tl_json_side_rule rules[] = {
	    [TL_JSON_SIDE] = {TL_JM(side), 2, false},
	    [TL_JSON_DIR] = {TL_JM(dir), 2, false},
	    [TL_JSON_CLOSED_BY] = {TL_JM(closed_by), 3, true},
	    [TL_JSON_RESET_BY] = {TL_JM(reset_by), 2, true},
	    [TL_JSON_TIME_WAIT] = {TL_JM(time_wait), TL_TW_BOTH + 1, true},
	};

	return &rules[m];
}

/* closed_by's words are its enum's values after NONE, in that order. */
_Static_assert(TL_CLOSED_CLIENT - TL_CLOSED_CLIENT == TL_CLIENT &&
		   TL_CLOSED_SERVER - TL_CLOSED_CLIENT == TL_SERVER &&
		   TL_CLOSED_RESET - TL_CLOSED_CLIENT == 2,
	       "closed_by's words follow enum tl_closed_by");

/* tl_json_side_word: member m's word number i, NULL past its last. The
 * sides' names and both are the writer's own (tl_time_wait_name). */
static inline const char *tl_json_side_word(enum tl_json_side_member m, int i)
{
	static const char *const dirs[] = {[TL_CLIENT] = "c2s", [TL_SERVER] = "s2c"};

	if (i < 0 || i >= tl_json_side_rule(m)->words)
		return NULL;
	if (m == TL_JSON_DIR)
		return dirs[i];
	if (m == TL_JSON_CLOSED_BY && i == 2)
		return "reset";
	return tl_time_wait_name(i);
}

/* tl_json_side_value: 0 and *side, the number of v's word among member
 * m's (-1 for null where m may be null); -EINVAL for anything else, a
 * missing value or a word with a NUL inside (JSON_ALLOW_NUL) included,
 * and *side left alone. */
static inline int tl_json_side_value(json_t *v, enum tl_json_side_member m, int *side)
{
	const char *s = json_string_value(v), *w;

	if (json_is_null(v) && tl_json_side_rule(m)->nullable) {
		*side = -1;
		return 0;
	}
	for (int i = 0; s && (w = tl_json_side_word(m, i)); i++)
		if (!strcmp(s, w) && json_string_length(v) == strlen(w)) {
			*side = i;
			return 0;
		}
	return -EINVAL;
}

/* tl_json_member_side: the same for o's member m. */
static inline int tl_json_member_side(json_t *o, enum tl_json_side_member m, int *side)
{
	return tl_json_side_value(json_object_get(o, tl_json_side_rule(m)->key), m, side);
}

#endif
