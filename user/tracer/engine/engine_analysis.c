/* Wireshark's TCP sequence analysis, rebuilt from its definitions (the
 * tcp_analyze_sequence_number of epan/dissectors/packet-tcp.c, 4.0, with
 * the default preferences) so that a segment gets the labels tshark gives
 * it. Its quirks are kept on purpose: the point is agreement with what a
 * student sees in Wireshark, including Linux's zero-window probes labelled
 * keep-alive. Numbers are raw and windows unscaled, as there; 0 means "not
 * seen yet" for nextseq, lastack and maxseqtobeacked, as there. */
#include "tracer/engine/engine_analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Wireshark keeps at most this many unacknowledged segments per side. */
#define ANA_MAX_UNACKED 10000
/* A retransmission this soon after the latest duplicate ACK is fast. */
#define ANA_FAST_RETRANS_NS 20000000ull
/* Out-of-order when within the handshake's RTT of the highest segment, or
 * this long without one. */
#define ANA_OOO_DEFAULT_NS 3000000ull
/* Bytes in flight past this are nonsense (a wrapped difference). */
#define ANA_BIF_MAX 2000000000u

#define CTRL (TL_SYN | TL_FIN | TL_RST)

const char *const tl_analysis_names[TL_A_COUNT] = {
    "retransmission",
    "fast_retransmission",
    "spurious_retransmission",
    "out_of_order",
    "lost_segment",
    "ack_lost_segment",
    "duplicate_ack",
    "zero_window",
    "zero_window_probe",
    "zero_window_probe_ack",
    "window_full",
    "window_update",
    "keep_alive",
    "keep_alive_ack",
    "reused_ports",
};

const char *const tl_analysis_labels[TL_A_COUNT] = {
    "TCP Retransmission",
    "TCP Fast Retransmission",
    "TCP Spurious Retransmission",
    "TCP Out-Of-Order",
    "TCP Previous segment not captured",
    "TCP ACKed unseen segment",
    "TCP Dup ACK",
    "TCP ZeroWindow",
    "TCP ZeroWindowProbe",
    "TCP ZeroWindowProbeAck",
    "TCP Window Full",
    "TCP Window Update",
    "TCP Keep-Alive",
    "TCP Keep-Alive ACK",
    "TCP Port numbers reused",
};

static bool seq_gt(__u32 a, __u32 b) { return (__s32)(b - a) < 0; }

static bool seq_lt(__u32 a, __u32 b) { return (__s32)(a - b) < 0; }

static bool seq_le(__u32 a, __u32 b) { return (__s32)(a - b) <= 0; }

/* The state of one segment's analysis. */
struct ana_seg {
	struct tl_ana_conn *a;
	struct tl_ana_flow *fwd, *rev;
	const struct tl_ana_input *in;
	__u32 seq, ack, len, window;
	__u16 flags;
	struct tl_analysis *out;
};

/* Zero window probe: one byte at the next expected seq into a zero window.
 * (Linux probes with no byte one below it: that is a keep-alive here.) */
static bool is_zero_window_probe(const struct ana_seg *s)
{
	return s->len == 1 && s->seq == s->fwd->nextseq && s->rev->window == 0;
}

/* Keep-alive: 0 or 1 byte, one below the next expected seq. */
static bool is_keep_alive(const struct ana_seg *s)
{
	return s->len <= 1 && s->seq == s->fwd->nextseq - 1 && !(s->flags & CTRL);
}

/* A pure ACK repeating this side's previous seq and ack. */
static bool repeats_ack(const struct ana_seg *s)
{
	return s->len == 0 && s->seq == s->fwd->nextseq && s->ack == s->fwd->lastack &&
	       !(s->flags & CTRL);
}

/* Window full: the segment reaches the right edge of the peer's window. */
static bool fills_window(const struct ana_seg *s)
{
	const struct tl_ana_flow *r = s->rev;
	int shift = r->is_first_ack || r->win_scale < 0 ? 0 : r->win_scale;

	return s->len > 0 && r->win_scale != -1 && !(s->flags & CTRL) &&
	       s->seq + s->len == r->lastack + (r->window << shift);
}

static void dup_ack(struct ana_seg *s)
{
	struct tl_ana_flow *f = s->fwd;

	f->dupacknum = f->dupacknum == -1 ? 1 : f->dupacknum + 1;
	s->out->flags |= TL_A_DUPLICATE_ACK;
	s->out->dup_ack_num = (__u32)f->dupacknum;
	s->out->dup_ack_of = f->lastnondupack;
	s->out->dup_ack_of_frame = f->lastnondupack_frame;
}

