/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What only the kernel knows, from its tracepoints (tp_btf only; the loader
 * loads each program whose tracepoint this kernel has): segments dropped
 * inside the host and why, TCP's own retransmissions, the reason of each
 * RST it sends, a socket's TCP internals at its state changes, and receive
 * queue pressure. Included by tcplife_http.bpf.c after its socket helpers
 * and before its state program, sharing its ring buffer and filters. Each
 * program rejects what is not TCP on a traced port as early as it can:
 * kfree_skb fires for every drop on the machine. */
#ifndef TL_KERNEL_FACTS_BPF_H
#define TL_KERNEL_FACTS_BPF_H

static __always_inline struct tl_kernel_event *kernel_event(__u32 type, __u32 reason)
{
	struct tl_kernel_event *k = reserve(sizeof(*k));

	if (!k)
		return NULL;
	__builtin_memset(k, 0, sizeof(*k));
	k->ts_ns = bpf_ktime_get_ns();
	k->type = type;
	k->reason = reason;
	k->lost = lost_events;
	k->lost_ms = last_loss_ms;
	return k;
}

/* The event of a traced socket, named by id. */
static __always_inline struct tl_kernel_event *
traced_fact(const struct sock *sk, const struct sock_id *id, __u32 type, __u32 reason)
{
	struct tl_kernel_event *k = kernel_event(type, reason);

	if (!k)
		return NULL;
	k->skaddr = (__u64)sk;
	k->family = id->family;
	k->sport = id->sport;
	k->dport = id->dport;
	k->state = sk->__sk_common.skc_state;
	sock_addrs(sk, id->family, k->saddr, k->daddr, true);
	return k;
}

/* A socket's event: its tuple, or nothing when it is not traced. */
static __always_inline struct tl_kernel_event *sock_fact(const struct sock *sk, __u32 type,
							 __u32 reason)
{
	struct sock_id id;

	if (!sk || !sock_traced(sk, &id, true))
		return NULL;
	return traced_fact(sk, &id, type, reason);
}

/* The TCP header fields of an skb whose network header is set. */
struct seg_hdr {
	__u8 family;
	__u16 sport, dport, flags;
	__u32 seq, ack, len;
	__u8 saddr[16], daddr[16];
};

/* The IP and TCP headers, read with one helper call when the IP header has
 * no options (IPv4) or extension headers (IPv6). */
union ip_tcp {
	struct {
		struct iphdr ip;
		struct tcphdr th;
	} v4;
	struct {
		struct ipv6hdr ip;
		struct tcphdr th;
	} v6;
};

/* The family of an skb's protocol (host order), 0 when it is not IP. */
static __always_inline __u8 proto_family(__u16 proto)
{
	return proto == TL_ETH_P_IP ? AF_INET : proto == TL_ETH_P_IPV6 ? AF_INET6 : 0;
}

/* The bytes from the skb's network header to its end: its data starts
 * before that header (the frame's, at a qdisc) or after it (where TCP has
 * pulled its headers). */
static __always_inline __u32 skb_ip_holds(const struct sk_buff *skb)
{
	return skb->len + (__u32)(skb->data - skb->head) - skb->network_header;
}

static __always_inline __u32 skb_gso_segs(const struct sk_buff *skb)
{
	const struct skb_shared_info *si = (const void *)(skb->head + skb->end);

	return BPF_CORE_READ(si, gso_segs);
}

/* h from an skb whose network header is set, of family (proto_family),
 * decoded by the TC hook's rules (packet_rules.h): a GSO packet past 64 KB
 * (BIG TCP: IPv4 total length 0, or an IPv6 jumbogram behind its Hop-by-Hop
 * header) has the length the skb holds. */
static __always_inline int skb_tcp(const struct sk_buff *skb, __u8 family, struct seg_hdr *h)
{
	unsigned char *nh = skb->head + skb->network_header;
	__u32 holds = skb_ip_holds(skb), fixed, hdr, ip_len;
	struct tcphdr *th;
	union ip_tcp u;

	if (family == AF_INET) {
		if (bpf_probe_read_kernel(&u.v4, sizeof(u.v4), nh))
			return -1;
		ip_len = bpf_ntohs(u.v4.ip.tot_len);
		ip_len = tl_ipv4_tot_len(ip_len, !ip_len && skb_gso_segs(skb) > 1, holds);
		hdr = tl_ipv4_hdr_len(u.v4.ip.version, u.v4.ip.ihl, ip_len, u.v4.ip.protocol,
				      bpf_ntohs(u.v4.ip.frag_off));
		fixed = sizeof(u.v4.ip);
		th = &u.v4.th;
		__builtin_memcpy(h->saddr, &u.v4.ip.saddr, 4);
		__builtin_memcpy(h->daddr, &u.v4.ip.daddr, 4);
	} else {
		if (bpf_probe_read_kernel(&u.v6, sizeof(u.v6), nh))
			return -1;
		hdr = tl_skip_ipv6_ext(NULL, nh, sizeof(u.v6.ip), u.v6.ip.nexthdr);
		ip_len =
		    tl_ipv6_payload_len(bpf_ntohs(u.v6.ip.payload_len), holds) + sizeof(u.v6.ip);
		fixed = sizeof(u.v6.ip);
		th = &u.v6.th;
		__builtin_memcpy(h->saddr, &u.v6.ip.saddr, 16);
		__builtin_memcpy(h->daddr, &u.v6.ip.daddr, 16);
	}
	/* Options or extension headers: the TCP header is further on. */
	if (!hdr || ip_len < hdr ||
	    (hdr != fixed && bpf_probe_read_kernel(th, sizeof(*th), nh + hdr)))
		return -1;
	ip_len -= hdr;
	h->family = family;
	h->sport = bpf_ntohs(th->source);
	h->dport = bpf_ntohs(th->dest);
	h->seq = bpf_ntohl(th->seq);
	h->ack = bpf_ntohl(th->ack_seq);
	h->flags = tl_tcp_flags(((__u8 *)th)[12], ((__u8 *)th)[13]);
	h->len = ip_len > th->doff * 4u ? ip_len - th->doff * 4u : 0;
	return 0;
}

