/* The reconstruction engine fed with recorded event sequences: what the
 * kernel side produces for real connections, written out by hand, and the
 * exact list of steps the engine must report for each. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tracer/engine/engine.h"
#include "tracer/proto/tcp_names.h"
#include "unit.h"

#define CLIENT_PORT 40000
#define SERVER_PORT 8080
#define SK_CLIENT 0xc11e47ULL
#define SK_SERVER 0x5e47e4ULL
#define MS 1000000ULL

/* --- a sink that writes each step as one line --- */

static char log_buf[16384];
static size_t log_len;
static bool log_full; /* a line did not fit: the log stops before it */

static void log_reset(void)
{
	log_len = 0;
	log_buf[0] = '\0';
	log_full = false;
}

/* Appends one line, whole or not at all: vsnprintf returns the length it
 * wanted, so adding that after a cut write would run past the buffer. */
static void logf_line(const char *fmt, ...)
{
	size_t room = sizeof(log_buf) - log_len;
	va_list ap;
	int n;

	if (log_full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(log_buf + log_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 > room) {
		log_buf[log_len] = '\0';
		log_full = true;
		return;
	}
	log_len += n;
	log_buf[log_len++] = '\n';
	log_buf[log_len] = '\0';
}

static void on_packet(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v)
{
	char flags[64];

	(void)ctx;
	logf_line("pkt #%llu %s [%s] seq=%u ack=%u win=%llu", (unsigned long long)c->id,
		  v->from == TL_CLIENT ? "c2s" : "s2c",
		  tl_tcp_flags_str(v->pkt->flags, flags, sizeof(flags)), v->seq, v->ack,
		  (unsigned long long)v->win_scaled);
}

static void on_state(void *ctx, const struct tl_conn *c, const struct tl_state_view *v)
{
	(void)ctx;
	logf_line("state #%llu %s %s->%s pid=%u%s", (unsigned long long)c->id,
		  tl_side_name(v->side), tl_tcp_state_name(v->old_state),
		  tl_tcp_state_name(v->new_state), v->proc ? v->proc->pid : 0,
		  v->inferred ? " inferred" : "");
}

/* The target's bytes, NULs included, with what is not printable ASCII as \xNN. */
static const char *escaped(const char *s, size_t len)
{
	static char out[4 * TL_HTTP_URI_MAX + 1];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b >= ' ' && b < 0x7f)
			out[n++] = (char)b;
		else
			n += (size_t)sprintf(out + n, "\\x%02x", b);
	}
	out[n] = '\0';
	return out;
}

static void on_http(void *ctx, const struct tl_conn *c, const struct tl_http_view *v)
{
	(void)ctx;
	if (v->msg->kind == TL_HTTP_REQUEST)
		logf_line("http #%llu request %s %s seq=%u%s%s", (unsigned long long)c->id,
			  v->msg->method, escaped(v->msg->uri, v->msg->uri_len), v->seq,
			  *v->msg->range ? " range=" : "", v->msg->range);
	else
		logf_line("http #%llu response %d for %s seq=%u", (unsigned long long)c->id,
			  v->msg->status,
			  v->request ? escaped(v->request->uri, v->request->uri_len) : "-", v->seq);
}

static void on_exchange(void *ctx, const struct tl_conn *c, const struct tl_exchange_view *v)
{
	char last[64] = "";

	(void)ctx;
	/* The last byte's time, for the bodies whose end is found by framing. */
	if (v->chunked)
		snprintf(last, sizeof(last), " chunked last=+%llums",
			 (unsigned long long)((v->last_byte_ns - v->first_byte_ns) / MS));
	logf_line("exchange #%llu %s %d body=%llu complete=%d%s", (unsigned long long)c->id,
		  v->request ? v->request->uri : "-", v->status, (unsigned long long)v->body_bytes,
		  v->complete, last);
}

static void on_conn_end(void *ctx, const struct tl_conn *c)
{
	static const char *const closers[] = {"none", "client", "server", "reset"};
	char extra[64] = "";

	(void)ctx;
	if (c->closed_by == TL_CLOSED_RESET)
		snprintf(extra, sizeof(extra), " reset_by=%s", tl_side_name(c->reset_by));
	if (tl_conn_handshake(c) == TL_HS_FAILED)
		snprintf(extra, sizeof(extra), " handshake_failed syns=%u", c->client_syns);
	/* Payload sent twice counts once in the unique bytes: said where so. */
	if (c->flow[TL_CLIENT].unique_bytes != c->flow[TL_CLIENT].bytes ||
	    c->flow[TL_SERVER].unique_bytes != c->flow[TL_SERVER].bytes)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " unique=%llu/%llu",
			 (unsigned long long)c->flow[TL_CLIENT].unique_bytes,
			 (unsigned long long)c->flow[TL_SERVER].unique_bytes);
	logf_line("end #%llu closed_by=%s%s tw=%d req=%u c2s=%llu s2c=%llu pids=%u/%u%s%s%s%s",
		  (unsigned long long)c->id, closers[c->closed_by], extra, c->time_wait,
		  c->requests, (unsigned long long)c->flow[TL_CLIENT].bytes,
		  (unsigned long long)c->flow[TL_SERVER].bytes, c->proc[TL_CLIENT].pid,
		  c->proc[TL_SERVER].pid, c->mid_stream ? " mid" : "",
		  c->open_at_exit ? " open" : "", c->incomplete ? " incomplete" : "",
		  c->states_missing ? " states_missing" : "");
}

/* When each connection's TIME_WAIT was reported ended, by connection id. */
#define MAX_TW_ENDS 64
static __u64 tw_end_ns[MAX_TW_ENDS];

static void on_tw_end(void *ctx, const struct tl_tw_view *v)
{
	static const char *const by[] = {"timer", "reused", "unknown"};

	(void)ctx;
	if (v->conn_id < MAX_TW_ENDS)
		tw_end_ns[v->conn_id] = v->end_ns;
	logf_line("twend #%llu %s confirmed=%d after=%llums ended_by=%s",
		  (unsigned long long)v->conn_id, tl_side_name(v->side), v->confirmed,
		  (unsigned long long)((v->end_ns - v->start_ns) / MS), by[v->ended_by]);
}

static const struct tl_sink log_sink = {
    .on_packet = on_packet,
    .on_state = on_state,
    .on_http = on_http,
    .on_exchange = on_exchange,
    .on_conn_end = on_conn_end,
    .on_tw_end = on_tw_end,
};

/* --- recorded events --- */

static __u64 now;
/* The client's port in the records fed; one connection's tuple at a time. */
static __u16 client_port = CLIENT_PORT;

struct rec_packet {
	struct tl_packet_data p;
};

/* A segment of len payload bytes whose first nbytes the kernel side copied. */
static void feed_bytes(struct tl_engine *e, bool from_client, __u16 flags, __u32 seq, __u32 ack,
		       const void *bytes, size_t nbytes, __u32 len)
{
	static struct rec_packet r;
	struct tl_event ev = {.type = TL_EV_PACKET, .ts_ns = now += MS};
	struct tl_packet *p = &r.p.pkt;
	/* MSS 65495, SACK_PERM, TS, NOP, WS 7: a Linux SYN's options. */
	static const __u8 syn_opts[] = {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0,
					0, 1, 0,    0,	  0, 0, 1, 3,  3, 7};

	memset(&r, 0, sizeof(r));
	p->type = TL_EV_PACKET;
	p->family = AF_INET;
	p->saddr[0] = p->daddr[0] = 127;
	p->saddr[3] = p->daddr[3] = 1;
	p->sport = from_client ? client_port : SERVER_PORT;
	p->dport = from_client ? SERVER_PORT : client_port;
	p->flags = flags;
	p->seq = seq;
	p->ack = ack;
	p->window = (flags & TL_SYN) ? 65495 : 512;
	p->payload_len = len;
	if (flags & TL_SYN) {
		memcpy(p->opts, syn_opts, sizeof(syn_opts));
		p->opt_len = sizeof(syn_opts);
	}
	if (bytes) {
		p->data_len = nbytes < TL_DATA_CAP ? nbytes : TL_DATA_CAP;
		p->data_flags = TL_DATA_HTTP;
		memcpy(r.p.data, bytes, p->data_len);
		ev.http = r.p.data;
		ev.http_len = p->data_len;
	}
	ev.pkt = p;
	tl_engine_feed(e, &ev);
}

static void feed_packet(struct tl_engine *e, bool from_client, __u16 flags, __u32 seq, __u32 ack,
			const char *payload, __u32 len)
{
	feed_bytes(e, from_client, flags, seq, ack, payload, payload ? strlen(payload) : 0, len);
}

