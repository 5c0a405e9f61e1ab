/* The three outputs, fed by hand the way the engine feeds them: a whole
 * connection's life (handshake, HTTP exchange, close, TIME_WAIT) and a
 * hostile one (binary URI, control characters, invalid UTF-8 in a reason, a
 * header and a comm). JSON lines must parse with jansson and carry the
 * documented members; the text timeline must show the documented lines and
 * nothing that could steer a terminal; the summary must keep tcplife's
 * columns. */
#include "tracer/output/output.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tracer/proto/tcp_names.h"
#include "unit.h"

#define T0 1700000000123456000ull /* the life's first event */
#define US 1000ull

/* Raw TCP options as the kernel copies them. */
struct raw_opts {
	__u8 len;
	__u8 b[TL_TCP_OPT_MAX];
};

/* Linux's SYN: MSS, SACK_PERM, timestamps, NOP, window scale 7. */
static const struct raw_opts syn_opts = {
    20, {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}};
static const struct raw_opts synack_opts = {
    20, {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1, 1, 3, 3, 7}};
static const struct raw_opts ts_opts = {12, {1, 1, 8, 10, 0, 0, 0, 3, 0, 0, 0, 2}};

enum step_kind { STEP_PKT, STEP_STATE, STEP_HTTP };

/* One callback the engine would make. */
struct step {
	enum step_kind kind;
	__u64 t_us; /* since the life's start */
	enum tl_side from;
	/* STEP_PKT */
	__u16 flags;
	__u32 seq, ack, len;
	__u16 win;
	__u64 win_scaled;
	const struct raw_opts *opts;
	int win_scale; /* the view's multiplier (-2 none); 0: unknown (-1) */
	/* STEP_STATE */
	int old_state, new_state;
	bool no_proc, inferred, from_packets;
	/* STEP_HTTP */
	const struct tl_http_msg *msg;
	const struct tl_pending_request *request;
	__u64 latency_us;
	const char *head; /* the message's bytes, for --headers; NULL: none kept */
	/* STEP_STATE: what the engine found caused it */
	enum tl_state_cause cause;
};

static const struct tl_http_msg req_msg = {
    .kind = TL_HTTP_REQUEST,
    .method = "GET",
    .uri = "/index.html",
    .uri_len = 11,
    .version = "HTTP/1.1",
    .range = "bytes=0-99",
    .connection = "keep-alive",
    .content_length = -1,
};

static const struct tl_http_msg resp_msg = {
    .kind = TL_HTTP_RESPONSE,
    .version = "HTTP/1.1",
    .status = 200,
    .reason = "OK",
    .content_type = "text/html",
    .content_length = 1100,
};

static const struct tl_pending_request pending = {T0 + 300 * US, "GET", "/index.html", 11};

#define PKT(t, side, fl, s, a, l, w, ws, o)                                                        \
	{                                                                                          \
		STEP_PKT, t, side, .flags = fl, .seq = s, .ack = a, .len = l, .win = w,            \
				   .win_scaled = ws, .opts = o                                     \
	}
#define STATE(t, side, o, n, ...)                                                                  \
	{                                                                                          \
		STEP_STATE, t, side, .old_state = o, .new_state = n, __VA_ARGS__                   \
	}

static const struct step life[] = {
    PKT(0, TL_CLIENT, TL_SYN, 0, 0, 0, 65495, 65495, &syn_opts),
    STATE(0, TL_CLIENT, TL_CLOSE, TL_SYN_SENT),
    PKT(21, TL_SERVER, TL_SYN | TL_ACK, 0, 1, 0, 65483, 65483, &synack_opts),
    PKT(40, TL_CLIENT, TL_ACK, 1, 1, 0, 512, 65536, &ts_opts),
    STATE(40, TL_CLIENT, TL_SYN_SENT, TL_ESTABLISHED),
    STATE(40, TL_SERVER, TL_LISTEN, TL_SYN_RECV, .no_proc = true),
    STATE(40, TL_SERVER, TL_SYN_RECV, TL_ESTABLISHED),
    PKT(300, TL_CLIENT, TL_PSH | TL_ACK, 1, 1, 77, 512, 65536, &ts_opts),
    {STEP_HTTP, 300, TL_CLIENT, .seq = 1, .msg = &req_msg},
    PKT(520, TL_SERVER, TL_PSH | TL_ACK, 1, 78, 1300, 512, 65536, &ts_opts),
    {STEP_HTTP, 520, TL_SERVER, .seq = 1, .msg = &resp_msg, .request = &pending, .latency_us = 220},
    PKT(600, TL_CLIENT, TL_ACK, 78, 1301, 0, 510, 65280, NULL),
    PKT(5000000, TL_CLIENT, TL_FIN | TL_ACK, 78, 1301, 0, 512, 65536, &ts_opts),
    STATE(5000000, TL_CLIENT, TL_ESTABLISHED, TL_FIN_WAIT1),
    PKT(5000100, TL_SERVER, TL_FIN | TL_ACK, 1301, 79, 0, 512, 65536, &ts_opts),
    PKT(5001000, TL_CLIENT, TL_ACK, 79, 1302, 0, 512, 65536, &ts_opts),
    STATE(5001000, TL_CLIENT, TL_FIN_WAIT2, TL_TIME_WAIT, .inferred = true),
};

/* Filled by hostile_init: wire bytes no C literal should carry. */
static struct tl_http_msg hostile_req, hostile_resp;

static const struct step hostile[] = {
    PKT(0, TL_CLIENT, TL_PSH | TL_ACK, 1, 1, 600, 512, 512, NULL),
    {STEP_HTTP, 0, TL_CLIENT, .seq = 1, .msg = &hostile_req},
    PKT(900, TL_SERVER, TL_RST, 1, 0, 0, 0, 0, NULL),
    {STEP_HTTP, 900, TL_SERVER, .seq = 1, .msg = &hostile_resp},
};

static void hostile_init(void)
{
	hostile_req = req_msg;
	/* Every byte value but NUL, filling the URI to its last byte. */
	for (int i = 0; i < TL_HTTP_URI_MAX - 1; i++)
		hostile_req.uri[i] = (char)(i % 255 + 1);
	hostile_req.uri[TL_HTTP_URI_MAX - 1] = '\0';
	hostile_req.uri_len = TL_HTTP_URI_MAX - 1;
	hostile_req.uri_truncated = true;
	hostile_resp = resp_msg;
	strcpy(hostile_resp.reason, "\x1b[31mOK\r\n\xff\xfe\xc2\x9b"
				    "2J");
	strcpy(hostile_resp.content_type, "text/\xc3\x28html\xe2\x80\xae");
}

static const __u8 lo4_mapped[16] = {[10] = 0xff, [11] = 0xff, 127, 0, 0, 1};
static const __u8 lo6[16] = {[15] = 1};

static void conn_init(struct tl_conn *c, __u64 id, const __u8 addr[16], __u16 cport)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	tl_endpoint_set(&c->ep[TL_CLIENT], AF_INET6, addr, cport);
	tl_endpoint_set(&c->ep[TL_SERVER], AF_INET6, addr, 8080);
	c->time_wait = -1;
	c->start_ns = c->last_ns = T0;
}

static const struct tl_proc curl = {4242, "curl"};
static const struct tl_proc httpd = {4100, "tcplife-httpd"};
/* A comm is whatever the task set: here a terminal title escape. */
static const struct tl_proc evil = {666, "\x1b]0;pwn\x07"};

/* A packet record as the kernel makes it, addresses as a dual-stack socket
 * sees them. */
static void make_packet(struct tl_packet *p, const struct tl_conn *c, const __u8 addr[16],
			const struct step *s)
{
	const struct tl_endpoint *src = &c->ep[s->from], *dst = &c->ep[TL_OTHER(s->from)];

	memset(p, 0, sizeof(*p));
	p->type = TL_EV_PACKET;
	p->family = AF_INET6;
	memcpy(p->saddr, addr, 16);
	memcpy(p->daddr, addr, 16);
	p->sport = src->port;
	p->dport = dst->port;
	p->seq = s->seq + (s->from == TL_CLIENT ? 1000000 : 2000000);
	p->ack = s->flags & TL_ACK ? s->ack + (s->from == TL_CLIENT ? 2000000 : 1000000) : 0;
	p->payload_len = s->len;
	p->frame_len = 66 + s->len;
	p->window = s->win;
	p->flags = s->flags;
	if (s->opts) {
		p->opt_len = s->opts->len;
		memcpy(p->opts, s->opts->b, s->opts->len);
	}
}

/* Counts the segment, as the engine does before it calls the sink. */
static void play_packet(const struct tl_sink *k, struct tl_conn *c, const __u8 addr[16],
			const struct step *s)
{
	struct tl_packet p;
	struct tl_tcp_opts o;
	struct tl_pkt_view v = {.ts_ns = c->last_ns,
				.pkt = &p,
				.from = s->from,
				.seq = s->seq,
				.ack = s->flags & TL_ACK ? s->ack : 0,
				.win_scaled = s->win_scaled,
				.win_scale = s->win_scale ? s->win_scale : -1,
				.opts = &o};

	c->flow[s->from].bytes += s->len;
	c->flow[s->from].unique_bytes += s->len; /* no step is sent twice */
	c->flow[s->from].packets++;
	c->packets++;
	if (!k->on_packet)
		return;
	make_packet(&p, c, addr, s);
	tl_tcp_options_parse(p.opts, p.opt_len, &o);
	k->on_packet(k->ctx, c, &v);
}