/* The network namespace the skb is in: its device's, else its socket's. */
static __always_inline __u32 skb_netns(const struct sk_buff *skb, const struct sock *rx_sk)
{
	struct net_device *dev = skb->dev;

	if (dev)
		return dev->nd_net.net->ns.inum;
	if (rx_sk)
		return sk_netns(rx_sk, true);
	return 0;
}

static __always_inline void emit_segment_fact(const struct seg_hdr *h, __u32 type, __u32 reason,
					      const struct sock *sk)
{
	struct tl_kernel_event *k = kernel_event(type, reason);

	if (!k)
		return;
	k->skaddr = (__u64)sk;
	k->family = h->family;
	k->sport = h->sport;
	k->dport = h->dport;
	k->seq = h->seq;
	k->ack = h->ack;
	k->len = h->len;
	k->flags = h->flags;
	__builtin_memcpy(k->saddr, h->saddr, sizeof(k->saddr));
	__builtin_memcpy(k->daddr, h->daddr, sizeof(k->daddr));
	submit(k, sizeof(*k));
}

/* A segment TCP took in and answered, then freed through the drop path
 * (tcp_rcv_state_process, tcp_validate_incoming): nothing was lost.
 * A segment with no data, SYN, FIN or RST (an ACK, nothing else) that
 *  - reached a socket in CLOSE_WAIT, CLOSING or LAST_ACK at or past the next
 *    seq it expects, without a reason: its ACK was taken, and the peer has
 *    sent its FIN, so there is nothing more to queue;
 *  - lay below the receive window (TCP_OLD_SEQUENCE): TCP answers it with an
 *    ACK, what Linux's keep-alive and zero window probes (no data, one seq
 *    below the peer's next) are sent for.
 * A segment with data below the window (a duplicate, answered by a D-SACK)
 * stays a drop: a copy of data was discarded. */
static __always_inline bool tcp_answered(__u32 reason, const struct sock *rx_sk,
					 const struct seg_hdr *h)
{
	int state;

	if (h->len || (h->flags & (TL_SYN | TL_FIN | TL_RST)))
		return false;
	if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_OLD_SEQUENCE))
		return true;
	if (!rx_sk ||
	    reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
		return false;
	state = rx_sk->__sk_common.skc_state;
	return state == TCP_CLOSE_WAIT || state == TCP_CLOSING || state == TCP_LAST_ACK;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(tl_drop_btf, struct sk_buff *skb, void *location, enum skb_drop_reason reason,
	     struct sock *rx_sk)
{
	__u8 family = proto_family(bpf_ntohs(skb->protocol));
	struct seg_hdr h = {};
	__u32 ns;

	/* Cheapest first: kfree_skb fires for every drop on the host. A
	 * socket's queue emptied at close is not a segment on its way. */
	if (reason <= SKB_CONSUMED ||
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_QUEUE_PURGE))
		return 0;
	/* A timewait socket frees every segment it answers (the FIN it ACKs
	 * after the handover from FIN_WAIT2) through the drop path, with no
	 * reason: TCP handled it, nothing was lost. */
	if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED) &&
	    rx_sk && rx_sk->__sk_common.skc_state == TCP_TIME_WAIT)
		return 0;
	if (!family || (target_family && family != target_family))
		return 0;
	ns = skb_netns(skb, rx_sk);
	if (target_netns && ns && ns != target_netns)
		return 0;
	if (skb_tcp(skb, family, &h) || !port_wanted(h.sport, h.dport) ||
	    tcp_answered(reason, rx_sk, &h))
		return 0;
	emit_segment_fact(&h, TL_EV_DROP, reason, rx_sk);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tl_retrans_btf, const struct sock *sk, const struct sk_buff *skb, int err)
{
	struct tl_kernel_event *k = sock_fact(sk, TL_EV_RETRANSMIT, (__u32)err);
	const struct tcp_skb_cb *cb;

	if (!k)
		return 0;
	cb = (const struct tcp_skb_cb *)&skb->cb[0];
	k->seq = cb->seq;
	k->len = cb->end_seq - k->seq;
	k->flags = cb->tcp_flags;
	submit(k, sizeof(*k));
	return 0;
}

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(tl_retrans_synack_btf, const struct sock *sk, const struct request_sock *req)
{
	struct tl_kernel_event *k = sock_fact(sk, TL_EV_RETRANSMIT, 0);

	if (!k)
		return 0;
	/* The listener's tuple: the request socket's holds the peer. */
	k->dport = bpf_ntohs(BPF_CORE_READ(req, __req_common.skc_dport));
	if (k->family == AF_INET) {
		bpf_core_read(k->saddr, 4, &req->__req_common.skc_rcv_saddr);
		bpf_core_read(k->daddr, 4, &req->__req_common.skc_daddr);
	} else {
		bpf_core_read(k->saddr, 16, &req->__req_common.skc_v6_rcv_saddr);
		bpf_core_read(k->daddr, 16, &req->__req_common.skc_v6_daddr);
	}
	k->seq = BPF_CORE_READ((struct tcp_request_sock *)req, snt_isn);
	k->len = 1;
	k->flags = TL_SYN | TL_ACK;
	k->synack = 1;
	submit(k, sizeof(*k));
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tl_reset_btf, const struct sock *sk, const struct sk_buff *skb,
	     enum sk_rst_reason reason)
{
	struct tl_kernel_event *k;
	struct seg_hdr h = {};
	__u8 family;

