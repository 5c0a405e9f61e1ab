/* A captured frame turned into the record the kernel side (bpf/packet.bpf.h)
 * makes of it, so that -r and compare rebuild connections from the same
 * numbers a live trace has. Pure parsing: no I/O, never a read past caplen. */
#ifndef TL_FRAME_PARSE_H
#define TL_FRAME_PARSE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "tcplife_http.h"

/* HTTP bytes -r keeps of a segment: every byte the frame holds, up to this
 * (a live trace has the kernel's TL_DATA_CAP). */
#define TL_FRAME_HTTP_MAX 8192

/* A segment as the kernel side records it, plus its frame behind an
 * Ethernet header (the link type -w writes), whatever link it came from.
 * Its pointers are into the frame parsed (or eth_buf): valid as long as
 * the frame's bytes are, which spares -r two copies per segment. */
struct tl_frame {
	struct tl_packet_data rec; /* rec.data unused: the payload's bytes are at http */
	const __u8 *eth;	   /* the frame's first bytes, Ethernet-framed */
	size_t eth_len;
	__u8 eth_buf[TL_DATA_CAP]; /* eth, when the frame had another link header, or tags */
	const __u8 *http;	   /* the payload's first bytes, as rec.pkt.data_flags says */
	size_t http_len;
};

/* tl_frame_link_supported: whether dlt (pcap_datalink()) is a link type
 * tl_frame_parse reads: Ethernet, BSD loopback, raw IP, Linux cooked. */
bool tl_frame_link_supported(int dlt);

/* tl_frame_parse: fills out from a frame of caplen captured bytes out of len
 * on the wire. Returns 0 for a TCP segment whose headers were captured whole,
 * -EINVAL for anything else (not IP, not TCP, a later fragment, headers cut
 * by the snaplen). */
int tl_frame_parse(int dlt, const __u8 *frame, size_t caplen, size_t len, __u64 ts_ns,
		   struct tl_frame *out);

#endif
