/* Socket events: state changes and owners, matched to connections; the
 * connect() that precedes its port; listening sockets. */
#include "tracer/engine/engine_impl.h"

#include <string.h>

#include "tracer/proto/tcp_names.h"

static void sock_endpoints(const struct tl_sock_event *s, struct tl_endpoint *local,
			   struct tl_endpoint *remote)
{
	tl_endpoint_set(local, s->family, s->saddr, s->sport);
	tl_endpoint_set(remote, s->family, s->daddr, s->dport);
}

static void set_proc(struct tl_proc *p, const struct tl_sock_event *s)
{
	p->pid = s->pid;
	memcpy(p->comm, s->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
}

static void listening_update(struct tl_engine *e, const struct tl_sock_event *s)
{
	int i;

	for (i = 0; i < e->nlistening && e->listening[i] != s->sport; i++)
		;
	if (s->newstate == TL_LISTEN && i == e->nlistening && i < TL_MAX_LISTENING)
		e->listening[e->nlistening++] = s->sport;
	else if (s->newstate != TL_LISTEN && i < e->nlistening)
		e->listening[i] = e->listening[--e->nlistening];
}

static void pending_remove(struct tl_engine *e, int i)
{
	memmove(&e->pending[i], &e->pending[i + 1], (e->npending - i - 1) * sizeof(e->pending[0]));
	e->npending--;
}

/* connect() set SYN_SENT before choosing the port: keep it until its SYN. */
static void pending_update(struct tl_engine *e, const struct tl_event *ev)
{
	const struct tl_sock_event *s = ev->sock;
	struct tl_pending_connect *pc;

	for (int i = 0; i < e->npending; i++)
		if (e->pending[i].sk == s->skaddr)
			pending_remove(e, i--);
	if (s->newstate != TL_SYN_SENT)
		return;
	if (e->npending == TL_MAX_PENDING_CONNECTS)
		pending_remove(e, 0);
	pc = &e->pending[e->npending++];
	pc->sk = s->skaddr;
	pc->ts_ns = ev->ts_ns;
	sock_endpoints(s, &pc->local, &pc->remote);
	set_proc(&pc->proc, s);
}

void tl_engine_match_connect(struct tl_engine *e, struct tl_conn *c)
{
	struct tl_endpoint local = c->ep[TL_CLIENT];
	struct tl_state_view v = {
	    .side = TL_CLIENT, .old_state = TL_CLOSE, .new_state = TL_SYN_SENT};

	local.port = 0;
	/* The oldest connect() to the same place: connect() and SYN come in order. */
	for (int i = 0; i < e->npending; i++) {
		struct tl_pending_connect *pc = &e->pending[i];

		if (!tl_endpoint_eq(&pc->local, &local) ||
		    !tl_endpoint_eq(&pc->remote, &c->ep[TL_SERVER]))
			continue;
		tl_econn(c)->sk[TL_CLIENT] = pc->sk;
		c->proc[TL_CLIENT] = pc->proc;
		tl_econn(c)->state[TL_CLIENT] = TL_SYN_SENT;
		tl_econn(c)->has_state_events = true;
		if (pc->ts_ns < c->start_ns)
			c->start_ns = pc->ts_ns;
		v.ts_ns = pc->ts_ns;
		v.proc = &c->proc[TL_CLIENT];
		pending_remove(e, i);
		tl_engine_emit_state(e, c, &v);
		return;
	}
}

static bool starts_life(const struct tl_sock_event *s)
{
	return s->type == TL_EV_STATE && (s->newstate == TL_SYN_SENT || s->oldstate == TL_LISTEN);
}

/* A connection first seen through a socket event: the socket's own state
 * says its role when it is connecting or accepting, ports guess otherwise. */
static struct tl_conn *conn_from_sock(struct tl_engine *e, const struct tl_sock_event *s,
				      const struct tl_endpoint *local,
				      const struct tl_endpoint *remote, __u64 ts_ns)
{
	bool local_is_client;
	bool guessed = false, missed_start = false;
	struct tl_conn *c;

	if (s->type == TL_EV_STATE && s->newstate == TL_SYN_SENT) {
		local_is_client = true;
	} else if (s->type == TL_EV_STATE && s->oldstate == TL_LISTEN) {
		/* The child socket comes at the handshake's last ACK: with no
		 * connection yet, its SYN was never seen. */
		local_is_client = false;
		missed_start = true;
	} else {
		guessed = true;
		if (tl_engine_is_server_port(e, local->port) !=
		    tl_engine_is_server_port(e, remote->port))
			local_is_client = tl_engine_is_server_port(e, remote->port);
		else
			local_is_client = local->port > remote->port;
	}
	c = tl_engine_conn_new(e, local_is_client ? local : remote,
			       local_is_client ? remote : local, ts_ns);
	if (c && (guessed || missed_start)) {
		c->mid_stream = true;
		c->roles_guessed = guessed;
		c->incomplete |= e->had_loss;
	}
	return c;
}

static void state_change(struct tl_engine *e, struct tl_conn *c, enum tl_side side,
			 const struct tl_sock_event *s, __u64 ts_ns)
{
	struct tl_state_view v = {
	    .ts_ns = ts_ns, .side = side, .old_state = s->oldstate, .new_state = s->newstate};

	tl_econn(c)->has_state_events = true;
	tl_econn(c)->state[side] = s->newstate;
	/* connect() gave up: its SYNs went unanswered (a full backlog drops them). */
	if (s->oldstate == TL_SYN_SENT && s->newstate == TL_CLOSE &&
	    !c->flow[TL_OTHER(side)].syn_seen && c->closed_by != TL_CLOSED_RESET)
		c->handshake_failed = true;
	if (s->oldstate == TL_ESTABLISHED && s->newstate == TL_FIN_WAIT1 &&
	    c->closed_by == TL_CLOSED_NONE)
		c->closed_by = side == TL_CLIENT ? TL_CLOSED_CLIENT : TL_CLOSED_SERVER;
	if (c->proc[side].pid)
		v.proc = &c->proc[side];
	tl_engine_emit_state(e, c, &v);
	/* The socket handed over to a timewait socket (tcp_time_wait). */
	if (s->newstate == TL_CLOSE && (s->oldstate == TL_FIN_WAIT2 || s->oldstate == TL_CLOSING) &&
	    c->closed_by != TL_CLOSED_RESET) {
		tl_econn(c)->tw_wait[side] = true;
		tl_econn(c)->tw_from[side] = s->oldstate;
		if (tl_econn(c)->track[TL_OTHER(side)].fin_acked)
			tl_engine_tw_infer(e, c, side, ts_ns);
	}
}

void tl_engine_sock(struct tl_engine *e, const struct tl_event *ev)
{
	const struct tl_sock_event *s = ev->sock;
	struct tl_endpoint local, remote;
	enum tl_side side;
	struct tl_conn *c;

	if (s->type == TL_EV_STATE && !s->dport) {
		listening_update(e, s);
		return;
	}
	if (!s->sport || !s->dport) {
		if (s->type == TL_EV_STATE)
			pending_update(e, ev);
		return;
	}
	sock_endpoints(s, &local, &remote);
	c = tl_conn_table_find(&e->conns, &local, &remote);
	/* A new connection on the tuple of a closed life still held for its
	 * last segments (a client that binds the same port): that life is over. */
	if (c && (tl_econn(c)->held == TL_HOLD_CLOSED || tl_econn(c)->held == TL_HOLD_TW) &&
	    starts_life(s)) {
		tl_engine_conn_end(e, c);
		c = NULL;
	}
	/* A socket whose life has ended starts no other: only connect() or a
	 * listener's new child begins one. */
	if (!c && !starts_life(s) && tl_engine_sock_ended(e, s->skaddr, &local, &remote))
		return;
	if (!c)
		c = conn_from_sock(e, s, &local, &remote, ev->ts_ns);
	if (!c)
		return;
	side = tl_endpoint_eq(&local, &c->ep[TL_SERVER]) ? TL_SERVER : TL_CLIENT;
	tl_econn(c)->sk[side] = s->skaddr;
	c->last_ns = ev->ts_ns;
	if (s->pid)
		set_proc(&c->proc[side], s);
	if (s->type != TL_EV_STATE)
		return;
	state_change(e, c, side, s, ev->ts_ns);
	tl_engine_check_end(e, c);
}
