/* compare's walk over a connection's segments: a segment both sides have
 * a few places apart in its direction is the same segment (a reorder
 * between the hook and the capture), no difference, and counted with the
 * segments it passed; Wireshark's labels are not compared where they rest
 * on an order that differs, and still are everywhere else; a segment
 * further off, missing or extra still differs. In a row, letters are the
 * server's segments (A: seq 1000, B: 1100, ...; len 100), digits the
 * client's ACKs (ack 1000 + 100 times the digit), lower-case letters after
 * one its labels as that side's analysis gave them (l lost_segment, r
 * retransmission, k keep_alive, w window_full, d duplicate_ack); drops are
 * the trace's drop events before the capture point. Then Wireshark's values
 * (a Dup ACK's number and the segment it repeats, bytes in flight, the ACK
 * RTT): compared where the labels are, the RTT within the hook-to-capture
 * delays' spread and 0.1 ms. */
#include <stdlib.h>
#include <string.h>

#include "tracer/compare/compare_impl.h"
#include "unit.h"

static const struct {
	int line;
	const char *trace, *capture, *drops;
	unsigned lines, reordered, excused;
} rows[] = {
    {__LINE__, "A B C D", "A B C D", "", 0, 0, 0},
    /* Swapped: the capture labels the first previous-segment-not-captured,
     * the second a retransmission; the trace neither. */
    {__LINE__, "A B C D", "A Cl Br D", "", 0, 2, 0},
    {__LINE__, "A Cl Br D", "A B C D", "", 0, 2, 0},
    {__LINE__, "A B C D E F", "A Cl D E Br F", "", 0, 4, 0},
    {__LINE__, "A B C D E F", "A Cl Br El Dr F", "", 0, 4, 0},
    /* CMP_REORDER (8) places off, then one more: a difference, as before. */
    {__LINE__, "A B C D E F G H I J K L", "A Cl D E F G H I J Br K L", "", 0, 9, 0},
    {__LINE__, "A B C D E F G H I J K L", "A Cl D E F G H I J K Br L", "", 3, 0, 0},
    /* While a reorder is open, labels are not compared (C and D came
     * after B in the trace, before it in the capture); nor on the first
     * segment after it, whose previous segment differs (B, D); from the
     * second on they are. */
    {__LINE__, "A B C D E", "A Cl Dw Br E", "", 0, 3, 0},
    {__LINE__, "A B C D E", "A Cl Br Dk E", "", 0, 2, 0},
    {__LINE__, "A B C D E", "A Cl Br D Ek", "", 1, 2, 0},
    {__LINE__, "A B C D E F G", "A Cl Br D E Fw G", "", 1, 2, 0},
    {__LINE__, "Aw B C D", "A Cl Br D", "", 1, 2, 0},
    /* Missing, extra: still differences, beside a reorder too. */
    {__LINE__, "A B C", "A C", "", 1, 0, 0},
    {__LINE__, "A B C", "A B X C", "", 1, 0, 0},
    {__LINE__, "A B C D", "A Dl Cr", "", 1, 2, 0},
    /* The qdisc dropped B; TCP sent it again (Br), then C and D reached
     * the capture in the other order. */
    {__LINE__, "A B Br C D E", "A B Dl Cr E", "B", 0, 2, 1},
    /* A segment the trace says was dropped is that, not a reorder, and the
     * labels it changed are a difference. */
    {__LINE__, "A B C Br D", "A Cl Br D", "B", 1, 0, 1},
    /* The directions interleaved otherwise: B's latest ACK is 1 in the
     * trace, 2 in the capture, and 2's latest segment B, then A. Labels
     * that read the other direction are not compared on them, those of
     * their own direction are; with the same latest, all are. */
    {__LINE__, "A 1 Bw 2 C", "A 1 2 B C", "", 0, 0, 0},
    {__LINE__, "1 Aw B", "A 1 B", "", 0, 0, 0},
    {__LINE__, "A 1 Bl 2 C", "A 1 2 B C", "", 1, 0, 0},
    {__LINE__, "A 1 B 2k C", "A 1 2 B C", "", 1, 0, 0},
    {__LINE__, "A 1 Bw 2 C", "A 1 B 2 C", "", 1, 0, 0},
    {__LINE__, "A 1 B 2 C 3 D", "A 1 2 B C 3 Dw", "", 1, 0, 0},
    /* The latest ACK is the same, but the segments of its direction before
     * it are not (2 and 3 swapped): only D's own labels compare. */
    {__LINE__, "A 1 2 3 B C 4 D", "A 1 3 2 B C 4 Dw", "", 0, 2, 0},
};

