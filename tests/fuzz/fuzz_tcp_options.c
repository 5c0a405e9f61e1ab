/* TCP options from arbitrary bytes: the parser must stay within len and the
 * printer within its buffer, whatever the kinds and lengths claim; the
 * length tl_tcp_options_fmt returns is the text's, and a segment
 * tl_tcp_options_ts_only passes (JSON then copies the numbers' digits)
 * prints just its timestamps.
 * fuzz-sources: user/tracer/proto/ user/common/fmt.c user/common/utf8.c
 */
#include "tracer/proto/tcp_options.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_tcp_opts o;
	char buf[512], small[24], ts[64];

	/* A TCP header holds 40 bytes of options at most. */
	if (size > sizeof(o.kinds))
		size = sizeof(o.kinds);
	tl_tcp_options_parse(data, size, &o);
	if (o.nkinds > sizeof(o.kinds) || o.nsack > TL_TCP_OPTS_MAX_SACK)
		abort();
	if (tl_tcp_options_fmt(&o, 0, true, buf, sizeof(buf)) != strlen(buf) ||
	    strlen(buf) >= sizeof(buf))
		abort();
	snprintf(ts, sizeof(ts), "TSval=%u TSecr=%u", o.tsval, o.tsecr);
	if (tl_tcp_options_ts_only(&o) && strcmp(buf, ts))
		abort();
	/* A cut string is a prefix of the whole one. */
	tl_tcp_options_str(&o, 0, small, sizeof(small));
	if (strncmp(small, buf, strlen(small)))
		abort();
	return 0;
}
