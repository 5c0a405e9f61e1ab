/* Link, IP and TCP headers of a captured frame, read the way the TC program
 * reads an skb (bpf/packet.bpf.h): the same checks, the same fields, so a
 * capture and a live trace of the same traffic give the same records. The
 * one difference: a capture may be cut by its snaplen, so every read is
 * bounded by caplen, and a frame cut inside its headers is refused. */
#include "tracer/proto/frame_parse.h"

#include <errno.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <string.h>
#include <sys/socket.h>

#include "http_start.h"
#include "packet_rules.h"
#include "tracer/proto/be.h"

#define ETH_HLEN TL_ETH_HLEN
#define ETH_P_IP TL_ETH_P_IP
#define ETH_P_IPV6 TL_ETH_P_IPV6
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_MAX_VLAN_TAGS 2
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define LOOP_HLEN 4

/* The frame as far as it was captured. */
struct frame {
	const __u8 *b;
	size_t caplen;
	__u32 skb_len; /* the length the TC program would see: link header made Ethernet */
};

/* What the IP header said, as struct tl_l34 holds it on the kernel side. */
struct l3_info {
	size_t l4_off;
	__u32 seg_len; /* TCP header plus payload, by the IP header's length */
};

static bool have(const struct frame *f, size_t off, size_t n)
{
	return n <= f->caplen && off <= f->caplen - n;
}

bool tl_frame_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
		return true;
	}
	return false;
}

/* Past up to two VLAN tags after the ethertype at type_off (a capture keeps
 * them in the frame: after Ethernet's addresses, or a cooked header's
 * protocol when the tag was not taken off by the NIC). */
static int vlan_l3(const struct frame *f, size_t type_off, size_t *off, __u16 *proto)
{
	for (int i = 0; i <= ETH_MAX_VLAN_TAGS; i++) {
		if (!have(f, type_off, 2))
			return -EINVAL;
		*proto = tl_be16(f->b + type_off);
		if (*proto != ETH_P_8021Q && *proto != ETH_P_8021AD)
			break;
		type_off += 4;
	}
	*off = type_off + 2;
	return 0;
}

