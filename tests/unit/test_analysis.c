/* Wireshark's TCP analysis on recorded sequences: one row per label,
 * including the edge cases its documentation names (a keep-alive is one
 * byte below the next expected seq, so is Linux's zero-window probe; a
 * window update changes only the window; a zero window probe is one byte
 * into a zero window). Every row begins after the same handshake: client
 * ISN 1000, server ISN 5000, no window scaling, 200 us from SYN to ACK. */
#include <string.h>

#include "tracer/engine/engine_analysis.h"
#include "unit.h"

#define C 0
#define S 1
#define A TL_ACK
#define PA (TL_PSH | TL_ACK)
#define US 1000ull
#define MAX_SEGS 8
/* Wireshark takes a zero time as unset: the recording starts later. */
#define T0 1000000000ull
/* Frame numbers, as in a file where other frames come first. */
#define FRAME0 500

struct seg {
	int from;
	__u16 flags;
	__u32 seq, ack, len;
	__u16 win;
	__u32 t_us;
	__u32 sack_l, sack_r; /* one SACK block when sack_r */
};

struct row {
	int line;
	const char *name;
	struct seg segs[MAX_SEGS];
	__u32 want; /* the last segment's flags */
	__u32 dup_num, dup_of;
	__u32 acks, rtt_us; /* acks_packet and its RTT */
	__u32 bif;
};

/* Client window 200, server 1000: small enough to fill in a row. */
/* clang-format off */
static const struct seg handshake[] = {
	{C, TL_SYN, 1000, 0, 0, 200, 0, 0, 0},
	{S, TL_SYN | TL_ACK, 5000, 1001, 0, 1000, 100, 0, 0},
	{C, A, 1001, 5001, 0, 200, 200, 0, 0},
};

