/* What an output keeps per connection (a timeline being built, a cache of
 * its address members), found by the connection's id: the engine hands
 * outputs a read-only connection, so each keeps its own state. */
#ifndef TL_CONN_MAP_H
#define TL_CONN_MAP_H

#include <linux/types.h>
#include <stddef.h>

struct tl_conn_map_slot {
	__u64 id; /* 0: empty (connection ids start at 1) */
	void *v;
};

/* Zeroed is empty. */
struct tl_conn_map {
	struct tl_conn_map_slot *slots;
	size_t cap, n; /* cap: 0 or a power of two */
};

/* The value kept for id, NULL when none. */
void *tl_conn_map_get(const struct tl_conn_map *m, __u64 id);
/* Keeps v (not NULL) for id, which has none yet. Returns 0 or -ENOMEM. */
int tl_conn_map_put(struct tl_conn_map *m, __u64 id, void *v);
/* Removes id's value and returns it; NULL when none. */
void *tl_conn_map_take(struct tl_conn_map *m, __u64 id);
/* Frees the table, and each value still kept with free_value (or not,
 * when it is NULL). */
void tl_conn_map_free(struct tl_conn_map *m, void (*free_value)(void *v));

#endif
