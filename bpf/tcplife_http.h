/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The records the kernel programs put in the ring buffer, shared by bpf/ and
 * user/. No includes: the kernel side gets __u8..__u64 from vmlinux.h, user
 * space from <linux/types.h>. Largest fields first so that both compilers lay
 * them out alike; user space pins every size with _Static_assert. */
#ifndef TCPLIFE_HTTP_H
#define TCPLIFE_HTTP_H

#define TL_MAX_PORTS 16
#define TL_COMM_LEN 16
#define TL_TCP_OPT_MAX 40
/* Bytes a packet record may carry: the start of a segment that begins an
 * HTTP message (a browser's request line and headers up to Range fit), or,
 * when writing a capture file, the frame's first bytes (the snaplen). A
 * power of two so the BPF side can bound the copy with a mask. */
#define TL_DATA_CAP 1024
/* The small size class: a request line from curl or wrk, a short frame. Most
 * segments with bytes fit, and the ring buffer fills 5x slower for them. */
#define TL_DATA_SMALL 128
/* The whole-frame size class, for -w with a snaplen past TL_DATA_CAP (make
 * run): the largest frame on lo is its MTU (65536) plus the Ethernet header,
 * and the class is a power of two as the others. Each such record takes
 * this much of the ring buffer, whatever the frame's length. */
#define TL_DATA_FULL (1U << 17)

/* Every record begins with __u64 ts_ns and __u32 type. */
enum tl_event_type {
	TL_EV_PACKET = 1, /* struct tl_packet, tl_packet_data_small or tl_packet_data */
	TL_EV_STATE = 2,  /* struct tl_sock_event: a socket changed TCP state */
	TL_EV_OWNER = 3,  /* struct tl_sock_event: a task used a socket for the first time */
	/* struct tl_kernel_event: what only the kernel knows */
	TL_EV_TCP_INFO = 4,   /* a socket's TCP internals at a state change (reason: old state) */
	TL_EV_RETRANSMIT = 5, /* TCP retransmitted a segment (reason: the send's error) */
	TL_EV_DROP = 6,	 /* a traced segment was freed as dropped (reason: enum skb_drop_reason) */
	TL_EV_RESET = 7, /* TCP sent a RST (reason: enum sk_rst_reason) */
	TL_EV_RCVQ_FULL = 8,   /* a segment found the receive queue full (sock_rcvqueue_full) */
	TL_EV_BUF_LIMIT = 9,   /* a socket went past its memory limit (sock_exceed_buf_limit) */
	TL_EV_CONG_STATE = 10, /* TCP's congestion state changed (reason: enum tcp_ca_state) */
};

/* TCP flags as bits of tl_packet.flags: the header's byte 13, plus the AE
 * (formerly NS) bit from byte 12, as Wireshark numbers them. */
enum tl_tcp_flag {
	TL_FIN = 0x001,
	TL_SYN = 0x002,
	TL_RST = 0x004,
	TL_PSH = 0x008,
	TL_ACK = 0x010,
	TL_URG = 0x020,
	TL_ECE = 0x040,
	TL_CWR = 0x080,
	TL_AE = 0x100,
};

/* A message head (start line and headers) is followed across segments up
 * to this many bytes: the kernel side copies the segments that continue
 * one until then, user space reassembles them. */
#define TL_HTTP_HEAD_MAX 4096

/* What tl_packet_data.data holds (bits of tl_packet.data_flags). */
enum tl_data_flag {
	TL_DATA_FRAME = 0x1, /* the frame from its first byte; else the TCP payload */
	TL_DATA_HTTP = 0x2,  /* the payload begins like an HTTP message */
	/* The payload continues a message head its direction's previous
	 * segment cut, or is too short (1-3 bytes) to tell whether it begins one. */
	TL_DATA_HEAD = 0x4,
	TL_DATA_CHUNK = 0x8, /* the payload begins like a chunk-size line */
};

/* Any of these: the payload's first bytes are in the record. */
#define TL_DATA_PAYLOAD (TL_DATA_HTTP | TL_DATA_HEAD | TL_DATA_CHUNK)

/* One TCP segment seen by the TC program. Addresses are in network order,
 * IPv4 in the first four bytes; ports and numbers in host order. */
