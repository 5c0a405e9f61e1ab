/* Message heads across segments: a request line or header block that a
 * segment boundary cut ("GE" then "T /index.html HTTP/1.1 ...") is held and
 * completed by the next segment of its direction, as tshark reassembles it.
 * The kernel side copies the first bytes of such a continuation. */
#include "tracer/engine/engine_impl.h"

#include <stdlib.h>
#include <string.h>

bool tl_engine_http_hold(struct tl_conn *c, const struct tl_http_bytes *b)
{
	struct tl_http_hold *h = &tl_econn(c)->hold[b->from];

	if (h->buf || b->len > TL_HTTP_HEAD_MAX)
		return false;
	h->buf = malloc(TL_HTTP_HEAD_MAX);
	if (!h->buf)
		return false;
	memcpy(h->buf, b->p, b->len);
	h->len = b->len;
	h->seq = b->seq;
	h->rel_seq = b->rel_seq;
	h->ts_ns = b->ts_ns;
	return true;
}

/* The held bytes as one stretch, taken from h: the caller frees buf. */
static __u8 *hold_take(struct tl_http_hold *h, enum tl_side side, struct tl_http_bytes *out)
{
	__u8 *buf = h->buf;

	*out = (struct tl_http_bytes){.p = buf,
				      .len = h->len,
				      .stream_len = h->len,
				      .seq = h->seq,
				      .rel_seq = h->rel_seq,
				      .ts_ns = h->ts_ns,
				      .from = side};
	h->buf = NULL;
	return buf;
}

bool tl_engine_http_continue(struct tl_engine *e, struct tl_conn *c, const struct tl_http_bytes *b)
{
	struct tl_http_hold *h = &tl_econn(c)->hold[b->from];
	struct tl_http_bytes whole;
	struct tl_http_msg m;
	size_t n;
	__u32 next;
	__u8 *buf;

	if (!h->buf)
		return false;
	next = h->seq + h->len;
	if (b->seq != next || !b->len) {
		/* A retransmission of held bytes brings nothing new. */
		if (b->seq != next && (__s32)(b->seq - h->seq) >= 0 &&
		    (__s32)(next - (b->seq + b->stream_len)) >= 0)
			return true;
		tl_engine_http_flush(e, c, b->from);
		return false;
	}
	n = b->len < TL_HTTP_HEAD_MAX - h->len ? b->len : TL_HTTP_HEAD_MAX - h->len;
	memcpy(h->buf + h->len, b->p, n);
	h->len += n;
	buf = hold_take(h, b->from, &whole);
	/* The stream goes on to the segment's end, copied or not. */
	whole.stream_len = whole.len - n + b->stream_len;
	/* What was held began no message after all ("GE" of a body): the
	 * segment is read on its own. */
	if (tl_http_parse(whole.p, whole.len, &m) == TL_HTTP_NONE &&
	    !tl_http_could_begin(whole.p, whole.len)) {
		free(buf);
		return false;
	}
	tl_engine_http_messages(e, c, &whole, true);
	free(buf);
	return true;
}

void tl_engine_http_flush(struct tl_engine *e, struct tl_conn *c, enum tl_side side)
{
	struct tl_http_bytes whole;
	__u8 *buf;

	if (!tl_econn(c)->hold[side].buf)
		return;
	buf = hold_take(&tl_econn(c)->hold[side], side, &whole);
	tl_engine_http_messages(e, c, &whole, false);
	free(buf);
}

void tl_engine_http_discard(struct tl_conn *c)
{
	for (int side = TL_CLIENT; side <= TL_SERVER; side++) {
		free(tl_econn(c)->hold[side].buf);
		tl_econn(c)->hold[side].buf = NULL;
	}
}
