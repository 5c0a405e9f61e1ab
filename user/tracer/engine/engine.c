/* Connection lifecycle: creation, the end of a life, timers, loss. */
#include "tracer/engine/engine_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/proto/tcp_names.h"

#define IDLE_SCAN_NS 1000000000ULL
/* After a loss, connections first seen this soon may be missing their first
 * records: a loopback handshake takes well under a millisecond. */
#define LOSS_SUSPECT_NS 100000000ULL
/* How long a closed life waits for the segments its closes send: a close()
 * with unread data, or an abort, sets CLOSE first and sends its RST after,
 * within microseconds; the reader drains every 10 ms. */
#define HOLD_CLOSED_NS 200000000ULL
/* How long a life closed into TIME_WAIT waits for what its timewait socket
 * answers (a segment the close overtook, seen 86 us after it). Every
 * ordinary close pays this wait, in the text output's memory too (a life's
 * timeline is kept until it ends: 200 ms of churn was +17 MB of RSS), and
 * each tick comes after a drain that emptied the ring: three drains. */
#define HOLD_TW_ANSWER_NS 30000000ULL
/* How long a life whose FINs were both acknowledged waits for its sockets'
 * CLOSE (microseconds after the last ACK) before their states count as lost. */
#define HOLD_STALLED_NS 2000000000ULL
/* How long such a life waits for late segments when no socket can say it
 * closed (-r, or sockets out of sight): a FIN or the last ACK lost after the
 * capture point brings the FIN again after the retransmission timeout (200
 * ms at least, then doubling), and Wireshark keeps it in the stream. */
#define HOLD_FINS_NS 1000000000ULL
/* The longest retransmission timeout (Linux's TCP_RTO_MAX): no late FIN
 * comes after a longer silence. */
#define RTO_MAX_NS 120000000000ULL

struct tl_engine *tl_engine_new(const struct tl_engine_config *cfg, const struct tl_sink *sink)
{
	struct tl_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	if (tl_conn_table_init(&e->conns)) {
		free(e);
		return NULL;
	}
	e->cfg = *cfg;
	if (cfg->nports > TL_MAX_PORTS)
		e->cfg.nports = TL_MAX_PORTS;
	if (e->cfg.nports)
		memcpy(e->ports, cfg->server_ports, e->cfg.nports * sizeof(e->ports[0]));
	e->cfg.server_ports = e->ports;
	e->sink = *sink;
	return e;
}

void tl_engine_free(struct tl_engine *e)
{
	struct tl_conn *c;

	if (!e)
		return;
	while ((c = tl_conn_table_any(&e->conns))) {
		tl_conn_table_remove(&e->conns, c);
		tl_engine_http_discard(c);
		tl_analysis_free(tl_econn(c)->ana);
		tl_engine_http_free(c, false);
		free(c);
	}
	tl_conn_table_destroy(&e->conns);
	tl_engine_tw_free(e);
	free(e->ended);
	free(e);
}

struct tl_conn *tl_engine_conn_new(struct tl_engine *e, const struct tl_endpoint *client,
				   const struct tl_endpoint *server, __u64 ts_ns)
{
	struct tl_econn *ec = calloc(1, sizeof(*ec));
	struct tl_conn *c;

	if (!ec)
		return NULL;
	c = &ec->c;
	c->id = ++e->next_id;
	c->ep[TL_CLIENT] = *client;
	c->ep[TL_SERVER] = *server;
	tl_econn(c)->track[TL_CLIENT].wscale = tl_econn(c)->track[TL_SERVER].wscale = -1;
	c->time_wait = -1;
	c->start_ns = c->last_ns = ts_ns;
	c->incomplete = ts_ns < e->loss_until_ns;
	tl_conn_table_insert(&e->conns, c);
	e->st.conns++;
	return c;
}

static void hold_unlink(struct tl_engine *e, struct tl_conn *c)
{
	struct tl_econn *ec = tl_econn(c);
	struct tl_hold_list *l = &e->held[ec->held];

	if (ec->held == TL_HOLD_NONE)
		return;
	*(ec->held_prev ? &tl_econn(ec->held_prev)->held_next : &l->head) = ec->held_next;
	*(ec->held_next ? &tl_econn(ec->held_next)->held_prev : &l->tail) = ec->held_prev;
	ec->held_prev = ec->held_next = NULL;
	ec->held = TL_HOLD_NONE;
}

/* Into kind's list, behind the last life due no later: a closed life waits
 * for late FINs longer than for its trailing segments, in the same list. */
