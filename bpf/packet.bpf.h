/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Header parsing for the TC program: Ethernet, IPv4 or IPv6 (with extension
 * headers), TCP. Reads go through bpf_skb_load_bytes so that headers in a
 * non-linear skb (GSO on loopback) are read correctly. */
#ifndef PACKET_BPF_H
#define PACKET_BPF_H

#include "http_start.h"
#include "packet_rules.h"

#define TC_ACT_UNSPEC (-1)
#define AF_INET 2
#define AF_INET6 10

/* What the parse found, kept on the stack until the port filter passed. */
struct tl_l34 {
	struct tcphdr tcp;
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 l4_off;
	__u32 payload_off;
	__u32 payload_len;
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 ip_hdr_len;
};

/* Offsets past this are never read straight from the packet: a bound the
 * verifier needs, far past any header. */
#define TL_LINEAR_MAX 4096

/* Reads *dst, a header, from off: straight from the packet when it lies in
 * the linear part, as headers do on loopback (a load per word), through
 * the helper otherwise (a header in a fragment, as GRO can leave it).
 * Returns 0, or the helper's error. */
#define TL_LOAD(skb, off, dst)                                                                     \
	({                                                                                         \
		void *data_ = (void *)(long)(skb)->data;                                           \
		void *end_ = (void *)(long)(skb)->data_end;                                        \
		__u32 off_ = (off);                                                                \
		int ret_ = 0;                                                                      \
                                                                                                   \
		if (off_ <= TL_LINEAR_MAX && data_ + off_ + sizeof(*(dst)) <= end_)                \
			*(dst) = *(const typeof(*(dst)) *)(data_ + off_);                          \
		else                                                                               \
			ret_ = bpf_skb_load_bytes(skb, off_, dst, sizeof(*(dst)));                 \
		ret_;                                                                              \
	})

/* Reads n bytes at off: from the packet (skb), else from kernel memory at
 * kmem + off. The caller's choice is a constant: one of the two calls is all
 * that is left of this in each program. */
static __always_inline int tl_peek(struct __sk_buff *skb, const void *kmem, __u32 off, void *dst,
				   __u32 n)
{
	return skb ? bpf_skb_load_bytes(skb, off, dst, n)
		   : bpf_probe_read_kernel(dst, n, kmem + off);
}

/* Skips IPv6 extension headers from off, read as tl_peek does; returns the
 * TCP offset or 0. The TC hook and the drop program share this walk. */
static __always_inline __u32 tl_skip_ipv6_ext(struct __sk_buff *skb, const void *kmem, __u32 off,
					      __u8 next)
{
	__u8 ext[TL_IPV6_EXT_PEEK];
	__u32 len;

	for (int i = 0; i < TL_IPV6_MAX_EXT; i++) {
		if (next == IPPROTO_TCP)
			return off;
		if (tl_peek(skb, kmem, off, ext, sizeof(ext)))
			return 0;
		len = tl_ipv6_ext_len(next, ext);
		if (!len)
			return 0;
		off += len;
		next = ext[0];
	}
	return next == IPPROTO_TCP ? off : 0;
}

/* Sets h's family, addresses and l4_off; returns the bytes the IP header
 * says follow it (TCP header plus payload), or 0 when this is not TCP. */
