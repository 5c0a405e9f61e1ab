/* tcplife-http compare TRACE.json CAPTURE: the trace's packet and http
 * events on one side; on the other, the capture run through the same
 * engine -r uses. Connections are paired by their 4-tuple, then compared
 * direction by direction, segment by segment, and message by message. */
#include "tracer/compare/compare.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tracer/args.h"
#include "tracer/capture/capture_reader.h"
#include "tracer/engine/engine.h"
#include "tracer/output/json_member.h"
#include "tracer/proto/tcp_names.h"
#include "common/fmt.h"

#define CMP_MAX_CONN_ID (1U << 24) /* bounds the trace's id index */
#define CMP_LOOKAHEAD 64	   /* how far a lost or extra segment is looked for */
#define CMP_MAX_LINES 20	   /* difference lines shown per connection */

struct cmp_vec {
	void *items;
	size_t n, cap;
};

/* What both sides know of a segment; analysis as tshark's fields name it
 * (tl_analysis_fields: a fast or spurious retransmission is also one). */
struct cmp_seg {
	__u32 seq, ack, len;
	__u16 flags, win;
	__u32 analysis;
};

struct cmp_conn {
	__u64 id;		  /* the trace's conn id, or the capture engine's */
	struct tl_endpoint ep[2]; /* client, server, as that side's engine saw them */
	struct cmp_vec segs[2];	  /* struct cmp_seg, by sender */
	struct cmp_vec http;	  /* char *: "request GET /" or "response 200" */
	/* struct cmp_seg, by sender: the trace's drop events of segments that
	 * died before the capture point (a qdisc's), each excusing one
	 * segment the capture lacks. */
	struct cmp_vec dropped[2];
	struct cmp_conn *peer; /* the matching connection on the other side */
};

/* One side's connections, in the order they began. */
struct cmp_side {
	struct cmp_vec conns; /* struct cmp_conn * */
	struct cmp_vec by_id; /* struct cmp_conn *, indexed by id (the trace side) */
	int err;	      /* the capture sink's first error */
};

struct cmp_run {
	const char *trace_path, *capture_path;
	__u16 ports[TL_MAX_PORTS];
	int nports;
	bool ports_given; /* -p: the trace's start line does not override them */
	int family;
	size_t line; /* of the trace, for messages */
	struct cmp_side trace, capture;
};

/* A difference report's context: which connection, which direction. */
struct cmp_report {
	char prefix[2 * TL_ENDPOINT_STRLEN + 32];
	enum tl_side side;
	unsigned lines;
	struct cmp_conn *trace; /* the trace's connection, for its drops */
	unsigned excused;	/* segments the capture lacks, dropped before it */
};

/* --- storage --- */

static void *cmp_vec_push(struct cmp_vec *v, size_t size)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *items = realloc(v->items, cap * size);

		if (!items)
			return NULL;
		v->items = items;
		v->cap = cap;
	}
	return memset((char *)v->items + v->n++ * size, 0, size);
}

static const void *cmp_vec_at(const struct cmp_vec *v, size_t i, size_t size)
{
	return i < v->n ? (const char *)v->items + i * size : NULL;
}

static struct cmp_conn *cmp_conn_at(const struct cmp_side *s, size_t i)
{
	return ((struct cmp_conn **)s->conns.items)[i];
}

static struct cmp_conn *cmp_conn_new(struct cmp_side *s, __u64 id)
{
	struct cmp_conn *c = calloc(1, sizeof(*c)), **slot;

	if (!c || !(slot = cmp_vec_push(&s->conns, sizeof(c)))) {
		free(c);
		return NULL;
	}
	c->id = id;
	*slot = c;
	return c;
}

static int cmp_add_seg(struct cmp_conn *c, enum tl_side from, const struct cmp_seg *seg)
{
	struct cmp_seg *s = cmp_vec_push(&c->segs[from], sizeof(*s));

	if (!s)
		return -ENOMEM;
	*s = *seg;
	return 0;
}

