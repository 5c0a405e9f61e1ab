/* TIME_WAIT: the state event never says it (the socket goes to CLOSE and a
 * timewait socket takes over), so it is inferred from the close sequence,
 * then watched through sock_diag until the kernel lets it go: asked a
 * second later (confirming it and reading its timer), and again when the
 * timer runs out. */
#include "tracer/engine_impl.h"

#include <errno.h>
#include <stdlib.h>

#include "tracer/tcp_names.h"

#define NS_PER_MS 1000000ULL
/* The first question waits this long: most connections of a burst are then
 * asked about in one tick, and none during the burst itself. */
#define TW_CONFIRM_DELAY_NS (1000 * NS_PER_MS)
/* Past the kernel's timer, so that the socket is gone when asked again. */
#define TW_SLACK_NS (20 * NS_PER_MS)
/* Asked again this soon while the timewait socket still waits for a FIN. */
#define TW_RETRY_NS (100 * NS_PER_MS)

static bool queue_push(struct tl_tw_queue *q, const struct tl_tw_watch *w)
{
	if (!q->items) {
		q->items = calloc(TL_TW_WATCH_MAX, sizeof(*q->items));
		if (!q->items)
			return false;
	}
	if (q->count == TL_TW_WATCH_MAX)
		return false;
	q->items[(q->head + q->count++) % TL_TW_WATCH_MAX] = *w;
	return true;
}

static struct tl_tw_watch *queue_due(struct tl_tw_queue *q, __u64 now_ns)
{
	struct tl_tw_watch *w = q->count ? &q->items[q->head] : NULL;

	return w && w->check_ns <= now_ns ? w : NULL;
}

static void queue_pop(struct tl_tw_queue *q)
{
	q->head = (q->head + 1) % TL_TW_WATCH_MAX;
	q->count--;
}

void tl_engine_tw_infer(struct tl_engine *e, struct tl_conn *c, enum tl_side side, __u64 ts_ns)
{
	struct tl_state_view v = {.ts_ns = ts_ns, .side = side, .old_state = c->tw_from[side],
				  .new_state = TL_TIME_WAIT, .inferred = true};
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
	if (c->time_wait < 0)
		c->time_wait_ns = ts_ns;
	c->time_wait = c->time_wait < 0 ? (int)side : TL_TW_BOTH;
	if (c->proc[side].pid)
		v.proc = &c->proc[side];
	tl_engine_emit_state(e, c, &v);
	if (e->cfg.sock_query)
		queue_push(&e->tw_confirm, &w);
}

static void report_end(struct tl_engine *e, const struct tl_tw_watch *w, __u64 now_ns)
{
	struct tl_tw_view v = {
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
}

/* Asks about w; it goes on to the expiry queue while the socket lives. */
static void check(struct tl_engine *e, struct tl_tw_watch w, __u64 now_ns)
{
	__u32 expires_ms = 0;
	int state = 0;
	int err = e->cfg.sock_query(e->cfg.sock_query_ctx, &w.local, &w.remote, &state,
				    &expires_ms);

	if (!err && (state == TL_TIME_WAIT || state == TL_FIN_WAIT2)) {
		w.confirmed |= state == TL_TIME_WAIT;
		w.check_ns = now_ns + (state == TL_TIME_WAIT ? expires_ms * NS_PER_MS + TW_SLACK_NS
							     : TW_RETRY_NS);
		queue_push(&e->tw_expiry, &w);
		return;
	}
	/* Gone, or its tuple already serves a new connection; an error that is
	 * not "gone" says nothing, so nothing is reported. */
	if (!err || err == -ENOENT)
		report_end(e, &w, now_ns);
}

void tl_engine_tw_tick(struct tl_engine *e, __u64 now_ns)
{
	struct tl_tw_queue *queues[] = {&e->tw_confirm, &e->tw_expiry};
	struct tl_tw_watch *w;

	for (size_t i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
		/* check() may push to the expiry queue: only what is due now. */
		for (size_t n = queues[i]->count; n && (w = queue_due(queues[i], now_ns)); n--) {
			struct tl_tw_watch due = *w;

			queue_pop(queues[i]);
			check(e, due, now_ns);
		}
	}
}

void tl_engine_tw_free(struct tl_engine *e)
{
	free(e->tw_confirm.items);
	free(e->tw_expiry.items);
	e->tw_confirm = e->tw_expiry = (struct tl_tw_queue){0};
}
