/* Live connections, found by their 4-tuple in either direction. */
#ifndef TL_CONN_TABLE_H
#define TL_CONN_TABLE_H

#include <stddef.h>

#include "tracer/engine/conn.h"

struct tl_conn_table {
	struct tl_conn **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
};

int tl_conn_table_init(struct tl_conn_table *t);
/* Frees the table, not the connections (remove them first). */
void tl_conn_table_destroy(struct tl_conn_table *t);

/* tl_conn_table_find: the live connection between a and b, in either order. */
struct tl_conn *tl_conn_table_find(const struct tl_conn_table *t, const struct tl_endpoint *a,
				   const struct tl_endpoint *b);
/* tl_conn_table_insert: adds c, keyed by c->ep. */
void tl_conn_table_insert(struct tl_conn_table *t, struct tl_conn *c);
void tl_conn_table_remove(struct tl_conn_table *t, struct tl_conn *c);
/* tl_conn_table_any: any one connection, NULL when empty. */
struct tl_conn *tl_conn_table_any(const struct tl_conn_table *t);
/* tl_conn_table_each: calls fn on every connection; fn may not remove. */
void tl_conn_table_each(struct tl_conn_table *t, void (*fn)(struct tl_conn *c, void *arg),
			void *arg);

#endif