/* Control bytes in a URI would reach the terminal: shown as '?'. */
static int cmp_add_http(struct cmp_conn *c, bool request, const char *method, const char *uri,
			int status)
{
	char **slot, *text;
	int n;

	n = request ? asprintf(&text, "request %s %s", method, uri)
		    : asprintf(&text, "response %d", status);
	if (n < 0)
		return -ENOMEM;
	for (unsigned char *p = (unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	slot = cmp_vec_push(&c->http, sizeof(*slot));
	if (!slot) {
		free(text);
		return -ENOMEM;
	}
	*slot = text;
	return 0;
}

static void cmp_side_free(struct cmp_side *s)
{
	for (size_t i = 0; i < s->conns.n; i++) {
		struct cmp_conn *c = cmp_conn_at(s, i);

		for (size_t j = 0; j < c->http.n; j++)
			free(((char **)c->http.items)[j]);
		free(c->http.items);
		free(c->segs[0].items);
		free(c->segs[1].items);
		free(c->dropped[0].items);
		free(c->dropped[1].items);
		free(c);
	}
	free(s->conns.items);
	free(s->by_id.items);
}

/* --- the trace --- */

/* The members compare reads all fit 32 bits (max says how far). */
static int json_uint(json_t *o, const char *key, uint64_t max, __u32 *out)
{
	uint64_t v;
	int err = tl_json_member_uint(o, key, max, &v);

	if (!err)
		*out = (__u32)v;
	return err;
}

static int json_endpoint(json_t *o, const char *addr_key, const char *port_key,
			 struct tl_endpoint *ep)
{
	const char *s = json_string_value(json_object_get(o, addr_key));
	__u8 addr[16] = {0};
	__u32 port;
	int family;

	if (!s || json_uint(o, port_key, 65535, &port))
		return -EINVAL;
	family = strchr(s, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, s, addr) != 1)
		return -EINVAL;
	tl_endpoint_set(ep, family, addr, port);
	return 0;
}

/* The trace's connection with this id, made on its first event. */
static struct cmp_conn *trace_conn(struct cmp_side *s, __u32 id, bool *created)
{
	struct cmp_conn **slot;

	*created = false;
	while (s->by_id.n <= id)
		if (!cmp_vec_push(&s->by_id, sizeof(*slot)))
			return NULL;
	slot = (struct cmp_conn **)s->by_id.items + id;
	if (!*slot) {
		*slot = cmp_conn_new(s, id);
		*created = true;
	}
	return *slot;
}

/* The trace's "analysis" names as bits; names of a later version are
 * skipped, so that an old compare still reads a newer trace. */
static int analysis_from_json(json_t *arr, __u32 *out)
{
	size_t i;
	json_t *v;

	*out = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return -EINVAL;
	json_array_foreach(arr, i, v)
	{
		const char *name = json_string_value(v);

		if (!name)
			return -EINVAL;
		for (int b = 0; b < TL_A_COUNT; b++)
			if (!strcmp(name, tl_analysis_names[b]))
				*out |= 1u << b;
	}
	return 0;
}

/* The capture engine's analysis, named as the trace names it. */
static __u32 analysis_fields_bits(const struct tl_analysis *an)
{
	const char *names[TL_A_COUNT];
	__u32 bits = 0;
	int n = an ? tl_analysis_fields(an->flags, names) : 0;

	for (int i = 0; i < n; i++)
		for (int b = 0; b < TL_A_COUNT; b++)
			if (names[i] == tl_analysis_names[b])
				bits |= 1u << b;
	return bits;
}

/* The flags word: flags_raw, or in a trace older than it, the flags text. */
static int trace_flags(json_t *o, __u16 *out)
{
	const char *text = json_string_value(json_object_get(o, "flags"));
	__u32 raw;

	if (json_object_get(o, "flags_raw")) {
		if (json_uint(o, "flags_raw", (TL_AE << 1) - 1, &raw)) /* FIN .. AE */
			return -EINVAL;
		*out = raw;
		return 0;
	}
	return text ? tl_tcp_flags_parse(text, out) : -EINVAL;
}

static int trace_packet(struct cmp_side *s, json_t *o)
{
	const char *dir = json_string_value(json_object_get(o, "dir"));
	struct tl_endpoint src, dst;
	struct cmp_seg seg;
	struct cmp_conn *c;
	__u32 id, win;
	bool created;

	if (json_uint(o, "conn", CMP_MAX_CONN_ID, &id) || json_endpoint(o, "src", "sport", &src) ||
	    json_endpoint(o, "dst", "dport", &dst) || trace_flags(o, &seg.flags) ||
	    json_uint(o, "seq_raw", UINT32_MAX, &seg.seq) ||
	    json_uint(o, "ack_raw", UINT32_MAX, &seg.ack) ||
	    json_uint(o, "len", UINT32_MAX, &seg.len) || json_uint(o, "win", UINT16_MAX, &win) ||
	    analysis_from_json(json_object_get(o, "analysis"), &seg.analysis))
		return -EINVAL;
	seg.win = win;
	c = trace_conn(s, id, &created);
	if (!c)
		return -ENOMEM;
	if (created) {
		bool s2c = dir && !strcmp(dir, "s2c");

		c->ep[TL_CLIENT] = s2c ? dst : src;
		c->ep[TL_SERVER] = s2c ? src : dst;
	}
	return cmp_add_seg(c, tl_endpoint_eq(&src, &c->ep[TL_CLIENT]) ? TL_CLIENT : TL_SERVER,
			   &seg);
}

static int trace_http(struct cmp_side *s, json_t *o)
{
	const char *dir = json_string_value(json_object_get(o, "dir"));
	const char *method = json_string_value(json_object_get(o, "method"));
	const char *uri = json_string_value(json_object_get(o, "uri"));
	bool request = dir && !strcmp(dir, "request");
	struct cmp_conn *c;
	__u32 id, status = 0;
	bool created;

	if (json_uint(o, "conn", CMP_MAX_CONN_ID, &id) || !dir ||
	    (request ? !method || !uri : json_uint(o, "status", 999, &status)))
		return -EINVAL;
	c = trace_conn(s, id, &created);
	return c ? cmp_add_http(c, request, method, uri, status) : -ENOMEM;
}

/* The ports and family the trace watched, unless -p chose the ports. */
static int trace_start(struct cmp_run *run, json_t *o)
{
	const char *family = json_string_value(json_object_get(o, "family"));
	json_t *ports = json_object_get(o, "ports"), *v;
	size_t i;

	if (family && !strcmp(family, "ipv4"))
		run->family = AF_INET;
	else if (family && !strcmp(family, "ipv6"))
		run->family = AF_INET6;
	if (run->ports_given || !json_is_array(ports))
		return 0;
	json_array_foreach(ports, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65535 || run->nports == TL_MAX_PORTS)
			return -EINVAL;
		run->ports[run->nports++] = json_integer_value(v);
	}
	return 0;
}