static const struct {
	char c;
	__u32 bit;
} label_bits[] = {
    {'l', TL_A_LOST_SEGMENT}, {'r', TL_A_RETRANSMISSION}, {'k', TL_A_KEEP_ALIVE},
    {'w', TL_A_WINDOW_FULL},  {'d', TL_A_DUPLICATE_ACK},
};

/* "A 1 Bl" into the connection's two directions; returns 0, or -1 for a
 * word it cannot read. */
static int conn_parse(const char *text, struct cmp_conn *c)
{
	for (const char *p = text; *p;) {
		bool server = *p >= 'A' && *p <= 'Z';
		enum tl_side from = server ? TL_SERVER : TL_CLIENT;
		struct cmp_seg *s;

		if (*p == ' ') {
			p++;
			continue;
		}
		if ((!server && (*p < '0' || *p > '9')) ||
		    !(s = vec_push(&c->segs[from], sizeof(*s))))
			return -1;
		*s = (struct cmp_seg){.seq = server ? 1000 + 100 * (__u32)(*p - 'A') : 1,
				      .ack = server ? 1 : 1000 + 100 * (__u32)(*p - '0'),
				      .len = server ? 100 : 0,
				      .flags = TL_ACK,
				      .win = 512,
				      .other_before = c->segs[TL_OTHER(from)].n,
				      .number =
					  (__u32)(c->segs[TL_CLIENT].n + c->segs[TL_SERVER].n)};
		for (p++; *p && *p != ' '; p++) {
			size_t i = 0;

			while (i < sizeof(label_bits) / sizeof(label_bits[0]) &&
			       label_bits[i].c != *p)
				i++;
			if (i == sizeof(label_bits) / sizeof(label_bits[0]))
				return -1;
			s->analysis |= label_bits[i].bit;
		}
	}
	return 0;
}

static void conn_free(struct cmp_conn *c)
{
	free(c->segs[TL_CLIENT].items);
	free(c->segs[TL_SERVER].items);
	free(c->dropped[TL_SERVER].items);
}

/* The values both sides give by default: each side's segments seen 10 us
 * apart, the capture's 20 us after the trace's; a server segment 100 bytes
 * in flight; a client ACK with an RTT of 50 us; a Dup ACK (d) the first of
 * its run, repeating its direction's previous segment. */
static void conn_values(struct cmp_conn *c, __u64 delay_ns)
{
	for (enum tl_side s = TL_CLIENT; s <= TL_SERVER; s++) {
		__u32 last = 0;

		for (size_t i = 0; i < c->segs[s].n; i++) {
			struct cmp_seg *g = (struct cmp_seg *)c->segs[s].items + i;

			g->frame = g->number;
			g->ts_ns = g->number * 10000ull + delay_ns;
			g->bif = s == TL_SERVER ? 100 : 0;
			g->has_rtt = s == TL_CLIENT;
			g->rtt_ns = g->has_rtt ? 50000 : 0;
			if (g->analysis & TL_A_DUPLICATE_ACK) {
				g->dup_num = 1;
				g->dup_of = last;
			} else {
				last = g->number;
			}
		}
	}
}

enum tweak { NONE, DUP_NUM, DUP_OF, BIF, RTT_NS, NO_RTT, TS_NS };

/* One value of the trace's segment at (side, index) changed, twice at most:
 * how many differences compare tells. */
static const struct {
	int line;
	const char *trace, *capture, *drops;
	struct {
		enum tweak what;
		int side, index;
		__u64 value;
	} tweak[2];
	unsigned lines;
} value_rows[] = {
    {__LINE__, "A 1 B 2 2d C", "A 1 B 2 2d C", "", {{NONE}}, 0},
    {__LINE__, "A 1 B 2 2d C", "A 1 B 2 2d C", "", {{DUP_NUM, TL_CLIENT, 2, 2}}, 1},
    /* The number of a segment of the other direction (B), of another
     * segment of its own (1): not the one the capture's repeats. */
    {__LINE__, "A 1 B 2 2d C", "A 1 B 2 2d C", "", {{DUP_OF, TL_CLIENT, 2, 3}}, 1},
    {__LINE__, "A 1 B 2 2d C", "A 1 B 2 2d C", "", {{DUP_OF, TL_CLIENT, 2, 2}}, 1},
    {__LINE__, "A 1 B 2 C", "A 1 B 2 C", "", {{BIF, TL_SERVER, 1, 1}}, 1},
    {__LINE__, "A 1 B 2 C", "A 1 B 2 C", "", {{NO_RTT, TL_CLIENT, 1, 0}}, 1},
    /* 99 ms for 50 us; 130 us: within 0.1 ms; 200 us: not. */
    {__LINE__, "A 1 B 2 C", "A 1 B 2 C", "", {{RTT_NS, TL_CLIENT, 1, 99000000}}, 1},
    {__LINE__, "A 1 B 2 C", "A 1 B 2 C", "", {{RTT_NS, TL_CLIENT, 1, 130000}}, 0},
    {__LINE__, "A 1 B 2 C", "A 1 B 2 C", "", {{RTT_NS, TL_CLIENT, 1, 200000}}, 1},
    /* B waited 300 us longer on its way to the capture (a qdisc): the
     * RTTs may differ that much more. */
    {__LINE__,
     "A 1 B 2 C",
     "A 1 B 2 C",
     "",
     {{TS_NS, TL_SERVER, 1, 0}, {RTT_NS, TL_CLIENT, 1, 350000}},
     0},
    /* Where labels are not compared, nor are the values: a reorder... */
    {__LINE__, "A 1 B C 2 D", "A 1 C B 2 D", "", {{BIF, TL_SERVER, 1, 1}}, 0},
    /* ...and beside a qdisc drop the trace's analysis has, the values read
     * from both directions: its RTTs may be from the dropped copy. */
    {__LINE__, "A 1 B B 2 C 3", "A 1 B 2 C 3", "B", {{RTT_NS, TL_CLIENT, 2, 99000000}}, 0},
    {__LINE__, "A 1 B B 2 C 3 3d", "A 1 B 2 C 3 3d", "B", {{DUP_NUM, TL_CLIENT, 3, 3}}, 1},
};