/* Feeds steps to a sink as the engine would. */
static void play(const struct tl_sink *k, struct tl_conn *c, const __u8 addr[16],
		 const struct step *steps, size_t n)
{
	for (const struct step *s = steps; s < steps + n; s++) {
		struct tl_state_view sv = {c->last_ns,
					   s->from,
					   s->old_state,
					   s->new_state,
					   s->no_proc ? NULL : &c->proc[s->from],
					   s->inferred,
					   s->from_packets,
					   s->cause};
		struct tl_http_view hv = {c->last_ns,
					  s->from,
					  s->seq,
					  s->msg,
					  s->request,
					  s->latency_us * US,
					  0,
					  (const __u8 *)s->head,
					  s->head ? strlen(s->head) : 0};

		c->last_ns = sv.ts_ns = hv.ts_ns = T0 + s->t_us * US;
		if (s->kind == STEP_PKT)
			play_packet(k, c, addr, s);
		else if (s->kind == STEP_STATE && k->on_state)
			k->on_state(k->ctx, c, &sv);
		else if (s->kind == STEP_HTTP && k->on_http)
			k->on_http(k->ctx, c, &hv);
	}
}

static const __u16 ports[] = {8080};

static const char *const kept_caps[] = {"CAP_NET_ADMIN"};
static const struct tl_privileges dropped = {"alice", kept_caps, 1, true};

/* -v: the golden lines show TSval/TSecr and the hooks' names. */
static const struct tl_start_info start_lo = {
    T0 - 1000 * US, "lo", ports,    1,	0,    "tcx",	    "tp_btf",	     "tp_btf",
    false,	    NULL, &dropped, "", NULL, TL_TIME_CONN, .verbose = true,
};

/* The whole run: start, both lives, the TIME_WAIT end, a loss, the stats. */
static void run_all(struct tl_output *o)
{
	const struct tl_sink *k = &o->sink;
	struct tl_conn c;
	struct tl_tw_view tw = {3, TL_CLIENT, .start_ns = T0 + 5001000 * US,
				.end_ns = T0 + 65013000 * US, .confirmed = true};
	struct tl_tw_view reused = {4,
				    TL_SERVER,
				    .start_ns = T0 + 1000 * US,
				    .end_ns = T0 + 2701000 * US,
				    .confirmed = true,
				    .ended_by = TL_TW_ENDED_REUSED};
	struct tl_stats_info st = {T0 + 70 * 1000000 * US, 1234, 12, 2, 1};

	o->start(o, &start_lo);
	conn_init(&c, 3, lo4_mapped, 52334);
	c.proc[TL_CLIENT] = curl;
	c.proc[TL_SERVER] = httpd;
	play(k, &c, lo4_mapped, life, sizeof(life) / sizeof(life[0]));
	c.requests = c.responses = 1;
	c.closed_by = TL_CLOSED_CLIENT;
	c.time_wait = TL_CLIENT;
	k->on_conn_end(k->ctx, &c);

	conn_init(&c, 4, lo6, 40000);
	c.proc[TL_CLIENT] = evil;
	c.mid_stream = c.roles_guessed = c.incomplete = c.open_at_exit = true;
	play(k, &c, lo6, hostile, sizeof(hostile) / sizeof(hostile[0]));
	c.requests = c.responses = 1;
	k->on_conn_end(k->ctx, &c);

	tl_endpoint_set(&tw.local, AF_INET6, lo4_mapped, 52334);
	tl_endpoint_set(&tw.remote, AF_INET6, lo4_mapped, 8080);
	if (k->on_tw_end)
		k->on_tw_end(k->ctx, &tw);
	tl_endpoint_set(&reused.local, AF_INET6, lo6, 8080);
	tl_endpoint_set(&reused.remote, AF_INET6, lo6, 40000);
	if (k->on_tw_end)
		k->on_tw_end(k->ctx, &reused);
	if (o->loss)
		o->loss(o, T0 + 69 * 1000000 * US, 12);
	o->stats(o, &st);
}

/* Sends stderr to a temporary file until stderr_restore, which returns what
 * was written there (free it). */
static FILE *stderr_to_tmp(int *saved)
{
	FILE *tmp = tmpfile();

	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	return tmp;
}

static char *stderr_restore(FILE *tmp, int saved)
{
	long len;
	char *text;

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	len = ftell(tmp);
	text = calloc(1, len + 1);
	rewind(tmp);
	if (fread(text, 1, len, tmp) != (size_t)len)
		*text = '\0';
	fclose(tmp);
	return text;
}

/* Runs an output over everything, its stdout and stderr into strings. */
static void capture(struct tl_output *(*make)(FILE *f, bool color), bool color, char **out,
		    char **err)
{
	size_t n;
	FILE *f = open_memstream(out, &n);
	int saved;
	FILE *tmp = stderr_to_tmp(&saved);
	struct tl_output *o = make(f, color);

	run_all(o);
	o->free(o);
	fclose(f);
	*err = stderr_restore(tmp, saved);
}

static struct tl_output *make_json(FILE *f, bool color)
{
	(void)color;
	return tl_output_json_new(f);
}

static struct tl_output *make_summary(FILE *f, bool color)
{
	(void)color;
	return tl_output_summary_new(f);
}

#define MAX_LINES 64

/* JSON: parses every line; returns how many. */
static int json_parse_lines(char *text, json_t *objs[MAX_LINES])
{
	int n = 0;

	for (char *line = strtok(text, "\n"); line && n < MAX_LINES; line = strtok(NULL, "\n")) {
		json_error_t e;

		objs[n] = json_loads(line, 0, &e);
		UNIT_CHECK(json_is_object(objs[n]), "json line %d parses (%s)", n + 1, e.text);
		n++;
	}
	return n;
}

/* The idx-th object of a type. */
static json_t *json_nth(json_t *objs[], int n, const char *type, int idx)
{
	for (int i = 0; i < n; i++) {
		const char *t = json_string_value(json_object_get(objs[i], "type"));

		if (objs[i] && t && !strcmp(t, type) && idx-- == 0)
			return objs[i];
	}
	return NULL;
}

struct json_row {
	int line;
	const char *type;
	int idx;
	const char *key;
	const char *want; /* compact JSON; a real within 1e-6; NULL: absent */
};

