/* The engine's private state, shared by its files: engine.c (connection
 * lifecycle and timers), engine_packet.c (segments), engine_sock.c (socket
 * states and owners), engine_tw.c (TIME_WAIT). */
#ifndef TL_ENGINE_IMPL_H
#define TL_ENGINE_IMPL_H

#include <stddef.h>

#include "tracer/engine/conn_table.h"
#include "tracer/engine/engine.h"
#include "tracer/engine/tw_watches.h"
#include "tracer/proto/http_chunked.h"

/* The latest segments a side sent, for the kernel's retransmission that
 * names one by its seq. */
#define TL_RECENT_SEGS 8
struct tl_recent_seg {
	__u32 seq, number;
};

#define TL_PENDING_REQUESTS 16

/* A response being received, for its exchange's timing and size. */
struct tl_response_track {
	bool active;
	bool has_request;
	bool end_known;
	struct tl_pending_request request;
	int status;
	char content_type[TL_HTTP_HEADER_MAX];
	__s64 content_length;
	__u32 body_seq; /* raw seq of the body's first byte */
	__u32 end_seq;	/* raw seq just past the body, when end_known */
	__u64 first_ns, last_ns;
	__u64 body_bytes;
	/* A chunked body: followed by its framing from dec_seq (raw) on, until
	 * the last chunk, or until a chunk-size line was not copied (lost). */
	bool chunked;
	bool chunk_lost;
	__u32 dec_seq;
	struct tl_chunk_dec dec;
};

/* The start of a message that its segment cut before the head's end, held
 * until the next segment of its direction completes it (tshark reassembles
 * it too); at most TL_HTTP_HEAD_MAX bytes. */
struct tl_http_hold {
	__u8 *buf; /* NULL when nothing is held */
	size_t len;
	__u32 seq;     /* raw seq of buf[0] */
	__u32 rel_seq; /* relative */
	__u64 ts_ns;   /* when its first byte was seen */
};

/* A connection's HTTP bookkeeping: allocated on its first HTTP message,
 * since many connections carry none, and freed once it holds nothing (a
 * closed life held for its late segments). Requests wait in a ring grown
 * as they pipeline, up to TL_PENDING_REQUESTS: most wait alone, and a ring
 * of the most that may was a closed life's largest allocation. */
struct tl_conn_http {
	__u8 npending;
	__u8 pending_head;
	__u8 pending_cap;
	struct tl_pending_request *pending; /* pending_cap of them */
	struct tl_response_track response;
};

#define TL_HTTP_SEQS 4

/* How the engine follows what one side sends. */
struct tl_flow_track {
	__u32 base; /* the ISN, or the first seen seq - 1 (Wireshark's rule) */
	bool base_known;
	int wscale; /* shift from its SYN, -1 when its SYN had none or was not seen */
	bool fin_seen;
	__u32 fin_end; /* raw seq just past its FIN: the ack that acknowledges it */
	bool fin_acked;
	/* Raw seqs of the latest segments that began HTTP messages: a segment
	 * sent again from one of them is a retransmission, not new messages. */
	__u32 http_seq[TL_HTTP_SEQS];
	__u8 nhttp_seq;
};

/* A connection as the engine keeps it: the record its outputs read, then
 * the bookkeeping only the engine's files use. */
