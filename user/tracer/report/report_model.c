#include "tracer/report/report_model.h"

#include <errno.h>
#include <jansson.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcplife_http.h"
#include "tracer/output/json_contract.h"
#include "tracer/output/json_member.h"
#include "tracer/proto/tcp_names.h"

/* --- storage --- */

static char *rp_strdup(const char *s) { return s ? strdup(s) : NULL; }

static struct tl_rp_conn *rp_conn(struct tl_rp_model *m, uint64_t id)
{
	bool created;
	struct tl_rp_conn *c = vec_by_id(&m->conns, &m->by_id, id, sizeof(*c), &created);

	if (c && created) {
		c->id = id;
		c->time_wait = -1;
		c->tw_ms[0] = c->tw_ms[1] = -1;
		c->start_us = -1;
	}
	return c;
}

static struct tl_rp_row *rp_row(struct tl_rp_conn *c, enum tl_rp_row_kind kind, int64_t t_us)
{
	struct tl_rp_row *r, *rows = vec_reserve(c->rows, &c->cap, c->nrows + 1, sizeof(*rows));

	if (!rows)
		return NULL;
	c->rows = rows;
	r = memset(&rows[c->nrows++], 0, sizeof(*r));
	r->kind = kind;
	r->t_us = t_us;
	if (c->start_us < 0)
		c->start_us = t_us;
	if (t_us > c->end_us)
		c->end_us = t_us;
	return r;
}

static void rp_http_free(struct tl_rp_http *h)
{
	if (h)
		free(h->line);
	free(h);
}

static void rp_conn_free(struct tl_rp_conn *c)
{
	for (size_t i = 0; i < c->nrows; i++) {
		free(c->rows[i].flags);
		free(c->rows[i].options);
		rp_http_free(c->rows[i].http);
	}
	for (int s = 0; s < 2; s++) {
		free(c->ep[s]);
		free(c->proc[s].comm);
	}
	free(c->closed_by);
	free(c->rows);
	free(c);
}

void tl_rp_model_free(struct tl_rp_model *m)
{
	for (size_t i = 0; i < m->conns.n; i++)
		rp_conn_free(tl_rp_conn_at(m, i));
	free(m->conns.items);
	free(m->by_id.items);
	free(m->source);
	memset(m, 0, sizeof(*m));
}

/* --- members --- */

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Seconds or ms as the trace writes them (fixed decimals) to whole µs:
 * a double holds an epoch time to within a quarter of a µs. */
static int jus(json_t *o, const char *key, double scale, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
	    json_number_value(v) * scale >= 9e18)
		return -EINVAL;
	*out = (int64_t)(json_number_value(v) * scale + 0.5);
	return 0;
}

static double jms(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : -1;
}

/* The conn, the time, and the conn's side named by key: what every
 * connection event has. */
static struct tl_rp_conn *jconn(struct tl_rp_model *m, json_t *o, int64_t *t_us, int *err)
{
	struct tl_rp_conn *c;
	uint32_t id;

	*err = -EINVAL;
	if (tl_json_member_conn(o, &id) || jus(o, TL_JM(ts), 1e6, t_us))
		return NULL;
	*err = -ENOMEM;
	c = rp_conn(m, id);
	if (c)
		c->svg_stale = true;
	return c;
}

/* The engine's name for a state, so rows share it; "UNKNOWN" for text that
 * is none. */
static const char *rp_state_name(const char *s)
{
	for (int i = 0; i <= TL_NEW_SYN_RECV; i++)
		if (!strcmp(tl_tcp_state_name(i), s))
			return tl_tcp_state_name(i);
	return tl_tcp_state_name(-1);
}

/* --- events --- */

