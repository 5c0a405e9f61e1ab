// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Kernel side of tcplife-http: a TC program that records every TCP segment on
 * the traced interface, and tracepoint programs that record socket state
 * changes and which task owns each socket. All of it goes through one ring
 * buffer so that user space reads the events in the order they were made. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tcplife_http.h"
#include "packet.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Read-only configuration, set by the loader before load (0 = off). */
const volatile __u16 target_ports[TL_MAX_PORTS] = {};
const volatile __u32 target_nports = 0;
const volatile __u8 target_family = 0;
/* The tracer's network namespace (its inode): socket events of other
 * namespaces are not ours, as the TC hook only sees this one's packets. */
const volatile __u32 target_netns = 0;
/* Copy each frame's first bytes, for -w; whole frames past TL_DATA_CAP
 * too when the snaplen asks for more. */
const volatile bool capture_frames = false;
const volatile bool capture_whole = false;
/* Report a socket's TCP internals at its state changes (kernel facts, with
 * the tp_btf state program only: bpf/kernel_facts.bpf.h). */
const volatile bool tcp_info_facts = false;
/* Wake the reader only once this much is queued (the loader sets a quarter
 * of the ring): a wakeup per record costs about 40% of loopback throughput
 * (shared/PERF-NOTES.md). The reader also drains on a short poll timeout,
 * so nothing waits for long. */
const volatile __u64 wakeup_bytes = 2 << 20;

/* Records that did not fit in the ring buffer, and when the latest was lost. */
__u64 lost_events = 0;
__u32 last_loss_ms = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct owner {
	__u32 pid;
	char comm[TL_COMM_LEN];
};

/* The owner each traced socket last reported, by socket: the I/O hooks fire
 * on every send and receive, and once the owner is known they only compare
 * a few words. A table, not a map: no helper call, nothing allocated per
 * socket (socket-local storage cost a kmalloc and a memcg charge per
 * connection), no LRU list to keep. Small, as measured: at 256 KB its pages
 * alone made a known owner's recv 20 ns dearer than at 32 KB. Four ways a
 * set, in half a cache line: a socket that shares its set with four other
 * live ones may lose its slot, and then only reports its owner again, which
 * user space takes as it is. The state program clears a socket's slot at
 * CLOSE, before its memory can be another's. */
#define TL_OWNER_SETS_LOG2 10
#define TL_OWNER_WAYS 4
__u64 owner_seen[TL_OWNER_WAYS << TL_OWNER_SETS_LOG2] = {};

/* A word of scratch per CPU, to turn a socket's address into a number. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} scratch SEC(".maps");

/* The socket's address as a number: the verifier allows no arithmetic on a
 * typed (tp_btf) pointer, but what is read back from a map is a number. */
static __always_inline __u64 sk_number(const struct sock *sk)
{
	__u32 zero = 0;
	volatile __u64 *w = bpf_map_lookup_elem(&scratch, &zero);

	if (!w)
		return 0;
	*w = (__u64)sk;
	return *w;
}

/* The socket's address with the pid in its top 22 bits (a pid is below
 * 2^22): one word, so that a slot is never read half written. Two sockets'
 * tags differ unless their addresses differ only above bit 41, which the
 * kernel's direct map of less than 4 TB of memory never gives. */
#define TL_OWNER_PID_SHIFT 42
static __always_inline __u64 owner_tag(__u64 sk, __u32 pid)
{
	return sk ^ (__u64)pid << TL_OWNER_PID_SHIFT;
}

static __always_inline bool owner_of(__u64 slot, __u64 sk)
{
	return !((slot ^ sk) << (64 - TL_OWNER_PID_SHIFT));
}

/* Fibonacci hashing: sockets are slab objects, alike in their low bits. */
static __always_inline __u64 *owner_set(__u64 sk)
{
	__u64 set = sk * 0x9E3779B97F4A7C15ull >> (64 - TL_OWNER_SETS_LOG2);

	return &owner_seen[set * TL_OWNER_WAYS & ((TL_OWNER_WAYS << TL_OWNER_SETS_LOG2) - 1)];
}

