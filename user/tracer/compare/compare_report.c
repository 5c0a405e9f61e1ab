/* Telling the differences in plain words: a line per segment or HTTP
 * message that differs, a verdict per connection, and the run's count. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/fmt.h"
#include "tracer/compare/compare_impl.h"
#include "tracer/proto/tcp_names.h"

static void report_line(struct cmp_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report_line(struct cmp_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->lines++ >= CMP_MAX_LINES)
		return;
	printf("%s: ", r->prefix);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *dir_name(enum tl_side s)
{
	return s == TL_CLIENT ? "client->server" : "server->client";
}

/* "client->server [FIN, ACK] seq 3938097681 ack 3741962044 len 0 win 512
 * (frame 12)" */
static const char *seg_describe(const struct cmp_report *r, const void *item, char *buf,
				size_t size)
{
	const struct cmp_seg *s = item;
	char flags[64];
	int n = snprintf(buf, size, "%s [%s] seq %u ack %u len %u win %u", dir_name(r->side),
			 tl_tcp_flags_str(s->flags, flags, sizeof(flags)), s->seq, s->ack, s->len,
			 s->win);

	if (s->frame && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " (frame %llu)", (unsigned long long)s->frame);
	return buf;
}

/* "segment 10 client->server (frame 160)": its number in its direction,
 * and the frame numbers Wireshark shows, one when both sides agree. */
static const char *seg_where(const struct cmp_report *r, size_t index, const struct cmp_seg *t,
			     const struct cmp_seg *c, char *buf, size_t size)
{
	int n = snprintf(buf, size, "segment %zu %s", index + 1, dir_name(r->side));

	if (n < 0 || (size_t)n >= size || (!t->frame && !c->frame))
		return buf;
	if (t->frame == c->frame)
		snprintf(buf + n, size - (size_t)n, " (frame %llu)", (unsigned long long)t->frame);
	else
		snprintf(buf + n, size - (size_t)n, " (trace frame %llu, capture frame %llu)",
			 (unsigned long long)t->frame, (unsigned long long)c->frame);
	return buf;
}

static void seg_field(struct cmp_report *r, const char *where, const char *name, __u32 t, __u32 c)
{
	if (t != c)
		report_line(r, "%s: trace has %s %u, capture has %u", where, name, t, c);
}

/* "retransmission,out_of_order", "" for none. */
static const char *analysis_str(__u32 bits, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int b = 0; b < TL_A_COUNT && len < size; b++)
		if (bits & (1u << b))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
						tl_analysis_names[b]);
	return buf;
}

/* The labels of two segments, as far as mask says they compare. */
static void seg_labels(struct cmp_report *r, const char *where, const struct cmp_seg *t,
		       const struct cmp_seg *c, __u32 mask)
{
	char tf[256], cf[256];

	if ((cmp_analysis_timed(t->analysis) ^ cmp_analysis_timed(c->analysis)) & mask)
		report_line(r, "%s: trace has analysis [%s], capture has [%s]", where,
			    analysis_str(t->analysis, tf, sizeof(tf)),
			    analysis_str(c->analysis, cf, sizeof(cf)));
}

static void seg_different(struct cmp_report *r, size_t index, const void *tp, const void *cp)
{
	const struct cmp_seg *t = tp, *c = cp;
	char tf[256], cf[256], where[96];

	seg_where(r, index, t, c, where, sizeof(where));
	if (t->flags != c->flags)
		report_line(r, "%s: trace has flags [%s], capture has [%s]", where,
			    tl_tcp_flags_str(t->flags, tf, sizeof(tf)),
			    tl_tcp_flags_str(c->flags, cf, sizeof(cf)));
	seg_field(r, where, "seq", t->seq, c->seq);
	seg_field(r, where, "ack", t->ack, c->ack);
	seg_field(r, where, "len", t->len, c->len);
	seg_field(r, where, "win", t->win, c->win);
	seg_labels(r, where, t, c, ~0u);
}

static void seg_matched(void *t, size_t c_index, enum cmp_place place)
{
	struct cmp_seg *seg = t;

	seg->peer = c_index + 1;
	seg->place = place;
}