/* The window and ACK labels, up to Wireshark's "finished_fwd". */
static void window_and_ack(struct ana_seg *s)
{
	struct tl_ana_flow *f = s->fwd;
	__u32 *fl = &s->out->flags;

	if (is_zero_window_probe(s)) {
		*fl |= TL_A_ZERO_WINDOW_PROBE;
		return;
	}
	if (s->window == 0 && !(s->flags & CTRL))
		*fl |= TL_A_ZERO_WINDOW;
	if (f->nextseq && seq_gt(s->seq, f->nextseq) && !(s->flags & TL_RST)) {
		*fl |= TL_A_LOST_SEGMENT;
		f->valid_bif = false; /* until the peer ACKs again */
	}
	if (is_keep_alive(s))
		*fl |= TL_A_KEEP_ALIVE;
	if (repeats_ack(s) && s->window && s->window != f->window)
		*fl |= TL_A_WINDOW_UPDATE;
	if (fills_window(s))
		*fl |= TL_A_WINDOW_FULL;
	if (!repeats_ack(s) || s->window != f->window)
		return;
	if (s->window && (s->rev->lastflags & TL_A_KEEP_ALIVE)) {
		*fl |= TL_A_KEEP_ALIVE_ACK;
		return;
	}
	if (!s->window && (s->rev->lastflags & TL_A_ZERO_WINDOW_PROBE)) {
		*fl |= TL_A_ZERO_WINDOW_PROBE_ACK;
		return;
	}
	if (s->window)
		dup_ack(s);
}

/* ACKed unseen segment: the ACK goes past what the peer was seen sending.
 * maxseqtobeacked stops at a hole in the peer's sequence space; the first
 * ACK past it moves it up to the peer's nextseq, so later ACKs past the
 * same hole are not labelled. That is 4.0's test (LT_SEQ); Wireshark's
 * current source has a plain "greater than" there, which labels them. */
static void ack_lost(struct ana_seg *s)
{
	struct tl_ana_flow *r = s->rev;

	if (!r->maxseqtobeacked || !seq_gt(s->ack, r->maxseqtobeacked) || !(s->flags & TL_ACK))
		return;
	if (seq_lt(r->maxseqtobeacked, r->nextseq)) {
		r->maxseqtobeacked = r->nextseq;
		s->out->flags |= TL_A_ACK_LOST_SEGMENT;
		return;
	}
	/* Once per lost segment, even while the peer sends only ACKs. */
	if (r->dupacknum == 0)
		s->out->flags |= TL_A_ACK_LOST_SEGMENT;
	r->dupacknum = -1;
}

/* Retransmission, fast retransmission, spurious retransmission or
 * out-of-order: a segment with sequence space that does not advance. */
static void retransmission(struct ana_seg *s)
{
	struct tl_ana_flow *f = s->fwd, *r = s->rev;
	__u64 now = s->in->ts_ns;
	__u64 ooo_ns = s->a->first_rtt_ns ? s->a->first_rtt_ns : ANA_OOO_DEFAULT_NS;
	__u32 syn_fin = s->flags & (TL_SYN | TL_FIN) ? 1 : 0;
	bool not_advanced = f->nextseq && seq_lt(s->seq, f->nextseq);

	if (!(s->len > 0 || syn_fin) || (s->out->flags & TL_A_KEEP_ALIVE))
		return;
	/* New data right after what may have been a zero window probe. */
	if (s->len > 1 && f->nextseq - 1 == s->seq)
		not_advanced = false;
	if (s->len > 0 && r->lastack && seq_le(s->seq + s->len, r->lastack)) {
		s->out->flags |= TL_A_SPURIOUS_RETRANSMISSION;
		return;
	}
	/* Fast before out-of-order, as tshark's default preference
	 * tcp.fastrt_supersedes_ooo has it. */
	if (not_advanced && r->dupacknum >= 2 && r->lastack == s->seq &&
	    now - r->lastack_ns < ANA_FAST_RETRANS_NS) {
		s->out->flags |= TL_A_FAST_RETRANSMISSION;
		return;
	}
	if (not_advanced && now - f->nextseq_ns < ooo_ns &&
	    f->nextseq != s->seq + s->len + syn_fin) {
		s->out->flags |= TL_A_OUT_OF_ORDER;
		return;
	}
	if (not_advanced)
		s->out->flags |= TL_A_RETRANSMISSION;
}

