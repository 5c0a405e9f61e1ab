/* The engine's private state, shared by its files: engine.c (connection
 * lifecycle and timers), engine_packet.c (segments), engine_sock.c (socket
 * states and owners), engine_tw.c (TIME_WAIT). */
#ifndef TL_ENGINE_IMPL_H
#define TL_ENGINE_IMPL_H

#include "tracer/conn_table.h"
#include "tracer/engine.h"

#define TL_MAX_PENDING_CONNECTS 256
#define TL_MAX_LISTENING 64
#define TL_MAX_ENDING 64

/* A connect() whose SYN_SENT event came before the kernel chose its port. */
struct tl_pending_connect {
	__u64 sk;
	__u64 ts_ns;
	struct tl_endpoint local, remote; /* local.port is 0 */
	struct tl_proc proc;
};

/* A side whose socket handed over to a timewait socket. */
struct tl_tw_watch {
	__u64 conn_id;
	enum tl_side side;
	struct tl_endpoint local, remote;
	__u64 start_ns;
	__u64 check_ns; /* when to ask sock_diag next */
	bool confirmed;
};

/* Watches in the order they fall due: every timewait socket lives as long
 * (60 s on Linux), so appending keeps each queue sorted and a tick looks
 * only at the heads. */
struct tl_tw_queue {
	struct tl_tw_watch *items;
	size_t head, count;
};

/* Timewait sockets watched at once; past this, TIME_WAIT is still reported
 * but not its end (under heavy churn, sock_diag would cost more than the
 * tracing). */
#define TL_TW_WATCH_MAX 4096

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
	struct tl_tw_queue tw_confirm; /* asked once, a second after TIME_WAIT began */
	struct tl_tw_queue tw_expiry;  /* asked again when the kernel's timer runs out */
	__u64 now_ns;
	__u32 lost;           /* the kernel's loss count as of the last record */
	bool had_loss;
	__u64 loss_until_ns;  /* connections first seen before this are suspect */
	__u64 next_idle_scan_ns;
	struct tl_engine_stats st;
	/* Lives a RST ended, waiting out cfg.reset_grace_ns; in end order. */
	struct tl_conn *ending[TL_MAX_ENDING];
	int nending;
};

/* engine.c */
struct tl_conn *tl_engine_conn_new(struct tl_engine *e, const struct tl_endpoint *client,
				   const struct tl_endpoint *server, __u64 ts_ns);
void tl_engine_conn_end(struct tl_engine *e, struct tl_conn *c);
/* Ends c if every socket it had is closed, or its packets show both FINs
 * acked (a RST's end after cfg.reset_grace_ns). */
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

/* engine_kernel.c */
/* What only the kernel knows, attached to its connection. */
void tl_engine_kernel(struct tl_engine *e, const struct tl_event *ev);
/* Remembers a segment, for the kernel's retransmission that names it. */
void tl_engine_kernel_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_pkt_view *v);

/* engine_tw.c */
/* Reports TIME_WAIT for side once its socket is gone and the peer's FIN acked. */
void tl_engine_tw_infer(struct tl_engine *e, struct tl_conn *c, enum tl_side side, __u64 ts_ns);
void tl_engine_tw_tick(struct tl_engine *e, __u64 now_ns);
void tl_engine_tw_free(struct tl_engine *e);

#endif
