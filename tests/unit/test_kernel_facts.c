/* The engine's handling of what only the kernel knows, fed recorded
 * sequences: which life and side each fact belongs to, the segment a
 * retransmission names, a RST's reason arriving after the peer's CLOSE, and
 * which tcp_info record a side keeps. Reason names come from this kernel's
 * BTF, as in the tracer. */
#include <string.h>
#include <sys/socket.h>

#include "tracer/engine/engine.h"
#include "tracer/kernel/kernel_names.h"
#include "tracer/proto/tcp_names.h"
#include "unit.h"

#define CPORT 40000
#define SPORT 8080
#define US 1000ull

static __u64 now = 1000000000ull;
static char log_buf[4096];
static size_t log_len;

static void on_kernel(void *ctx, const struct tl_conn *c, const struct tl_kernel_view *v)
{
	(void)ctx;
	log_len += snprintf(log_buf + log_len, sizeof(log_buf) - log_len,
			    "#%llu type=%d %s seq=%u len=%u packet=%u reason=%s before=%d\n",
			    (unsigned long long)c->id, v->type, tl_side_name(v->side), v->seq,
			    v->len, v->number, v->reason ? v->reason : "-", v->before_capture);
}

static struct tl_conn ended;
static int nended;

static void on_conn_end(void *ctx, const struct tl_conn *c)
{
	(void)ctx;
	ended = *c;
	nended++;
}

static const struct tl_sink sink = {.on_kernel = on_kernel, .on_conn_end = on_conn_end};

static void fill_tuple(bool from_client, __u8 *family, __u8 *saddr, __u8 *daddr, __u16 *sport,
		       __u16 *dport)
{
	*family = AF_INET;
	saddr[0] = daddr[0] = 127;
	saddr[3] = daddr[3] = 1;
	*sport = from_client ? CPORT : SPORT;
	*dport = from_client ? SPORT : CPORT;
}

static void packet(struct tl_engine *e, bool from_client, __u16 flags, __u32 seq, __u32 ack,
		   __u32 len)
{
	struct tl_packet p = {.type = TL_EV_PACKET,
			      .seq = seq,
			      .ack = ack,
			      .payload_len = len,
			      .window = 512,
			      .flags = flags,
			      .tcp_hdr_len = 20};
	struct tl_event ev = {.type = TL_EV_PACKET, .ts_ns = now += 10 * US, .pkt = &p};

	fill_tuple(from_client, &p.family, p.saddr, p.daddr, &p.sport, &p.dport);
	tl_engine_feed(e, &ev);
}

static void state(struct tl_engine *e, bool client, int old, int new_state)
{
	struct tl_sock_event s = {.type = TL_EV_STATE, .oldstate = old, .newstate = new_state};
	struct tl_event ev = {.type = TL_EV_STATE, .ts_ns = now += 10 * US, .sock = &s};

	s.skaddr = client ? 1 : 2;
	fill_tuple(client, &s.family, s.saddr, s.daddr, &s.sport, &s.dport);
	tl_engine_feed(e, &ev);
}

static void fact(struct tl_engine *e, const struct tl_kernel_event *tmpl, bool from_client)
{
	struct tl_kernel_event k = *tmpl;
	struct tl_event ev = {.type = k.type, .ts_ns = now += 10 * US, .kernel = &k};

	fill_tuple(from_client, &k.family, k.saddr, k.daddr, &k.sport, &k.dport);
	tl_engine_feed(e, &ev);
}

static __u32 drop_reason(const char *name)
{
	for (__u32 r = 0; r < 1024; r++)
		if (tl_drop_reason_name(r) && !strcmp(tl_drop_reason_name(r), name))
			return r;
	return 0;
}

static struct tl_engine *established(__u64 grace_ns)
{
	struct tl_engine_config cfg = {.reset_grace_ns = grace_ns,
				       .reason_name = tl_kernel_reason_name};
	struct tl_engine *e = tl_engine_new(&cfg, &sink);

