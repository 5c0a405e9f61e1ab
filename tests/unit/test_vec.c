/* common/vec.c, the growable arrays of compare, report, grade and the
 * outputs' byte buffers: items
 * pushed come zeroed and stay as written through every growth, an index
 * grows to reach its slot, a reservation doubles as often as it takes, a
 * size that would overflow is refused with the array left as it was, and
 * items kept by id are made once and listed in first-seen order; a byte
 * buffer starts at its own first capacity and keeps its bytes. */
#include "common/vec.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Item k's bytes: each byte names k and its offset, to tell items apart. */
static void fill(unsigned char *p, size_t size, size_t k)
{
	for (size_t b = 0; b < size; b++)
		p[b] = (unsigned char)(k * 7 + b + 1);
}

static bool holds(const struct vec *v, size_t size, size_t n)
{
	unsigned char want[64];

	for (size_t k = 0; k < n; k++) {
		fill(want, size, k);
		if (memcmp(vec_at(v, k, size), want, size))
			return false;
	}
	return v->n == n && v->cap >= n && !vec_at(v, n, size);
}

static bool zeroed(const unsigned char *p, size_t size)
{
	for (size_t b = 0; b < size; b++)
		if (p[b])
			return false;
	return true;
}

static const struct {
	int line;
	const char *desc;
	size_t size, n;
	size_t cap; /* after n pushes */
} pushes[] = {
    {__LINE__, "one byte-sized item", 1, 1, 16},
    {__LINE__, "a pointer's size, to the first capacity", sizeof(void *), 16, 16},
    {__LINE__, "one past the first capacity doubles it", sizeof(void *), 17, 32},
    {__LINE__, "an odd size, many growths", 13, 1000, 1024},
    {__LINE__, "a large item", 64, 300, 512},
};

static void test_push(void)
{
	for (size_t r = 0; r < sizeof(pushes) / sizeof(pushes[0]); r++) {
		struct vec v = {0};
		bool fresh = true;

		for (size_t k = 0; k < pushes[r].n; k++) {
			unsigned char *p = vec_push(&v, pushes[r].size);

			fresh &= p && zeroed(p, pushes[r].size);
			if (p)
				fill(p, pushes[r].size, k);
		}
		UNIT_CHECK_AT(pushes[r].line, fresh, "push: %s: each item comes zeroed",
			      pushes[r].desc);
		UNIT_CHECK_AT(pushes[r].line, holds(&v, pushes[r].size, pushes[r].n),
			      "push: %s: every item kept", pushes[r].desc);
		UNIT_CHECK_AT(pushes[r].line, v.cap == pushes[r].cap,
			      "push: %s: capacity %zu (want %zu)", pushes[r].desc, v.cap,
			      pushes[r].cap);
		free(v.items);
	}
}

static const struct {
	int line;
	const char *desc;
	size_t first, second; /* slots asked for, in this order */
	size_t n;	      /* items after both */
} slots[] = {
    {__LINE__, "slot 0 of an empty index", 0, 0, 1},
    {__LINE__, "a far slot, then a near one", 40, 3, 41},
    {__LINE__, "a near slot, then a far one", 3, 1000, 1001},
};

static void test_slot(void)
{
	for (size_t r = 0; r < sizeof(slots) / sizeof(slots[0]); r++) {
		struct vec v = {0};
		size_t *a = vec_slot(&v, slots[r].first, sizeof(*a)), *b;
		bool between_zero = true;

		if (a)
			*a = 0xa;
		b = vec_slot(&v, slots[r].second, sizeof(*b));
		if (b && slots[r].second != slots[r].first)
			*b = 0xb;
		a = vec_slot(&v, slots[r].first, sizeof(*a));
		for (size_t i = 0; i < v.n; i++)
			if (i != slots[r].first && i != slots[r].second)
				between_zero &= !*(const size_t *)vec_at(&v, i, sizeof(size_t));
		UNIT_CHECK_AT(slots[r].line, a && b && *a == 0xa && v.n == slots[r].n,
			      "slot: %s: reached, %zu items (want %zu), the first kept",
			      slots[r].desc, v.n, slots[r].n);
		UNIT_CHECK_AT(slots[r].line, between_zero, "slot: %s: the slots between are empty",
			      slots[r].desc);
		free(v.items);
	}
}

static const struct {
	int line;
	const char *desc;
	size_t cap, want, size;
	size_t want_cap; /* 0: refused, the capacity unchanged */
} reserves[] = {
    {__LINE__, "room left: the array stays", 4, 3, 1, 4},
    {__LINE__, "room for exactly want: the array stays", 4, 4, 1, 4},
    {__LINE__, "an empty array gets the first capacity", 0, 1, 8, 16},
    {__LINE__, "an empty array, a larger want", 0, 100, 1, 128},
    {__LINE__, "several doublings at once (a byte buffer)", 16, 1000, 1, 1024},
    {__LINE__, "the doubled capacity's bytes overflow", 16, 17, SIZE_MAX / 20, 0},
    {__LINE__, "the capacity itself overflows when doubled", SIZE_MAX / 2 + 1, SIZE_MAX, 1, 0},
    {__LINE__, "the first capacity's bytes overflow", 0, 1, SIZE_MAX / 8, 0},
};

