/* Wireshark's TCP sequence analysis (its dissector's "tcp.analysis.*" with
 * the default preferences), segment by segment, so that live tracing, -r
 * and compare all label segments the way a capture shows them. */
#ifndef TL_ENGINE_ANALYSIS_H
#define TL_ENGINE_ANALYSIS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "tcplife_http.h"
#include "tracer/proto/tcp_options.h"

/* Bits of tl_analysis.flags, in the order of tl_analysis_names. */
enum tl_analysis_flag {
	TL_A_RETRANSMISSION = 1u << 0,
	TL_A_FAST_RETRANSMISSION = 1u << 1,
	TL_A_SPURIOUS_RETRANSMISSION = 1u << 2,
	TL_A_OUT_OF_ORDER = 1u << 3,
	TL_A_LOST_SEGMENT = 1u << 4,
	TL_A_ACK_LOST_SEGMENT = 1u << 5,
	TL_A_DUPLICATE_ACK = 1u << 6,
	TL_A_ZERO_WINDOW = 1u << 7,
	TL_A_ZERO_WINDOW_PROBE = 1u << 8,
	TL_A_ZERO_WINDOW_PROBE_ACK = 1u << 9,
	TL_A_WINDOW_FULL = 1u << 10,
	TL_A_WINDOW_UPDATE = 1u << 11,
	TL_A_KEEP_ALIVE = 1u << 12,
	TL_A_KEEP_ALIVE_ACK = 1u << 13,
	TL_A_REUSED_PORTS = 1u << 14,
};

#define TL_A_COUNT 15
/* Every kind of retransmission: the conn's "retransmissions" counts these. */
#define TL_A_ANY_RETRANSMISSION                                                                    \
	(TL_A_RETRANSMISSION | TL_A_FAST_RETRANSMISSION | TL_A_SPURIOUS_RETRANSMISSION)

/* tshark's field names without "tcp.analysis.", and Wireshark's Info column
 * labels without the brackets, indexed by bit number. */
extern const char *const tl_analysis_names[TL_A_COUNT];
extern const char *const tl_analysis_labels[TL_A_COUNT];

/* What Wireshark derives for one segment. */
struct tl_analysis {
	__u32 flags;		/* enum tl_analysis_flag */
	__u32 dup_ack_num;	/* with TL_A_DUPLICATE_ACK: its number in the run */
	__u32 dup_ack_of;	/* ...and the packet it duplicates (conn-relative, from 1) */
	__u64 dup_ack_of_frame; /* ...and that packet's frame number (Wireshark's) */
	__u32 acks_packet;	/* the packet this one acknowledges exactly, 0 none */
	__u64 ack_rtt_ns;	/* with acks_packet: the time since it */
	__u32 bytes_in_flight;	/* 0: Wireshark shows none */
};

/* One side's segments not yet acknowledged. */
struct tl_ana_seg {
	__u32 seq, nextseq;
	__u32 packet;
	__u64 ts_ns;
};

/* One direction, as Wireshark's tcp_flow and its tcp_analyze_seq_info: raw
 * sequence numbers, raw windows, 0 meaning "not seen yet" as there. */
struct tl_ana_flow {
	__u32 base;
	bool base_set;
	__u32 nextseq, maxseqtobeacked, lastack;
	__u64 nextseq_ns, lastack_ns;
	__u32 lastnondupack;
	__u64 lastnondupack_frame;
	__s32 dupacknum; /* -1: an ACK of an unseen segment was just seen */
	__u32 window;	 /* raw header value */
	int win_scale;	 /* -1 unknown, -2 none, else the shift */
	bool is_first_ack;
	bool valid_bif;
	__u32 lastflags; /* the analysis of this side's previous segment */
	/* SACK blocks of this side's latest segment, for bytes in flight. */
	__u8 nsack;
	__u32 sack_left[TL_TCP_OPTS_MAX_SACK], sack_right[TL_TCP_OPTS_MAX_SACK];
	struct tl_ana_seg *segs;
	size_t nsegs, cap;
};

struct tl_ana_conn {
	struct tl_ana_flow flow[2];
	__u64 first_rtt_ns; /* SYN to the first ACK after it, 0 unknown */
	__u64 mru_syn_ns;   /* the latest SYN */
};

/* One segment for tl_analysis_segment. */
struct tl_ana_input {
	int from;     /* index into tl_ana_conn.flow: the sender */
	__u32 packet; /* its conn-relative number, from 1 */
	__u64 frame;  /* its frame number (struct tl_pkt_view's frame_no) */
	__u64 ts_ns;
	const struct tl_packet *pkt;
	const struct tl_tcp_opts *opts;
	bool reused_ports; /* a SYN that began a new life on a known tuple */
};

/* tl_analysis_segment: analyses one segment, in the order they were seen,
 * and updates a's state. */
struct tl_ana_conn *tl_analysis_new(void);
void tl_analysis_segment(struct tl_ana_conn *a, const struct tl_ana_input *in,
			 struct tl_analysis *out);
/* Accepts NULL. */
void tl_analysis_free(struct tl_ana_conn *a);
/* tl_analysis_trim: frees the room for unacknowledged segments where none
 * is left unacknowledged (it grows again if needed). Accepts NULL. */
void tl_analysis_trim(struct tl_ana_conn *a);

/* tl_analysis_fields: tshark's tcp.analysis.* fields present on the
 * segment, in tl_analysis_names order, as names without the prefix; a fast
 * or spurious retransmission is a "retransmission" too, there as here.
 * Returns how many (at most TL_A_COUNT). */
int tl_analysis_fields(__u32 flags, const char *names[TL_A_COUNT]);

/* tl_analysis_labels_str: "[TCP Dup ACK 12#1] [TCP Retransmission] " as
 * Wireshark's Info column begins, "" when there is nothing; the Dup ACK's
 * 12 a frame number with frames (as Wireshark's, where the lines show
 * frame numbers), else the conn-relative packet number. Returns buf. */
const char *tl_analysis_labels_str(const struct tl_analysis *an, bool frames, char *buf,
				   size_t size);

#endif
