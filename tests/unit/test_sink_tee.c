/* Two outputs that both keep per-connection data, teed as the tracer tees
 * the text timeline and the report's JSON: each must see its own data, in
 * either order. When both kept it in one field of the connection, the
 * second read the first's as its own: the text timeline of `--html` runs
 * came out without a segment. (Each output now keeps its own, by id; the
 * ASan run sees what a life's end leaves behind.) */
#include "tracer/output/output.h"
#include "tracer/output/sink_tee.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "unit.h"

#define T0 1700000000000000000ull

static const __u8 lo4[16] = {127, 0, 0, 1};

/* A SYN from the client, then the server's SYN-ACK. */
static void feed(const struct tl_sink *k, struct tl_conn *c)
{
	static const struct tl_tcp_opts no_opts;

	for (int from = TL_CLIENT; from <= TL_SERVER; from++) {
		const struct tl_endpoint *src = &c->ep[from], *dst = &c->ep[TL_OTHER(from)];
		struct tl_packet p = {.type = TL_EV_PACKET,
				      .family = AF_INET,
				      .sport = src->port,
				      .dport = dst->port,
				      .window = 65495,
				      .flags = from == TL_CLIENT ? TL_SYN : TL_SYN | TL_ACK};
		struct tl_pkt_view v = {.ts_ns = T0 + from * 1000,
					.pkt = &p,
					.from = from,
					.ack = from == TL_SERVER,
					.win_scaled = 65495,
					.win_scale = -1,
					.opts = &no_opts,
					.number = from + 1};

		memcpy(p.saddr, lo4, 4);
		memcpy(p.daddr, lo4, 4);
		k->on_packet(k->ctx, c, &v);
	}
	k->on_conn_end(k->ctx, c);
}

static const struct tl_start_info start = {.ts_ns = T0,
					   .ifname = "lo",
					   .tc_attach = "tcx",
					   .state_attach = "tp_btf",
					   .owner_attach = "tp_btf"};

static const struct {
	int line;
	bool text_first;
} rows[] = {
    {__LINE__, true},
    {__LINE__, false},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *text = NULL, *json = NULL;
		size_t tlen, jlen;
		FILE *tf = open_memstream(&text, &tlen), *jf = open_memstream(&json, &jlen);
		struct tl_output *to = tl_output_text_new(tf, false), *jo = tl_output_json_new(jf);
		struct tl_sink_tee tee;
		struct tl_conn c = {.id = 1, .time_wait = -1, .start_ns = T0, .last_ns = T0};

		tl_endpoint_set(&c.ep[TL_CLIENT], AF_INET, lo4, 52334);
		tl_endpoint_set(&c.ep[TL_SERVER], AF_INET, lo4, 8080);
		to->start(to, &start);
		jo->start(jo, &start);
		if (rows[i].text_first)
			tl_sink_tee_init(&tee, &to->sink, &jo->sink);
		else
			tl_sink_tee_init(&tee, &jo->sink, &to->sink);
		feed(&tee.sink, &c);
		jo->flush(jo);
		to->flush(to);
		UNIT_CHECK_AT(rows[i].line, text && strstr(text, "52334 -> 8080   [SYN] Seq=0"),
			      "text timeline has the SYN");
		UNIT_CHECK_AT(rows[i].line, text && strstr(text, "[SYN, ACK] Seq=0 Ack=1"),
			      "text timeline has the SYN-ACK");
		UNIT_CHECK_AT(rows[i].line,
			      json && strstr(json, "\"src\":\"127.0.0.1\",\"sport\":52334") &&
				  strstr(json, "\"src\":\"127.0.0.1\",\"sport\":8080"),
			      "JSON packet lines name both directions' addresses");
		to->free(to);
		jo->free(jo);
		fclose(tf);
		fclose(jf);
		free(text);
		free(json);
	}
	return unit_done();
}