static const char *http_describe(const struct cmp_report *r, const void *item, char *buf,
				 size_t size)
{
	(void)r;
	(void)buf;
	(void)size;
	return *(char *const *)item;
}

static void http_different(struct cmp_report *r, size_t index, const void *t, const void *c)
{
	report_line(r, "HTTP message %zu: trace has %s, capture has %s", index + 1,
		    *(char *const *)t, *(char *const *)c);
}

/* A segment only the trace has, which the trace says the kernel dropped
 * before the capture point: not a difference. Each drop excuses the one
 * segment it names, or each of those its GSO packet was reported as: it is
 * spent with the segment at its end. */
static bool seg_excused(struct cmp_report *r, const void *item)
{
	const struct cmp_seg *seg = item;
	struct vec *d = r->trace ? &r->trace->dropped[r->side] : NULL;

	for (size_t i = 0; d && i < d->n; i++) {
		struct cmp_seg *x = (struct cmp_seg *)d->items + i;

		if (!tl_drop_holds(x->seq, x->len, x->flags, seg->seq, seg->len, seg->flags))
			continue;
		if (seg->seq + seg->len == x->seq + x->len)
			*x = ((struct cmp_seg *)d->items)[--d->n];
		r->excused++;
		return true;
	}
	return false;
}

static const struct cmp_kind seg_kind = {
    .size = sizeof(struct cmp_seg),
    .noun = "a segment",
    .eq = cmp_seg_eq,
    .matched = seg_matched,
    .reorders = true,
    .excused = seg_excused,
    .describe = seg_describe,
    .different = seg_different,
};

static const struct cmp_kind http_kind = {
    .size = sizeof(char *),
    .noun = "an HTTP message",
    .eq = cmp_http_eq,
    .describe = http_describe,
    .different = http_different,
};

void cmp_report_only(struct cmp_report *r, const struct cmp_kind *k, bool in_trace,
		     const void *item)
{
	char buf[128];

	report_line(r, "the %s has %s the %s lacks: %s", in_trace ? "trace" : "capture", k->noun,
		    in_trace ? "capture" : "trace", k->describe(r, item, buf, sizeof(buf)));
}

/* The index + 1 in v of the segment numbered number in its connection
 * (numbers rise along v), 0 when v does not hold it. */
