/* The TIME_WAIT watch container against a plain array kept beside it:
 * watches come out in due order however they were added, rescheduled or
 * removed, each tuple finds exactly its watches (either way round), and
 * the container refuses the watch past its capacity. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "tracer/engine/tw_watches.h"
#include "unit.h"

/* What the container should hold: by conn_id, 0 for a free row. */
struct model {
	__u64 due[TL_TW_WATCH_MAX + 1];
	__u16 port[TL_TW_WATCH_MAX + 1];
};

static struct tl_endpoint ep(__u16 port)
{
	static const __u8 lo[16] = {127, 0, 0, 1};
	struct tl_endpoint e;

	tl_endpoint_set(&e, AF_INET, lo, port);
	return e;
}

static struct tl_tw_watch watch(__u64 id, __u16 port, __u64 due)
{
	struct tl_tw_watch w = {
	    .conn_id = id, .local = ep(port), .remote = ep(80), .check_ns = due};

	return w;
}

/* Finds the live watch of conn id through its tuple. */
static struct tl_tw_watch *find(struct tl_tw_watches *ws, __u64 id, __u16 port)
{
	struct tl_endpoint a = ep(80), b = ep(port);
	struct tl_tw_watch *w = NULL;

	while ((w = tl_tw_watches_on(ws, &a, &b, w)))
		if (w->conn_id == id)
			return w;
	return NULL;
}

/* Adds one watch per conn id 1..TL_TW_WATCH_MAX, tuples shared by
 * several; returns how many adds failed. */
static int fill(struct tl_tw_watches *ws, struct model *m)
{
	int failed = 0;

	for (__u64 id = 1; id <= TL_TW_WATCH_MAX; id++) {
		struct tl_tw_watch w;

		m->port[id] = (__u16)(1000 + rand() % 300);
		m->due[id] = 1 + (__u64)(rand() % 100000);
		w = watch(id, m->port[id], m->due[id]);
		failed += tl_tw_watches_add(ws, &w) != 0;
	}
	return failed;
}

/* Reschedules a third and removes a third; returns the ids not found. */
static int churn(struct tl_tw_watches *ws, struct model *m)
{
	int lost = 0;

	for (__u64 id = 1; id <= TL_TW_WATCH_MAX; id++) {
		struct tl_tw_watch *w = find(ws, id, m->port[id]);
		int r = rand() % 3;

		if (!w) {
			lost++;
		} else if (r == 0) {
			m->due[id] = 1 + (__u64)(rand() % 100000);
			tl_tw_watches_reschedule(ws, w, m->due[id]);
		} else if (r == 1) {
			m->due[id] = 0;
			tl_tw_watches_remove(ws, w);
		}
	}
	return lost;
}

/* Takes every watch out in due order; returns how many came out of order
 * or with another due time than the model's, and counts them in *n. */
static int drain(struct tl_tw_watches *ws, struct model *m, int *n)
{
	struct tl_tw_watch *w;
	__u64 prev = 0;
	int bad = 0;

	for (*n = 0; (w = tl_tw_watches_due(ws, ~0ULL)); (*n)++) {
		bad += w->check_ns < prev || w->check_ns != m->due[w->conn_id];
		prev = w->check_ns;
		m->due[w->conn_id] = 0;
		tl_tw_watches_remove(ws, w);
	}
	return bad;
}

int main(void)
{
	static struct model m;
	struct tl_tw_watches ws = {0};
	struct tl_tw_watch extra = watch(TL_TW_WATCH_MAX + 1, 1, 50);
	int live = 0, misplaced = 0, bad, n;

	srand(8);
	UNIT_CHECK(!tl_tw_watches_due(&ws, ~0ULL), "empty: nothing due");
	UNIT_CHECK(fill(&ws, &m) == 0, "%d watches added", TL_TW_WATCH_MAX);
	UNIT_CHECK(tl_tw_watches_add(&ws, &extra) == -ENOSPC, "one more: -ENOSPC");
	UNIT_CHECK(churn(&ws, &m) == 0, "every watch found by its tuple");
	for (__u64 id = 1; id <= TL_TW_WATCH_MAX; id++) {
		live += m.due[id] != 0;
		misplaced += (find(&ws, id, m.port[id]) != NULL) != (m.due[id] != 0);
	}
	UNIT_CHECK(misplaced == 0, "removed watches gone from their tuple (%d wrong)", misplaced);
	bad = drain(&ws, &m, &n);
	UNIT_CHECK(bad == 0 && n == live, "%d of %d out in due order (%d wrong)", n, live, bad);
	UNIT_CHECK(fill(&ws, &m) == 0, "slots reused after removal");
	drain(&ws, &m, &n);
	tl_tw_watches_add(&ws, &extra);
	UNIT_CHECK(!tl_tw_watches_due(&ws, 49) && tl_tw_watches_due(&ws, 50), "due at check_ns");
	tl_tw_watches_free(&ws);
	return unit_done();
}
