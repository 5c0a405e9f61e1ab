/* -r: a capture file read with libpcap (pcap or pcapng), each frame made
 * into the kernel side's record by frame_parse and fed to the engine. */
#include "tracer/capture/capture_reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tracer/proto/frame_parse.h"
#include "common/util.h"

/* The kernel side's filter: the family, then a port at either end. */
static bool capture_wanted(const struct tl_capture_filter *f, const struct tl_packet *p)
{
	if (f->family && p->family != f->family)
		return false;
	if (!f->nports)
		return true;
	for (int i = 0; i < f->nports; i++)
		if (f->ports[i] == p->sport || f->ports[i] == p->dport)
			return true;
	return false;
}

/* The event tl_event_decode would make of the record, with the frame's
 * bytes too so that -r can be written back out with -w. */
static void capture_feed(struct tl_engine *e, const struct tl_frame *fr)
{
	const struct tl_packet *p = &fr->rec.pkt;
	struct tl_event ev = {
	    .type = TL_EV_PACKET,
	    .ts_ns = p->ts_ns,
	    .pkt = p,
	    .http = p->data_len ? fr->rec.data : NULL,
	    .http_len = p->data_len,
	    .frame = fr->eth,
	    .frame_len = fr->eth_len,
	};

	tl_engine_feed(e, &ev);
}

/* Returns pcap_next_ex's last result: -2 at the end of the file, -1 on error. */
static int capture_frames(pcap_t *pc, const struct tl_capture_filter *f, struct tl_engine *e,
			  struct tl_capture_stats *st)
{
	const int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct tl_frame fr;
	int rc;

	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		__u64 ts_ns = (__u64)h->ts.tv_sec * NS_PER_S + (__u64)h->ts.tv_usec;

		st->frames++;
		if (tl_frame_parse(dlt, bytes, h->caplen, h->len, ts_ns, &fr)) {
			st->skipped++;
			st->not_tcp++;
			continue;
		}
		if (!capture_wanted(f, &fr.rec.pkt)) {
			st->skipped++;
			continue;
		}
		capture_feed(e, &fr);
		st->segments++;
	}
	return rc;
}

int tl_capture_read(const char *path, const struct tl_capture_filter *f, struct tl_engine *e,
		    struct tl_capture_stats *st, char *err, size_t err_size)
{
	char pcap_err[PCAP_ERRBUF_SIZE];
	const char *link;
	FILE *fp;
	pcap_t *pc;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	/* Opened here so that a missing file is told by its errno. */
	fp = fopen(path, "rb");
	if (!fp) {
		ret = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(-ret));
		return ret;
	}
	pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!pc) {
		fclose(fp);
		snprintf(err, err_size, "%s: %s", path, pcap_err);
		return -EINVAL;
	}
	if (!tl_frame_link_supported(pcap_datalink(pc))) {
		link = pcap_datalink_val_to_name(pcap_datalink(pc));
		snprintf(err, err_size, "%s: link type %s (%d) is not one tcplife-http reads", path,
			 link ? link : "unknown", pcap_datalink(pc));
		ret = -EPROTONOSUPPORT;
	} else if (capture_frames(pc, f, e, st) == -1) {
		snprintf(err, err_size, "%s: %s", path, pcap_geterr(pc));
		ret = -EIO;
	}
	pcap_close(pc);
	return ret;
}
