/* The engine's private state, shared by its files: engine.c (connection
 * lifecycle and timers), engine_packet.c (segments), engine_sock.c (socket
 * states and owners), engine_tw.c (TIME_WAIT). */
#ifndef TL_ENGINE_IMPL_H
#define TL_ENGINE_IMPL_H

#include "tracer/conn_table.h"
#include "tracer/engine.h"
#include "tracer/tw_watches.h"

#define TL_MAX_PENDING_CONNECTS 256
#define TL_MAX_LISTENING 64

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
	__u64 frames;      /* segments reported: the live frame numbers */
	__u64 next_stream; /* live tcp.stream numbers, in order of first segment */
	struct tl_pending_connect pending[TL_MAX_PENDING_CONNECTS];
	int npending;
	__u16 listening[TL_MAX_LISTENING];
	int nlistening;
	struct tl_tw_watches tw;
	__u64 now_ns;
	__u32 lost;           /* the kernel's loss count as of the last record */
	bool had_loss;
	__u64 loss_until_ns;  /* connections first seen before this are suspect */
	__u64 next_idle_scan_ns;
	struct tl_engine_stats st;
};

/* engine.c */
struct tl_conn *tl_engine_conn_new(struct tl_engine *e, const struct tl_endpoint *client,
				   const struct tl_endpoint *server, __u64 ts_ns);
void tl_engine_conn_end(struct tl_engine *e, struct tl_conn *c);
/* Ends c if every socket it had is closed, or its packets show both FINs acked. */
void tl_engine_check_end(struct tl_engine *e, struct tl_conn *c);
bool tl_engine_is_server_port(const struct tl_engine *e, __u16 port);
void tl_engine_emit_state(struct tl_engine *e, struct tl_conn *c, const struct tl_state_view *v);

/* engine_packet.c */
void tl_engine_packet(struct tl_engine *e, const struct tl_event *ev);

/* engine_http.c */
/* Finds the HTTP messages a segment begins and follows the response being
 * received, reporting each exchange once its last byte is in. */
void tl_engine_http_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_event *ev,
			    const struct tl_pkt_view *v);
/* Reports the exchange still open when the connection ends. */
void tl_engine_http_close(struct tl_engine *e, struct tl_conn *c);

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
