/* Lining up the two sides: which capture connection is a trace
 * connection's, and, within a pair, which items are the same, which one
 * side lacks, and which differ. */
#include <stdbool.h>
#include <string.h>

#include "tracer/compare/compare_impl.h"

/* Out-of-order or retransmission: Wireshark tells them apart by comparing
 * the time since the highest segment with the handshake's RTT. On loopback
 * both are tens of microseconds, and the TC hook stamps a segment up to
 * 20 us before a capture does: a trace and a capture of the same segment
 * may fall on either side, so the two are one here. */
__u32 cmp_analysis_timed(__u32 a)
{
	const __u32 either = TL_A_OUT_OF_ORDER | TL_A_RETRANSMISSION;

	return a & either ? a | either : a;
}

bool cmp_seg_eq(const void *a, const void *b)
{
	const struct cmp_seg *x = a, *y = b;

	return x->seq == y->seq && x->ack == y->ack && x->len == y->len && x->flags == y->flags &&
	       x->win == y->win;
}

bool cmp_http_eq(const void *a, const void *b)
{
	return !strcmp(*(char *const *)a, *(char *const *)b);
}

enum tl_side cmp_peer_side(const struct cmp_conn *t, const struct cmp_conn *c, enum tl_side s)
{
	return tl_endpoint_eq(&t->ep[s], &c->ep[s]) ? s : TL_OTHER(s);
}

static bool same_tuple(const struct cmp_conn *t, const struct cmp_conn *c)
{
	const struct tl_endpoint *cc = &c->ep[cmp_peer_side(t, c, TL_CLIENT)];
	const struct tl_endpoint *cs = &c->ep[cmp_peer_side(t, c, TL_SERVER)];

	return cc != cs && tl_endpoint_eq(&t->ep[TL_CLIENT], cc) &&
	       tl_endpoint_eq(&t->ep[TL_SERVER], cs);
}

/* Whether c holds the first segment t's client (else server) sent. */
static bool holds_first_seg(const struct cmp_conn *t, const struct cmp_conn *c)
{
	enum tl_side s = t->segs[TL_CLIENT].n ? TL_CLIENT : TL_SERVER;
	const struct vec *v = &c->segs[cmp_peer_side(t, c, s)];

	if (!t->segs[s].n)
		return false;
	for (size_t i = 0; i < v->n; i++)
		if (cmp_seg_eq(t->segs[s].items, vec_at(v, i, sizeof(struct cmp_seg))))
			return true;
	return false;
}

/* First pass: a capture conn holding the trace conn's first segment, so
 * that a capture begun earlier (an older life of the tuple) does not steal
 * the pairing. Second pass: the tuple's next unpaired conn, in order. */
void cmp_pair_conns(struct cmp_side *trace, struct cmp_side *capture)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < trace->conns.n; i++) {
			struct cmp_conn *t = cmp_conn_at(trace, i);

			for (size_t j = 0; !t->peer && j < capture->conns.n; j++) {
				struct cmp_conn *c = cmp_conn_at(capture, j);

				if (c->peer || !same_tuple(t, c) ||
				    (!pass && !holds_first_seg(t, c)))
					continue;
				t->peer = c;
				c->peer = t;
			}
		}
	}
}

/* Both lists' walk. An item met out of step (a segment the other side
 * has a few places on) is matched at once and marked there, in ahead:
 * bit d is the item d places past at[side]. */
struct cmp_walk {
	struct vec *v[2]; /* CMP_TRACE, CMP_CAPTURE */
	size_t at[2];
	__u64 ahead[2];
	bool closed; /* a reorder closed since the last item in step */
};

enum { CMP_TRACE, CMP_CAPTURE };

static bool taken(const struct cmp_walk *w, int side, size_t d)
{
	return d < 64 && (w->ahead[side] >> d & 1);
}

static const void *item(const struct cmp_walk *w, int side, size_t d, const struct cmp_kind *k)
{
	return vec_at(w->v[side], w->at[side] + d, k->size);
}

/* The trace's item d places on is the capture's e places on. */
static void matched(struct cmp_walk *w, size_t d, size_t e, enum cmp_place place,
		    const struct cmp_kind *k)
{
	const struct vec *tv = w->v[CMP_TRACE];

	if (k->matched)
		k->matched((char *)tv->items + (w->at[CMP_TRACE] + d) * k->size,
			   w->at[CMP_CAPTURE] + e, place);
}

static void step(struct cmp_walk *w, int side)
{
	w->at[side]++;
	w->ahead[side] >>= 1;
}

/* Past an item matched out of step: this may close the reorder. */
static void pass(struct cmp_walk *w, int side)
{
	w->closed = true;
	step(w, side);
}

/* How many items one list has before the two agree again, within
 * CMP_LOOKAHEAD; *in_trace tells which list. 0 when they do not. Items
 * already matched out of step agree with nothing here. */
static size_t cmp_resync(const struct cmp_walk *w, const struct cmp_kind *k, bool *in_trace)
{
	const void *t = item(w, CMP_TRACE, 0, k), *c = item(w, CMP_CAPTURE, 0, k);

	for (size_t d = 1; d <= CMP_LOOKAHEAD; d++) {
		const void *t2 = item(w, CMP_TRACE, d, k), *c2 = item(w, CMP_CAPTURE, d, k);

		*in_trace = true;
		if (t2 && !taken(w, CMP_TRACE, d) && k->eq(t2, c))
			return d;
		*in_trace = false;
		if (c2 && !taken(w, CMP_CAPTURE, d) && k->eq(t, c2))
			return d;
	}
	return 0;
}

