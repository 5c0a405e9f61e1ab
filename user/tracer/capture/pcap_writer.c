/* pcapng written by hand, since libpcap cannot write pcapng nor packet
 * comments: a Section Header Block, one Interface Description Block
 * (Ethernet, nanosecond stamps), then an Enhanced Packet Block a packet.
 * Blocks are in host byte order, which the section's byte-order magic
 * announces. Each block is built whole in memory, then written with stdio. */
#include "tracer/capture/pcap_writer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ETH_HDR_LEN 14
#define BT_SHB 0x0A0D0D0AU
#define BT_IDB 0x00000001U
#define BT_EPB 0x00000006U
#define BYTE_ORDER_MAGIC 0x1A2B3C4DU
#define LINKTYPE_ETHERNET 1
#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_TSRESOL 9
#define TSRESOL_NS 9 /* 10^-9 s */
#define NAME_MAX_LEN 256
#define COMMENT_MAX_LEN 240

/* The largest block: an EPB's 28 bytes of header, a frame (the kernel's
 * largest copy), a comment, its option headers and the trailing length. */
#define BLOCK_MAX (28 + TL_DATA_FULL + COMMENT_MAX_LEN + 16 + 4)

struct pcapng_block {
	__u8 buf[BLOCK_MAX];
	size_t len;
};

/* A packet's block waiting for its comment: a drop the kernel reports
 * comes just after the segment's own record. */
struct pending_packet {
	struct pcapng_block b; /* up to the frame; the comment goes last */
	char comment[COMMENT_MAX_LEN];
	__u64 conn_id;
	enum tl_side from;
	__u32 seq;
	__u32 len;
	__u16 flags;
};

/* Packets held back: a qdisc drops within the same call chain as the TC
 * hook, so its record follows the segment's within a few of other CPUs'. */
#define PENDING_MAX 8

struct tl_pcap_writer {
	FILE *f;
	__u32 snaplen;
	int err; /* the first write error, as -errno */
	struct tl_sink sink;
	struct pending_packet pending[PENDING_MAX]; /* a ring, oldest at head */
	size_t head, count;
};

/* Appends n bytes, then zeros up to a multiple of four. */
static void block_put(struct pcapng_block *b, const void *p, size_t n)
{
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	while (b->len % 4)
		b->buf[b->len++] = 0;
}

static void block_u32(struct pcapng_block *b, __u32 v) { block_put(b, &v, sizeof(v)); }

/* Two 16-bit fields in one 32-bit word, in that order. */
static void block_u16_pair(struct pcapng_block *b, __u16 first, __u16 second)
{
	__u16 v[2] = {first, second};

	block_put(b, v, sizeof(v));
}

static void block_opt(struct pcapng_block *b, __u16 code, const void *val, __u16 len)
{
	block_u16_pair(b, code, len);
	block_put(b, val, len);
}

/* Starts a block: its type, and room for its total length. */
static void block_begin(struct pcapng_block *b, __u32 type)
{
	b->len = 0;
	block_u32(b, type);
	block_u32(b, 0);
}

/* Ends the options, fills in the total length (at both ends) and writes the
 * block, unless an earlier write failed. */
static void block_write(struct tl_pcap_writer *w, struct pcapng_block *b)
{
	__u32 total;

	block_u16_pair(b, OPT_ENDOFOPT, 0);
	total = b->len + 4;
	memcpy(b->buf + 4, &total, sizeof(total));
	block_u32(b, total);
	if (w->err)
		return;
	errno = 0;
	if (fwrite(b->buf, 1, b->len, w->f) != b->len)
		w->err = errno ? -errno : -EIO;
}

static void write_headers(struct tl_pcap_writer *w, const char *ifname)
{
	/* Static: a block is as large as the largest frame. */
	static struct pcapng_block b;
	static const char appl[] = "tcplife-http " TL_VERSION;
	const __u8 tsresol = TSRESOL_NS;
	const __u64 section_len = (__u64)-1; /* unknown */

	block_begin(&b, BT_SHB);
	block_u32(&b, BYTE_ORDER_MAGIC);
	block_u16_pair(&b, 1, 0); /* version 1.0 */
	block_put(&b, &section_len, sizeof(section_len));
	block_opt(&b, SHB_USERAPPL, appl, sizeof(appl) - 1);
	block_write(w, &b);

	block_begin(&b, BT_IDB);
	block_u16_pair(&b, LINKTYPE_ETHERNET, 0);
	block_u32(&b, w->snaplen);
	block_opt(&b, IF_NAME, ifname, strnlen(ifname, NAME_MAX_LEN));
	block_opt(&b, IF_TSRESOL, &tsresol, sizeof(tsresol));
	block_write(w, &b);
}

/* "conn 3 client->server, sent by curl (pid 4242)" */
static size_t packet_comment(const struct tl_conn *c, const struct tl_pkt_view *v,
			     char buf[COMMENT_MAX_LEN])
{
	const struct tl_proc *p = &c->proc[v->from];
	char who[TL_COMM_LEN + 32] = "an unknown process";

	if (p->pid)
		snprintf(who, sizeof(who), "%.*s (pid %u)", (int)strnlen(p->comm, sizeof(p->comm)),
			 p->comm, p->pid);
	snprintf(buf, COMMENT_MAX_LEN, "conn %llu %s->%s, sent by %s", (unsigned long long)c->id,
		 tl_side_name(v->from), tl_side_name(TL_OTHER(v->from)), who);
	return strlen(buf);
}