static __always_inline bool owner_known(__u64 sk, __u64 tag)
{
	__u64 *set = owner_set(sk);
	bool known = false;

	for (int i = 0; i < TL_OWNER_WAYS; i++)
		known |= set[i] == tag;
	return known;
}

/* The socket's own slot if it has one (never two), else a free one, else
 * the last. */
static __always_inline void owner_keep(__u64 sk, __u64 tag)
{
	__u64 *set = owner_set(sk);
	int free = TL_OWNER_WAYS - 1;

	for (int i = TL_OWNER_WAYS - 1; i >= 0; i--) {
		if (owner_of(set[i], sk)) {
			set[i] = tag;
			return;
		}
		if (!set[i])
			free = i;
	}
	set[free] = tag;
}

static __always_inline void owner_forget(__u64 sk)
{
	__u64 *set = owner_set(sk);

	for (int i = 0; i < TL_OWNER_WAYS; i++)
		if (owner_of(set[i], sk))
			set[i] = 0;
}

static __always_inline bool port_wanted(__u16 a, __u16 b)
{
	if (!target_nports)
		return true;
	for (int i = 0; i < TL_MAX_PORTS; i++) {
		if (i >= target_nports)
			break;
		if (target_ports[i] == a || target_ports[i] == b)
			return true;
	}
	return false;
}

static __always_inline void *reserve(__u64 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec) {
		__sync_fetch_and_add(&lost_events, 1);
		last_loss_ms = bpf_ktime_get_ns() / 1000000;
	}
	return rec;
}

/* Wakes the reader only when this record is the one that fills a batch:
 * waking it on every record once it lags would cost a wakeup per event
 * again. A batch missed in a race is drained by the reader's poll timeout. */
static __always_inline void submit(void *rec, __u64 size)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 flags = BPF_RB_NO_WAKEUP;

	/* The 8-byte record header counts in the ring too. */
	if (avail >= wakeup_bytes && avail - size - 8 < wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

/* --- message heads across segments --- */

/* A direction whose last segment began an HTTP message (or was too short
 * to tell) and did not end its head: the next segment's first bytes are
 * copied too, so that user space can complete the head (TL_DATA_HEAD). */
struct head_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u32 family;
};

struct head_val {
	__u32 next_seq; /* raw seq the continuation begins at */
	__u32 copied;	/* head bytes so far */
};

/* A plain hash, not an LRU: eviction would leave heads_open counting an
 * entry that is gone. When full, a head is not followed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct head_key);
	__type(value, struct head_val);
} open_heads SEC(".maps");

/* Entries in open_heads: while there are none, as almost always, no
 * segment pays for a lookup. */
__u64 heads_open = 0;

static __always_inline void head_key_of(const struct tl_l34 *h, struct head_key *k)
{
	__builtin_memcpy(k->saddr, h->saddr, sizeof(k->saddr));
	__builtin_memcpy(k->daddr, h->daddr, sizeof(k->daddr));
	k->sport = h->sport;
	k->dport = h->dport;
	k->family = h->family;
}

static __always_inline void head_clear(const struct head_key *k)
{
	if (!bpf_map_delete_elem(&open_heads, k))
		__sync_fetch_and_sub(&heads_open, 1);
}

/* What the marks need to know of a segment whose bytes are copied. */
struct head_note {
	struct head_val *cont; /* the mark it continues, or NULL */
	bool begins;	       /* it begins a message, or is too short to tell */
	bool response;
};

/* Whether the head in a segment copied whole (its last byte data[n - 1])
 * may go on in the next one: not when it ends with the empty line, a
 * request's usual shape. A response only when it ends with a header line's
 * CRLF: one that ends in its body (a text file's last LF) would cost every
 * response a lookup, so a response head cut inside a line is not followed.
 * Read from the record, not the skb, which would cost every request and
 * response a load. */
