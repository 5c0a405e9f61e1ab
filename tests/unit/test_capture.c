/* Capture files both ways: a conversation written by the pcapng writer and
 * read back by the capture reader must reach the engine segment for segment;
 * hand-made pcap files check the BSD loopback link type and truncated
 * frames; frame_parse alone checks the headers the kernel side skips. */
#include <errno.h>
#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tracer/capture/capture_reader.h"
#include "tracer/proto/frame_parse.h"
#include "tracer/capture/pcap_writer.h"
#include "tracer/proto/tcp_names.h"
#include "unit.h"

#define CLIENT_PORT 40000
#define SERVER_PORT 8080
#define CSEQ 1000U
#define SSEQ 5000U
#define T0 1700000000123456789ULL /* ns: the writer must keep every digit */
#define MS 1000000ULL

#define REQ "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
#define RESP "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
#define RL (sizeof(REQ) - 1)
#define SL (sizeof(RESP) - 1)

/* One segment of the test conversation. */
struct seg {
	enum tl_side from;
	__u16 flags;
	__u32 seq, ack;
	const char *payload;
};

static const struct seg conversation[] = {
    {TL_CLIENT, TL_SYN, CSEQ, 0, ""},
    {TL_SERVER, TL_SYN | TL_ACK, SSEQ, CSEQ + 1, ""},
    {TL_CLIENT, TL_ACK, CSEQ + 1, SSEQ + 1, ""},
    {TL_CLIENT, TL_PSH | TL_ACK, CSEQ + 1, SSEQ + 1, REQ},
    {TL_SERVER, TL_PSH | TL_ACK, SSEQ + 1, CSEQ + 1 + RL, RESP},
    {TL_CLIENT, TL_FIN | TL_ACK, CSEQ + 1 + RL, SSEQ + 1 + SL, ""},
    {TL_SERVER, TL_FIN | TL_ACK, SSEQ + 1 + SL, CSEQ + 2 + RL, ""},
    {TL_CLIENT, TL_ACK, CSEQ + 2 + RL, SSEQ + 2 + SL, ""},
};

#define NSEGS (sizeof(conversation) / sizeof(conversation[0]))

/* MSS 65495, SACK_PERM, TS, NOP, WS 10 on a SYN; NOP NOP TS otherwise. */
static const __u8 syn_opts[] = {2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 10};
static const __u8 ack_opts[] = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1};

/* --- frames by hand --- */

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* TCP header, options and payload at buf; returns their length. */
static size_t build_tcp(__u8 *buf, const struct seg *s)
{
	const __u8 *opts = (s->flags & TL_SYN) ? syn_opts : ack_opts;
	size_t olen = (s->flags & TL_SYN) ? sizeof(syn_opts) : sizeof(ack_opts);
	size_t plen = strlen(s->payload);

	memset(buf, 0, 20);
	put16(buf, s->from == TL_CLIENT ? CLIENT_PORT : SERVER_PORT);
	put16(buf + 2, s->from == TL_CLIENT ? SERVER_PORT : CLIENT_PORT);
	put32(buf + 4, s->seq);
	put32(buf + 8, s->ack);
	buf[12] = (20 + olen) / 4 << 4;
	buf[13] = s->flags & 0xff;
	put16(buf + 14, (s->flags & TL_SYN) ? 65495 : 512);
	memcpy(buf + 20, opts, olen);
	memcpy(buf + 20 + olen, s->payload, plen);
	return 20 + olen + plen;
}

/* An IPv4 (or IPv6) packet from ::1 / 127.0.0.1 to itself; returns its length. */
static size_t build_ip(__u8 *buf, bool ipv6, const struct seg *s)
{
	size_t hlen = ipv6 ? 40 : 20, tcp = build_tcp(buf + hlen, s);

	memset(buf, 0, hlen);
	if (ipv6) {
		buf[0] = 0x60;
		put16(buf + 4, tcp);
		buf[6] = 6;
		buf[7] = 64;
		buf[23] = buf[39] = 1;
		return hlen + tcp;
	}
	buf[0] = 0x45;
	put16(buf + 2, hlen + tcp);
	buf[6] = 0x40; /* DF */
	buf[8] = 64;
	buf[9] = 6;
	buf[12] = buf[16] = 127;
	buf[15] = buf[19] = 1;
	return hlen + tcp;
}

/* Ethernet with zero addresses, as on lo. */
static size_t build_eth(__u8 *buf, const struct seg *s)
{
	memset(buf, 0, 12);
	put16(buf + 12, 0x0800);
	return 14 + build_ip(buf + 14, false, s);
}