/* A drop event: kept when the segment died before the capture point. */
static int trace_drop(struct cmp_side *s, json_t *o)
{
	const char *flags = json_string_value(json_object_get(o, "flags"));
	const char *side = json_string_value(json_object_get(o, "side"));
	struct cmp_seg seg = {0}, *slot;
	struct cmp_conn *c;
	bool created;
	__u32 id;

	if (json_uint(o, "conn", CMP_MAX_CONN_ID, &id) || !flags ||
	    tl_tcp_flags_parse(flags, &seg.flags) ||
	    json_uint(o, "seq_raw", UINT32_MAX, &seg.seq) ||
	    json_uint(o, "len", UINT32_MAX, &seg.len) || !side)
		return -EINVAL;
	if (!json_is_true(json_object_get(o, "before_capture")))
		return 0;
	c = trace_conn(s, id, &created);
	if (!c)
		return -ENOMEM;
	slot = cmp_vec_push(&c->dropped[strcmp(side, "client") ? TL_SERVER : TL_CLIENT],
			    sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = seg;
	return 0;
}

static int trace_event(struct cmp_run *run, json_t *o)
{
	const char *type = json_string_value(json_object_get(o, "type"));

	if (!type)
		return 0;
	if (!strcmp(type, "start"))
		return trace_start(run, o);
	if (!strcmp(type, "packet"))
		return trace_packet(&run->trace, o);
	if (!strcmp(type, "http"))
		return trace_http(&run->trace, o);
	if (!strcmp(type, "drop"))
		return trace_drop(&run->trace, o);
	return 0;
}

/* Returns 0, -EBADMSG for a line that is not JSON, -EINVAL for an event
 * without its fields (run->line says where), or another -errno. */
static int trace_read(struct cmp_run *run)
{
	FILE *f = fopen(run->trace_path, "r");
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	if (!f)
		return -errno;
	while (!err && getline(&line, &cap, f) > 0) {
		json_t *o;

		run->line++;
		if (!line[strspn(line, " \t\r\n")])
			continue;
		o = json_loads(line, JSON_ALLOW_NUL, NULL);
		err = o ? trace_event(run, o) : -EBADMSG;
		json_decref(o);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	return err;
}

/* --- the capture --- */

static struct cmp_conn *capture_conn(struct cmp_side *s, struct tl_conn *c)
{
	struct cmp_conn *cc = c->sink_data;

	if (cc || s->err)
		return cc;
	cc = cmp_conn_new(s, c->id);
	if (!cc) {
		s->err = -ENOMEM;
		return NULL;
	}
	cc->ep[TL_CLIENT] = c->ep[TL_CLIENT];
	cc->ep[TL_SERVER] = c->ep[TL_SERVER];
	c->sink_data = cc;
	return cc;
}

static void capture_on_packet(void *ctx, struct tl_conn *c, const struct tl_pkt_view *v)
{
	const struct tl_packet *p = v->pkt;
	struct cmp_seg seg = {.seq = p->seq,
			      .ack = p->ack,
			      .len = p->payload_len,
			      .flags = p->flags,
			      .win = p->window,
			      .analysis = analysis_fields_bits(v->analysis)};
	struct cmp_side *s = ctx;
	struct cmp_conn *cc = capture_conn(s, c);
	int err;

	if (cc && (err = cmp_add_seg(cc, v->from, &seg)))
		s->err = err;
}

static void capture_on_http(void *ctx, struct tl_conn *c, const struct tl_http_view *v)
{
	const struct tl_http_msg *m = v->msg;
	struct cmp_side *s = ctx;
	struct cmp_conn *cc = capture_conn(s, c);
	int err;

	if (cc &&
	    (err = cmp_add_http(cc, m->kind == TL_HTTP_REQUEST, m->method, m->uri, m->status)))
		s->err = err;
}

/* Runs the capture through an engine; err gets the reader's reason. */
static int capture_read(struct cmp_run *run, char *err, size_t err_size)
{
	struct tl_capture_filter f = {
	    .ports = run->ports, .nports = run->nports, .family = run->family};
	struct tl_engine_config cfg = {.server_ports = run->ports, .nports = run->nports};
	struct tl_sink sink = {
	    .ctx = &run->capture, .on_packet = capture_on_packet, .on_http = capture_on_http};
	struct tl_capture_stats st;
	struct tl_engine *e = tl_engine_new(&cfg, &sink);
	int ret;

	if (!e) {
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = tl_capture_read(run->capture_path, &f, e, &st, err, err_size);
	tl_engine_finish(e);
	tl_engine_free(e);
	if (!ret && run->capture.err) {
		snprintf(err, err_size, "%s", strerror(-run->capture.err));
		ret = run->capture.err;
	}
	return ret;
}

/* --- pairing --- */

/* Out-of-order or retransmission: Wireshark tells them apart by comparing
 * the time since the highest segment with the handshake's RTT. On loopback
 * both are tens of microseconds, and the TC hook stamps a segment up to
 * 20 us before a capture does: a trace and a capture of the same segment
 * may fall on either side, so the two are one here. */
static __u32 analysis_timed(__u32 a)
{
	const __u32 either = TL_A_OUT_OF_ORDER | TL_A_RETRANSMISSION;

	return a & either ? a | either : a;
}

static bool cmp_seg_eq(const void *a, const void *b)
{
	const struct cmp_seg *x = a, *y = b;

	return x->seq == y->seq && x->ack == y->ack && x->len == y->len && x->flags == y->flags &&
	       x->win == y->win;
}

/* The same segment, with the same analysis. */
static bool cmp_seg_agree(const void *a, const void *b)
{
	const struct cmp_seg *x = a, *y = b;

	return cmp_seg_eq(a, b) && analysis_timed(x->analysis) == analysis_timed(y->analysis);
}

static bool cmp_http_eq(const void *a, const void *b)
{
	return !strcmp(*(char *const *)a, *(char *const *)b);
}

/* The capture conn's side that sent what the trace conn's side sent. */
static enum tl_side peer_side(const struct cmp_conn *t, const struct cmp_conn *c, enum tl_side s)
{
	return tl_endpoint_eq(&t->ep[s], &c->ep[s]) ? s : TL_OTHER(s);
}

static bool same_tuple(const struct cmp_conn *t, const struct cmp_conn *c)
{
	const struct tl_endpoint *cc = &c->ep[peer_side(t, c, TL_CLIENT)];
	const struct tl_endpoint *cs = &c->ep[peer_side(t, c, TL_SERVER)];

	return cc != cs && tl_endpoint_eq(&t->ep[TL_CLIENT], cc) &&
	       tl_endpoint_eq(&t->ep[TL_SERVER], cs);
}

/* Whether c holds the first segment t's client (else server) sent. */
static bool holds_first_seg(const struct cmp_conn *t, const struct cmp_conn *c)
{
	enum tl_side s = t->segs[TL_CLIENT].n ? TL_CLIENT : TL_SERVER;
	const struct cmp_vec *v = &c->segs[peer_side(t, c, s)];

	if (!t->segs[s].n)
		return false;
	for (size_t i = 0; i < v->n; i++)
		if (cmp_seg_eq(t->segs[s].items, cmp_vec_at(v, i, sizeof(struct cmp_seg))))
			return true;
	return false;
}

/* First pass: a capture conn holding the trace conn's first segment, so
 * that a capture begun earlier (an older life of the tuple) does not steal
 * the pairing. Second pass: the tuple's next unpaired conn, in order. */
static void pair_conns(struct cmp_side *trace, struct cmp_side *capture)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < trace->conns.n; i++) {
			struct cmp_conn *t = cmp_conn_at(trace, i);

			for (size_t j = 0; !t->peer && j < capture->conns.n; j++) {
				struct cmp_conn *c = cmp_conn_at(capture, j);

				if (c->peer || !same_tuple(t, c) ||
				    (!pass && !holds_first_seg(t, c)))
					continue;
				t->peer = c;
				c->peer = t;
			}
		}
	}
}

