/* --json: one object per event, one line each. Lines are kept in one buffer
 * and written once per drain of the ring buffer (a write() per line was a
 * third of the reader's CPU), so a script reading a pipe sees every event
 * within one poll interval; the start line is written at once. The member
 * names are a scripting interface: keep them stable. */
#include "tracer/output/output.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tracer/output/conn_map.h"
#include "tracer/output/json_contract.h"
#include "tracer/output/json_member.h"
#include "tracer/output/json_writer.h"
#include "tracer/proto/tcp_names.h"

/* Most a "headers" member is remembered for: the field lines it came from,
 * and its text. */
#define JSON_MEMO_KEY_MAX 2048
#define JSON_MEMO_OUT_MAX 4096
/* Heads remembered per kind of message: a server's responses differ from
 * one another in a counter (Keep-Alive: max=97) as often as not, so one
 * remembered head missed on most responses of a busy server. */
#define JSON_MEMO_SLOTS 64

/* The "headers" member (and "headers_truncated") written for a message,
 * with the field lines it was made of: a client sends the same request
 * fields and a server the same response fields on most messages, and
 * splitting and escaping them again was an eighth of --json's CPU. */
struct json_headers_memo {
	uint64_t hash;
	size_t key_len, out_len;
	char *bytes; /* the key's, then the member's; NULL: nothing remembered */
};

struct json_output {
	struct tl_output out; /* first: the callbacks get &out back */
	FILE *f;
	struct tl_json j;	  /* one line's buffer, reused */
	struct tl_conn_map conns; /* struct json_conn, by connection id */
	/* The fields of "headers": --headers=all, else those that explain. */
	enum tl_headers_mode headers;
	struct json_headers_memo memo[2][JSON_MEMO_SLOTS]; /* [1]: requests' */
};

/* Longest field name a "headers" key is made of. */
#define JSON_HEADER_NAME_MAX 256

static const char *const handshake_names[] = {
    [TL_HS_UNANSWERED] = "unanswered",
    [TL_HS_COMPLETE] = "complete",
    [TL_HS_REFUSED] = "refused",
    [TL_HS_FAILED] = "failed",
};

static const char *const tw_ended_by_names[] = {
    [TL_TW_ENDED_TIMER] = "timer",
    [TL_TW_ENDED_REUSED] = "reused",
    [TL_TW_ENDED_UNKNOWN] = "unknown",
};

/* json_line: starts an object with the members every event has. Inline,
 * as json_conn_line: the type is nearly always a literal, whose length
 * then folds. */
TL_JSON_INLINE struct tl_json *json_line(struct json_output *jo, const char *type, __u64 ts_ns)
{
	tl_json_begin(&jo->j);
	tl_json_name(&jo->j, TL_JM(type), type);
	tl_json_time(&jo->j, TL_JM(ts), ts_ns);
	return &jo->j;
}

/* json_conn_line: json_line plus the connection's id. */
TL_JSON_INLINE struct tl_json *json_conn_line(struct json_output *jo, const char *type, __u64 ts_ns,
					      const struct tl_conn *c)
{
	struct tl_json *j = json_line(jo, type, ts_ns);

	tl_json_uint(j, TL_JM(conn), c->id);
	return j;
}

static void json_emit(struct json_output *jo)
{
	/* A write error (a closed pipe, a full disk) has nobody to tell: the
	 * engine goes on, and the next line tries again. */
	tl_json_end(&jo->j, jo->f);
}

/* Both members null when the kernel never named the process; comm may fill
 * its array without a NUL. */
static void json_proc(struct tl_json *j, const char *pid_key, const char *comm_key,
		      const struct tl_proc *p)
{
	if (!p->pid) {
		tl_json_null(j, pid_key);
		tl_json_null(j, comm_key);
		return;
	}
	tl_json_uint(j, pid_key, p->pid);
	tl_json_strn(j, comm_key, p->comm, strnlen(p->comm, sizeof(p->comm)));
}

static void json_endpoint(struct tl_json *j, const char *key, const struct tl_endpoint *ep)
{
	char buf[TL_ENDPOINT_STRLEN];

	tl_json_name(j, key, tl_endpoint_str(ep, buf));
}

