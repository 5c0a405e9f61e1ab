/* Reading a trace's whole-number members back (output/json_member.h), as
 * compare, report and grade do: a member is taken only when it is an
 * integer in [0, max], and a refused one leaves the caller's value alone. */
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

int main(void)
{
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