/* --- a sink that writes each step as one line --- */

static char lines[32][160];
static int nlines;

static void log_line(const char *fmt, ...)
{
	va_list ap;

	if (nlines == 32)
		return;
	va_start(ap, fmt);
	vsnprintf(lines[nlines++], sizeof(lines[0]), fmt, ap);
	va_end(ap);
}

static void seg_line(char *buf, size_t size, enum tl_side from, __u16 flags, __u32 seq, __u32 ack,
		     __u32 len, size_t opt_len)
{
	char f[64];

	snprintf(buf, size, "%s [%s] seq=%u ack=%u len=%u opts=%zu",
		 from == TL_CLIENT ? "c2s" : "s2c", tl_tcp_flags_str(flags, f, sizeof(f)), seq, ack,
		 len, opt_len);
}

static __u64 first_ts;

static void on_packet(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v)
{
	const struct tl_packet *p = v->pkt;
	const __u8 *want = (p->flags & TL_SYN) ? syn_opts : ack_opts;

	(void)ctx;
	(void)c;
	if (!first_ts)
		first_ts = v->ts_ns;
	if (nlines == 32)
		return;
	seg_line(lines[nlines], sizeof(lines[0]), v->from, p->flags, p->seq, p->ack, p->payload_len,
		 p->opt_len);
	/* The options must come back byte for byte. */
	if (memcmp(p->opts, want, p->opt_len))
		strcat(lines[nlines], " OPTS DIFFER");
	nlines++;
}

static void on_http(void *ctx, const struct tl_conn *c, const struct tl_http_view *v)
{
	(void)ctx;
	(void)c;
	if (v->msg->kind == TL_HTTP_REQUEST)
		log_line("http %s %s", v->msg->method, v->msg->uri);
	else
		log_line("http %d", v->msg->status);
}

static void on_conn_end(void *ctx, const struct tl_conn *c)
{
	(void)ctx;
	log_line("end #%llu%s", (unsigned long long)c->id, c->open_at_exit ? " open" : "");
}

static const struct tl_sink log_sink = {
    .on_packet = on_packet,
    .on_http = on_http,
    .on_conn_end = on_conn_end,
};

/* Reads path into a fresh engine; returns tl_capture_read's result. */
static int read_back(const char *path, const struct tl_capture_filter *f,
		     struct tl_capture_stats *st)
{
	struct tl_engine_config cfg = {0};
	struct tl_engine *e = tl_engine_new(&cfg, &log_sink);
	char err[256];
	int ret;

	nlines = 0;
	first_ts = 0;
	ret = tl_capture_read(path, f, e, st, err, sizeof(err));
	tl_engine_finish(e);
	tl_engine_free(e);
	return ret;
}

static char *temp_path(void)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/test_capture.XXXXXX");
	fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
	return path;
}

/* --- pcapng: write, read back --- */

static void write_conversation(struct tl_pcap_writer *w)
{
	const struct tl_sink *sink = tl_pcap_writer_sink(w);
	struct tl_conn c = {.id = 1, .proc = {[TL_CLIENT] = {.pid = 4242, .comm = "curl"}}};
	__u8 frame[256];

	for (size_t i = 0; i < NSEGS; i++) {
		struct tl_packet p = {0};
		struct tl_pkt_view v = {
		    .ts_ns = T0 + i * MS, .pkt = &p, .from = conversation[i].from, .frame = frame};

		v.frame_len = p.frame_len = build_eth(frame, &conversation[i]);
		sink->on_packet(sink->ctx, &c, &v);
	}
}

static bool file_has(const char *path, const char *text)
{
	static char buf[16384];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

	if (f)
		fclose(f);
	return memmem(buf, n, text, strlen(text)) != NULL;
}

