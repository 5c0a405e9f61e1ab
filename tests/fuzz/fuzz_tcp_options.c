/* TCP options from arbitrary bytes: the parser must stay within len and the
 * printer within its buffer, whatever the kinds and lengths claim.
 * fuzz-sources: user/tracer/proto/ user/common/fmt.c user/common/utf8.c
 */
#include "tracer/proto/tcp_options.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_tcp_opts o;
	char buf[512], small[24];

	/* A TCP header holds 40 bytes of options at most. */
	if (size > sizeof(o.kinds))
		size = sizeof(o.kinds);
	tl_tcp_options_parse(data, size, &o);
	if (o.nkinds > sizeof(o.kinds) || o.nsack > TL_TCP_OPTS_MAX_SACK)
		abort();
	tl_tcp_options_str(&o, 0, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf))
		abort();
	/* A cut string is a prefix of the whole one. */
	tl_tcp_options_str(&o, 0, small, sizeof(small));
	if (strncmp(small, buf, strlen(small)))
		abort();
	return 0;
}