static void tweak(struct cmp_conn *c, enum tweak what, int side, int index, __u64 value)
{
	struct cmp_seg *g =
	    what ? (struct cmp_seg *)vec_at(&c->segs[side], (size_t)index, sizeof(*g)) : NULL;

	if (!g)
		return;
	if (what == DUP_NUM)
		g->dup_num = (__u32)value;
	else if (what == DUP_OF)
		g->dup_of = (__u32)value;
	else if (what == BIF)
		g->bif = (__u32)value;
	else if (what == RTT_NS)
		g->rtt_ns = value;
	else if (what == NO_RTT)
		g->has_rtt = false;
	else
		g->ts_ns -= 300000; /* the capture's 300 us later */
}

static void test_values(void)
{
	for (size_t i = 0; i < sizeof(value_rows) / sizeof(value_rows[0]); i++) {
		struct cmp_conn trace = {0}, capture = {0}, drops = {0};
		struct cmp_report r = {.trace = &trace};
		int err;

		snprintf(r.prefix, sizeof(r.prefix), "row %d", value_rows[i].line);
		err = conn_parse(value_rows[i].trace, &trace) ||
		      conn_parse(value_rows[i].capture, &capture) ||
		      conn_parse(value_rows[i].drops, &drops);
		trace.dropped[TL_SERVER] = drops.segs[TL_SERVER];
		conn_values(&trace, 0);
		conn_values(&capture, 20000);
		for (int k = 0; k < 2; k++)
			tweak(&trace, value_rows[i].tweak[k].what, value_rows[i].tweak[k].side,
			      value_rows[i].tweak[k].index, value_rows[i].tweak[k].value);
		if (!err)
			cmp_compare_pair(&r, &trace, &capture);
		UNIT_CHECK_AT(value_rows[i].line, !err && r.lines == value_rows[i].lines,
			      "values: trace '%s', capture '%s': %u difference(s) (got %u)",
			      value_rows[i].trace, value_rows[i].capture, value_rows[i].lines,
			      r.lines);
		conn_free(&trace);
		conn_free(&capture);
		free(drops.segs[TL_CLIENT].items);
	}
}

int main(void)
{
	test_values();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct cmp_conn trace = {0}, capture = {0}, drops = {0};
		struct cmp_report r = {.trace = &trace};
		int err;

		snprintf(r.prefix, sizeof(r.prefix), "row %d", rows[i].line);
		err = conn_parse(rows[i].trace, &trace) || conn_parse(rows[i].capture, &capture) ||
		      conn_parse(rows[i].drops, &drops);
		trace.dropped[TL_SERVER] = drops.segs[TL_SERVER];
		if (!err)
			cmp_compare_pair(&r, &trace, &capture);
		UNIT_CHECK_AT(
		    rows[i].line,
		    !err && r.lines == rows[i].lines && r.reordered == rows[i].reordered &&
			r.excused == rows[i].excused,
		    "trace '%s', capture '%s', drops '%s': %u difference(s), %u reordered, "
		    "%u excused (got %u, %u, %u)",
		    rows[i].trace, rows[i].capture, rows[i].drops, rows[i].lines, rows[i].reordered,
		    rows[i].excused, r.lines, r.reordered, r.excused);
		conn_free(&trace);
		conn_free(&capture);
		free(drops.segs[TL_CLIENT].items);
	}
	return unit_done();
}