static void test_round_trip(void)
{
	const char *path = temp_path();
	struct tl_pcap_writer *w = tl_pcap_writer_open(path, "lo", TL_DATA_CAP);
	struct tl_capture_filter all = {0};
	struct tl_capture_stats st;
	char want[160];

	UNIT_CHECK(w != NULL, "pcapng writer opens %s", path);
	if (!w)
		return;
	write_conversation(w);
	UNIT_CHECK(tl_pcap_writer_error(w) == 0, "pcapng writer: no write error");
	UNIT_CHECK(tl_pcap_writer_close(w) == 0, "pcapng writer closes cleanly");
	UNIT_CHECK(file_has(path, "conn 1 client->server, sent by curl (pid 4242)"),
		   "pcapng: client segments carry the sender's comment");
	UNIT_CHECK(file_has(path, "conn 1 server->client, sent by an unknown process"),
		   "pcapng: server segments say the sender is unknown");

	UNIT_CHECK(read_back(path, &all, &st) == 0, "round trip: the reader reads the pcapng");
	UNIT_CHECK(st.frames == NSEGS && st.segments == NSEGS && st.skipped == 0,
		   "round trip: %zu frames, all fed (got %llu/%llu/%llu)", NSEGS,
		   (unsigned long long)st.frames, (unsigned long long)st.segments,
		   (unsigned long long)st.skipped);
	UNIT_CHECK(first_ts == T0, "round trip: nanosecond timestamp kept");
	UNIT_CHECK(nlines == NSEGS + 3, "round trip: 8 segments, 2 HTTP messages, 1 end (%d lines)",
		   nlines);
	for (size_t i = 0, l = 0; i < NSEGS; i++, l++) {
		const struct seg *s = &conversation[i];

		seg_line(want, sizeof(want), s->from, s->flags, s->seq, s->ack, strlen(s->payload),
			 (s->flags & TL_SYN) ? sizeof(syn_opts) : sizeof(ack_opts));
		UNIT_CHECK(!strcmp(lines[l], want), "round trip segment %zu: %s", i + 1, lines[l]);
		if (*s->payload)
			l++; /* its HTTP line */
	}
	UNIT_CHECK(!strcmp(lines[4], "http GET /index.html"), "round trip: request %s", lines[4]);
	UNIT_CHECK(!strcmp(lines[6], "http 200"), "round trip: response %s", lines[6]);
	UNIT_CHECK(!strcmp(lines[NSEGS + 2], "end #1"), "round trip: the FIN close ends it (%s)",
		   lines[NSEGS + 2]);

	all.ports = (const __u16[]){9999};
	all.nports = 1;
	read_back(path, &all, &st);
	UNIT_CHECK(st.segments == 0 && st.skipped == NSEGS && st.not_tcp == 0,
		   "port filter: other ports skipped, as not wanted");
	unlink(path);
}

/* A full disk must stop the writer with ENOSPC, not lose packets quietly. */
static void test_full_disk(void)
{
	struct tl_pcap_writer *w = tl_pcap_writer_open("/dev/full", "lo", TL_DATA_CAP);

	UNIT_CHECK(w != NULL, "pcapng writer opens /dev/full");
	if (!w)
		return;
	for (int i = 0; i < 200; i++)
		write_conversation(w);
	UNIT_CHECK(tl_pcap_writer_error(w) == -ENOSPC, "full disk: error is ENOSPC (%d)",
		   tl_pcap_writer_error(w));
	UNIT_CHECK(tl_pcap_writer_close(w) == -ENOSPC, "full disk: close reports ENOSPC");
}

/* --- classic pcap by hand --- */

struct pcap_rec_hdr {
	__u32 sec, usec, caplen, len;
};

static FILE *pcap_create(const char *path, __u32 linktype, __u32 snaplen)
{
	const __u32 hdr[6] = {0xa1b2c3d4, 2 | 4 << 16, 0, 0, snaplen, linktype};
	FILE *f = fopen(path, "wb");

	if (f)
		fwrite(hdr, sizeof(hdr), 1, f);
	return f;
}

static void pcap_add(FILE *f, const void *frame, __u32 caplen, __u32 len)
{
	struct pcap_rec_hdr h = {1700000000, 5, caplen, len};

	fwrite(&h, sizeof(h), 1, f);
	fwrite(frame, caplen, 1, f);
}

/* BSD loopback: an IPv4 frame with the family in little-endian order, an
 * IPv6 one with macOS's AF_INET6 (30) in network order. */
static void test_null_link(void)
{
	const char *path = temp_path();
	FILE *f = pcap_create(path, DLT_NULL, 65535);
	struct tl_capture_filter all = {0};
	struct tl_capture_stats st;
	__u8 frame[256] = {2, 0, 0, 0};
	size_t n;

	if (!f)
		return;
	n = 4 + build_ip(frame + 4, false, &conversation[0]);
	pcap_add(f, frame, n, n);
	memcpy(frame, (const __u8[]){0, 0, 0, 30}, 4);
	n = 4 + build_ip(frame + 4, true, &conversation[1]);
	pcap_add(f, frame, n, n);
	fclose(f);
	UNIT_CHECK(read_back(path, &all, &st) == 0, "DLT_NULL: read");
	UNIT_CHECK(st.segments == 2 && st.skipped == 0, "DLT_NULL: IPv4 and IPv6 both fed");
	UNIT_CHECK(nlines >= 2 && strstr(lines[0], "c2s [SYN] seq=1000"), "DLT_NULL: %s", lines[0]);
	UNIT_CHECK(nlines >= 2 && strstr(lines[1], "[SYN, ACK] seq=5000"), "DLT_NULL v6: %s",
		   lines[1]);
	unlink(path);
}