/* Address and port as two members, from a packet record's raw address. */
static void json_addr_port(struct tl_json *j, const char *addr_key, const char *port_key,
			   __u8 family, const __u8 addr[16], __u16 port)
{
	struct tl_endpoint ep;
	char buf[TL_ADDR_STRLEN];

	tl_endpoint_set(&ep, family, addr, port);
	tl_json_name(j, addr_key, tl_addr_str(&ep, buf));
	tl_json_uint(j, port_key, ep.port);
}

/* The most "src"..."dport" members can take: two IPv6 addresses. */
#define JSON_ADDRS_MAX 160

/* Kept per connection: the packet lines' "src" to "dport" members of each
 * direction, written on its first packet: converting both addresses of
 * every packet to text was a fifth of --json's CPU. */
struct json_conn {
	size_t len[2]; /* 0: not made yet */
	char members[2][JSON_ADDRS_MAX];
};

static void json_packet_addrs(struct json_output *jo, const struct tl_conn *c,
			      const struct tl_pkt_view *v)
{
	const struct tl_packet *p = v->pkt;
	struct json_conn *jc = tl_conn_map_get(&jo->conns, c->id);
	struct tl_json *j = &jo->j;
	const int d = v->from == TL_CLIENT ? 0 : 1;
	size_t mark = j->len;

	if (!jc && (jc = calloc(1, sizeof(*jc))) && tl_conn_map_put(&jo->conns, c->id, jc)) {
		free(jc);
		jc = NULL;
	}
	if (jc && jc->len[d]) {
		tl_json_raw(j, jc->members[d], jc->len[d]);
		return;
	}
	json_addr_port(j, TL_JM(src), TL_JM(sport), p->family, p->saddr, p->sport);
	json_addr_port(j, TL_JM(dst), TL_JM(dport), p->family, p->daddr, p->dport);
	if (jc && !j->oom && j->len - mark <= JSON_ADDRS_MAX) {
		memcpy(jc->members[d], j->buf + mark, j->len - mark);
		jc->len[d] = j->len - mark;
	}
}

/* The longest text tl_tcp_options_fmt is given room for. */
#define JSON_OPTIONS_MAX 256

/* "options", in place, and only when the segment carried some to list. */
static void json_options(struct tl_json *j, const struct tl_tcp_opts *o, __u32 sack_base)
{
	const size_t mark = j->len;
	const bool comma = j->need_comma;
	size_t n;

	if (!tl_json_member(j, TL_JM(options), JSON_OPTIONS_MAX + 1))
		return;
	n = tl_tcp_options_fmt(o, sack_base, true, j->buf + j->len + 1, JSON_OPTIONS_MAX);
	if (!n) {
		j->len = mark;
		j->need_comma = comma;
		return;
	}
	j->buf[j->len] = '"';
	j->buf[j->len + 1 + n] = '"';
	j->len += n + 2;
}

/* "options" of a segment with only timestamps, from the digits of "tsval"
 * and "tsecr" just written, which end at val_end and ecr_end. */
static void json_options_ts(struct tl_json *j, const struct tl_tcp_opts *o, size_t val_end,
			    size_t ecr_end)
{
	const size_t nv = (size_t)tl_fmt_ndigits(o->tsval), ne = (size_t)tl_fmt_ndigits(o->tsecr);
	char *p;

	if (!tl_json_member(j, TL_JM(options), nv + ne + sizeof("\"TSval= TSecr=\"")))
		return;
	p = j->buf + j->len;
	memcpy(p, "\"TSval=", 7);
	memcpy(p + 7, j->buf + val_end - nv, nv);
	p += 7 + nv;
	memcpy(p, " TSecr=", 7);
	memcpy(p + 7, j->buf + ecr_end - ne, ne);
	p += 7 + ne;
	*p++ = '"';
	j->len = (size_t)(p - j->buf);
}