	if (sk && sk->__sk_common.skc_state != TCP_LISTEN) {
		k = sock_fact(sk, TL_EV_RESET, reason);
		if (k)
			submit(k, sizeof(*k));
		return 0;
	}
	/* No socket (or a listener): the segment that drew the RST names the
	 * connection; the RST goes back to its source. */
	family = skb ? proto_family(bpf_ntohs(skb->protocol)) : 0;
	if (!family || (target_family && family != target_family) || skb_tcp(skb, family, &h) ||
	    !port_wanted(h.sport, h.dport))
		return 0;
	k = kernel_event(TL_EV_RESET, reason);
	if (!k)
		return 0;
	k->family = h.family;
	k->sport = h.dport;
	k->dport = h.sport;
	__builtin_memcpy(k->saddr, h.daddr, sizeof(k->saddr));
	__builtin_memcpy(k->daddr, h.saddr, sizeof(k->daddr));
	submit(k, sizeof(*k));
	return 0;
}

/* TCP internals at a socket's last state change, to CLOSE, which every
 * closing socket makes after everything TCP sent (a server that closes
 * first sends and retransmits its tail in FIN_WAIT1; a timewait socket
 * takes over at FIN_WAIT2 -> CLOSE), and as it leaves ESTABLISHED, for a
 * life still open when tracing ends. User space keeps the latest. The
 * changes between are left out: two records a side where every change of
 * the close would take three, and churn pays for each. Not a program of
 * its own: the state program (tp_btf) calls it for a traced socket before
 * its state record, which saves every state change of the host a program
 * run and a second look at the socket. */
static __always_inline void tcp_info_fact(const struct sock *sk, const struct sock_id *id,
					  int oldstate, int newstate)
{
	struct tl_kernel_event *k;
	struct tcp_sock *tp;

	if (newstate == TCP_CLOSE ? oldstate == TCP_LISTEN : oldstate != TCP_ESTABLISHED)
		return;
	tp = bpf_skc_to_tcp_sock((void *)sk);
	k = tp ? traced_fact(sk, id, TL_EV_TCP_INFO, oldstate) : NULL;
	if (!k)
		return;
	k->state = newstate;
	k->srtt_us = tp->srtt_us;
	k->mdev_us = tp->mdev_us;
	k->snd_cwnd = tp->snd_cwnd;
	k->snd_ssthresh = tp->snd_ssthresh;
	k->total_retrans = tp->total_retrans;
	k->mss_cache = tp->mss_cache;
	k->rate_delivered = tp->rate_delivered;
	k->rate_interval_us = tp->rate_interval_us;
	k->bytes_acked = tp->bytes_acked;
	k->bytes_received = tp->bytes_received;
	submit(k, sizeof(*k));
}

SEC("tp_btf/sock_rcvqueue_full")
int BPF_PROG(tl_rcvq_btf, struct sock *sk, struct sk_buff *skb)
{
	struct tl_kernel_event *k = sock_fact(sk, TL_EV_RCVQ_FULL, 0);

	if (k)
		submit(k, sizeof(*k));
	return 0;
}

SEC("tp_btf/sock_exceed_buf_limit")
int BPF_PROG(tl_buf_limit_btf, struct sock *sk, struct proto *prot, long allocated, int kind)
{
	struct tl_kernel_event *k = sock_fact(sk, TL_EV_BUF_LIMIT, (__u32)kind);

	if (k)
		submit(k, sizeof(*k));
	return 0;
}

SEC("tp_btf/tcp_cong_state_set")
int BPF_PROG(tl_cong_btf, struct sock *sk, const __u8 ca_state)
{
	struct tl_kernel_event *k = sock_fact(sk, TL_EV_CONG_STATE, ca_state);

	if (k)
		submit(k, sizeof(*k));
	return 0;
}

#endif
