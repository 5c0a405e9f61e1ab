/* Connection deadlines. Every deadline is "last restart + the one timeout",
 * so appending on restart keeps the list sorted: O(1) restart and removal,
 * and the head is always the next connection to expire. */
#ifndef HTTPD_IDLE_LIST_H
#define HTTPD_IDLE_LIST_H

#include <stdint.h>

struct idle_node {
	struct idle_node *prev;
	struct idle_node *next;
	uint64_t deadline_ms;
};

/* A circular list around a sentinel. */
struct idle_list {
	struct idle_node head;
};

void idle_list_init(struct idle_list *l);
/* Sets n's deadline and moves it to the tail; n may be linked or not. */
void idle_list_restart(struct idle_list *l, struct idle_node *n, uint64_t deadline_ms);
void idle_list_remove(struct idle_node *n);
/* The earliest deadline's node, or NULL when the list is empty. */
struct idle_node *idle_list_first(const struct idle_list *l);

#endif