/* Only the options the segment carried are members. */
static void json_tcp_opts(struct tl_json *j, const struct tl_tcp_opts *o, __u32 sack_base)
{
	size_t val_end = 0, ecr_end = 0;

	if (o->has_mss)
		tl_json_uint(j, TL_JM(mss), o->mss);
	if (o->has_wscale)
		tl_json_uint(j, TL_JM(wscale), o->wscale);
	if (o->sack_perm)
		tl_json_bool(j, TL_JM(sack_perm), true);
	if (o->has_ts) {
		tl_json_uint(j, TL_JM(tsval), o->tsval);
		val_end = j->len;
		tl_json_uint(j, TL_JM(tsecr), o->tsecr);
		ecr_end = j->len;
	}
	if (j->oom)
		return;
	if (tl_tcp_options_ts_only(o))
		json_options_ts(j, o, val_end, ecr_end);
	else if (o->nkinds)
		json_options(j, o, sack_base);
}

/* "flags": "SYN, ACK", written in place. */
static void json_flags(struct tl_json *j, __u16 flags)
{
	size_t n;

	if (!tl_json_member(j, TL_JM(flags), TL_TCP_FLAGS_ROOM + 1))
		return;
	n = tl_tcp_flags_write(flags, j->buf + j->len + 1);
	j->buf[j->len] = '"';
	j->buf[j->len + 1 + n] = '"';
	j->len += n + 2;
}

/* Wireshark's analysis, as tshark's tcp.analysis.* fields name it. */
static void json_analysis(struct tl_json *j, const struct tl_analysis *an)
{
	const char *names[TL_A_COUNT];
	/* Most segments have nothing to say: no names to look for. */
	int n = an->flags ? tl_analysis_fields(an->flags, names) : 0;

	if (n) {
		tl_json_open(j, TL_JM(analysis), '[');
		for (int i = 0; i < n; i++)
			tl_json_elem_str(j, names[i]);
		tl_json_close(j, ']');
	}
	if (an->flags & TL_A_DUPLICATE_ACK) {
		tl_json_uint(j, TL_JM(dup_ack_num), an->dup_ack_num);
		tl_json_uint(j, TL_JM(dup_ack_of), an->dup_ack_of);
		tl_json_uint(j, TL_JM(dup_ack_of_frame), an->dup_ack_of_frame);
	}
	if (an->acks_packet)
		tl_json_ms6(j, TL_JM(ack_rtt_ms), an->ack_rtt_ns);
	if (an->bytes_in_flight)
		tl_json_uint(j, TL_JM(bytes_in_flight), an->bytes_in_flight);
}

static void json_on_packet(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v)
{
	const struct tl_packet *p = v->pkt;
	struct tl_json *j = json_conn_line(ctx, "packet", v->ts_ns, c);

	json_packet_addrs(ctx, c, v);
	tl_json_name(j, TL_JM(dir), tl_json_side_word(TL_JSON_DIR, v->from));
	tl_json_uint(j, TL_JM(frame), v->frame_no);
	tl_json_uint(j, TL_JM(stream), v->stream);
	json_flags(j, p->flags);
	tl_json_uint(j, TL_JM(flags_raw), p->flags);
	tl_json_uint(j, TL_JM(seq), v->seq);
	tl_json_uint(j, TL_JM(ack), v->ack);
	tl_json_uint(j, TL_JM(seq_raw), p->seq);
	tl_json_uint(j, TL_JM(ack_raw), p->ack);
	tl_json_uint(j, TL_JM(len), p->payload_len);
	tl_json_uint(j, TL_JM(win), p->window);
	tl_json_uint(j, TL_JM(win_scaled), v->win_scaled);
	tl_json_uint(j, TL_JM(frame_len), p->frame_len);
	json_tcp_opts(j, v->opts, v->sack_base);
	if (v->analysis)
		json_analysis(j, v->analysis);
	json_emit(ctx);
}

static void json_on_state(void *ctx, const struct tl_conn *c, const struct tl_state_view *v)
{
	struct tl_json *j = json_conn_line(ctx, "state", v->ts_ns, c);

	tl_json_name(j, TL_JM(side), tl_side_name(v->side));
	tl_json_name(j, TL_JM(old), tl_tcp_state_name(v->old_state));
	tl_json_name(j, TL_JM(new), tl_tcp_state_name(v->new_state));
	if (v->proc && v->proc->pid)
		json_proc(j, TL_JM(pid), TL_JM(comm), v->proc);
	tl_json_bool(j, TL_JM(inferred), v->inferred);
	tl_json_name(j, TL_JM(cause), tl_state_cause_name(v->cause));
	json_emit(ctx);
}