static __always_inline bool head_may_go_on(const __u8 *data, __u32 n, __u32 cap, bool response)
{
	__u8 b0, b1, b2, b3;

	if (n < 4)
		return true;
	b0 = data[(n - 4) & (cap - 1)];
	b1 = data[(n - 3) & (cap - 1)];
	b2 = data[(n - 2) & (cap - 1)];
	b3 = data[(n - 1) & (cap - 1)];
	if (b3 == '\n' && (b2 == '\n' || (b2 == '\r' && b1 == '\n' && b0 == '\r')))
		return false;
	return !response || (b3 == '\n' && b2 == '\r');
}

/* A segment that begins a message and leaves its head open: marks its
 * direction. A mark a complete head leaves behind is not cleared (that
 * would cost every request a lookup): its next_seq, this segment's seq, is
 * never seen again, and the FIN clears it. */
static __always_inline void head_mark(const struct tl_l34 *h)
{
	struct head_val v = {.next_seq = bpf_ntohl(h->tcp.seq) + h->payload_len,
			     .copied = h->payload_len};
	struct head_key k = {};
	struct head_val *old;

	head_key_of(h, &k);
	/* A kept-alive connection's responses find their mark still there. */
	old = heads_open ? bpf_map_lookup_elem(&open_heads, &k) : NULL;
	if (old)
		*old = v;
	else if (!bpf_map_update_elem(&open_heads, &k, &v, BPF_NOEXIST))
		__sync_fetch_and_add(&heads_open, 1);
}

/* The mark a segment of a marked direction continues, if it does. */
static __always_inline struct head_val *head_continued(const struct tl_l34 *h)
{
	struct head_key k = {};
	struct head_val *v;

	head_key_of(h, &k);
	v = bpf_map_lookup_elem(&open_heads, &k);
	return v && v->next_seq == bpf_ntohl(h->tcp.seq) ? v : NULL;
}

/* Once the segment's bytes are in the record (n of them, 0 when the copy
 * cut them): marks the direction, moves its mark on, or clears it. User
 * space holds only heads copied whole, so a segment cut by the copy ends
 * the following. A function of its own: inlined at each size class, it
 * doubled the program, and it runs only for segments that carry bytes. */
static __noinline void head_copied(const struct tl_l34 *h, const struct head_note *nt,
				   const __u8 *data, __u32 n, __u32 cap)
{
	bool open =
	    n && h->payload_len <= TL_DATA_CAP && head_may_go_on(data, n, cap, nt->response);
	struct head_key k = {};

	if (!nt->cont) {
		if (nt->begins && open)
			head_mark(h);
		return;
	}
	if (open && nt->cont->copied + h->payload_len < TL_HTTP_HEAD_MAX) {
		nt->cont->next_seq += h->payload_len;
		nt->cont->copied += h->payload_len;
		return;
	}
	head_key_of(h, &k);
	head_clear(&k);
}

/* A FIN or RST: no more of the head will come. */
static __always_inline void head_end_of_stream(const struct tl_l34 *h)
{
	struct head_key k = {};

	head_key_of(h, &k);
	head_clear(&k);
}

/* Which of the payload's first bytes user space needs (enum tl_data_flag),
 * and what the marks will need once they are copied. */
static __always_inline __u8 payload_flags(struct __sk_buff *skb, const struct tl_l34 *h,
					  struct head_note *nt)
{
	__u32 raw, w;
	const __u8 *b = (const __u8 *)&raw;

	if (h->payload_len < 4) {
		nt->begins = true;
		return TL_DATA_HEAD;
	}
	/* Straight from the packet, as its headers were: every segment with
	 * bytes passes here. */
	if (TL_LOAD(skb, h->payload_off, &raw))
		return 0;
	w = TL_WORD(b[0], b[1], b[2], b[3]);
	if (tl_http_start_word(w)) {
		nt->begins = true;
		nt->response = w == TL_WORD('H', 'T', 'T', 'P');
		return TL_DATA_HTTP;
	}
	if (heads_open && (nt->cont = head_continued(h)))
		return TL_DATA_HEAD;
	return tl_chunk_start_word(w) ? TL_DATA_CHUNK : 0;
}

