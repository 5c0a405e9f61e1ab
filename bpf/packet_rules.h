/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The packet rules the TC program (bpf/packet.bpf.h) and the capture reader
 * (user/tracer/frame_parse.c) both apply, so that a live trace and a capture
 * of the same traffic give the same records: which IP and TCP headers are
 * taken, how IPv6 extension headers are walked, the flags word, the segment
 * length. Pure functions of header bytes and host-order numbers; each side
 * only reads the bytes its own way (bpf_skb_load_bytes, or bounded by the
 * snaplen). No includes: the includer provides __u8, __u16, __u32, bool. */
#ifndef TL_PACKET_RULES_H
#define TL_PACKET_RULES_H

#define TL_ETH_HLEN 14
#define TL_ETH_P_IP 0x0800
#define TL_ETH_P_IPV6 0x86DD
#define TL_IPV4_HLEN 20
#define TL_IPV6_HLEN 40
#define TL_TCP_HLEN 20
#define TL_IPPROTO_TCP 6
#define TL_IP_OFFMASK 0x1fff
#define TL_NEXTHDR_HOP 0
#define TL_NEXTHDR_ROUTING 43
#define TL_NEXTHDR_FRAGMENT 44
#define TL_NEXTHDR_AUTH 51
#define TL_NEXTHDR_DEST 60
/* Extension headers walked before giving up; Wireshark has no limit, and
 * crafted packets carry more than real ones (none of which need more than 3). */
#define TL_IPV6_MAX_EXT 32
/* The bytes of an extension header tl_ipv6_ext_len reads. */
#define TL_IPV6_EXT_PEEK 4

/* tl_ipv4_hdr_len: the length of an IPv4 header that is taken (version 4,
 * at least 20 bytes, a total length that holds it, TCP, not a later
 * fragment); 0 for any other. tot_len and frag_off in host order. */
static inline __u32 tl_ipv4_hdr_len(__u8 version, __u8 ihl, __u32 tot_len, __u8 protocol,
				    __u16 frag_off)
{
	__u32 hdr = ihl * 4U;

	if (version != 4 || hdr < TL_IPV4_HLEN || tot_len < hdr || protocol != TL_IPPROTO_TCP ||
	    (frag_off & TL_IP_OFFMASK))
		return 0;
	return hdr;
}

/* tl_ipv4_tot_len: an IPv4 packet's total length. A GSO packet past 64 KB
 * cannot say it (the kernel writes 0): it is what the skb holds from the
 * IP header on (ip_holds). */
static inline __u32 tl_ipv4_tot_len(__u32 tot_len, bool gso, __u32 ip_holds)
{
	return !tot_len && gso ? ip_holds : tot_len;
}

/* tl_ipv6_payload_len: the same for IPv6, where such a packet (BIG TCP) is a
 * jumbogram: payload length 0, its length in a Hop-by-Hop jumbo option
 * (RFC 2675) the walk skips. */
static inline __u32 tl_ipv6_payload_len(__u32 payload_len, __u32 ip_holds)
{
	return payload_len || ip_holds < TL_IPV6_HLEN ? payload_len : ip_holds - TL_IPV6_HLEN;
}

/* tl_ipv6_ext_len: how many bytes the walk to the TCP header skips for the
 * extension header of type next whose first four bytes are b (next header,
 * length, fragment offset); 0 ends the walk: a type not walked, or a later
 * fragment, which carries no TCP header. */
static inline __u32 tl_ipv6_ext_len(__u8 next, const __u8 *b)
{
	switch (next) {
	case TL_NEXTHDR_HOP:
	case TL_NEXTHDR_ROUTING:
	case TL_NEXTHDR_DEST:
		return (b[1] + 1U) * 8;
	case TL_NEXTHDR_FRAGMENT:
		return ((b[2] << 8 | b[3]) & 0xfff8) ? 0 : 8;
	case TL_NEXTHDR_AUTH:
		return (b[1] + 2U) * 4;
	}
	return 0;
}

/* tl_seg_len: the TCP header and payload a segment is counted with. An IP
 * length past the frame's end counts what the frame holds, as Wireshark
 * does. */
static inline __u32 tl_seg_len(__u32 ip_says, __u32 frame_holds)
{
	return ip_says > frame_holds ? frame_holds : ip_says;
}

/* tl_tcp_hdr_len: the TCP header's length from its byte 12 (data offset)
 * when it is at least 20 bytes and fits in seg_len; 0 otherwise. */
static inline __u32 tl_tcp_hdr_len(__u8 byte12, __u32 seg_len)
{
	__u32 doff = (byte12 >> 4) * 4U;

	return doff >= TL_TCP_HLEN && doff <= seg_len ? doff : 0;
}

/* tl_tcp_flags: the nine flag bits, NS (byte 12's low bit) to FIN, as
 * struct tl_packet's flags holds them. */
static inline __u16 tl_tcp_flags(__u8 byte12, __u8 byte13)
{
	return (__u16)(byte13 | (byte12 & 1) << 8);
}

#endif