static const struct json_row json_rows[] = {
    {__LINE__, "start", 0, "ts", "1700000000.122456"},
    {__LINE__, "start", 0, "interface", "\"lo\""},
    {__LINE__, "start", 0, "ports", "[8080]"},
    {__LINE__, "start", 0, "family", "\"any\""},
    {__LINE__, "start", 0, "attach",
     "{\"tc\":\"tcx\",\"state\":\"tp_btf\",\"owner\":\"tp_btf\",\"facts_missing\":[]}"},
    {__LINE__, "start", 0, "both_directions", "false"},
    {__LINE__, "start", 0, "version", "\"" TL_VERSION "\""},
    {__LINE__, "start", 0, "file", NULL},
    {__LINE__, "start", 0, "privileges",
     "{\"user\":\"alice\",\"capabilities\":[\"CAP_NET_ADMIN\"],\"seccomp\":true}"},
    {__LINE__, "packet", 0, "ts", "1700000000.123456"},
    {__LINE__, "packet", 0, "conn", "3"},
    {__LINE__, "packet", 0, "src", "\"127.0.0.1\""},
    {__LINE__, "packet", 0, "sport", "52334"},
    {__LINE__, "packet", 0, "dst", "\"127.0.0.1\""},
    {__LINE__, "packet", 0, "dport", "8080"},
    {__LINE__, "packet", 0, "dir", "\"c2s\""},
    {__LINE__, "packet", 0, "flags", "\"SYN\""},
    {__LINE__, "packet", 0, "flags_raw", "2"},
    {__LINE__, "packet", 0, "seq", "0"},
    {__LINE__, "packet", 0, "ack", "0"},
    {__LINE__, "packet", 0, "seq_raw", "1000000"},
    {__LINE__, "packet", 0, "ack_raw", "0"},
    {__LINE__, "packet", 0, "len", "0"},
    {__LINE__, "packet", 0, "win", "65495"},
    {__LINE__, "packet", 0, "win_scaled", "65495"},
    {__LINE__, "packet", 0, "frame_len", "66"},
    {__LINE__, "packet", 0, "mss", "65495"},
    {__LINE__, "packet", 0, "wscale", "7"},
    {__LINE__, "packet", 0, "sack_perm", "true"},
    {__LINE__, "packet", 0, "tsval", "1"},
    {__LINE__, "packet", 0, "tsecr", "0"},
    {__LINE__, "packet", 0, "options", "\"MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=128\""},
    {__LINE__, "packet", 1, "dir", "\"s2c\""},
    {__LINE__, "packet", 1, "flags", "\"SYN, ACK\""},
    {__LINE__, "packet", 1, "flags_raw", "18"},
    {__LINE__, "packet", 1, "ack", "1"},
    {__LINE__, "packet", 1, "ack_raw", "1000001"},
    {__LINE__, "packet", 1, "src", "\"127.0.0.1\""},
    {__LINE__, "packet", 1, "sport", "8080"},
    {__LINE__, "packet", 3, "len", "77"},
    {__LINE__, "packet", 3, "win", "512"},
    {__LINE__, "packet", 3, "win_scaled", "65536"},
    {__LINE__, "packet", 3, "mss", NULL},
    {__LINE__, "packet", 3, "wscale", NULL},
    {__LINE__, "packet", 3, "sack_perm", NULL},
    {__LINE__, "packet", 3, "tsval", "3"},
    {__LINE__, "packet", 3, "options", "\"TSval=3 TSecr=2\""},
    {__LINE__, "packet", 5, "options", NULL},
    {__LINE__, "packet", 5, "tsval", NULL},
    {__LINE__, "packet", 9, "src", "\"::1\""},
    {__LINE__, "packet", 10, "flags", "\"RST\""},
    {__LINE__, "state", 0, "conn", "3"},
    {__LINE__, "state", 0, "side", "\"client\""},
    {__LINE__, "state", 0, "old", "\"CLOSE\""},
    {__LINE__, "state", 0, "new", "\"SYN_SENT\""},
    {__LINE__, "state", 0, "pid", "4242"},
    {__LINE__, "state", 0, "comm", "\"curl\""},
    {__LINE__, "state", 0, "inferred", "false"},
    {__LINE__, "state", 2, "side", "\"server\""},
    {__LINE__, "state", 2, "pid", NULL},
    {__LINE__, "state", 2, "comm", NULL},
    {__LINE__, "state", 5, "new", "\"TIME_WAIT\""},
    {__LINE__, "state", 5, "inferred", "true"},
    {__LINE__, "state", 5, "ts", "1700000005.124456"},
    {__LINE__, "http", 0, "conn", "3"},
    {__LINE__, "http", 0, "dir", "\"request\""},
    {__LINE__, "http", 0, "method", "\"GET\""},
    {__LINE__, "http", 0, "uri", "\"/index.html\""},
    {__LINE__, "http", 0, "version", "\"HTTP/1.1\""},
    {__LINE__, "http", 0, "seq", "1"},
    {__LINE__, "http", 0, "range", "\"bytes=0-99\""},
    {__LINE__, "http", 0, "connection", "\"keep-alive\""},
    {__LINE__, "http", 0, "content_length", NULL},
    {__LINE__, "http", 0, "status", NULL},
    {__LINE__, "http", 1, "dir", "\"response\""},
    {__LINE__, "http", 1, "version", "\"HTTP/1.1\""},
    {__LINE__, "http", 1, "status", "200"},
    {__LINE__, "http", 1, "reason", "\"OK\""},
    {__LINE__, "http", 1, "content_type", "\"text/html\""},
    {__LINE__, "http", 1, "content_length", "1100"},
    {__LINE__, "http", 1, "request_method", "\"GET\""},
    {__LINE__, "http", 1, "request_uri", "\"/index.html\""},
    {__LINE__, "http", 1, "latency_ms", "0.220"},
    {__LINE__, "http", 1, "method", NULL},
    {__LINE__, "http", 1, "connection", NULL},
    {__LINE__, "http", 3, "request_method", NULL},
    {__LINE__, "http", 3, "latency_ms", NULL},
    {__LINE__, "conn", 0, "ts", "1700000005.124456"},
    {__LINE__, "conn", 0, "conn", "3"},
    {__LINE__, "conn", 0, "client", "\"127.0.0.1:52334\""},
    {__LINE__, "conn", 0, "server", "\"127.0.0.1:8080\""},
    {__LINE__, "conn", 0, "client_pid", "4242"},
    {__LINE__, "conn", 0, "client_comm", "\"curl\""},
    {__LINE__, "conn", 0, "server_pid", "4100"},
    {__LINE__, "conn", 0, "server_comm", "\"tcplife-httpd\""},
    {__LINE__, "conn", 0, "start", "1700000000.123456"},
    {__LINE__, "conn", 0, "end", "1700000005.124456"},
    {__LINE__, "conn", 0, "duration_ms", "5001.0"},
    {__LINE__, "conn", 0, "bytes_c2s", "77"},
    {__LINE__, "conn", 0, "bytes_s2c", "1300"},
    {__LINE__, "conn", 0, "packets", "9"},
    {__LINE__, "conn", 0, "requests", "1"},
    {__LINE__, "conn", 0, "responses", "1"},
    {__LINE__, "conn", 0, "closed_by", "\"client\""},
    {__LINE__, "conn", 0, "time_wait", "\"client\""},
    {__LINE__, "conn", 0, "mid_stream", "false"},
    {__LINE__, "conn", 0, "roles_guessed", "false"},
    {__LINE__, "conn", 0, "incomplete", "false"},
    {__LINE__, "conn", 0, "open_at_exit", "false"},
    {__LINE__, "conn", 0, "evicted", "false"},
    {__LINE__, "conn", 0, "reset_by", "null"},
    {__LINE__, "conn", 0, "handshake", "null"},
    {__LINE__, "conn", 0, "syns", "0"},
    {__LINE__, "conn", 0, "states_missing", "false"},
    {__LINE__, "conn", 1, "client", "\"[::1]:40000\""},
    {__LINE__, "conn", 1, "server_pid", "null"},
    {__LINE__, "conn", 1, "server_comm", "null"},
    {__LINE__, "conn", 1, "closed_by", "null"},
    {__LINE__, "conn", 1, "time_wait", "null"},
    {__LINE__, "conn", 1, "mid_stream", "true"},
    {__LINE__, "conn", 1, "roles_guessed", "true"},
    {__LINE__, "conn", 1, "incomplete", "true"},
    {__LINE__, "conn", 1, "open_at_exit", "true"},
    {__LINE__, "conn", 1, "bytes_c2s", "600"},
    {__LINE__, "time_wait_end", 0, "ts", "1700000065.136456"},
    {__LINE__, "time_wait_end", 0, "conn", "3"},
    {__LINE__, "time_wait_end", 0, "side", "\"client\""},
    {__LINE__, "time_wait_end", 0, "local", "\"127.0.0.1:52334\""},
    {__LINE__, "time_wait_end", 0, "remote", "\"127.0.0.1:8080\""},
    {__LINE__, "time_wait_end", 0, "duration_ms", "60012.0"},
    {__LINE__, "time_wait_end", 0, "confirmed", "true"},
    {__LINE__, "time_wait_end", 0, "ended_by", "\"timer\""},
    {__LINE__, "time_wait_end", 1, "side", "\"server\""},
    {__LINE__, "time_wait_end", 1, "duration_ms", "2700.0"},
    {__LINE__, "time_wait_end", 1, "ended_by", "\"reused\""},
    {__LINE__, "loss", 0, "ts", "1700000069.123456"},
    {__LINE__, "loss", 0, "lost", "12"},
    {__LINE__, "stats", 0, "events", "1234"},
    {__LINE__, "stats", 0, "lost", "12"},
    {__LINE__, "stats", 0, "connections", "2"},
    {__LINE__, "stats", 0, "states_missing", "1"},
};

static bool json_value_is(json_t *v, const char *want)
{
	char *got;
	bool same;

	if (!want || !v)
		return !want && !v;
	if (json_is_real(v))
		return fabs(json_real_value(v) - strtod(want, NULL)) <= 1e-6;
	got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	same = got && !strcmp(got, want);
	free(got);
	return same;
}

static void check_json_rows(json_t *objs[], int n)
{
	for (size_t i = 0; i < sizeof(json_rows) / sizeof(json_rows[0]); i++) {
		const struct json_row *r = &json_rows[i];
		json_t *o = json_nth(objs, n, r->type, r->idx);

		UNIT_CHECK_AT(r->line, o && json_value_is(json_object_get(o, r->key), r->want),
			      "json %s #%d %s is %s", r->type, r->idx, r->key,
			      r->want ? r->want : "absent");
	}
}

/* What no script should have to guess: wire bytes arrive as JSON strings,
 * the binary URI in full. */
static void check_json_hostile(json_t *objs[], int n)
{
	json_t *req = json_nth(objs, n, "http", 2);
	json_t *conn = json_nth(objs, n, "conn", 1);
	const char *uri = json_string_value(json_object_get(req, "uri"));
	const char *comm = json_string_value(json_object_get(conn, "client_comm"));

	UNIT_CHECK(uri && uri[0] == '\x01' && strlen(uri) > TL_HTTP_URI_MAX - 1,
		   "json hostile uri kept whole, invalid bytes replaced");
	UNIT_CHECK(comm && !strcmp(comm, "\x1b]0;pwn\x07"), "json comm escaped, round trip");
	UNIT_CHECK(json_string_value(json_object_get(json_nth(objs, n, "http", 3), "reason")),
		   "json hostile reason is a string");
}