/* "addr:port" or "[addr]:port", as the conn line writes them. */
static char *rp_endpoint(json_t *o, const char *addr_key, const char *port_key)
{
	const char *addr = jstr(o, addr_key);
	uint64_t port;
	char *ep;

	if (!addr || tl_json_member_uint(o, port_key, 65535, &port))
		return NULL;
	if (asprintf(&ep, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, (unsigned)port) < 0)
		return NULL;
	return ep;
}

/* A life whose conn line never came (a trace cut short) is still named by
 * its first segment's ends. */
static void rp_guess_endpoints(struct tl_rp_conn *c, json_t *o, int side)
{
	/* Both or none: a segment whose one end could not be read leaves the
	 * other to be named again by the next one. */
	if (c->ep[0] && c->ep[1])
		return;
	free(c->ep[0]);
	free(c->ep[1]);
	c->ep[side] = rp_endpoint(o, TL_JM(src), TL_JM(sport));
	c->ep[!side] = rp_endpoint(o, TL_JM(dst), TL_JM(dport));
}

static int rp_packet(struct tl_rp_model *m, json_t *o)
{
	const char *flags = jstr(o, TL_JM(flags)), *opts = jstr(o, TL_JM(options));
	struct tl_rp_row seg = {.kind = TL_RP_SEG}, *r;
	struct tl_rp_conn *c;
	int side, err;
	__u16 bits;

	if (!(c = jconn(m, o, &seg.t_us, &err)))
		return err;
	if (tl_json_member_side(o, TL_JSON_DIR, &side) || !flags ||
	    tl_json_member_uint(o, TL_JM(win_scaled), UINT64_MAX, &seg.win_scaled) ||
	    tl_json_member_u32(o, TL_JM(seq), UINT32_MAX, &seg.seq) ||
	    tl_json_member_u32(o, TL_JM(ack), UINT32_MAX, &seg.ack) ||
	    tl_json_member_u32(o, TL_JM(seq_raw), UINT32_MAX, &seg.seq_raw) ||
	    tl_json_member_u32(o, TL_JM(ack_raw), UINT32_MAX, &seg.ack_raw) ||
	    tl_json_member_u32(o, TL_JM(len), UINT32_MAX, &seg.len))
		return -EINVAL;
	/* The flags text is drawn as it is; its bits only mark SYN, FIN, RST and
	 * ACK, so a text with "Reserved" (refused, its bits unknown) still
	 * gives those. */
	tl_tcp_flags_parse(flags, &bits);
	if (!(r = rp_row(c, TL_RP_SEG, seg.t_us)))
		return -ENOMEM;
	seg.side = side;
	seg.flag_bits = bits;
	seg.flags = strdup(flags);
	seg.options = rp_strdup(opts);
	*r = seg;
	if (!r->flags || (opts && !r->options))
		return -ENOMEM;
	c->nsegs++;
	rp_guess_endpoints(c, o, side);
	return 0;
}

static int rp_state(struct tl_rp_model *m, json_t *o)
{
	const char *old = jstr(o, TL_JM(old)), *new = jstr(o, TL_JM(new));
	struct tl_rp_conn *c;
	struct tl_rp_row *r;
	int side, err;
	int64_t t;

	if (!(c = jconn(m, o, &t, &err)))
		return err;
	if (tl_json_member_side(o, TL_JSON_SIDE, &side) || !old || !new)
		return -EINVAL;
	if (!(r = rp_row(c, TL_RP_STATE, t)))
		return -ENOMEM;
	r->side = side;
	r->state_old = rp_state_name(old);
	r->state_new = rp_state_name(new);
	r->inferred = json_is_true(json_object_get(o, TL_JM(inferred)));
	return 0;
}

/* The segment from side whose payload holds relative seq, the latest one
 * (a retransmission is drawn where it was sent again). */
static struct tl_rp_row *rp_http_seg(struct tl_rp_conn *c, int side, uint32_t seq)
{
	for (size_t i = c->nrows; i-- > 0;) {
		struct tl_rp_row *r = &c->rows[i];

		if (r->kind == TL_RP_SEG && r->side == side && !r->http &&
		    seq - r->seq < (r->len ? r->len : 1))
			return r;
	}
	return NULL;
}