static void feed_sock(struct tl_engine *e, __u32 type, bool client, int old, int new_state,
		      __u32 pid, bool port_known)
{
	struct tl_sock_event s = {
	    .type = type, .pid = pid, .family = AF_INET, .oldstate = old, .newstate = new_state};
	struct tl_event ev = {.type = type, .ts_ns = now += MS, .sock = &s};

	s.skaddr = client ? SK_CLIENT : SK_SERVER;
	s.saddr[0] = s.daddr[0] = 127;
	s.saddr[3] = s.daddr[3] = 1;
	s.sport = client ? (port_known ? client_port : 0) : SERVER_PORT;
	s.dport = client ? SERVER_PORT : client_port;
	if (pid)
		strcpy(s.comm, client ? "curl" : "httpd");
	tl_engine_feed(e, &ev);
}

#define STATE(e, client, old, new, pid) feed_sock(e, TL_EV_STATE, client, old, new, pid, true)
#define C true
#define S false

enum { ISN_C = 1000, ISN_S = 5000 };

/* Client connects, the kernel reports SYN_SENT before it picks the port. */
static void handshake(struct tl_engine *e, __u32 isn_c, __u32 isn_s)
{
	feed_sock(e, TL_EV_STATE, C, TL_CLOSE, TL_SYN_SENT, 100, false);
	feed_packet(e, C, TL_SYN, isn_c, 0, NULL, 0);
	feed_packet(e, S, TL_SYN | TL_ACK, isn_s, isn_c + 1, NULL, 0);
	STATE(e, C, TL_SYN_SENT, TL_ESTABLISHED, 100);
	feed_packet(e, C, TL_ACK, isn_c + 1, isn_s + 1, NULL, 0);
	STATE(e, S, TL_LISTEN, TL_SYN_RECV, 0);
	STATE(e, S, TL_SYN_RECV, TL_ESTABLISHED, 0);
}

static const char get_req[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";	 /* 37 bytes */
static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"; /* 41 bytes */

/* One side closes first: its FIN acknowledged, its socket goes FIN_WAIT2 ->
 * CLOSE (a timewait socket from then on). */
static void close_half(struct tl_engine *e, bool closer, __u32 seq, __u32 peer_seq)
{
	bool peer = !closer;
	__u32 pid = closer == C ? 100 : 200, peer_pid = closer == C ? 200 : 100;

	STATE(e, closer, TL_ESTABLISHED, TL_FIN_WAIT1, pid);
	feed_packet(e, closer, TL_FIN | TL_ACK, seq, peer_seq, NULL, 0);
	STATE(e, peer, TL_ESTABLISHED, TL_CLOSE_WAIT, peer_pid);
	feed_packet(e, peer, TL_ACK, peer_seq, seq + 1, NULL, 0);
	STATE(e, closer, TL_FIN_WAIT1, TL_FIN_WAIT2, pid);
	STATE(e, closer, TL_FIN_WAIT2, TL_CLOSE, pid);
}

/* One side closes first and its socket becomes a timewait socket. */
static void close_first(struct tl_engine *e, bool closer, __u32 seq, __u32 peer_seq)
{
	bool peer = !closer;
	__u32 peer_pid = closer == C ? 200 : 100;

	close_half(e, closer, seq, peer_seq);
	STATE(e, peer, TL_CLOSE_WAIT, TL_LAST_ACK, peer_pid);
	feed_packet(e, peer, TL_FIN | TL_ACK, peer_seq, seq + 1, NULL, 0);
	feed_packet(e, closer, TL_ACK, seq + 1, peer_seq + 1, NULL, 0);
	STATE(e, peer, TL_LAST_ACK, TL_CLOSE, peer_pid);
}

/* A life whose sockets closed with a side in TIME_WAIT is held for the
 * segments its timewait socket may still answer; it ends after the hold. */
static void hold_over(struct tl_engine *e) { tl_engine_tick(e, now + 250 * MS); }

static const char *const expect_one_get[] = {
    "state #1 client CLOSE->SYN_SENT pid=100",
    "pkt #1 c2s [SYN] seq=0 ack=0 win=65495",
    "pkt #1 s2c [SYN, ACK] seq=0 ack=1 win=65495",
    "state #1 client SYN_SENT->ESTABLISHED pid=100",
    "pkt #1 c2s [ACK] seq=1 ack=1 win=65536",
    "state #1 server LISTEN->SYN_RECV pid=0",
    "state #1 server SYN_RECV->ESTABLISHED pid=0",
    "pkt #1 c2s [PSH, ACK] seq=1 ack=1 win=65536",
    "http #1 request GET /index.html seq=1",
    "pkt #1 s2c [PSH, ACK] seq=1 ack=38 win=65536",
    "http #1 response 200 for /index.html seq=1",
    "exchange #1 /index.html 200 body=3 complete=1",
    "state #1 client ESTABLISHED->FIN_WAIT1 pid=100",
    "pkt #1 c2s [FIN, ACK] seq=38 ack=42 win=65536",
    "state #1 server ESTABLISHED->CLOSE_WAIT pid=200",
    "pkt #1 s2c [ACK] seq=42 ack=39 win=65536",
    "state #1 client FIN_WAIT1->FIN_WAIT2 pid=100",
    "state #1 client FIN_WAIT2->CLOSE pid=100",
    "state #1 server CLOSE_WAIT->LAST_ACK pid=200",
    "pkt #1 s2c [FIN, ACK] seq=42 ack=39 win=65536",
    "pkt #1 c2s [ACK] seq=39 ack=43 win=65536",
    "state #1 client FIN_WAIT2->TIME_WAIT pid=100 inferred",
    "state #1 server LAST_ACK->CLOSE pid=200",
    "end #1 closed_by=client tw=0 req=1 c2s=37 s2c=41 pids=100/200",
    NULL,
};

static void one_get(struct tl_engine *e, __u32 isn_c, __u32 isn_s)
{
	handshake(e, isn_c, isn_s);
	feed_packet(e, C, TL_PSH | TL_ACK, isn_c + 1, isn_s + 1, get_req, 37);
	feed_sock(e, TL_EV_OWNER, S, 0, 0, 200, true);
	feed_packet(e, S, TL_PSH | TL_ACK, isn_s + 1, isn_c + 38, ok_resp, 41);
	close_first(e, C, isn_c + 38, isn_s + 42);
}

static void scenario_one_get(struct tl_engine *e)
{
	one_get(e, ISN_C, ISN_S);
	hold_over(e);
}

/* The same life with both ISNs just below 2^32: relative numbers and the
 * FIN-acknowledged test must not notice the wrap. */
static void scenario_wraparound(struct tl_engine *e)
{
	one_get(e, 0xfffffff0U, 0xffffffffU);
	hold_over(e);
}

static const char *const expect_keepalive[] = {
    "http #1 request GET /a seq=1",
    "http #1 request GET /b seq=38",
    "http #1 response 200 for /a seq=1",
    "exchange #1 /a 200 body=3 complete=1",
    "http #1 response 404 for /b seq=42",
    "exchange #1 /b 404 body=0 complete=1",
    "http #1 request GET /c seq=75",
    "http #1 response 200 for /c seq=87",
    "exchange #1 /c 200 body=3 complete=1",
    "end #1 closed_by=client tw=0 req=3 c2s=111 s2c=127 pids=100/200",
    NULL,
};

/* Three requests on one connection, the second pipelined before the first
 * answer: responses pair with requests in order. */
static void scenario_keepalive(struct tl_engine *e)
{
	static const char *const uris[] = {"/a", "/b", "/c"};
	char req[3][64];

	for (int i = 0; i < 3; i++)
		snprintf(req[i], sizeof(req[i]), "GET %s HTTP/1.1\r\nHost: xxxxxxxx\r\n\r\n",
			 uris[i]);
	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, req[0], 37);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 38, ISN_S + 1, req[1], 37);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 75, ok_resp, 41);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 42, ISN_C + 75,
		    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 45);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 75, ISN_S + 87, req[2], 37);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 87, ISN_C + 112, ok_resp, 41);
	close_first(e, C, ISN_C + 112, ISN_S + 128);
	hold_over(e);
}

static const char *const expect_pipelined[] = {
    "http #1 request GET /a seq=1",	    "http #1 request HEAD /b seq=20",
    "http #1 request GET /c seq=40",	    "http #1 response 200 for /a seq=1",
    "exchange #1 /a 200 body=3 complete=1", "http #1 response 200 for /b seq=42",
    "exchange #1 /b 200 body=0 complete=1", "http #1 response 200 for /c seq=80",
    "exchange #1 /c 200 body=5 complete=1", NULL,
};

/* Three requests in one write, then the responses: the first two in one
 * segment (the HEAD answer has no body), the third's body in two segments. */
static void scenario_pipelined(struct tl_engine *e)
{
	static const char reqs[] =
	    "GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n";
	static const char resp12[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
				     "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n";
	static const char resp3[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab";

	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, reqs, sizeof(reqs) - 1);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 59, resp12, sizeof(resp12) - 1);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 80, ISN_C + 59, resp3, sizeof(resp3) - 1);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 120, ISN_C + 59, NULL, 3);
}

