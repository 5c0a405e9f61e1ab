/* Growable arrays for unbounded input (a trace's connections, their rows,
 * an index by id, an output's lines): the capacity doubles as they fill, so n
 * appends cost O(n) copies, and running out of memory leaves the array as
 * it was, for the caller to free. */
#ifndef TL_COMMON_VEC_H
#define TL_COMMON_VEC_H

#include <stdbool.h>
#include <stddef.h>

/* Items of one size, which every call names (the caller knows their type).
 * Zeroed is empty; free(items) frees it. */
struct vec {
	void *items;
	size_t n, cap;
};

/* vec_reserve: for an array kept in typed fields (or a byte buffer).
 * items has room for *cap items of size bytes. Returns it with room for
 * want, moved or not, *cap doubled (from 16) as often as that takes; NULL
 * when memory runs out or the size would overflow, items and *cap
 * unchanged (as realloc leaves them). */
void *vec_reserve(void *items, size_t *cap, size_t want, size_t size);

/* vec_reserve_from: vec_reserve with the first capacity given (first > 0):
 * a buffer that will hold lines or records starts where its first few
 * fit, not at 16. */
void *vec_reserve_from(void *items, size_t *cap, size_t want, size_t size, size_t first);

/* vec_grow_bytes: room for n more bytes after len in *buf, a byte buffer of
 * *cap bytes (first when it is none yet); 0, or -ENOMEM with *buf and *cap
 * unchanged, as for the outputs' lines, which append to one buffer. */
int vec_grow_bytes(char **buf, size_t *cap, size_t len, size_t n, size_t first);

/* vec_push: appends a zeroed item and returns it (valid until the next
 * push); NULL when memory runs out, v unchanged. */
void *vec_push(struct vec *v, size_t size);

/* vec_slot: item i, v first grown with zeroed items to hold it (an index
 * by a small id); NULL when memory runs out. */
void *vec_slot(struct vec *v, size_t i, size_t size);

/* vec_at: item i, NULL past the end. */
const void *vec_at(const struct vec *v, size_t i, size_t size);

/* vec_by_id: the item for id in a list kept in the order ids were first
 * seen (order: the items' pointers) and found by id (index: a pointer per
 * id, as vec_slot keeps it), as trace readers keep connections. An id's
 * first call makes its item, zeroed, of size bytes, and sets *created. NULL
 * when memory runs out: nothing made. The caller frees the items. */
void *vec_by_id(struct vec *order, struct vec *index, size_t id, size_t size, bool *created);

/* vec_ptr_at: item i (< v->n) of a list of pointers, as vec_by_id keeps. */
static inline void *vec_ptr_at(const struct vec *v, size_t i)
{
	return ((void *const *)v->items)[i];
}

#endif
