/* The packet rules shared by the TC program and the capture reader
 * (bpf/packet_rules.h, bpf/http_start.h), row by row. */
#include <linux/types.h>
#include <stdbool.h>
#include <string.h>

#include "http_start.h"
#include "packet_rules.h"
#include "unit.h"

struct ipv4_row {
	int line;
	const char *desc;
	__u8 version, ihl;
	__u32 tot_len;
	__u8 protocol;
	__u16 frag_off;
	__u32 want;
};

static const struct ipv4_row ipv4_rows[] = {
    {__LINE__, "plain TCP", 4, 5, 60, 6, 0, 20},
    {__LINE__, "options", 4, 15, 60, 6, 0, 60},
    {__LINE__, "DF set is not a fragment", 4, 5, 60, 6, 0x4000, 20},
    {__LINE__, "first fragment (MF, offset 0)", 4, 5, 60, 6, 0x2000, 20},
    {__LINE__, "a later fragment", 4, 5, 60, 6, 0x0001, 0},
    {__LINE__, "version 6 in an IPv4 frame", 6, 5, 60, 6, 0, 0},
    {__LINE__, "IHL below 5", 4, 4, 60, 6, 0, 0},
    {__LINE__, "total length below the header", 4, 6, 23, 6, 0, 0},
    {__LINE__, "total length exactly the header", 4, 5, 20, 6, 0, 20},
    {__LINE__, "UDP", 4, 5, 60, 17, 0, 0},
};

struct ext_row {
	int line;
	const char *desc;
	__u8 next;
	__u8 b[TL_IPV6_EXT_PEEK];
	__u32 want;
};

static const struct ext_row ext_rows[] = {
    {__LINE__, "hop-by-hop, 8 bytes", TL_NEXTHDR_HOP, {6, 0, 0, 0}, 8},
    {__LINE__, "routing, 24 bytes", TL_NEXTHDR_ROUTING, {6, 2, 0, 0}, 24},
    {__LINE__, "destination options, the longest", TL_NEXTHDR_DEST, {6, 255, 0, 0}, 2048},
    {__LINE__, "first fragment", TL_NEXTHDR_FRAGMENT, {6, 0, 0x00, 0x01}, 8},
    {__LINE__, "later fragment (offset 1)", TL_NEXTHDR_FRAGMENT, {6, 0, 0x00, 0x08}, 0},
    {__LINE__, "later fragment (high offset bits)", TL_NEXTHDR_FRAGMENT, {6, 0, 0x80, 0}, 0},
    {__LINE__, "authentication, 12 bytes", TL_NEXTHDR_AUTH, {6, 1, 0, 0}, 12},
    {__LINE__, "ESP is not walked", 50, {6, 1, 0, 0}, 0},
    {__LINE__, "no next header", 59, {0, 0, 0, 0}, 0},
};

struct tcp_row {
	int line;
	const char *desc;
	__u8 b12, b13;
	__u32 seg_len;
	__u32 want_len;
	__u16 want_flags;
};

static const struct tcp_row tcp_rows[] = {
    {__LINE__, "bare header, SYN", 0x50, 0x02, 20, 20, 0x002},
    {__LINE__, "options, SYN-ACK", 0xa0, 0x12, 40, 40, 0x012},
    {__LINE__, "header longer than the segment", 0xa0, 0x10, 39, 0, 0x010},
    {__LINE__, "data offset below 5", 0x40, 0x10, 40, 0, 0x010},
    {__LINE__, "NS (AE) is the ninth flag", 0x51, 0x10, 20, 20, 0x110},
    {__LINE__, "reserved bits are not flags", 0x5e, 0x00, 20, 20, 0x000},
    {__LINE__, "all flags", 0x51, 0xff, 20, 20, 0x1ff},
};

/* The length a GSO packet past 64 KB cannot say (BIG TCP). */
struct len_row {
	int line;
	const char *desc;
	bool ipv6, gso;
	__u32 says, ip_holds;
	__u32 want;
};

