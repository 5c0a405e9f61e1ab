/* Addresses and ports as tcplife-http shows them. */
#ifndef TL_ENDPOINT_H
#define TL_ENDPOINT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

/* An address and port. IPv4-mapped IPv6 addresses are stored as IPv4, the
 * way they appear on the wire. */
struct tl_endpoint {
	__u8 addr[16]; /* network order; IPv4 in the first four bytes */
	__u16 port;    /* host order */
	__u8 family;   /* AF_INET or AF_INET6 */
};

/* Longest text of an address ("[ffff:...]") and of an endpoint with its port. */
#define TL_ADDR_STRLEN 48
#define TL_ENDPOINT_STRLEN 56

/* tl_endpoint_set: builds an endpoint, folding IPv4-mapped IPv6 into IPv4. */
void tl_endpoint_set(struct tl_endpoint *ep, __u8 family, const __u8 addr[16], __u16 port);

/* Inline, and by fixed sizes: the engine and the stream numbering compare
 * endpoints for every segment. */
static inline bool tl_endpoint_eq(const struct tl_endpoint *a, const struct tl_endpoint *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	return a->family == AF_INET ? !memcmp(a->addr, b->addr, 4) : !memcmp(a->addr, b->addr, 16);
}

/* tl_addr_str: "127.0.0.1" or "::1". */
const char *tl_addr_str(const struct tl_endpoint *ep, char buf[TL_ADDR_STRLEN]);

/* tl_endpoint_str: "127.0.0.1:8080" or "[::1]:8080". */
const char *tl_endpoint_str(const struct tl_endpoint *ep, char buf[TL_ENDPOINT_STRLEN]);

#endif
