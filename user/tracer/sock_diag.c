#include "tracer/sock_diag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int tl_sock_diag_open(void)
{
	/* A reply that never comes must not stall the tracer's loop. */
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void fill_request(struct inet_diag_req_v2 *r, const struct tl_endpoint *local,
			 const struct tl_endpoint *remote)
{
	size_t alen = local->family == AF_INET ? 4 : 16;

	memset(r, 0, sizeof(*r));
	r->sdiag_family = local->family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = ~0U;
	r->id.idiag_sport = htons(local->port);
	r->id.idiag_dport = htons(remote->port);
	memcpy(r->id.idiag_src, local->addr, alen);
	memcpy(r->id.idiag_dst, remote->addr, alen);
	r->id.idiag_cookie[0] = r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

int tl_sock_diag_query(void *ctx, const struct tl_endpoint *local,
		       const struct tl_endpoint *remote, int *state, __u32 *expires_ms)
{
	int fd = (int)(intptr_t)ctx;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {.nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST},
	};
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	} reply;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	const struct inet_diag_msg *d;
	ssize_t n;

	fill_request(&msg.req, local, remote);
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	n = recv(fd, &reply, sizeof(reply), 0);
	if (n < 0)
		return -errno;
	if (n < (ssize_t)sizeof(struct nlmsghdr) || !NLMSG_OK(&reply.nlh, (size_t)n))
		return -EIO;
	if (reply.nlh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&reply.nlh);

		return e->error ? e->error : -ENOENT;
	}
	if (reply.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    reply.nlh.nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
		return -EIO;
	d = NLMSG_DATA(&reply.nlh);
	*state = d->idiag_state;
	*expires_ms = d->idiag_expires;
	return 0;
}
