#include "tracer/kernel/sock_diag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
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
			 const struct tl_endpoint *remote, __u64 cookie)
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
	r->id.idiag_cookie[0] = cookie ? (__u32)cookie : INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = cookie ? (__u32)(cookie >> 32) : INET_DIAG_NOCOOKIE;
}

/* The question's number: a late reply to an earlier question (one that
 * timed out) must not answer this one. */
static __u32 question_seq(const struct inet_diag_req_v2 *r)
{
	return ((__u32)r->id.idiag_sport << 16 | r->id.idiag_dport) ^ r->id.idiag_cookie[0];
}

/* Reads replies until the one to seq; its length, or -errno. */
static ssize_t recv_reply(int fd, void *buf, size_t size, __u32 seq)
{
	const struct nlmsghdr *nlh = buf;

	for (int stale = 0; stale < 8; stale++) {
		ssize_t n = recv(fd, buf, size, 0);

		if (n < 0)
			return -errno;
		if (n < (ssize_t)sizeof(*nlh) || !NLMSG_OK(nlh, (size_t)n))
			return -EIO;
		if (nlh->nlmsg_seq == seq)
			return n;
	}
	return -EIO;
}

/* Whether the reply is about the socket asked for. */
static bool same_socket(const struct inet_diag_msg *d, const struct inet_diag_req_v2 *r)
{
	return d->id.idiag_sport == r->id.idiag_sport && d->id.idiag_dport == r->id.idiag_dport &&
	       !memcmp(d->id.idiag_src, r->id.idiag_src, sizeof(d->id.idiag_src)) &&
	       !memcmp(d->id.idiag_dst, r->id.idiag_dst, sizeof(d->id.idiag_dst));
}

static void fill_info(const struct inet_diag_msg *d, struct tl_sock_info *info)
{
	info->state = d->idiag_state;
	info->expires_ms = d->idiag_expires;
	info->cookie = d->id.idiag_cookie[0] | (__u64)d->id.idiag_cookie[1] << 32;
	/* inet_diag's timer number for the timewait timer, which only
	 * timewait sockets have. */
	info->timewait = d->idiag_timer == 3;
}

int tl_sock_diag_query(void *ctx, const struct tl_endpoint *local, const struct tl_endpoint *remote,
		       __u64 cookie, struct tl_sock_info *info)
{
	int fd = (int)(intptr_t)ctx;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
	    .nlh = {.nlmsg_len = sizeof(msg),
		    .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		    .nlmsg_flags = NLM_F_REQUEST},
	};
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	} reply;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	const struct inet_diag_msg *d;
	ssize_t n;

	fill_request(&msg.req, local, remote, cookie);
	msg.nlh.nlmsg_seq = question_seq(&msg.req);
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	n = recv_reply(fd, &reply, sizeof(reply), msg.nlh.nlmsg_seq);
	if (n < 0)
		return (int)n;
	if (reply.nlh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&reply.nlh);

		return e->error ? e->error : -ENOENT;
	}
	d = NLMSG_DATA(&reply.nlh);
	if (reply.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    reply.nlh.nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
		return -EIO;
	/* Without an established or timewait socket on the tuple, the kernel
	 * answers with its listener. */
	if (!same_socket(d, &msg.req))
		return -ENOENT;
	fill_info(d, info);
	return 0;
}
