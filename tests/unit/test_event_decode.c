/* Packet records of each size class the kernel side makes, through the
 * decoder: the sizes it promised are taken, with their bytes where the
 * flags say; any other size, or more bytes than the class holds, is not a
 * record of ours. The whole-frame class (-w with --snaplen past 1024) gives
 * its count whole in full_len, data_len its low 16 bits: a frame on lo
 * reaches 65,549 bytes. */
#include "tracer/kernel/event_decode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "unit.h"

#define FULL sizeof(struct tl_packet_data_full)

static const struct {
	int line;
	size_t size;	/* the record's */
	__u16 data_len; /* bytes it says it holds */
	__u32 full_len; /* the whole-frame class's own count */
	__u8 flags;
	int want;		    /* 0 or -EINVAL */
	size_t frame_len, http_len; /* what the event points at */
} rows[] = {
    {__LINE__, sizeof(struct tl_packet), 0, 0, 0, 0, 0, 0},
    {__LINE__, sizeof(struct tl_packet_data_small), 100, 0, TL_DATA_FRAME, 0, 100, 0},
    {__LINE__, sizeof(struct tl_packet_data), 1024, 0, TL_DATA_FRAME | TL_DATA_HTTP, 0, 1024,
     1024 - 66},
    {__LINE__, FULL, 65535, 65535, TL_DATA_FRAME, 0, 65535, 0},
    {__LINE__, FULL, 1500, 1500, TL_DATA_FRAME | TL_DATA_HTTP, 0, 1500, 1500 - 66},
    {__LINE__, FULL, 65549 & 0xffff, 65549, TL_DATA_FRAME, 0, 65549, 0},
    {__LINE__, FULL, 14, 65549, TL_DATA_FRAME, -EINVAL, 0, 0},
    {__LINE__, FULL, 0, TL_DATA_FULL, TL_DATA_FRAME, -EINVAL, 0, 0},
    {__LINE__, sizeof(struct tl_packet_data_small), 129, 0, TL_DATA_FRAME, -EINVAL, 0, 0},
    {__LINE__, sizeof(struct tl_packet_data), 1025, 0, TL_DATA_FRAME, -EINVAL, 0, 0},
    {__LINE__, FULL - 8, 100, 100, TL_DATA_FRAME, -EINVAL, 0, 0},
    {__LINE__, FULL + 8, 100, 100, TL_DATA_FRAME, -EINVAL, 0, 0},
};

#define MS 1000000ULL
#define OFFSET 1700000000000000000ULL /* realtime - monotonic: an epoch in 2023 */

/* The latest loss's 32-bit millisecond stamp, widened with the record's own
 * time to the epoch's clock. */
static const struct {
	int line;
	__u64 ts_ns; /* the record's, bpf_ktime_get_ns() */
	__u32 lost_ms;
	__u64 want; /* lost_ts_ns */
} loss_rows[] = {
    {__LINE__, 5000 * MS, 4999, OFFSET + 4999 * MS},
    {__LINE__, 5000 * MS, 5001, OFFSET + 5001 * MS}, /* another CPU, just after */
    {__LINE__, ((1ULL << 32) + 10) * MS, 0xfffffffbU, OFFSET + 0xfffffffbULL * MS},
};

static void check_loss_time(void)
{
	struct tl_sock_event s = {.type = TL_EV_STATE, .family = AF_INET};

	for (size_t i = 0; i < sizeof(loss_rows) / sizeof(loss_rows[0]); i++) {
		struct tl_event ev;
		int got;

		s.ts_ns = loss_rows[i].ts_ns;
		s.lost = 1;
		s.lost_ms = loss_rows[i].lost_ms;
		got = tl_event_decode(&s, sizeof(s), OFFSET, &ev);
		UNIT_CHECK_AT(loss_rows[i].line, !got && ev.lost_ts_ns == loss_rows[i].want,
			      "loss at %u ms in a record at %llu ns: %llu (got %d, %llu)",
			      loss_rows[i].lost_ms, (unsigned long long)loss_rows[i].ts_ns,
			      (unsigned long long)loss_rows[i].want, got,
			      (unsigned long long)ev.lost_ts_ns);
	}
}

/* Socket and kernel records: their one size and an IP family, or not ours. */
static const struct {
	int line;
	__u32 type;
	size_t size;
	__u8 family;
	int want;
} fixed_rows[] = {
    {__LINE__, TL_EV_STATE, sizeof(struct tl_sock_event), AF_INET6, 0},
    {__LINE__, TL_EV_OWNER, sizeof(struct tl_sock_event) - 8, AF_INET, -EINVAL},
    {__LINE__, TL_EV_STATE, sizeof(struct tl_sock_event), AF_UNIX, -EINVAL},
    {__LINE__, TL_EV_RESET, sizeof(struct tl_kernel_event), AF_INET, 0},
    {__LINE__, TL_EV_DROP, sizeof(struct tl_sock_event), AF_INET, -EINVAL},
    {__LINE__, TL_EV_TCP_INFO, sizeof(struct tl_kernel_event), 0, -EINVAL},
};

static void check_fixed(void)
{
	for (size_t i = 0; i < sizeof(fixed_rows) / sizeof(fixed_rows[0]); i++) {
		union {
			struct tl_sock_event s;
			struct tl_kernel_event k;
		} u = {0};
		bool sock = fixed_rows[i].type <= TL_EV_OWNER;
		struct tl_event ev;
		int got;

		u.s.type = fixed_rows[i].type;
		if (sock) {
			u.s.family = fixed_rows[i].family;
			u.s.lost = 7;
		} else {
			u.k.family = fixed_rows[i].family;
			u.k.lost = 7;
		}
		got = tl_event_decode(&u, fixed_rows[i].size, 0, &ev);
		UNIT_CHECK_AT(fixed_rows[i].line,
			      got == fixed_rows[i].want &&
				  (got || (ev.lost == 7 && (sock ? (const void *)ev.sock
								 : (const void *)ev.kernel) == &u)),
			      "record type %u of %zu bytes, family %u: %d", fixed_rows[i].type,
			      fixed_rows[i].size, fixed_rows[i].family, got);
	}
}

int main(void)
{
	/* 8-byte aligned, as the ring buffer's records are. */
	__u64 *buf = calloc(1, FULL + 8);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tl_packet_data_full *rec = (struct tl_packet_data_full *)buf;
		struct tl_event ev;
		int got;

		memset(buf, 0, FULL + 8);
		rec->pkt.type = TL_EV_PACKET;
		rec->pkt.family = AF_INET;
		rec->pkt.ip_hdr_len = 20;
		rec->pkt.tcp_hdr_len = 32; /* with timestamps: the payload at 14 + 20 + 32 */
		rec->pkt.data_len = rows[i].data_len;
		rec->pkt.data_flags = rows[i].flags;
		if (rows[i].size == FULL)
			rec->full_len = rows[i].full_len;
		got = tl_event_decode(buf, rows[i].size, 0, &ev);
		UNIT_CHECK_AT(rows[i].line, got == rows[i].want,
			      "record of %zu bytes holding %u/%u: %d", rows[i].size,
			      rows[i].data_len, rows[i].full_len, got);
		if (got)
			continue;
		UNIT_CHECK_AT(rows[i].line,
			      ev.frame_len == rows[i].frame_len && ev.http_len == rows[i].http_len,
			      "frame %zu and HTTP %zu bytes (got %zu, %zu)", rows[i].frame_len,
			      rows[i].http_len, ev.frame_len, ev.http_len);
	}
	free(buf);
	check_loss_time();
	check_fixed();
	return unit_done();
}