/* --- differences --- */

enum cmp_diff {
	CMP_DIFFERENT,
	CMP_TRACE_ONLY,
	CMP_CAPTURE_ONLY,
};

/* How to compare and tell one kind of list item: segments, HTTP messages. */
struct cmp_kind {
	size_t size;
	const char *noun;			  /* "a segment" */
	bool (*eq)(const void *a, const void *b); /* the same item, for aligning */
	/* Whether two aligned items agree in everything; NULL: eq says so. */
	bool (*agree)(const void *a, const void *b);
	/* Whether an item only the trace has is no difference; NULL: never. */
	bool (*excused)(struct cmp_report *r, const void *item);
	const char *(*describe)(const struct cmp_report *r, const void *item, char *buf,
				size_t size);
	/* Reports how item number index (from 0) differs from its counterpart. */
	void (*different)(struct cmp_report *r, size_t index, const void *t, const void *c);
};

static void report_line(struct cmp_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report_line(struct cmp_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->lines++ >= CMP_MAX_LINES)
		return;
	printf("%s: ", r->prefix);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *dir_name(enum tl_side s)
{
	return s == TL_CLIENT ? "client->server" : "server->client";
}

/* "client->server [FIN, ACK] seq 3938097681 ack 3741962044 len 0 win 512" */
static const char *seg_describe(const struct cmp_report *r, const void *item, char *buf,
				size_t size)
{
	const struct cmp_seg *s = item;
	char flags[64];

	snprintf(buf, size, "%s [%s] seq %u ack %u len %u win %u", dir_name(r->side),
		 tl_tcp_flags_str(s->flags, flags, sizeof(flags)), s->seq, s->ack, s->len, s->win);
	return buf;
}

static void seg_field(struct cmp_report *r, size_t index, const char *name, __u32 t, __u32 c)
{
	if (t != c)
		report_line(r, "segment %zu %s: trace has %s %u, capture has %u", index + 1,
			    dir_name(r->side), name, t, c);
}

/* "retransmission,out_of_order", "" for none. */
static const char *analysis_str(__u32 bits, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int b = 0; b < TL_A_COUNT && len < size; b++)
		if (bits & (1u << b))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
						tl_analysis_names[b]);
	return buf;
}

