#include "tracer/proto/endpoint.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const __u8 v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void tl_endpoint_set(struct tl_endpoint *ep, __u8 family, const __u8 addr[16], __u16 port)
{
	memset(ep, 0, sizeof(*ep));
	ep->port = port;
	if (family == AF_INET6 && !memcmp(addr, v4mapped_prefix, sizeof(v4mapped_prefix))) {
		ep->family = AF_INET;
		memcpy(ep->addr, addr + 12, 4);
	} else if (family == AF_INET) {
		ep->family = AF_INET;
		memcpy(ep->addr, addr, 4);
	} else {
		ep->family = AF_INET6;
		memcpy(ep->addr, addr, 16);
	}
}

bool tl_endpoint_eq(const struct tl_endpoint *a, const struct tl_endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

const char *tl_addr_str(const struct tl_endpoint *ep, char buf[TL_ADDR_STRLEN])
{
	if (!inet_ntop(ep->family == AF_INET ? AF_INET : AF_INET6, ep->addr, buf, TL_ADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *tl_endpoint_str(const struct tl_endpoint *ep, char buf[TL_ENDPOINT_STRLEN])
{
	char addr[TL_ADDR_STRLEN];

	tl_addr_str(ep, addr);
	snprintf(buf, TL_ENDPOINT_STRLEN, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 ep->port);
	return buf;
}
