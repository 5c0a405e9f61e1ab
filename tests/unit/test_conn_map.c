/* The outputs' per-connection map (output/conn_map.c): against a plain
 * array of what it should hold, through growth, wrap-around and the
 * removals that move entries back, as a long trace's connections come and
 * go. */
#include "tracer/output/conn_map.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"

#define IDS 6000

static int freed;

static void count_free(void *v)
{
	(void)v;
	freed++;
}

/* A value that names its id, to tell a value from another id's. */
static void *val(__u64 id) { return (void *)(uintptr_t)(id * 16 + 8); }

/* Every id's lookup agrees with live[]: kept ids give their value, others NULL. */
static bool agrees(const struct tl_conn_map *m, const bool *live, __u64 upto)
{
	for (__u64 id = 1; id <= upto; id++)
		if (tl_conn_map_get(m, id) != (live[id] ? val(id) : NULL))
			return false;
	return true;
}

static const struct {
	int line;
	const char *desc;
	unsigned keep; /* connections open at once, about */
	unsigned seed;
} rows[] = {
    {__LINE__, "one connection at a time", 1, 1},
    {__LINE__, "a few at a time", 7, 2},
    {__LINE__, "past the first growth", 100, 3},
    {__LINE__, "many, churning", 1500, 4},
};

int main(void)
{
	static bool live[IDS + 1];

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct tl_conn_map m = {0};
		unsigned rnd = rows[r].seed, nlive = 0;
		bool ok = true;

		for (__u64 id = 1; id <= IDS; id++)
			live[id] = false;
		for (__u64 id = 1; id <= IDS; id++) {
			ok &= !tl_conn_map_put(&m, id, val(id));
			live[id] = true;
			nlive++;
			/* End random earlier lives while more than keep are open. */
			while (nlive > rows[r].keep) {
				rnd = rnd * 1103515245u + 12345u;
				__u64 victim = 1 + (rnd >> 8) % id;

				if (!live[victim])
					continue;
				ok &= tl_conn_map_take(&m, victim) == val(victim);
				ok &= !tl_conn_map_take(&m, victim);
				live[victim] = false;
				nlive--;
			}
			if (id % 500 == 0)
				ok &= agrees(&m, live, IDS);
		}
		ok &= agrees(&m, live, IDS) && m.n == nlive && m.n * 2 <= m.cap;
		freed = 0;
		tl_conn_map_free(&m, count_free);
		UNIT_CHECK_AT(rows[r].line, ok && freed == (int)nlive && !m.slots && !m.cap,
			      "%s: lookups agree after %d lives, %u freed at the end (got %d)",
			      rows[r].desc, IDS, nlive, freed);
	}
	UNIT_CHECK(!tl_conn_map_get(&(struct tl_conn_map){0}, 1) &&
		       !tl_conn_map_take(&(struct tl_conn_map){0}, 1),
		   "an empty map holds nothing");
	return unit_done();
}