static void seg_different(struct cmp_report *r, size_t index, const void *tp, const void *cp)
{
	const struct cmp_seg *t = tp, *c = cp;
	char tf[256], cf[256];

	if (t->flags != c->flags)
		report_line(r, "segment %zu %s: trace has flags [%s], capture has [%s]", index + 1,
			    dir_name(r->side), tl_tcp_flags_str(t->flags, tf, sizeof(tf)),
			    tl_tcp_flags_str(c->flags, cf, sizeof(cf)));
	seg_field(r, index, "seq", t->seq, c->seq);
	seg_field(r, index, "ack", t->ack, c->ack);
	seg_field(r, index, "len", t->len, c->len);
	seg_field(r, index, "win", t->win, c->win);
	if (analysis_timed(t->analysis) != analysis_timed(c->analysis))
		report_line(r, "segment %zu %s: trace has analysis [%s], capture has [%s]",
			    index + 1, dir_name(r->side), analysis_str(t->analysis, tf, sizeof(tf)),
			    analysis_str(c->analysis, cf, sizeof(cf)));
}

static const char *http_describe(const struct cmp_report *r, const void *item, char *buf,
				 size_t size)
{
	(void)r;
	(void)buf;
	(void)size;
	return *(char *const *)item;
}

static void http_different(struct cmp_report *r, size_t index, const void *t, const void *c)
{
	report_line(r, "HTTP message %zu: trace has %s, capture has %s", index + 1,
		    *(char *const *)t, *(char *const *)c);
}