/* A GSO packet past 64 KB carries 0 in its IP length field, and the kernel
 * side reports it as the segments the kernel will cut it into, each with
 * the packet's header bytes: give each segment its own IP length, sequence
 * number and flags, as the segment on the wire has them. */
static void patch_split_segment(__u8 *frame, size_t caplen, const struct tl_packet *p)
{
	size_t ip = ETH_HDR_LEN, tcp = ETH_HDR_LEN + p->ip_hdr_len;
	size_t len_at = ip + (p->family == AF_INET ? 2 : 4);
	__u16 ip_len = htons(p->frame_len - ETH_HDR_LEN - (p->family == AF_INET ? 0 : 40));
	__u32 seq = htonl(p->seq);

	if (caplen < tcp + 14 || frame[len_at] || frame[len_at + 1])
		return;
	memcpy(frame + len_at, &ip_len, sizeof(ip_len));
	memcpy(frame + tcp + 4, &seq, sizeof(seq));
	frame[tcp + 13] = p->flags & 0xff;
}

/* Writes the oldest held packet, with its comment. */
static void flush_one(struct tl_pcap_writer *w)
{
	struct pending_packet *pp = &w->pending[w->head];

	block_opt(&pp->b, OPT_COMMENT, pp->comment, strlen(pp->comment));
	block_write(w, &pp->b);
	w->head = (w->head + 1) % PENDING_MAX;
	w->count--;
}

static void flush_all(struct tl_pcap_writer *w)
{
	while (w->count)
		flush_one(w);
}

static void pcap_on_packet(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v)
{
	struct tl_pcap_writer *w = ctx;
	size_t caplen = v->frame_len < w->snaplen ? v->frame_len : w->snaplen;
	/* Never past the frame: a copy may hold more when the kernel
	 * will split its packet. */
	if (caplen > v->pkt->frame_len)
		caplen = v->pkt->frame_len;
	__u32 origlen = v->pkt->frame_len > caplen ? v->pkt->frame_len : caplen;
	struct pending_packet *pp;
	struct pcapng_block *b;
	size_t frame_at;

	if (!v->frame || !caplen || w->err)
		return;
	if (w->count == PENDING_MAX)
		flush_one(w);
	pp = &w->pending[(w->head + w->count++) % PENDING_MAX];
	*pp = (struct pending_packet){.conn_id = c->id,
				      .from = v->from,
				      .seq = v->pkt->seq,
				      .len = v->pkt->payload_len,
				      .flags = v->pkt->flags};
	b = &pp->b;
	block_begin(b, BT_EPB);
	block_u32(b, 0); /* interface */
	block_u32(b, v->ts_ns >> 32);
	block_u32(b, (__u32)v->ts_ns);
	block_u32(b, caplen);
	block_u32(b, origlen);
	frame_at = b->len;
	block_put(b, v->frame, caplen);
	patch_split_segment(b->buf + frame_at, caplen, v->pkt);
	packet_comment(c, v, pp->comment);
}

/* A segment the kernel dropped: its packet's comment says so; each of
 * them, latest first, back to its first, when it was a GSO packet the
 * hook reported as several. */
static void pcap_on_kernel(void *ctx, const struct tl_conn *c, const struct tl_kernel_view *v)
{
	struct tl_pcap_writer *w = ctx;

	if (v->type != TL_EV_DROP)
		return;
	for (size_t i = w->count; i-- > 0;) {
		struct pending_packet *pp = &w->pending[(w->head + i) % PENDING_MAX];
		size_t n = strlen(pp->comment);

		if (pp->conn_id != c->id || pp->from != v->side ||
		    !tl_drop_holds(v->seq_raw, v->len, v->flags, pp->seq, pp->len, pp->flags))
			continue;
		snprintf(pp->comment + n, sizeof(pp->comment) - n, "; dropped in the kernel: %s%s",
			 v->reason, v->before_capture ? " (a capture does not have it)" : "");
		if (pp->seq == v->seq_raw)
			return;
	}
}

/* A life's end writes what is held: the file keeps up with the lives. */
static void pcap_on_conn_end(void *ctx, const struct tl_conn *c)
{
	(void)c;
	flush_all(ctx);
}

struct tl_pcap_writer *tl_pcap_writer_open(const char *path, const char *ifname, __u32 snaplen)
{
	struct tl_pcap_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->snaplen = snaplen;
	w->f = fopen(path, "wb");
	if (!w->f) {
		int saved = errno;

		free(w);
		errno = saved;
		return NULL;
	}
	w->sink = (struct tl_sink){.ctx = w,
				   .on_packet = pcap_on_packet,
				   .on_kernel = pcap_on_kernel,
				   .on_conn_end = pcap_on_conn_end};
	write_headers(w, ifname);
	return w;
}

const struct tl_sink *tl_pcap_writer_sink(struct tl_pcap_writer *w) { return &w->sink; }

int tl_pcap_writer_error(const struct tl_pcap_writer *w) { return w ? w->err : 0; }

int tl_pcap_writer_fd(const struct tl_pcap_writer *w) { return w ? fileno(w->f) : -1; }

int tl_pcap_writer_close(struct tl_pcap_writer *w)
{
	int err;

	if (!w)
		return 0;
	flush_all(w);
	if (fflush(w->f) && !w->err)
		w->err = -errno;
	if (fclose(w->f) && !w->err)
		w->err = -errno;
	err = w->err;
	free(w);
	return err;
}