static void hold_link(struct tl_engine *e, struct tl_conn *c, enum tl_hold kind, __u64 ns)
{
	struct tl_econn *ec = tl_econn(c);
	struct tl_hold_list *l = &e->held[kind];

	ec->held = kind;
	ec->hold_until_ns = e->now_ns + ns;
	ec->held_prev = l->tail;
	while (ec->held_prev && tl_econn(ec->held_prev)->hold_until_ns > ec->hold_until_ns)
		ec->held_prev = tl_econn(ec->held_prev)->held_prev;
	ec->held_next = ec->held_prev ? tl_econn(ec->held_prev)->held_next : l->head;
	*(ec->held_prev ? &tl_econn(ec->held_prev)->held_next : &l->head) = c;
	*(ec->held_next ? &tl_econn(ec->held_next)->held_prev : &l->tail) = c;
}

static void hold(struct tl_engine *e, struct tl_conn *c, enum tl_hold kind, __u64 ns)
{
	if (tl_econn(c)->held != TL_HOLD_NONE)
		return;
	/* Held lives add up (-r holds a second's worth for late FINs): each
	 * keeps only what its late segments could need. */
	tl_engine_http_free(c, true);
	tl_analysis_trim(tl_econn(c)->ana);
	tl_econn(c)->held_since_ns = e->now_ns;
	hold_link(e, c, kind, ns);
}

/* A late segment of a life held for late FINs: its sender is still
 * retransmitting, each timeout twice the one before, so the next can come
 * as late again as everything since the hold began (Linux retries a FIN
 * at 0.2, 0.6, 1.4, 3.0 s...). Waits that long twice over, and
 * HOLD_FINS_NS more. */
static void hold_longer(struct tl_engine *e, struct tl_conn *c)
{
	__u64 twice = 2 * (e->now_ns - tl_econn(c)->held_since_ns);
	__u64 wait = HOLD_FINS_NS + (twice < RTO_MAX_NS ? twice : RTO_MAX_NS);

	if (e->now_ns + wait <= tl_econn(c)->hold_until_ns)
		return;
	hold_unlink(e, c);
	hold_link(e, c, TL_HOLD_CLOSED, wait);
}

/* Held as kind, whatever it was held for before. */
static void hold_as(struct tl_engine *e, struct tl_conn *c, enum tl_hold kind, __u64 ns)
{
	if (tl_econn(c)->held == kind)
		return;
	hold_unlink(e, c);
	hold(e, c, kind, ns);
}

static void remember_ended(struct tl_engine *e, const struct tl_conn *c)
{
	if (!e->ended && (tl_econn(c)->sk[TL_CLIENT] || tl_econn(c)->sk[TL_SERVER]))
		e->ended = calloc(TL_ENDED_SOCKS, sizeof(*e->ended));
	for (int s = TL_CLIENT; s <= TL_SERVER && e->ended; s++) {
		struct tl_ended_sock *d = &e->ended[e->ended_next];

		if (!tl_econn(c)->sk[s])
			continue;
		d->sk = tl_econn(c)->sk[s];
		d->local = c->ep[s];
		d->remote = c->ep[TL_OTHER(s)];
		e->ended_next = (e->ended_next + 1) % TL_ENDED_SOCKS;
	}
}

bool tl_engine_sock_ended(const struct tl_engine *e, __u64 sk, const struct tl_endpoint *local,
			  const struct tl_endpoint *remote)
{
	for (int i = 0; e->ended && i < TL_ENDED_SOCKS; i++) {
		const struct tl_ended_sock *d = &e->ended[i];

		if (d->sk == sk && tl_endpoint_eq(&d->local, local) &&
		    tl_endpoint_eq(&d->remote, remote))
			return true;
	}
	return false;
}

void tl_engine_conn_end(struct tl_engine *e, struct tl_conn *c)
{
	hold_unlink(e, c);
	remember_ended(e, c);
	tl_conn_table_remove(&e->conns, c);
	tl_engine_http_close(e, c);
	if (e->sink.on_conn_end)
		e->sink.on_conn_end(e->sink.ctx, c);
	tl_analysis_free(tl_econn(c)->ana);
	tl_engine_http_free(c, false);
	free(c);
}

static bool sockets_closed(const struct tl_conn *c)
{
	for (int s = TL_CLIENT; s <= TL_SERVER; s++) {
		if (tl_econn(c)->state[s] && tl_econn(c)->state[s] != TL_CLOSE)
			return false;
		/* Its timewait socket still waits for the peer's FIN (the peer's
		 * own socket may be out of sight: another host or namespace). */
		if (tl_econn(c)->tw_wait[s] && c->time_wait != (int)s &&
		    c->time_wait != TL_TW_BOTH && tl_econn(c)->state[TL_OTHER(s)] != TL_CLOSE)
			return false;
	}
	return true;
}

static bool fins_acked(const struct tl_conn *c)
{
	const struct tl_flow_track *f = tl_econn(c)->track;

	return f[0].fin_seen && f[1].fin_seen && f[0].fin_acked && f[1].fin_acked;
}

