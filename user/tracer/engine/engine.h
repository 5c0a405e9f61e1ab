/* The reconstruction engine: turns the kernel's records (or a capture's
 * packets) into connection lives, and tells an output each step. */
#ifndef TL_ENGINE_H
#define TL_ENGINE_H

#include <linux/types.h>
#include <stddef.h>

#include "tcplife_http.h"
#include "tracer/engine/conn.h"
#include "tracer/engine/tw_watches.h"

/* One decoded record; pointers are valid only during tl_engine_feed. */
struct tl_event {
	enum tl_event_type type;
	__u64 ts_ns; /* ns since the Unix epoch */
	const struct tl_packet *pkt;
	/* TL_EV_PACKET: the payload's first bytes when the kernel side copied
	 * them (TL_DATA_PAYLOAD: a segment that begins like an HTTP message or a
	 * chunk-size line, or continues a message head), http_len 0 otherwise;
	 * and the frame's first bytes when it copied them (for -w). */
	const __u8 *http;
	size_t http_len;
	const __u8 *frame;
	size_t frame_len;
	/* -r: the capture's frame number (1-based) and Wireshark's tcp.stream;
	 * frame_no 0 lets the engine number segments itself. */
	__u64 frame_no;
	__u64 stream;
	const struct tl_sock_event *sock;     /* TL_EV_STATE, TL_EV_OWNER */
	const struct tl_kernel_event *kernel; /* TL_EV_TCP_INFO .. TL_EV_CONG_STATE */
	__u32 lost;	  /* records the kernel had lost when it made this one */
	__u64 lost_ts_ns; /* when the latest of them was lost, ns since the epoch */
};

/* What sock_diag says of the socket on a tuple. */
struct tl_sock_info {
	int state;	  /* a timewait socket's is TIME_WAIT, or FIN_WAIT2 before the peer's FIN */
	__u32 expires_ms; /* its timer; 0 once due */
	__u64 cookie;	  /* the kernel's id of the socket (it survives the handover
			   * to a timewait socket) */
	bool timewait;	  /* a timewait socket, not a full one */
};

/* Asks the kernel (sock_diag) about the socket on a tuple, or only that
 * socket when cookie is not 0: 0 and info when found, -ENOENT (or -ESTALE)
 * when it is gone, or another socket has the tuple now, another -errno when
 * it cannot tell. */
typedef int (*tl_sock_query_fn)(void *ctx, const struct tl_endpoint *local,
				const struct tl_endpoint *remote, __u64 cookie,
				struct tl_sock_info *info);

struct tl_engine_config {
	const __u16 *server_ports; /* the -p ports: the server side when no SYN was seen */
	int nports;
	__u64 idle_timeout_ns;	     /* evict connections silent this long; 0 = never */
	tl_sock_query_fn sock_query; /* NULL: TIME_WAIT is inferred, never confirmed */
	void *sock_query_ctx;
	/* A life a RST ended is reported this long after (events' clock), so
	 * that the kernel's reason, told only once the RST is sent, and by
	 * then after the peer's CLOSE on loopback, still finds it. 0: at once. */
	__u64 reset_grace_ns;
	/* The kernel's name for a drop (type TL_EV_DROP) or reset reason, NULL
	 * when it has none; NULL: reasons are told by number. */
	const char *(*reason_name)(int type, __u32 reason);
};

struct tl_engine_stats {
	__u64 events;
	__u64 conns;
	__u64 states_missing; /* lives ended without their sockets' last states */
};

struct tl_engine;

struct tl_engine *tl_engine_new(const struct tl_engine_config *cfg, const struct tl_sink *sink);
void tl_engine_free(struct tl_engine *e);

/* tl_engine_feed: processes one record, in the order the kernel made them. */
void tl_engine_feed(struct tl_engine *e, const struct tl_event *ev);
/* tl_engine_tick: timers (TIME_WAIT checks, idle eviction); now_ns on the
 * events' clock. Call it every few ms. */
void tl_engine_tick(struct tl_engine *e, __u64 now_ns);
/* tl_engine_note_loss: the kernel has lost `total` records so far. When that
 * is more than the engine knew (a gap just before the record being fed, or
 * at the end of a run), every live connection is marked incomplete, since
 * any of them may have lost some, and so is every connection first seen
 * within 100 ms of when_ns (the latest loss) or, later, without its
 * beginning: the lost records may have been theirs. tl_engine_feed calls it with each record's
 * count. */
void tl_engine_note_loss(struct tl_engine *e, __u32 total, __u64 when_ns);
/* tl_engine_finish: reports every connection still open, and stops watching
 * TIME_WAIT sockets. */
void tl_engine_finish(struct tl_engine *e);
void tl_engine_stats(const struct tl_engine *e, struct tl_engine_stats *st);
/* tl_engine_each_conn: calls fn on every connection the engine holds (open,
 * or closed and held for its last segments), but those closed with a side in
 * TIME_WAIT (their life is over: see tl_engine_each_time_wait). */
void tl_engine_each_conn(struct tl_engine *e, void (*fn)(const struct tl_conn *c, void *arg),
			 void *arg);

enum tl_wait_kind {
	TL_WAIT_REQUEST,   /* open and idle: a request, or a close */
	TL_WAIT_HANDSHAKE, /* its handshake is not done */
	TL_WAIT_RESPONSE,  /* a request has no (whole) response yet */
	TL_WAIT_PEER_FIN,  /* one side closed; the other's FIN */
	TL_WAIT_LAST_ACK,  /* both FINs sent; the last ACK */
};

/* What an open connection waits for, as its segments so far tell. */
struct tl_conn_wait {
	enum tl_wait_kind kind;
	enum tl_side closed;   /* TL_WAIT_PEER_FIN: the side that sent its FIN */
	unsigned keep_alive_s; /* the server's latest Keep-Alive timeout, 0 none */
};

/* tl_engine_conn_wait: what c (one of the engine's) waits for. */
struct tl_conn_wait tl_engine_conn_wait(const struct tl_conn *c);
/* tl_engine_each_time_wait: calls fn on every timewait socket the engine
 * still watches (live, with sock_query), its life already reported. */
void tl_engine_each_time_wait(struct tl_engine *e,
			      void (*fn)(const struct tl_tw_watch *w, void *arg), void *arg);

#endif
