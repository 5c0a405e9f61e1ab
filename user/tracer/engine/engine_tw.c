/* TIME_WAIT: the state event never says it (the socket goes to CLOSE and a
 * timewait socket takes over), so it is inferred from the close sequence,
 * or from the packets for a side whose states are out of sight, then
 * watched through sock_diag until the kernel lets it go: asked a second
 * later (confirming it and reading its timer), and again when the timer
 * runs out, or until the SYN of a new connection on its tuple takes it
 * over. */
#include "tracer/engine/engine_impl.h"

#include <errno.h>

#include "tracer/proto/tcp_names.h"
#include "common/util.h"

/* The first question waits this long: most connections of a burst are then
 * asked about in one tick, and none during the burst itself. */
#define TW_CONFIRM_DELAY_NS (1000 * NS_PER_MS)
/* Past the kernel's timer, so that the socket is likely gone when asked. */
#define TW_SLACK_NS (20 * NS_PER_MS)
/* The timer wheel fires a 60 s timer up to 1/8 later (2 s with HZ=250),
 * and a timewait socket may still wait for the peer's FIN: asked again
 * after 100, 200, then every 400 ms, which keeps each end within half a
 * second of the kernel's. */
#define TW_RETRY_NS (100 * NS_PER_MS)
#define TW_RETRY_DOUBLINGS 2
/* A SYN the timewait socket refused may still take it over by the RST
 * that follows (RFC 1337 is off by default); asked quickly this long. */
#define TW_REUSE_WINDOW_NS (3000 * NS_PER_MS)
/* sock_diag unanswered this many times in a row: the end is not reported. */
#define TW_MAX_FAILED_ASKS 5

void tl_engine_tw_infer(struct tl_engine *e, struct tl_conn *c, enum tl_side side, __u64 ts_ns)
{
	struct tl_state_view v = {.ts_ns = ts_ns,
				  .side = side,
				  .old_state = tl_econn(c)->tw_from[side],
				  .new_state = TL_TIME_WAIT,
				  .inferred = true,
				  .from_packets = !tl_econn(c)->state[side]};
	struct tl_tw_watch w = {
	    .conn_id = c->id,
	    .side = side,
	    .local = c->ep[side],
	    .remote = c->ep[TL_OTHER(side)],
	    .start_ns = ts_ns,
	    .check_ns = ts_ns + TW_CONFIRM_DELAY_NS,
	};

	if (c->time_wait == (int)side || c->time_wait == TL_TW_BOTH)
		return;
	c->time_wait = c->time_wait < 0 ? (int)side : TL_TW_BOTH;
	if (c->proc[side].pid)
		v.proc = &c->proc[side];
	tl_engine_emit_state(e, c, &v);
	/* sock_diag sees the sockets whose states the tracer sees (this host,
	 * this namespace), and only those. */
	if (e->cfg.sock_query && tl_econn(c)->state[side])
		tl_tw_watches_add(&e->tw, &w);
}

/* Reports w's end and forgets w. */
static void report_end(struct tl_engine *e, struct tl_tw_watch *w, __u64 end_ns,
		       enum tl_tw_ended_by by)
{
	struct tl_tw_view v = {
	    .conn_id = w->conn_id,
	    .side = w->side,
	    .local = w->local,
	    .remote = w->remote,
	    .start_ns = w->start_ns,
	    .end_ns = end_ns,
	    .confirmed = w->confirmed,
	    .ended_by = by,
	    .cause = by == TL_TW_ENDED_TIMER	? TL_CAUSE_TW_TIMER
		     : by == TL_TW_ENDED_REUSED ? TL_CAUSE_TW_REUSED
						: TL_CAUSE_UNKNOWN,
	};

	tl_tw_watches_remove(&e->tw, w);
	if (e->sink.on_tw_end)
		e->sink.on_tw_end(e->sink.ctx, &v);
}

/* The socket is gone: when, and why, as far as the watch can tell. */
static void report_gone(struct tl_engine *e, struct tl_tw_watch *w, __u64 now_ns)
{
	if (w->reused_ns)
		report_end(e, w, w->alive_after_syn ? now_ns : w->reused_ns, TL_TW_ENDED_REUSED);
	else
		report_end(e, w, now_ns, w->cookie ? TL_TW_ENDED_TIMER : TL_TW_ENDED_UNKNOWN);
}