static const struct len_row len_rows[] = {
    {__LINE__, "ipv4 says it", false, true, 1500, 1500, 1500},
    {__LINE__, "ipv4 says it, past what the skb holds", false, false, 1500, 60, 1500},
    {__LINE__, "ipv4 GSO past 64 KB: the skb's", false, true, 0, 66691, 66691},
    {__LINE__, "ipv4 0 without GSO stays 0 (not taken)", false, false, 0, 66691, 0},
    {__LINE__, "ipv6 says it", true, false, 1440, 1480, 1440},
    {__LINE__, "ipv6 jumbogram: the skb's past the fixed header", true, true, 0, 65616, 65576},
    {__LINE__, "ipv6 0 in a stub shorter than the header", true, true, 0, 20, 0},
};

struct http_row {
	int line;
	const char *bytes;
	bool want;
};

static const struct http_row http_rows[] = {
    {__LINE__, "GET ", true},  {__LINE__, "HEAD", true},  {__LINE__, "POST", true},
    {__LINE__, "PUT ", true},  {__LINE__, "DELE", true},  {__LINE__, "OPTI", true},
    {__LINE__, "PATC", true},  {__LINE__, "CONN", true},  {__LINE__, "TRAC", true},
    {__LINE__, "HTTP", true},  {__LINE__, " TEG", false}, {__LINE__, "get ", false},
    {__LINE__, "GETX", false}, {__LINE__, "PTTH", false}, {__LINE__, "GE T", false},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(ipv4_rows) / sizeof(ipv4_rows[0]); i++) {
		const struct ipv4_row *r = &ipv4_rows[i];
		__u32 got =
		    tl_ipv4_hdr_len(r->version, r->ihl, r->tot_len, r->protocol, r->frag_off);

		UNIT_CHECK_AT(r->line, got == r->want, "ipv4 %s: %u", r->desc, got);
	}
	for (size_t i = 0; i < sizeof(ext_rows) / sizeof(ext_rows[0]); i++) {
		const struct ext_row *r = &ext_rows[i];
		__u32 got = tl_ipv6_ext_len(r->next, r->b);

		UNIT_CHECK_AT(r->line, got == r->want, "ipv6 ext %s: %u", r->desc, got);
	}
	for (size_t i = 0; i < sizeof(tcp_rows) / sizeof(tcp_rows[0]); i++) {
		const struct tcp_row *r = &tcp_rows[i];
		__u32 len = tl_tcp_hdr_len(r->b12, r->seg_len);
		__u16 flags = tl_tcp_flags(r->b12, r->b13);

		UNIT_CHECK_AT(r->line, len == r->want_len && flags == r->want_flags,
			      "tcp %s: len %u flags %#x", r->desc, len, flags);
	}
	for (size_t i = 0; i < sizeof(len_rows) / sizeof(len_rows[0]); i++) {
		const struct len_row *r = &len_rows[i];
		__u32 got = r->ipv6 ? tl_ipv6_payload_len(r->says, r->ip_holds)
				    : tl_ipv4_tot_len(r->says, r->gso, r->ip_holds);

		UNIT_CHECK_AT(r->line, got == r->want, "length %s: %u", r->desc, got);
	}
	UNIT_CHECK(tl_seg_len(1000, 60) == 60,
		   "segment length: the frame's when the IP's is past it");
	UNIT_CHECK(tl_seg_len(40, 60) == 40, "segment length: the IP's when the frame holds it");
	for (size_t i = 0; i < sizeof(http_rows) / sizeof(http_rows[0]); i++) {
		const struct http_row *r = &http_rows[i];
		__u8 b[4];

		memcpy(b, r->bytes, sizeof(b));
		UNIT_CHECK_AT(r->line,
			      tl_http_start_word(TL_WORD(b[0], b[1], b[2], b[3])) == r->want,
			      "http start \"%.4s\"", r->bytes);
	}
	return unit_done();
}
