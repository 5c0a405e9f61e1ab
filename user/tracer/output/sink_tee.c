#include "tracer/output/sink_tee.h"

#define TEE(cb, ...)                                                                               \
	do {                                                                                       \
		const struct tl_sink_tee *t = ctx;                                                 \
		if (t->first->cb)                                                                  \
			t->first->cb(t->first->ctx, __VA_ARGS__);                                  \
		if (t->second->cb)                                                                 \
			t->second->cb(t->second->ctx, __VA_ARGS__);                                \
	} while (0)

static void tee_packet(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v)
{
	TEE(on_packet, c, v);
}

static void tee_state(void *ctx, const struct tl_conn *c, const struct tl_state_view *v)
{
	TEE(on_state, c, v);
}

static void tee_http(void *ctx, const struct tl_conn *c, const struct tl_http_view *v)
{
	TEE(on_http, c, v);
}

static void tee_exchange(void *ctx, const struct tl_conn *c, const struct tl_exchange_view *v)
{
	TEE(on_exchange, c, v);
}

static void tee_conn_end(void *ctx, const struct tl_conn *c) { TEE(on_conn_end, c); }

static void tee_tw_end(void *ctx, const struct tl_tw_view *v) { TEE(on_tw_end, v); }

static void tee_kernel(void *ctx, const struct tl_conn *c, const struct tl_kernel_view *v)
{
	TEE(on_kernel, c, v);
}

void tl_sink_tee_init(struct tl_sink_tee *t, const struct tl_sink *first,
		      const struct tl_sink *second)
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
	};
}