struct tl_econn {
	struct tl_conn c; /* first: what the sink's callbacks get, read-only */
	__u64 stream;	  /* Wireshark's tcp.stream of its first segment */
	bool has_stream;
	__u64 sk[2];		       /* kernel socket addresses, 0 when unknown */
	int state[2];		       /* current enum tl_tcp_state, 0 before any state event */
	struct tl_flow_track track[2]; /* by sender */
	bool has_state_events;
	bool ws_scaling;	     /* both SYNs carried window scale */
	bool tw_wait[2];	     /* the side's socket went to CLOSE from FIN_WAIT2 or CLOSING */
	__u8 tw_from[2];	     /* the state it left then */
	struct tl_conn_http *http;   /* NULL until its first HTTP message */
	unsigned keep_alive_s;	     /* the latest response's Keep-Alive timeout, 0 none */
	struct tl_http_hold hold[2]; /* by sending side */
	struct tl_conn *next;	     /* hash chain */
	/* Held after its close for the segments still to come (engine.c). */
	__u8 held;
	__u64 held_since_ns, hold_until_ns;
	struct tl_conn *held_prev, *held_next;
	struct tl_ana_conn *ana; /* Wireshark's analysis of its segments (engine_analysis.c) */
	struct tl_recent_seg recent[2][TL_RECENT_SEGS]; /* by sender, a ring */
	__u8 recent_next[2];
};

/* tl_econn(c): the engine's whole connection, from the record every engine
 * function passes around (each one the engine made is a struct tl_econn,
 * freed through its record). */
_Static_assert(offsetof(struct tl_econn, c) == 0, "the record comes first");
#define tl_econn(c)                                                                                \
	_Generic((c),                                                                              \
	    const struct tl_conn *: (const struct tl_econn *)(c),                                  \
	    struct tl_conn *: (struct tl_econn *)(c))

#define TL_MAX_PENDING_CONNECTS 256
#define TL_MAX_LISTENING 64

/* Sockets whose life ended, remembered so that their late events (a recv()
 * that returns ECONNRESET after the RST) start no made-up life. */
#define TL_ENDED_SOCKS 1024

struct tl_ended_sock {
	__u64 sk;
	struct tl_endpoint local, remote;
};

/* Lives held after their close, in deadline order (hold() keeps it). */
enum tl_hold {
	TL_HOLD_NONE,
	TL_HOLD_CLOSED,	 /* sockets closed: waiting for the RST or ACK the closes send */
	TL_HOLD_TW,	 /* closed into TIME_WAIT: waiting for what the timewait socket answers */
	TL_HOLD_RESET,	 /* ended by a RST: waiting for the kernel's reason (cfg.reset_grace_ns) */
	TL_HOLD_STALLED, /* FINs acknowledged: waiting for the sockets' CLOSE */
	TL_NHOLDS,
};

struct tl_hold_list {
	struct tl_conn *head, *tail;
};

/* A connect() whose SYN_SENT event came before the kernel chose its port. */
struct tl_pending_connect {
	__u64 sk;
	__u64 ts_ns;
	struct tl_endpoint local, remote; /* local.port is 0 */
	struct tl_proc proc;
};

struct tl_engine {
	struct tl_engine_config cfg;
	__u16 ports[TL_MAX_PORTS];
	struct tl_sink sink;
	struct tl_conn_table conns;
	__u64 next_id;
	__u64 frames;	   /* segments reported: the live frame numbers */
	__u64 next_stream; /* live tcp.stream numbers, in order of first segment */
	struct tl_pending_connect pending[TL_MAX_PENDING_CONNECTS];
	int npending;
	__u16 listening[TL_MAX_LISTENING];
	int nlistening;
	struct tl_tw_watches tw;
	__u64 now_ns;
	__u32 lost; /* the kernel's loss count as of the last record */
	bool had_loss;
	__u64 loss_until_ns; /* connections first seen before this are suspect */
	__u64 next_idle_scan_ns;
	struct tl_engine_stats st;
	struct tl_ended_sock *ended; /* TL_ENDED_SOCKS of them, allocated at the first end */
	unsigned int ended_next;
	struct tl_hold_list held[TL_NHOLDS];
};

/* engine.c */
struct tl_conn *tl_engine_conn_new(struct tl_engine *e, const struct tl_endpoint *client,
				   const struct tl_endpoint *server, __u64 ts_ns);
void tl_engine_conn_end(struct tl_engine *e, struct tl_conn *c);
/* Ends c if every socket it had is closed, or its packets show both FINs
 * acked (a RST's end after cfg.reset_grace_ns). */
