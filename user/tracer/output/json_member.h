/* Reading back what output_json.c writes (the `compare`, `report` and
 * `grade` subcommands read --json traces): one rule for a member that must
 * be a whole number in range, and one for a connection's id. */
#ifndef TL_JSON_MEMBER_H
#define TL_JSON_MEMBER_H

#include <errno.h>
#include <jansson.h>
#include <stdint.h>

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

#endif