static char *rp_http_line(json_t *o, bool request)
{
	const char *a = jstr(o, request ? TL_JM(method) : TL_JM(version));
	const char *b = jstr(o, request ? TL_JM(uri) : TL_JM(reason)), *v = jstr(o, TL_JM(version));
	json_int_t status = json_integer_value(json_object_get(o, TL_JM(status)));
	char *line;

	if (!a || !b || !v)
		return NULL;
	if (request ? asprintf(&line, "%s %s %s", a, b, v) < 0
		    : asprintf(&line, "%s %d %s", v, (int)status, b) < 0)
		return NULL;
	return line;
}

static int rp_http(struct tl_rp_model *m, json_t *o)
{
	const char *dir = jstr(o, TL_JM(dir));
	bool request = dir && !strcmp(dir, "request");
	struct tl_rp_http *h;
	struct tl_rp_conn *c;
	struct tl_rp_row *r;
	uint32_t seq;
	int64_t t;
	int err;

	if (!(c = jconn(m, o, &t, &err)))
		return err;
	if (!dir || tl_json_member_u32(o, TL_JM(seq), UINT32_MAX, &seq))
		return -EINVAL;
	r = rp_http_seg(c, request ? 0 : 1, seq);
	if (!r)
		return 0; /* a message without its segment has nowhere to be drawn */
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->request = request;
	h->status = request ? 0 : json_integer_value(json_object_get(o, TL_JM(status)));
	h->latency_ms = jms(o, TL_JM(latency_ms));
	h->last_byte_ms = -1;
	h->line = rp_http_line(o, request);
	if (!h->line) {
		rp_http_free(h);
		return -EINVAL;
	}
	r->http = h;
	return 0;
}

/* The latest response with this status still waiting for its end. */
static struct tl_rp_http *rp_open_response(struct tl_rp_conn *c, int status)
{
	for (size_t i = c->nrows; i-- > 0;) {
		struct tl_rp_http *h = c->rows[i].http;

		if (h && !h->request && h->status == status && h->last_byte_ms < 0)
			return h;
	}
	return NULL;
}

/* A response's end: its size and last byte go on the response's arrow. */
static int rp_exchange(struct tl_rp_model *m, json_t *o)
{
	struct tl_rp_conn *c;
	struct tl_rp_http *h;
	json_t *status = json_object_get(o, TL_JM(status));
	int64_t t;
	int err;

	if (!(c = jconn(m, o, &t, &err)))
		return err;
	if (!json_is_integer(status))
		return -EINVAL;
	h = rp_open_response(c, json_integer_value(status));
	if (!h)
		return 0;
	h->last_byte_ms = jms(o, TL_JM(last_byte_ms));
	h->complete = json_is_true(json_object_get(o, TL_JM(complete)));
	return tl_json_member_uint(o, TL_JM(body_bytes), UINT64_MAX, &h->body_bytes);
}

static int rp_proc(struct tl_rp_proc *p, json_t *o, const char *pid_key, const char *comm_key)
{
	const char *comm = jstr(o, comm_key);
	uint64_t pid;

	if (tl_json_member_uint(o, pid_key, UINT32_MAX, &pid) || !comm)
		return 0; /* null: unknown */
	p->pid = pid;
	p->comm = strdup(comm);
	return p->comm ? 0 : -ENOMEM;
}

