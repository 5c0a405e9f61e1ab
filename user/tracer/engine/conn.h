/* A TCP connection's life as tcplife-http rebuilds it, and the views of each
 * step that the engine hands to an output (struct tl_sink). */
#ifndef TL_CONN_H
#define TL_CONN_H

#include <linux/types.h>
#include <stdbool.h>

#include "tcplife_http.h"
#include "tracer/proto/endpoint.h"
#include "tracer/engine/engine_analysis.h"
#include "tracer/engine/state_cause.h"
#include "tracer/proto/http_msg.h"
#include "tracer/proto/tcp_options.h"

enum tl_side {
	TL_CLIENT = 0, /* sent the first SYN (or guessed: see tl_conn.roles_guessed) */
	TL_SERVER = 1,
};

#define TL_OTHER(side) ((enum tl_side)(1 - (side)))

/* tl_conn.time_wait after a simultaneous close: each side keeps a timewait socket. */
#define TL_TW_BOTH 2

static inline const char *tl_side_name(enum tl_side s)
{
	return s == TL_CLIENT ? "client" : "server";
}

/* tl_conn.time_wait when not -1: a side's name, or "both". */
static inline const char *tl_time_wait_name(int time_wait)
{
	return time_wait == TL_TW_BOTH ? "both" : tl_side_name((enum tl_side)time_wait);
}

/* A process, as far as the kernel told: pid 0 when unknown. */
struct tl_proc {
	__u32 pid;
	char comm[TL_COMM_LEN];
};

enum tl_closed_by {
	TL_CLOSED_NONE = 0, /* still open */
	TL_CLOSED_CLIENT,
	TL_CLOSED_SERVER,
	TL_CLOSED_RESET,
};

/* What one side sent (the engine's tracking of it: struct tl_flow_track). */
struct tl_flow {
	bool syn_seen;
	__u64 bytes;	    /* payload bytes, retransmissions included */
	__u64 unique_bytes; /* payload bytes up to the highest seq it reached: each once */
	__u32 packets;
};

/* enum tcp_ca_state: TCP_CA_Open .. TCP_CA_Loss. */
#define TL_CA_STATES 5

/* TCP_INFINITE_SSTHRESH: a socket never in loss. */
#define TL_SSTHRESH_INFINITE 0x7fffffffu

/* A side's TCP internals, as `ss -ti` shows them. */
struct tl_tcp_info {
	bool valid;
	__u8 state; /* the state it went to */
	/* The kernel took an RTT sample: tcp_sock's srtt_us is 0 until then
	 * (srtt_us and rttvar_us are then its initial values), and ss leaves
	 * rtt: out. */
	bool rtt_measured;
	__u32 srtt_us, rttvar_us;
	__u32 cwnd, ssthresh; /* segments */
	__u32 retrans;	      /* segments retransmitted in its life */
	__u32 mss;
	__u64 delivery_rate;		   /* bytes/s of the latest rate sample, 0 unknown */
	__u64 bytes_acked, bytes_received; /* as tcplife reports them */
};

/* A request waiting for its response, for pairing them on one connection. */
struct tl_pending_request {
	__u64 ts_ns;
	char method[TL_HTTP_METHOD_MAX];
	char uri[TL_HTTP_URI_MAX];
	size_t uri_len; /* NULs included */
};

/* A connection's life as outputs read it: handed to the sink's callbacks
 * read-only. The engine's bookkeeping is struct tl_econn (engine_impl.h). */
struct tl_conn {
	__u64 id; /* stable within a run, from 1 */
	struct tl_endpoint ep[2];
	struct tl_flow flow[2];
	struct tl_proc proc[2];
	__u64 start_ns; /* first event, ns since the Unix epoch */
	__u64 last_ns;	/* latest event */
	__u32 packets;
	__u32 requests, responses;
	enum tl_closed_by closed_by;
	int time_wait;	    /* the side that entered TIME_WAIT, TL_TW_BOTH, or -1 none */
	bool mid_stream;    /* joined after the handshake: numbers from the first segment seen */
	bool roles_guessed; /* no SYN seen: the server is the listening or lower port */
	bool incomplete;    /* events were lost while it lived */
	bool open_at_exit;  /* still open when tracing ended */
	bool evicted;	    /* idle longer than the engine's idle timeout */
	/* Its packets showed the close, its socket states never did: they were
	 * lost (incomplete is set too). */
	bool states_missing;
	enum tl_side reset_by; /* the side that sent the RST, when closed_by is TL_CLOSED_RESET */
	__u32 client_syns;     /* SYNs the client sent, retransmissions included */
	bool handshake_failed; /* the client gave up: SYN_SENT -> CLOSE with no SYN-ACK nor RST */