	log_len = 0;
	log_buf[0] = '\0';
	nended = 0;
	packet(e, true, TL_SYN, 1000, 0, 0);
	packet(e, false, TL_SYN | TL_ACK, 5000, 1001, 0);
	packet(e, true, TL_ACK, 1001, 5001, 0);
	state(e, true, TL_SYN_SENT, TL_ESTABLISHED);
	state(e, false, TL_SYN_RECV, TL_ESTABLISHED);
	return e;
}

/* A qdisc drop names its segment and says a capture lacks it. */
static void test_drop(void)
{
	struct tl_engine *e = established(0);
	struct tl_kernel_event k = {.type = TL_EV_DROP,
				    .reason = drop_reason("QDISC_DROP"),
				    .seq = 5001,
				    .len = 100,
				    .flags = TL_ACK};

	packet(e, false, TL_ACK, 5001, 1001, 100);
	fact(e, &k, false);
	k.reason = drop_reason("NETFILTER_DROP");
	fact(e, &k, false);
	UNIT_CHECK(k.reason &&
		       strstr(log_buf, "#1 type=6 server seq=1 len=100 packet=0 "
				       "reason=QDISC_DROP before=1\n#1 type=6 server seq=1 len=100 "
				       "packet=0 reason=NETFILTER_DROP before=0\n"),
		   "drops: their segment, reason, and whether a capture lacks it");
	tl_engine_finish(e);
	UNIT_CHECK(nended == 1 && ended.drops == 2, "the conn counts 2 drops (got %u)",
		   ended.drops);
	tl_engine_free(e);
}

/* Which segments the hook reported a dropped packet holds: itself, or the
 * pieces of a GSO packet past 64 KB (FIN and PSH on the last only, CWR on
 * the first only). */
struct holds_row {
	int line;
	const char *desc;
	__u32 seq, len;
	__u16 flags;
	__u32 s_seq, s_len;
	__u16 s_flags;
	bool want;
};

static const struct holds_row holds_rows[] = {
    {__LINE__, "the same segment", 100, 1448, TL_ACK, 100, 1448, TL_ACK, true},
    {__LINE__, "the same, other flags", 100, 1448, TL_ACK | TL_PSH, 100, 1448, TL_ACK, false},
    {__LINE__, "a pure ACK", 100, 0, TL_ACK, 100, 0, TL_ACK, true},
    {__LINE__, "another seq", 100, 1448, TL_ACK, 1548, 1448, TL_ACK, false},
    {__LINE__, "first piece, PSH left to the last", 100, 65536, TL_ACK | TL_PSH | TL_CWR, 100,
     65464, TL_ACK | TL_CWR, true},
    {__LINE__, "last piece, CWR left to the first", 100, 65536, TL_ACK | TL_PSH | TL_CWR, 65564, 72,
     TL_ACK | TL_PSH, true},
    {__LINE__, "a piece across the wrap", 0xffffff00, 65536, TL_ACK, 0x0000feb8, 72, TL_ACK, true},
    {__LINE__, "a piece past the end", 100, 65536, TL_ACK, 65600, 72, TL_ACK, false},
    {__LINE__, "a piece before the start", 100, 65536, TL_ACK, 28, 72, TL_ACK, false},
    {__LINE__, "a piece with SYN", 100, 65536, TL_ACK, 100, 65464, TL_ACK | TL_SYN, false},
    {__LINE__, "an empty segment inside", 100, 65536, TL_ACK, 200, 0, TL_ACK, false},
    {__LINE__, "longer than the drop", 100, 72, TL_ACK, 100, 65464, TL_ACK, false},
};