static const char *const expect_pipelined_deep[] = {
    "exchange #1 /01 200 body=3 complete=1",
    "exchange #1 /05 200 body=3 complete=1",
    "exchange #1 /06 200 body=3 complete=1",
    "exchange #1 /07 200 body=3 complete=1",
    "exchange #1 /08 200 body=3 complete=1",
    "exchange #1 /09 200 body=3 complete=1",
    "exchange #1 /10 200 body=3 complete=1",
    "exchange #1 /11 200 body=3 complete=1",
    "exchange #1 /12 200 body=3 complete=1",
    "exchange #1 /13 200 body=3 complete=1",
    "exchange #1 /14 200 body=3 complete=1",
    "exchange #1 /15 200 body=3 complete=1",
    "exchange #1 /16 200 body=3 complete=1",
    "exchange #1 /17 200 body=3 complete=1",
    "exchange #1 /18 200 body=3 complete=1",
    "exchange #1 /19 200 body=3 complete=1",
    "exchange #1 /20 200 body=3 complete=1",
    "exchange #1 - 200 body=3 complete=1",
    NULL,
};

/* Requests pipelined deeper than the engine pairs: the waiting ones keep
 * their order as their room grows (from one, wrapped after an answer), and
 * past 16 the oldest go unanswered, so the extra response pairs with none. */
static void scenario_pipelined_deep(struct tl_engine *e)
{
	__u32 cseq = ISN_C + 1, sseq = ISN_S + 1;
	char req[32];

	handshake(e, ISN_C, ISN_S);
	for (int i = 1; i <= 20; i++) {
		snprintf(req, sizeof(req), "GET /%02d HTTP/1.1\r\n\r\n", i);
		feed_packet(e, C, TL_PSH | TL_ACK, cseq, sseq, req, 20);
		cseq += 20;
		for (int n = 0; n < (i == 3 ? 1 : i == 20 ? 17 : 0); n++, sseq += 41)
			feed_packet(e, S, TL_PSH | TL_ACK, sseq, cseq, ok_resp, 41);
	}
}

static const char *const expect_packets_only[] = {
    "pkt #1 c2s [FIN, ACK] seq=1 ack=1 win=65536",
    "pkt #1 s2c [FIN, ACK] seq=1 ack=2 win=65536",
    "pkt #1 c2s [ACK] seq=2 ack=2 win=65536",
    "state #1 client FIN_WAIT2->TIME_WAIT pid=0 inferred",
    "pkt #1 s2c [FIN, ACK] seq=1 ack=2 win=65536",
    "pkt #1 c2s [ACK] seq=2 ack=2 win=65536",
    "pkt #1 s2c [FIN, ACK] seq=1 ack=2 win=65536",
    "pkt #1 c2s [ACK] seq=2 ack=2 win=65536",
    "pkt #1 s2c [FIN, ACK] seq=1 ack=2 win=65536",
    "pkt #1 c2s [ACK] seq=2 ack=2 win=65536",
    "end #1 closed_by=client tw=0 req=0 c2s=0 s2c=0 pids=0/0",
    NULL,
};

/* A life seen only in its packets: the handshake, then the client closes
 * first and both FINs are acknowledged. */
static void packets_open_close(struct tl_engine *e)
{
	feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
	feed_packet(e, S, TL_SYN | TL_ACK, ISN_S, ISN_C + 1, NULL, 0);
	feed_packet(e, C, TL_ACK, ISN_C + 1, ISN_S + 1, NULL, 0);
	feed_packet(e, C, TL_FIN | TL_ACK, ISN_C + 1, ISN_S + 1, NULL, 0);
	feed_packet(e, S, TL_FIN | TL_ACK, ISN_S + 1, ISN_C + 2, NULL, 0);
	feed_packet(e, C, TL_ACK, ISN_C + 2, ISN_S + 2, NULL, 0);
}

/* A capture file: no socket events, so the close is read from the packets.
 * The last ACK was lost after the capture point, each time: the server's
 * FIN comes again as its retransmission timer doubles (0.2, 0.6, 1.4 s
 * after the close) and stays in the life, as in Wireshark's stream; the
 * life ends when the packets' time is past the last wait (a SYN on another
 * tuple here). */
static void scenario_packets_only(struct tl_engine *e)
{
	__u64 close;

	packets_open_close(e);
	close = now;
	for (int ms = 200; ms <= 1400; ms = 2 * ms + 200) {
		now = close + (__u64)ms * MS;
		feed_packet(e, S, TL_FIN | TL_ACK, ISN_S + 1, ISN_C + 2, NULL, 0);
		feed_packet(e, C, TL_ACK, ISN_C + 2, ISN_S + 2, NULL, 0);
	}
	now += 4000 * MS;
	client_port = CLIENT_PORT + 1;
	feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
}

static const char *const expect_refused[] = {
    "state #1 client CLOSE->SYN_SENT pid=100",
    "pkt #1 c2s [SYN] seq=0 ack=0 win=65495",
    "pkt #1 s2c [RST, ACK] seq=1 ack=1 win=512",
    "state #1 client SYN_SENT->CLOSE pid=100",
    "end #1 closed_by=reset reset_by=server tw=-1 req=0 c2s=0 s2c=0 pids=100/0",
    NULL,
};

/* A connect to a port nobody listens on: RST, ACK with seq 0. */
static void scenario_refused(struct tl_engine *e)
{
	feed_sock(e, TL_EV_STATE, C, TL_CLOSE, TL_SYN_SENT, 100, false);
	feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
	feed_packet(e, S, TL_RST | TL_ACK, 0, ISN_C + 1, NULL, 0);
	STATE(e, C, TL_SYN_SENT, TL_CLOSE, 100);
}

static const char *const expect_simultaneous[] = {
    "state #1 client ESTABLISHED->FIN_WAIT1 pid=100",
    "state #1 server ESTABLISHED->FIN_WAIT1 pid=200",
    "pkt #1 c2s [FIN, ACK] seq=1 ack=1 win=65536",
    "pkt #1 s2c [FIN, ACK] seq=1 ack=1 win=65536",
    "state #1 client FIN_WAIT1->CLOSING pid=100",
    "state #1 server FIN_WAIT1->CLOSING pid=200",
    "pkt #1 c2s [ACK] seq=2 ack=2 win=65536",
    "pkt #1 s2c [ACK] seq=2 ack=2 win=65536",
    "state #1 client CLOSING->CLOSE pid=100",
    "state #1 client CLOSING->TIME_WAIT pid=100 inferred",
    "state #1 server CLOSING->CLOSE pid=200",
    "state #1 server CLOSING->TIME_WAIT pid=200 inferred",
    "end #1 closed_by=client tw=2 req=0 c2s=0 s2c=0 pids=100/200",
    NULL,
};

/* Both sides close at once: FIN_WAIT1 -> CLOSING -> (timewait) on each. */
static void scenario_simultaneous(struct tl_engine *e)
{
	handshake(e, ISN_C, ISN_S);
	feed_sock(e, TL_EV_OWNER, S, 0, 0, 200, true);
	STATE(e, C, TL_ESTABLISHED, TL_FIN_WAIT1, 100);
	STATE(e, S, TL_ESTABLISHED, TL_FIN_WAIT1, 200);
	feed_packet(e, C, TL_FIN | TL_ACK, ISN_C + 1, ISN_S + 1, NULL, 0);
	feed_packet(e, S, TL_FIN | TL_ACK, ISN_S + 1, ISN_C + 1, NULL, 0);
	STATE(e, C, TL_FIN_WAIT1, TL_CLOSING, 100);
	STATE(e, S, TL_FIN_WAIT1, TL_CLOSING, 200);
	feed_packet(e, C, TL_ACK, ISN_C + 2, ISN_S + 2, NULL, 0);
	feed_packet(e, S, TL_ACK, ISN_S + 2, ISN_C + 2, NULL, 0);
	STATE(e, C, TL_CLOSING, TL_CLOSE, 100);
	STATE(e, S, TL_CLOSING, TL_CLOSE, 200);
	hold_over(e);
}

static const char *const expect_midstream[] = {
    "pkt #1 s2c [PSH, ACK] seq=1 ack=1 win=512",
    "pkt #1 c2s [ACK] seq=1 ack=6 win=512",
    "pkt #1 c2s [PSH, ACK] seq=1 ack=6 win=512",
    "end #1 closed_by=none tw=-1 req=0 c2s=7 s2c=5 pids=0/0 mid open",
    NULL,
};

/* Tracing starts on an open connection: numbers from the first segment
 * seen (Wireshark: seq - 1 for the sender, ack - 1 for the other side),
 * the server guessed from the port, window unscaled (handshake unseen). */
static void scenario_midstream(struct tl_engine *e)
{
	feed_packet(e, S, TL_PSH | TL_ACK, 777000, 999000, "zzzzz", 5);
	feed_packet(e, C, TL_ACK, 999000, 777005, NULL, 0);
	feed_packet(e, C, TL_PSH | TL_ACK, 999000, 777005, "wwwwwww", 7);
	tl_engine_finish(e);
}