/* Headers are members only when the message had them. */
static void json_http_headers(struct tl_json *j, const struct tl_http_msg *m)
{
	const bool req = m->kind == TL_HTTP_REQUEST;

	if (*m->content_type)
		tl_json_str(j, TL_JM(content_type), m->content_type);
	if (m->content_length >= 0)
		tl_json_int(j, TL_JM(content_length), m->content_length);
	if (req && *m->range)
		tl_json_str(j, TL_JM(range), m->range);
	if (!req && *m->content_range)
		tl_json_str(j, TL_JM(content_range), m->content_range);
	if (*m->connection)
		tl_json_str(j, TL_JM(connection), m->connection);
	if (*m->transfer_encoding)
		tl_json_str(j, TL_JM(transfer_encoding), m->transfer_encoding);
}

/* "headers": the fields as sent, named in lower case (field names are
 * case-insensitive), a repeated one's values joined; the head's own bytes,
 * never a guess: fields the bytes kept did not reach are absent, and
 * TL_JM(headers_truncated) says so. */
static void json_header_fields(struct json_output *jo, const struct tl_http_view *v)
{
	static struct tl_http_headers h; /* 18 KB; one thread */
	struct tl_json *j = &jo->j;
	char key[JSON_HEADER_NAME_MAX];
	bool left_out = false;

	tl_http_headers_collect(v->head, v->head_len, jo->headers, true, &h);
	tl_json_open(j, TL_JM(headers), '{');
	for (int i = 0; i < h.n; i++) {
		const struct tl_http_field *f = &h.f[i];

		if (f->name_len >= sizeof(key)) {
			left_out = true;
			continue;
		}
		for (size_t k = 0; k < f->name_len; k++)
			key[k] = (char)tl_http_lower(f->name[k]);
		key[f->name_len] = '\0';
		tl_json_strn(j, key, f->value, f->value_len);
	}
	tl_json_close(j, '}');
	if (h.truncated || h.more || left_out)
		tl_json_bool(j, TL_JM(headers_truncated), true);
}

