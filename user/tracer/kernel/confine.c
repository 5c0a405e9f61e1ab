#include "tracer/kernel/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common/util.h"

/* Every call the tracer makes once confined, found with strace -f on each
 * attach path and output, beside what libc does on its own (sandbox.c);
 * anything else stops it. */
const struct sandbox_rule tl_sandbox_rules[] = {
    /* The loop: the ring buffer's epoll, output, sock_diag queries. */
    {0, "epoll_wait", {}},
    {0, "epoll_pwait", {}},
    {0, "write", {}},
    {0, "sendto", {}},
    {0, "recvfrom", {}},
    {0, "clock_gettime", {}},
    /* The state program's recursion misses (loader.c): its info, nothing else. */
    {0, "bpf", {SANDBOX_ARG(0, BPF_OBJ_GET_INFO_BY_FD)}},
    /* if_indextoname, to notice the interface going away. */
    {0, "socket", {SANDBOX_ARG(0, AF_UNIX), SANDBOX_ARG(1, SOCK_DGRAM | SOCK_CLOEXEC)}},
    {0, "ioctl", {SANDBOX_ARG(1, SIOCGIFNAME)}},
    /* The status line's width, asked at each redraw (a window resized). */
    {0, "ioctl", {SANDBOX_ARG(1, TIOCGWINSZ)}},
    /* SIGINT and SIGTERM's handler, and the exit: links and maps closed,
     * a tracepoint link disabled first. */
    {0, "rt_sigreturn", {}},
    {0, "close", {}},
    {0, "ioctl", {SANDBOX_ARG(1, PERF_EVENT_IOC_DISABLE)}},
    /* clsact: the filter and its qdisc go through rtnetlink; the marker
     * file is emptied through the descriptor kept open. */
    {TL_SANDBOX_CLSACT, "socket", {SANDBOX_ARG(0, AF_NETLINK), SANDBOX_ARG(2, NETLINK_ROUTE)}},
    {TL_SANDBOX_CLSACT, "setsockopt", {}},
    {TL_SANDBOX_CLSACT, "bind", {}},
    {TL_SANDBOX_CLSACT, "getsockname", {}},
    {TL_SANDBOX_CLSACT, "recvmsg", {}},
    {TL_SANDBOX_CLSACT, "unlink", {}},
    {TL_SANDBOX_CLSACT, "unlinkat", {}}, /* unlink(3) on arm64, which has no unlink */
    {TL_SANDBOX_CLSACT, "ftruncate", {}},
    {TL_SANDBOX_CLSACT, "pwrite64", {}},
    /* --html, --svg: each file made beside its name, filled through stdio
     * (fdopen asks its flags) and renamed over it, or unlinked when a
     * write fails; the --svg directory made at the first write. */
    {TL_SANDBOX_REPORT, "openat", {SANDBOX_ARG(2, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)}},
    {TL_SANDBOX_REPORT, "fcntl", {SANDBOX_ARG(1, F_GETFL)}},
    {TL_SANDBOX_REPORT, "rename", {}},
    {TL_SANDBOX_REPORT, "renameat", {}}, /* rename(3) on arm64 */
    {TL_SANDBOX_REPORT, "renameat2", {}},
    {TL_SANDBOX_REPORT, "mkdir", {}},
    {TL_SANDBOX_REPORT, "mkdirat", {}}, /* mkdir(3) on arm64 */
    {TL_SANDBOX_REPORT, "unlink", {}},
    {TL_SANDBOX_REPORT, "unlinkat", {}},
};
const size_t tl_sandbox_nrules = ARRAY_SIZE(tl_sandbox_rules);

int tl_confine_init(struct tl_confine *c, const char *user)
{
	memset(c, 0, sizeof(*c));
	c->caps[0] = "CAP_NET_ADMIN";
	return privdrop_pick(user, &c->user);
}

int tl_confine(struct tl_confine *c, bool clsact, bool report, bool sandbox, int owned_fd)
{
	/* A tcx link goes when its descriptor closes; a clsact filter stays on
	 * the interface until an rtnetlink request removes it, and the kernel
	 * takes that request only from CAP_NET_ADMIN. So the clsact path keeps
	 * that one capability, to clean up at exit. */
	uint64_t keep = clsact ? 1ULL << CAP_NET_ADMIN : 0;
	uid_t uid;
	gid_t gid;
	int err;

	if (c->user.switch_ids && owned_fd >= 0 && privdrop_sudo_owner(&uid, &gid) &&
	    fchown(owned_fd, uid, gid))
		return -errno;
	err = privdrop_become(&c->user, keep);
	if (err)
		return err;
	if (sandbox) {
		err = sandbox_install("tcplife-http", tl_sandbox_rules, tl_sandbox_nrules,
				      (clsact ? TL_SANDBOX_CLSACT : 0) |
					  (report ? TL_SANDBOX_REPORT : 0));
		if (err)
			return err;
	}
	c->report = (struct tl_privileges){
	    .user = c->user.name,
	    .caps = c->caps,
	    .ncaps = keep ? 1 : 0,
	    .seccomp = sandbox,
	};
	return 0;
}