static const struct row rows[] = {
	{__LINE__, "retransmission: same data again after an RTO",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0}, {S, PA, 5001, 1001, 100, 1000, 300000, 0, 0}},
	 TL_A_RETRANSMISSION, 0, 0, 0, 0, 100},
	{__LINE__, "fast retransmission: within 20 ms of the second dup ACK",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {S, PA, 5101, 1001, 100, 1000, 310, 0, 0},
	  {C, A, 1001, 5001, 0, 200, 320, 5101, 5201},
	  {C, A, 1001, 5001, 0, 200, 330, 5101, 5201},
	  {S, PA, 5001, 1001, 100, 1000, 10000, 0, 0}},
	 TL_A_FAST_RETRANSMISSION, 0, 0, 0, 0, 100},
	{__LINE__, "fast retransmission, though out-of-order too (tcp.fastrt_supersedes_ooo)",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {S, PA, 5101, 1001, 100, 1000, 310, 0, 0},
	  {C, A, 1001, 5001, 0, 200, 320, 5101, 5201},
	  {C, A, 1001, 5001, 0, 200, 330, 5101, 5201},
	  {S, PA, 5001, 1001, 100, 1000, 340, 0, 0}},
	 TL_A_FAST_RETRANSMISSION, 0, 0, 0, 0, 100},
	{__LINE__, "spurious retransmission: data the peer already acknowledged",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {C, A, 1001, 5101, 0, 200, 400, 0, 0},
	  {S, PA, 5001, 1001, 100, 1000, 300000, 0, 0}},
	 TL_A_SPURIOUS_RETRANSMISSION, 0, 0, 0, 0, 100},
	{__LINE__, "previous segment not captured: seq past the next expected",
	 {{S, PA, 5101, 1001, 50, 1000, 300, 0, 0}},
	 TL_A_LOST_SEGMENT, 0, 0, 0, 0, 0},
	{__LINE__, "out-of-order: the hole filled within the handshake's RTT",
	 {{S, PA, 5101, 1001, 100, 1000, 300, 0, 0}, {S, PA, 5001, 1001, 100, 1000, 350, 0, 0}},
	 TL_A_OUT_OF_ORDER, 0, 0, 0, 0, 0},
	{__LINE__, "the same hole filled later is a retransmission",
	 {{S, PA, 5101, 1001, 100, 1000, 300, 0, 0}, {S, PA, 5001, 1001, 100, 1000, 900, 0, 0}},
	 TL_A_RETRANSMISSION, 0, 0, 0, 0, 0},
	{__LINE__, "ACKed unseen segment: an ACK past all the peer sent",
	 {{C, A, 1001, 6001, 0, 200, 300, 0, 0}},
	 TL_A_ACK_LOST_SEGMENT, 0, 0, 0, 0, 0},
	{__LINE__, "duplicate ACK: seq, ack and window repeated, no data",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {C, A, 1001, 5001, 0, 200, 320, 0, 0},
	  {C, A, 1001, 5001, 0, 200, 330, 0, 0}},
	 TL_A_DUPLICATE_ACK, 2, 3, 0, 0, 0},
	{__LINE__, "a new ACK value starts the count again",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {S, PA, 5101, 1001, 100, 1000, 300, 0, 0},
	  {C, A, 1001, 5001, 0, 200, 320, 0, 0},
	  {C, A, 1001, 5101, 0, 200, 330, 0, 0},
	  {C, A, 1001, 5101, 0, 200, 340, 0, 0}},
	 TL_A_DUPLICATE_ACK, 1, 7, 0, 0, 0},
	{__LINE__, "zero window: a segment advertising none",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0}, {C, A, 1001, 5101, 0, 0, 400, 0, 0}},
	 TL_A_ZERO_WINDOW, 0, 0, 4, 100, 0},
	{__LINE__, "zero window probe: one byte at the next seq into a zero window",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {C, A, 1001, 5101, 0, 0, 400, 0, 0},
	  {S, A, 5101, 1001, 1, 1000, 500, 0, 0}},
	 TL_A_ZERO_WINDOW_PROBE, 0, 0, 0, 0, 1},
	{__LINE__, "zero window probe ACK: the window still zero, the ack repeated",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {C, A, 1001, 5101, 0, 0, 400, 0, 0},
	  {S, A, 5101, 1001, 1, 1000, 500, 0, 0},
	  {C, A, 1001, 5101, 0, 0, 600, 0, 0}},
	 TL_A_ZERO_WINDOW | TL_A_ZERO_WINDOW_PROBE_ACK, 0, 0, 0, 0, 0},
	{__LINE__, "Linux's zero window probe, no byte one below: keep-alive",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {C, A, 1001, 5101, 0, 0, 400, 0, 0},
	  {S, A, 5100, 1001, 0, 1000, 500, 0, 0}},
	 TL_A_KEEP_ALIVE, 0, 0, 0, 0, 0},
	{__LINE__, "window full: data up to the peer's right edge",
	 {{S, PA, 5001, 1001, 200, 1000, 300, 0, 0}},
	 TL_A_WINDOW_FULL, 0, 0, 0, 0, 200},
	{__LINE__, "window update: only the window changed",
	 {{C, A, 1001, 5001, 0, 300, 300, 0, 0}},
	 TL_A_WINDOW_UPDATE, 0, 0, 0, 0, 0},
	{__LINE__, "a changed window with a new ack is no update",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0}, {C, A, 1001, 5101, 0, 300, 400, 0, 0}},
	 0, 0, 0, 4, 100, 0},
	{__LINE__, "keep-alive: no data, one below the next seq",
	 {{C, A, 1000, 5001, 0, 200, 1000000, 0, 0}},
	 TL_A_KEEP_ALIVE, 0, 0, 0, 0, 0},
	{__LINE__, "keep-alive with its one byte of garbage (in flight, as there)",
	 {{C, A, 1000, 5001, 1, 200, 1000000, 0, 0}},
	 TL_A_KEEP_ALIVE, 0, 0, 0, 0, 1},
	{__LINE__, "keep-alive ACK: the peer repeats its ACK",
	 {{C, A, 1000, 5001, 0, 200, 1000000, 0, 0}, {S, A, 5001, 1001, 0, 1000, 1000100, 0, 0}},
	 TL_A_KEEP_ALIVE_ACK, 0, 0, 0, 0, 0},
	{__LINE__, "port numbers reused: a SYN-ACK with another ISN (and a seq gap)",
	 {{S, TL_SYN | TL_ACK, 7000, 1001, 0, 1000, 300, 0, 0}},
	 TL_A_REUSED_PORTS | TL_A_LOST_SEGMENT, 0, 0, 0, 0, 0},
	{__LINE__, "ACK RTT and bytes in flight: two segments, one ACK",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {S, PA, 5101, 1001, 100, 1000, 310, 0, 0},
	  {C, A, 1001, 5201, 0, 200, 500, 0, 0}},
	 0, 0, 0, 5, 190, 0},
	{__LINE__, "bytes in flight less the peer's SACKed bytes",
	 {{S, PA, 5001, 1001, 100, 1000, 300, 0, 0},
	  {S, PA, 5101, 1001, 100, 1000, 310, 0, 0},
	  {C, A, 1001, 5001, 0, 200, 320, 5101, 5201},
	  {S, PA, 5201, 1001, 100, 1000, 330, 0, 0}},
	 0, 0, 0, 0, 0, 200},
};
/* clang-format on */

