/* Segments: which connection and side, Wireshark's relative numbers and
 * scaled window, FIN/RST bookkeeping, and HTTP messages. */
#include "tracer/engine/engine_impl.h"

#include "tracer/proto/tcp_names.h"
#include "common/seq.h"

/* Roles for a connection first seen by this segment. */
static struct tl_conn *conn_from_packet(struct tl_engine *e, const struct tl_endpoint *src,
					const struct tl_endpoint *dst, __u16 flags, __u64 ts_ns)
{
	bool src_is_client;
	struct tl_conn *c;

	if (flags & TL_SYN)
		src_is_client = !(flags & TL_ACK);
	else if (tl_engine_is_server_port(e, dst->port) != tl_engine_is_server_port(e, src->port))
		src_is_client = tl_engine_is_server_port(e, dst->port);
	else
		src_is_client = src->port > dst->port; /* ephemeral ports are the high ones */

	c = tl_engine_conn_new(e, src_is_client ? src : dst, src_is_client ? dst : src, ts_ns);
	if (c && !((flags & TL_SYN) && !(flags & TL_ACK))) {
		c->mid_stream = true;
		c->roles_guessed = !(flags & TL_SYN);
		/* Its beginning may be among the records lost. */
		c->incomplete |= e->had_loss;
	}
	return c;
}

/* A SYN on a known tuple is a retransmission, the first packet of a
 * connection its socket events announced, or a new connection reusing it. */
static bool is_new_syn(const struct tl_conn *c, const struct tl_packet *p, enum tl_side from)
{
	if (!c->packets)
		return false;
	return !(from == TL_CLIENT && c->flow[TL_CLIENT].syn_seen &&
		 tl_econn(c)->track[TL_CLIENT].base == p->seq);
}

/* *reused: a SYN ended the life on this tuple and began another. */
static struct tl_conn *conn_for_packet(struct tl_engine *e, const struct tl_packet *p, __u64 ts_ns,
				       enum tl_side *from, bool *reused)
{
	struct tl_endpoint src, dst;
	struct tl_conn *c;
	bool syn_only = (p->flags & (TL_SYN | TL_ACK)) == TL_SYN;

	tl_endpoint_set(&src, p->family, p->saddr, p->sport);
	tl_endpoint_set(&dst, p->family, p->daddr, p->dport);
	c = tl_conn_table_find(&e->conns, &src, &dst);
	if (c) {
		*from = tl_endpoint_eq(&src, &c->ep[TL_CLIENT]) ? TL_CLIENT : TL_SERVER;
		if (!syn_only || !is_new_syn(c, p, *from))
			return c;
		tl_engine_conn_end(e, c);
		*reused = true;
	}
	c = conn_from_packet(e, &src, &dst, p->flags, ts_ns);
	*from = c && tl_endpoint_eq(&src, &c->ep[TL_CLIENT]) ? TL_CLIENT : TL_SERVER;
	return c;
}

/* Relative numbers follow Wireshark: seq - the sender's ISN, or, without its
 * SYN, the first seq seen - 1; ack likewise against the other side. */
static void relative_numbers(struct tl_conn *c, enum tl_side from, const struct tl_packet *p,
			     const struct tl_tcp_opts *o, struct tl_pkt_view *v)
{
	struct tl_flow_track *f = &tl_econn(c)->track[from],
			     *r = &tl_econn(c)->track[TL_OTHER(from)];

	if (p->flags & TL_SYN) {
		c->client_syns += from == TL_CLIENT && !(p->flags & TL_ACK);
		f->base = p->seq;
		f->base_known = c->flow[from].syn_seen = true;
		f->wscale = tl_tcp_wscale_shift(o);
		tl_econn(c)->ws_scaling =
		    f->wscale >= 0 && r->wscale >= 0 && c->flow[TL_OTHER(from)].syn_seen;
	} else if (!f->base_known) {
		f->base = p->seq - 1;
		f->base_known = true;
	}
	if ((p->flags & TL_ACK) && !r->base_known) {
		r->base = p->ack - 1;
		r->base_known = true;
	}
	v->seq = p->seq - f->base;
	v->ack = (p->flags & TL_ACK) ? p->ack - r->base : 0;
	v->sack_base = r->base;
}

/* Payload past the highest seq the side reached, counted once however
 * often it was sent (what a capture without retransmissions would hold):
 * tcplife's bytes where the kernel did not say. */
static void unique_bytes(struct tl_conn *c, enum tl_side from, const struct tl_pkt_view *v)
{
	/* Relative seqs start at 1: the highest reached is one past the count. */
	__u32 high = (__u32)c->flow[from].unique_bytes + 1,
	      end = v->seq + !!(v->pkt->flags & TL_SYN) + v->pkt->payload_len;

	if (v->pkt->payload_len && (__s32)(end - high) > 0)
		c->flow[from].unique_bytes += end - high;
}

static void window(const struct tl_conn *c, enum tl_side from, const struct tl_packet *p,
		   struct tl_pkt_view *v)
{
	const struct tl_flow_track *f = &tl_econn(c)->track[from];

	v->win_scaled = p->window;
	if (!c->flow[from].syn_seen || !c->flow[TL_OTHER(from)].syn_seen)
		v->win_scale = -1;
	else if (!tl_econn(c)->ws_scaling)
		v->win_scale = -2;
	else
		v->win_scale = 1 << f->wscale;
	if (v->win_scale > 0 && !(p->flags & TL_SYN))
		v->win_scaled = (__u64)p->window << f->wscale;
}

