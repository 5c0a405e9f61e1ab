/* What only the kernel knows, attached to its connection: segments dropped
 * inside the host and why, TCP's own retransmissions (beside Wireshark's
 * inference), the reason of each RST it sends, each side's TCP internals
 * at its latest state change, and receive queue pressure. */
#include "tracer/engine/engine_impl.h"

#include <stdio.h>
#include <string.h>

#include "tracer/proto/tcp_names.h"

/* Drop reasons of a queueing discipline: on egress, before the point where
 * a capture on the interface copies the packet. */
static bool drop_before_capture(const char *reason)
{
	return reason && !strncmp(reason, "QDISC", 5);
}

/* The side's internals at its latest recorded state change: its last, to
 * CLOSE, once its life ended; as it left ESTABLISHED, while it is open. */
static void fact_tcp_info(struct tl_tcp_info *ti, const struct tl_kernel_event *k)
{
	*ti = (struct tl_tcp_info){
	    .valid = true,
	    .state = k->state,
	    .rtt_measured = k->srtt_us != 0,
	    .srtt_us = k->srtt_us >> 3,
	    .rttvar_us = k->mdev_us >> 2,
	    .cwnd = k->snd_cwnd,
	    .ssthresh = k->snd_ssthresh,
	    .retrans = k->total_retrans,
	    .mss = k->mss_cache,
	    .bytes_acked = k->bytes_acked,
	    .bytes_received = k->bytes_received,
	};
	/* As tcp_get_info's tcpi_delivery_rate: segments * MSS per interval. */
	if (k->rate_interval_us)
		ti->delivery_rate =
		    (__u64)k->rate_delivered * k->mss_cache * 1000000ull / k->rate_interval_us;
}

/* The segment a retransmission names: the latest one the side sent with
 * that seq. The tracepoint fires as __tcp_retransmit_skb returns, after the
 * copy passed the hook on the same CPU; in between only the peer's
 * segments can pass (a softirq run on the way out), so it is the side's
 * latest unless the hook missed it (0 then). */
static __u32 recent_number(const struct tl_conn *c, enum tl_side side, __u32 seq)
{
	const struct tl_econn *ec = tl_econn(c);

	for (int i = 1; i <= TL_RECENT_SEGS; i++) {
		const struct tl_recent_seg *r =
		    &ec->recent[side]
			       [(ec->recent_next[side] + TL_RECENT_SEGS - i) % TL_RECENT_SEGS];

		if (r->number && r->seq == seq)
			return r->number;
	}
	return 0;
}

void tl_engine_kernel_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_pkt_view *v)
{
	struct tl_econn *ec = tl_econn(c);
	struct tl_recent_seg *r = &ec->recent[v->from][ec->recent_next[v->from]];

	(void)e;
	r->seq = v->pkt->seq;
	r->number = v->number;
	ec->recent_next[v->from] = (ec->recent_next[v->from] + 1) % TL_RECENT_SEGS;
}

/* What tcp_retransmit_skb says of the attempt (its err, in reason): a
 * negative one stopped before the hook (the earlier copy still in a queue
 * of this host: -EBUSY; no memory, no route, netfilter's output chain), so
 * it retransmitted nothing and its seq would name the earlier copy. A
 * positive one is the qdisc's drop of a copy that passed the hook, which
 * its drop event showed. */
static bool retransmit_sent(const struct tl_kernel_event *k) { return (__s32)k->reason >= 0; }

/* The payload's bytes, as Wireshark's Len=: the skb's end_seq - seq counts
 * a SYN and a FIN as one each. */
static __u32 retransmit_len(const struct tl_kernel_event *k)
{
	__u32 flags_seq = !!(k->flags & TL_SYN) + !!(k->flags & TL_FIN);

	return k->len > flags_seq ? k->len - flags_seq : 0;
}

static const char *reason_name(const struct tl_engine *e, const struct tl_kernel_event *k,
			       char *buf, size_t size)
{
	const char *name = e->cfg.reason_name ? e->cfg.reason_name(k->type, k->reason) : NULL;

	if (name)
		return name;
	snprintf(buf, size, "%u", k->reason);
	return buf;
}

void tl_engine_kernel(struct tl_engine *e, const struct tl_event *ev)
{
	const struct tl_kernel_event *k = ev->kernel;
	struct tl_kernel_view v = {.ts_ns = ev->ts_ns,
				   .type = (int)k->type,
				   .seq_raw = k->seq,
				   .len = k->len,
				   .flags = k->flags};
	struct tl_endpoint src, dst;
	struct tl_conn *c;
	char buf[32];

	tl_endpoint_set(&src, k->family, k->saddr, k->sport);
	tl_endpoint_set(&dst, k->family, k->daddr, k->dport);
	c = tl_conn_table_find(&e->conns, &src, &dst);
	if (!c)
		return;
	v.side = tl_endpoint_eq(&src, &c->ep[TL_CLIENT]) ? TL_CLIENT : TL_SERVER;
	v.seq = k->seq - tl_econn(c)->track[v.side].base;
	switch (k->type) {
	case TL_EV_TCP_INFO:
		fact_tcp_info(&c->tcp_info[v.side], k);
		return;
	case TL_EV_RCVQ_FULL:
		c->rcvqueue_full++;
		return;
	case TL_EV_BUF_LIMIT:
		c->buf_limit++;
		return;
	case TL_EV_CONG_STATE:
		if (k->reason < TL_CA_STATES)
			c->ca_entries[v.side][k->reason]++;
		return;
	case TL_EV_RETRANSMIT:
		if (!retransmit_sent(k))
			return;
		c->kernel_retransmits++;
		v.number = recent_number(c, v.side, k->seq);
		v.len = retransmit_len(k);
		break;
	case TL_EV_DROP:
		c->drops++;
		v.reason = reason_name(e, k, buf, sizeof(buf));
		v.before_capture = drop_before_capture(v.reason);
		break;
	case TL_EV_RESET:
		v.reason = reason_name(e, k, buf, sizeof(buf));
		break;
	default:
		return;
	}
	if (e->sink.on_kernel)
		e->sink.on_kernel(e->sink.ctx, c, &v);
}