static bool packets_closed(const struct tl_conn *c)
{
	return c->closed_by == TL_CLOSED_RESET || fins_acked(c);
}

/* A life ends when its sockets are closed and the segments their closes
 * send are in: a closed life is held briefly for its trailing RST or ACK
 * (and, with a side in TIME_WAIT, for what its timewait socket answers),
 * and one whose FINs were acknowledged waits for its sockets' CLOSE. */
void tl_engine_check_end(struct tl_engine *e, struct tl_conn *c)
{
	bool sockets = tl_econn(c)->has_state_events && sockets_closed(c);

	if (packets_closed(c) && (sockets || !tl_econn(c)->has_state_events)) {
		/* The kernel says why it reset only after the RST is out (on
		 * loopback, after the peer's CLOSE): wait for that reason. */
		if (c->closed_by == TL_CLOSED_RESET && e->cfg.reset_grace_ns) {
			hold_as(e, c, TL_HOLD_RESET, e->cfg.reset_grace_ns);
		} else if (!sockets && c->closed_by != TL_CLOSED_RESET) {
			if (tl_econn(c)->held == TL_HOLD_CLOSED)
				hold_longer(e, c);
			else
				hold(e, c, TL_HOLD_CLOSED, HOLD_FINS_NS);
		} else if (c->time_wait >= 0) {
			/* Its timewait socket answers what still comes on the
			 * tuple (a delayed ACK overtaken by the FIN), and the
			 * closed peer that answer with a RST: tshark keeps both
			 * in the life's stream. */
			hold_as(e, c, TL_HOLD_TW, HOLD_TW_ANSWER_NS);
		} else {
			tl_engine_conn_end(e, c);
		}
	} else if (sockets)
		hold(e, c, TL_HOLD_CLOSED, HOLD_CLOSED_NS);
	else if (tl_econn(c)->has_state_events && fins_acked(c))
		hold(e, c, TL_HOLD_STALLED, HOLD_STALLED_NS);
}

/* A stalled life's sockets never reported their close: their last state
 * events were lost somewhere. */
static void end_held(struct tl_engine *e, struct tl_conn *c)
{
	if (tl_econn(c)->held == TL_HOLD_STALLED) {
		c->states_missing = c->incomplete = true;
		e->st.states_missing++;
	}
	tl_engine_conn_end(e, c);
}

static void end_held_due(struct tl_engine *e, enum tl_hold kind, __u64 now_ns)
{
	while (e->held[kind].head && tl_econn(e->held[kind].head)->hold_until_ns <= now_ns)
		end_held(e, e->held[kind].head);
}

bool tl_engine_is_server_port(const struct tl_engine *e, __u16 port)
{
	for (int i = 0; i < e->cfg.nports; i++)
		if (e->cfg.server_ports[i] == port)
			return true;
	for (int i = 0; i < e->nlistening; i++)
		if (e->listening[i] == port)
			return true;
	return false;
}

/* What the segments seen so far prove about side's close, for its cause. */
static unsigned state_facts(const struct tl_conn *c, enum tl_side side)
{
	unsigned facts = 0;

	if (tl_econn(c)->track[TL_OTHER(side)].fin_seen)
		facts |= TL_FACT_PEER_FIN;
	if (tl_econn(c)->track[side].fin_acked)
		facts |= TL_FACT_FIN_ACKED;
	if (c->closed_by == TL_CLOSED_RESET && c->reset_by == TL_OTHER(side))
		facts |= TL_FACT_PEER_RST;
	return facts;
}

void tl_engine_emit_state(struct tl_engine *e, struct tl_conn *c, const struct tl_state_view *v)
{
	struct tl_state_view w = *v;

	w.cause = tl_state_cause(v->old_state, v->new_state, state_facts(c, v->side));
	if (e->sink.on_state)
		e->sink.on_state(e->sink.ctx, c, &w);
}

void tl_engine_feed(struct tl_engine *e, const struct tl_event *ev)
{
	e->st.events++;
	if (ev->ts_ns > e->now_ns)
		e->now_ns = ev->ts_ns;
	/* A gap right here in the stream. */
	tl_engine_note_loss(e, ev->lost, ev->lost_ts_ns);
	if (ev->type == TL_EV_PACKET)
		tl_engine_packet(e, ev);
	else if (ev->kernel)
		tl_engine_kernel(e, ev);
	else
		tl_engine_sock(e, ev);
	/* End the lives whose hold the events' time has passed: -r has no
	 * other clock. */
	for (int k = TL_HOLD_CLOSED; k <= TL_HOLD_RESET; k++)
		end_held_due(e, k, e->now_ns);
}

/* Connections marked incomplete may never see the events that end them:
 * they are forgotten sooner. */