static size_t seg_numbered(const struct vec *v, __u32 number)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		__u32 n = ((const struct cmp_seg *)v->items)[mid].number;

		if (n == number)
			return mid + 1;
		if (n < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* "packet 45 (frame 181)"; "packet 3" when v has no such segment. */
static const char *packet_str(const struct vec *v, __u32 number, char *buf, size_t size)
{
	size_t i = seg_numbered(v, number);
	unsigned long long frame = i ? ((const struct cmp_seg *)v->items)[i - 1].frame : 0;

	if (frame)
		snprintf(buf, size, "packet %u (frame %llu)", number, frame);
	else
		snprintf(buf, size, "packet %u", number);
	return buf;
}

/* A Dup ACK's number, and the segment it repeats, one of its own
 * direction: each side numbers it in its own connection, so the two are
 * the same where the trace's is the capture's through the matching (a
 * segment only one side has, or met elsewhere, would shift the numbers:
 * not compared then). */
static void seg_dup_ack(struct cmp_report *r, const char *where, const struct cmp_conn *t,
			const struct cmp_conn *c, const struct cmp_seg *ts,
			const struct cmp_seg *cs)
{
	const struct vec *tv = &t->segs[r->side], *cv = &c->segs[cmp_peer_side(t, c, r->side)];
	size_t tof = seg_numbered(tv, ts->dup_of), cof = seg_numbered(cv, cs->dup_of);
	const struct cmp_seg *rep = tof ? vec_at(tv, tof - 1, sizeof(*rep)) : NULL;
	char tb[64], cb[64];

	seg_field(r, where, "dup_ack_num", ts->dup_num, cs->dup_num);
	if (!rep || (rep->peer && rep->place == CMP_IN_PLACE && rep->peer != cof))
		report_line(r, "%s: trace's Dup ACK repeats its %s, capture's its %s", where,
			    packet_str(tv, ts->dup_of, tb, sizeof(tb)),
			    packet_str(cv, cs->dup_of, cb, sizeof(cb)));
}

/* Wireshark's values where the labels compare: a Dup ACK's with its label;
 * bytes in flight and the ACK RTT only where every label does (they read
 * both directions), and in no connection where the trace excuses a drop
 * (the trace's analysis has the dropped copy too: its RTT and what was in
 * flight may be from it, anywhere after it). */
static void seg_values(struct cmp_report *r, const char *where, const struct cmp_conn *t,
		       const struct cmp_conn *c, const struct cmp_seg *ts, const struct cmp_seg *cs,
		       __u32 mask)
{
	__u64 d = ts->rtt_ns > cs->rtt_ns ? ts->rtt_ns - cs->rtt_ns : cs->rtt_ns - ts->rtt_ns;

	if (mask & ts->analysis & cs->analysis & TL_A_DUPLICATE_ACK)
		seg_dup_ack(r, where, t, c, ts, cs);
	if (mask != ~0u || r->excused)
		return;
	seg_field(r, where, "bytes_in_flight", ts->bif, cs->bif);
	if (ts->has_rtt != cs->has_rtt)
		report_line(r, "%s: %s has an ACK RTT, %s has none", where,
			    ts->has_rtt ? "trace" : "capture", ts->has_rtt ? "capture" : "trace");
	else if (ts->has_rtt && d > r->rtt_slack_ns)
		report_line(r,
			    "%s: trace has ack_rtt %.6f ms, capture has %.6f ms (more apart "
			    "than %.6f ms)",
			    where, ts->rtt_ns / 1e6, cs->rtt_ns / 1e6, r->rtt_slack_ns / 1e6);
}

/* An ACK RTT is the time from a segment to its ACK; each side stamps both
 * where it saw them. Each segment's capture stamp is its trace stamp plus
 * its delay from the hook to the capture point (tens of us through the
 * CPUs' backlogs, the queueing too behind a qdisc) plus any offset between
 * the two clocks: the two RTTs differ by the difference of two such
 * delays, at most their spread over the connection's segments both sides
 * have. 0.1 ms more for the trace's microsecond stamps and what the spread
 * of a few segments does not show (an RTT that is off by more is from
 * another segment, or not the one computed). */
#define CMP_RTT_SLACK_NS 100000ull

static __u64 rtt_slack(const struct cmp_conn *t, const struct cmp_conn *c)
{
	__s64 lo = INT64_MAX, hi = INT64_MIN;

	for (enum tl_side s = TL_CLIENT; s <= TL_SERVER; s++) {
		const struct vec *v = &t->segs[s], *cv = &c->segs[cmp_peer_side(t, c, s)];

		for (size_t i = 0; i < v->n; i++) {
			const struct cmp_seg *x = (const struct cmp_seg *)v->items + i;
			const struct cmp_seg *y =
			    x->peer ? vec_at(cv, x->peer - 1, sizeof(*y)) : NULL;
			__s64 d = y ? (__s64)(y->ts_ns - x->ts_ns) : 0;

			if (!y)
				continue;
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
	}
	return CMP_RTT_SLACK_NS + (hi > lo ? (__u64)(hi - lo) : 0);
}

/* The labels and values of the segments both sides have, as far as they
 * compare; the ones met in another order counted. */
static void compare_labels(struct cmp_report *r, const struct cmp_conn *t, const struct cmp_conn *c)
{
	const struct vec *v = &t->segs[r->side];
	const struct vec *cv = &c->segs[cmp_peer_side(t, c, r->side)];

	for (size_t i = 0; i < v->n; i++) {
		const struct cmp_seg *seg = (const struct cmp_seg *)v->items + i;
		__u32 mask = cmp_labels_compared(t, c, r->side, seg);
		const struct cmp_seg *cs;
		char where[96];

		if (seg->place == CMP_MOVED)
			r->reordered++;
		if (!mask)
			continue;
		cs = vec_at(cv, seg->peer - 1, sizeof(*cs));
		seg_where(r, i, seg, cs, where, sizeof(where));
		seg_labels(r, where, seg, cs, mask);
		seg_values(r, where, t, c, seg, cs, mask);
	}
}

void cmp_compare_pair(struct cmp_report *r, struct cmp_conn *t, struct cmp_conn *c)
{
	for (enum tl_side s = TL_CLIENT; s <= TL_SERVER; s++) {
		r->side = s;
		cmp_align(r, &t->segs[s], &c->segs[cmp_peer_side(t, c, s)], &seg_kind);
	}
	r->rtt_slack_ns = rtt_slack(t, c);
	for (enum tl_side s = TL_CLIENT; s <= TL_SERVER; s++) {
		r->side = s;
		compare_labels(r, t, c);
	}
	cmp_align(r, &t->http, &c->http, &http_kind);
}

/* "agree (56 segments, 2 HTTP messages; 9 segments dropped in the kernel
 * before the capture point; 2 segments in a different order)" */
static void report_agree(const struct cmp_report *r, const struct cmp_conn *conn, size_t nsegs)
{
	printf("%s: agree (%zu segment%s, %zu HTTP message%s", r->prefix, nsegs, tl_plural(nsegs),
	       conn->http.n, tl_plural(conn->http.n));
	if (r->excused)
		printf("; %u segment%s dropped in the kernel before the capture point", r->excused,
		       tl_plural(r->excused));
	if (r->reordered)
		printf("; %u segment%s in a different order", r->reordered,
		       tl_plural(r->reordered));
	puts(")");
}

/* Prints a connection's lines; returns whether both sides agree on it, and
 * adds its segments met in a different order to *reordered. */
static bool report_conn(struct cmp_conn *conn, bool in_trace, unsigned *reordered)
{
	size_t nsegs = conn->segs[TL_CLIENT].n + conn->segs[TL_SERVER].n;
	char client[TL_ENDPOINT_STRLEN], server[TL_ENDPOINT_STRLEN];
	struct cmp_report r = {0};

	snprintf(r.prefix, sizeof(r.prefix), "%sconn %llu %s -> %s", in_trace ? "" : "capture ",
		 (unsigned long long)conn->id, tl_endpoint_str(&conn->ep[TL_CLIENT], client),
		 tl_endpoint_str(&conn->ep[TL_SERVER], server));
	if (!conn->peer) {
		report_line(&r, "only in the %s (%zu segment%s, %zu HTTP message%s)",
			    in_trace ? "trace" : "capture", nsegs, tl_plural(nsegs), conn->http.n,
			    tl_plural(conn->http.n));
		return false;
	}
	r.trace = in_trace ? conn : NULL;
	cmp_compare_pair(&r, conn, conn->peer);
	*reordered += r.reordered;
	if (!r.lines)
		report_agree(&r, conn, nsegs);
	else if (r.lines > CMP_MAX_LINES)
		printf("%s: %u more difference%s not shown\n", r.prefix, r.lines - CMP_MAX_LINES,
		       tl_plural(r.lines - CMP_MAX_LINES));
	return !r.lines;
}

int cmp_report(const struct cmp_run *run)
{
	unsigned agree = 0, differ = 0, reordered = 0;

	for (size_t i = 0; i < run->trace.conns.n; i++) {
		if (report_conn(cmp_conn_at(&run->trace, i), true, &reordered))
			agree++;
		else
			differ++;
	}
	for (size_t i = 0; i < run->capture.conns.n; i++) {
		if (!cmp_conn_at(&run->capture, i)->peer) {
			report_conn(cmp_conn_at(&run->capture, i), false, &reordered);
			differ++;
		}
	}
	if (reordered)
		printf("%u segment%s in a different order (the hook sees a segment before the "
		       "qdisc and the CPUs' backlogs, a capture after them)\n",
		       reordered, tl_plural(reordered));
	printf("%u connection%s: %u agree, %u differ\n", agree + differ,
	       agree + differ == 1 ? "" : "s", agree, differ);
	puts(differ ? "DIFFER" : "AGREE");
	return differ ? 1 : 0;
}
