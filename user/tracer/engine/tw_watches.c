#include "tracer/engine/tw_watches.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Tuples per chain stay few: watches are at most TL_TW_WATCH_MAX. */
#define NBUCKETS 4096

/* The same for a-b and b-a: a new connection's segment names the tuple
 * from either end. Loopback tuples differ mostly in their ports. */
static int bucket_of(const struct tl_endpoint *a, const struct tl_endpoint *b)
{
	__u32 h = (__u32)(a->port ^ b->port) * 0x9e3779b1U + a->port + b->port;

	for (int i = 0; i < 16; i++)
		h += (__u32)(a->addr[i] ^ b->addr[i]) << (i % 4 * 8);
	return (int)((h ^ (h >> 15)) % NBUCKETS);
}

static bool alloc_once(struct tl_tw_watches *ws)
{
	if (ws->slot)
		return true;
	ws->slot = calloc(TL_TW_WATCH_MAX, sizeof(*ws->slot));
	ws->heap = calloc(TL_TW_WATCH_MAX, sizeof(*ws->heap));
	ws->bucket = malloc(NBUCKETS * sizeof(*ws->bucket));
	if (!ws->slot || !ws->heap || !ws->bucket) {
		tl_tw_watches_free(ws);
		return false;
	}
	memset(ws->bucket, -1, NBUCKETS * sizeof(*ws->bucket));
	for (int i = 0; i < TL_TW_WATCH_MAX; i++)
		ws->slot[i].next = i + 1 < TL_TW_WATCH_MAX ? i + 1 : -1;
	ws->free_head = 0;
	return true;
}

static void heap_set(struct tl_tw_watches *ws, int pos, int slot)
{
	ws->heap[pos] = slot;
	ws->slot[slot].heap_pos = pos;
}

static __u64 due_at(const struct tl_tw_watches *ws, int pos)
{
	return ws->slot[ws->heap[pos]].check_ns;
}

/* Moves the watch at pos up or down to its place. */
static void heap_fix(struct tl_tw_watches *ws, int pos)
{
	int slot = ws->heap[pos];
	__u64 due = ws->slot[slot].check_ns;

	while (pos > 0 && due_at(ws, (pos - 1) / 2) > due) {
		heap_set(ws, pos, ws->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		int child = 2 * pos + 1;

		if (child + 1 < ws->count && due_at(ws, child + 1) < due_at(ws, child))
			child++;
		if (child >= ws->count || due_at(ws, child) >= due)
			break;
		heap_set(ws, pos, ws->heap[child]);
		pos = child;
	}
	heap_set(ws, pos, slot);
}

int tl_tw_watches_add(struct tl_tw_watches *ws, const struct tl_tw_watch *w)
{
	struct tl_tw_watch *s;
	int i, b;

	if (!alloc_once(ws))
		return -ENOMEM;
	if (ws->free_head < 0)
		return -ENOSPC;
	i = ws->free_head;
	s = &ws->slot[i];
	ws->free_head = s->next;
	*s = *w;
	b = bucket_of(&w->local, &w->remote);
	s->next = ws->bucket[b];
	ws->bucket[b] = i;
	heap_set(ws, ws->count++, i);
	heap_fix(ws, ws->count - 1);
	return 0;
}

struct tl_tw_watch *tl_tw_watches_due(const struct tl_tw_watches *ws, __u64 now_ns)
{
	if (!ws->count || due_at(ws, 0) > now_ns)
		return NULL;
	return &ws->slot[ws->heap[0]];
}

void tl_tw_watches_reschedule(struct tl_tw_watches *ws, struct tl_tw_watch *w, __u64 check_ns)
{
	w->check_ns = check_ns;
	heap_fix(ws, w->heap_pos);
}

void tl_tw_watches_remove(struct tl_tw_watches *ws, struct tl_tw_watch *w)
{
	int i = (int)(w - ws->slot), pos = w->heap_pos;
	int *pp = &ws->bucket[bucket_of(&w->local, &w->remote)];

	while (*pp != i)
		pp = &ws->slot[*pp].next;
	*pp = w->next;
	w->next = ws->free_head;
	ws->free_head = i;
	if (pos != --ws->count) {
		heap_set(ws, pos, ws->heap[ws->count]);
		heap_fix(ws, pos);
	}
}

static bool on_tuple(const struct tl_tw_watch *w, const struct tl_endpoint *a,
		     const struct tl_endpoint *b)
{
	return (tl_endpoint_eq(&w->local, a) && tl_endpoint_eq(&w->remote, b)) ||
	       (tl_endpoint_eq(&w->local, b) && tl_endpoint_eq(&w->remote, a));
}

struct tl_tw_watch *tl_tw_watches_on(const struct tl_tw_watches *ws, const struct tl_endpoint *a,
				     const struct tl_endpoint *b, const struct tl_tw_watch *prev)
{
	int i;

	if (!ws->count)
		return NULL;
	for (i = prev ? prev->next : ws->bucket[bucket_of(a, b)]; i >= 0; i = ws->slot[i].next)
		if (on_tuple(&ws->slot[i], a, b))
			return &ws->slot[i];
	return NULL;
}

void tl_tw_watches_free(struct tl_tw_watches *ws)
{
	free(ws->slot);
	free(ws->heap);
	free(ws->bucket);
	*ws = (struct tl_tw_watches){.free_head = -1};
}