static const char *const expect_reuse[] = {
    "end #1 closed_by=none tw=-1 req=0 c2s=0 s2c=0 pids=0/0",
    "pkt #2 c2s [SYN] seq=0 ack=0 win=65495",
    "end #2 closed_by=none tw=-1 req=0 c2s=0 s2c=0 pids=0/0 open",
    NULL,
};

/* A new SYN on a tuple still known starts a new connection; the SYN's
 * retransmission does not. */
static void scenario_port_reuse(struct tl_engine *e)
{
	feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
	feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
	feed_packet(e, C, TL_SYN, ISN_C + 100000, 0, NULL, 0);
	tl_engine_finish(e);
}

/* The request and the response start each sent twice (a retransmission
 * timer beat the ACK), packets only as in a capture: one request, one
 * response, one exchange. */
static void scenario_retransmitted_starts(struct tl_engine *e)
{
	feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
	feed_packet(e, S, TL_SYN | TL_ACK, ISN_S, ISN_C + 1, NULL, 0);
	for (int i = 0; i < 2; i++)
		feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, get_req, 37);
	for (int i = 0; i < 2; i++)
		feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 38, ok_resp, 41);
	tl_engine_finish(e);
}

static const char *const expect_retransmitted_starts[] = {
    "pkt #1 c2s [SYN] seq=0 ack=0 win=65495",
    "pkt #1 s2c [SYN, ACK] seq=0 ack=1 win=65495",
    "pkt #1 c2s [PSH, ACK] seq=1 ack=1 win=65536",
    "http #1 request GET /index.html seq=1",
    "pkt #1 c2s [PSH, ACK] seq=1 ack=1 win=65536",
    "pkt #1 s2c [PSH, ACK] seq=1 ack=38 win=65536",
    "http #1 response 200 for /index.html seq=1",
    "exchange #1 /index.html 200 body=3 complete=1",
    "pkt #1 s2c [PSH, ACK] seq=1 ack=38 win=65536",
    "end #1 closed_by=none unique=37/41 tw=-1 req=1 c2s=74 s2c=82 pids=0/0 open",
    NULL,
};

/* Bytes a hostile peer may send at the start of a segment. */
static void scenario_hostile_http(struct tl_engine *e)
{
	static char big[TL_DATA_CAP + 1];

	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1,
		    "GET /\x01\x1b[31m\xff\xfe HTTP/1.1\r\n", 30);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 31, ISN_S + 1, "HTTP/1.1 2000 \xc0\xaf\r\n", 20);
	memset(big, 'A', TL_DATA_CAP);
	memcpy(big, "GET /", 5);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 51, ISN_S + 1, big, 100000);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 100051, ISN_S + 1, "GE", 2);
	tl_engine_finish(e);
}

/* The control bytes' request line, escaped (the 100 KB one, its URI cut,
 * is counted in the last line). */
static const char *const expect_hostile_http[] = {
    "http #1 request GET /\\x01\\x1b[31m\\xff\\xfe seq=1",
    NULL,
};

/* --- the kernel's sockets as sock_diag shows them --- */

struct fake_sock {
	__u16 lport, rport;
	__u64 cookie;
	bool timewait;		 /* else a full socket (a new connection's) */
	__u64 from_ns, until_ns; /* on the tuple in [from, until) */
	__u64 fw2_until_ns;	 /* a timewait socket: FIN_WAIT2 before this */
	__u64 expires_ns;	 /* the timer sock_diag shows */
};

#define MAX_FAKE_SOCKS 64
static struct fake_sock fake_socks[MAX_FAKE_SOCKS];
static int nfake_socks;
static __u64 kernel_now;

/* A timewait socket from from_ns, in FIN_WAIT2 for fw2_ms, then TIME_WAIT
 * for the kernel's 60 s; dropped late_ms past its timer (the timer wheel). */
static struct fake_sock *kernel_tw(__u16 lport, __u16 rport, __u64 from_ns, __u64 fw2_ms,
				   __u64 late_ms)
{
	struct fake_sock *k = &fake_socks[nfake_socks];

	*k = (struct fake_sock){.lport = lport,
				.rport = rport,
				.cookie = 0x1000 + nfake_socks++,
				.timewait = true,
				.from_ns = from_ns};
	k->fw2_until_ns = from_ns + fw2_ms * MS;
	k->expires_ns = k->fw2_until_ns + 60000 * MS;
	k->until_ns = k->expires_ns + late_ms * MS;
	return k;
}

/* sock_diag's lookup: the socket on the tuple now, checked against the cookie. */
static int fake_sock_query(void *ctx, const struct tl_endpoint *local,
			   const struct tl_endpoint *remote, __u64 cookie,
			   struct tl_sock_info *info)
{
	(void)ctx;
	for (int i = 0; i < nfake_socks; i++) {
		const struct fake_sock *k = &fake_socks[i];

		if (k->lport != local->port || k->rport != remote->port ||
		    kernel_now < k->from_ns || kernel_now >= k->until_ns)
			continue;
		if (cookie && cookie != k->cookie)
			return -ESTALE;
		info->cookie = k->cookie;
		info->timewait = k->timewait;
		info->state = !k->timewait		     ? TL_ESTABLISHED
			      : kernel_now < k->fw2_until_ns ? TL_FIN_WAIT2
							     : TL_TIME_WAIT;
		info->expires_ms =
		    k->expires_ns > kernel_now ? (k->expires_ns - kernel_now) / MS : 0;
		return 0;
	}
	return -ENOENT;
}

static void tick_at(struct tl_engine *e, __u64 t)
{
	kernel_now = t;
	tl_engine_tick(e, t);
}

/* The tracer's loop: a tick every 10 ms. */
static void tick_until(struct tl_engine *e, __u64 from, __u64 to)
{
	for (__u64 t = from; t <= to; t += 10 * MS)
		tick_at(e, t);
}

/* Two closed lives in one hold list: #1 (no sockets in sight) waits a
 * second for late FINs, #2 (sockets closed, its last ACK unseen) 200 ms;
 * #2 must not wait behind #1. */
static void scenario_holds_by_deadline(struct tl_engine *e)
{
	packets_open_close(e);
	client_port = CLIENT_PORT + 1;
	handshake(e, ISN_C, ISN_S);
	close_half(e, C, ISN_C + 1, ISN_S + 1);
	STATE(e, S, TL_CLOSE_WAIT, TL_LAST_ACK, 200);
	feed_packet(e, S, TL_FIN | TL_ACK, ISN_S + 1, ISN_C + 2, NULL, 0);
	STATE(e, S, TL_LAST_ACK, TL_CLOSE, 200);
	tick_until(e, now, now + 300 * MS);
	logf_line("300 ms later");
	tick_until(e, now + 300 * MS, now + 1300 * MS);
}

static const char *const expect_holds_by_deadline[] = {
    "end #2 closed_by=client tw=-1 req=0 c2s=0 s2c=0 pids=100/200",
    "300 ms later",
    "end #1 closed_by=client tw=0 req=0 c2s=0 s2c=0 pids=0/0",
    NULL,
};

static void scenario_time_wait_end(struct tl_engine *e)
{
	__u64 t;

	one_get(e, ISN_C, ISN_S);
	t = now;
	kernel_tw(CLIENT_PORT, SERVER_PORT, t - MS, 0, 0);
	tick_at(e, t + MS);
	tick_at(e, t + 2000 * MS);
	tick_at(e, t + 30000 * MS);
	tick_at(e, t + 61000 * MS);
}

/* One GET answered with Connection: close; returns when the server's
 * timewait socket began (its last ACK). */
static __u64 get_server_closes(struct tl_engine *e, __u32 isn_c, __u32 isn_s)
{
	handshake(e, isn_c, isn_s);
	feed_packet(e, C, TL_PSH | TL_ACK, isn_c + 1, isn_s + 1, get_req, 37);
	feed_sock(e, TL_EV_OWNER, S, 0, 0, 200, true);
	feed_packet(e, S, TL_PSH | TL_ACK, isn_s + 1, isn_c + 38, ok_resp, 41);
	close_first(e, S, isn_s + 42, isn_c + 38);
	return now - MS;
}

/* The client connects again from the same port (SO_REUSEADDR) reuse_ms
 * after the server's TIME_WAIT began: the kernel gives the new SYN the
 * tuple (tcp_timewait_state_process: TCP_TW_SYN) and drops the old
 * timewait socket at once. That connection ends the same way. */