/* A segment only the trace has, which the trace says the kernel dropped
 * before the capture point: not a difference. Each drop excuses one. */
static bool seg_excused(struct cmp_report *r, const void *item)
{
	const struct cmp_seg *seg = item;
	struct cmp_vec *d = r->trace ? &r->trace->dropped[r->side] : NULL;

	for (size_t i = 0; d && i < d->n; i++) {
		struct cmp_seg *x = (struct cmp_seg *)d->items + i;

		if (x->seq == seg->seq && x->len == seg->len && x->flags == seg->flags) {
			*x = ((struct cmp_seg *)d->items)[--d->n];
			r->excused++;
			return true;
		}
	}
	return false;
}

static const struct cmp_kind seg_kind = {
    .size = sizeof(struct cmp_seg),
    .noun = "a segment",
    .eq = cmp_seg_eq,
    .agree = cmp_seg_agree,
    .excused = seg_excused,
    .describe = seg_describe,
    .different = seg_different,
};

static const struct cmp_kind http_kind = {
    .size = sizeof(char *),
    .noun = "an HTTP message",
    .eq = cmp_http_eq,
    .describe = http_describe,
    .different = http_different,
};

static void report_only(struct cmp_report *r, const struct cmp_kind *k, bool in_trace,
			const void *item)
{
	char buf[128];

	if (in_trace && k->excused && k->excused(r, item))
		return;

	report_line(r, "the %s has %s the %s lacks: %s", in_trace ? "trace" : "capture", k->noun,
		    in_trace ? "capture" : "trace", k->describe(r, item, buf, sizeof(buf)));
}

