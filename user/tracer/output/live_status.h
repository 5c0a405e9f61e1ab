/* The status line: while lives are open, one line on the terminal (stderr)
 * says which connections are open and what each waits for, e.g.
 * "#10 #11 open, waiting for close (server keep-alive 5 s)", and which ended
 * lives still hold a timewait socket. It
 * is redrawn in place and erased before each write of the timeline, so that
 * it is never part of the output: only when stdout and stderr are a
 * terminal. */
#ifndef TL_LIVE_STATUS_H
#define TL_LIVE_STATUS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>

#include "tracer/engine/engine.h"

struct tl_live_status;

/* tl_live_status_wanted: whether out and stderr (fd 2) are a terminal that
 * can redraw a line (TERM is not "dumb"). */
bool tl_live_status_wanted(FILE *out);
/* tl_live_status_start: from now on stdout goes through the line, which is
 * erased before each write of it. Call it before anything uses stdout;
 * NULL when it cannot be done (then nothing changed). */
struct tl_live_status *tl_live_status_start(void);
/* Redraws the line for e's connections when it changed, at most 5 times a
 * second; NULL is fine. */
void tl_live_status_update(struct tl_live_status *s, struct tl_engine *e, __u64 now_ns);
/* Erases the line for good (before the last lines on stderr); NULL is fine. */
void tl_live_status_stop(struct tl_live_status *s);

/* tl_live_status_wait: what a connection waits for, in a few words (buf,
 * size bytes): the line's text for one connection. */
const char *tl_live_status_wait(const struct tl_conn_wait *w, char *buf, size_t size);

#endif
