/* TIME_WAIT watches: each timewait socket the engine follows through
 * sock_diag, kept in order of its next question (a binary heap: watches
 * fall due in any order once some are asked again early) and found by its
 * tuple (a new connection on the tuple ends it). */
#ifndef TL_TW_WATCHES_H
#define TL_TW_WATCHES_H

#include <linux/types.h>
#include <stdbool.h>

#include "tracer/engine/conn.h"
#include "tracer/proto/endpoint.h"

/* A side whose socket handed over to a timewait socket. */
struct tl_tw_watch {
	__u64 conn_id;
	enum tl_side side;
	struct tl_endpoint local, remote;
	__u64 start_ns;
	__u64 check_ns;	      /* when to ask sock_diag next */
	__u64 cookie;	      /* sock_diag's cookie of the timewait socket, 0 until found */
	__u64 reused_ns;      /* a new connection's SYN on the tuple, 0 none */
	bool alive_after_syn; /* found after that SYN: the SYN did not take it over */
	__u8 quick_asks;      /* asks in a row that found it past its timer, or waiting */
	__u8 failed_asks;     /* asks in a row that got no answer */
	bool confirmed;
	/* the container's */
	int heap_pos;
	int next; /* the tuple's chain */
};

/* Timewait sockets watched at once; past this, TIME_WAIT is still reported
 * but not its end (under heavy churn, sock_diag would cost more than the
 * tracing). */
#define TL_TW_WATCH_MAX 4096

struct tl_tw_watches {
	struct tl_tw_watch *slot; /* TL_TW_WATCH_MAX, allocated at the first add */
	int *heap;		  /* slot indices, the earliest check_ns first */
	int *bucket;		  /* first slot of each tuple chain, -1 none */
	int count;
	int free_head; /* chain of unused slots through .next */
};

/* tl_tw_watches_add: a copy of w; -ENOMEM, or -ENOSPC when full. */
int tl_tw_watches_add(struct tl_tw_watches *ws, const struct tl_tw_watch *w);
/* tl_tw_watches_due: the watch to ask about first, if due by now_ns. */
struct tl_tw_watch *tl_tw_watches_due(const struct tl_tw_watches *ws, __u64 now_ns);
/* tl_tw_watches_reschedule: w falls due at check_ns instead. */
void tl_tw_watches_reschedule(struct tl_tw_watches *ws, struct tl_tw_watch *w, __u64 check_ns);
/* tl_tw_watches_remove: w is forgotten; w no longer points at it. */
void tl_tw_watches_remove(struct tl_tw_watches *ws, struct tl_tw_watch *w);
/* tl_tw_watches_on: the watches of the tuple a-b (either way round): the
 * first with prev NULL, then the one after prev; NULL at the end. */
struct tl_tw_watch *tl_tw_watches_on(const struct tl_tw_watches *ws, const struct tl_endpoint *a,
				     const struct tl_endpoint *b, const struct tl_tw_watch *prev);
void tl_tw_watches_free(struct tl_tw_watches *ws);

#endif