static __always_inline __u32 tl_parse_ip(struct __sk_buff *skb, struct tl_l34 *h)
{
	if (skb->protocol == bpf_htons(TL_ETH_P_IP)) {
		struct iphdr ip;
		__u32 hdr, tot;

		if (TL_LOAD(skb, TL_ETH_HLEN, &ip))
			return 0;
		tot = bpf_ntohs(ip.tot_len);
		tot = tl_ipv4_tot_len(tot, !tot && skb->gso_segs > 1, skb->len - TL_ETH_HLEN);
		hdr = tl_ipv4_hdr_len(ip.version, ip.ihl, tot, ip.protocol, bpf_ntohs(ip.frag_off));
		if (!hdr)
			return 0;
		h->family = AF_INET;
		h->ip_hdr_len = hdr;
		__builtin_memcpy(h->saddr, &ip.saddr, 4);
		__builtin_memcpy(h->daddr, &ip.daddr, 4);
		h->l4_off = TL_ETH_HLEN + hdr;
		return tot - hdr;
	}
	if (skb->protocol == bpf_htons(TL_ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		__u32 l4, ext, plen;

		if (TL_LOAD(skb, TL_ETH_HLEN, &ip6))
			return 0;
		l4 = tl_skip_ipv6_ext(skb, NULL, TL_ETH_HLEN + sizeof(ip6), ip6.nexthdr);
		if (!l4 || ip6.version != 6)
			return 0;
		ext = l4 - TL_ETH_HLEN - sizeof(ip6);
		plen = tl_ipv6_payload_len(bpf_ntohs(ip6.payload_len), skb->len - TL_ETH_HLEN);
		if (plen < ext)
			return 0;
		h->family = AF_INET6;
		h->ip_hdr_len = sizeof(ip6) + ext;
		__builtin_memcpy(h->saddr, &ip6.saddr, 16);
		__builtin_memcpy(h->daddr, &ip6.daddr, 16);
		h->l4_off = l4;
		return plen - ext;
	}
	return 0;
}

/* Fills h from the frame; returns 0 for a TCP segment, -1 otherwise. */
static __always_inline int tl_parse_l34(struct __sk_buff *skb, struct tl_l34 *h)
{
	__u32 seg_len = tl_parse_ip(skb, h);
	__u32 doff;

	seg_len = tl_seg_len(seg_len, skb->len - h->l4_off);
	if (seg_len < sizeof(h->tcp))
		return -1;
	if (TL_LOAD(skb, h->l4_off, &h->tcp))
		return -1;
	doff = tl_tcp_hdr_len(((const __u8 *)&h->tcp)[12], seg_len);
	if (!doff)
		return -1;
	h->sport = bpf_ntohs(h->tcp.source);
	h->dport = bpf_ntohs(h->tcp.dest);
	h->payload_off = h->l4_off + doff;
	h->payload_len = seg_len - doff;
	return 0;
}

/* The part of the skb one record describes: all of it, or one of the
 * segments the kernel will cut it into. */
struct tl_seg {
	__u32 seq_off;
	__u32 len;
	__u16 clear_flags;
};

/* Copies len bytes of TCP options (at most TL_TCP_OPT_MAX, a multiple of 4:
 * the data offset counts words) from off into dst, a word at a time from
 * the linear part, as TL_LOAD does. */
static __always_inline int tl_load_opts(struct __sk_buff *skb, __u32 off, __u8 *dst, __u32 len)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	const __u32 *src;

	if (off > TL_LINEAR_MAX || data + off + len > end)
		return bpf_skb_load_bytes(skb, off, dst, len);
	for (int i = 0; i < TL_TCP_OPT_MAX / 4; i++) {
		src = data + off + i * 4;
		if (i * 4 >= len || (const void *)(src + 1) > end)
			break;
		((__u32 *)dst)[i] = *src;
	}
	return 0;
}

/* Copies the parsed headers, as they apply to segment sg, and the TCP
 * options from the frame, into p. */
static __always_inline void tl_fill_packet(struct __sk_buff *skb, const struct tl_l34 *h,
					   const struct tl_seg *sg, struct tl_packet *p)
{
	const __u8 *raw = (const __u8 *)&h->tcp;
	__u32 opt_len = h->payload_off - h->l4_off - sizeof(h->tcp);

	p->ts_ns = bpf_ktime_get_ns();
	p->type = TL_EV_PACKET;
	p->seq = bpf_ntohl(h->tcp.seq) + sg->seq_off;
	p->ack = bpf_ntohl(h->tcp.ack_seq);
	p->frame_len = skb->len - h->payload_len + sg->len;
	p->payload_len = sg->len;
	p->sport = h->sport;
	p->dport = h->dport;
	p->window = bpf_ntohs(h->tcp.window);
	p->flags = tl_tcp_flags(raw[12], raw[13]) & ~sg->clear_flags;
	p->family = h->family;
	p->ip_hdr_len = h->ip_hdr_len;
	p->tcp_hdr_len = opt_len + sizeof(h->tcp);
	__builtin_memcpy(p->saddr, h->saddr, sizeof(p->saddr));
	__builtin_memcpy(p->daddr, h->daddr, sizeof(p->daddr));
	barrier_var(opt_len);
	if (opt_len > TL_TCP_OPT_MAX)
		opt_len = TL_TCP_OPT_MAX;
	p->opt_len = 0;
	if (opt_len && !tl_load_opts(skb, h->l4_off + sizeof(h->tcp), p->opts, opt_len))
		p->opt_len = opt_len;
}

#endif /* PACKET_BPF_H */