/* How many items one list has before the two agree again, within
 * CMP_LOOKAHEAD; *in_trace tells which list. 0 when they do not. */
static size_t cmp_resync(const struct cmp_vec *tv, size_t i, const struct cmp_vec *cv, size_t j,
			 const struct cmp_kind *k, bool *in_trace)
{
	const void *t = cmp_vec_at(tv, i, k->size), *c = cmp_vec_at(cv, j, k->size);

	for (size_t d = 1; d <= CMP_LOOKAHEAD; d++) {
		const void *t2 = cmp_vec_at(tv, i + d, k->size),
			   *c2 = cmp_vec_at(cv, j + d, k->size);

		*in_trace = true;
		if (t2 && k->eq(t2, c))
			return d;
		*in_trace = false;
		if (c2 && k->eq(t, c2))
			return d;
	}
	return 0;
}

/* Walks both lists in step. A mismatch is a run of items only one side has
 * when the lists agree again shortly after, else one item that differs. */
static void cmp_align(struct cmp_report *r, const struct cmp_vec *tv, const struct cmp_vec *cv,
		      const struct cmp_kind *k)
{
	size_t i = 0, j = 0;

	while (i < tv->n || j < cv->n) {
		const void *t = cmp_vec_at(tv, i, k->size), *c = cmp_vec_at(cv, j, k->size);
		bool in_trace = !c;
		size_t run = 1;

		if (t && c && (k->eq(t, c) || !(run = cmp_resync(tv, i, cv, j, k, &in_trace)))) {
			if (!(k->agree ? k->agree : k->eq)(t, c))
				k->different(r, i, t, c);
			i++;
			j++;
			continue;
		}
		for (; run; run--) {
			if (in_trace)
				report_only(r, k, true, cmp_vec_at(tv, i++, k->size));
			else
				report_only(r, k, false, cmp_vec_at(cv, j++, k->size));
		}
	}
}

static void compare_pair(struct cmp_report *r, const struct cmp_conn *t, const struct cmp_conn *c)
{
	for (enum tl_side s = TL_CLIENT; s <= TL_SERVER; s++) {
		r->side = s;
		cmp_align(r, &t->segs[s], &c->segs[peer_side(t, c, s)], &seg_kind);
	}
	cmp_align(r, &t->http, &c->http, &http_kind);
}

/* Prints a connection's lines; returns whether both sides agree on it. */
static bool report_conn(const struct cmp_conn *conn, bool in_trace)
{
	size_t nsegs = conn->segs[TL_CLIENT].n + conn->segs[TL_SERVER].n;
	char client[TL_ENDPOINT_STRLEN], server[TL_ENDPOINT_STRLEN];
	struct cmp_report r = {0};

	snprintf(r.prefix, sizeof(r.prefix), "%sconn %llu %s -> %s", in_trace ? "" : "capture ",
		 (unsigned long long)conn->id, tl_endpoint_str(&conn->ep[TL_CLIENT], client),
		 tl_endpoint_str(&conn->ep[TL_SERVER], server));
	if (!conn->peer) {
		report_line(&r, "only in the %s (%zu segment%s, %zu HTTP message%s)",
			    in_trace ? "trace" : "capture", nsegs, tl_plural(nsegs), conn->http.n,
			    tl_plural(conn->http.n));
		return false;
	}
	r.trace = in_trace ? (struct cmp_conn *)conn : NULL;
	compare_pair(&r, conn, conn->peer);
	if (!r.lines && r.excused)
		printf("%s: agree (%zu segment%s, %zu HTTP message%s; %u segment%s dropped in the "
		       "kernel before the capture point)\n",
		       r.prefix, nsegs, tl_plural(nsegs), conn->http.n, tl_plural(conn->http.n),
		       r.excused, tl_plural(r.excused));
	else if (!r.lines)
		printf("%s: agree (%zu segment%s, %zu HTTP message%s)\n", r.prefix, nsegs,
		       tl_plural(nsegs), conn->http.n, tl_plural(conn->http.n));
	else if (r.lines > CMP_MAX_LINES)
		printf("%s: %u more difference%s not shown\n", r.prefix, r.lines - CMP_MAX_LINES,
		       tl_plural(r.lines - CMP_MAX_LINES));
	return !r.lines;
}