static void reuse_after(struct tl_engine *e, __u64 reuse_ms)
{
	__u64 tw1 = get_server_closes(e, ISN_C, ISN_S), tw2;
	struct fake_sock *old = kernel_tw(SERVER_PORT, CLIENT_PORT, tw1, 0, 0);
	struct fake_sock *full;

	tick_until(e, tw1 + 10 * MS, tw1 + (reuse_ms - 10) * MS);
	now = tw1 + (reuse_ms - 2) * MS; /* the SYN comes 2 ms later, after SYN_SENT */
	old->until_ns = now + 2 * MS;
	full = &fake_socks[nfake_socks++];
	*full = (struct fake_sock){
	    .lport = SERVER_PORT, .rport = CLIENT_PORT, .cookie = 0x2000, .from_ns = now + 2 * MS};
	tw2 = get_server_closes(e, ISN_C + 900000, ISN_S + 900000);
	full->until_ns = tw2;
	kernel_tw(SERVER_PORT, CLIENT_PORT, tw2, 0, 0);
	tick_at(e, tw2 + 2000 * MS);
	tick_at(e, tw2 + 61000 * MS);
}

static void scenario_reuse_late(struct tl_engine *e) { reuse_after(e, 2700); }

static const char *const expect_reuse_late[] = {
    "twend #1 server confirmed=1 after=2700ms ended_by=reused",
    "end #2 closed_by=server tw=1 req=1 c2s=37 s2c=41 pids=100/200",
    "twend #2 server confirmed=1 after=61000ms ended_by=timer",
    NULL,
};

/* Before the first question to sock_diag: nothing but the SYN tells. */
static void scenario_reuse_early(struct tl_engine *e) { reuse_after(e, 300); }

static const char *const expect_reuse_early[] = {
    "twend #1 server confirmed=0 after=300ms ended_by=reused",
    "end #2 closed_by=server tw=1 req=1 c2s=37 s2c=41 pids=100/200",
    "twend #2 server confirmed=1 after=61000ms ended_by=timer",
    NULL,
};

/* The client comes back 2.7 s later with a SYN the timewait socket refuses
 * (its sequence number is not past the old connection's). With rst_ms,
 * the client's RST then drops the timewait socket (RFC 1337 is off) and
 * the SYN sent again a second later gets its SYN-ACK; without, the client
 * gives up and the timewait socket lives out its timer. */
static void refused_syn(struct tl_engine *e, __u64 rst_ms)
{
	__u64 tw1 = get_server_closes(e, ISN_C, ISN_S);
	struct fake_sock *old = kernel_tw(SERVER_PORT, CLIENT_PORT, tw1, 0, 0);

	tick_until(e, tw1 + 10 * MS, tw1 + 2690 * MS);
	now = tw1 + 2698 * MS;
	feed_sock(e, TL_EV_STATE, C, TL_CLOSE, TL_SYN_SENT, 100, false);
	feed_packet(e, C, TL_SYN, ISN_C + 5, 0, NULL, 0);
	tick_at(e, tw1 + 2700 * MS);
	if (rst_ms) {
		now = tw1 + (rst_ms - 1) * MS;
		feed_packet(e, C, TL_RST, ISN_C + 39, 0, NULL, 0);
		old->until_ns = now;
	}
	tick_until(e, tw1 + 2710 * MS, tw1 + 3690 * MS);
	now = tw1 + 3699 * MS;
	feed_packet(e, C, TL_SYN, ISN_C + 5, 0, NULL, 0);
	if (rst_ms)
		feed_packet(e, S, TL_SYN | TL_ACK, ISN_S + 900000, ISN_C + 6, NULL, 0);
	tick_until(e, tw1 + 3710 * MS, tw1 + 61000 * MS);
}

static void scenario_refused_syn(struct tl_engine *e) { refused_syn(e, 0); }

static const char *const expect_refused_syn[] = {
    "twend #1 server confirmed=1 after=60020ms ended_by=timer",
    NULL,
};

static void scenario_refused_syn_rst(struct tl_engine *e) { refused_syn(e, 2750); }

static const char *const expect_refused_syn_rst[] = {
    "twend #1 server confirmed=1 after=2800ms ended_by=reused",
    NULL,
};

/* -i on a veth whose other end is in another namespace: the server's
 * states are seen, the client's are not, and the client closes first. Its
 * TIME_WAIT comes from the packets, and no sock_diag question can see its
 * socket, so its end is never made up. */
static void scenario_peer_invisible(struct tl_engine *e)
{
	__u32 c_seq = ISN_C + 38, s_seq = ISN_S + 42;

	feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
	feed_packet(e, S, TL_SYN | TL_ACK, ISN_S, ISN_C + 1, NULL, 0);
	feed_packet(e, C, TL_ACK, ISN_C + 1, ISN_S + 1, NULL, 0);
	STATE(e, S, TL_LISTEN, TL_SYN_RECV, 0);
	STATE(e, S, TL_SYN_RECV, TL_ESTABLISHED, 0);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, get_req, 37);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, c_seq, ok_resp, 41);
	feed_packet(e, C, TL_FIN | TL_ACK, c_seq, s_seq, NULL, 0);
	STATE(e, S, TL_ESTABLISHED, TL_CLOSE_WAIT, 0);
	feed_packet(e, S, TL_ACK, s_seq, c_seq + 1, NULL, 0);
	STATE(e, S, TL_CLOSE_WAIT, TL_LAST_ACK, 0);
	feed_packet(e, S, TL_FIN | TL_ACK, s_seq, c_seq + 1, NULL, 0);
	feed_packet(e, C, TL_ACK, c_seq + 1, s_seq + 1, NULL, 0);
	STATE(e, S, TL_LAST_ACK, TL_CLOSE, 0);
	tick_until(e, now, now + 2000 * MS);
	tick_at(e, now + 70000 * MS);
}

static const char *const expect_peer_invisible[] = {
    "pkt #1 c2s [ACK] seq=39 ack=43 win=65536",
    "state #1 client FIN_WAIT2->TIME_WAIT pid=0 inferred",
    "state #1 server LAST_ACK->CLOSE pid=0",
    "end #1 closed_by=client tw=0 req=1 c2s=37 s2c=41 pids=0/0",
    NULL,
};

/* One connection a second, each leaving a client timewait socket that the
 * kernel drops up to 4 * late_step_ms past its timer; fw2_conn's still
 * waits in FIN_WAIT2 when first asked about. Every end must be reported
 * within a second of the kernel's, whatever else is waiting. */
static void trickle(int fw2_conn, __u64 late_step_ms)
{
	static const struct tl_sink tw_only = {.on_tw_end = on_tw_end};
	struct tl_engine_config cfg = {.sock_query = fake_sock_query};
	struct tl_engine *e = tl_engine_new(&cfg, &tw_only);
	__u64 t0 = now, drop[MAX_TW_ENDS] = {0};
	int n = 20, worst = 0;
	__u64 worst_ms = 0;

	for (int i = 1; i <= n; i++) {
		client_port = CLIENT_PORT + i;
		now = t0 + (__u64)i * 1000 * MS;
		one_get(e, ISN_C, ISN_S);
		drop[i] = kernel_tw(client_port, SERVER_PORT, now - MS, i == fw2_conn ? 1500 : 0,
				    i % 5 * late_step_ms)
			      ->until_ns;
		tick_until(e, now + MS, t0 + (__u64)(i + 1) * 1000 * MS - MS);
	}
	tick_until(e, now, now + 70000 * MS);
	for (int i = 1; i <= n; i++) {
		__u64 late = tw_end_ns[i] >= drop[i] ? (tw_end_ns[i] - drop[i]) / MS : ~0ULL;

		if (late > worst_ms || !tw_end_ns[i]) {
			worst_ms = tw_end_ns[i] ? late : ~0ULL;
			worst = i;
		}
	}
	if (worst_ms <= 1000)
		logf_line("trickle: %d ends, each within 1 s of the kernel's", n);
	else
		logf_line("trickle: #%d ended %lld ms after the kernel's", worst,
			  (long long)worst_ms);
	tl_engine_free(e);
}

/* The timer wheel fires late: a 60 s timer up to 2 s with HZ=250. */
static void scenario_trickle(struct tl_engine *e)
{
	(void)e;
	trickle(0, 400);
}

/* Every timer on time, but one socket needs a second question soon. */
static void scenario_trickle_fw2(struct tl_engine *e)
{
	(void)e;
	trickle(3, 0);
}

/* --- resets, failed handshakes, lost states (issue 8) --- */

#define OWNER(e, client, pid) feed_sock(e, TL_EV_OWNER, client, 0, 0, pid, true)

/* The connection is up and the client's request is in. */
static void request_sent(struct tl_engine *e)
{
	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, get_req, 37);
}

/* Then both sockets are closed, and no RST is sent. */
static void both_closed_quietly(struct tl_engine *e)
{
	request_sent(e);
	STATE(e, S, TL_ESTABLISHED, TL_CLOSE, 0);
	STATE(e, C, TL_ESTABLISHED, TL_CLOSE, 100);
}

/* The request is in; the server's socket is aborted (SO_LINGER 0, or the
 * listener closing with it unaccepted): CLOSE first, then its RST. */
