/* Wireshark's tcp.stream for the segments of a capture: 0-based, in order
 * of each conversation's first segment, and a new one when a SYN on a known
 * tuple carries another initial sequence number (ports reused). Every TCP
 * segment of the file counts, wanted by the filters or not, so that the
 * numbers are the ones Wireshark shows for the whole file. */
#ifndef TL_TCP_STREAMS_H
#define TL_TCP_STREAMS_H

#include <linux/types.h>
#include <stddef.h>

#include "tcplife_http.h"

struct tl_tcp_stream_entry;

struct tl_tcp_streams {
	struct tl_tcp_stream_entry *slots; /* open addressing, a power of two */
	size_t nslots;
	size_t used;
	__u64 next;
};

void tl_tcp_streams_init(struct tl_tcp_streams *s);
void tl_tcp_streams_free(struct tl_tcp_streams *s);

/* tl_tcp_streams_of: the stream p belongs to, in file order; -ENOMEM. */
int tl_tcp_streams_of(struct tl_tcp_streams *s, const struct tl_packet *p, __u64 *stream);

#endif
