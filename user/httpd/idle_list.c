#include "httpd/idle_list.h"

#include <stddef.h>

void idle_list_init(struct idle_list *l)
{
	l->head.prev = &l->head;
	l->head.next = &l->head;
}

void idle_list_remove(struct idle_node *n)
{
	if (!n->next)
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = NULL;
	n->next = NULL;
}

void idle_list_restart(struct idle_list *l, struct idle_node *n, uint64_t deadline_ms)
{
	idle_list_remove(n);
	n->deadline_ms = deadline_ms;
	n->prev = l->head.prev;
	n->next = &l->head;
	l->head.prev->next = n;
	l->head.prev = n;
}

struct idle_node *idle_list_first(const struct idle_list *l)
{
	return l->head.next == &l->head ? NULL : l->head.next;
}