static void remember_segment(struct ana_seg *s)
{
	struct tl_ana_flow *f = s->fwd;
	__u32 nextseq = s->seq + s->len;
	bool zwp = s->out->flags & TL_A_ZERO_WINDOW_PROBE;

	if ((s->len || (s->flags & (TL_SYN | TL_FIN))) && f->nsegs < ANA_MAX_UNACKED) {
		if (s->flags & (TL_SYN | TL_FIN))
			nextseq++;
		if (f->nsegs == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 16;
			struct tl_ana_seg *n = realloc(f->segs, cap * sizeof(*n));

			if (!n)
				goto positions; /* as if Wireshark's list were full */
			f->segs = n;
			f->cap = cap;
		}
		f->segs[f->nsegs++] = (struct tl_ana_seg){.seq = s->seq,
							  .nextseq = nextseq,
							  .packet = s->in->packet,
							  .ts_ns = s->in->ts_ns};
	}
positions:
	if ((seq_gt(nextseq, f->nextseq) || !f->nextseq) && !zwp) {
		f->nextseq = nextseq;
		f->nextseq_ns = s->in->ts_ns;
	}
	if ((s->seq == f->maxseqtobeacked || !f->maxseqtobeacked) && !zwp)
		f->maxseqtobeacked = f->nextseq;
	f->window = s->window;
	f->lastack = s->ack;
	f->lastack_ns = s->in->ts_ns;
	f->lastflags = s->out->flags;
}

/* Forgets the peer's segments this ACK covers; an exact match gives the
 * ACK's RTT (the oldest such segment's, as Wireshark walks newest first). */
static void acknowledge(struct ana_seg *s)
{
	struct tl_ana_flow *r = s->rev;
	size_t keep = 0;

	for (size_t i = r->nsegs; i-- > 0;) {
		struct tl_ana_seg *g = &r->segs[i];

		if (s->ack == g->nextseq) {
			s->out->acks_packet = g->packet;
			s->out->ack_rtt_ns = s->in->ts_ns - g->ts_ns;
			g->packet = 0;
		} else if (seq_gt(s->ack, g->seq) && seq_le(s->ack, g->nextseq)) {
			g->seq = s->ack;
		} else if (seq_gt(g->nextseq, s->ack)) {
			continue;
		} else {
			g->packet = 0;
		}
	}
	for (size_t i = 0; i < r->nsegs; i++)
		if (r->segs[i].packet)
			r->segs[keep++] = r->segs[i];
	r->nsegs = keep;
}

/* Bytes in flight after this segment: the span of this side's unacked
 * segments, less what the peer's latest SACK blocks cover. */
static void bytes_in_flight(struct ana_seg *s)
{
	struct tl_ana_flow *f = s->fwd, *r = s->rev;
	__u32 first, last, in_flight;

	if (!s->len || !f->nsegs || !f->valid_bif)
		return;
	first = f->segs[0].seq - f->base;
	last = f->segs[0].nextseq - f->base;
	for (size_t i = 1; i < f->nsegs; i++) {
		if (f->segs[i].nextseq - f->base > last)
			last = f->segs[i].nextseq - f->base;
		if (f->segs[i].seq - f->base < first)
			first = f->segs[i].seq - f->base;
	}
	in_flight = last - first;
	for (int i = 0; i < r->nsack; i++)
		in_flight -= r->sack_right[i] - r->sack_left[i];
	if (in_flight > 0 && in_flight < ANA_BIF_MAX)
		s->out->bytes_in_flight = in_flight - (s->flags & (TL_SYN | TL_FIN) ? 1 : 0);
}

/* Before the analysis: base numbers, and a SYN-ACK on a known flow. (A SYN
 * with a new ISN began a new connection in the engine: in->reused_ports.) */
static void flow_start(struct ana_seg *s)
{
	struct tl_ana_flow *f = s->fwd, *r = s->rev;

	if ((s->flags & TL_SYN) && (s->flags & TL_ACK) && f->base_set && s->seq != f->base)
		s->out->flags |= TL_A_REUSED_PORTS;
	if (s->in->reused_ports)
		s->out->flags |= TL_A_REUSED_PORTS;
	if (!f->base_set) {
		f->base = s->flags & TL_SYN ? s->seq : s->seq - 1;
		f->base_set = true;
	}
	if (!r->base_set && (s->flags & TL_ACK)) {
		r->base = s->ack - 1;
		r->base_set = true;
	}
	if (s->flags & TL_ACK)
		r->valid_bif = true;
}

/* After it: window scaling from the SYNs, the handshake's RTT, and the
 * SACK blocks the peer's bytes in flight will discount. */