static void test_json(void)
{
	char *out, *err;
	json_t *objs[MAX_LINES];
	int n;

	capture(make_json, false, &out, &err);
	UNIT_CHECK(!strcmp(err, ""), "json writes nothing to stderr");
	UNIT_CHECK(strstr(out, "\"ts\":1700000000.123456,") != NULL, "json ts has 6 decimals");
	n = json_parse_lines(out, objs);
	UNIT_CHECK(n == 1 + 17 + 4 + 2 + 4, "json one line per event (%d)", n);
	check_json_rows(objs, n);
	check_json_hostile(objs, n);
	for (int i = 0; i < n; i++)
		json_decref(objs[i]);
	free(out);
	free(err);
}

/* A start record from a capture file: no interface, no attach points. */
static void test_json_file(void)
{
	const struct tl_start_info info = {
	    T0,	      NULL,	    NULL,
	    0,	      AF_INET6,	    NULL,
	    NULL,     NULL,	    false,
	    "x.pcap", NULL,	    NULL,
	    NULL,     TL_TIME_CONN, .verbose = false,
	};
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	struct tl_output *o = tl_output_json_new(f);
	json_t *j;

	o->start(o, &info);
	o->free(o);
	fclose(f);
	j = json_loads(out, 0, NULL);
	UNIT_CHECK(json_value_is(json_object_get(j, "interface"), "null"),
		   "json file: interface null");
	UNIT_CHECK(!json_object_get(j, "attach"), "json file: no attach");
	UNIT_CHECK(!json_object_get(j, "privileges"), "json file: no privileges");
	UNIT_CHECK(json_value_is(json_object_get(j, "file"), "\"x.pcap\""), "json file: file");
	UNIT_CHECK(json_value_is(json_object_get(j, "ports"), "[]"), "json file: all ports []");
	UNIT_CHECK(json_value_is(json_object_get(j, "family"), "\"ipv6\""), "json file: ipv6");
	json_decref(j);
	free(out);
}

struct text_row {
	int line;
	const char *want; /* a whole line of the output */
};

static const struct text_row text_rows[] = {
    {__LINE__, "#3 127.0.0.1:52334 -> 127.0.0.1:8080   client curl[4242]   server "
	       "tcplife-httpd[4100]"},
    {__LINE__, "  time        dir             segment"},
    {__LINE__, "  +0.000000   52334 -> 8080   [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM "
	       "TSval=1 TSecr=0 WS=128"},
    {__LINE__, "  +0.000000                   client CLOSE -> SYN_SENT"},
    {__LINE__, "  +0.000021   8080 -> 52334   [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 "
	       "SACK_PERM TSval=2 TSecr=1 WS=128"},
    {__LINE__, "  +0.000040   52334 -> 8080   [ACK] Seq=1 Ack=1 Win=65536 Len=0 TSval=3 TSecr=2"},
    {__LINE__, "  +0.000040                   server LISTEN -> SYN_RECV"},
    {__LINE__, "  +0.000300   52334 -> 8080   [PSH, ACK] Seq=1 Ack=1 Win=65536 Len=77 TSval=3 "
	       "TSecr=2"},
    {__LINE__, "                              GET /index.html HTTP/1.1  (Range: bytes=0-99, "
	       "Connection: keep-alive)"},
    {__LINE__, "                              HTTP/1.1 200 OK  (text/html, 1100 bytes, 0.220 ms "
	       "after GET /index.html)"},
    {__LINE__, "  +0.000600   52334 -> 8080   [ACK] Seq=78 Ack=1301 Win=65280 Len=0"},
    {__LINE__, "  +5.001000                   client FIN_WAIT2 -> TIME_WAIT (inferred: its socket "
	       "handed over to "
	       "a timewait socket)"},
    {__LINE__, "  = curl[4242] -> tcplife-httpd[4100]  5.001 s  C>S 77 B  S>C 1300 B  1 request  "
	       "closed by client  TIME_WAIT: client"},
    {__LINE__, "#4 [::1]:40000 -> [::1]:8080   client \\x1b]0;pwn\\x07[666]   server ?  (joined "
	       "mid-stream)  (roles guessed: no SYN seen)"},
    {__LINE__, "  +0.000900   8080 -> 40000   [RST] Seq=1 Win=0 Len=0"},
    {__LINE__,
     "                              HTTP/1.1 200 \\x1b[31mOK\\x0d\\x0a\\xff\\xfe\\xc2\\x9b2J"
     "  (text/\\xc3(html\\xe2\\x80\\xae, 1100 bytes)"},
    {__LINE__, "  = \\x1b]0;pwn\\x07[666] -> ?  0.900 ms  C>S 600 B  S>C 0 B  1 request  (still "
	       "open at exit)  (INCOMPLETE: events lost)"},
    {__LINE__, "#3 client TIME_WAIT ended after 60.012 s (127.0.0.1:52334) (confirmed by "
	       "sock_diag)"},
    {__LINE__, "#4 server TIME_WAIT ended after 2.700 s ([::1]:8080) (confirmed by "
	       "sock_diag): a new connection reused the tuple"},
};

