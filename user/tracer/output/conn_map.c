/* Open addressing with linear probing, kept at most half full; a removal
 * moves later entries of the run back (no tombstones), so that a long
 * trace's churn of connections never slows the lookups. */
#include "tracer/output/conn_map.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define CONN_MAP_MIN 64

static size_t home(__u64 id, size_t cap)
{
	/* Ids are consecutive: Fibonacci hashing spreads them over the table. */
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static struct tl_conn_map_slot *find(const struct tl_conn_map *m, __u64 id)
{
	if (!m->cap)
		return NULL;
	for (size_t i = home(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].id == id)
			return &m->slots[i];
		if (!m->slots[i].id)
			return NULL;
	}
}

void *tl_conn_map_get(const struct tl_conn_map *m, __u64 id)
{
	struct tl_conn_map_slot *s = find(m, id);

	return s ? s->v : NULL;
}

static void place(struct tl_conn_map_slot *slots, size_t cap, __u64 id, void *v)
{
	size_t i = home(id, cap);

	while (slots[i].id)
		i = (i + 1) & (cap - 1);
	slots[i] = (struct tl_conn_map_slot){.id = id, .v = v};
}

static int grow(struct tl_conn_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : CONN_MAP_MIN;
	struct tl_conn_map_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].id)
			place(slots, cap, m->slots[i].id, m->slots[i].v);
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int tl_conn_map_put(struct tl_conn_map *m, __u64 id, void *v)
{
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	place(m->slots, m->cap, id, v);
	m->n++;
	return 0;
}

/* Whether the entry at j, whose home is h, may move back to the hole at i:
 * h is not cyclically within (i, j]. */
static bool may_fill(size_t i, size_t j, size_t h)
{
	return i <= j ? h <= i || h > j : h <= i && h > j;
}

void *tl_conn_map_take(struct tl_conn_map *m, __u64 id)
{
	struct tl_conn_map_slot *s = find(m, id);
	size_t mask = m->cap - 1, i, j;
	void *v;

	if (!s)
		return NULL;
	v = s->v;
	i = (size_t)(s - m->slots);
	for (j = (i + 1) & mask; m->slots[j].id; j = (j + 1) & mask) {
		if (may_fill(i, j, home(m->slots[j].id, m->cap))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i] = (struct tl_conn_map_slot){0};
	m->n--;
	return v;
}

void tl_conn_map_free(struct tl_conn_map *m, void (*free_value)(void *v))
{
	for (size_t i = 0; free_value && i < m->cap; i++)
		if (m->slots[i].id)
			free_value(m->slots[i].v);
	free(m->slots);
	*m = (struct tl_conn_map){0};
}
