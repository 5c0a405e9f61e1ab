/* Reading back what output_json.c writes (the `compare` and `report`
 * subcommands read --json traces): one rule for a member that must be a
 * whole number in range. */
#ifndef TL_JSON_MEMBER_H
#define TL_JSON_MEMBER_H

#include <errno.h>
#include <jansson.h>
#include <stdint.h>

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

#endif