struct tl_packet {
	__u64 ts_ns;	   /* bpf_ktime_get_ns() */
	__u32 type;	   /* TL_EV_PACKET */
	__u32 seq;	   /* raw sequence number */
	__u32 ack;	   /* raw acknowledgment number */
	__u32 frame_len;   /* skb->len: the captured frame's length */
	__u32 payload_len; /* TCP payload bytes in this segment */
	/* The kernel side's count of records lost so far, and when (ms of
	 * bpf_ktime_get_ns, low 32 bits) the latest was: a change between two
	 * records tells the reader where in the stream a gap is, and when. */
	__u32 lost;
	__u32 lost_ms;
	__u16 sport;
	__u16 dport;
	__u16 window;	  /* raw header value */
	__u16 flags;	  /* enum tl_tcp_flag */
	__u16 data_len;	  /* bytes in tl_packet_data.data, 0 in a plain record */
	__u8 family;	  /* AF_INET or AF_INET6, as on the wire */
	__u8 opt_len;	  /* bytes in opts */
	__u8 ip_hdr_len;  /* IPv4 header or IPv6 header plus extension headers */
	__u8 tcp_hdr_len; /* data offset * 4 */
	__u8 data_flags;  /* enum tl_data_flag */
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 opts[TL_TCP_OPT_MAX]; /* the TCP options, raw */
};

/* A packet with bytes: see enum tl_data_flag. Two sizes; data_len says how
 * many bytes are valid. */
struct tl_packet_data {
	struct tl_packet pkt;
	__u8 data[TL_DATA_CAP];
};

struct tl_packet_data_small {
	struct tl_packet pkt;
	__u8 data[TL_DATA_SMALL];
};

/* data_len is 16 bits and a frame on lo may be longer (65,549 bytes at
 * full MSS): this class also gives its byte count whole, in its last four
 * bytes, which no frame reaches. */
struct tl_packet_data_full {
	struct tl_packet pkt;
	__u8 data[TL_DATA_FULL - 4];
	__u32 full_len;
};

/* A socket's state change, or a task's first use of a socket. The tuple is
 * the socket's own view: s* local, d* remote. A connecting socket's first
 * state event (SYN_SENT) still has sport 0: the port is chosen after it. */
struct tl_sock_event {
	__u64 ts_ns;
	__u32 type;   /* TL_EV_STATE or TL_EV_OWNER */
	__u32 pid;    /* tgid of the socket's owner (TL_EV_OWNER, and the state
		       * record of connect(): SYN_SENT); 0 in other state records */
	__u64 skaddr; /* identifies the socket across events */
	__u32 lost;   /* as in tl_packet */
	__u32 lost_ms;
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 oldstate; /* kernel TCP_* numbering */
	__u8 newstate;
	__u8 pad;
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[TL_COMM_LEN];
};

/* What the kernel's tracepoints tell of a traced socket or segment. The
 * tuple is the sender's view: s* the socket's own end, or the segment's
 * source (for a RST, its sender). */
struct tl_kernel_event {
	__u64 ts_ns;
	__u32 type;   /* TL_EV_TCP_INFO .. TL_EV_CONG_STATE */
	__u32 reason; /* see enum tl_event_type */
	__u64 skaddr; /* 0 when the kernel had no socket */
	__u32 lost;   /* as in tl_packet */
	__u32 lost_ms;
	__u32 seq, ack; /* the segment's raw numbers (drop, retransmit) */
	__u32 len;	/* its payload bytes (drop), or end_seq - seq (retransmit) */
	/* TL_EV_TCP_INFO, as tcp_sock holds them */
	__u32 srtt_us; /* smoothed RTT << 3 */
	__u32 mdev_us; /* its mean deviation << 2 */
	__u32 snd_cwnd;
	__u32 snd_ssthresh;
	__u32 total_retrans;
	__u32 mss_cache;
	__u32 rate_delivered;	/* segments delivered in the latest rate sample */
	__u32 rate_interval_us; /* ...and its interval */
	__u16 sport;
	__u16 dport;
	__u16 flags; /* the segment's, enum tl_tcp_flag */
	__u8 family;
	__u8 state;  /* the socket's state, kernel TCP_* numbering */
	__u8 synack; /* TL_EV_RETRANSMIT: a SYN-ACK of a request socket */
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
	/* TL_EV_TCP_INFO: what tcplife reports, the bytes the peer acknowledged
	 * and those received in order, each once (a connecting socket's SYN and
	 * each FIN count as one) */
	__u64 bytes_acked;
	__u64 bytes_received;
};

#endif /* TCPLIFE_HTTP_H */
