/* HTTP on a connection: the messages each segment begins (several when
 * requests are pipelined into one write), requests paired with responses in
 * order, and each response followed to its last byte: by Content-Length in
 * sequence space, or through its chunked framing. */
#include "tracer/engine/engine_impl.h"

#include <stdlib.h>
#include <string.h>

#include "http_start.h"
#include "common/seq.h"

/* Messages looked for in one segment's captured bytes. */
#define MAX_MESSAGES_PER_SEGMENT 16
/* body_length's answer for a chunked body. */
#define BODY_CHUNKED (-2)

/* The stretch of b from off (at most b->len) on. */
static void bytes_from(const struct tl_http_bytes *b, size_t off, struct tl_http_bytes *out)
{
	*out = *b;
	out->p += off;
	out->len -= off;
	out->stream_len -= off;
	out->seq += off;
	out->rel_seq += off;
}

/* Room for one more pending request: the ring doubled, its oldest request
 * first, or, at its largest (or out of memory), the oldest dropped, to go
 * unanswered as far as pairing knows. False when there is no ring at all. */
static bool pending_room(struct tl_conn_http *h)
{
	unsigned cap = h->pending_cap ? 2u * h->pending_cap : 1;
	struct tl_pending_request *ring;

	if (h->npending < h->pending_cap)
		return true;
	ring = cap <= TL_PENDING_REQUESTS ? malloc(cap * sizeof(*ring)) : NULL;
	if (!ring) {
		if (!h->npending)
			return false;
		h->pending_head = (h->pending_head + 1) % h->pending_cap;
		h->npending--;
		return true;
	}
	for (unsigned i = 0; i < h->npending; i++)
		ring[i] = h->pending[(h->pending_head + i) % h->pending_cap];
	free(h->pending);
	h->pending = ring;
	h->pending_cap = cap;
	h->pending_head = 0;
	return true;
}

static void push_request(struct tl_conn *c, const struct tl_http_msg *m, __u64 ts_ns)
{
	struct tl_conn_http *h = tl_econn(c)->http;
	struct tl_pending_request *r;

	if (!pending_room(h)) {
		c->incomplete = true;
		return;
	}
	r = &h->pending[(h->pending_head + h->npending) % h->pending_cap];
	r->ts_ns = ts_ns;
	memcpy(r->method, m->method, sizeof(r->method));
	/* The URI as far as its NUL: most are short, and a whole
	 * TL_HTTP_URI_MAX per request was the live reader's largest copy. */
	memcpy(r->uri, m->uri, m->uri_len + 1);
	r->uri_len = m->uri_len;
	h->npending++;
}

static bool pop_request(struct tl_conn *c, struct tl_pending_request *out)
{
	struct tl_conn_http *h = tl_econn(c)->http;
	const struct tl_pending_request *r;

	if (!h->npending)
		return false;
	r = &h->pending[h->pending_head];
	out->ts_ns = r->ts_ns;
	memcpy(out->method, r->method, sizeof(out->method));
	memcpy(out->uri, r->uri, r->uri_len + 1);
	out->uri_len = r->uri_len;
	h->pending_head = (h->pending_head + 1) % h->pending_cap;
	h->npending--;
	return true;
}

static void finish_exchange(struct tl_engine *e, struct tl_conn *c, bool complete)
{
	struct tl_response_track *t = &tl_econn(c)->http->response;
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
	    .chunked = t->chunked,
	};

	t->active = false;
	if (e->sink.on_exchange)
		e->sink.on_exchange(e->sink.ctx, c, &v);
}

/* Body length by RFC 9112 6.3: none after HEAD, 1xx, 204 and 304; else
 * chunked, or until the server closes, when Transfer-Encoding is there
 * (Content-Length then does not count); else Content-Length; else unknown
 * (until the server closes). */
static __s64 body_length(const struct tl_http_msg *m, const struct tl_pending_request *req)
{
	if ((req && !strcmp(req->method, "HEAD")) || m->status < 200 || m->status == 204 ||
	    m->status == 304)
		return 0;
	if (*m->transfer_encoding)
		return m->chunked ? BODY_CHUNKED : -1;
	return m->content_length;
}

/* A request's body: Content-Length's, none without it, unknown when
 * Transfer-Encoding frames it (not followed). */
static __s64 request_body_length(const struct tl_http_msg *m)
{
	if (*m->transfer_encoding)
		return -1;
	return m->content_length > 0 ? m->content_length : 0;
}

/* Counts body bytes up to high (raw seq past the newest byte) and ends the
 * exchange when the announced end is reached. */