static int eth_l3(const struct frame *f, size_t *off, __u16 *proto)
{
	return vlan_l3(f, 2 * 6, off, proto);
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte
 * order (Null) or in network order (Loop). Families are small numbers, so
 * the order that gives a small one is the right one. IPv6 has one value
 * per BSD. */
static int loop_l3(const struct frame *f, size_t *off, __u16 *proto)
{
	__u32 family;

	if (!have(f, 0, LOOP_HLEN))
		return -EINVAL;
	family = tl_be32(f->b);
	if (family > 0xffff)
		family = __builtin_bswap32(family);
	*off = LOOP_HLEN;
	switch (family) {
	case 2:
		*proto = ETH_P_IP;
		return 0;
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		*proto = ETH_P_IPV6;
		return 0;
	}
	return -EINVAL;
}

/* Raw IP: the version nibble tells which. */
static int raw_l3(const struct frame *f, size_t *off, __u16 *proto)
{
	if (!have(f, 0, 1))
		return -EINVAL;
	*off = 0;
	*proto = (f->b[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
	return 0;
}

/* Linux cooked headers carry the ethertype: SLL at its end, SLL2 first; a
 * VLAN tag the kernel left in the packet follows the header. */
static int cooked_l3(const struct frame *f, size_t hlen, size_t proto_off, size_t *off,
		     __u16 *proto)
{
	if (!have(f, 0, hlen))
		return -EINVAL;
	*off = hlen;
	*proto = tl_be16(f->b + proto_off);
	if (*proto == ETH_P_8021Q || *proto == ETH_P_8021AD)
		return vlan_l3(f, hlen + 2, off, proto);
	return 0;
}

static int link_l3(int dlt, const struct frame *f, size_t *off, __u16 *proto)
{
	switch (dlt) {
	case DLT_EN10MB:
		return eth_l3(f, off, proto);
	case DLT_NULL:
	case DLT_LOOP:
		return loop_l3(f, off, proto);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return raw_l3(f, off, proto);
	case DLT_LINUX_SLL:
		return cooked_l3(f, SLL_HLEN, SLL_HLEN - 2, off, proto);
	case DLT_LINUX_SLL2:
		return cooked_l3(f, SLL2_HLEN, 0, off, proto);
	}
	return -EINVAL;
}

static int parse_ipv4(const struct frame *f, size_t off, struct tl_packet *p, struct l3_info *l3)
{
	const __u8 *ip = f->b + off;
	__u32 hdr, tot;

	if (!have(f, off, TL_IPV4_HLEN))
		return -EINVAL;
	tot = tl_be16(ip + 2);
	hdr = tl_ipv4_hdr_len(ip[0] >> 4, ip[0] & 0xf, tot, ip[9], tl_be16(ip + 6));
	if (!hdr)
		return -EINVAL;
	p->family = AF_INET;
	p->ip_hdr_len = hdr;
	memcpy(p->saddr, ip + 12, 4);
	memcpy(p->daddr, ip + 16, 4);
	l3->l4_off = off + hdr;
	l3->seg_len = tot - hdr;
	return 0;
}

/* Moves *off past the extension headers the kernel side skips. */
static int skip_ipv6_ext(const struct frame *f, size_t *off, __u8 next)
{
	for (int i = 0; i < TL_IPV6_MAX_EXT; i++) {
		__u32 len;

		if (next == IPPROTO_TCP)
			return 0;
		if (!have(f, *off, TL_IPV6_EXT_PEEK))
			return -EINVAL;
		len = tl_ipv6_ext_len(next, f->b + *off);
		if (!len)
			return -EINVAL;
		next = f->b[*off];
		*off += len;
	}
	return next == IPPROTO_TCP ? 0 : -EINVAL;
}

static int parse_ipv6(const struct frame *f, size_t off, struct tl_packet *p, struct l3_info *l3)
{
	const __u8 *ip = f->b + off;
	size_t l4 = off + TL_IPV6_HLEN;
	__u32 ext, plen;

	if (!have(f, off, TL_IPV6_HLEN) || skip_ipv6_ext(f, &l4, ip[6]) || (ip[0] >> 4) != 6)
		return -EINVAL;
	ext = l4 - off - TL_IPV6_HLEN;
	plen = tl_ipv6_payload_len(tl_be16(ip + 4), f->skb_len - ETH_HLEN);
	if (plen < ext)
		return -EINVAL;
	p->family = AF_INET6;
	p->ip_hdr_len = TL_IPV6_HLEN + ext; /* a __u8, cut as the kernel side cuts it */
	memcpy(p->saddr, ip + 8, 16);
	memcpy(p->daddr, ip + 24, 16);
	l3->l4_off = l4;
	l3->seg_len = plen - ext;
	return 0;
}

/* The TCP header, options included, must be in the captured bytes. */
static int parse_tcp(const struct frame *f, const struct l3_info *l3, struct tl_packet *p)
{
	const __u8 *tcp = f->b + l3->l4_off;
	__u32 doff;

	if (l3->seg_len < TL_TCP_HLEN || !have(f, l3->l4_off, TL_TCP_HLEN))
		return -EINVAL;
	doff = tl_tcp_hdr_len(tcp[12], l3->seg_len);
	if (!doff || !have(f, l3->l4_off, doff))
		return -EINVAL;
	p->sport = tl_be16(tcp);
	p->dport = tl_be16(tcp + 2);
	p->seq = tl_be32(tcp + 4);
	p->ack = tl_be32(tcp + 8);
	p->flags = tl_tcp_flags(tcp[12], tcp[13]);
	p->window = tl_be16(tcp + 14);
	p->tcp_hdr_len = doff;
	p->opt_len = doff - TL_TCP_HLEN;
	memcpy(p->opts, tcp + TL_TCP_HLEN, p->opt_len);
	p->payload_len = l3->seg_len - doff;
	return 0;
}

/* The payload's first bytes, as far as they were captured: every segment's,
 * since the engine follows chunks and heads cut across segments too, and
 * more than the kernel side keeps, since a capture may hold a request line
 * of several KB whole. */
static void copy_http(const struct frame *f, size_t off, struct tl_frame *out)
{
	const __u8 *w = f->b + off;
	size_t n = out->rec.pkt.payload_len;
	__u32 word;

	out->http = w;
	out->http_len = 0;
	if (n > TL_FRAME_HTTP_MAX)
		n = TL_FRAME_HTTP_MAX;
	if (n > f->caplen - off)
		n = f->caplen - off;
	if (!n)
		return;
	out->http_len = n;
	out->rec.pkt.data_len = n < TL_DATA_CAP ? n : TL_DATA_CAP;
	word = n >= 4 ? TL_WORD(w[0], w[1], w[2], w[3]) : 0;
	if (tl_http_start_word(word))
		out->rec.pkt.data_flags = TL_DATA_HTTP;
	else
		out->rec.pkt.data_flags = tl_chunk_start_word(word) ? TL_DATA_CHUNK : TL_DATA_HEAD;
}

/* The frame from its IP header on, behind an Ethernet header: the original
 * one's addresses when it had one, zeros (as on lo) otherwise. An Ethernet
 * frame without tags is that already. */
static void frame_eth(int dlt, const struct frame *f, size_t l3_off, __u16 proto,
		      struct tl_frame *out)
{
	size_t n = f->caplen - l3_off;

	if (n > TL_DATA_CAP - ETH_HLEN)
		n = TL_DATA_CAP - ETH_HLEN;
	out->eth_len = ETH_HLEN + n;
	if (dlt == DLT_EN10MB && l3_off == ETH_HLEN) {
		out->eth = f->b;
		return;
	}
	memset(out->eth_buf, 0, ETH_HLEN);
	if (dlt == DLT_EN10MB)
		memcpy(out->eth_buf, f->b, 2 * 6);
	out->eth_buf[12] = proto >> 8;
	out->eth_buf[13] = proto & 0xff;
	memcpy(out->eth_buf + ETH_HLEN, f->b + l3_off, n);
	out->eth = out->eth_buf;
}

int tl_frame_parse(int dlt, const __u8 *frame, size_t caplen, size_t len, __u64 ts_ns,
		   struct tl_frame *out)
{
	struct frame f = {.b = frame, .caplen = caplen};
	struct tl_packet *p = &out->rec.pkt;
	struct l3_info l3;
	size_t l3_off;
	__u16 proto;
	int err;

	memset(p, 0, sizeof(*p));
	if (link_l3(dlt, &f, &l3_off, &proto) || !have(&f, l3_off, 1))
		return -EINVAL;
	f.skb_len = (len > caplen ? len : caplen) - l3_off + ETH_HLEN;
	if (proto == ETH_P_IP)
		err = parse_ipv4(&f, l3_off, p, &l3);
	else if (proto == ETH_P_IPV6)
		err = parse_ipv6(&f, l3_off, p, &l3);
	else
		err = -EINVAL;
	if (err)
		return -EINVAL;
	l3.seg_len = tl_seg_len(l3.seg_len, f.skb_len - ETH_HLEN - (l3.l4_off - l3_off));
	if (parse_tcp(&f, &l3, p))
		return -EINVAL;
	p->ts_ns = ts_ns;
	p->type = TL_EV_PACKET;
	p->frame_len = f.skb_len;
	copy_http(&f, l3.l4_off + p->tcp_hdr_len, out);
	frame_eth(dlt, &f, l3_off, proto, out);
	return 0;
}
