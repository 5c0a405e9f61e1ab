/* Wireshark's tcp.stream numbering (tcp_streams.c), row by row: each row a
 * segment in file order and the stream Wireshark gives it. */
#include <string.h>
#include <sys/socket.h>

#include "tracer/capture/tcp_streams.h"
#include "unit.h"

#define C 1 /* from the client's port */
#define S 0 /* from the server's */

struct stream_row {
	int line;
	__u16 cport; /* the client's port; the server is 127.0.0.1:8080 */
	int from;    /* C or S */
	__u16 flags;
	__u32 seq, ack;
	__u64 want;
};

static const struct stream_row rows[] = {
    /* A first conversation: stream 0, both directions. */
    {__LINE__, 40000, C, TL_SYN, 100, 0, 0},
    {__LINE__, 40000, S, TL_SYN | TL_ACK, 900, 101, 0},
    {__LINE__, 40000, C, TL_ACK, 101, 901, 0},
    /* Another port: the next number, in order of first appearance. */
    {__LINE__, 40001, C, TL_SYN, 5000, 0, 1},
    {__LINE__, 40000, C, TL_FIN | TL_ACK, 101, 901, 0},
    /* A SYN sent again with the same ISN: the same stream. */
    {__LINE__, 40001, C, TL_SYN, 5000, 0, 1},
    /* Port 40000 reused with another ISN: a new stream, and its later
     * segments (either way) belong to it. */
    {__LINE__, 40000, C, TL_SYN, 7000, 0, 2},
    {__LINE__, 40000, S, TL_SYN | TL_ACK, 3000, 7001, 2},
    {__LINE__, 40001, S, TL_SYN | TL_ACK, 200, 5001, 1},
    /* Joined mid-stream (no SYN): a stream all the same; a SYN-ACK with
     * another seq is not a reuse (only a SYN without ACK starts one). */
    {__LINE__, 40002, S, TL_ACK, 10, 20, 3},
    {__LINE__, 40002, S, TL_SYN | TL_ACK, 99, 20, 3},
    /* The server's side of a SYN whose base came from an ack - 1: the
     * same ISN is no reuse. */
    {__LINE__, 40002, C, TL_SYN, 19, 0, 3},
    {__LINE__, 40002, C, TL_SYN, 77, 0, 4},
};

static void fill(struct tl_packet *p, const struct stream_row *r)
{
	static const __u8 lo[16] = {127, 0, 0, 1};

	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	memcpy(p->saddr, lo, 4);
	memcpy(p->daddr, lo, 4);
	p->sport = r->from == C ? r->cport : 8080;
	p->dport = r->from == C ? 8080 : r->cport;
	p->flags = r->flags;
	p->seq = r->seq;
	p->ack = r->ack;
}

/* Enough conversations to make the table grow several times. */
static void check_growth(void)
{
	struct tl_tcp_streams s;
	struct tl_packet p;
	__u64 got;
	int bad = 0;

	tl_tcp_streams_init(&s);
	for (int round = 0; round < 2; round++)
		for (__u32 i = 0; i < 1000; i++) {
			struct stream_row r = {0, (__u16)(10000 + i), C, TL_ACK, 1, 1, 0};

			fill(&p, &r);
			if (tl_tcp_streams_of(&s, &p, &got) || got != i)
				bad++;
		}
	tl_tcp_streams_free(&s);
	UNIT_CHECK(!bad, "1000 conversations, each seen twice, keep their numbers (%d wrong)", bad);
}

int main(void)
{
	struct tl_tcp_streams s;
	struct tl_packet p;

	tl_tcp_streams_init(&s);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		__u64 got = 99;
		int err;

		fill(&p, &rows[i]);
		err = tl_tcp_streams_of(&s, &p, &got);
		UNIT_CHECK_AT(rows[i].line, !err && got == rows[i].want,
			      "stream: want %llu got %llu", (unsigned long long)rows[i].want,
			      (unsigned long long)got);
	}
	tl_tcp_streams_free(&s);
	check_growth();
	return unit_done();
}