/* The item at one side's place that the other side seemed to lack:
 * the same item a few places off, if the other side has it within
 * CMP_REORDER places of where the walk is there. */
static bool reordered(struct cmp_walk *w, int side, const struct cmp_kind *k)
{
	const void *x = item(w, side, 0, k);
	int other = !side;

	for (size_t e = 0; k->reorders && e <= CMP_REORDER; e++) {
		const void *y = item(w, other, e, k);

		if (y && !taken(w, other, e) && k->eq(x, y)) {
			w->ahead[other] |= 1ull << e;
			matched(w, side == CMP_TRACE ? 0 : e, side == CMP_TRACE ? e : 0, CMP_MOVED,
				k);
			return true;
		}
	}
	return false;
}

/* An item the other side lacks at its place: a drop the trace excuses,
 * the same item a few places off, or a difference. */
static void only_one_side(struct cmp_report *r, struct cmp_walk *w, int side,
			  const struct cmp_kind *k)
{
	const void *x = item(w, side, 0, k);
	bool in_trace = side == CMP_TRACE;

	if (!(in_trace && k->excused && k->excused(r, x)) && !reordered(w, side, k))
		cmp_report_only(r, k, in_trace, x);
	step(w, side);
}

/* Two items in step: the same one, or one that differs. While a reorder
 * is open (an item matched out of step that one walk has passed and the
 * other has not), the two sides had other items before this one; right
 * after one closed, the same ones but maybe not the same previous one. */
static void in_step(struct cmp_report *r, struct cmp_walk *w, const struct cmp_kind *k)
{
	const void *t = item(w, CMP_TRACE, 0, k), *c = item(w, CMP_CAPTURE, 0, k);
	bool open = w->ahead[CMP_TRACE] | w->ahead[CMP_CAPTURE];

	if (k->eq(t, c))
		matched(w, 0, 0, open ? CMP_MOVED : w->closed ? CMP_AFTER_MOVED : CMP_IN_PLACE, k);
	else
		k->different(r, w->at[CMP_TRACE], t, c);
	w->closed = open;
	step(w, CMP_TRACE);
	step(w, CMP_CAPTURE);
}

/* Walks both lists in step. A mismatch is a run of items only one side has
 * when the lists agree again shortly after, else one item that differs.
 * An item of such a run that the other side has within CMP_REORDER places
 * is the same item, met in another order: the hook sees a segment before
 * the qdisc and the CPUs' backlogs, a capture after them, so two segments
 * of one direction can reach a capture in the other order. */
void cmp_align(struct cmp_report *r, struct vec *tv, struct vec *cv, const struct cmp_kind *k)
{
	struct cmp_walk w = {.v = {tv, cv}};

	while (w.at[CMP_TRACE] < tv->n || w.at[CMP_CAPTURE] < cv->n) {
		const void *t = item(&w, CMP_TRACE, 0, k), *c = item(&w, CMP_CAPTURE, 0, k);
		bool in_trace = !c;
		size_t run = 1;

		if (taken(&w, CMP_TRACE, 0) || taken(&w, CMP_CAPTURE, 0)) {
			pass(&w, taken(&w, CMP_TRACE, 0) ? CMP_TRACE : CMP_CAPTURE);
			continue;
		}
		if (t && c && (k->eq(t, c) || !(run = cmp_resync(&w, k, &in_trace)))) {
			in_step(r, &w, k);
			continue;
		}
		for (; run; run--) {
			int side = in_trace ? CMP_TRACE : CMP_CAPTURE;

			if (taken(&w, side, 0))
				pass(&w, side);
			else
				only_one_side(r, &w, side, k);
		}
	}
}

/* The labels Wireshark gives a segment from its own direction's segments
 * alone: the highest seq reached (retransmission, out-of-order, previous
 * segment not captured), the previous segment's seq, ack and window
 * (keep-alive, window update), its own window and SYN. The others read the
 * other direction's latest segment: its ack and window (window full,
 * spurious and fast retransmission, zero window probe), its labels
 * (keep-alive ACK and zero window probe ACK, which a duplicate ACK
 * yields to), what it acknowledged (ACKed unseen segment). */
#define CMP_A_OWN_DIRECTION                                                                        \
	(TL_A_RETRANSMISSION | TL_A_OUT_OF_ORDER | TL_A_LOST_SEGMENT | TL_A_ZERO_WINDOW |          \
	 TL_A_WINDOW_UPDATE | TL_A_KEEP_ALIVE | TL_A_REUSED_PORTS)

/* The labels are compared where both sides had the same segments before:
 * all of them when the segment was met in place in its direction and the
 * other direction's latest segment before it is the same one on both
 * sides (or none on either), in place too; those of its own direction when
 * only that latest segment differs, which is common: the hook sees a
 * segment before a qdisc holds it, and the capture's copies of the two
 * ends' segments wait apart on the CPUs' backlogs; none when the segment
 * was moved in its direction (see cmp_align), or is the first after that. */
__u32 cmp_labels_compared(const struct cmp_conn *t, const struct cmp_conn *c, enum tl_side s,
			  const struct cmp_seg *seg)
{
	const struct cmp_seg *cs =
	    vec_at(&c->segs[cmp_peer_side(t, c, s)], seg->peer - 1, sizeof(*cs));
	const struct cmp_seg *latest =
	    vec_at(&t->segs[TL_OTHER(s)], seg->other_before - 1, sizeof(*latest));

	if (!cs || seg->place != CMP_IN_PLACE)
		return 0;
	if (latest ? latest->place == CMP_IN_PLACE && latest->peer == cs->other_before
		   : !cs->other_before)
		return ~0u;
	return CMP_A_OWN_DIRECTION;
}
