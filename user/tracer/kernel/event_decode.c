/* Validation of ring buffer records: the sizes the kernel side promised,
 * and field values within their ranges, before the engine trusts them. */
#include "tracer/kernel/event_decode.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

_Static_assert(sizeof(struct tl_packet) == 128, "tl_packet layout changed");
_Static_assert(sizeof(struct tl_packet_data) == 128 + TL_DATA_CAP, "tl_packet_data layout");
_Static_assert(sizeof(struct tl_packet_data_small) == 128 + TL_DATA_SMALL, "small layout");
_Static_assert(sizeof(struct tl_packet_data_full) == 128 + TL_DATA_FULL, "full layout");
_Static_assert(sizeof(struct tl_sock_event) == 88, "tl_sock_event layout changed");
_Static_assert(offsetof(struct tl_packet, type) == 8, "type must follow ts_ns");
_Static_assert(offsetof(struct tl_sock_event, type) == 8, "type must follow ts_ns");
_Static_assert(sizeof(struct tl_kernel_event) == 136, "tl_kernel_event layout changed");
_Static_assert(offsetof(struct tl_kernel_event, type) == 8, "type must follow ts_ns");

/* The record's 32-bit millisecond stamp of the latest loss, widened with
 * the record's own time (ktime_ns, its raw ts_ns on the kernel's clock):
 * within 24 days of it, either way (another CPU may lose a record just after
 * this one took its time). */
static __u64 loss_time(__u32 lost_ms, __u64 ktime_ns, __u64 ktime_offset_ns)
{
	__u64 ktime_ms = ktime_ns / 1000000;
	__s64 ms = (__s64)ktime_ms + (__s32)(lost_ms - (__u32)ktime_ms);

	return ms > 0 ? (__u64)ms * 1000000 + ktime_offset_ns : ktime_offset_ns;
}

static bool family_ok(__u8 family) { return family == AF_INET || family == AF_INET6; }

#define ETH_HDR_LEN 14

/* Where the payload's bytes are in the record's len bytes of data, if
 * anywhere. */
static void locate_payload(const struct tl_packet *p, const __u8 *data, size_t len,
			   struct tl_event *ev)
{
	size_t off = 0;

	if (p->data_flags & TL_DATA_FRAME) {
		ev->frame = data;
		ev->frame_len = len;
		off = ETH_HDR_LEN + p->ip_hdr_len + p->tcp_hdr_len;
	}
	if ((p->data_flags & TL_DATA_PAYLOAD) && len > off) {
		ev->http = data + off;
		ev->http_len = len - off;
	}
}

/* The bytes a record holds: data_len, or for the whole-frame class its
 * full_len, whose low 16 bits data_len must be. -1 when they disagree. */
static long data_bytes(const struct tl_packet *p, size_t cap)
{
	const struct tl_packet_data_full *full = (const void *)p;

	if (cap != TL_DATA_FULL)
		return p->data_len <= cap ? p->data_len : -1;
	if (full->full_len > sizeof(full->data) || (full->full_len & 0xffff) != p->data_len)
		return -1;
	return full->full_len;
}

static int decode_packet(const void *data, size_t size, __u64 ktime_offset_ns, struct tl_event *ev)
{
	const struct tl_packet *p = data;
	size_t cap;
	long len;

	if (size == sizeof(struct tl_packet))
		cap = 0;
	else if (size == sizeof(struct tl_packet_data_small))
		cap = TL_DATA_SMALL;
	else if (size == sizeof(struct tl_packet_data))
		cap = TL_DATA_CAP;
	else if (size == sizeof(struct tl_packet_data_full))
		cap = TL_DATA_FULL;
	else
		return -EINVAL;
	len = data_bytes(p, cap);
	if (!family_ok(p->family) || p->opt_len > TL_TCP_OPT_MAX || len < 0 ||
	    p->tcp_hdr_len < 20 || p->tcp_hdr_len > 60)
		return -EINVAL;
	ev->pkt = p;
	ev->lost = p->lost;
	ev->lost_ts_ns = loss_time(p->lost_ms, p->ts_ns, ktime_offset_ns);
	if (cap)
		locate_payload(p, (const __u8 *)data + sizeof(*p), len, ev);
	return 0;
}

/* Where a socket or kernel record keeps what the decoder checks: the two
 * differ only in these offsets and their size. */
struct fixed_layout {
	size_t size, family, lost, lost_ms;
};

#define FIXED_LAYOUT(type)                                                                         \
	{                                                                                          \
		sizeof(type), offsetof(type, family), offsetof(type, lost),                        \
		    offsetof(type, lost_ms)                                                        \
	}

static const struct fixed_layout sock_layout = FIXED_LAYOUT(struct tl_sock_event);
static const struct fixed_layout kernel_layout = FIXED_LAYOUT(struct tl_kernel_event);

static int decode_fixed(const void *data, size_t size, const struct fixed_layout *l, __u64 ts_ns,
			__u64 ktime_offset_ns, struct tl_event *ev)
{
	const char *b = data;
	__u32 lost, lost_ms;

	if (size != l->size || !family_ok((__u8)b[l->family]))
		return -EINVAL;
	memcpy(&lost, b + l->lost, sizeof(lost));
	memcpy(&lost_ms, b + l->lost_ms, sizeof(lost_ms));
	ev->lost = lost;
	ev->lost_ts_ns = loss_time(lost_ms, ts_ns, ktime_offset_ns);
	return 0;
}

int tl_event_decode(const void *data, size_t size, __u64 ktime_offset_ns, struct tl_event *ev)
{
	__u64 ts;
	__u32 type;
	int err;

	memset(ev, 0, sizeof(*ev));
	if (size < sizeof(ts) + sizeof(type))
		return -EINVAL;
	memcpy(&ts, data, sizeof(ts));
	memcpy(&type, (const char *)data + sizeof(ts), sizeof(type));
	if (type == TL_EV_PACKET)
		err = decode_packet(data, size, ktime_offset_ns, ev);
	else if (type == TL_EV_STATE || type == TL_EV_OWNER) {
		err = decode_fixed(data, size, &sock_layout, ts, ktime_offset_ns, ev);
		ev->sock = err ? NULL : data;
	} else if (type >= TL_EV_TCP_INFO && type <= TL_EV_CONG_STATE) {
		err = decode_fixed(data, size, &kernel_layout, ts, ktime_offset_ns, ev);
		ev->kernel = err ? NULL : data;
	} else
		err = -EINVAL;
	if (err)
		return err;
	ev->type = type;
	ev->ts_ns = ts + ktime_offset_ns;
	return 0;
}
