/* Endpoints as every output names them: "127.0.0.1:8080", "[::1]:8080",
 * IPv4-mapped IPv6 folded into IPv4, and the dotted quad written by hand
 * agreeing with inet_ntop for every octet value. */
#include "tracer/proto/endpoint.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "unit.h"

static const struct {
	int line;
	__u8 family;
	__u8 addr[16];
	__u16 port;
	const char *want_addr, *want_endpoint;
} rows[] = {
    {__LINE__, AF_INET, {127, 0, 0, 1}, 8080, "127.0.0.1", "127.0.0.1:8080"},
    {__LINE__, AF_INET, {0, 0, 0, 0}, 0, "0.0.0.0", "0.0.0.0:0"},
    {__LINE__, AF_INET, {255, 255, 255, 255}, 65535, "255.255.255.255", "255.255.255.255:65535"},
    {__LINE__, AF_INET, {10, 99, 100, 9}, 10, "10.99.100.9", "10.99.100.9:10"},
    {__LINE__, AF_INET6, {[15] = 1}, 443, "::1", "[::1]:443"},
    {__LINE__, AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}, 80, "2001:db8::2", "[2001:db8::2]:80"},
    {__LINE__, AF_INET6, {[10] = 0xff, [11] = 0xff, 127, 0, 0, 1}, 80, "127.0.0.1", "127.0.0.1:80"},
};

int main(void)
{
	char addr[TL_ADDR_STRLEN], ep_str[TL_ENDPOINT_STRLEN], want[INET_ADDRSTRLEN];
	struct tl_endpoint ep;
	int bad = -1;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tl_endpoint_set(&ep, rows[i].family, rows[i].addr, rows[i].port);
		tl_addr_str(&ep, addr);
		tl_endpoint_str(&ep, ep_str);
		UNIT_CHECK_AT(rows[i].line,
			      !strcmp(addr, rows[i].want_addr) &&
				  !strcmp(ep_str, rows[i].want_endpoint),
			      "endpoint %s (got %s, %s)", rows[i].want_endpoint, addr, ep_str);
	}
	for (int v = 0; v < 256 && bad < 0; v++) {
		const __u8 a[16] = {(__u8)v, (__u8)(255 - v), (__u8)(v / 3), (__u8)(v % 10)};

		tl_endpoint_set(&ep, AF_INET, a, 1);
		inet_ntop(AF_INET, a, want, sizeof(want));
		if (strcmp(tl_addr_str(&ep, addr), want))
			bad = v;
	}
	UNIT_CHECK(bad < 0, "dotted quads as inet_ntop writes them (first differing octet %d)",
		   bad);
	return unit_done();
}