static void track_body(struct tl_engine *e, struct tl_conn *c, __u32 high, __u64 ts_ns)
{
	struct tl_response_track *t = &tl_econn(c)->http->response;
	__u64 seen;

	t->last_ns = ts_ns;
	if (!tl_seq_after_eq(high, t->body_seq))
		return;
	seen = high - t->body_seq;
	if (seen > t->body_bytes)
		t->body_bytes = seen;
	if (t->end_known && tl_seq_after_eq(high, t->end_seq)) {
		t->body_bytes = t->end_seq - t->body_seq;
		finish_exchange(e, c, true);
	}
}

/* Starts following the final response m; returns its body's length as
 * body_length tells it. */
static __s64 start_response(struct tl_engine *e, struct tl_conn *c, const struct tl_http_msg *m,
			    __u32 raw_seq, __u64 ts_ns, struct tl_http_view *v)
{
	struct tl_response_track *t = &tl_econn(c)->http->response;
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
	t->chunked = len == BODY_CHUNKED;
	t->chunk_lost = t->chunked && !m->headers_complete;
	t->dec_seq = t->body_seq;
	return len;
}

/* Follows a chunked body through b: its framing from the copied bytes,
 * its data by count where no bytes were copied. Returns the offset in b
 * just past the body when it ended there, else 0. */
static size_t track_chunks(struct tl_engine *e, struct tl_conn *c, const struct tl_http_bytes *b)
{
	struct tl_response_track *t = &tl_econn(c)->http->response;
	size_t off, n = 1;

	t->last_ns = b->ts_ns;
	/* Past dec_seq: bytes of the body that no record showed. */
	if ((__s32)(b->seq - t->dec_seq) > 0) {
		t->chunk_lost = true;
		return 0;
	}
	if (tl_seq_after_eq(t->dec_seq, b->seq + b->stream_len))
		return 0;
	off = t->dec_seq - b->seq;
	while (n && off < b->stream_len && t->dec.state < TL_CHUNK_DONE) {
		if (off < b->len)
			n = tl_chunk_feed(&t->dec, b->p + off, b->len - off);
		else
			n = tl_chunk_skip(&t->dec, b->stream_len - off);
		off += n;
	}
	t->dec_seq = b->seq + off;
	t->body_bytes = t->dec.body;
	if (t->dec.state == TL_CHUNK_DONE) {
		finish_exchange(e, c, true);
		return off;
	}
	/* A chunk-size line in bytes not copied, or no chunked framing. */
	t->chunk_lost = t->dec.state == TL_CHUNK_ERROR || off < b->stream_len;
	return 0;
}

/* Reports the message b begins with; returns its length in the stream
 * when known, else 0. */
static size_t message(struct tl_engine *e, struct tl_conn *c, const struct tl_http_bytes *b,
		      const struct tl_http_msg *m)
{
	struct tl_http_view v = {.ts_ns = b->ts_ns,
				 .from = b->from,
				 .seq = b->rel_seq,
				 .msg = m,
				 .frame_no = b->frame_no,
				 .head = b->p,
				 .head_len = b->len};
	__s64 body;

	/* Allocated on the first message; without memory the connection's
	 * HTTP is lost, and it says so. */
	if (!tl_econn(c)->http && !(tl_econn(c)->http = calloc(1, sizeof(*tl_econn(c)->http)))) {
		c->incomplete = true;
		return 0;
	}
	if (m->kind == TL_HTTP_REQUEST) {
		c->requests++;
		push_request(c, m, b->ts_ns);
		body = request_body_length(m);
	} else {
		c->responses++;
		if (m->keep_alive_s)
			tl_econn(c)->keep_alive_s = m->keep_alive_s;
		/* 1xx responses are interim: the final one still answers the request. */
		body = m->status >= 200 ? start_response(e, c, m, b->seq, b->ts_ns, &v) : 0;
	}
	if (e->sink.on_http)
		e->sink.on_http(e->sink.ctx, c, &v);
	return m->headers_complete && body >= 0 ? m->header_len + body : 0;
}

/* Whether the message b begins with should wait for the next segment: the
 * segment's end, not the copy's, cut its head, within the bytes a head is
 * followed for. Bytes that are no start line yet wait only when they begin
 * as the kernel side's start word, or are too short for one: a body's
 * "aaaa" could begin a request line too, and must not swallow the next
 * message. */
static bool head_cut(const struct tl_http_bytes *b, const struct tl_http_msg *m,
		     enum tl_http_kind kind)
{
	if (b->len != b->stream_len || b->len >= TL_HTTP_HEAD_MAX)
		return false;
	if (kind != TL_HTTP_NONE)
		return !m->headers_complete;
	if (b->len >= 4 && !tl_http_start_word(TL_WORD(b->p[0], b->p[1], b->p[2], b->p[3])))
		return false;
	return tl_http_could_begin(b->p, b->len);
}

