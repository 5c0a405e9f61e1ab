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

/* The same segment, with the same analysis. */
bool cmp_seg_agree(const void *a, const void *b)
{
	const struct cmp_seg *x = a, *y = b;

	return cmp_seg_eq(a, b) &&
	       cmp_analysis_timed(x->analysis) == cmp_analysis_timed(y->analysis);
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

/* How many items one list has before the two agree again, within
 * CMP_LOOKAHEAD; *in_trace tells which list. 0 when they do not. */
static size_t cmp_resync(const struct vec *tv, size_t i, const struct vec *cv, size_t j,
			 const struct cmp_kind *k, bool *in_trace)
{
	const void *t = vec_at(tv, i, k->size), *c = vec_at(cv, j, k->size);

	for (size_t d = 1; d <= CMP_LOOKAHEAD; d++) {
		const void *t2 = vec_at(tv, i + d, k->size), *c2 = vec_at(cv, j + d, k->size);

		*in_trace = true;
		if (t2 && k->eq(t2, c))
			return d;
		*in_trace = false;
		if (c2 && k->eq(t, c2))
			return d;
	}
	return 0;
}

/* Walks both lists in step. A mismatch is a run of items only one side has
 * when the lists agree again shortly after, else one item that differs. */
void cmp_align(struct cmp_report *r, const struct vec *tv, const struct vec *cv,
	       const struct cmp_kind *k)
{
	size_t i = 0, j = 0;

	while (i < tv->n || j < cv->n) {
		const void *t = vec_at(tv, i, k->size), *c = vec_at(cv, j, k->size);
		bool in_trace = !c;
		size_t run = 1;

		if (t && c && (k->eq(t, c) || !(run = cmp_resync(tv, i, cv, j, k, &in_trace)))) {
			if (!(k->agree ? k->agree : k->eq)(t, c))
				k->different(r, i, t, c);
			i++;
			j++;
			continue;
		}
		for (; run; run--) {
			if (in_trace)
				cmp_report_only(r, k, true, vec_at(tv, i++, k->size));
			else
				cmp_report_only(r, k, false, vec_at(cv, j++, k->size));
		}
	}
}