static void test_reserve(void)
{
	for (size_t r = 0; r < sizeof(reserves) / sizeof(reserves[0]); r++) {
		size_t cap = reserves[r].cap, size = reserves[r].size;
		/* Refused rows never reach realloc: a stand-in array will do. */
		bool real = reserves[r].want_cap != 0;
		char stand_in[8], *items = real ? (cap ? calloc(cap, size) : NULL) : stand_in;
		char *got = vec_reserve(items, &cap, reserves[r].want, size);

		if (!real)
			UNIT_CHECK_AT(reserves[r].line, !got && cap == reserves[r].cap,
				      "reserve: %s: refused, the capacity unchanged",
				      reserves[r].desc);
		else
			UNIT_CHECK_AT(reserves[r].line,
				      got && cap == reserves[r].want_cap &&
					  (reserves[r].want > reserves[r].cap || got == items),
				      "reserve: %s: capacity %zu (want %zu)", reserves[r].desc, cap,
				      reserves[r].want_cap);
		if (real)
			free(got ? got : items);
	}
}

/* Byte buffers as the outputs grow them: len bytes used of cap, n more. */
static const struct {
	int line;
	const char *desc;
	size_t cap, len, n, first;
	size_t want_cap; /* 0: refused, the buffer unchanged */
} grows[] = {
    {__LINE__, "an empty buffer starts at its first capacity", 0, 0, 10, 4096, 4096},
    {__LINE__, "an empty buffer, more than the first", 0, 0, 5000, 4096, 8192},
    {__LINE__, "a full buffer doubles", 256, 256, 1, 256, 512},
    {__LINE__, "several doublings at once", 256, 200, 2000, 256, 4096},
    {__LINE__, "len + n overflows", 256, 200, SIZE_MAX - 100, 256, 0},
};

static void test_grow_bytes(void)
{
	for (size_t r = 0; r < sizeof(grows) / sizeof(grows[0]); r++) {
		size_t cap = grows[r].cap;
		char *buf = cap ? malloc(cap) : NULL, *was = buf;
		int err;

		if (buf)
			memset(buf, 'x', grows[r].len);
		err = vec_grow_bytes(&buf, &cap, grows[r].len, grows[r].n, grows[r].first);
		if (!grows[r].want_cap)
			UNIT_CHECK_AT(grows[r].line, err < 0 && buf == was && cap == grows[r].cap,
				      "grow bytes: %s: refused, the buffer unchanged",
				      grows[r].desc);
		else
			UNIT_CHECK_AT(
			    grows[r].line,
			    !err && buf && cap == grows[r].want_cap &&
				(!grows[r].len || (buf[0] == 'x' && buf[grows[r].len - 1] == 'x')),
			    "grow bytes: %s: capacity %zu (want %zu), bytes kept", grows[r].desc,
			    cap, grows[r].want_cap);
		free(buf);
	}
}

/* A sequence of ids, as a trace's events name connections: each id's
 * first event makes its item, the others find it. */
static const struct {
	int line;
	const char *desc;
	size_t ids[6];
	size_t nids;
	size_t order[6]; /* the ids of the items, in order */
	size_t nitems;
} by_ids[] = {
    {__LINE__, "one id, again and again", {7, 7, 7}, 3, {7}, 1},
    {__LINE__, "ids out of order, repeated, and 0", {5, 0, 5, 3, 0, 3}, 6, {5, 0, 3}, 3},
    {__LINE__, "a far id after near ones", {1, 2, 900, 1}, 4, {1, 2, 900}, 3},
};

static void test_by_id(void)
{
	for (size_t r = 0; r < sizeof(by_ids) / sizeof(by_ids[0]); r++) {
		struct vec order = {0}, index = {0};
		bool ok = true;

		for (size_t k = 0; k < by_ids[r].nids; k++) {
			size_t id = by_ids[r].ids[k], *item, seen = 0;
			bool created;

			for (size_t j = 0; j < k; j++)
				seen += by_ids[r].ids[j] == id;
			item = vec_by_id(&order, &index, id, sizeof(*item), &created);
			ok &= item && created == !seen && *item == (seen ? id + 1 : 0);
			if (item)
				*item = id + 1;
		}
		ok &= order.n == by_ids[r].nitems;
		for (size_t j = 0; ok && j < order.n; j++)
			ok &= *(size_t *)vec_ptr_at(&order, j) == by_ids[r].order[j] + 1;
		UNIT_CHECK_AT(by_ids[r].line, ok,
			      "by id: %s: made once each, found after, kept in first-seen order",
			      by_ids[r].desc);
		for (size_t j = 0; j < order.n; j++)
			free(vec_ptr_at(&order, j));
		free(order.items);
		free(index.items);
	}
}

int main(void)
{
	test_push();
	test_slot();
	test_reserve();
	test_grow_bytes();
	test_by_id();
	return unit_done();
}