	/* Wireshark's analysis labels counted: every kind of retransmission,
	 * duplicate ACKs, and segments advertising a zero window. */
	__u32 retransmissions, dup_acks, zero_windows;

	/* What only the kernel knows (engine_kernel.c): each side's TCP
	 * internals at its latest state change, and counts of its facts. */
	struct tl_tcp_info tcp_info[2];
	__u32 drops, kernel_retransmits, rcvqueue_full, buf_limit;
	/* Times each side's congestion state went to each enum tcp_ca_state
	 * (Open, Disorder, CWR, Recovery, Loss). */
	__u32 ca_entries[2][TL_CA_STATES];
};

/* What became of the handshake. */
enum tl_handshake {
	TL_HS_UNSEEN,	  /* the client's SYN was not seen (joined mid-stream) */
	TL_HS_UNANSWERED, /* SYNs only, so far */
	TL_HS_COMPLETE,	  /* SYN and SYN-ACK */
	TL_HS_REFUSED,	  /* an RST answered the SYN */
	TL_HS_FAILED,	  /* the client gave up with no answer */
};

static inline enum tl_handshake tl_conn_handshake(const struct tl_conn *c)
{
	if (!c->flow[TL_CLIENT].syn_seen)
		return TL_HS_UNSEEN;
	if (c->flow[TL_SERVER].syn_seen)
		return TL_HS_COMPLETE;
	if (c->closed_by == TL_CLOSED_RESET)
		return TL_HS_REFUSED;
	return c->handshake_failed ? TL_HS_FAILED : TL_HS_UNANSWERED;
}

/* A connection opened and never used: the handshake completed and the
 * client sent no byte in its whole life (what a browser's preconnect, such
 * as Chromium's spare sockets, looks like). */
static inline bool tl_conn_preconnect(const struct tl_conn *c)
{
	return tl_conn_handshake(c) == TL_HS_COMPLETE && !c->flow[TL_CLIENT].bytes &&
	       !c->requests && c->closed_by != TL_CLOSED_NONE;
}

/* One segment, with Wireshark's derived numbers. */
struct tl_pkt_view {
	__u64 ts_ns;
	const struct tl_packet *pkt;
	enum tl_side from;
	__u32 seq, ack;	  /* relative; ack 0 without the ACK flag */
	__u64 win_scaled; /* window << shift when scaling is in force, else raw */
	int win_scale; /* Wireshark's tcp.window_size_scalefactor: multiplier, -1 unknown, -2 none
			*/
	const struct tl_tcp_opts *opts;
	__u32 sack_base;   /* the acknowledged side's ISN: SACK edges relative to it */
	const __u8 *frame; /* the frame's first bytes, when the kernel copied them (-w) */
	size_t frame_len;
	__u32 number;			    /* the segment's place in its connection, from 1 */
	const struct tl_analysis *analysis; /* NULL when memory ran out */
	__u64 frame_no; /* Wireshark's frame.number: in the -r file, or in the -w file live */
	__u64 stream;	/* Wireshark's tcp.stream */
};

/* A side's state change, or an inferred one (TIME_WAIT). */
struct tl_state_view {
	__u64 ts_ns;
	enum tl_side side;
	int old_state, new_state;
	const struct tl_proc *proc; /* NULL when unknown */
	bool inferred;
	bool from_packets; /* inferred from the packets alone: the side's states are out of sight */
	enum tl_state_cause cause; /* set by the engine as it hands the view out */
};

