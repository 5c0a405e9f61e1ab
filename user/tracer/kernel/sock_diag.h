/* The kernel's socket table through NETLINK_SOCK_DIAG, as `ss` reads it:
 * here, to confirm a timewait socket and read its timer. */
#ifndef TL_SOCK_DIAG_H
#define TL_SOCK_DIAG_H

#include <linux/types.h>

#include "tracer/proto/endpoint.h"
#include "tracer/engine/engine.h"

/* Opens the netlink socket; returns an fd or -errno. */
int tl_sock_diag_open(void);

/* tl_sock_diag_query: the TCP socket (timewait ones included) with this
 * local and remote endpoint, and this cookie unless it is 0. ctx is the fd
 * cast with (void *)(intptr_t). Matches tl_sock_query_fn. */
int tl_sock_diag_query(void *ctx, const struct tl_endpoint *local, const struct tl_endpoint *remote,
		       __u64 cookie, struct tl_sock_info *info);

#endif