static void feed(struct tl_ana_conn *a, const struct seg *s, __u32 number, struct tl_analysis *out)
{
	__u8 opt[10] = {5, 10};
	struct tl_packet p = {.seq = s->seq,
			      .ack = s->ack,
			      .payload_len = s->len,
			      .window = s->win,
			      .flags = s->flags};
	struct tl_tcp_opts o;
	struct tl_ana_input in = {.from = s->from,
				  .packet = number,
				  .frame = FRAME0 + number,
				  .ts_ns = T0 + s->t_us * US,
				  .pkt = &p,
				  .opts = &o};

	for (int i = 0; i < 4; i++) {
		opt[2 + i] = (__u8)(s->sack_l >> (24 - 8 * i));
		opt[6 + i] = (__u8)(s->sack_r >> (24 - 8 * i));
	}
	tl_tcp_options_parse(opt, s->sack_r ? sizeof(opt) : 0, &o);
	tl_analysis_segment(a, &in, out);
}

static void run_row(const struct row *r)
{
	struct tl_ana_conn *a = tl_analysis_new();
	struct tl_analysis an = {0};
	char want[256], got[256];
	__u32 n = 0;

	for (size_t i = 0; i < sizeof(handshake) / sizeof(handshake[0]); i++)
		feed(a, &handshake[i], ++n, &an);
	for (int i = 0; i < MAX_SEGS && (r->segs[i].flags || r->segs[i].len); i++)
		feed(a, &r->segs[i], ++n, &an);
	tl_analysis_labels_str(&(struct tl_analysis){.flags = r->want,
						     .dup_ack_num = r->dup_num,
						     .dup_ack_of = r->dup_of},
			       false, want, sizeof(want));
	tl_analysis_labels_str(&an, false, got, sizeof(got));
	UNIT_CHECK_AT(r->line,
		      an.flags == r->want && an.dup_ack_num == r->dup_num &&
			  an.dup_ack_of == r->dup_of &&
			  an.dup_ack_of_frame == (r->dup_of ? FRAME0 + r->dup_of : 0),
		      "%s: want '%s' got '%s'", r->name, want, got);
	UNIT_CHECK_AT(r->line, an.acks_packet == r->acks && an.ack_rtt_ns == r->rtt_us * US,
		      "%s: acks #%u after %u us (got #%u after %llu ns)", r->name, r->acks,
		      r->rtt_us, an.acks_packet, (unsigned long long)an.ack_rtt_ns);
	UNIT_CHECK_AT(r->line, an.bytes_in_flight == r->bif, "%s: %u bytes in flight (got %u)",
		      r->name, r->bif, an.bytes_in_flight);
	tl_analysis_free(a);
}

/* tshark's field names: a fast or spurious retransmission is also a
 * retransmission there. */
static void test_fields(void)
{
	const char *names[TL_A_COUNT];
	int n = tl_analysis_fields(TL_A_FAST_RETRANSMISSION | TL_A_DUPLICATE_ACK, names);

	UNIT_CHECK(n == 3 && !strcmp(names[0], "retransmission") &&
		       !strcmp(names[1], "fast_retransmission") &&
		       !strcmp(names[2], "duplicate_ack"),
		   "fields of a fast retransmission that is a dup ACK");
}

/* The Dup ACK's first number: the frame where the lines show frames (as
 * Wireshark's Info column), else the packet in the connection. */
static void test_dup_ack_label(void)
{
	struct tl_analysis an = {.flags = TL_A_DUPLICATE_ACK | TL_A_RETRANSMISSION,
				 .dup_ack_num = 2,
				 .dup_ack_of = 45,
				 .dup_ack_of_frame = 181};
	char frames[128], packets[128];

	tl_analysis_labels_str(&an, true, frames, sizeof(frames));
	tl_analysis_labels_str(&an, false, packets, sizeof(packets));
	UNIT_CHECK(!strcmp(frames, "[TCP Dup ACK 181#2] [TCP Retransmission] "),
		   "Dup ACK label with frame numbers: got '%s'", frames);
	UNIT_CHECK(!strcmp(packets, "[TCP Dup ACK 45#2] [TCP Retransmission] "),
		   "Dup ACK label without frame numbers: got '%s'", packets);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	test_fields();
	test_dup_ack_label();
	return unit_done();
}