/* --- segments --- */

/* Copies min(len, cap) bytes from off into data; cap is a power of two, so
 * the mask proves 1 <= n <= cap to the verifier. Returns the bytes copied. */
static __always_inline __u32 copy_data(struct __sk_buff *skb, __u32 off, __u32 len, __u8 *data,
				       __u32 cap)
{
	__u32 n = ((len - 1) & (cap - 1)) + 1;

	if (len > cap)
		n = cap;
	if (!len || bpf_skb_load_bytes(skb, off, data, n))
		return 0;
	return n;
}

/* The device's GSO limit (gso_max_size, 64 KB unless an administrator
 * raised it): a GSO packet this long is segmented in software after the TC
 * hook and before the capture point, so tshark sees its segments. */
#define TL_GSO_MAX_SIZE 65536
/* Segments reported for one such packet: BIG TCP's 512 KB at MSS 65483 is 8. */
#define TL_MAX_SPLIT 16

/* One record of sizeof(tl_packet) + cap bytes; cap is a constant at each
 * call site, as bpf_ringbuf_reserve requires. */
static __always_inline void emit_packet(struct __sk_buff *skb, const struct tl_l34 *h, __u8 flags,
					__u32 off, __u32 want, __u32 cap, const struct tl_seg *sg,
					const struct head_note *nt)
{
	struct tl_packet *p = reserve(sizeof(*p) + cap);
	__u32 n;

	if (!p)
		return;
	tl_fill_packet(skb, h, sg, p);
	p->lost = lost_events;
	p->lost_ms = last_loss_ms;
	p->data_flags = flags;
	n = cap ? copy_data(skb, off, want, (__u8 *)(p + 1), cap) : 0;
	p->data_len = n;
	if (cap == TL_DATA_FULL)
		((struct tl_packet_data_full *)p)->full_len = n;
	if (cap && nt && (flags & (TL_DATA_HTTP | TL_DATA_HEAD)))
		head_copied(h, nt, (__u8 *)(p + 1), n == want ? n : 0, cap);
	submit(p, sizeof(*p) + cap);
}

/* The first record, with bytes when needed, in the smallest size class
 * that holds them. */
static __always_inline void emit_first(struct __sk_buff *skb, const struct tl_l34 *h,
				       const struct tl_seg *sg)
{
	struct head_note nt = {};
	__u32 off = 0, want = 0;
	__u8 flags = 0;

	if (h->payload_len)
		flags = payload_flags(skb, h, &nt);
	if (heads_open && (h->tcp.fin || h->tcp.rst))
		head_end_of_stream(h);
	if (flags) {
		off = h->payload_off;
		want = h->payload_len;
	}
	/* The segment's frame: the first of a packet the kernel will split
	 * ends with its first segment. */
	if (capture_frames) {
		flags |= TL_DATA_FRAME;
		off = 0;
		want = skb->len - h->payload_len + sg->len;
	}
	if (!flags)
		emit_packet(skb, h, flags, off, want, 0, sg, NULL);
	else if (want <= TL_DATA_SMALL)
		emit_packet(skb, h, flags, off, want, TL_DATA_SMALL, sg, &nt);
	else if (want <= TL_DATA_CAP || !capture_whole)
		emit_packet(skb, h, flags, off, want, TL_DATA_CAP, sg, &nt);
	else
		emit_packet(skb, h, flags, off, want, TL_DATA_FULL, sg, &nt);
}

/* The segments after the first of a packet the kernel will split: FIN and
 * PSH stay on the last, CWR on the first, as tcp_gso_segment leaves them.
 * For -w they carry the headers, which user space adjusts per segment. */