static void request_then_abort(struct tl_engine *e)
{
	request_sent(e);
	STATE(e, S, TL_ESTABLISHED, TL_CLOSE, 0);
	feed_packet(e, S, TL_RST | TL_ACK, ISN_S + 1, ISN_C + 38, NULL, 0);
	STATE(e, C, TL_ESTABLISHED, TL_CLOSE, 100);
}

static const char *const expect_reset_recv[] = {
    "state #1 server ESTABLISHED->CLOSE pid=0",
    "pkt #1 s2c [RST, ACK] seq=1 ack=38 win=65536",
    "state #1 client ESTABLISHED->CLOSE pid=100",
    "end #1 closed_by=reset reset_by=server tw=-1 req=1 c2s=37 s2c=0 pids=100/0",
    NULL,
};

/* The client's recv() then returns ECONNRESET: that use of its closed
 * socket starts no life (the kernel side no longer reports it; the engine
 * must not make one up if it comes anyway). */
static void scenario_reset_recv(struct tl_engine *e)
{
	request_then_abort(e);
	OWNER(e, C, 100);
	OWNER(e, C, 101);
	tl_engine_finish(e);
}

static const char *const expect_unread_close[] = {
    "state #1 client FIN_WAIT2->CLOSE pid=100",
    "state #1 server CLOSE_WAIT->CLOSE pid=200",
    "pkt #1 s2c [RST, ACK] seq=1 ack=39 win=65536",
    "end #1 closed_by=reset reset_by=server tw=-1 req=1 c2s=37 s2c=0 pids=100/200",
    NULL,
};

/* The client sends a request and closes (its orphan goes FIN_WAIT2 ->
 * CLOSE at once); the server closes without reading: CLOSE, then the RST.
 * Both sockets are closed before the RST: it still belongs to this life. */
static void scenario_unread_close(struct tl_engine *e)
{
	request_sent(e);
	OWNER(e, S, 200);
	STATE(e, C, TL_ESTABLISHED, TL_FIN_WAIT1, 100);
	feed_packet(e, C, TL_FIN | TL_ACK, ISN_C + 38, ISN_S + 1, NULL, 0);
	STATE(e, S, TL_ESTABLISHED, TL_CLOSE_WAIT, 200);
	feed_packet(e, S, TL_ACK, ISN_S + 1, ISN_C + 39, NULL, 0);
	STATE(e, C, TL_FIN_WAIT1, TL_FIN_WAIT2, 100);
	STATE(e, C, TL_FIN_WAIT2, TL_CLOSE, 100);
	STATE(e, S, TL_CLOSE_WAIT, TL_CLOSE, 200);
	feed_packet(e, S, TL_RST | TL_ACK, ISN_S + 1, ISN_C + 39, NULL, 0);
	OWNER(e, S, 200);
	tl_engine_finish(e);
}

static const char *const expect_abort_idle[] = {
    "state #1 server ESTABLISHED->CLOSE pid=0",
    "state #1 client ESTABLISHED->CLOSE pid=100",
    "end #1 closed_by=none tw=-1 req=1 c2s=37 s2c=0 pids=100/0",
    NULL,
};

/* Both sockets closed and no RST came (its segment was never sent): the
 * life ends once the hold is over, as closed, not open at exit. */
static void scenario_closed_no_rst(struct tl_engine *e)
{
	both_closed_quietly(e);
	tl_engine_tick(e, now + 150 * MS);
	logf_line("tick +150ms");
	tl_engine_tick(e, now + 250 * MS);
	logf_line("tick +250ms");
	tl_engine_finish(e);
}

static const char *const expect_rebind[] = {
    "state #1 client ESTABLISHED->CLOSE pid=100",
    "end #1 closed_by=none tw=-1 req=1 c2s=37 s2c=0 pids=100/0",
    "state #2 client CLOSE->SYN_SENT pid=100",
    "pkt #2 c2s [SYN] seq=0 ack=0 win=65495",
    NULL,
};

/* Both sockets closed without an RST, and the client connects again at
 * once from the same port (bound, SO_REUSEADDR): the held life ends there,
 * and the new one begins with its own SYN_SENT. */
static void scenario_rebind(struct tl_engine *e)
{
	both_closed_quietly(e);
	STATE(e, C, TL_CLOSE, TL_SYN_SENT, 100);
	feed_packet(e, C, TL_SYN, ISN_C + 5000, 0, NULL, 0);
	tl_engine_finish(e);
}

static const char *const expect_handshake_failed[] = {
    "state #1 client CLOSE->SYN_SENT pid=100",
    "pkt #1 c2s [SYN] seq=0 ack=0 win=65495",
    "pkt #1 c2s [SYN] seq=0 ack=0 win=65495",
    "pkt #1 c2s [SYN] seq=0 ack=0 win=65495",
    "pkt #1 c2s [SYN] seq=0 ack=0 win=65495",
    "state #1 client SYN_SENT->CLOSE pid=100",
    "end #1 closed_by=none handshake_failed syns=4 tw=-1 req=0 c2s=0 s2c=0 pids=100/0",
    NULL,
};

/* SYNs to a full backlog are dropped; connect() retries, then gives up. */
static void scenario_handshake_failed(struct tl_engine *e)
{
	feed_sock(e, TL_EV_STATE, C, TL_CLOSE, TL_SYN_SENT, 100, false);
	for (int i = 0; i < 4; i++)
		feed_packet(e, C, TL_SYN, ISN_C, 0, NULL, 0);
	STATE(e, C, TL_SYN_SENT, TL_CLOSE, 100);
	tl_engine_finish(e);
}

/* The server closes first; the client's delayed ACK moves its orphan
 * FIN_WAIT1 -> FIN_WAIT2 -> CLOSE in a softirq, and those two state
 * records are lost with no loss counted (the case the kernel side now
 * catches). The packets show both FINs acknowledged: the life must not be
 * reported open at exit as if nothing were missing. */
static void scenario_states_lost(struct tl_engine *e)
{
	handshake(e, ISN_C, ISN_S);
	OWNER(e, S, 200);
	STATE(e, S, TL_ESTABLISHED, TL_FIN_WAIT1, 200);
	feed_packet(e, S, TL_FIN | TL_ACK, ISN_S + 1, ISN_C + 1, NULL, 0);
	STATE(e, C, TL_ESTABLISHED, TL_CLOSE_WAIT, 100);
	feed_packet(e, C, TL_ACK, ISN_C + 1, ISN_S + 2, NULL, 0);
	STATE(e, C, TL_CLOSE_WAIT, TL_LAST_ACK, 100);
	feed_packet(e, C, TL_FIN | TL_ACK, ISN_C + 1, ISN_S + 2, NULL, 0);
	feed_packet(e, S, TL_ACK, ISN_S + 2, ISN_C + 2, NULL, 0);
	STATE(e, C, TL_LAST_ACK, TL_CLOSE, 100);
	tl_engine_tick(e, now + 3000 * MS);
	tl_engine_finish(e);
}

static void count_conn(const struct tl_conn *c, void *arg)
{
	(void)c;
	++*(int *)arg;
}

/* How many lives the live status line would list. */
static void log_listed(struct tl_engine *e)
{
	int n = 0;

	tl_engine_each_conn(e, count_conn, &n);
	logf_line("listed %d", n);
}

static const char *const expect_stray_ack[] = {
    "state #1 server FIN_WAIT2->CLOSE pid=200",
    "state #1 server FIN_WAIT2->TIME_WAIT pid=200 inferred",
    "state #1 client LAST_ACK->CLOSE pid=100",
    "listed 0",
    "pkt #1 s2c [ACK] seq=43 ack=39 win=65536",
    "pkt #1 c2s [RST] seq=39 ack=0 win=65536",
    "tick +20ms",
    "listed 0",
    "end #1 closed_by=server tw=1 req=1 c2s=37 s2c=41 pids=100/200",
    "tick +40ms",
    NULL,
};

/* As a burst recorded it (test_resets, 1 life in 40 bursts of 400): the
 * server closes first; the client's delayed ACK of that FIN, sent from a
 * timer on one CPU, is overtaken by the FIN its close() sends on the other.
 * Both sockets close, then the ACK reaches the server's timewait socket,
 * which answers it (tshark: [TCP Keep-Alive ACK]), and the client, whose
 * socket is gone, answers that with a RST. tshark keeps both in the
 * life's stream: they are its last segments, not a life of their own. */
