/* compare's walk over one direction's segments: a segment both sides have
 * a few places apart is the same segment (a reorder between the hook and
 * the capture), counted and no difference; Wireshark's labels are not
 * compared where they rest on the order that differs, and still are
 * everywhere else; a segment further off, missing or extra still differs.
 * Each row is one direction: letters are segments (A: seq 1000, B: 1100,
 * ...; len 100), lower-case letters after one its labels as that side's
 * analysis gave them (l lost_segment, r retransmission, k keep_alive, w
 * window_full), drops the trace's drop events before the capture point. */
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
    {__LINE__, "A B C D", "A Cl Br D", "", 0, 1, 0},
    {__LINE__, "A Cl Br D", "A B C D", "", 0, 1, 0},
    {__LINE__, "A B C D E F", "A Cl D E Br F", "", 0, 1, 0},
    {__LINE__, "A B C D E F", "A Cl Br El Dr F", "", 0, 2, 0},
    /* CMP_REORDER (8) places off, then one more: a difference, as before. */
    {__LINE__, "A B C D E F G H I J K L", "A Cl D E F G H I J Br K L", "", 0, 1, 0},
    {__LINE__, "A B C D E F G H I J K L", "A Cl D E F G H I J K Br L", "", 3, 0, 0},
    /* While a reorder is open, labels are not compared (C and D came
     * after B in the trace, before it in the capture); nor on the first
     * segment after it, whose previous segment differs (B, D); from the
     * second on they are. */
    {__LINE__, "A B C D E", "A Cl Dw Br E", "", 0, 1, 0},
    {__LINE__, "A B C D E", "A Cl Br Dk E", "", 0, 1, 0},
    {__LINE__, "A B C D E", "A Cl Br D Ek", "", 1, 1, 0},
    {__LINE__, "A B C D E F G", "A Cl Br D E Fw G", "", 1, 1, 0},
    {__LINE__, "Aw B C D", "A Cl Br D", "", 1, 1, 0},
    /* Missing, extra: still differences, beside a reorder too. */
    {__LINE__, "A B C", "A C", "", 1, 0, 0},
    {__LINE__, "A B C", "A B X C", "", 1, 0, 0},
    {__LINE__, "A B C D", "A Dl Cr", "", 1, 1, 0},
    /* The qdisc dropped B; TCP sent it again (Br), then C and D reached
     * the capture in the other order. */
    {__LINE__, "A B Br C D E", "A B Dl Cr E", "B", 0, 1, 1},
    /* A segment the trace says was dropped is that, not a reorder, and the
     * labels it changed are a difference. */
    {__LINE__, "A B C Br D", "A Cl Br D", "B", 1, 0, 1},
};

static const struct {
	char c;
	__u32 bit;
} label_bits[] = {
    {'l', TL_A_LOST_SEGMENT},
    {'r', TL_A_RETRANSMISSION},
    {'k', TL_A_KEEP_ALIVE},
    {'w', TL_A_WINDOW_FULL},
};

/* "A Cl Br" into segments; returns 0, or -1 for a word it cannot read. */
static int segs_parse(const char *text, struct vec *v)
{
	for (const char *p = text; *p;) {
		struct cmp_seg *s;

		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p < 'A' || *p > 'Z' || !(s = vec_push(v, sizeof(*s))))
			return -1;
		*s = (struct cmp_seg){.seq = 1000 + 100 * (__u32)(*p++ - 'A'),
				      .ack = 1,
				      .len = 100,
				      .flags = TL_ACK,
				      .win = 512};
		for (; *p && *p != ' '; p++) {
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

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct cmp_conn trace = {0};
		struct vec tv = {0}, cv = {0};
		struct cmp_report r = {.side = TL_SERVER, .trace = &trace};
		int err;

		snprintf(r.prefix, sizeof(r.prefix), "row %d", rows[i].line);
		err = segs_parse(rows[i].trace, &tv) || segs_parse(rows[i].capture, &cv) ||
		      segs_parse(rows[i].drops, &trace.dropped[TL_SERVER]);
		if (!err)
			cmp_align(&r, &tv, &cv, &cmp_seg_kind);
		UNIT_CHECK_AT(
		    rows[i].line,
		    !err && r.lines == rows[i].lines && r.reordered == rows[i].reordered &&
			r.excused == rows[i].excused,
		    "trace '%s', capture '%s', drops '%s': %u difference(s), %u reordered, "
		    "%u excused (got %u, %u, %u)",
		    rows[i].trace, rows[i].capture, rows[i].drops, rows[i].lines, rows[i].reordered,
		    rows[i].excused, r.lines, r.reordered, r.excused);
		free(tv.items);
		free(cv.items);
		free(trace.dropped[TL_SERVER].items);
	}
	return unit_done();
}