static __always_inline void emit_rest(struct __sk_buff *skb, const struct tl_l34 *h, __u32 segs,
				      __u32 mss)
{
	for (__u32 i = 1; i < TL_MAX_SPLIT && i < segs; i++) {
		struct tl_seg sg = {.seq_off = i * mss, .clear_flags = TL_CWR};

		if (sg.seq_off >= h->payload_len)
			break;
		sg.len = h->payload_len - sg.seq_off < mss ? h->payload_len - sg.seq_off : mss;
		if (i + 1 < segs)
			sg.clear_flags |= TL_FIN | TL_PSH;
		if (capture_frames)
			emit_packet(skb, h, TL_DATA_FRAME, 0, h->payload_off, TL_DATA_SMALL, &sg,
				    NULL);
		else
			emit_packet(skb, h, 0, 0, 0, 0, &sg, NULL);
	}
}

static __always_inline int handle_skb(struct __sk_buff *skb)
{
	struct tl_l34 h = {};
	struct tl_seg sg = {};
	__u32 segs = skb->gso_segs, mss = skb->gso_size;

	if (tl_parse_l34(skb, &h))
		return TC_ACT_UNSPEC;
	if (target_family && h.family != target_family)
		return TC_ACT_UNSPEC;
	if (!port_wanted(h.sport, h.dport))
		return TC_ACT_UNSPEC;
	sg.len = h.payload_len;
	if (segs < 2 || !mss || skb->len < TL_GSO_MAX_SIZE) {
		emit_first(skb, &h, &sg);
		return TC_ACT_UNSPEC;
	}
	sg.len = mss < h.payload_len ? mss : h.payload_len;
	sg.clear_flags = TL_FIN | TL_PSH;
	emit_first(skb, &h, &sg);
	emit_rest(skb, &h, segs, mss);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tl_tc_egress(struct __sk_buff *skb) { return handle_skb(skb); }

SEC("tc")
int tl_tc_ingress(struct __sk_buff *skb) { return handle_skb(skb); }

/* --- sockets --- */

/* A kernel object's field: tp_btf programs get typed pointers, read with a
 * plain load; raw_tp and classic tracepoint programs need a probe read, a
 * helper call of 20-30 ns each. btf is a constant wherever this is inlined. */
#define KREAD(btf, p, field) ((btf) ? (p)->field : BPF_CORE_READ(p, field))
#define KREAD_BYTES(btf, dst, n, src)                                                              \
	((btf) ? (void)__builtin_memcpy(dst, src, n) : (void)bpf_core_read(dst, n, src))

/* A TCP socket's local port (network order); false for another protocol.
 * inet_sport, not skc_num: the port is released (skc_num = 0) before the
 * CLOSE event fires. A tp_btf socket is typed struct sock, which ends before
 * inet_sport: the helper gives it as the tcp_sock it is, or NULL. */
static __always_inline bool tcp_sport(const struct sock *sk, bool btf, __u16 *port)
{
	struct tcp_sock *tp;

	if (!btf) {
		if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
			return false;
		*port = BPF_CORE_READ((struct inet_sock *)sk, inet_sport);
		return true;
	}
	tp = bpf_skc_to_tcp_sock((void *)sk);
	if (!tp)
		return false;
	*port = tp->inet_conn.icsk_inet.inet_sport;
	return true;
}

static __always_inline __u32 sk_netns(const struct sock *sk, bool btf)
{
	return btf ? sk->__sk_common.skc_net.net->ns.inum
		   : BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* What names a traced socket, read before a record is reserved. */
struct sock_id {
	__u16 sport, dport; /* host order */
	__u8 family;
};

/* Whether the socket is traced, and its ports and family. Cheapest
 * rejections first: every socket of the host does I/O. */
static __always_inline bool sock_traced(const struct sock *sk, struct sock_id *id, bool btf)
{
	__u16 sport;

	if (!tcp_sport(sk, btf, &sport))
		return false;
	id->sport = bpf_ntohs(sport);
	id->dport = bpf_ntohs(KREAD(btf, sk, __sk_common.skc_dport));
	if (!port_wanted(id->sport, id->dport))
		return false;
	if (target_netns && sk_netns(sk, btf) != target_netns)
		return false;
	id->family = KREAD(btf, sk, __sk_common.skc_family);
	return id->family == AF_INET || id->family == AF_INET6;
}

/* The socket's addresses, local first, straight into a record: IPv4 in the
 * first four bytes, the rest zero. */
static __always_inline void sock_addrs(const struct sock *sk, __u8 family, __u8 *saddr, __u8 *daddr,
				       bool btf)
{
	if (family == AF_INET6) {
		KREAD_BYTES(btf, saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		KREAD_BYTES(btf, daddr, 16, &sk->__sk_common.skc_v6_daddr);
		return;
	}
	__builtin_memset(saddr, 0, 16);
	__builtin_memset(daddr, 0, 16);
	KREAD_BYTES(btf, saddr, 4, &sk->__sk_common.skc_rcv_saddr);
	KREAD_BYTES(btf, daddr, 4, &sk->__sk_common.skc_daddr);
}

/* The process, not the thread: a browser connects from a thread named
 * like "Chrome_ChildIOT", and the pid reported is the process's. */
static __always_inline void set_owner_current(struct owner *o, bool btf)
{
	struct task_struct *task;

	o->pid = bpf_get_current_pid_tgid() >> 32;
	if (btf) {
		task = bpf_get_current_task_btf();
		__builtin_memcpy(o->comm, task->group_leader->comm, sizeof(o->comm));
	} else {
		task = (struct task_struct *)bpf_get_current_task();
		BPF_CORE_READ_STR_INTO(&o->comm, task, group_leader, comm);
	}
}

/* A record of a traced socket, filled in place; o NULL: no owner named. */
static __always_inline void emit_sock(const struct sock *sk, const struct sock_id *id,
				      const struct owner *o, __u32 type, int oldstate, int newstate,
				      bool btf)
{
	struct tl_sock_event *e = reserve(sizeof(*e));

	if (!e)
		return;
	e->ts_ns = bpf_ktime_get_ns();
	e->type = type;
	e->pid = o ? o->pid : 0;
	e->skaddr = (__u64)sk;
	e->lost = lost_events;
	e->lost_ms = last_loss_ms;
	e->sport = id->sport;
	e->dport = id->dport;
	e->family = id->family;
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->pad = 0;
	sock_addrs(sk, id->family, e->saddr, e->daddr, btf);
	if (o)
		__builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
	else
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	submit(e, sizeof(*e));
}

#include "kernel_facts.bpf.h"

/* A state record names the owner only at connect(), which runs in the
 * owner's task; the others may run in a softirq, and user space keeps the
 * owner each TL_EV_OWNER record reported. */
static __always_inline void record_state(const struct sock *sk, int oldstate, int newstate,
					 bool btf)
{
	struct sock_id id;
	struct owner cur;
	__u64 n;

	/* Only traced sockets get a slot (owner_report), so only theirs is
	 * cleared: every socket of the host changes state. */
	if (!sock_traced(sk, &id, btf))
		return;
	/* Before the state record: a side's TCP internals come before the
	 * CLOSE that ends its life. */
	if (btf && tcp_info_facts)
		tcp_info_fact(sk, &id, oldstate, newstate);
	if (newstate == TCP_CLOSE)
		owner_forget(sk_number(sk));
	if (newstate != TCP_SYN_SENT) {
		emit_sock(sk, &id, NULL, TL_EV_STATE, oldstate, newstate, btf);
		return;
	}
	set_owner_current(&cur, btf);
	n = sk_number(sk);
	owner_keep(n, owner_tag(n, cur.pid));
	emit_sock(sk, &id, &cur, TL_EV_STATE, oldstate, newstate, btf);
}

/* Whether the state program is running on this CPU. The kernel never runs a
 * tracing program inside itself: a softirq that interrupts it (a delayed-ACK
 * timer, then the packets it sends) and changes sockets' states would lose
 * those changes, counted only in the program's recursion_misses. The catcher,
 * attached to the same tracepoint after it, runs in that nested call and
 * records the change instead; user space counts the misses it could not
 * catch (the few instructions around the flag) as lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} state_busy SEC(".maps");

/* Nested calls the catcher took over, traced sockets or not. */
__u64 nested_caught = 0;

static __always_inline int handle_set_state(const struct sock *sk, int oldstate, int newstate,
					    bool btf)
{
	__u32 zero = 0, *busy = bpf_map_lookup_elem(&state_busy, &zero);

	if (busy)
		*busy = 1;
	record_state(sk, oldstate, newstate, btf);
	if (busy)
		*busy = 0;
	return 0;
}

static __always_inline int catch_nested(const struct sock *sk, int oldstate, int newstate, bool btf)
{
	__u32 zero = 0, *busy = bpf_map_lookup_elem(&state_busy, &zero);

	if (!busy || !*busy)
		return 0;
	__sync_fetch_and_add(&nested_caught, 1);
	record_state(sk, oldstate, newstate, btf);
	return 0;
}

/* A task that reads or writes a traced socket and is not its known owner:
 * reports it. A closed socket's life is over (a recv() returning
 * ECONNRESET after an RST, a close() after it): a new owner there would
 * only make up a life that never was. */
static __always_inline void owner_report(struct sock *sk, __u64 n, __u64 tag, bool btf)
{
	struct sock_id id;
	struct owner cur;

	if (KREAD(btf, sk, __sk_common.skc_state) == TCP_CLOSE || !sock_traced(sk, &id, btf))
		return;
	set_owner_current(&cur, btf);
	owner_keep(n, tag);
	emit_sock(sk, &id, &cur, TL_EV_OWNER, 0, 0, btf);
}

/* sock_send_length and sock_recv_length fire in the task doing the I/O. */
static __always_inline int handle_sock_io(struct sock *sk, bool btf)
{
	__u64 n = sk_number(sk), tag = owner_tag(n, bpf_get_current_pid_tgid() >> 32);

	if (!owner_known(n, tag))
		owner_report(sk, n, tag, btf);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tl_state_btf, const struct sock *sk, int oldstate, int newstate)
{
	return handle_set_state(sk, oldstate, newstate, true);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(tl_state_raw, const struct sock *sk, int oldstate, int newstate)
{
	return handle_set_state(sk, oldstate, newstate, false);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tl_state_nested_btf, const struct sock *sk, int oldstate, int newstate)
{
	return catch_nested(sk, oldstate, newstate, true);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(tl_state_nested_raw, const struct sock *sk, int oldstate, int newstate)
{
	return catch_nested(sk, oldstate, newstate, false);
}

/* No catcher for the classic tracepoint: the kernel skips every program of
 * a nested call there (bpf_prog_active), so its misses all count as lost. */
SEC("tracepoint/sock/inet_sock_set_state")
int tl_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	return handle_set_state(ctx->skaddr, ctx->oldstate, ctx->newstate, false);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tl_send_btf, struct sock *sk) { return handle_sock_io(sk, true); }

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tl_recv_btf, struct sock *sk) { return handle_sock_io(sk, true); }

SEC("raw_tp/sock_send_length")
int BPF_PROG(tl_send_raw, struct sock *sk) { return handle_sock_io(sk, false); }

SEC("raw_tp/sock_recv_length")
int BPF_PROG(tl_recv_raw, struct sock *sk) { return handle_sock_io(sk, false); }

SEC("tracepoint/sock/sock_send_length")
int tl_send_tp(struct trace_event_raw_sock_msg_length *ctx)
{
	return handle_sock_io(ctx->sk, false);
}

SEC("tracepoint/sock/sock_recv_length")
int tl_recv_tp(struct trace_event_raw_sock_msg_length *ctx)
{
	return handle_sock_io(ctx->sk, false);
}
