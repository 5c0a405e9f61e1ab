/* The kernel's socket table through NETLINK_SOCK_DIAG, as `ss` reads it:
 * here, to confirm a timewait socket and read its timer. */
#ifndef TL_SOCK_DIAG_H
#define TL_SOCK_DIAG_H

#include <linux/types.h>

#include "tracer/endpoint.h"

/* Opens the netlink socket; returns an fd or -errno. */
int tl_sock_diag_open(void);

/* tl_sock_diag_query: the TCP socket (timewait ones included) with this
 * local and remote endpoint. ctx is the fd cast with (void *)(intptr_t).
 * Returns 0 with its state and timer, -ENOENT when there is none, or -errno.
 * Matches tl_sock_query_fn. */
int tl_sock_diag_query(void *ctx, const struct tl_endpoint *local,
		       const struct tl_endpoint *remote, int *state, __u32 *expires_ms);

#endif
