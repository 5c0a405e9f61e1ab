#include "common/vec.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A first size that spares the smallest arrays most reallocations. */
#define VEC_FIRST_CAP 16

void *vec_reserve(void *items, size_t *cap, size_t want, size_t size)
{
	return vec_reserve_from(items, cap, want, size, VEC_FIRST_CAP);
}

void *vec_reserve_from(void *items, size_t *cap, size_t want, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *p;

	if (want <= *cap && items)
		return items;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return NULL;
	p = realloc(items, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

int vec_grow_bytes(char **buf, size_t *cap, size_t len, size_t n, size_t first)
{
	char *p;

	if (n > SIZE_MAX - len)
		return -ENOMEM;
	p = vec_reserve_from(*buf, cap, len + n, 1, first);
	if (!p)
		return -ENOMEM;
	*buf = p;
	return 0;
}

void *vec_push(struct vec *v, size_t size)
{
	void *items = vec_reserve(v->items, &v->cap, v->n + 1, size);

	if (!items)
		return NULL;
	v->items = items;
	return memset((char *)items + v->n++ * size, 0, size);
}

void *vec_slot(struct vec *v, size_t i, size_t size)
{
	while (v->n <= i)
		if (!vec_push(v, size))
			return NULL;
	return (char *)v->items + i * size;
}

const void *vec_at(const struct vec *v, size_t i, size_t size)
{
	return i < v->n ? (const char *)v->items + i * size : NULL;
}

void *vec_by_id(struct vec *order, struct vec *index, size_t id, size_t size, bool *created)
{
	void **slot = vec_slot(index, id, sizeof(*slot)), **last;

	*created = false;
	if (!slot)
		return NULL;
	if (*slot)
		return *slot;
	last = vec_push(order, sizeof(*last));
	if (!last)
		return NULL;
	*last = calloc(1, size);
	if (!*last) {
		order->n--;
		return NULL;
	}
	*created = true;
	return *slot = *last;
}