/* An HTTP request or response beginning in a segment. */
struct tl_http_view {
	__u64 ts_ns;
	enum tl_side from;
	__u32 seq; /* relative seq of the message's first byte */
	const struct tl_http_msg *msg;
	/* For a response: the request it answers, when one was seen. */
	const struct tl_pending_request *request;
	__u64 latency_ns; /* request's first byte to response's first byte */
	__u64 frame_no;	  /* the segment's, as in struct tl_pkt_view */
	/* The bytes seen from the message's first on (its head, maybe cut by
	 * the bytes kept, maybe more messages after it): --headers reads them. */
	const __u8 *head;
	size_t head_len;
};

/* A request and its response, once the response's last byte was seen (or
 * the connection ended, or the next response began). */
struct tl_exchange_view {
	__u64 ts_ns;				  /* the response's last byte */
	const struct tl_pending_request *request; /* NULL when not seen */
	int status;
	const char *content_type; /* "" when absent */
	__s64 content_length;	  /* -1 when absent */
	__u64 body_bytes;	  /* body bytes seen (chunked: decoded, framing left out) */
	__u64 first_byte_ns, last_byte_ns;
	bool complete; /* the body's announced end was seen */
	bool chunked;  /* Transfer-Encoding: chunked */
};

/* What ended a timewait socket. */
enum tl_tw_ended_by {
	TL_TW_ENDED_TIMER,   /* the kernel dropped it when its timer ran out */
	TL_TW_ENDED_REUSED,  /* a new connection's SYN took its tuple over */
	TL_TW_ENDED_UNKNOWN, /* it was gone when first asked about */
};

/* A TIME_WAIT socket ended, after its connection was reported. */
struct tl_tw_view {
	__u64 conn_id;
	enum tl_side side;
	struct tl_endpoint local, remote;
	__u64 start_ns, end_ns;
	bool confirmed; /* sock_diag showed the timewait socket */
	enum tl_tw_ended_by ended_by;
	enum tl_state_cause cause; /* ended_by as a cause: timer, reused or unknown */
};

/* A fact only the kernel knows, about a segment or a side. */
struct tl_kernel_view {
	__u64 ts_ns;
	int type;	    /* TL_EV_RETRANSMIT, TL_EV_DROP or TL_EV_RESET */
	enum tl_side side;  /* who sent the segment, or the RST */
	__u32 seq_raw, seq; /* the segment's, raw and relative */
	__u32 len;
	__u16 flags;
	__u32 number;	     /* TL_EV_RETRANSMIT: the segment's place, 0 unknown */
	const char *reason;  /* the kernel's name for it, e.g. "QDISC_DROP"; NULL none */
	bool before_capture; /* TL_EV_DROP: dropped before a capture could see it */
};

/* tl_drop_holds: whether the packet a drop names (seq, len, flags: the skb
 * the kernel freed) holds the segment (s_seq, s_len, s_flags) the TC hook
 * reported: the same one, or one of the segments the hook reported for a
 * GSO packet the kernel cuts after it (bpf/packet.bpf.h), which keep its
 * flags but FIN and PSH (the last only) and CWR (the first only). */
static inline bool tl_drop_holds(__u32 seq, __u32 len, __u16 flags, __u32 s_seq, __u32 s_len,
				 __u16 s_flags)
{
	if (s_len == len)
		return s_seq == seq && s_flags == flags;
	return s_len && s_len < len && s_seq - seq <= len - s_len &&
	       !((s_flags ^ flags) & ~(TL_FIN | TL_PSH | TL_CWR));
}

/* An output: text, JSON, summary. Every callback is optional. A callback
 * reads the connection, never writes it: an output that keeps something per
 * connection keeps it itself (output/conn_map.h), by c->id. */
struct tl_sink {
	void *ctx;
	void (*on_packet)(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v);
	void (*on_state)(void *ctx, const struct tl_conn *c, const struct tl_state_view *v);
	void (*on_http)(void *ctx, const struct tl_conn *c, const struct tl_http_view *v);
	void (*on_exchange)(void *ctx, const struct tl_conn *c, const struct tl_exchange_view *v);
	/* The life ended (or tracing did): c is freed right after. */
	void (*on_conn_end)(void *ctx, const struct tl_conn *c);
	void (*on_tw_end)(void *ctx, const struct tl_tw_view *v);
	void (*on_kernel)(void *ctx, const struct tl_conn *c, const struct tl_kernel_view *v);
};

#endif