static int rp_conn_end(struct tl_rp_model *m, json_t *o)
{
	const char *ep[2] = {jstr(o, TL_JM(client)), jstr(o, TL_JM(server))};
	struct tl_rp_conn *c;
	int closer, err;
	int64_t t;

	if (!(c = jconn(m, o, &t, &err)))
		return err;
	if (!ep[0] || !ep[1] || c->ended || jus(o, TL_JM(start), 1e6, &c->start_us) ||
	    jus(o, TL_JM(end), 1e6, &c->end_us) ||
	    tl_json_member_side(o, TL_JSON_CLOSED_BY, &closer) ||
	    tl_json_member_side(o, TL_JSON_TIME_WAIT, &c->time_wait))
		return -EINVAL;
	c->ended = true;
	m->version++;
	for (int s = 0; s < 2; s++) {
		free(c->ep[s]);
		if (!(c->ep[s] = strdup(ep[s])))
			return -ENOMEM;
	}
	if (rp_proc(&c->proc[0], o, TL_JM(client_pid), TL_JM(client_comm)) ||
	    rp_proc(&c->proc[1], o, TL_JM(server_pid), TL_JM(server_comm)))
		return -ENOMEM;
	c->closed_by = rp_strdup(tl_json_side_word(TL_JSON_CLOSED_BY, closer));
	tl_json_member_uint(o, TL_JM(bytes_c2s), UINT64_MAX, &c->bytes[0]);
	tl_json_member_uint(o, TL_JM(bytes_s2c), UINT64_MAX, &c->bytes[1]);
	c->requests = json_integer_value(json_object_get(o, TL_JM(requests)));
	c->responses = json_integer_value(json_object_get(o, TL_JM(responses)));
	c->incomplete = json_is_true(json_object_get(o, TL_JM(incomplete)));
	c->mid_stream = json_is_true(json_object_get(o, TL_JM(mid_stream)));
	c->roles_guessed = json_is_true(json_object_get(o, TL_JM(roles_guessed)));
	c->open_at_exit = json_is_true(json_object_get(o, TL_JM(open_at_exit)));
	c->evicted = json_is_true(json_object_get(o, TL_JM(evicted)));
	return 0;
}

static int rp_tw_end(struct tl_rp_model *m, json_t *o)
{
	struct tl_rp_conn *const *slot, *c;
	uint32_t id;
	int side;

	if (tl_json_member_conn(o, &id) || tl_json_member_side(o, TL_JSON_SIDE, &side))
		return -EINVAL;
	slot = vec_at(&m->by_id, id, sizeof(*slot));
	c = slot ? *slot : NULL;
	if (!c)
		return 0;
	c->svg_stale = true;
	m->version += c->ended;
	c->tw_ms[side] = jms(o, TL_JM(duration_ms));
	c->tw_confirmed[side] = json_is_true(json_object_get(o, TL_JM(confirmed)));
	return 0;
}

static int rp_event(struct tl_rp_model *m, json_t *o)
{
	const char *type = jstr(o, TL_JM(type));
	uint64_t lost;

	if (!type)
		return -EINVAL;
	if (!strcmp(type, "packet"))
		return rp_packet(m, o);
	if (!strcmp(type, "state"))
		return rp_state(m, o);
	if (!strcmp(type, "http"))
		return rp_http(m, o);
	if (!strcmp(type, "exchange"))
		return rp_exchange(m, o);
	if (!strcmp(type, "conn"))
		return rp_conn_end(m, o);
	if (!strcmp(type, "time_wait_end"))
		return rp_tw_end(m, o);
	if ((!strcmp(type, "loss") || !strcmp(type, "stats")) &&
	    !tl_json_member_uint(o, TL_JM(lost), UINT64_MAX, &lost))
		m->lost = lost;
	if (!strcmp(type, "start") && jstr(o, TL_JM(file)) && !m->source)
		m->source = strdup(jstr(o, TL_JM(file)));
	return 0;
}

int tl_rp_model_line(struct tl_rp_model *m, const char *line, size_t len)
{
	json_t *o = json_loadb(line, len, 0, NULL);
	int err;

	if (!json_is_object(o)) {
		json_decref(o);
		return -EBADMSG;
	}
	err = rp_event(m, o);
	json_decref(o);
	return err;
}
