/* Reading both sides into lists compare can line up: the trace's packet,
 * http and drop events, and the capture run through the same engine -r
 * uses, each as connections of segments and HTTP messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tracer/capture/capture_replay.h"
#include "tracer/capture/trace_input.h"
#include "tracer/compare/compare_impl.h"
#include "tracer/engine/engine.h"
#include "tracer/output/json_contract.h"
#include "tracer/output/json_member.h"
#include "tracer/proto/tcp_names.h"

struct cmp_conn *cmp_conn_at(const struct cmp_side *s, size_t i)
{
	return vec_ptr_at(&s->conns, i);
}

static struct cmp_conn *cmp_conn_new(struct cmp_side *s, __u64 id)
{
	struct cmp_conn *c = calloc(1, sizeof(*c));
	void **slot;

	if (!c || !(slot = vec_push(&s->conns, sizeof(*slot)))) {
		free(c);
		return NULL;
	}
	c->id = id;
	*slot = c;
	return c;
}

static int cmp_add_seg(struct cmp_conn *c, enum tl_side from, const struct cmp_seg *seg)
{
	struct cmp_seg *s = vec_push(&c->segs[from], sizeof(*s));

	if (!s)
		return -ENOMEM;
	*s = *seg;
	s->other_before = c->segs[TL_OTHER(from)].n;
	s->number = (__u32)(c->segs[TL_CLIENT].n + c->segs[TL_SERVER].n);
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
	slot = vec_push(&c->http, sizeof(*slot));
	if (!slot) {
		free(text);
		return -ENOMEM;
	}
	*slot = text;
	return 0;
}

void cmp_side_free(struct cmp_side *s)
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
	tl_conn_map_free(&s->engine_ids, NULL);
}

/* --- the trace --- */

static int json_endpoint(json_t *o, const char *addr_key, const char *port_key,
			 struct tl_endpoint *ep)
{
	const char *s = json_string_value(json_object_get(o, addr_key));
	__u8 addr[16] = {0};
	__u32 port;
	int family;

	if (!s || tl_json_member_u32(o, port_key, 65535, &port))
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
	struct cmp_conn *c = vec_by_id(&s->conns, &s->by_id, id, sizeof(*c), created);

	if (c && *created)
		c->id = id;
	return c;
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

/* An optional whole member: 0 when absent. */
static int opt_u32(json_t *o, const char *key, __u32 *out)
{
	return json_object_get(o, key) ? tl_json_member_u32(o, key, UINT32_MAX, out) : 0;
}

/* A time member in units of ns_per_unit ns, as ns; absent: *has false. */
static int opt_ns(json_t *o, const char *key, double ns_per_unit, __u64 *out, bool *has)
{
	json_t *v = json_object_get(o, key);

	*has = v != NULL;
	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0 ||
	    json_number_value(v) * ns_per_unit > 1e19) /* past __u64 */
		return -EINVAL;
	*out = (__u64)(json_number_value(v) * ns_per_unit + 0.5);
	return 0;
}

/* Wireshark's values of a trace's segment, and where and when it was. */
static int trace_values(json_t *o, struct cmp_seg *seg)
{
	uint64_t frame = 0;
	bool has_ts;

	if (json_object_get(o, TL_JM(frame)) &&
	    tl_json_member_uint(o, TL_JM(frame), UINT64_MAX, &frame))
		return -EINVAL;
	seg->frame = frame;
	return opt_u32(o, TL_JM(dup_ack_num), &seg->dup_num) ||
		       opt_u32(o, TL_JM(dup_ack_of), &seg->dup_of) ||
		       opt_u32(o, TL_JM(bytes_in_flight), &seg->bif) ||
		       opt_ns(o, TL_JM(ack_rtt_ms), 1e6, &seg->rtt_ns, &seg->has_rtt) ||
		       opt_ns(o, TL_JM(ts), 1e9, &seg->ts_ns, &has_ts)
		   ? -EINVAL
		   : 0;
}

/* The flags word: flags_raw, or in a trace older than it, the flags text. */
static int trace_flags(json_t *o, __u16 *out)
{
	const char *text = json_string_value(json_object_get(o, TL_JM(flags)));
	__u32 raw;

	if (json_object_get(o, TL_JM(flags_raw))) {
		if (tl_json_member_u32(o, TL_JM(flags_raw), (TL_AE << 1) - 1, &raw)) /* FIN .. AE */
			return -EINVAL;
		*out = raw;
		return 0;
	}
	return text ? tl_tcp_flags_parse(text, out) : -EINVAL;
}

static int trace_packet(struct cmp_side *s, json_t *o)
{
	struct tl_endpoint src, dst;
	struct cmp_seg seg = {0};
	struct cmp_conn *c;
	__u32 id, win;
	bool created;
	int from;

	if (tl_json_member_conn(o, &id) || tl_json_member_side(o, TL_JSON_DIR, &from) ||
	    json_endpoint(o, TL_JM(src), TL_JM(sport), &src) ||
	    json_endpoint(o, TL_JM(dst), TL_JM(dport), &dst) || trace_flags(o, &seg.flags) ||
	    tl_json_member_u32(o, TL_JM(seq_raw), UINT32_MAX, &seg.seq) ||
	    tl_json_member_u32(o, TL_JM(ack_raw), UINT32_MAX, &seg.ack) ||
	    tl_json_member_u32(o, TL_JM(len), UINT32_MAX, &seg.len) ||
	    tl_json_member_u32(o, TL_JM(win), UINT16_MAX, &win) ||
	    analysis_from_json(json_object_get(o, TL_JM(analysis)), &seg.analysis) ||
	    trace_values(o, &seg))
		return -EINVAL;
	seg.win = win;
	c = trace_conn(s, id, &created);
	if (!c)
		return -ENOMEM;
	if (created) {
		c->ep[TL_CLIENT] = from == TL_SERVER ? dst : src;
		c->ep[TL_SERVER] = from == TL_SERVER ? src : dst;
	}
	return cmp_add_seg(c, tl_endpoint_eq(&src, &c->ep[TL_CLIENT]) ? TL_CLIENT : TL_SERVER,
			   &seg);
}