/* Every trace connection, then those only the capture has. Returns the
 * exit status: 0 when all agree, 1 otherwise. */
static int report(const struct cmp_run *run)
{
	unsigned agree = 0, differ = 0;

	for (size_t i = 0; i < run->trace.conns.n; i++) {
		if (report_conn(cmp_conn_at(&run->trace, i), true))
			agree++;
		else
			differ++;
	}
	for (size_t i = 0; i < run->capture.conns.n; i++) {
		if (!cmp_conn_at(&run->capture, i)->peer) {
			report_conn(cmp_conn_at(&run->capture, i), false);
			differ++;
		}
	}
	printf("%u connection%s: %u agree, %u differ\n", agree + differ,
	       agree + differ == 1 ? "" : "s", agree, differ);
	puts(differ ? "DIFFER" : "AGREE");
	return differ ? 1 : 0;
}

/* --- the command --- */

static void usage(FILE *f)
{
	fprintf(
	    f, "Usage: tcplife-http compare [-p PORT]... TRACE.json CAPTURE\n"
	       "Tells whether a trace (tcplife-http --json) and a capture (pcap or pcapng) of the\n"
	       "same traffic agree, connection by connection and segment by segment.\n"
	       "  -p PORT  read only the capture's segments to or from PORT (repeatable;\n"
	       "           default: the ports of the trace's start line)\n"
	       "  -h       this help\n"
	       "Exit status: 0 they agree, 1 they differ, 2 bad input.\n");
}

static int parse_args(int argc, char **argv, struct cmp_run *run, bool *help)
{
	unsigned long port;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+:hp:")) != -1) {
		if (opt == 'h') {
			*help = true;
			return 0;
		}
		if (opt != 'p' || tl_parse_ulong(optarg, 1, 65535, &port) ||
		    run->nports == TL_MAX_PORTS) {
			fprintf(stderr,
				"tcplife-http compare: bad option or port near '%s' (see -h)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
		run->ports[run->nports++] = port;
		run->ports_given = true;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "tcplife-http compare: expected TRACE.json and CAPTURE (see -h)\n");
		return -EINVAL;
	}
	run->trace_path = argv[optind];
	run->capture_path = argv[optind + 1];
	return 0;
}

static void trace_error(const struct cmp_run *run, int err)
{
	if (err == -EBADMSG)
		fprintf(stderr, "tcplife-http compare: %s:%zu: invalid JSON\n", run->trace_path,
			run->line);
	else if (err == -EINVAL)
		fprintf(stderr,
			"tcplife-http compare: %s:%zu: an event lacks a field or has a bad "
			"value\n",
			run->trace_path, run->line);
	else
		fprintf(stderr, "tcplife-http compare: %s: %s\n", run->trace_path, strerror(-err));
}

int tl_compare_main(int argc, char **argv)
{
	struct cmp_run run = {0};
	char msg[PATH_MAX + 256];
	bool help = false;
	int err, status = 2;

	if (parse_args(argc, argv, &run, &help))
		return 2;
	if (help) {
		usage(stdout);
		return 0;
	}
	err = trace_read(&run);
	if (err) {
		trace_error(&run, err);
	} else if (capture_read(&run, msg, sizeof(msg))) {
		fprintf(stderr, "tcplife-http compare: %s\n", msg);
	} else {
		pair_conns(&run.trace, &run.capture);
		status = report(&run);
	}
	cmp_side_free(&run.trace);
	cmp_side_free(&run.capture);
	return status;
}