static __u64 quick_delay(struct tl_tw_watch *w)
{
	__u64 d = TW_RETRY_NS << w->quick_asks;

	if (w->quick_asks < TW_RETRY_DOUBLINGS)
		w->quick_asks++;
	return d;
}

/* The timewait socket is still there: when to ask next. */
static __u64 next_ask(struct tl_tw_watch *w, const struct tl_sock_info *si, __u64 now_ns)
{
	if (w->reused_ns && now_ns - w->reused_ns < TW_REUSE_WINDOW_NS) {
		w->alive_after_syn = true;
		return now_ns + quick_delay(w);
	}
	w->reused_ns = 0;
	w->alive_after_syn = false;
	if (si->state != TL_TIME_WAIT || !si->expires_ms)
		return now_ns + quick_delay(w);
	w->quick_asks = 0;
	return now_ns + si->expires_ms * NS_PER_MS + TW_SLACK_NS;
}

static void check(struct tl_engine *e, struct tl_tw_watch *w, __u64 now_ns)
{
	struct tl_sock_info si = {0};
	int err = e->cfg.sock_query(e->cfg.sock_query_ctx, &w->local, &w->remote, w->cookie, &si);

	/* Only a timewait socket is ours (a full socket on the tuple is a new
	 * connection's), and, once found, only that one (the cookie). */
	if (!err && si.timewait && (si.state == TL_TIME_WAIT || si.state == TL_FIN_WAIT2)) {
		w->cookie = si.cookie;
		w->confirmed |= si.state == TL_TIME_WAIT;
		w->failed_asks = 0;
		tl_tw_watches_reschedule(&e->tw, w, next_ask(w, &si, now_ns));
	} else if (!err || err == -ENOENT || err == -ESTALE) {
		report_gone(e, w, now_ns);
	} else if (++w->failed_asks < TW_MAX_FAILED_ASKS) {
		tl_tw_watches_reschedule(&e->tw, w, now_ns + TW_RETRY_NS);
	} else {
		tl_tw_watches_remove(&e->tw, w);
	}
}

bool tl_engine_tw_syn(struct tl_engine *e, const struct tl_conn *c, __u64 ts_ns)
{
	struct tl_tw_watch *w = NULL;
	bool reused = false;

	while ((w = tl_tw_watches_on(&e->tw, &c->ep[TL_CLIENT], &c->ep[TL_SERVER], w))) {
		if (w->conn_id == c->id || w->reused_ns || w->start_ns > ts_ns)
			continue;
		w->reused_ns = ts_ns;
		reused = true;
		/* Whether the SYN took it over, sock_diag can tell at once. */
		tl_tw_watches_reschedule(&e->tw, w, ts_ns);
	}
	return reused;
}

void tl_engine_tw_synack(struct tl_engine *e, const struct tl_conn *c, __u64 ts_ns)
{
	struct tl_tw_watch *w, *next;

	for (w = tl_tw_watches_on(&e->tw, &c->ep[TL_CLIENT], &c->ep[TL_SERVER], NULL); w;
	     w = next) {
		next = tl_tw_watches_on(&e->tw, &c->ep[TL_CLIENT], &c->ep[TL_SERVER], w);
		if (w->reused_ns && w->conn_id != c->id)
			report_gone(e, w, ts_ns);
	}
}

void tl_engine_tw_tick(struct tl_engine *e, __u64 now_ns)
{
	struct tl_tw_watch *w;

	/* check() reschedules into the future or removes: the loop ends. */
	while ((w = tl_tw_watches_due(&e->tw, now_ns)))
		check(e, w, now_ns);
}

void tl_engine_tw_free(struct tl_engine *e) { tl_tw_watches_free(&e->tw); }

void tl_engine_each_time_wait(struct tl_engine *e,
			      void (*fn)(const struct tl_tw_watch *w, void *arg), void *arg)
{
	for (int i = 0; i < e->tw.count; i++)
		fn(&e->tw.slot[e->tw.heap[i]], arg);
}
