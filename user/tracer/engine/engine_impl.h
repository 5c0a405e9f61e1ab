/* The engine's private state, shared by its files: engine.c (connection
 * lifecycle and timers), engine_packet.c (segments), engine_sock.c (socket
 * states and owners), engine_tw.c (TIME_WAIT). */
#ifndef TL_ENGINE_IMPL_H
#define TL_ENGINE_IMPL_H

#include "tracer/engine/conn_table.h"
#include "tracer/engine/engine.h"
#include "tracer/engine/tw_watches.h"

#define TL_MAX_PENDING_CONNECTS 256
#define TL_MAX_LISTENING 64

/* Sockets whose life ended, remembered so that their late events (a recv()
 * that returns ECONNRESET after the RST) start no made-up life. */
#define TL_ENDED_SOCKS 1024

struct tl_ended_sock {
	__u64 sk;
	struct tl_endpoint local, remote;
};

/* Lives held after their close, oldest first: all wait equally long, so
 * appending keeps each list in deadline order. */
enum tl_hold {
	TL_HOLD_NONE,
	TL_HOLD_CLOSED,	 /* sockets closed: waiting for the RST or ACK the closes send */
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
/* Ends c if every socket it had is closed, or its packets show both FINs acked. */
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

/* engine_sock.c */
void tl_engine_sock(struct tl_engine *e, const struct tl_event *ev);
/* Attributes a client SYN to the connect() that sent it. */
void tl_engine_match_connect(struct tl_engine *e, struct tl_conn *c);

/* engine_tw.c */
/* Reports TIME_WAIT for side once its socket is gone and the peer's FIN acked. */
void tl_engine_tw_infer(struct tl_engine *e, struct tl_conn *c, enum tl_side side, __u64 ts_ns);
/* A client's SYN on c's tuple, which may take it over from an earlier
 * life's timewait socket. */
void tl_engine_tw_syn(struct tl_engine *e, const struct tl_conn *c, __u64 ts_ns);
/* The server answered c's SYN: no timewait socket holds the tuple any more. */
void tl_engine_tw_synack(struct tl_engine *e, const struct tl_conn *c, __u64 ts_ns);
void tl_engine_tw_tick(struct tl_engine *e, __u64 now_ns);
void tl_engine_tw_free(struct tl_engine *e);

#endif