/* has_line: text holds want as a whole line. */
static bool has_line(const char *text, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = text; (p = strstr(p, want)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* Columns of a UTF-8 line: one per code point. */
static size_t columns(const char *line, size_t len)
{
	size_t cols = 0;

	for (size_t i = 0; i < len; i++)
		cols += ((unsigned char)line[i] & 0xc0) != 0x80;
	return cols;
}

/* Nothing from the wire reaches the terminal raw: valid UTF-8, no control
 * byte but newline, and no line past ~200 columns. */
static void check_text_safe(const char *out)
{
	size_t widest = 0;
	bool controls = false;
	json_t *utf8 = json_stringn(out, strlen(out));

	for (const char *p = out, *nl; *p; p = nl + 1) {
		size_t cols;

		nl = strchr(p, '\n');
		if (!nl)
			break;
		cols = columns(p, nl - p);
		widest = cols > widest ? cols : widest;
	}
	for (const char *p = out; *p; p++)
		controls |= (unsigned char)*p < 0x20 && *p != '\n';
	UNIT_CHECK(utf8 != NULL, "text output is valid UTF-8");
	UNIT_CHECK(!controls, "text output has no control byte");
	UNIT_CHECK(widest <= 201, "text lines within 200 columns (%zu)", widest);
	UNIT_CHECK(strstr(out, "\\x01\\x02\\x03") && strstr(out, "…\n"),
		   "binary URI escaped, cut with an ellipsis");
	json_decref(utf8);
}

static void test_text(void)
{
	char *out, *err;

	capture(tl_output_text_new, false, &out, &err);
	for (size_t i = 0; i < sizeof(text_rows) / sizeof(text_rows[0]); i++)
		UNIT_CHECK_AT(text_rows[i].line, has_line(out, text_rows[i].want), "text line");
	UNIT_CHECK(strstr(out, "#3 ") < strstr(out, "#4 "), "text blocks in the order lives end");
	check_text_safe(out);
	UNIT_CHECK(has_line(err, "Tracing TCP on lo (ports 8080; tcx, tp_btf)... Ctrl-C to end."),
		   "text start line on stderr");
	UNIT_CHECK(has_line(err, "tcplife-http: warning: 12 events lost (ring buffer full); "
				 "affected connections are marked INCOMPLETE"),
		   "text loss warning on stderr");
	UNIT_CHECK(has_line(err, "1234 events, 12 lost, 2 connections"), "text stats on stderr");
	UNIT_CHECK(has_line(err, "tcplife-http: 1 connection ended without their sockets' last "
				 "states (marked INCOMPLETE)"),
		   "text states_missing count on stderr");
	free(out);
	free(err);
}

/* A capture read with -r and -t r: the No. column holds each segment's
 * frame number (none on a state line), times count from the trace's first
 * segment, and one connection is "1 connection". */
struct numbered_row {
	int line;
	const char *want;
};

static const struct numbered_row numbered_rows[] = {
    {__LINE__, "  No.     time        dir             segment"},
    {__LINE__, "  7        0.000000   52334 -> 8080   [SYN] Seq=0 Win=65495 Len=0"},
    {__LINE__, "           0.000250                   client CLOSE -> SYN_SENT"},
    {__LINE__, "  12       0.001500   8080 -> 52334   [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0"},
    {__LINE__, "                                      GET /a… HTTP/1.1"},
    {__LINE__, "                                      GET /b…"},
};

static void play_numbered(struct tl_output *o)
{
	static const struct tl_start_info info = {T0,
						  NULL,
						  ports,
						  1,
						  0,
						  NULL,
						  NULL,
						  NULL,
						  false,
						  "x.pcap",
						  NULL,
						  NULL,
						  NULL,
						  TL_TIME_RELATIVE,
						  .verbose = false};
	struct tl_stats_info st = {T0, 1, 0, 1, 0};
	struct tl_tcp_opts none = {0};
	struct tl_packet p = {.sport = 52334, .dport = 8080, .flags = TL_SYN, .window = 65495};
	struct tl_pkt_view v = {
	    .ts_ns = T0, .pkt = &p, .win_scaled = 65495, .opts = &none, .frame_no = 7};
	struct tl_http_msg m = {.kind = TL_HTTP_REQUEST,
				.method = "GET",
				.uri = "/a",
				.version = "HTTP/1.1",
				.uri_truncated = true,
				.content_length = -1,
				.uri_len = 2};
	struct tl_http_view hv = {.ts_ns = T0, .msg = &m};
	struct tl_state_view sv = {
	    .ts_ns = T0 + 250 * US, .old_state = TL_CLOSE, .new_state = TL_SYN_SENT};
	struct tl_conn c;

	o->start(o, &info);
	conn_init(&c, 1, lo4_mapped, 52334);
	o->sink.on_packet(o->sink.ctx, &c, &v);
	o->sink.on_state(o->sink.ctx, &c, &sv);
	p = (struct tl_packet){
	    .sport = 8080, .dport = 52334, .flags = TL_SYN | TL_ACK, .window = 65483};
	v = (struct tl_pkt_view){.ts_ns = T0 + 1500 * US,
				 .pkt = &p,
				 .from = TL_SERVER,
				 .ack = 1,
				 .win_scaled = 65483,
				 .opts = &none,
				 .frame_no = 12};
	o->sink.on_packet(o->sink.ctx, &c, &v);
	o->sink.on_http(o->sink.ctx, &c, &hv);
	/* A request line the bytes kept cut inside its URI: no version. */
	memcpy(m.uri, "/b", 3);
	m.version[0] = '\0';
	o->sink.on_http(o->sink.ctx, &c, &hv);
	o->sink.on_conn_end(o->sink.ctx, &c);
	o->stats(o, &st);
}

static void test_text_numbered(void)
{
	char *out, *err;
	size_t n;
	FILE *f = open_memstream(&out, &n);
	int saved;
	FILE *tmp = stderr_to_tmp(&saved);
	struct tl_output *o = tl_output_text_new(f, false);

	play_numbered(o);
	o->free(o);
	fclose(f);
	err = stderr_restore(tmp, saved);
	for (size_t i = 0; i < sizeof(numbered_rows) / sizeof(numbered_rows[0]); i++)
		UNIT_CHECK_AT(numbered_rows[i].line, has_line(out, numbered_rows[i].want),
			      "numbered text line");
	UNIT_CHECK(has_line(err, "1 event, 0 lost, 1 connection"), "text stats: 1 connection");
	free(out);
	free(err);
}

/* Colour: codes around flags, states and HTTP; the wire's own escape
 * sequences still escaped. */
static void test_text_color(void)
{
	char *out, *err;

	capture(tl_output_text_new, true, &out, &err);
	UNIT_CHECK(strstr(out, "\033[1m[SYN]\033[0m Seq=0") != NULL, "color: flags bold");
	UNIT_CHECK(strstr(out, "\033[1;31m[RST]\033[0m") != NULL, "color: RST red");
	UNIT_CHECK(strstr(out, "\033[33mclient CLOSE -> SYN_SENT\033[0m") != NULL,
		   "color: state yellow");
	UNIT_CHECK(strstr(out, "\033[36mGET /index.html") != NULL, "color: HTTP cyan");
	UNIT_CHECK(!strstr(out, "\033[31mOK") && !strstr(out, "\033]0;"),
		   "color: wire escapes still escaped");
	free(out);
	free(err);
}

static const __u16 two_ports[] = {80, 8080};

static const struct start_row {
	int line;
	struct tl_start_info info;
	const char *want;
} start_rows[] = {
    {__LINE__,
     {0, "lo", ports, 1, 0, "tcx", "tp_btf", "tp_btf", false, NULL, &dropped, "", NULL,
      TL_TIME_CONN, .verbose = true},
     "Tracing TCP on lo (ports 8080; tcx, tp_btf)... Ctrl-C to end.\n"},
    {__LINE__,
     {0, "lo", ports, 1, 0, "tcx", "tp_btf", "tp_btf", false, NULL, &dropped,
      "kfree_skb tcp_send_reset", NULL, TL_TIME_CONN, .verbose = true},
     "Tracing TCP on lo (ports 8080; tcx, tp_btf)... Ctrl-C to end.\n"
     "Without these kernel tracepoints (not on this kernel, or no tp_btf): kfree_skb "
     "tcp_send_reset\n"},
    {__LINE__,
     {0, "eth0", two_ports, 2, AF_INET, "clsact", "raw_tp", "none", true, NULL, &dropped, NULL,
      NULL, TL_TIME_CONN, .verbose = true},
     "Tracing TCP on eth0 (ports 80, 8080, IPv4 only; clsact, raw_tp, owner none)... Ctrl-C "
     "to end.\n"},
    {__LINE__,
     {0, "lo", NULL, 0, AF_INET6, "tcx", "tracepoint", "tracepoint", false, NULL, &dropped, NULL,
      NULL, TL_TIME_CONN, .verbose = true},
     "Tracing TCP on lo (all ports, IPv6 only; tcx, tracepoint)... Ctrl-C to end.\n"},
    {__LINE__,
     {0, NULL, ports, 1, 0, NULL, NULL, NULL, false, "x.pcap", NULL, NULL, NULL, TL_TIME_CONN,
      .verbose = false},
     "Reading x.pcap (ports 8080)...\n"},
};

/* The text output's start line, on stderr, for each way of running. */
static void test_text_start(void)
{
	for (size_t i = 0; i < sizeof(start_rows) / sizeof(start_rows[0]); i++) {
		const struct start_row *r = &start_rows[i];
		struct tl_output *o = tl_output_text_new(stdout, false);
		int saved;
		FILE *tmp = stderr_to_tmp(&saved);
		char *err;

		o->start(o, &r->info);
		err = stderr_restore(tmp, saved);
		UNIT_CHECK_AT(r->line, !strcmp(err, r->want), "text start line");
		o->free(o);
		free(err);
	}
}

#define LONG_SEGMENTS 70000 /* about 4.4 MiB of lines: past the cap */

/* The start of a line: "\n" and the time column of a step at t_us. */
#define LINE_AT(t_us) "\n  +0.00000" #t_us "   "

/* A bulk transfer's timeline keeps its start and its end, the events
 * between counted (a segment and a state change each, not the HTTP line
 * under a segment); a life with no event at all still gets its header and
 * summary. */
static void test_text_long(void)
{
	static const struct step head[] = {
	    PKT(1, TL_CLIENT, TL_PSH | TL_ACK, 1, 1, 77, 512, 512, NULL),
	    {STEP_HTTP, 1, TL_CLIENT, .seq = 1, .msg = &req_msg},
	};
	static const struct step seg = PKT(2, TL_SERVER, TL_ACK, 1, 1, 1000, 512, 512, NULL);
	static const struct step end[] = {
	    PKT(3, TL_SERVER, TL_FIN | TL_ACK, 1, 78, 0, 512, 512, NULL),
	    STATE(3, TL_SERVER, TL_ESTABLISHED, TL_FIN_WAIT1),
	};
	char *out = NULL, *dropped;
	size_t len, shown = 0;
	FILE *f = open_memstream(&out, &len);
	struct tl_output *o = tl_output_text_new(f, false);
	struct tl_conn c;

	conn_init(&c, 7, lo4_mapped, 50000);
	play(&o->sink, &c, lo4_mapped, head, 2);
	for (int i = 0; i < LONG_SEGMENTS; i++)
		play(&o->sink, &c, lo4_mapped, &seg, 1);
	play(&o->sink, &c, lo4_mapped, end, 2);
	o->sink.on_conn_end(o->sink.ctx, &c);
	conn_init(&c, 8, lo4_mapped, 50001);
	o->sink.on_conn_end(o->sink.ctx, &c);
	o->free(o);
	fclose(f);
	for (const char *p = out; (p = strstr(p, LINE_AT(2))); p++)
		shown++;
	dropped = strstr(out, "\n  ... ");
	UNIT_CHECK(len < ((size_t)4 << 20) + 4096, "text timeline capped (%zu bytes)", len);
	UNIT_CHECK(strstr(out, LINE_AT(1) "50000 -> 8080   [PSH, ACK] Seq=1 Ack=1 Win=512 Len=77\n"
					  "                              GET /index.html HTTP/1.1"),
		   "text: a long timeline keeps its start (the request)");
	UNIT_CHECK(dropped && strstr(dropped, LINE_AT(3) "8080 -> 50000   [FIN, ACK]") &&
		       strstr(dropped, "server ESTABLISHED -> FIN_WAIT1\n  = "),
		   "text: a long timeline keeps its end after the elided middle (FIN, state)");
	UNIT_CHECK(dropped && strtoul(dropped + 7, NULL, 10) + shown == LONG_SEGMENTS,
		   "text: the events left out counted (%lu + %zu shown)",
		   dropped ? strtoul(dropped + 7, NULL, 10) : 0, shown);
	UNIT_CHECK(has_line(out, "#8 127.0.0.1:50001 -> 127.0.0.1:8080   client ?   server ?") &&
		       has_line(out, "  = ? -> ?  0.000 ms  C>S 0 B  S>C 0 B  0 requests"),
		   "text: a life without events");
	free(out);
}

/* Runs a chunked response to a request whose target holds NUL and a
 * control byte through the output make makes; returns what it wrote. */
static char *odd_exchange(struct tl_output *(*make)(FILE *f, bool color))
{
	static const struct tl_http_msg req = {.kind = TL_HTTP_REQUEST,
					       .method = "GET",
					       .uri = "/\0\x01",
					       .uri_len = 3,
					       .version = "HTTP/1.1",
					       .content_length = -1};
	static const struct tl_http_msg rsp = {.kind = TL_HTTP_RESPONSE,
					       .version = "HTTP/1.1",
					       .status = 200,
					       .reason = "OK",
					       .content_length = -1,
					       .transfer_encoding = "chunked",
					       .chunked = true};
	static const struct tl_pending_request pend = {T0, "GET", "/\0\x01", 3};
	static const struct step steps[] = {
	    {STEP_HTTP, 0, TL_CLIENT, .seq = 1, .msg = &req},
	    {STEP_HTTP, 2, TL_SERVER, .seq = 1, .msg = &rsp, .request = &pend, .latency_us = 2},
	};
	struct tl_exchange_view x = {T0 + 9 * US, &pend,       200,	    "",	  -1,
				     3500,	  T0 + 2 * US, T0 + 9 * US, true, true};
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	struct tl_output *o = make(f, false);
	struct tl_conn c;

	conn_init(&c, 9, lo4_mapped, 50009);
	play(&o->sink, &c, lo4_mapped, steps, sizeof(steps) / sizeof(steps[0]));
	o->sink.on_exchange(o->sink.ctx, &c, &x);
	o->sink.on_conn_end(o->sink.ctx, &c);
	o->free(o);
	fclose(f);
	return out;
}

static void test_http_odd(void)
{
	char *out = odd_exchange(tl_output_text_new);

	UNIT_CHECK(has_line(out, "                              GET /\\x00\\x01 HTTP/1.1"),
		   "text: a target with NUL shown whole, escaped");
	UNIT_CHECK(has_line(out, "                              HTTP/1.1 200 OK  (chunked, 0.002 "
				 "ms after GET /\\x00\\x01)"),
		   "text: chunked in the response line");
	UNIT_CHECK(has_line(out, "                              = GET /\\x00\\x01 -> 200, 3500 "
				 "body bytes, chunked, first byte 0.002 ms, last byte 0.009 ms "
				 "after the request"),
		   "text: chunked in the exchange line");
	free(out);
	out = odd_exchange(make_json);
	UNIT_CHECK(strstr(out, "\"uri\":\"/\\u0000\\u0001\"") &&
		       strstr(out, "\"request_uri\":\"/\\u0000\\u0001\""),
		   "json: a target with NUL kept whole, escaped");
	UNIT_CHECK(strstr(out, "\"transfer_encoding\":\"chunked\"") &&
		       strstr(out, "\"revalidated\":false,\"chunked\":true}"),
		   "json: transfer_encoding and chunked");
	free(out);
}

static void test_summary(void)
{
	char *out, *err;

	capture(make_summary, false, &out, &err);
	UNIT_CHECK(has_line(out, "PID     COMM             LADDR           LPORT RADDR           "
				 "RPORT TX_KB RX_KB MS        RTT_MS"),
		   "summary header");
	UNIT_CHECK(has_line(out, "4242    curl             127.0.0.1       52334 127.0.0.1       "
				 "8080      0     1 5001.00   -"),
		   "summary line: client's view, KB, ms");
	UNIT_CHECK(has_line(out, "666     ?]0;pwn?         ::1             40000 ::1             "
				 "8080      0     0 0.90      -"),
		   "summary line: IPv6, comm made printable");
	UNIT_CHECK(!strstr(out, "#3"), "summary: nothing but the table");
	UNIT_CHECK(has_line(err, "2 connections (12 events lost)"), "summary stats on stderr");
	free(out);
	free(err);
}

/* -6: tcplife -w's address columns; an unknown process is "?". */
static void test_summary_ipv6(void)
{
	struct tl_start_info info = start_lo;
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	struct tl_output *o = tl_output_summary_new(f);
	struct tl_conn c;

	info.family = AF_INET6;
	o->start(o, &info);
	conn_init(&c, 5, lo6, 40001);
	c.last_ns += 1500 * US;
	/* -r: the payload up to the highest seq, not what was sent again. */
	c.flow[TL_SERVER].bytes = 30 * 1024;
	c.flow[TL_SERVER].unique_bytes = 10 * 1024 + 1023;
	o->sink.on_conn_end(o->sink.ctx, &c);
	/* Live: the client socket's bytes_acked and bytes_received, as tcplife. */
	c.tcp_info[TL_CLIENT] = (struct tl_tcp_info){.valid = true,
						     .rtt_measured = true,
						     .srtt_us = 1031,
						     .bytes_acked = 2 * 1024,
						     .bytes_received = 20 * 1024 + 1};
	o->sink.on_conn_end(o->sink.ctx, &c);
	o->free(o);
	fclose(f);
	UNIT_CHECK(
	    has_line(out,
		     "PID     COMM             LADDR                                   LPORT "
		     "RADDR                                   RPORT TX_KB RX_KB MS        RTT_MS"),
	    "summary -6 header: 39-column addresses");
	UNIT_CHECK(
	    has_line(out, "?       ?                ::1                                     40001 "
			  "::1                                     8080      0    10 1.50      -"),
	    "summary -6 line, unknown process, bytes each once");
	UNIT_CHECK(
	    has_line(out,
		     "?       ?                ::1                                     40001 "
		     "::1                                     8080      2    20 1.50      1.031"),
	    "summary -6 line: the client's srtt in ms, its socket's bytes");
	free(out);
}

/* A simultaneous close leaves a timewait socket on each side: "both", in
 * JSON as README says and in the text, not the server's name. */
static void test_time_wait_both(void)
{
	char *out = NULL, *text = NULL;
	size_t len, tlen;
	FILE *f = open_memstream(&out, &len), *tf = open_memstream(&text, &tlen);
	struct tl_output *o = tl_output_json_new(f), *t = tl_output_text_new(tf, false);
	struct tl_conn c;
	json_t *j;

	conn_init(&c, 9, lo6, 40002);
	c.closed_by = TL_CLOSED_CLIENT;
	c.time_wait = TL_TW_BOTH;
	o->sink.on_conn_end(o->sink.ctx, &c);
	t->sink.on_conn_end(t->sink.ctx, &c);
	o->free(o);
	t->free(t);
	fclose(f);
	fclose(tf);
	j = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
	UNIT_CHECK(json_value_is(json_object_get(j, "time_wait"), "\"both\""),
		   "json time_wait both");
	UNIT_CHECK(strstr(text, "  TIME_WAIT: both") != NULL, "text TIME_WAIT: both");
	json_decref(j);
	free(out);
	free(text);
}

/* A side whose kernel never measured an RTT (a refused connect, a SYN that
 * timed out) has srtt_us 0 and rttvar_us its initial 250 ms: not an RTT of
 * 0. The text and --summary say "-" (ss leaves rtt: out), JSON
 * rtt_measured false beside the kernel's values. */
static struct tl_output *make_text_plain(FILE *f) { return tl_output_text_new(f, false); }

static void test_tcp_info_unmeasured(void)
{
	struct tl_output *(*const make[])(FILE * f) = {make_text_plain, tl_output_json_new,
						       tl_output_summary_new};
	char *out[3] = {NULL};
	struct tl_conn c;
	json_t *j, *ti;

	conn_init(&c, 11, lo6, 40003);
	c.tcp_info[TL_CLIENT] =
	    (struct tl_tcp_info){.valid = true, .state = TL_CLOSE, .rttvar_us = 250000, .cwnd = 1};
	c.tcp_info[TL_SERVER] = (struct tl_tcp_info){
	    .valid = true, .state = TL_CLOSE, .rtt_measured = true, .srtt_us = 31, .cwnd = 10};
	for (int i = 0; i < 3; i++) {
		size_t len;
		FILE *f = open_memstream(&out[i], &len);
		struct tl_output *o = make[i](f);

		o->sink.on_conn_end(o->sink.ctx, &c);
		o->free(o);
		fclose(f);
	}
	UNIT_CHECK(strstr(out[0], "  srtt C - S 0.031 ms  retrans C 0 S 0  cwnd C 1 S 10") != NULL,
		   "text: srtt C - when not measured");
	j = json_loads(out[1], JSON_DISABLE_EOF_CHECK, NULL);
	ti = json_object_get(j, "tcp_info");
	UNIT_CHECK(
	    json_value_is(json_object_get(json_object_get(ti, "client"), "rtt_measured"),
			  "false") &&
		json_value_is(json_object_get(json_object_get(ti, "client"), "srtt_ms"), "0.0") &&
		json_value_is(json_object_get(json_object_get(ti, "server"), "rtt_measured"),
			      "true"),
	    "json: rtt_measured false beside srtt_ms 0, true where measured");
	UNIT_CHECK(has_line(out[2],
			    "?       ?                ::1             40003 ::1             "
			    "8080      0     0 0.00      -"),
		   "summary: RTT_MS - when not measured");
	json_decref(j);
	for (int i = 0; i < 3; i++)
		free(out[i]);
}

/* The lab view: a legend on the block, TSval/TSecr left out without -v,
 * --why, --headers, a preconnect named, and --lang zh's words. */
static const struct tl_http_msg lab_304 = {.kind = TL_HTTP_RESPONSE,
					   .version = "HTTP/1.1",
					   .status = 304,
					   .reason = "Not Modified",
					   .content_length = -1};

static const struct step lab_life[] = {
    STATE(0, TL_CLIENT, TL_CLOSE, TL_SYN_SENT, .cause = TL_CAUSE_CONNECT),
    PKT(0, TL_CLIENT, TL_SYN, 0, 0, 0, 65495, 65495, &syn_opts),
    {STEP_PKT, 21, TL_SERVER, .flags = TL_SYN | TL_ACK, .ack = 1, .win = 65483, .win_scaled = 65483,
     .opts = &synack_opts, .win_scale = 1024},
    {STEP_PKT, 40, TL_CLIENT, .flags = TL_ACK, .seq = 1, .ack = 1, .win = 512, .win_scaled = 65536,
     .opts = &ts_opts, .win_scale = 128},
    STATE(40, TL_SERVER, TL_LISTEN, TL_SYN_RECV, .cause = TL_CAUSE_SYN),
    PKT(520, TL_SERVER, TL_PSH | TL_ACK, 1, 78, 120, 512, 65536, &ts_opts),
    {STEP_HTTP, 520, TL_SERVER, .seq = 1, .msg = &lab_304,
     .head = "HTTP/1.1 304 Not Modified\r\nETag: \"18ec-5a6\"\r\nKeep-Alive: timeout=5\r\nServer: "
	     "x\r\nDate: Sat, 28 Nov 2026 04:33:45 GMT\r\n"},
    STATE(5000000, TL_CLIENT, TL_ESTABLISHED, TL_FIN_WAIT1, .cause = TL_CAUSE_CLOSE),
    STATE(5000900, TL_CLIENT, TL_FIN_WAIT2, TL_CLOSE, .cause = TL_CAUSE_FIN),
    STATE(5000900, TL_CLIENT, TL_FIN_WAIT2, TL_TIME_WAIT, .inferred = true, .cause = TL_CAUSE_FIN),
    STATE(5000950, TL_SERVER, TL_FIN_WAIT2, TL_TIME_WAIT, .inferred = true, .from_packets = true,
	  .cause = TL_CAUSE_FIN),
    STATE(5001000, TL_CLIENT, TL_LAST_ACK, TL_CLOSE, .cause = TL_CAUSE_UNKNOWN),
};

static const struct lab_row {
	int line;
	enum tl_lang lang;
	enum tl_headers_mode headers;
	bool present; /* want is a whole line of the output, or must be in none */
	const char *want;
} lab_rows[] = {
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  ISN (raw): client 1000000, server 2000000  (Seq= and Ack= below are relative to them)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  Window scale: client Win x128, server Win x1024  (Win= below is already multiplied)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  Note: Linux records LISTEN -> SYN_RECV when the handshake's last ACK creates the server's "
     "socket (the textbook: at the SYN)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  Note: FIN_WAIT2 -> CLOSE is Linux handing the connection over to a timewait socket, which "
     "holds TIME_WAIT"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  Note: TIME_WAIT lasts 60 s on Linux (2MSL with MSL = 30 s)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  +0.000000   52334 -> 8080   [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM WS=128"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  +0.000040   52334 -> 8080   [ACK] Seq=1 Ack=1 Win=65536 Len=0"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  +0.000000                   client CLOSE -> SYN_SENT  (why: connect() called, SYN sent)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  +5.001000                   client LAST_ACK -> CLOSE  (why: unknown (the segments seen do "
     "not tell))"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "                                ETag: \"18ec-5a6\""},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "                                Keep-Alive: timeout=5"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, false, "                                Server: x"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_ALL, true, "                                Server: x"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "                                … (only the first 116 bytes of this head were captured: the "
     "rest is not shown)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_NONE, false,
     "                                ETag: \"18ec-5a6\""},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  = curl[4242] -> tcplife-httpd[4100]  5.001 s  C>S 0 B  S>C 120 B  no request  closed by "
     "client  TIME_WAIT: client"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "  初始序号 ISN (原始值): 客户端 1000000, 服务器 2000000  (下面的 Seq= 和 Ack= 是相对序号)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "  窗口扩大因子: 客户端 Win x128, 服务器 Win x1024  (下面的 Win= 已乘以该因子)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "  注: Linux 上 TIME_WAIT 持续 60 秒 (2MSL, MSL = 30 秒)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "  +0.000000                   client CLOSE -> SYN_SENT  (原因: 调用 connect(), 发送 SYN)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  +5.000900                   client FIN_WAIT2 -> TIME_WAIT (inferred: its socket handed "
     "over "
     "to a timewait socket)  (why: FIN received)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "  +5.000950                   server FIN_WAIT2 -> TIME_WAIT (inferred from the packets: it "
     "acknowledged the peer's FIN after its own)  (why: FIN received)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "#3 client TIME_WAIT ended after 60.012 s (127.0.0.1:52334) (confirmed by the kernel)  (why: "
     "timewait timer expired)"},
    {__LINE__, TL_LANG_EN, TL_HEADERS_EXPLAIN, true,
     "#3 server TIME_WAIT ended after 2.700 s (127.0.0.1:8080) (confirmed by the kernel): a new "
     "connection reused the tuple  (why: a new connection's SYN took the tuple over)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "  +5.000900                   client FIN_WAIT2 -> TIME_WAIT (推断: 其套接字已交给 timewait "
     "套接字)  (原因: 收到 FIN)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "  +5.000950                   server FIN_WAIT2 -> TIME_WAIT (据报文推断: 它发出本方 FIN "
     "后又确认了对方的 FIN)  (原因: 收到 FIN)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "#3 client TIME_WAIT 结束, 历时 60.012 s (127.0.0.1:52334) (已由内核确认)  (原因: 2MSL "
     "计时器到期)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "#3 server TIME_WAIT 结束, 历时 2.700 s (127.0.0.1:8080) (已由内核确认): 新连接复用了该四元组"
     "  (原因: 新连接的 SYN 复用了该四元组)"},
    {__LINE__, TL_LANG_ZH, TL_HEADERS_EXPLAIN, true,
     "  = curl[4242] -> tcplife-httpd[4100]  5.001 s  C>S 0 B  S>C 120 B  无请求  "
     "四次挥手: 主动关闭方 客户端, 被动关闭方 服务器  TIME_WAIT (时间等待): 客户端"},
};

/* lab_text: the text output of lab_life in lang, with --why and headers,
 * from client. */
static char *lab_text(enum tl_lang lang, enum tl_headers_mode headers, const struct tl_proc *client)
{
	struct tl_start_info info = start_lo;
	char *out;
	size_t n;
	FILE *f = open_memstream(&out, &n);
	int saved;
	FILE *tmp = stderr_to_tmp(&saved);
	struct tl_output *o = tl_output_text_new(f, false);
	struct tl_conn c;
	struct tl_tw_view timer = {3,
				   TL_CLIENT,
				   .start_ns = T0 + 5001000 * US,
				   .end_ns = T0 + 65013000 * US,
				   .confirmed = true,
				   .cause = TL_CAUSE_TW_TIMER};
	struct tl_tw_view reused = {3,
				    TL_SERVER,
				    .start_ns = T0 + 1000 * US,
				    .end_ns = T0 + 2701000 * US,
				    .confirmed = true,
				    .ended_by = TL_TW_ENDED_REUSED,
				    .cause = TL_CAUSE_TW_REUSED};

	info.verbose = false;
	info.why = true;
	info.headers = headers;
	info.lang = lang;
	o->start(o, &info);
	conn_init(&c, 3, lo4_mapped, 52334);
	c.proc[TL_CLIENT] = *client;
	c.proc[TL_SERVER] = httpd;
	c.flow[TL_CLIENT].syn_seen = c.flow[TL_SERVER].syn_seen = true;
	play(&o->sink, &c, lo4_mapped, lab_life, sizeof(lab_life) / sizeof(lab_life[0]));
	c.flow[TL_CLIENT].bytes = 0;
	c.closed_by = TL_CLOSED_CLIENT;
	c.time_wait = TL_CLIENT;
	o->sink.on_conn_end(o->sink.ctx, &c);
	tl_endpoint_set(&timer.local, AF_INET6, lo4_mapped, 52334);
	o->sink.on_tw_end(o->sink.ctx, &timer);
	tl_endpoint_set(&reused.local, AF_INET6, lo4_mapped, 8080);
	o->sink.on_tw_end(o->sink.ctx, &reused);
	o->free(o);
	fclose(f);
	free(stderr_restore(tmp, saved));
	return out;
}

static void test_text_lab(void)
{
	for (size_t i = 0; i < sizeof(lab_rows) / sizeof(lab_rows[0]); i++) {
		const struct lab_row *r = &lab_rows[i];
		char *out = lab_text(r->lang, r->headers, &curl);

		UNIT_CHECK_AT(r->line, has_line(out, r->want) == r->present, "lab text line %s",
			      r->present ? "present" : "absent");
		free(out);
	}
}

/* An unused connection is a browser's preconnect only when the client is a
 * browser's process (by the comm of the thread that connected). */
static const struct preconnect_row {
	int line;
	const char *comm;
	enum tl_lang lang;
	const char *words; /* between "S>C 120 B  " and "  closed by client" */
} preconnect_rows[] = {
    {__LINE__, "curl", TL_LANG_EN, "no request"},
    {__LINE__, "python3", TL_LANG_EN, "no request"},
    {__LINE__, "chromium", TL_LANG_EN, "no request (browser preconnect)"},
    {__LINE__, "Chrome_ChildIOT", TL_LANG_EN, "no request (browser preconnect)"},
    {__LINE__, "Socket Thread", TL_LANG_EN, "no request (browser preconnect)"},
    {__LINE__, "python3", TL_LANG_ZH, "无请求"},
    {__LINE__, "chrome", TL_LANG_ZH, "无请求 (浏览器预连接)"},
};

static void test_text_preconnect(void)
{
	for (size_t i = 0; i < sizeof(preconnect_rows) / sizeof(preconnect_rows[0]); i++) {
		const struct preconnect_row *r = &preconnect_rows[i];
		struct tl_proc client = {4242, ""};
		char want[256];
		char *out;

		memcpy(client.comm, r->comm, strnlen(r->comm, sizeof(client.comm)));
		out = lab_text(r->lang, TL_HEADERS_EXPLAIN, &client);
		snprintf(want, sizeof(want), "S>C 120 B  %s  %s", r->words,
			 r->lang == TL_LANG_EN ? "closed by client" : "四次挥手");
		UNIT_CHECK_AT(r->line, strstr(out, want) != NULL, "%s's unused connection: %s",
			      r->comm, r->words);
		free(out);
	}
}

/* The end line's retransmissions: the kernel's per side when it said, else
 * (-r) Wireshark's count when there was any, worded apart. */
static const struct ws_retrans_row {
	int line;
	__u32 retransmissions;
	bool kernel; /* the client's tcp_info is known */
	enum tl_lang lang;
	const char *want; /* the end of the end line */
} ws_retrans_rows[] = {
    {__LINE__, 3, false, TL_LANG_EN, "closed by client  retrans 3 (Wireshark's count)"},
    {__LINE__, 1, false, TL_LANG_ZH, "  重传 1 (Wireshark 的计数)"},
    {__LINE__, 0, false, TL_LANG_EN, "1 request  closed by client"},
    {__LINE__, 3, true, TL_LANG_EN,
     "closed by client  srtt C 0.031 ms S ?  retrans C 2 S ?  cwnd C 10 S ?"},
};

static void test_text_ws_retrans(void)
{
	for (size_t i = 0; i < sizeof(ws_retrans_rows) / sizeof(ws_retrans_rows[0]); i++) {
		const struct ws_retrans_row *r = &ws_retrans_rows[i];
		struct tl_start_info info = start_lo;
		char *out = NULL, *end;
		size_t len;
		FILE *f = open_memstream(&out, &len);
		struct tl_output *o = tl_output_text_new(f, false);
		struct tl_conn c;
		int saved;
		FILE *tmp = stderr_to_tmp(&saved);

		info.lang = r->lang;
		o->start(o, &info);
		conn_init(&c, 3, lo4_mapped, 52334);
		c.requests = 1;
		c.flow[TL_CLIENT].bytes = 77;
		c.closed_by = TL_CLOSED_CLIENT;
		c.retransmissions = r->retransmissions;
		if (r->kernel)
			c.tcp_info[TL_CLIENT] = (struct tl_tcp_info){.valid = true,
								     .rtt_measured = true,
								     .srtt_us = 31,
								     .retrans = 2,
								     .cwnd = 10};
		o->sink.on_conn_end(o->sink.ctx, &c);
		o->free(o);
		fclose(f);
		free(stderr_restore(tmp, saved));
		end = strstr(out, "\n\n");
		UNIT_CHECK_AT(r->line,
			      end && (size_t)(end - out) >= strlen(r->want) &&
				  !strncmp(end - strlen(r->want), r->want, strlen(r->want)),
			      "end line ends with \"%s\"", r->want);
		free(out);
	}
}

/* Without -v: no hook names on stderr, TSval/TSecr out of segment lines. */
static void test_text_not_verbose(void)
{
	struct tl_start_info info = start_lo;
	struct tl_output *o = tl_output_text_new(stdout, false);
	int saved;
	FILE *tmp = stderr_to_tmp(&saved);
	char *err;

	info.verbose = false;
	info.facts_missing = "kfree_skb";
	o->start(o, &info);
	o->free(o);
	err = stderr_restore(tmp, saved);
	UNIT_CHECK(has_line(err, "Tracing TCP on lo (ports 8080)... Ctrl-C to end."),
		   "not verbose: start line without the hooks");
	UNIT_CHECK(!strstr(err, "tcx") && !strstr(err, "tp_btf"), "not verbose: no eBPF jargon");
	free(err);
}

/* --json's "headers" of messages one after another, each as its own head
 * alone gives it: the member remembered for a kind of message is reused
 * only for the same field lines (not lines of the same length, not a cut
 * head that begins alike), whatever the start line. */
static const struct {
	int line;
	const char *head;
	const char *tail; /* how the line ends */
} headers_rows[] = {
    {__LINE__, "HTTP/1.1 200 OK\r\nETag: \"aa\"\r\nConnection: close\r\n\r\n",
     "\"headers\":{\"etag\":\"\\\"aa\\\"\",\"connection\":\"close\"}}\n"},
    {__LINE__, "HTTP/1.1 304 Not Modified\r\nETag: \"aa\"\r\nConnection: close\r\n\r\n",
     "\"headers\":{\"etag\":\"\\\"aa\\\"\",\"connection\":\"close\"}}\n"},
    {__LINE__, "HTTP/1.1 200 OK\r\nETag: \"bb\"\r\nConnection: close\r\n\r\n",
     "\"headers\":{\"etag\":\"\\\"bb\\\"\",\"connection\":\"close\"}}\n"},
    {__LINE__, "GET / HTTP/1.1\r\nIf-None-Match: \"bb\"\r\n\r\n",
     "\"headers\":{\"if-none-match\":\"\\\"bb\\\"\"}}\n"},
    {__LINE__, "HTTP/1.1 200 OK\r\nETag: \"bb\"\r\nConnection: close\r\n",
     "\"headers\":{\"etag\":\"\\\"bb\\\"\",\"connection\":\"close\"},\"headers_truncated\":true}"
     "\n"},
    {__LINE__, "HTTP/1.1 200 OK\r\nETag: \"bb\"\r\nConnection: keep-alive\r\n\r\n",
     "\"headers\":{\"etag\":\"\\\"bb\\\"\",\"connection\":\"keep-alive\"}}\n"},
    {__LINE__, "GET /x HTTP/1.1\r\nIf-None-Match: \"bb\"\r\n\r\n",
     "\"headers\":{\"if-none-match\":\"\\\"bb\\\"\"}}\n"},
};

static void test_json_headers_repeated(void)
{
	const size_t rows = sizeof(headers_rows) / sizeof(headers_rows[0]);
	char *out = NULL, *line;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	struct tl_output *o = tl_output_json_new(f);
	struct tl_http_msg m;
	struct tl_conn c;

	conn_init(&c, 1, lo4_mapped, 52334);
	for (size_t i = 0; i < rows; i++) {
		const char *head = headers_rows[i].head;
		struct tl_http_view hv = {.ts_ns = T0,
					  .msg = &m,
					  .head = (const uint8_t *)head,
					  .head_len = strlen(head)};

		tl_http_parse(hv.head, hv.head_len, &m);
		o->sink.on_http(o->sink.ctx, &c, &hv);
	}
	o->free(o);
	fclose(f);
	line = out;
	for (size_t i = 0; i < rows; i++) {
		char *end = line ? strchr(line, '\n') : NULL;
		const size_t n = strlen(headers_rows[i].tail);

		UNIT_CHECK_AT(headers_rows[i].line,
			      end && (size_t)(end + 1 - line) >= n &&
				  !strncmp(end + 1 - n, headers_rows[i].tail, n),
			      "json headers of message %zu alone: %.*s", i + 1, (int)n - 1,
			      headers_rows[i].tail);
		line = end ? end + 1 : NULL;
	}
	free(out);
}

int main(void)
{
	hostile_init();
	test_time_wait_both();
	test_json();
	test_json_file();
	test_json_headers_repeated();
	test_text();
	test_text_numbered();
	test_text_color();
	test_text_start();
	test_text_long();
	test_text_lab();
	test_text_preconnect();
	test_text_ws_retrans();
	test_text_not_verbose();
	test_http_odd();
	test_summary();
	test_summary_ipv6();
	test_tcp_info_unmeasured();
	return unit_done();
}
