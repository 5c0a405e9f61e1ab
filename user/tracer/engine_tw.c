/* TIME_WAIT: the state event never says it (the socket goes to CLOSE and a
 * timewait socket takes over), so it is inferred from the close sequence,
 * then watched through sock_diag until the kernel lets it go. */
#include "tracer/engine_impl.h"

#include <errno.h>
#include <stdlib.h>

#include "tracer/tcp_names.h"

#define NS_PER_MS 1000000ULL
/* Past the kernel's timer, so that the socket is gone when asked again. */
#define TW_SLACK_NS (20 * NS_PER_MS)
/* Asked again this soon while the timewait socket still waits for a FIN. */
#define TW_RETRY_NS (100 * NS_PER_MS)

static void watch(struct tl_engine *e, const struct tl_conn *c, enum tl_side side, __u64 ts_ns)
{
	struct tl_tw_watch *w;

	if (e->ntw == e->tw_cap) {
		size_t cap = e->tw_cap ? e->tw_cap * 2 : 64;
		struct tl_tw_watch *tw = realloc(e->tw, cap * sizeof(*tw));

		if (!tw)
			return;
		e->tw = tw;
		e->tw_cap = cap;
	}
	w = &e->tw[e->ntw++];
	*w = (struct tl_tw_watch){
		.conn_id = c->id,
		.side = side,
		.local = c->ep[side],
		.remote = c->ep[TL_OTHER(side)],
		.start_ns = ts_ns,
		.check_ns = ts_ns,
	};
}

void tl_engine_tw_infer(struct tl_engine *e, struct tl_conn *c, enum tl_side side, __u64 ts_ns)
{
	struct tl_state_view v = {.ts_ns = ts_ns, .side = side, .old_state = c->tw_from[side],
				  .new_state = TL_TIME_WAIT, .inferred = true};

	if (c->time_wait == (int)side || c->time_wait == TL_TW_BOTH)
		return;
	if (c->time_wait < 0)
		c->time_wait_ns = ts_ns;
	c->time_wait = c->time_wait < 0 ? (int)side : TL_TW_BOTH;
	if (c->proc[side].pid)
		v.proc = &c->proc[side];
	tl_engine_emit_state(e, c, &v);
	if (e->cfg.sock_query)
		watch(e, c, side, ts_ns);
}

/* Returns true when w is finished with. */
static bool check(struct tl_engine *e, struct tl_tw_watch *w, __u64 now_ns)
{
	struct tl_tw_view v;
	__u32 expires_ms = 0;
	int state = 0;
	int err = e->cfg.sock_query(e->cfg.sock_query_ctx, &w->local, &w->remote, &state,
				    &expires_ms);

	if (!err && (state == TL_TIME_WAIT || state == TL_FIN_WAIT2)) {
		w->confirmed |= state == TL_TIME_WAIT;
		w->check_ns = now_ns + (state == TL_TIME_WAIT ? expires_ms * NS_PER_MS + TW_SLACK_NS
							      : TW_RETRY_NS);
		return false;
	}
	/* Gone, or its tuple already serves a new connection. */
	if (err && err != -ENOENT)
		return true;
	v = (struct tl_tw_view){
		.conn_id = w->conn_id,
		.side = w->side,
		.local = w->local,
		.remote = w->remote,
		.start_ns = w->start_ns,
		.end_ns = now_ns,
		.confirmed = w->confirmed,
	};
	if (e->sink.on_tw_end)
		e->sink.on_tw_end(e->sink.ctx, &v);
	return true;
}

void tl_engine_tw_tick(struct tl_engine *e, __u64 now_ns)
{
	for (size_t i = 0; i < e->ntw;) {
		if (e->tw[i].check_ns <= now_ns && check(e, &e->tw[i], now_ns))
			e->tw[i] = e->tw[--e->ntw];
		else
			i++;
	}
}

void tl_engine_tw_free(struct tl_engine *e)
{
	free(e->tw);
	e->tw = NULL;
	e->ntw = e->tw_cap = 0;
}