static void test_drop_holds(void)
{
	for (size_t i = 0; i < sizeof(holds_rows) / sizeof(holds_rows[0]); i++) {
		const struct holds_row *r = &holds_rows[i];

		UNIT_CHECK_AT(r->line,
			      tl_drop_holds(r->seq, r->len, r->flags, r->s_seq, r->s_len,
					    r->s_flags) == r->want,
			      "drop holds %s", r->desc);
	}
}

/* TCP's retransmission marks the latest segment with its seq. */
static void test_retransmit(void)
{
	struct tl_engine *e = established(0);
	struct tl_kernel_event k = {.type = TL_EV_RETRANSMIT, .seq = 5001, .len = 100};

	packet(e, false, TL_ACK, 5001, 1001, 100);
	packet(e, false, TL_ACK, 5101, 1001, 100);
	packet(e, false, TL_ACK, 5001, 1001, 100);
	fact(e, &k, false);
	k.seq = 9999;
	fact(e, &k, false);
	UNIT_CHECK(strstr(log_buf, "#1 type=5 server seq=1 len=100 packet=6 ") &&
		       strstr(log_buf, "seq=4999 len=100 packet=0 "),
		   "retransmissions: packet 6 marked, an unknown seq marks none");
	tl_engine_free(e);
}

/* What a retransmission event says, by the attempt's err and the segment's
 * flags: Len= is the payload's (a SYN or FIN counts none, as in Wireshark),
 * and a failed attempt (negative err) retransmitted nothing. */
static const struct retransmit_row {
	int line;
	__u16 flags;
	__u32 seq; /* raw; 5000 is the SYN-ACK's, already sent, else the copy is sent first */
	__u32 len; /* end_seq - seq, as the tracepoint gives it */
	__s32 err;
	const char *want; /* the event logged, NULL: none */
	__u32 counted;
} retransmit_rows[] = {
    {__LINE__, TL_ACK, 5001, 100, 0, "#1 type=5 server seq=1 len=100 packet=4 ", 1},
    {__LINE__, TL_FIN | TL_ACK, 5001, 1, 0, "#1 type=5 server seq=1 len=0 packet=4 ", 1},
    {__LINE__, TL_FIN | TL_PSH | TL_ACK, 5001, 101, 0, "#1 type=5 server seq=1 len=100 packet=4 ",
     1},
    {__LINE__, TL_SYN | TL_ACK, 5000, 1, 0, "#1 type=5 server seq=0 len=0 packet=2 ", 1},
    /* NET_XMIT_DROP: the qdisc dropped the copy the hook saw */
    {__LINE__, TL_ACK, 5001, 100, 1, "#1 type=5 server seq=1 len=100 packet=4 ", 1},
    {__LINE__, TL_ACK, 5001, 100, -16, NULL, 0}, /* -EBUSY: the first copy still queued */
    {__LINE__, TL_ACK, 5001, 100, -12, NULL, 0}, /* -ENOMEM */
};

static void test_retransmit_attempts(void)
{
	for (size_t i = 0; i < sizeof(retransmit_rows) / sizeof(retransmit_rows[0]); i++) {
		const struct retransmit_row *r = &retransmit_rows[i];
		struct tl_engine *e = established(0);
		struct tl_kernel_event k = {.type = TL_EV_RETRANSMIT,
					    .reason = (__u32)r->err,
					    .seq = r->seq,
					    .len = r->len,
					    .flags = r->flags};

		if (r->seq != 5000)
			packet(e, false, r->flags, r->seq, 1001, r->len - !!(r->flags & TL_FIN));
		fact(e, &k, false);
		tl_engine_finish(e);
		UNIT_CHECK_AT(r->line,
			      r->want ? strstr(log_buf, r->want) != NULL
				      : !strstr(log_buf, "type=5"),
			      "retransmission event: %s", r->want ? r->want : "none");
		UNIT_CHECK_AT(r->line, nended == 1 && ended.kernel_retransmits == r->counted,
			      "%u kernel retransmissions counted (got %u)", r->counted,
			      ended.kernel_retransmits);
		tl_engine_free(e);
	}
}