static void flow_end(struct ana_seg *s)
{
	struct tl_ana_flow *f = s->fwd, *r = s->rev;
	const struct tl_tcp_opts *o = s->in->opts;

	if (s->flags & TL_SYN) {
		f->win_scale = tl_tcp_wscale_shift(o);
		if (f->win_scale == -1)
			f->win_scale = r->win_scale = -2;
		else if ((s->flags & TL_ACK) && r->win_scale == -2)
			f->win_scale = -2;
		if (!(s->flags & TL_ACK))
			s->a->mru_syn_ns = s->in->ts_ns;
		f->is_first_ack = true;
	}
	if ((s->flags & (TL_SYN | TL_ACK)) == TL_ACK) {
		if (s->a->mru_syn_ns && !s->a->first_rtt_ns)
			s->a->first_rtt_ns = s->in->ts_ns - s->a->mru_syn_ns;
		f->is_first_ack = false;
	}
	/* Only the latest segment's blocks count. */
	f->nsack = 0;
	for (int i = 0; i < o->nsack && i < TL_TCP_OPTS_MAX_SACK - 1; i++) {
		f->sack_left[f->nsack] = o->sack_left[i];
		f->sack_right[f->nsack++] = o->sack_right[i];
	}
}

void tl_analysis_segment(struct tl_ana_conn *a, const struct tl_ana_input *in,
			 struct tl_analysis *out)
{
	const struct tl_packet *p = in->pkt;
	struct ana_seg s = {.a = a,
			    .fwd = &a->flow[in->from],
			    .rev = &a->flow[1 - in->from],
			    .in = in,
			    .seq = p->seq,
			    .ack = p->ack,
			    .len = p->payload_len,
			    .window = p->window,
			    .flags = p->flags,
			    .out = out};

	memset(out, 0, sizeof(*out));
	flow_start(&s);
	window_and_ack(&s);
	/* A new ACK value ends a run of duplicates. */
	if (s.ack != s.fwd->lastack) {
		s.fwd->lastnondupack = in->packet;
		s.fwd->lastnondupack_frame = in->frame;
		s.fwd->dupacknum = 0;
	}
	ack_lost(&s);
	retransmission(&s);
	remember_segment(&s);
	acknowledge(&s);
	bytes_in_flight(&s);
	flow_end(&s);
}

struct tl_ana_conn *tl_analysis_new(void)
{
	struct tl_ana_conn *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	for (int i = 0; i < 2; i++) {
		a->flow[i].win_scale = -1;
		a->flow[i].valid_bif = true;
	}
	return a;
}

void tl_analysis_free(struct tl_ana_conn *a)
{
	if (!a)
		return;
	free(a->flow[0].segs);
	free(a->flow[1].segs);
	free(a);
}

void tl_analysis_trim(struct tl_ana_conn *a)
{
	for (int i = 0; a && i < 2; i++) {
		if (a->flow[i].nsegs)
			continue;
		free(a->flow[i].segs);
		a->flow[i].segs = NULL;
		a->flow[i].cap = 0;
	}
}

int tl_analysis_fields(__u32 flags, const char *names[TL_A_COUNT])
{
	int n = 0;

	if (flags & TL_A_ANY_RETRANSMISSION)
		flags |= TL_A_RETRANSMISSION;
	for (int i = 0; i < TL_A_COUNT; i++)
		if (flags & (1u << i))
			names[n++] = tl_analysis_names[i];
	return n;
}

/* Wireshark prepends each label to the Info column as it prints them, so
 * they read in the reverse of its printing order. */
static const enum tl_analysis_flag label_order[] = {
    TL_A_ZERO_WINDOW_PROBE_ACK,
    TL_A_ZERO_WINDOW,
    TL_A_ZERO_WINDOW_PROBE,
    TL_A_DUPLICATE_ACK,
    TL_A_KEEP_ALIVE_ACK,
    TL_A_KEEP_ALIVE,
    TL_A_WINDOW_FULL,
    TL_A_WINDOW_UPDATE,
    TL_A_ACK_LOST_SEGMENT,
    TL_A_LOST_SEGMENT,
    TL_A_REUSED_PORTS,
    TL_A_OUT_OF_ORDER,
    TL_A_SPURIOUS_RETRANSMISSION,
    TL_A_FAST_RETRANSMISSION,
    TL_A_RETRANSMISSION,
};

const char *tl_analysis_labels_str(const struct tl_analysis *an, bool frames, char *buf,
				   size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(label_order) / sizeof(label_order[0]); i++) {
		enum tl_analysis_flag fl = label_order[i];
		int n;

		if (!(an->flags & fl))
			continue;
		if (fl == TL_A_DUPLICATE_ACK)
			n = snprintf(buf + len, size - len, "[TCP Dup ACK %llu#%u] ",
				     frames ? (unsigned long long)an->dup_ack_of_frame
					    : (unsigned long long)an->dup_ack_of,
				     an->dup_ack_num);
		else
			n = snprintf(buf + len, size - len, "[%s] ",
				     tl_analysis_labels[__builtin_ctz(fl)]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	return buf;
}