static int trace_http(struct cmp_side *s, json_t *o)
{
	const char *dir = json_string_value(json_object_get(o, TL_JM(dir)));
	const char *method = json_string_value(json_object_get(o, TL_JM(method)));
	const char *uri = json_string_value(json_object_get(o, TL_JM(uri)));
	bool request = dir && !strcmp(dir, "request");
	struct cmp_conn *c;
	__u32 id, status = 0;
	bool created;

	if (tl_json_member_conn(o, &id) || !dir ||
	    (request ? !method || !uri : tl_json_member_u32(o, TL_JM(status), 999, &status)))
		return -EINVAL;
	c = trace_conn(s, id, &created);
	return c ? cmp_add_http(c, request, method, uri, status) : -ENOMEM;
}

/* The ports and family the trace watched, unless -p chose the ports. */
static int trace_start(struct cmp_run *run, json_t *o)
{
	const char *family = json_string_value(json_object_get(o, TL_JM(family)));
	json_t *ports = json_object_get(o, TL_JM(ports)), *v;
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
	struct cmp_seg seg = {0}, *slot;
	struct cmp_conn *c;
	bool created;
	__u32 id;
	int side;

	if (tl_json_member_conn(o, &id) || trace_flags(o, &seg.flags) ||
	    tl_json_member_u32(o, TL_JM(seq_raw), UINT32_MAX, &seg.seq) ||
	    tl_json_member_u32(o, TL_JM(len), UINT32_MAX, &seg.len) ||
	    tl_json_member_side(o, TL_JSON_SIDE, &side))
		return -EINVAL;
	if (!json_is_true(json_object_get(o, TL_JM(before_capture))))
		return 0;
	c = trace_conn(s, id, &created);
	if (!c)
		return -ENOMEM;
	slot = vec_push(&c->dropped[side], sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = seg;
	return 0;
}

static int trace_event(struct cmp_run *run, json_t *o)
{
	const char *type = json_string_value(json_object_get(o, TL_JM(type)));

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

/* The line is getline's, so NUL-terminated: read as text, as it was. */
static int trace_line(void *run, const char *line, size_t len)
{
	json_t *o = json_loads(line, JSON_ALLOW_NUL, NULL);
	int err = o ? trace_event(run, o) : -EBADMSG;

	(void)len;
	json_decref(o);
	return err;
}

int cmp_trace_read(struct cmp_run *run)
{
	FILE *f = fopen(run->trace_path, "r");
	int err;

	if (!f)
		return -errno;
	err = tl_json_lines(f, trace_line, run, &run->line);
	fclose(f);
	return err;
}

/* --- the capture --- */

static struct cmp_conn *capture_conn(struct cmp_side *s, const struct tl_conn *c)
{
	struct cmp_conn *cc = tl_conn_map_get(&s->engine_ids, c->id);

	if (cc || s->err)
		return cc;
	cc = cmp_conn_new(s, c->id);
	if (!cc || tl_conn_map_put(&s->engine_ids, c->id, cc)) {
		s->err = -ENOMEM;
		return NULL;
	}
	cc->ep[TL_CLIENT] = c->ep[TL_CLIENT];
	cc->ep[TL_SERVER] = c->ep[TL_SERVER];
	return cc;
}

static void capture_on_packet(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v)
{
	const struct tl_packet *p = v->pkt;
	struct cmp_seg seg = {.seq = p->seq,
			      .ack = p->ack,
			      .len = p->payload_len,
			      .flags = p->flags,
			      .win = p->window,
			      .analysis = analysis_fields_bits(v->analysis),
			      .frame = v->frame_no,
			      .ts_ns = v->ts_ns};
	struct cmp_side *s = ctx;
	struct cmp_conn *cc = capture_conn(s, c);
	const struct tl_analysis *an = v->analysis;
	int err;

	if (an && (an->flags & TL_A_DUPLICATE_ACK)) {
		seg.dup_num = an->dup_ack_num;
		seg.dup_of = an->dup_ack_of;
	}
	if (an) {
		seg.bif = an->bytes_in_flight;
		seg.has_rtt = an->acks_packet != 0;
		seg.rtt_ns = an->ack_rtt_ns;
	}
	if (cc && (err = cmp_add_seg(cc, v->from, &seg)))
		s->err = err;
}

static void capture_on_http(void *ctx, const struct tl_conn *c, const struct tl_http_view *v)
{
	const struct tl_http_msg *m = v->msg;
	struct cmp_side *s = ctx;
	struct cmp_conn *cc = capture_conn(s, c);
	int err;

	if (cc &&
	    (err = cmp_add_http(cc, m->kind == TL_HTTP_REQUEST, m->method, m->uri, m->status)))
		s->err = err;
}

int cmp_capture_read(struct cmp_run *run, char *err, size_t err_size)
{
	struct tl_capture_filter f = {
	    .ports = run->ports, .nports = run->nports, .family = run->family};
	struct tl_sink sink = {
	    .ctx = &run->capture, .on_packet = capture_on_packet, .on_http = capture_on_http};
	int ret = tl_capture_to_sink(run->capture_path, &f, &sink, err, err_size);

	if (!ret && run->capture.err) {
		snprintf(err, err_size, "%s", strerror(-run->capture.err));
		ret = run->capture.err;
	}
	return ret;
}