static void close_bookkeeping(struct tl_engine *e, struct tl_conn *c, enum tl_side from,
			      const struct tl_packet *p, __u64 ts_ns)
{
	struct tl_flow_track *f = &tl_econn(c)->track[from],
			     *r = &tl_econn(c)->track[TL_OTHER(from)];
	bool had_fin = f->fin_seen;

	if (p->flags & TL_FIN) {
		if (!f->fin_seen && c->closed_by == TL_CLOSED_NONE)
			c->closed_by = from == TL_CLIENT ? TL_CLOSED_CLIENT : TL_CLOSED_SERVER;
		f->fin_seen = true;
		f->fin_end = p->seq + p->payload_len + 1;
	}
	if (p->flags & TL_RST && !(f->fin_acked && r->fin_acked) &&
	    c->closed_by != TL_CLOSED_RESET) {
		c->closed_by = TL_CLOSED_RESET;
		c->reset_by = from;
	}
	if ((p->flags & TL_ACK) && r->fin_seen && !r->fin_acked &&
	    tl_seq_after_eq(p->ack, r->fin_end)) {
		r->fin_acked = true;
		/* For a side without socket events (a capture file, another
		 * namespace, another host), the packets tell: a side that
		 * acknowledges the peer's FIN after an earlier FIN of its own is
		 * an active closer, and TCP puts it in TIME_WAIT. */
		if (!tl_econn(c)->state[from] && had_fin && c->closed_by != TL_CLOSED_RESET) {
			tl_econn(c)->tw_wait[from] = true;
			tl_econn(c)->tw_from[from] = f->fin_acked ? TL_FIN_WAIT2 : TL_CLOSING;
		}
		if (tl_econn(c)->tw_wait[from])
			tl_engine_tw_infer(e, c, from, ts_ns);
	}
}

/* Wireshark's labels for the segment, and the connection's counts of them. */
static void analyse(struct tl_conn *c, const struct tl_pkt_view *v, bool reused,
		    struct tl_analysis *out)
{
	struct tl_ana_input in = {.from = v->from,
				  .packet = v->number,
				  .frame = v->frame_no,
				  .ts_ns = v->ts_ns,
				  .pkt = v->pkt,
				  .opts = v->opts,
				  .reused_ports = reused};

	tl_analysis_segment(tl_econn(c)->ana, &in, out);
	c->retransmissions += !!(out->flags & TL_A_ANY_RETRANSMISSION);
	c->dup_acks += !!(out->flags & TL_A_DUPLICATE_ACK);
	c->zero_windows += !!(out->flags & TL_A_ZERO_WINDOW);
}

/* Wireshark's frame.number and tcp.stream: a capture's own, or live the
 * numbers the -w file gets (every reported segment is written, in order). */
static void number_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_event *ev,
			   struct tl_pkt_view *v)
{
	e->frames++;
	v->frame_no = ev->frame_no ? ev->frame_no : e->frames;
	if (!tl_econn(c)->has_stream) {
		tl_econn(c)->stream = ev->frame_no ? ev->stream : e->next_stream++;
		tl_econn(c)->has_stream = true;
	}
	v->stream = ev->frame_no ? ev->stream : tl_econn(c)->stream;
}

void tl_engine_packet(struct tl_engine *e, const struct tl_event *ev)
{
	const struct tl_packet *p = ev->pkt;
	struct tl_pkt_view v = {
	    .ts_ns = ev->ts_ns, .pkt = p, .frame = ev->frame, .frame_len = ev->frame_len};
	struct tl_tcp_opts opts;
	struct tl_analysis an;
	bool reused = false;
	struct tl_conn *c = conn_for_packet(e, p, ev->ts_ns, &v.from, &reused);

	if (!c)
		return;
	tl_tcp_options_parse(p->opts, p->opt_len, &opts);
	v.opts = &opts;
	if ((p->flags & (TL_SYN | TL_ACK)) == TL_SYN && v.from == TL_CLIENT) {
		tl_engine_match_connect(e, c);
		reused |= tl_engine_tw_syn(e, c, ev->ts_ns);
	} else if ((p->flags & (TL_SYN | TL_ACK)) == (TL_SYN | TL_ACK) && v.from == TL_SERVER) {
		tl_engine_tw_synack(e, c, ev->ts_ns);
	}
	number_segment(e, c, ev, &v);
	relative_numbers(c, v.from, p, &opts, &v);
	window(c, v.from, p, &v);
	c->flow[v.from].bytes += p->payload_len;
	unique_bytes(c, v.from, &v);
	c->flow[v.from].packets++;
	c->packets++;
	c->last_ns = ev->ts_ns;
	v.number = c->packets;
	if (!tl_econn(c)->ana)
		tl_econn(c)->ana = tl_analysis_new();
	if (tl_econn(c)->ana) {
		analyse(c, &v, reused, &an);
		v.analysis = &an;
	}
	if (e->sink.on_packet)
		e->sink.on_packet(e->sink.ctx, c, &v);
	tl_engine_kernel_segment(e, c, &v);
	tl_engine_http_segment(e, c, ev, &v);
	close_bookkeeping(e, c, v.from, p, ev->ts_ns);
	tl_engine_check_end(e, c);
}