/* A frame cut inside its TCP header is skipped; one cut in its payload is
 * fed with the payload's real length. */
static void test_truncated(void)
{
	const char *path = temp_path();
	FILE *f = pcap_create(path, DLT_EN10MB, 80);
	struct tl_capture_filter all = {0};
	struct tl_capture_stats st;
	__u8 frame[256];
	size_t n;

	if (!f)
		return;
	n = build_eth(frame, &conversation[0]); /* 14 + 20 + 40 = 74 */
	pcap_add(f, frame, 50, n);
	n = build_eth(frame, &conversation[3]); /* 14 + 20 + 32 + 37 */
	pcap_add(f, frame, 80, n);
	fclose(f);
	UNIT_CHECK(read_back(path, &all, &st) == 0, "truncated: read");
	UNIT_CHECK(st.frames == 2 && st.segments == 1 && st.skipped == 1 && st.not_tcp == 1,
		   "truncated: the cut SYN skipped, the cut request fed");
	UNIT_CHECK(nlines >= 1 && strstr(lines[0], "len=37"),
		   "truncated: payload length from IP: %s", lines[0]);
	unlink(path);
}

static void test_missing_file(void)
{
	struct tl_capture_filter all = {0};
	struct tl_capture_stats st;
	char err[256];

	UNIT_CHECK(tl_capture_read("/nonexistent/x.pcap", &all, NULL, &st, err, sizeof(err)) ==
			   -ENOENT &&
		       strstr(err, "/nonexistent/x.pcap"),
		   "missing file: -ENOENT and the path in the message");
}

/* --- frame_parse alone --- */

static void test_frame_parse(void)
{
	static struct tl_frame out;
	__u8 frame[256], sll2[256] = {0x86, 0xdd};
	size_t n = build_eth(frame, &conversation[4]);

	UNIT_CHECK(tl_frame_parse(DLT_EN10MB, frame, 14 + 20 + 32 + 4, n, 7, &out) == 0 &&
		       out.rec.pkt.data_len == 4 && out.rec.pkt.payload_len == SL &&
		       out.rec.pkt.data_flags == TL_DATA_HTTP,
		   "cut HTTP payload: only the captured bytes as data");
	UNIT_CHECK(out.rec.pkt.frame_len == n && out.rec.pkt.ip_hdr_len == 20 &&
		       out.rec.pkt.tcp_hdr_len == 32,
		   "frame_len is IP length + 14, header lengths");
	frame[14 + 6] = 0x20; /* more fragments, offset 8 */
	frame[14 + 7] = 0x01;
	UNIT_CHECK(tl_frame_parse(DLT_EN10MB, frame, n, n, 7, &out) == -EINVAL,
		   "later IPv4 fragment skipped");
	frame[14 + 9] = 17;
	frame[14 + 6] = frame[14 + 7] = 0;
	UNIT_CHECK(tl_frame_parse(DLT_EN10MB, frame, n, n, 7, &out) == -EINVAL, "UDP skipped");

	/* SLL2 with a hop-by-hop header (8 bytes) before TCP. */
	n = build_ip(sll2 + 20 + 8, true, &conversation[2]);
	memmove(sll2 + 20, sll2 + 28, 40);
	sll2[20 + 6] = 0; /* next: hop-by-hop */
	put16(sll2 + 20 + 4, n - 40 + 8);
	memset(sll2 + 60, 0, 8);
	sll2[60] = 6; /* hop-by-hop's next: TCP */
	UNIT_CHECK(tl_frame_parse(DLT_LINUX_SLL2, sll2, 20 + n + 8, 20 + n + 8, 7, &out) == 0 &&
		       out.rec.pkt.family == AF_INET6 && out.rec.pkt.ip_hdr_len == 48 &&
		       out.rec.pkt.sport == CLIENT_PORT && out.rec.pkt.frame_len == 14 + n + 8,
		   "SLL2, IPv6 with a hop-by-hop header");
	UNIT_CHECK(out.eth_len == 14 + n + 8 && out.eth[12] == 0x86 && out.eth[13] == 0xdd &&
		       !memcmp(out.eth + 14, sll2 + 20, n + 8),
		   "SLL2 frame re-framed as Ethernet for -w");
}

