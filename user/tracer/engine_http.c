/* HTTP on a connection: the messages each segment begins (several when
 * requests are pipelined into one write), requests paired with responses in
 * order, and each response followed to its last byte. */
#include "tracer/engine_impl.h"

#include <string.h>

/* Messages looked for in one segment's captured bytes. */
#define MAX_MESSAGES_PER_SEGMENT 16

static bool seq_after_eq(__u32 a, __u32 b)
{
	return (__s32)(a - b) >= 0;
}

static void push_request(struct tl_conn *c, const struct tl_http_msg *m, __u64 ts_ns)
{
	struct tl_pending_request *r;

	/* Full: the oldest request goes unanswered, as far as pairing knows. */
	if (c->npending == TL_PENDING_REQUESTS) {
		c->pending_head = (c->pending_head + 1) % TL_PENDING_REQUESTS;
		c->npending--;
	}
	r = &c->pending[(c->pending_head + c->npending) % TL_PENDING_REQUESTS];
	r->ts_ns = ts_ns;
	memcpy(r->method, m->method, sizeof(r->method));
	memcpy(r->uri, m->uri, sizeof(r->uri));
	c->npending++;
}

static bool pop_request(struct tl_conn *c, struct tl_pending_request *out)
{
	if (!c->npending)
		return false;
	*out = c->pending[c->pending_head];
	c->pending_head = (c->pending_head + 1) % TL_PENDING_REQUESTS;
	c->npending--;
	return true;
}

static void finish_exchange(struct tl_engine *e, struct tl_conn *c, bool complete)
{
	struct tl_response_track *t = &c->response;
	struct tl_exchange_view v = {
		.ts_ns = t->last_ns,
		.request = t->has_request ? &t->request : NULL,
		.status = t->status,
		.content_type = t->content_type,
		.content_length = t->content_length,
		.body_bytes = t->body_bytes,
		.first_byte_ns = t->first_ns,
		.last_byte_ns = t->last_ns,
		.complete = complete,
	};

	t->active = false;
	if (e->sink.on_exchange)
		e->sink.on_exchange(e->sink.ctx, c, &v);
}

/* Body length by RFC 9112 6.3: none after HEAD, 1xx, 204 and 304; else
 * Content-Length; else unknown (chunked, or until the server closes). */
static __s64 body_length(const struct tl_http_msg *m, const struct tl_pending_request *req)
{
	if ((req && !strcmp(req->method, "HEAD")) || m->status < 200 || m->status == 204 ||
	    m->status == 304)
		return 0;
	return m->content_length;
}

/* Counts body bytes up to high (raw seq past the newest byte) and ends the
 * exchange when the announced end is reached. */
static void track_body(struct tl_engine *e, struct tl_conn *c, __u32 high, __u64 ts_ns)
{
	struct tl_response_track *t = &c->response;
	__u64 seen;

	t->last_ns = ts_ns;
	if (!seq_after_eq(high, t->body_seq))
		return;
	seen = high - t->body_seq;
	if (seen > t->body_bytes)
		t->body_bytes = seen;
	if (t->end_known && seq_after_eq(high, t->end_seq)) {
		t->body_bytes = t->end_seq - t->body_seq;
		finish_exchange(e, c, true);
	}
}

static void start_response(struct tl_engine *e, struct tl_conn *c, const struct tl_http_msg *m,
			   __u32 raw_seq, __u64 ts_ns, struct tl_http_view *v)
{
	struct tl_response_track *t = &c->response;
	__s64 len;

	if (t->active) {
		/* The previous body may end right where this message begins. */
		track_body(e, c, raw_seq, ts_ns);
		if (t->active)
			finish_exchange(e, c, false);
	}
	memset(t, 0, sizeof(*t));
	t->has_request = pop_request(c, &t->request);
	if (t->has_request) {
		v->request = &t->request;
		v->latency_ns = ts_ns - t->request.ts_ns;
	}
	len = body_length(m, v->request);
	t->active = true;
	t->status = m->status;
	memcpy(t->content_type, m->content_type, sizeof(t->content_type));
	t->content_length = m->content_length;
	t->first_ns = t->last_ns = ts_ns;
	/* Without the whole header in the captured bytes the body cannot be found. */
	t->body_seq = raw_seq + m->header_len;
	t->end_known = m->headers_complete && len >= 0;
	t->end_seq = t->body_seq + (len > 0 ? len : 0);
}