/* A head's field lines to a memo slot: eight bytes a step. */
static uint64_t json_memo_hash(const uint8_t *p, size_t n)
{
	uint64_t h = n, w;

	for (; n >= sizeof(w); p += sizeof(w), n -= sizeof(w)) {
		memcpy(&w, p, sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h ^ h >> 32;
}

/* Remembers the member just written at out[0..out_len) for the field lines
 * key[0..key_len), in place of what the slot held. */
static void json_memo_keep(struct json_headers_memo *memo, uint64_t hash, const uint8_t *key,
			   size_t key_len, const char *out, size_t out_len)
{
	char *bytes;

	if (key_len > JSON_MEMO_KEY_MAX || out_len > JSON_MEMO_OUT_MAX)
		return;
	bytes = realloc(memo->bytes, key_len + out_len);
	if (!bytes)
		return;
	memcpy(bytes, key, key_len);
	memcpy(bytes + key_len, out, out_len);
	*memo = (struct json_headers_memo){hash, key_len, out_len, bytes};
}

/* json_header_fields, or the same bytes again when the message's field
 * lines are those of an earlier message of its kind. Only whole heads are
 * remembered: the members depend on nothing but these bytes and the mode,
 * which is set once, at start. */
static void json_headers(struct json_output *jo, const struct tl_http_view *v)
{
	const struct tl_http_msg *m = v->msg;
	const size_t start = tl_http_head_start(v->head, v->head_len);
	const uint8_t *key = v->head + start;
	struct tl_json *j = &jo->j;
	const size_t mark = j->len;
	struct json_headers_memo *memo;
	size_t key_len = 0;
	uint64_t hash;

	if (m->headers_complete && m->header_len <= v->head_len && m->header_len > start)
		key_len = m->header_len - start;
	if (!key_len) {
		json_header_fields(jo, v);
		return;
	}
	hash = json_memo_hash(key, key_len);
	memo = &jo->memo[m->kind == TL_HTTP_REQUEST][hash % JSON_MEMO_SLOTS];
	if (memo->bytes && memo->hash == hash && memo->key_len == key_len &&
	    !memcmp(memo->bytes, key, key_len)) {
		tl_json_raw(j, memo->bytes + key_len, memo->out_len);
		return;
	}
	json_header_fields(jo, v);
	if (!j->oom)
		json_memo_keep(memo, hash, key, key_len, j->buf + mark, j->len - mark);
}

static void json_on_http(void *ctx, const struct tl_conn *c, const struct tl_http_view *v)
{
	const struct tl_http_msg *m = v->msg;
	struct tl_json *j = json_conn_line(ctx, "http", v->ts_ns, c);

	if (m->kind == TL_HTTP_REQUEST) {
		tl_json_name(j, TL_JM(dir), "request");
		tl_json_str(j, TL_JM(method), m->method);
		tl_json_strn(j, TL_JM(uri), m->uri, m->uri_len);
		if (m->uri_truncated)
			tl_json_bool(j, TL_JM(uri_truncated), true);
		tl_json_str(j, TL_JM(version), m->version);
	} else {
		tl_json_name(j, TL_JM(dir), "response");
		tl_json_str(j, TL_JM(version), m->version);
		tl_json_int(j, TL_JM(status), m->status);
		tl_json_str(j, TL_JM(reason), m->reason);
	}
	tl_json_uint(j, TL_JM(seq), v->seq);
	tl_json_uint(j, TL_JM(frame), v->frame_no);
	json_http_headers(j, m);
	json_headers(ctx, v);
	if (m->kind == TL_HTTP_RESPONSE && v->request) {
		tl_json_str(j, TL_JM(request_method), v->request->method);
		tl_json_strn(j, TL_JM(request_uri), v->request->uri, v->request->uri_len);
		tl_json_ms(j, TL_JM(latency_ms), v->latency_ns);
	}
	json_emit(ctx);
}

/* One line per request/response pair, once the response's last byte is in:
 * the numbers a student reads off Wireshark's HTTP statistics. */
static void json_on_exchange(void *ctx, const struct tl_conn *c, const struct tl_exchange_view *v)
{
	struct tl_json *j = json_conn_line(ctx, "exchange", v->ts_ns, c);

	if (v->request) {
		tl_json_str(j, TL_JM(method), v->request->method);
		tl_json_strn(j, TL_JM(uri), v->request->uri, v->request->uri_len);
	}
	tl_json_int(j, TL_JM(status), v->status);
	if (*v->content_type)
		tl_json_str(j, TL_JM(content_type), v->content_type);
	if (v->content_length >= 0)
		tl_json_int(j, TL_JM(content_length), v->content_length);
	tl_json_uint(j, TL_JM(body_bytes), v->body_bytes);
	if (v->request) {
		tl_json_ms(j, TL_JM(first_byte_ms), v->first_byte_ns - v->request->ts_ns);
		tl_json_ms(j, TL_JM(last_byte_ms), v->last_byte_ns - v->request->ts_ns);
	}
	tl_json_bool(j, TL_JM(complete), v->complete);
	tl_json_bool(j, TL_JM(range), v->status == 206);
	tl_json_bool(j, TL_JM(revalidated), v->status == 304);
	tl_json_bool(j, TL_JM(chunked), v->chunked);
	json_emit(ctx);
}

/* Each side's TCP internals at its latest state change, as ss -ti shows
 * them; null for a side the kernel did not report. */
static void json_tcp_info(struct tl_json *j, const struct tl_conn *c)
{
	tl_json_open(j, TL_JM(tcp_info), '{');
	for (int s = TL_CLIENT; s <= TL_SERVER; s++) {
		const struct tl_tcp_info *ti = &c->tcp_info[s];

		if (!ti->valid) {
			tl_json_null(j, tl_side_name(s));
			continue;
		}
		tl_json_open(j, tl_side_name(s), '{');
		tl_json_name(j, TL_JM(state), tl_tcp_state_name(ti->state));
		tl_json_ms(j, TL_JM(srtt_ms), (__u64)ti->srtt_us * 1000);
		tl_json_ms(j, TL_JM(rttvar_ms), (__u64)ti->rttvar_us * 1000);
		tl_json_bool(j, TL_JM(rtt_measured), ti->rtt_measured);
		tl_json_uint(j, TL_JM(cwnd), ti->cwnd);
		/* Never in loss: the kernel's "infinite", which ss leaves out too. */
		if (ti->ssthresh >= TL_SSTHRESH_INFINITE)
			tl_json_null(j, TL_JM(ssthresh));
		else
			tl_json_uint(j, TL_JM(ssthresh), ti->ssthresh);
		tl_json_uint(j, TL_JM(retrans), ti->retrans);
		tl_json_uint(j, TL_JM(mss), ti->mss);
		tl_json_uint(j, TL_JM(delivery_rate), ti->delivery_rate);
		tl_json_uint(j, TL_JM(bytes_acked), ti->bytes_acked);
		tl_json_uint(j, TL_JM(bytes_received), ti->bytes_received);
		tl_json_close(j, '}');
	}
	tl_json_close(j, '}');
}

/* How often each side's congestion control entered each state. */
static void json_congestion(struct tl_json *j, const struct tl_conn *c)
{
	static const char *const names[TL_CA_STATES] = {TL_JM(open), TL_JM(disorder), TL_JM(cwr),
							TL_JM(recovery), TL_JM(loss)};

	tl_json_open(j, TL_JM(congestion), '{');
	for (int s = TL_CLIENT; s <= TL_SERVER; s++) {
		tl_json_open(j, tl_side_name(s), '{');
		for (int i = 0; i < TL_CA_STATES; i++)
			tl_json_uint(j, names[i], c->ca_entries[s][i]);
		tl_json_close(j, '}');
	}
	tl_json_close(j, '}');
}

static void json_on_conn_end(void *ctx, const struct tl_conn *c)
{
	struct tl_json *j = json_conn_line(ctx, "conn", c->last_ns, c);

	json_endpoint(j, TL_JM(client), &c->ep[TL_CLIENT]);
	json_endpoint(j, TL_JM(server), &c->ep[TL_SERVER]);
	json_proc(j, TL_JM(client_pid), TL_JM(client_comm), &c->proc[TL_CLIENT]);
	json_proc(j, TL_JM(server_pid), TL_JM(server_comm), &c->proc[TL_SERVER]);
	tl_json_time(j, TL_JM(start), c->start_ns);
	tl_json_time(j, TL_JM(end), c->last_ns);
	tl_json_ms(j, TL_JM(duration_ms), c->last_ns - c->start_ns);
	tl_json_uint(j, TL_JM(bytes_c2s), c->flow[TL_CLIENT].bytes);
	tl_json_uint(j, TL_JM(bytes_s2c), c->flow[TL_SERVER].bytes);
	tl_json_uint(j, TL_JM(packets), c->packets);
	tl_json_uint(j, TL_JM(requests), c->requests);
	tl_json_uint(j, TL_JM(responses), c->responses);
	if (c->closed_by == TL_CLOSED_NONE)
		tl_json_null(j, TL_JM(closed_by));
	else
		/* The contract's words follow the enum's order, after NONE. */
		tl_json_name(j, TL_JM(closed_by),
			     tl_json_side_word(TL_JSON_CLOSED_BY, c->closed_by - TL_CLOSED_CLIENT));
	if (c->closed_by == TL_CLOSED_RESET)
		tl_json_name(j, TL_JM(reset_by), tl_side_name(c->reset_by));
	else
		tl_json_null(j, TL_JM(reset_by));
	if (tl_conn_handshake(c) == TL_HS_UNSEEN)
		tl_json_null(j, TL_JM(handshake));
	else
		tl_json_name(j, TL_JM(handshake), handshake_names[tl_conn_handshake(c)]);
	tl_json_uint(j, TL_JM(syns), c->client_syns);
	if (c->time_wait < 0)
		tl_json_null(j, TL_JM(time_wait));
	else
		tl_json_name(j, TL_JM(time_wait), tl_time_wait_name(c->time_wait));
	tl_json_bool(j, TL_JM(mid_stream), c->mid_stream);
	tl_json_bool(j, TL_JM(roles_guessed), c->roles_guessed);
	tl_json_bool(j, TL_JM(incomplete), c->incomplete);
	tl_json_bool(j, TL_JM(open_at_exit), c->open_at_exit);
	tl_json_bool(j, TL_JM(evicted), c->evicted);
	tl_json_bool(j, TL_JM(states_missing), c->states_missing);
	tl_json_bool(j, TL_JM(preconnect), tl_conn_preconnect(c));
	tl_json_uint(j, TL_JM(retransmissions), c->retransmissions);
	tl_json_uint(j, TL_JM(dup_acks), c->dup_acks);
	tl_json_uint(j, TL_JM(zero_windows), c->zero_windows);
	json_tcp_info(j, c);
	tl_json_uint(j, TL_JM(drops), c->drops);
	tl_json_uint(j, TL_JM(kernel_retransmits), c->kernel_retransmits);
	tl_json_uint(j, TL_JM(rcvqueue_full), c->rcvqueue_full);
	tl_json_uint(j, TL_JM(buf_limit), c->buf_limit);
	json_congestion(j, c);
	json_emit(ctx);
	free(tl_conn_map_take(&((struct json_output *)ctx)->conns, c->id));
}

static void json_on_kernel(void *ctx, const struct tl_conn *c, const struct tl_kernel_view *v)
{
	static const char *const types[] = {
	    [TL_EV_RETRANSMIT] = "kernel_retransmit",
	    [TL_EV_DROP] = "drop",
	    [TL_EV_RESET] = "reset",
	};
	struct tl_json *j = json_conn_line(ctx, types[v->type], v->ts_ns, c);

	tl_json_name(j, TL_JM(side), tl_side_name(v->side));
	if (v->type != TL_EV_RESET) {
		json_flags(j, v->flags);
		tl_json_uint(j, TL_JM(flags_raw), v->flags);
		tl_json_uint(j, TL_JM(seq), v->seq);
		tl_json_uint(j, TL_JM(seq_raw), v->seq_raw);
		tl_json_uint(j, TL_JM(len), v->len);
	}
	if (v->type == TL_EV_RETRANSMIT && v->number)
		tl_json_uint(j, TL_JM(packet), v->number);
	if (v->reason)
		tl_json_str(j, TL_JM(reason), v->reason);
	if (v->type == TL_EV_DROP)
		tl_json_bool(j, TL_JM(before_capture), v->before_capture);
	json_emit(ctx);
}

static void json_on_tw_end(void *ctx, const struct tl_tw_view *v)
{
	struct tl_json *j = json_line(ctx, "time_wait_end", v->end_ns);

	tl_json_uint(j, TL_JM(conn), v->conn_id);
	tl_json_name(j, TL_JM(side), tl_side_name(v->side));
	json_endpoint(j, TL_JM(local), &v->local);
	json_endpoint(j, TL_JM(remote), &v->remote);
	tl_json_ms(j, TL_JM(duration_ms), v->end_ns - v->start_ns);
	tl_json_bool(j, TL_JM(confirmed), v->confirmed);
	tl_json_name(j, TL_JM(ended_by), tw_ended_by_names[v->ended_by]);
	tl_json_name(j, TL_JM(cause), tl_state_cause_name(v->cause));
	json_emit(ctx);
}

static void json_flush(struct tl_output *o)
{
	struct json_output *jo = (struct json_output *)o;

	tl_json_flush(&jo->j, jo->f);
}

static const char *json_family_name(int family)
{
	if (family == AF_INET)
		return "ipv4";
	return family == AF_INET6 ? "ipv6" : "any";
}

/* The kernel facts' tracepoints that are not hooked: [] when all are. */
static void json_facts_missing(struct tl_json *j, const char *missing)
{
	char name[64];

	tl_json_open(j, TL_JM(facts_missing), '[');
	while (missing && *missing) {
		size_t n = strcspn(missing, " ");

		snprintf(name, sizeof(name), "%.*s", (int)n, missing);
		tl_json_elem_str(j, name);
		missing += n + (missing[n] == ' ');
	}
	tl_json_close(j, ']');
}

/* How the kernel programs were attached: tells a script what it can trust
 * (no owner hook, no process names). */
static void json_attach(struct tl_json *j, const struct tl_start_info *info)
{
	tl_json_open(j, TL_JM(attach), '{');
	tl_json_str(j, TL_JM(tc), info->tc_attach);
	tl_json_str(j, TL_JM(state), info->state_attach);
	tl_json_str(j, TL_JM(owner), info->owner_attach);
	json_facts_missing(j, info->facts_missing);
	tl_json_close(j, '}');
}

static void json_privileges(struct tl_json *j, const struct tl_privileges *p)
{
	tl_json_open(j, TL_JM(privileges), '{');
	tl_json_str(j, TL_JM(user), p->user);
	tl_json_open(j, TL_JM(capabilities), '[');
	for (int i = 0; i < p->ncaps; i++)
		tl_json_elem_str(j, p->caps[i]);
	tl_json_close(j, ']');
	tl_json_bool(j, TL_JM(seccomp), p->seccomp);
	tl_json_close(j, '}');
}

static void json_start(struct tl_output *o, const struct tl_start_info *info)
{
	struct tl_json *j = json_line((struct json_output *)o, "start", info->ts_ns);

	((struct json_output *)o)->headers =
	    info->headers == TL_HEADERS_ALL ? TL_HEADERS_ALL : TL_HEADERS_EXPLAIN;
	if (info->source_file)
		tl_json_null(j, TL_JM(interface));
	else
		tl_json_str(j, TL_JM(interface), info->ifname);
	tl_json_open(j, TL_JM(ports), '[');
	for (int i = 0; i < info->nports; i++)
		tl_json_elem_uint(j, info->ports[i]);
	tl_json_close(j, ']');
	tl_json_str(j, TL_JM(family), json_family_name(info->family));
	if (!info->source_file)
		json_attach(j, info);
	tl_json_bool(j, TL_JM(both_directions), info->both_directions);
	tl_json_str(j, TL_JM(version), TL_VERSION);
	if (info->source_file)
		tl_json_str(j, TL_JM(file), info->source_file);
	if (info->privileges)
		json_privileges(j, info->privileges);
	json_emit((struct json_output *)o);
	json_flush(o);
}

static void json_loss(struct tl_output *o, __u64 ts_ns, __u64 total)
{
	struct tl_json *j = json_line((struct json_output *)o, "loss", ts_ns);

	tl_json_uint(j, TL_JM(lost), total);
	json_emit((struct json_output *)o);
}

static void json_stats(struct tl_output *o, const struct tl_stats_info *info)
{
	struct tl_json *j = json_line((struct json_output *)o, "stats", info->ts_ns);

	tl_json_uint(j, TL_JM(events), info->events);
	tl_json_uint(j, TL_JM(lost), info->lost);
	tl_json_uint(j, TL_JM(connections), info->conns);
	tl_json_uint(j, TL_JM(states_missing), info->states_missing);
	json_emit((struct json_output *)o);
	json_flush(o);
}

static void json_free(struct tl_output *o)
{
	struct json_output *jo = (struct json_output *)o;

	/* Lines since the last drain are written, never dropped. */
	json_flush(o);
	tl_json_free(&jo->j);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < JSON_MEMO_SLOTS; i++)
			free(jo->memo[k][i].bytes);
	tl_conn_map_free(&jo->conns, free);
	free(jo);
}

struct tl_output *tl_output_json_new(FILE *f)
{
	struct json_output *jo = calloc(1, sizeof(*jo));

	if (!jo)
		return NULL;
	jo->f = f;
	jo->j.batched = true;
	jo->headers = TL_HEADERS_EXPLAIN;
	jo->out = (struct tl_output){
	    .sink = {.ctx = jo,
		     .on_packet = json_on_packet,
		     .on_state = json_on_state,
		     .on_http = json_on_http,
		     .on_exchange = json_on_exchange,
		     .on_conn_end = json_on_conn_end,
		     .on_tw_end = json_on_tw_end,
		     .on_kernel = json_on_kernel},
	    .start = json_start,
	    .loss = json_loss,
	    .stats = json_stats,
	    .flush = json_flush,
	    .free = json_free,
	};
	return &jo->out;
}