static void scenario_stray_ack(struct tl_engine *e)
{
	request_sent(e);
	OWNER(e, S, 200);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 38, ok_resp, 41);
	feed_packet(e, C, TL_ACK, ISN_C + 38, ISN_S + 42, NULL, 0);
	STATE(e, S, TL_ESTABLISHED, TL_FIN_WAIT1, 200);
	feed_packet(e, S, TL_FIN | TL_ACK, ISN_S + 42, ISN_C + 38, NULL, 0);
	STATE(e, C, TL_ESTABLISHED, TL_CLOSE_WAIT, 100);
	feed_packet(e, C, TL_ACK, ISN_C + 38, ISN_S + 43, NULL, 0);
	STATE(e, C, TL_CLOSE_WAIT, TL_LAST_ACK, 100);
	feed_packet(e, C, TL_FIN | TL_ACK, ISN_C + 38, ISN_S + 43, NULL, 0);
	STATE(e, S, TL_FIN_WAIT1, TL_FIN_WAIT2, 200);
	feed_packet(e, S, TL_ACK, ISN_S + 43, ISN_C + 39, NULL, 0);
	STATE(e, S, TL_FIN_WAIT2, TL_CLOSE, 200);
	STATE(e, C, TL_LAST_ACK, TL_CLOSE, 100);
	log_listed(e);
	feed_packet(e, S, TL_ACK, ISN_S + 43, ISN_C + 39, NULL, 0);
	feed_packet(e, C, TL_RST, ISN_C + 39, 0, NULL, 0);
	/* Held 30 ms (HOLD_TW_ANSWER_NS), out of the open lives meanwhile. */
	tl_engine_tick(e, now + 20 * MS);
	logf_line("tick +20ms");
	log_listed(e);
	tl_engine_tick(e, now + 40 * MS);
	logf_line("tick +40ms");
	tl_engine_finish(e);
}

/* --- HTTP across segments: chunked bodies, cut heads, odd targets --- */

/* A 37-byte GET, and the head of its chunked answer (47 bytes). */
static void get_chunked(struct tl_engine *e, const char *req)
{
	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, req, 37);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 38,
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 47);
}

/* 5 chunks of 700 bytes, each written as its own segment ("2bc\r\n", the
 * data, CRLF: 707 bytes, all copied as the kernel copies up to 1 KB), then
 * the last chunk "0\r\n\r\n" alone; s is the raw seq of the first. */
static __u32 five_chunks(struct tl_engine *e, __u32 s, __u32 ack)
{
	static char chunk[708];

	memset(chunk, 'x', sizeof(chunk) - 1);
	memcpy(chunk, "2bc\r\n", 5);
	memcpy(chunk + 705, "\r\n", 2);
	for (int i = 0; i < 5; i++, s += 707)
		feed_bytes(e, S, TL_PSH | TL_ACK, s, ack, chunk, 707, 707);
	feed_packet(e, S, TL_PSH | TL_ACK, s, ack, "0\r\n\r\n", 5);
	return s + 5;
}

static const char *const expect_chunked_keepalive[] = {
    "http #1 request GET /c seq=1",
    "http #1 response 200 for /c seq=1",
    "exchange #1 /c 200 body=3500 complete=1 chunked last=+6ms",
    "http #1 request GET /index.html seq=38",
    "http #1 response 200 for /index.html seq=3588",
    "exchange #1 /index.html 200 body=3 complete=1",
    NULL,
};

/* The exchange ends at the last chunk, with the decoded length, not when
 * the next response begins. */
static void scenario_chunked_keepalive(struct tl_engine *e)
{
	__u32 s;

	get_chunked(e, "GET /c HTTP/1.1\r\nHost: xxxxxxxxxx\r\n\r\n");
	s = five_chunks(e, ISN_S + 48, ISN_C + 38);
	now += 2000 * MS;
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 38, s, get_req, 37);
	feed_packet(e, S, TL_PSH | TL_ACK, s, ISN_C + 75, ok_resp, 41);
}

static const char *const expect_chunked_close[] = {
    "http #1 response 200 for /index.html seq=1",
    "pkt #1 s2c [PSH, ACK] seq=3583 ack=38 win=65536",
    "exchange #1 /index.html 200 body=3500 complete=1 chunked last=+6ms",
    "pkt #1 s2c [FIN, ACK] seq=3588 ack=38 win=65536",
    NULL,
};

/* Connection: close: the exchange ends at the last chunk, not at the FIN. */
static void scenario_chunked_close(struct tl_engine *e)
{
	__u32 s;

	get_chunked(e, get_req);
	s = five_chunks(e, ISN_S + 48, ISN_C + 38);
	now += 50 * MS;
	feed_packet(e, S, TL_FIN | TL_ACK, s, ISN_C + 38, NULL, 0);
}

static const char *const expect_chunked_one_segment[] = {
    "http #1 response 200 for /a seq=1",
    "exchange #1 /a 200 body=8 complete=1 chunked last=+0ms",
    "http #1 response 404 for /b seq=81",
    "exchange #1 /b 404 body=0 complete=1",
    NULL,
};

/* Head, chunks with extensions, trailer and the next (pipelined) response
 * all in one segment. */
static void scenario_chunked_one_segment(struct tl_engine *e)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "5;x=y\r\nhello\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n"
				   "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1,
		    "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n", 38);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 39, resp, sizeof(resp) - 1);
}

static const char *const expect_chunked_lost[] = {
    "http #1 response 200 for /index.html seq=1",
    "exchange #1 /index.html 200 body=1000 complete=0 chunked last=+1ms",
    NULL,
};

/* Two chunks of 1000 in one 2014-byte segment: the second size line lies
 * past the bytes copied, so the body's end cannot be known; the exchange
 * ends with the FIN, incomplete, instead of made up. */
static void scenario_chunked_lost(struct tl_engine *e)
{
	get_chunked(e, get_req);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 48, ISN_C + 38, "3e8\r\nxxxxx", 2014);
	feed_packet(e, S, TL_FIN | TL_ACK, ISN_S + 2062, ISN_C + 38, NULL, 0);
}

static const char *const expect_split_request_line[] = {
    "pkt #1 c2s [PSH, ACK] seq=1 ack=1 win=65536",   "pkt #1 c2s [PSH, ACK] seq=1 ack=1 win=65536",
    "pkt #1 c2s [PSH, ACK] seq=3 ack=1 win=65536",   "http #1 request GET /index.html seq=1",
    "pkt #1 s2c [PSH, ACK] seq=1 ack=38 win=65536",  "http #1 response 200 for /index.html seq=1",
    "exchange #1 /index.html 200 body=3 complete=1", NULL,
};

/* "GE", its retransmission, then the rest: one request, at seq 1. */
static void scenario_split_request_line(struct tl_engine *e)
{
	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, "GE", 2);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, "GE", 2);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 3, ISN_S + 1, get_req + 2, 35);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 38, ok_resp, 41);
}

static const char *const expect_split_headers[] = {
    "http #1 request GET /v seq=1 range=bytes=0-2",
    "http #1 response 206 for /v seq=1",
    "exchange #1 /v 206 body=3 complete=1",
    NULL,
};

/* The header blocks of both the request and the response cut in two:
 * Range in the request's second part, the response's empty line in its. */
static void scenario_split_headers(struct tl_engine *e)
{
	static const char req1[] = "GET /v HTTP/1.1\r\nHost: x\r\n";
	static const char req2[] = "Range: bytes=0-2\r\n\r\n";
	static const char rsp1[] = "HTTP/1.1 206 Partial Content\r\nContent-Length: 3\r\n";
	static const char rsp2[] = "\r\nabc";

	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, req1, sizeof(req1) - 1);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 27, ISN_S + 1, req2, sizeof(req2) - 1);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 47, rsp1, sizeof(rsp1) - 1);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 50, ISN_C + 47, rsp2, sizeof(rsp2) - 1);
}

static const char *const expect_control_bytes[] = {
    "http #1 request GET /\\x00\\x01\\xfe\\x1b[2J seq=1",
    "http #1 response 400 for /\\x00\\x01\\xfe\\x1b[2J seq=1",
    NULL,
};

/* A request line with NUL, controls and bytes that are not UTF-8 is still
 * a request, and the 400 answers it. */
static void scenario_control_bytes(struct tl_engine *e)
{
	static const char req[] = "GET /\x00\x01\xfe\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char rsp[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

	handshake(e, ISN_C, ISN_S);
	feed_bytes(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, req, sizeof(req) - 1,
		   sizeof(req) - 1);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + sizeof(req), rsp, sizeof(rsp) - 1);
}

static const char *const expect_body_not_head[] = {
    "exchange #1 /index.html 200 body=602 complete=1",
    "http #1 request GET /b seq=38",
    "http #1 response 200 for /b seq=643",
    "exchange #1 /b 200 body=3 complete=1",
    NULL,
};

/* Body bytes that could begin a request line ("aaa...", then "aa" alone,
 * short enough to be held) are no message head: the next response, which
 * continues the stream after them, is still seen. */
static void scenario_body_not_head(struct tl_engine *e)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 602\r\n\r\n";
	static char body[601];

	memset(body, 'a', 600);
	handshake(e, ISN_C, ISN_S);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 1, ISN_S + 1, get_req, 37);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 1, ISN_C + 38, head, sizeof(head) - 1);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 41, ISN_C + 38, body, 600);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 641, ISN_C + 38, "aa", 2);
	feed_packet(e, C, TL_PSH | TL_ACK, ISN_C + 38, ISN_S + 643, "GET /b HTTP/1.1\r\n\r\n", 19);
	feed_packet(e, S, TL_PSH | TL_ACK, ISN_S + 643, ISN_C + 57, ok_resp, 41);
}