/* Reports one message; returns its length in the stream when known, else 0. */
static size_t message(struct tl_engine *e, struct tl_conn *c, const struct tl_event *ev,
		      const struct tl_pkt_view *pv, const struct tl_http_msg *m, size_t off)
{
	struct tl_http_view v = {.ts_ns = ev->ts_ns, .from = pv->from, .seq = pv->seq + off,
				 .msg = m, .frame_no = pv->frame_no};
	__s64 body;

	if (m->kind == TL_HTTP_REQUEST) {
		c->requests++;
		push_request(c, m, ev->ts_ns);
		body = m->content_length > 0 ? m->content_length : 0;
	} else {
		c->responses++;
		/* 1xx responses are interim: the final one still answers the request. */
		if (m->status >= 200)
			start_response(e, c, m, pv->pkt->seq + off, ev->ts_ns, &v);
		body = m->status >= 200 ? body_length(m, v.request) : 0;
	}
	if (e->sink.on_http)
		e->sink.on_http(e->sink.ctx, c, &v);
	return m->headers_complete && body >= 0 ? m->header_len + body : 0;
}

static void messages(struct tl_engine *e, struct tl_conn *c, const struct tl_event *ev,
		     const struct tl_pkt_view *v)
{
	size_t off = 0, len;
	struct tl_http_msg m;

	for (int i = 0; i < MAX_MESSAGES_PER_SEGMENT; i++) {
		if (tl_http_parse(ev->http + off, ev->http_len - off, &m) == TL_HTTP_NONE)
			return;
		len = message(e, c, ev, v, &m, off);
		/* The next message, if it begins in this segment's captured bytes. */
		if (!len || off + len >= ev->http_len || off + len >= v->pkt->payload_len)
			return;
		off += len;
	}
}

/* Whether the segment's messages were reported before: it begins where an
 * earlier segment that began messages did (a retransmission; Wireshark
 * dissects it again, then marks it). Exact seqs, so that a segment that
 * only arrives out of order still counts. Records seq otherwise. */
static bool messages_seen(struct tl_conn *c, const struct tl_pkt_view *v)
{
	struct tl_flow *f = &c->flow[v->from];
	const __u32 seq = v->pkt->seq;

	for (int i = 0; i < f->nhttp_seq && i < TL_HTTP_SEQS; i++)
		if (f->http_seq[i] == seq)
			return true;
	f->http_seq[f->nhttp_seq++ % TL_HTTP_SEQS] = seq;
	if (f->nhttp_seq == 2 * TL_HTTP_SEQS)
		f->nhttp_seq = TL_HTTP_SEQS;
	return false;
}

void tl_engine_http_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_event *ev,
			    const struct tl_pkt_view *v)
{
	const struct tl_packet *p = v->pkt;

	if (ev->http_len && !messages_seen(c, v))
		messages(e, c, ev, v);
	if (v->from != TL_SERVER || !c->response.active)
		return;
	if (p->payload_len)
		track_body(e, c, p->seq + p->payload_len, ev->ts_ns);
	/* A body without a length ends when the server closes. */
	if (c->response.active && (p->flags & TL_FIN) && !c->response.end_known) {
		c->response.last_ns = ev->ts_ns;
		finish_exchange(e, c, true);
	}
}

void tl_engine_http_close(struct tl_engine *e, struct tl_conn *c)
{
	if (c->response.active)
		finish_exchange(e, c, false);
}
