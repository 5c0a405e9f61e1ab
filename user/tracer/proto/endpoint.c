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

/* Dotted quad by hand: inet_ntop's IPv4 path goes through sprintf, and
 * every connection's block, line or JSON object names both ends. Returns
 * the text's length. */
static size_t addr4_str(const __u8 a[4], char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		if (a[i] >= 100)
			*p++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*p++ = (char)('0' + a[i] / 10 % 10);
		*p++ = (char)('0' + a[i] % 10);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

const char *tl_addr_str(const struct tl_endpoint *ep, char buf[TL_ADDR_STRLEN])
{
	if (ep->family == AF_INET)
		addr4_str(ep->addr, buf);
	else if (!inet_ntop(AF_INET6, ep->addr, buf, TL_ADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *tl_endpoint_str(const struct tl_endpoint *ep, char buf[TL_ENDPOINT_STRLEN])
{
	char addr[TL_ADDR_STRLEN], digits[5], *p;
	int n = 0;

	if (ep->family != AF_INET) {
		tl_addr_str(ep, addr);
		snprintf(buf, TL_ENDPOINT_STRLEN, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 addr, ep->port);
		return buf;
	}
	/* "255.255.255.255:65535" fits with room to spare. */
	p = buf + addr4_str(ep->addr, buf);
	*p++ = ':';
	for (unsigned v = ep->port; n == 0 || v; v /= 10)
		digits[n++] = (char)('0' + v % 10);
	while (n)
		*p++ = digits[--n];
	*p = '\0';
	return buf;
}