void tl_engine_check_end(struct tl_engine *e, struct tl_conn *c);
bool tl_engine_is_server_port(const struct tl_engine *e, __u16 port);
/* Whether sk, with this tuple, belonged to a life that has ended. */
bool tl_engine_sock_ended(const struct tl_engine *e, __u64 sk, const struct tl_endpoint *local,
			  const struct tl_endpoint *remote);
void tl_engine_emit_state(struct tl_engine *e, struct tl_conn *c, const struct tl_state_view *v);

/* engine_packet.c */
void tl_engine_packet(struct tl_engine *e, const struct tl_event *ev);

/* engine_http.c */
/* Finds the HTTP messages a segment begins and follows the response being
 * received, reporting each exchange once its last byte is in. */
void tl_engine_http_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_event *ev,
			    const struct tl_pkt_view *v);
/* Reports the messages held and the exchange still open when the
 * connection ends. */
void tl_engine_http_close(struct tl_engine *e, struct tl_conn *c);

/* A stretch of one direction's stream: stream_len bytes from raw seq on,
 * of which the first len were copied (p). */
struct tl_http_bytes {
	const __u8 *p;
	size_t len, stream_len;
	__u32 seq, rel_seq;
	__u64 ts_ns; /* when its first byte was seen */
	enum tl_side from;
	__u64 frame_no; /* Wireshark's frame.number of its segment */
};

/* Reports the messages b begins with; with may_hold, a message whose head
 * b's end cut is held for the next segment instead. */
void tl_engine_http_messages(struct tl_engine *e, struct tl_conn *c, const struct tl_http_bytes *b,
			     bool may_hold);

/* engine_http_hold.c */
/* Holds b (its message head cut by the segment's end); false when it cannot. */
bool tl_engine_http_hold(struct tl_conn *c, const struct tl_http_bytes *b);
/* Takes b as the continuation of the head its direction holds, reporting
 * what the two make; true when b was used up so (or repeats held bytes). */
bool tl_engine_http_continue(struct tl_engine *e, struct tl_conn *c, const struct tl_http_bytes *b);
/* Reports what side holds as it is, since no more of it will come. */
void tl_engine_http_flush(struct tl_engine *e, struct tl_conn *c, enum tl_side side);
/* Frees what c holds, unreported (the engine is being freed). */
void tl_engine_http_discard(struct tl_conn *c);
/* Frees c's HTTP bookkeeping; with idle_only, only when it holds nothing a
 * later segment could need (no request waits, no response is followed). */
void tl_engine_http_free(struct tl_conn *c, bool idle_only);

/* engine_sock.c */
void tl_engine_sock(struct tl_engine *e, const struct tl_event *ev);
/* Attributes a client SYN to the connect() that sent it. */
void tl_engine_match_connect(struct tl_engine *e, struct tl_conn *c);

/* engine_kernel.c */
/* What only the kernel knows, attached to its connection. */
void tl_engine_kernel(struct tl_engine *e, const struct tl_event *ev);
/* Remembers a segment, for the kernel's retransmission that names it. */
void tl_engine_kernel_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_pkt_view *v);

/* engine_tw.c */
/* Reports TIME_WAIT for side once its socket is gone and the peer's FIN acked. */
void tl_engine_tw_infer(struct tl_engine *e, struct tl_conn *c, enum tl_side side, __u64 ts_ns);
/* A client's SYN on c's tuple, which may take it over from an earlier
 * life's timewait socket. Returns whether one was watched: the tuple was
 * in use before (Wireshark's "port numbers reused"), though that life has
 * ended. */
bool tl_engine_tw_syn(struct tl_engine *e, const struct tl_conn *c, __u64 ts_ns);
/* The server answered c's SYN: no timewait socket holds the tuple any more. */
void tl_engine_tw_synack(struct tl_engine *e, const struct tl_conn *c, __u64 ts_ns);
void tl_engine_tw_tick(struct tl_engine *e, __u64 now_ns);
void tl_engine_tw_free(struct tl_engine *e);

#endif
