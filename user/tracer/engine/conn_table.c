#include "tracer/engine/conn_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tracer/engine/engine_impl.h"

#define INITIAL_BUCKETS 1024

static __u64 endpoint_hash(const struct tl_endpoint *ep)
{
	/* FNV-1a over the address bytes in use and the port. */
	size_t n = ep->family == AF_INET ? 4 : 16;
	__u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ ep->addr[i]) * 0x100000001b3ULL;
	h = (h ^ (ep->port & 0xff)) * 0x100000001b3ULL;
	return (h ^ (ep->port >> 8)) * 0x100000001b3ULL;
}

/* Symmetric, so that both directions of a connection land in one bucket. */
static size_t bucket_of(const struct tl_conn_table *t, const struct tl_endpoint *a,
			const struct tl_endpoint *b)
{
	__u64 h = endpoint_hash(a) + endpoint_hash(b);

	return (h ^ (h >> 29)) & (t->nbuckets - 1);
}

int tl_conn_table_init(struct tl_conn_table *t)
{
	t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->nbuckets = INITIAL_BUCKETS;
	t->count = 0;
	return 0;
}

void tl_conn_table_destroy(struct tl_conn_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = t->count = 0;
}

static bool conn_between(const struct tl_conn *c, const struct tl_endpoint *a,
			 const struct tl_endpoint *b)
{
	return (tl_endpoint_eq(&c->ep[0], a) && tl_endpoint_eq(&c->ep[1], b)) ||
	       (tl_endpoint_eq(&c->ep[0], b) && tl_endpoint_eq(&c->ep[1], a));
}

struct tl_conn *tl_conn_table_find(const struct tl_conn_table *t, const struct tl_endpoint *a,
				   const struct tl_endpoint *b)
{
	struct tl_conn *c = t->buckets[bucket_of(t, a, b)];

	while (c && !conn_between(c, a, b))
		c = tl_econn(c)->next;
	return c;
}

static int grow(struct tl_conn_table *t)
{
	struct tl_conn_table bigger = {.nbuckets = t->nbuckets * 2};
	struct tl_conn *c, *next;

	bigger.buckets = calloc(bigger.nbuckets, sizeof(*bigger.buckets));
	if (!bigger.buckets)
		return -ENOMEM;
	for (size_t i = 0; i < t->nbuckets; i++) {
		for (c = t->buckets[i]; c; c = next) {
			size_t b = bucket_of(&bigger, &c->ep[0], &c->ep[1]);

			next = tl_econn(c)->next;
			tl_econn(c)->next = bigger.buckets[b];
			bigger.buckets[b] = c;
		}
	}
	free(t->buckets);
	t->buckets = bigger.buckets;
	t->nbuckets = bigger.nbuckets;
	return 0;
}

void tl_conn_table_insert(struct tl_conn_table *t, struct tl_conn *c)
{
	size_t b;

	/* A failed grow only makes chains longer. */
	if (t->count >= t->nbuckets)
		grow(t);
	b = bucket_of(t, &c->ep[0], &c->ep[1]);
	tl_econn(c)->next = t->buckets[b];
	t->buckets[b] = c;
	t->count++;
}

void tl_conn_table_remove(struct tl_conn_table *t, struct tl_conn *c)
{
	struct tl_conn **pp = &t->buckets[bucket_of(t, &c->ep[0], &c->ep[1])];

	while (*pp && *pp != c)
		pp = &tl_econn(*pp)->next;
	if (*pp) {
		*pp = tl_econn(c)->next;
		t->count--;
	}
}

struct tl_conn *tl_conn_table_any(const struct tl_conn_table *t)
{
	for (size_t i = 0; i < t->nbuckets && t->count; i++)
		if (t->buckets[i])
			return t->buckets[i];
	return NULL;
}

void tl_conn_table_each(struct tl_conn_table *t, void (*fn)(struct tl_conn *c, void *arg),
			void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct tl_conn *c = t->buckets[i]; c; c = tl_econn(c)->next)
			fn(c, arg);
}
