/* -w FILE: the segments the kernel side saw, as a pcapng file that tshark
 * and Wireshark open: Ethernet link type, each frame's first bytes up to
 * the snaplen and its real length, and a comment naming the
 * connection and the process that sent it. A tl_sink, so it sees each
 * packet with its connection. */
#ifndef TL_PCAP_WRITER_H
#define TL_PCAP_WRITER_H

#include "tracer/engine/conn.h"

struct tl_pcap_writer;

/* tl_pcap_writer_open: creates path (truncating it); ifname names the
 * interface block, snaplen the bytes kept of each frame
 * (the kernel side copies at most TL_DATA_FULL). Returns NULL with errno set. */
struct tl_pcap_writer *tl_pcap_writer_open(const char *path, const char *ifname, __u32 snaplen);
/* The sink to hand the engine (or to tee with an output): writes every
 * packet whose view carries frame bytes. */
const struct tl_sink *tl_pcap_writer_sink(struct tl_pcap_writer *w);
/* tl_pcap_writer_error: 0, or the first -errno a write met (then writing
 * stopped: a full disk must end the run with a clear message). 0 for NULL. */
int tl_pcap_writer_error(const struct tl_pcap_writer *w);
/* tl_pcap_writer_fd: the file's descriptor (to hand it to another owner);
 * -1 for NULL. */
int tl_pcap_writer_fd(const struct tl_pcap_writer *w);
/* tl_pcap_writer_close: flushes and closes; returns 0 or -errno. Accepts NULL. */
int tl_pcap_writer_close(struct tl_pcap_writer *w);

#endif
