/* -r: a capture file read with libpcap (pcap or pcapng), each frame made
 * into the kernel side's record by frame_parse and fed to the engine. */
#include "tracer/capture/capture_reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tracer/proto/frame_parse.h"
#include "common/util.h"
#include "tracer/capture/tcp_streams.h"

#define CAPTURE_READ_BUFFER (1 << 20)

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
 * bytes too so that -r can be written back out with -w, and the numbers
 * Wireshark gives the segment. */
static void capture_feed(struct tl_engine *e, const struct tl_frame *fr, __u64 frame_no,
			 __u64 stream)
{
	const struct tl_packet *p = &fr->rec.pkt;
	struct tl_event ev = {
	    .type = TL_EV_PACKET,
	    .ts_ns = p->ts_ns,
	    .pkt = p,
	    .http = fr->http_len ? fr->http : NULL,
	    .http_len = fr->http_len,
	    .frame = fr->eth,
	    .frame_len = fr->eth_len,
	    .frame_no = frame_no,
	    .stream = stream,
	};

	tl_engine_feed(e, &ev);
}

/* Returns pcap_next_ex's last result: -2 at the end of the file, -1 on
 * error, -ENOMEM when the stream table could not grow. */
static int capture_frames(pcap_t *pc, const struct tl_capture_filter *f, struct tl_engine *e,
			  struct tl_capture_stats *st, struct tl_tcp_streams *streams)
{
	const int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct tl_frame fr;
	__u64 stream;
	int rc;

	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		__u64 ts_ns = (__u64)h->ts.tv_sec * NS_PER_S + (__u64)h->ts.tv_usec;

		st->frames++;
		if (tl_frame_parse(dlt, bytes, h->caplen, h->len, ts_ns, &fr)) {
			st->not_tcp++;
			st->skipped++;
			continue;
		}
		/* Every TCP segment has its stream, wanted or not, as in Wireshark. */
		if (tl_tcp_streams_of(streams, &fr.rec.pkt, &stream))
			return -ENOMEM;
		if (!capture_wanted(f, &fr.rec.pkt)) {
			st->skipped++;
			continue;
		}
		capture_feed(e, &fr, st->frames, stream);
		st->segments++;
	}
	return rc;
}

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size)
{
	int n = gzread(cookie, buf, size > (unsigned)INT32_MAX ? (unsigned)INT32_MAX : size);

	/* libpcap reports errno: say the gzip data is bad, not a stale errno. */
	if (n < 0)
		errno = EBADMSG;
	return n < 0 ? -1 : n;
}

static int gz_cookie_close(void *cookie) { return gzclose(cookie) == Z_OK ? 0 : -1; }

/* libpcap reads each record's header and frame apart: through stdio's
 * default 4 KB buffer that was a read() every few frames. Set before the
 * first read, as stdio asks; without iobuf, the default stays. */
static void capture_buffer(FILE *fp, char *iobuf)
{
	if (iobuf)
		setvbuf(fp, iobuf, _IOFBF, CAPTURE_READ_BUFFER);
}

/* Wireshark opens .pcap.gz and .pcapng.gz as they are: so does -r, by the
 * gzip magic rather than the name, handing libpcap a stream that inflates
 * as it reads. fp is consumed either way; iobuf, free once fp is closed,
 * buffers the stream returned. */
static FILE *capture_inflate(FILE *fp, char *iobuf)
{
	static const cookie_io_functions_t gz_io = {.read = gz_cookie_read,
						    .close = gz_cookie_close};
	unsigned char magic[2];
	bool gz = fread(magic, 1, 2, fp) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	gzFile gzf;
	FILE *out;
	int fd;

	if (fseek(fp, 0, SEEK_SET) || !gz)
		return fp;
	fd = dup(fileno(fp));
	fclose(fp);
	if (fd < 0)
		return NULL;
	gzf = gzdopen(fd, "rb");
	if (!gzf) {
		close(fd);
		return NULL;
	}
	out = fopencookie(gzf, "rb", gz_io);
	if (!out)
		gzclose(gzf);
	else
		capture_buffer(out, iobuf);
	return out;
}

static int capture_read(const char *path, const struct tl_capture_filter *f, struct tl_engine *e,
			struct tl_capture_stats *st, char *err, size_t err_size, char *iobuf)
{
	char pcap_err[PCAP_ERRBUF_SIZE];
	struct tl_tcp_streams streams;
	const char *link;
	FILE *fp;
	pcap_t *pc;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	tl_tcp_streams_init(&streams);
	/* Opened here so that a missing file is told by its errno. */
	fp = fopen(path, "rb");
	if (!fp) {
		ret = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(-ret));
		return ret;
	}
	capture_buffer(fp, iobuf);
	fp = capture_inflate(fp, iobuf);
	if (!fp) {
		snprintf(err, err_size, "%s: cannot inflate: %s", path, strerror(errno));
		return -EIO;
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
	} else {
		ret = capture_frames(pc, f, e, st, &streams);
		if (ret == -1) {
			snprintf(err, err_size, "%s: %s", path, pcap_geterr(pc));
			ret = -EIO;
		} else if (ret == -ENOMEM) {
			snprintf(err, err_size, "%s: %s", path, strerror(ENOMEM));
		} else {
			ret = 0;
		}
	}
	tl_tcp_streams_free(&streams);
	pcap_close(pc);
	return ret;
}

int tl_capture_read(const char *path, const struct tl_capture_filter *f, struct tl_engine *e,
		    struct tl_capture_stats *st, char *err, size_t err_size)
{
	char *iobuf = malloc(CAPTURE_READ_BUFFER);
	int ret = capture_read(path, f, e, st, err, err_size, iobuf);

	free(iobuf);
	return ret;
}
