/* Captured frames from arbitrary bytes: frame_parse must never read past
 * caplen, whatever the link type and whatever lengths the headers claim,
 * and a record it accepts must hold within its own bounds. The first input
 * byte picks the link type, the second how many bytes the wire had beyond
 * those captured; the rest is the frame.
 * fuzz-sources: user/tracer/proto/ user/common/fmt.c user/common/utf8.c
 */
#include "tracer/proto/frame_parse.h"

#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>

static const int links[] = {DLT_EN10MB, DLT_NULL, DLT_LOOP,	 DLT_RAW,
			    DLT_IPV4,	DLT_IPV6, DLT_LINUX_SLL, DLT_LINUX_SLL2};

static bool record_ok(const struct tl_frame *f, size_t caplen)
{
	const struct tl_packet *p = &f->rec.pkt;

	return p->tcp_hdr_len >= 20 && p->tcp_hdr_len <= 60 && p->opt_len == p->tcp_hdr_len - 20 &&
	       p->data_len <= TL_DATA_CAP && p->data_len <= caplen &&
	       p->data_len <= p->payload_len &&
	       (!p->data_len || (p->data_flags && !(p->data_flags & ~TL_DATA_PAYLOAD))) &&
	       f->eth_len >= 14 && f->eth_len <= TL_DATA_CAP && f->eth_len <= caplen + 14;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tl_frame out;
	size_t caplen;

	if (size < 2)
		return 0;
	/* libFuzzer's buffer ends at data + size: a read past caplen trips ASan. */
	caplen = size - 2;
	if (!tl_frame_parse(links[data[0] % (sizeof(links) / sizeof(links[0]))], data + 2, caplen,
			    caplen + data[1], 0, &out) &&
	    !record_ok(&out, caplen))
		abort();
	return 0;
}
