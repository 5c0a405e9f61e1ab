#include "tracer/kernel/tc_filters.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "common/util.h"

/* Counts the filter messages of one dump that are not ours. */
static int count_reply(int fd, __u32 handle, __u16 priority)
{
	union {
		struct nlmsghdr nlh;
		char buf[32768];
	} reply;
	int foreign = 0;

	for (;;) {
		ssize_t n = recv(fd, &reply, sizeof(reply), 0);
		struct nlmsghdr *h = &reply.nlh;

		if (n < 0)
			return -errno;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct tcmsg *t = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE)
				return foreign;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			/* A filter instance has a handle; its priority is the top of tcm_info. */
			if (h->nlmsg_type == RTM_NEWTFILTER && t->tcm_handle &&
			    (t->tcm_handle != handle || TC_H_MAJ(t->tcm_info) >> 16 != priority))
				foreign++;
		}
	}
}

static int dump_parent(int fd, int ifindex, __u32 parent, __u32 handle, __u16 priority)
{
	struct {
		struct nlmsghdr nlh;
		struct tcmsg t;
	} req = {
	    .nlh = {.nlmsg_len = sizeof(req),
		    .nlmsg_type = RTM_GETTFILTER,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
	    .t = {.tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = parent},
	};

	if (send(fd, &req, sizeof(req), 0) < 0)
		return -errno;
	return count_reply(fd, handle, priority);
}

int tl_tc_foreign_filters(int ifindex, __u32 handle, __u16 priority)
{
	static const __u32 parents[] = {TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
					TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)};
	struct timeval tv = {.tv_sec = 1};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int total = 0;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (size_t i = 0; i < ARRAY_SIZE(parents) && total >= 0; i++) {
		int n = dump_parent(fd, ifindex, parents[i], handle, priority);

		total = n < 0 ? n : total + n;
	}
	close(fd);
	return total;
}