struct scenario {
	int line;
	const char *name;
	void (*run)(struct tl_engine *e);
	const char *const *expect; /* lines that must appear, in this order */
	bool exact;		   /* and nothing else */
	const char *last;	   /* the last line, when given */
};

static const struct scenario scenarios[] = {
    {__LINE__, "one GET, client closes, client TIME_WAIT", scenario_one_get, expect_one_get, true,
     NULL},
    {__LINE__, "sequence numbers wrap at 2^32", scenario_wraparound, expect_one_get, true, NULL},
    {__LINE__, "keep-alive with three requests, one pipelined", scenario_keepalive,
     expect_keepalive, false, NULL},
    {__LINE__, "pipelined requests in one segment, responses split and joined", scenario_pipelined,
     expect_pipelined, false, NULL},
    {__LINE__, "pipelined past the requests paired: order kept, the oldest dropped",
     scenario_pipelined_deep, expect_pipelined_deep, false, NULL},
    {__LINE__, "packets only: TIME_WAIT inferred from the close, a late FIN kept in the life",
     scenario_packets_only, expect_packets_only, false, NULL},
    {__LINE__, "a shorter hold ends first, behind a longer one", scenario_holds_by_deadline,
     expect_holds_by_deadline, false, NULL},
    {__LINE__, "connection refused: RST", scenario_refused, expect_refused, true, NULL},
    {__LINE__, "simultaneous close: both TIME_WAIT", scenario_simultaneous, expect_simultaneous,
     false, NULL},
    {__LINE__, "joined mid-stream", scenario_midstream, expect_midstream, true, NULL},
    {__LINE__, "port reuse starts a new connection", scenario_port_reuse, expect_reuse, false,
     NULL},
    {__LINE__, "retransmitted message starts are not new messages", scenario_retransmitted_starts,
     expect_retransmitted_starts, true, NULL},
    {__LINE__, "hostile HTTP bytes", scenario_hostile_http, expect_hostile_http, false,
     "end #1 closed_by=none tw=-1 req=2 c2s=100052 s2c=0 pids=100/0 open"},
    {__LINE__, "TIME_WAIT end confirmed by sock_diag", scenario_time_wait_end, NULL, false,
     "twend #1 client confirmed=1 after=61001ms ended_by=timer"},
    {__LINE__, "TIME_WAIT ends in order under a steady trickle", scenario_trickle, NULL, false,
     "trickle: 20 ends, each within 1 s of the kernel's"},
    {__LINE__, "TIME_WAIT first in FIN_WAIT2 is asked again promptly", scenario_trickle_fw2, NULL,
     false, "trickle: 20 ends, each within 1 s of the kernel's"},
    {__LINE__, "a new SYN on the tuple ends the server's TIME_WAIT", scenario_reuse_late,
     expect_reuse_late, false, NULL},
    {__LINE__, "reuse before sock_diag was asked", scenario_reuse_early, expect_reuse_early, false,
     NULL},
    {__LINE__, "a SYN the timewait socket refuses leaves it to its timer", scenario_refused_syn,
     expect_refused_syn, false, NULL},
    {__LINE__, "a refused SYN's RST ends it, seen within 100 ms", scenario_refused_syn_rst,
     expect_refused_syn_rst, false, NULL},
    {__LINE__, "the peer's states unseen: its TIME_WAIT from the packets", scenario_peer_invisible,
     expect_peer_invisible, false, "end #1 closed_by=client tw=0 req=1 c2s=37 s2c=41 pids=0/0"},
    {__LINE__, "chunked response on a kept-alive connection", scenario_chunked_keepalive,
     expect_chunked_keepalive, false, NULL},
    {__LINE__, "chunked response, then the server closes", scenario_chunked_close,
     expect_chunked_close, false, NULL},
    {__LINE__, "chunked body and the next response in one segment", scenario_chunked_one_segment,
     expect_chunked_one_segment, false, NULL},
    {__LINE__, "chunk-size line not copied: incomplete", scenario_chunked_lost, expect_chunked_lost,
     false, NULL},
    {__LINE__, "request line split across segments", scenario_split_request_line,
     expect_split_request_line, false, NULL},
    {__LINE__, "header blocks split across segments", scenario_split_headers, expect_split_headers,
     false, NULL},
    {__LINE__, "control bytes, NUL, invalid UTF-8 in a request line", scenario_control_bytes,
     expect_control_bytes, false, NULL},
    {__LINE__, "body bytes that could begin a request line are no head", scenario_body_not_head,
     expect_body_not_head, false, NULL},
};

/* Scenarios that must also leave no trace of a life that never was. */
static const struct scenario_absent {
	struct scenario sc;
	const char *absent; /* text no line may contain */
} absent_scenarios[] = {
    {{__LINE__, "RST, then recv() returns ECONNRESET: no made-up life", scenario_reset_recv,
      expect_reset_recv, false, NULL},
     "#2"},
    {{__LINE__, "close with unread data after both closed: the RST joins its life",
      scenario_unread_close, expect_unread_close, false, NULL},
     "#2"},
    {{__LINE__, "both sockets closed, no RST: ends after the hold, not open at exit",
      scenario_closed_no_rst, expect_abort_idle, false, "tick +250ms"},
     " open"},
    {{__LINE__, "a new connect() on the tuple of a held life", scenario_rebind, expect_rebind,
      false, NULL},
     NULL},
    {{__LINE__, "handshake failed: no SYN-ACK after 4 SYNs", scenario_handshake_failed,
      expect_handshake_failed, true, NULL},
     NULL},
    {{__LINE__, "a timewait socket answers a stray ACK after both closed: no made-up life",
      scenario_stray_ack, expect_stray_ack, false, NULL},
     "#2"},
    {{__LINE__, "socket states lost: the life is marked, not left open", scenario_states_lost, NULL,
      false,
      "end #1 closed_by=server tw=-1 req=0 c2s=0 s2c=0 pids=100/200 incomplete "
      "states_missing"},
     NULL},
};

/* Whether every expected line appears in log order (and, if exact, only they). */
static bool log_matches(const char *const *expect, bool exact, const char **where)
{
	const char *p = log_buf;
	int n = 0;

	for (; expect && expect[n]; n++) {
		const char *hit = strstr(p, expect[n]);

		if (!hit || (hit != log_buf && hit[-1] != '\n') || hit[strlen(expect[n])] != '\n' ||
		    (exact && hit != p)) {
			*where = expect[n];
			return false;
		}
		p = hit + strlen(expect[n]) + 1;
	}
	*where = "(lines after the last expected one)";
	return !exact || *p == '\0';
}

static bool last_line_is(const char *want)
{
	size_t n = strlen(want);

	return log_len > n && !strncmp(log_buf + log_len - n - 1, want, n) &&
	       (log_len == n + 1 || log_buf[log_len - n - 2] == '\n');
}

/* More lines than the log holds: it stops at the last whole line, marked
 * full, and never writes past its buffer. */
static void test_log_bounded(void)
{
	char line[100];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	log_reset();
	for (int i = 0; i < 2 * (int)sizeof(log_buf) / (int)sizeof(line); i++)
		logf_line("%s", line);
	UNIT_CHECK(log_full && log_len < sizeof(log_buf) && strlen(log_buf) == log_len &&
		       log_len % sizeof(line) == 0,
		   "engine test log: bounded, whole lines, marked full (%zu bytes)", log_len);
}

static void run_scenario(const struct scenario *sc, const char *absent)
{
	struct tl_engine_config cfg = {.sock_query = fake_sock_query};
	struct tl_engine *e = tl_engine_new(&cfg, &log_sink);
	const char *where = "";
	bool ok;

	log_reset();
	nfake_socks = 0;
	client_port = CLIENT_PORT;
	memset(tw_end_ns, 0, sizeof(tw_end_ns));
	sc->run(e);
	ok = !log_full && log_matches(sc->expect, sc->exact, &where);
	if (log_full)
		where = "(the log is full: make it larger)";
	if (sc->last)
		ok = ok && last_line_is(sc->last);
	if (absent && strstr(log_buf, absent))
		ok = false, where = absent;
	UNIT_CHECK_AT(sc->line, ok, "engine: %s", sc->name);
	if (!ok)
		printf("  first mismatch at: %s\n  log:\n%s", sc->last ? sc->last : where, log_buf);
	tl_engine_free(e);
}

int main(void)
{
	test_log_bounded();
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run_scenario(&scenarios[i], NULL);
	for (size_t i = 0; i < sizeof(absent_scenarios) / sizeof(absent_scenarios[0]); i++)
		run_scenario(&absent_scenarios[i].sc, absent_scenarios[i].absent);
	return unit_done();
}