#define INCOMPLETE_IDLE_NS (10 * IDLE_SCAN_NS)
#define IDLE_BATCH 256

struct idle_scan {
	__u64 now_ns, idle_ns;
	struct tl_conn *victims[IDLE_BATCH];
	size_t n;
};

static void find_idle(struct tl_conn *c, void *arg)
{
	struct idle_scan *scan = arg;
	__u64 idle = c->incomplete && INCOMPLETE_IDLE_NS < scan->idle_ns ? INCOMPLETE_IDLE_NS
									 : scan->idle_ns;

	if (scan->n < IDLE_BATCH && c->last_ns + idle < scan->now_ns)
		scan->victims[scan->n++] = c;
}

static void evict_idle(struct tl_engine *e, __u64 now_ns)
{
	struct idle_scan scan = {.now_ns = now_ns, .idle_ns = e->cfg.idle_timeout_ns};

	/* In batches: the table may not change under tl_conn_table_each. */
	do {
		scan.n = 0;
		tl_conn_table_each(&e->conns, find_idle, &scan);
		for (size_t i = 0; i < scan.n; i++) {
			scan.victims[i]->evicted = true;
			tl_engine_conn_end(e, scan.victims[i]);
		}
	} while (scan.n == IDLE_BATCH);
}

void tl_engine_tick(struct tl_engine *e, __u64 now_ns)
{
	if (now_ns > e->now_ns)
		e->now_ns = now_ns;
	tl_engine_tw_tick(e, now_ns);
	for (int k = TL_HOLD_NONE + 1; k < TL_NHOLDS; k++)
		end_held_due(e, k, now_ns);
	if (!e->cfg.idle_timeout_ns || now_ns < e->next_idle_scan_ns)
		return;
	e->next_idle_scan_ns = now_ns + IDLE_SCAN_NS;
	evict_idle(e, now_ns);
}

static void mark_incomplete(struct tl_conn *c, void *arg)
{
	(void)arg;
	c->incomplete = true;
}

void tl_engine_note_loss(struct tl_engine *e, __u32 total, __u64 when_ns)
{
	if (total == e->lost)
		return;
	e->lost = total;
	e->had_loss = true;
	e->loss_until_ns = when_ns + LOSS_SUSPECT_NS;
	tl_conn_table_each(&e->conns, mark_incomplete, NULL);
}

void tl_engine_finish(struct tl_engine *e)
{
	struct tl_conn *c;

	/* Closed lives are over; a stalled one may still get its CLOSE, had
	 * tracing gone on: it is open at exit, not short of its states. */
	for (int k = TL_HOLD_CLOSED; k <= TL_HOLD_RESET; k++)
		while (e->held[k].head)
			end_held(e, e->held[k].head);
	while ((c = tl_conn_table_any(&e->conns))) {
		c->open_at_exit = true;
		tl_engine_conn_end(e, c);
	}
	tl_engine_tw_free(e);
}

void tl_engine_stats(const struct tl_engine *e, struct tl_engine_stats *st) { *st = e->st; }

struct each_conn {
	void (*fn)(const struct tl_conn *c, void *arg);
	void *arg;
};

static void each_conn(struct tl_conn *c, void *arg)
{
	const struct each_conn *each = arg;

	/* Held only for what its timewait socket may still answer: the life
	 * is over (a watched TIME_WAIT is among tl_engine_each_time_wait's). */
	if (tl_econn(c)->held == TL_HOLD_TW)
		return;
	each->fn(c, each->arg);
}

void tl_engine_each_conn(struct tl_engine *e, void (*fn)(const struct tl_conn *c, void *arg),
			 void *arg)
{
	tl_conn_table_each(&e->conns, each_conn, &(struct each_conn){fn, arg});
}

struct tl_conn_wait tl_engine_conn_wait(const struct tl_conn *c)
{
	const struct tl_econn *ec = tl_econn(c);
	const struct tl_conn_http *h = ec->http;
	const bool cfin = ec->track[TL_CLIENT].fin_seen, sfin = ec->track[TL_SERVER].fin_seen;
	const enum tl_handshake hs = tl_conn_handshake(c);
	struct tl_conn_wait w = {.kind = TL_WAIT_REQUEST, .keep_alive_s = ec->keep_alive_s};

	if (cfin && sfin)
		w.kind = TL_WAIT_LAST_ACK;
	else if (cfin || sfin)
		w = (struct tl_conn_wait){.kind = TL_WAIT_PEER_FIN,
					  .closed = cfin ? TL_CLIENT : TL_SERVER};
	else if (hs != TL_HS_COMPLETE && hs != TL_HS_UNSEEN)
		w.kind = TL_WAIT_HANDSHAKE;
	else if (h && (h->npending || h->response.active))
		w.kind = TL_WAIT_RESPONSE;
	return w;
}