void tl_engine_http_messages(struct tl_engine *e, struct tl_conn *c, const struct tl_http_bytes *b,
			     bool may_hold)
{
	struct tl_http_bytes cur = *b, next;
	enum tl_http_kind kind;
	struct tl_http_msg m;
	size_t len;

	for (int i = 0; i < MAX_MESSAGES_PER_SEGMENT; i++) {
		kind = tl_http_parse(cur.p, cur.len, &m);
		if (may_hold && head_cut(&cur, &m, kind) && tl_engine_http_hold(c, &cur))
			return;
		if (kind == TL_HTTP_NONE)
			return;
		len = message(e, c, &cur, &m);
		/* The next message, if it begins in the captured bytes. */
		if (!len || len >= cur.len || len >= cur.stream_len)
			return;
		bytes_from(&cur, len, &next);
		cur = next;
	}
}

/* The response's body through b, to its end, and the messages after that
 * end in the same segment. */
static void follow_body(struct tl_engine *e, struct tl_conn *c, const struct tl_http_bytes *b,
			__u16 flags)
{
	struct tl_response_track *t;
	struct tl_http_bytes cur = *b, next;
	size_t end;

	if (!tl_econn(c)->http)
		return;
	t = &tl_econn(c)->http->response;
	for (int i = 0; i < MAX_MESSAGES_PER_SEGMENT && t->active && cur.stream_len; i++) {
		if (t->chunked && t->chunk_lost) {
			t->last_ns = cur.ts_ns;
			break;
		}
		if (!t->chunked) {
			track_body(e, c, cur.seq + cur.stream_len, cur.ts_ns);
			break;
		}
		end = track_chunks(e, c, &cur);
		if (!end || end >= cur.len)
			break;
		bytes_from(&cur, end, &next);
		cur = next;
		tl_engine_http_messages(e, c, &cur, true);
	}
	/* A body without a length ends when the server closes; a chunked one
	 * ends with its last chunk, so without it, it is incomplete. */
	if (t->active && (flags & TL_FIN) && !t->end_known) {
		if (!t->chunked)
			t->last_ns = b->ts_ns;
		finish_exchange(e, c, !t->chunked);
	}
}

/* Whether the segment's messages were reported before: it begins where an
 * earlier segment that began messages did (a retransmission; Wireshark
 * dissects it again, then marks it). Exact seqs, so that a segment that
 * only arrives out of order still counts. */
static bool messages_seen(const struct tl_conn *c, const struct tl_pkt_view *v)
{
	const struct tl_flow_track *f = &tl_econn(c)->track[v->from];

	for (int i = 0; i < f->nhttp_seq && i < TL_HTTP_SEQS; i++)
		if (f->http_seq[i] == v->pkt->seq)
			return true;
	return false;
}

/* Records that the segment began messages: only those, so that the data
 * segments between two messages do not push the first out. */
static void messages_remember(struct tl_conn *c, const struct tl_pkt_view *v)
{
	struct tl_flow_track *f = &tl_econn(c)->track[v->from];

	f->http_seq[f->nhttp_seq++ % TL_HTTP_SEQS] = v->pkt->seq;
	if (f->nhttp_seq == 2 * TL_HTTP_SEQS)
		f->nhttp_seq = TL_HTTP_SEQS;
}

void tl_engine_http_segment(struct tl_engine *e, struct tl_conn *c, const struct tl_event *ev,
			    const struct tl_pkt_view *v)
{
	const struct tl_packet *p = v->pkt;
	struct tl_http_bytes b = {.p = ev->http,
				  .len = ev->http_len,
				  .stream_len = p->payload_len,
				  .seq = p->seq,
				  .rel_seq = v->seq,
				  .ts_ns = ev->ts_ns,
				  .from = v->from,
				  .frame_no = v->frame_no};

	/* More bytes than the segment has would be the kernel's bug, not ours
	 * to follow. */
	if (b.len > b.stream_len)
		b.len = b.stream_len;
	if (b.stream_len && !tl_engine_http_continue(e, c, &b) && b.len && !messages_seen(c, v)) {
		const __u32 before = c->requests + c->responses;

		tl_engine_http_messages(e, c, &b, true);
		if (c->requests + c->responses != before)
			messages_remember(c, v);
	}
	if (v->from == TL_SERVER)
		follow_body(e, c, &b, p->flags);
	if (p->flags & (TL_FIN | TL_RST))
		tl_engine_http_flush(e, c, v->from);
}

void tl_engine_http_close(struct tl_engine *e, struct tl_conn *c)
{
	tl_engine_http_flush(e, c, TL_CLIENT);
	tl_engine_http_flush(e, c, TL_SERVER);
	if (tl_econn(c)->http && tl_econn(c)->http->response.active)
		finish_exchange(e, c, false);
}

void tl_engine_http_free(struct tl_conn *c, bool idle_only)
{
	struct tl_conn_http *h = tl_econn(c)->http;

	if (!h || (idle_only && (h->npending || h->response.active)))
		return;
	free(h->pending);
	free(h);
	tl_econn(c)->http = NULL;
}
