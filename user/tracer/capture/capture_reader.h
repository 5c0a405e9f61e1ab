/* -r FILE: a pcap or pcapng capture (Wireshark, tcpdump, dumpcap, or -w)
 * read with libpcap, each TCP segment turned into the record the kernel
 * side would have made and fed to the engine. Only packets are known: no
 * socket states, no processes. */
#ifndef TL_CAPTURE_READER_H
#define TL_CAPTURE_READER_H

#include <linux/types.h>
#include <stddef.h>

#include "tracer/engine/engine.h"

struct tl_capture_filter {
	const __u16 *ports; /* nports 0: every port */
	int nports;
	int family; /* 0, AF_INET or AF_INET6 */
};

struct tl_capture_stats {
	__u64 frames;	/* frames read */
	__u64 segments; /* TCP segments fed to the engine */
	__u64 skipped; /* frames that are not TCP, not wanted, or truncated before the TCP header */
	__u64 not_tcp; /* of those, the ones that are no whole TCP segment (not wanted: the rest) */
};

/* tl_capture_read: feeds every wanted segment of path to e, in file order,
 * with the capture's timestamps. Link types: Ethernet, BSD loopback (Null,
 * as Windows' loopback adapter writes), raw IP, Linux cooked (SLL, SLL2).
 * Returns 0, or -errno with a one-line reason in err. */
int tl_capture_read(const char *path, const struct tl_capture_filter *f, struct tl_engine *e,
		    struct tl_capture_stats *st, char *err, size_t err_size);

#endif
