/* compare's own parts, private to user/tracer/compare/: what both sides'
 * readers build (compare_read.c), how two lists of it are lined up
 * (compare_align.c), and how the differences are told (compare_report.c). */
#ifndef TL_COMPARE_IMPL_H
#define TL_COMPARE_IMPL_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/vec.h"
#include "tcplife_http.h"
#include "tracer/engine/conn.h"
#include "tracer/output/conn_map.h"

#define CMP_LOOKAHEAD 64 /* how far a lost or extra segment is looked for */
#define CMP_MAX_LINES 20 /* difference lines shown per connection */
/* How many places off a segment may be met and still be the same one (a
 * reorder between the hook and the capture: see cmp_align). At most 63. */
#define CMP_REORDER 8

/* Where cmp_align met an item both sides have, in its list. */
enum cmp_place {
	CMP_UNMATCHED,	 /* only one side has it */
	CMP_IN_PLACE,	 /* the same items before it on both sides */
	CMP_AFTER_MOVED, /* the same items before it, maybe not the same previous one */
	CMP_MOVED,	 /* met in another order: other items before it */
};

/* What both sides know of a segment; analysis as tshark's fields name it
 * (tl_analysis_fields: a fast or spurious retransmission is also one). */
struct cmp_seg {
	__u32 seq, ack, len;
	__u16 flags, win;
	__u32 analysis;
	/* Wireshark's values, 0 where it has none (struct tl_analysis):
	 * dup_of is the number of the segment a Dup ACK repeats. */
	__u32 dup_num, dup_of, bif;
	bool has_rtt;
	__u64 rtt_ns;
	__u64 frame;	    /* Wireshark's frame number, 0 unknown */
	__u64 ts_ns;	    /* when that side saw it */
	__u32 number;	    /* in its connection, both directions, from 1 */
	__u32 other_before; /* segments the other direction sent before it */
	/* Set by cmp_align on the trace's: 1 + the capture's index of the
	 * same segment (0: none), and where it was met in its direction. */
	__u32 peer;
	__u8 place; /* enum cmp_place */
};

struct cmp_conn {
	__u64 id;		  /* the trace's conn id, or the capture engine's */
	struct tl_endpoint ep[2]; /* client, server, as that side's engine saw them */
	struct vec segs[2];	  /* struct cmp_seg, by sender */
	struct vec http;	  /* char *: "request GET /" or "response 200" */
	/* struct cmp_seg, by sender: the trace's drop events of segments that
	 * died before the capture point (a qdisc's), each excusing one
	 * segment the capture lacks. */
	struct vec dropped[2];
	struct cmp_conn *peer; /* the matching connection on the other side */
};

/* One side's connections, in the order they began. */
struct cmp_side {
	struct vec conns;	       /* struct cmp_conn * */
	struct vec by_id;	       /* struct cmp_conn *, indexed by id (the trace side) */
	struct tl_conn_map engine_ids; /* struct cmp_conn *, by engine id (the capture side) */
	int err;		       /* the capture sink's first error */
};

struct cmp_run {
	const char *trace_path, *capture_path;
	__u16 ports[TL_MAX_PORTS];
	int nports;
	bool ports_given; /* -p: the trace's start line does not override them */
	int family;
	size_t line; /* of the trace, for messages */
	struct cmp_side trace, capture;
};

/* A difference report's context: which connection, which direction. */
struct cmp_report {
	char prefix[2 * TL_ENDPOINT_STRLEN + 32];
	enum tl_side side;
	unsigned lines;
	struct cmp_conn *trace; /* the trace's connection, for its drops */
	unsigned excused;	/* segments the capture lacks, dropped before it */
	unsigned reordered;	/* segments met in another order (CMP_MOVED) */
	__u64 rtt_slack_ns;	/* how far the two sides' ACK RTTs may differ */
};

/* How to compare and tell one kind of list item: segments, HTTP messages. */
struct cmp_kind {
	size_t size;
	const char *noun;			  /* "a segment" */
	bool (*eq)(const void *a, const void *b); /* the same item, for aligning */
	/* The trace's item t is the capture's item c_index, met at place.
	 * NULL: not told. */
	void (*matched)(void *t, size_t c_index, enum cmp_place place);
	/* Whether the other side may have an item a few places off (segments:
	 * the hook and the capture see them at different points). */
	bool reorders;
	/* Whether an item only the trace has is no difference; NULL: never. */
	bool (*excused)(struct cmp_report *r, const void *item);
	const char *(*describe)(const struct cmp_report *r, const void *item, char *buf,
				size_t size);
	/* Reports how item number index (from 0) differs from its counterpart. */
	void (*different)(struct cmp_report *r, size_t index, const void *t, const void *c);
};

/* --- storage and reading (compare_read.c) --- */

struct cmp_conn *cmp_conn_at(const struct cmp_side *s, size_t i);
void cmp_side_free(struct cmp_side *s);
/* The trace's events into run->trace (and its start line's ports and
 * family). Returns 0, -EBADMSG for a line that is not JSON, -EINVAL for an
 * event without its fields (run->line says where), or another -errno. */
int cmp_trace_read(struct cmp_run *run);
/* Runs the capture through an engine into run->capture; err gets the
 * reader's reason. Returns 0 or -errno. */
int cmp_capture_read(struct cmp_run *run, char *err, size_t err_size);

/* --- pairing and aligning (compare_align.c) --- */

/* Each trace connection's peer in the capture, by 4-tuple and first segment. */
void cmp_pair_conns(struct cmp_side *trace, struct cmp_side *capture);
/* The capture conn's side that sent what the trace conn's side sent. */
enum tl_side cmp_peer_side(const struct cmp_conn *t, const struct cmp_conn *c, enum tl_side s);
/* The analysis bits, with out-of-order and retransmission made one. */
__u32 cmp_analysis_timed(__u32 a);
bool cmp_seg_eq(const void *a, const void *b);
/* The analysis bits of the trace's segment seg, sent by side s of t, that
 * are compared with its match's in c: those both sides computed from the
 * same segments. */
__u32 cmp_labels_compared(const struct cmp_conn *t, const struct cmp_conn *c, enum tl_side s,
			  const struct cmp_seg *seg);
bool cmp_http_eq(const void *a, const void *b);
/* Walks both lists in step, telling r each difference, and k each item
 * both have. */
void cmp_align(struct cmp_report *r, struct vec *tv, struct vec *cv, const struct cmp_kind *k);

/* --- differences (compare_report.c) --- */

/* Both directions' segments, their labels and Wireshark's values, and the
 * HTTP messages. */
void cmp_compare_pair(struct cmp_report *r, struct cmp_conn *t, struct cmp_conn *c);

/* An item only one side has, which neither a drop nor a reorder explains. */
void cmp_report_only(struct cmp_report *r, const struct cmp_kind *k, bool in_trace,
		     const void *item);
/* Every trace connection, then those only the capture has. Returns the
 * exit status: 0 when all agree, 1 otherwise. */
int cmp_report(const struct cmp_run *run);

#endif
