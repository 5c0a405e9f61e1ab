#include "tracer/output/sink_tee.h"

/* Second's calls see its own sink_data, lent from its slot. */
static void *tee_lend(const struct tl_sink_tee *t, struct tl_conn *c)
{
	void *first = c->sink_data;

	c->sink_data = c->sink_extra[t->slot];
	return first;
}

static void tee_return(const struct tl_sink_tee *t, struct tl_conn *c, void *first)
{
	c->sink_extra[t->slot] = c->sink_data;
	c->sink_data = first;
}

#define TEE(cb, c, ...)                                                                            \
	do {                                                                                       \
		const struct tl_sink_tee *t = ctx;                                                 \
		void *first;                                                                       \
		if (t->first->cb)                                                                  \
			t->first->cb(t->first->ctx, c, __VA_ARGS__);                               \
		if (t->second->cb) {                                                               \
			first = tee_lend(t, c);                                                    \
			t->second->cb(t->second->ctx, c, __VA_ARGS__);                             \
			tee_return(t, c, first);                                                   \
		}                                                                                  \
	} while (0)

static void tee_packet(void *ctx, struct tl_conn *c, const struct tl_pkt_view *v)
{
	TEE(on_packet, c, v);
}

static void tee_state(void *ctx, struct tl_conn *c, const struct tl_state_view *v)
{
	TEE(on_state, c, v);
}

static void tee_http(void *ctx, struct tl_conn *c, const struct tl_http_view *v)
{
	TEE(on_http, c, v);
}

static void tee_exchange(void *ctx, struct tl_conn *c, const struct tl_exchange_view *v)
{
	TEE(on_exchange, c, v);
}

/* The second sink goes first here, so that the first, which may take c
 * as done with, is the last to see it. */
static void tee_conn_end(void *ctx, struct tl_conn *c)
{
	const struct tl_sink_tee *t = ctx;
	void *first;

	if (t->second->on_conn_end) {
		first = tee_lend(t, c);
		t->second->on_conn_end(t->second->ctx, c);
		tee_return(t, c, first);
	}
	if (t->first->on_conn_end)
		t->first->on_conn_end(t->first->ctx, c);
}

static void tee_tw_end(void *ctx, const struct tl_tw_view *v)
{
	const struct tl_sink_tee *t = ctx;

	if (t->first->on_tw_end)
		t->first->on_tw_end(t->first->ctx, v);
	if (t->second->on_tw_end)
		t->second->on_tw_end(t->second->ctx, v);
}

static void tee_kernel(void *ctx, struct tl_conn *c, const struct tl_kernel_view *v)
{
	TEE(on_kernel, c, v);
}

void tl_sink_tee_init(struct tl_sink_tee *t, const struct tl_sink *first,
		      const struct tl_sink *second, enum tl_sink_slot slot)
{
	*t = (struct tl_sink_tee){
	    .sink = {.ctx = t,
		     .on_packet = tee_packet,
		     .on_state = tee_state,
		     .on_http = tee_http,
		     .on_exchange = tee_exchange,
		     .on_conn_end = tee_conn_end,
		     .on_tw_end = tee_tw_end,
		     .on_kernel = tee_kernel},
	    .first = first,
	    .second = second,
	    .slot = slot,
	};
}
