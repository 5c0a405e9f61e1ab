/* Telling the differences in plain words: a line per segment or HTTP
 * message that differs, a verdict per connection, and the run's count. */
#include <stdarg.h>
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

/* "client->server [FIN, ACK] seq 3938097681 ack 3741962044 len 0 win 512" */
static const char *seg_describe(const struct cmp_report *r, const void *item, char *buf,
				size_t size)
{
	const struct cmp_seg *s = item;
	char flags[64];

	snprintf(buf, size, "%s [%s] seq %u ack %u len %u win %u", dir_name(r->side),
		 tl_tcp_flags_str(s->flags, flags, sizeof(flags)), s->seq, s->ack, s->len, s->win);
	return buf;
}

static void seg_field(struct cmp_report *r, size_t index, const char *name, __u32 t, __u32 c)
{
	if (t != c)
		report_line(r, "segment %zu %s: trace has %s %u, capture has %u", index + 1,
			    dir_name(r->side), name, t, c);
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
static void seg_labels(struct cmp_report *r, size_t index, const struct cmp_seg *t,
		       const struct cmp_seg *c, __u32 mask)
{
	char tf[256], cf[256];

	if ((cmp_analysis_timed(t->analysis) ^ cmp_analysis_timed(c->analysis)) & mask)
		report_line(r, "segment %zu %s: trace has analysis [%s], capture has [%s]",
			    index + 1, dir_name(r->side), analysis_str(t->analysis, tf, sizeof(tf)),
			    analysis_str(c->analysis, cf, sizeof(cf)));
}

static void seg_different(struct cmp_report *r, size_t index, const void *tp, const void *cp)
{
	const struct cmp_seg *t = tp, *c = cp;
	char tf[256], cf[256];

	if (t->flags != c->flags)
		report_line(r, "segment %zu %s: trace has flags [%s], capture has [%s]", index + 1,
			    dir_name(r->side), tl_tcp_flags_str(t->flags, tf, sizeof(tf)),
			    tl_tcp_flags_str(c->flags, cf, sizeof(cf)));
	seg_field(r, index, "seq", t->seq, c->seq);
	seg_field(r, index, "ack", t->ack, c->ack);
	seg_field(r, index, "len", t->len, c->len);
	seg_field(r, index, "win", t->win, c->win);
	seg_labels(r, index, t, c, ~0u);
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

/* The labels of the segments both sides have, as far as they compare;
 * the ones met in another order counted. */
static void compare_labels(struct cmp_report *r, const struct cmp_conn *t, const struct cmp_conn *c)
{
	const struct vec *v = &t->segs[r->side];
	const struct vec *cv = &c->segs[cmp_peer_side(t, c, r->side)];

	for (size_t i = 0; i < v->n; i++) {
		const struct cmp_seg *seg = (const struct cmp_seg *)v->items + i;
		__u32 mask = cmp_labels_compared(t, c, r->side, seg);

		if (seg->place == CMP_MOVED)
			r->reordered++;
		if (mask)
			seg_labels(r, i, seg, vec_at(cv, seg->peer - 1, sizeof(*seg)), mask);
	}
}

void cmp_compare_pair(struct cmp_report *r, struct cmp_conn *t, struct cmp_conn *c)
{
	for (enum tl_side s = TL_CLIENT; s <= TL_SERVER; s++) {
		r->side = s;
		cmp_align(r, &t->segs[s], &c->segs[cmp_peer_side(t, c, s)], &seg_kind);
	}
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