/* Link headers before an IPv4 packet: VLAN tags after Ethernet and after a
 * cooked header's protocol; more than two tags are not read. */
struct link_row {
	int line;
	int dlt;
	const char *hdr; /* the bytes before the IP header */
	size_t hlen;
	bool ok;
};

#define HDR(s) s, sizeof(s) - 1
#define MACS "\0\0\0\0\0\0\0\0\0\0\0\0"
#define SLL_TO_US "\0\0\x03\x04\0\x06\0\0\0\0\0\0\0\0"

static const struct link_row link_rows[] = {
    {__LINE__, DLT_EN10MB, HDR(MACS "\x08\x00"), true},
    {__LINE__, DLT_EN10MB, HDR(MACS "\x81\x00\x00\x64\x08\x00"), true},
    {__LINE__, DLT_EN10MB, HDR(MACS "\x88\xa8\x00\xc8\x81\x00\x00\x64\x08\x00"), true},
    {__LINE__, DLT_EN10MB, HDR(MACS "\x81\x00\0\1\x81\x00\0\2\x81\x00\0\3\x08\x00"), false},
    {__LINE__, DLT_EN10MB, HDR(MACS "\x81\x00\x00\x64\x86\xdd"), false}, /* says IPv6 */
    {__LINE__, DLT_LINUX_SLL, HDR(SLL_TO_US "\x08\x00"), true},
    {__LINE__, DLT_LINUX_SLL, HDR(SLL_TO_US "\x81\x00\x00\x64\x08\x00"), true},
    {__LINE__, DLT_LINUX_SLL2, HDR("\x08\x00\0\0\0\0\0\1\x03\x04\0\x06\0\0\0\0\0\0\0\0"), true},
    {__LINE__, DLT_LINUX_SLL2,
     HDR("\x81\x00\0\0\0\0\0\1\x03\x04\0\x06\0\0\0\0\0\0\0\0\x00\x64\x08\x00"), true},
    {__LINE__, DLT_NULL, HDR("\x02\0\0\0"), true},
    {__LINE__, DLT_LOOP, HDR("\0\0\0\x02"), true},
    {__LINE__, DLT_RAW, HDR(""), true},
};

static void test_link_headers(void)
{
	static struct tl_frame out;
	__u8 frame[512];

	for (size_t i = 0; i < sizeof(link_rows) / sizeof(link_rows[0]); i++) {
		const struct link_row *r = &link_rows[i];
		size_t n = r->hlen + build_ip(frame + r->hlen, false, &conversation[3]);
		int err;

		memcpy(frame, r->hdr, r->hlen);
		err = tl_frame_parse(r->dlt, frame, n, n, 7, &out);
		UNIT_CHECK_AT(r->line,
			      r->ok ? !err && out.rec.pkt.sport == CLIENT_PORT &&
					  out.http_len == RL && !memcmp(out.http, REQ, RL)
				    : err == -EINVAL,
			      "link %d, %zu header bytes: %s", r->dlt, r->hlen,
			      r->ok ? "read" : "refused");
	}
}

/* A request with a URI of 3000 bytes: -r keeps it whole (the kernel side 1024). */
static void test_long_request(void)
{
	static struct tl_frame out;
	static char req[3100];
	static __u8 frame[3300];
	struct seg s = conversation[3];
	size_t n;

	memcpy(req, "GET /", 5);
	memset(req + 5, 'a', 3000);
	memcpy(req + 3005, " HTTP/1.1\r\n\r\n", 13);
	s.payload = req;
	n = build_eth(frame, &s);
	UNIT_CHECK(tl_frame_parse(DLT_EN10MB, frame, n, n, 7, &out) == 0 && out.http_len == 3018 &&
		       out.rec.pkt.data_len == TL_DATA_CAP && !memcmp(out.http, req, 3018),
		   "a 3018-byte request: all of it kept, data_len says the kernel's %d",
		   TL_DATA_CAP);
}

int main(void)
{
	test_link_headers();
	test_long_request();
	test_round_trip();
	test_full_disk();
	test_null_link();
	test_truncated();
	test_missing_file();
	test_frame_parse();
	return unit_done();
}