/* On loopback the RST's reason comes after the peer's CLOSE: the life
 * waits out the grace for it, then ends. */
static void test_reset_after_close(void)
{
	struct tl_engine *e = established(2000 * US);
	struct tl_kernel_event k = {.type = TL_EV_RESET, .reason = 1};

	state(e, true, TL_ESTABLISHED, TL_CLOSE);
	packet(e, true, TL_RST | TL_ACK, 1001, 5001, 0);
	state(e, false, TL_ESTABLISHED, TL_CLOSE);
	UNIT_CHECK(nended == 0, "a RST's life waits for its reason");
	fact(e, &k, true);
	UNIT_CHECK(strstr(log_buf, "#1 type=7 client ") && strstr(log_buf, "reason=NO_SOCKET"),
		   "the reason reaches the life");
	tl_engine_tick(e, now + 3000 * US);
	UNIT_CHECK(nended == 1, "then it ends (ended %d)", nended);
	tl_engine_free(e);
}

/* Without grace (capture files), a RST ends the life at once. */
static void test_reset_no_grace(void)
{
	struct tl_engine *e = established(0);

	state(e, true, TL_ESTABLISHED, TL_CLOSE);
	packet(e, true, TL_RST | TL_ACK, 1001, 5001, 0);
	state(e, false, TL_ESTABLISHED, TL_CLOSE);
	UNIT_CHECK(nended == 1, "no grace: ended at once (ended %d)", nended);
	tl_engine_free(e);
}

/* tcp_info: the latest a side's socket reported, its CLOSE's after what it
 * reported as it left ESTABLISHED. */
static void test_tcp_info(void)
{
	struct tl_engine *e = established(0);
	struct tl_kernel_event k = {.type = TL_EV_TCP_INFO,
				    .reason = TL_ESTABLISHED,
				    .state = TL_FIN_WAIT1,
				    .srtt_us = 8 * 31,
				    .mdev_us = 4 * 7,
				    .snd_cwnd = 10,
				    .snd_ssthresh = 0x7fffffff,
				    .total_retrans = 2,
				    .mss_cache = 1000,
				    .rate_delivered = 5,
				    .rate_interval_us = 100};

	fact(e, &k, true);
	k.reason = TL_FIN_WAIT2;
	k.state = TL_CLOSE;
	k.snd_cwnd = 11;
	k.total_retrans = 3;
	fact(e, &k, true);
	tl_engine_finish(e);
	UNIT_CHECK(ended.tcp_info[TL_CLIENT].valid && ended.tcp_info[TL_CLIENT].cwnd == 11 &&
		       ended.tcp_info[TL_CLIENT].rtt_measured &&
		       ended.tcp_info[TL_CLIENT].state == TL_CLOSE &&
		       ended.tcp_info[TL_CLIENT].srtt_us == 31 &&
		       ended.tcp_info[TL_CLIENT].rttvar_us == 7 &&
		       ended.tcp_info[TL_CLIENT].retrans == 3 &&
		       ended.tcp_info[TL_CLIENT].delivery_rate == 50000000 &&
		       !ended.tcp_info[TL_SERVER].valid,
		   "tcp_info: the client's at its CLOSE (cwnd %u, retrans %u)",
		   ended.tcp_info[TL_CLIENT].cwnd, ended.tcp_info[TL_CLIENT].retrans);
	tl_engine_free(e);
}

int main(void)
{
	int err = tl_kernel_names_load();

	UNIT_CHECK(!err, "this kernel's BTF names the drop and reset reasons");
	test_drop();
	test_drop_holds();
	test_retransmit();
	test_retransmit_attempts();
	test_reset_after_close();
	test_reset_no_grace();
	test_tcp_info();
	tl_kernel_names_free();
	if (unit_failed)
		fprintf(stderr, "the last test's facts:\n%s", log_buf);
	return unit_done();
}
