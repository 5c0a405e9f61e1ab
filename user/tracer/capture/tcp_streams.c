/* tcp.stream as Wireshark 4.0's packet-tcp.c numbers conversations: each
 * direction keeps a base sequence number (its SYN's seq, or the first seq
 * seen - 1, or the peer's first ack - 1), and a SYN without ACK whose seq
 * differs from its direction's base starts a new conversation. */
#include "tracer/capture/tcp_streams.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tracer/proto/endpoint.h"

struct tl_tcp_stream_entry {
	bool used;
	struct tl_endpoint ep[2]; /* ep[0] sent the conversation's first segment */
	__u32 base[2];
	bool base_set[2];
	__u64 stream;
};

void tl_tcp_streams_init(struct tl_tcp_streams *s) { memset(s, 0, sizeof(*s)); }

void tl_tcp_streams_free(struct tl_tcp_streams *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* An endpoint's bytes that tl_endpoint_eq compares, mixed a word at a time:
 * every segment of the file is looked up. */
static __u64 streams_mix(const struct tl_endpoint *ep)
{
	__u64 hi = 0, lo;
	__u32 v4;

	if (ep->family == AF_INET) {
		memcpy(&v4, ep->addr, 4);
		lo = v4;
	} else {
		memcpy(&lo, ep->addr, 8);
		memcpy(&hi, ep->addr + 8, 8);
	}
	/* splitmix64's finalizer: every input bit reaches the low bits. */
	lo ^= (__u64)ep->port << 32 ^ hi * 0x9e3779b97f4a7c15ull;
	lo = (lo ^ lo >> 30) * 0xbf58476d1ce4e5b9ull;
	lo = (lo ^ lo >> 27) * 0x94d049bb133111ebull;
	return lo ^ lo >> 31;
}

/* The same value for either direction of a tuple. */
static size_t streams_hash(const struct tl_endpoint *a, const struct tl_endpoint *b)
{
	return (size_t)(streams_mix(a) + streams_mix(b));
}

static bool streams_match(const struct tl_tcp_stream_entry *e, const struct tl_endpoint *src,
			  const struct tl_endpoint *dst, int *dir)
{
	if (tl_endpoint_eq(&e->ep[0], src) && tl_endpoint_eq(&e->ep[1], dst))
		*dir = 0;
	else if (tl_endpoint_eq(&e->ep[0], dst) && tl_endpoint_eq(&e->ep[1], src))
		*dir = 1;
	else
		return false;
	return true;
}

/* The tuple's slot: its entry, or the free slot where it belongs. */
static struct tl_tcp_stream_entry *streams_slot(const struct tl_tcp_streams *s,
						const struct tl_endpoint *src,
						const struct tl_endpoint *dst, int *dir)
{
	size_t i = streams_hash(src, dst) & (s->nslots - 1);

	while (s->slots[i].used && !streams_match(&s->slots[i], src, dst, dir))
		i = (i + 1) & (s->nslots - 1);
	return &s->slots[i];
}

/* Keeps the table at most half full. */
static int streams_grow(struct tl_tcp_streams *s)
{
	struct tl_tcp_streams bigger = {
	    .nslots = s->nslots ? 2 * s->nslots : 64, .used = s->used, .next = s->next};
	int dir;

	if (2 * (s->used + 1) <= s->nslots)
		return 0;
	bigger.slots = calloc(bigger.nslots, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].used)
			*streams_slot(&bigger, &s->slots[i].ep[0], &s->slots[i].ep[1], &dir) =
			    s->slots[i];
	free(s->slots);
	*s = bigger;
	return 0;
}

static void streams_bases(struct tl_tcp_stream_entry *e, int dir, const struct tl_packet *p)
{
	if (!e->base_set[dir]) {
		e->base[dir] = p->flags & TL_SYN ? p->seq : p->seq - 1;
		e->base_set[dir] = true;
	}
	if ((p->flags & TL_ACK) && !e->base_set[!dir]) {
		e->base[!dir] = p->ack - 1;
		e->base_set[!dir] = true;
	}
}

/* A SYN without ACK with another seq than its direction's base. */
static bool streams_reused(const struct tl_tcp_stream_entry *e, int dir, const struct tl_packet *p)
{
	return (p->flags & (TL_SYN | TL_ACK)) == TL_SYN && e->base_set[dir] &&
	       e->base[dir] != p->seq;
}

int tl_tcp_streams_of(struct tl_tcp_streams *s, const struct tl_packet *p, __u64 *stream)
{
	struct tl_endpoint src, dst;
	struct tl_tcp_stream_entry *e;
	int dir = 0;

	tl_endpoint_set(&src, p->family, p->saddr, p->sport);
	tl_endpoint_set(&dst, p->family, p->daddr, p->dport);
	if (streams_grow(s))
		return -ENOMEM;
	e = streams_slot(s, &src, &dst, &dir);
	s->used += !e->used;
	if (!e->used || streams_reused(e, dir, p)) {
		*e = (struct tl_tcp_stream_entry){
		    .used = true, .ep = {src, dst}, .stream = s->next++};
		dir = 0;
	}
	streams_bases(e, dir, p);
	*stream = e->stream;
	return 0;
}
