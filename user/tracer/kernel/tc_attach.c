#include "tracer/kernel/tc_attach.h"

#include "tracer/kernel/tc_filters.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* <linux/bpf.h> has the tcx attach types from 6.6 on, with BPF_F_BEFORE
 * (a #define of the same series; the types are enum members); Debian 12's
 * has neither, so the kernel's numbers stand in. */
#ifdef BPF_F_BEFORE
#define TL_BPF_TCX_INGRESS BPF_TCX_INGRESS
#define TL_BPF_TCX_EGRESS BPF_TCX_EGRESS
#else
#define TL_BPF_TCX_INGRESS 46
#define TL_BPF_TCX_EGRESS 47
#endif

/* Our clsact filters sit at this handle and priority, so that a later run
 * finds what a crashed one left and touches nothing else. */
#define TL_TC_HANDLE 0x7c1f
#define TL_TC_PRIORITY 0x7c1f
/* The kernel programs' names, as bpf_prog_info reports them (15 chars). */
static const char *const prog_names[2] = {"tl_tc_egress", "tl_tc_ingress"};
#define MARKER_DIR "/run/tcplife-http"

static const int tcx_types[2] = {TL_BPF_TCX_EGRESS, TL_BPF_TCX_INGRESS};
static const enum bpf_tc_attach_point tc_points[2] = {BPF_TC_EGRESS, BPF_TC_INGRESS};

static int attach_tcx(struct tl_tc_attach *a, const int fds[2])
{
	for (int d = 0; d < 2; d++) {
		if (fds[d] < 0)
			continue;
		a->link_fd[d] = bpf_link_create(fds[d], a->ifindex, tcx_types[d], NULL);
		if (a->link_fd[d] < 0) {
			int err = -errno;

			a->link_fd[d] = -1;
			tl_tc_detach(a);
			return err;
		}
	}
	a->tcx = true;
	return 0;
}

/* The marker file names the tracer that owns our clsact filter on an
 * interface, and whether the qdisc was created by a tracer: a later run can
 * then tell a live tracer's filter from a crashed one's, and remove only a
 * qdisc that one of us created. */
struct marker {
	int pid;
	int qdisc_ours;
};

/* The network namespace's cookie: unique for the boot, where an inode
 * number is reused once a namespace is gone. 0 when the kernel has none. */
static __u64 netns_cookie(void)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len);
		close(fd);
	}
	return cookie;
}

/* Per namespace too: every namespace's lo is ifindex 1. Named once, at
 * attach: the tracer may no longer open a socket when it detaches. */
static void marker_init(struct tl_tc_attach *a)
{
	snprintf(a->marker, sizeof(a->marker), MARKER_DIR "/clsact-%llu-%d",
		 (unsigned long long)netns_cookie(), a->ifindex);
}

/* Rewritten in place, never empty on the way: an empty marker is one to
 * sweep (marker_sweep). */
static bool marker_put(int fd, int pid, int qdisc_ours)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "%d %d\n", pid, qdisc_ours);

	return pwrite(fd, line, len, 0) == len && !ftruncate(fd, len);
}

/* pid 0: no tracer holds the filter, but the qdisc is still ours. Made
 * whole by a rename, then rewritten through the descriptor kept: a tracer
 * that gave up root can no longer open a file in MARKER_DIR. */
static void marker_write(struct tl_tc_attach *a, int pid)
{
	char tmp[64];
	int fd = a->marker_fd;

	if (fd >= 0) {
		marker_put(fd, pid, a->qdisc_ours);
		return;
	}
	mkdir(MARKER_DIR, 0755);
	snprintf(tmp, sizeof(tmp), MARKER_DIR "/new-%d", getpid());
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (!marker_put(fd, pid, a->qdisc_ours) || rename(tmp, a->marker)) {
		unlink(tmp);
		close(fd);
		return;
	}
	a->marker_fd = fd;
	a->marked = true;
}

/* Empty markers are what runs that gave up root leave (marker_remove):
 * they say nothing, and no tracer writes one otherwise. */
static void marker_sweep(void)
{
	DIR *d = opendir(MARKER_DIR);
	struct dirent *e;
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "clsact-", 7) &&
		    !fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISREG(st.st_mode) && st.st_size == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* An empty marker is none: what a run that gave up root leaves behind. */
static bool marker_read(const struct tl_tc_attach *a, struct marker *m)
{
	FILE *f = fopen(a->marker, "re");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%d %d", &m->pid, &m->qdisc_ours) == 2;
	fclose(f);
	return ok;
}

/* Without root the directory is not ours to unlink in: emptied instead. */
static int marker_remove(struct tl_tc_attach *a)
{
	return unlink(a->marker) && ftruncate(a->marker_fd, 0) ? -errno : 0;
}

static void marker_close(struct tl_tc_attach *a)
{
	if (a->marker_fd >= 0)
		close(a->marker_fd);
	a->marker_fd = -1;
	a->marked = false;
}

/* Whether pid is a running tcplife-http (not a reused pid). */
static bool tracer_alive(int pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0 || pid == getpid())
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strncmp(comm, "tcplife-http\n", sizeof("tcplife-http"));
}

static bool prog_is_ours(__u32 prog_id, int d)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);
	bool ours;

	if (fd < 0)
		return false;
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, prog_names[d]);
	close(fd);
	return ours;
}

/* Removes the filter a crashed run left at our handle and priority. */
static void remove_stale(struct tl_tc_attach *a, int d)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex, .attach_point = tc_points[d]);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TL_TC_HANDLE, .priority = TL_TC_PRIORITY);

	if (bpf_tc_query(&hook, &opts) || !prog_is_ours(opts.prog_id, d))
		return;
	opts.prog_id = 0;
	opts.prog_fd = 0;
	opts.flags = 0;
	if (!bpf_tc_detach(&hook, &opts))
		a->stale_removed++;
}

static int attach_clsact(struct tl_tc_attach *a, const int fds[2])
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	struct marker m = {};
	bool had_marker;
	int err;

	marker_init(a);
	marker_sweep();
	had_marker = marker_read(a, &m);

	/* Our handle and priority are taken: by a live tracer, or a dead one. */
	if (had_marker && tracer_alive(m.pid)) {
		a->busy_pid = m.pid;
		return -EBUSY;
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	a->qdisc_ours = !err || (had_marker && m.qdisc_ours);
	marker_write(a, getpid());
	for (int d = 0; d < 2; d++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = a->ifindex,
				    .attach_point = tc_points[d]);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TL_TC_HANDLE,
				    .priority = TL_TC_PRIORITY, .prog_fd = fds[d]);

		remove_stale(a, d);
		if (fds[d] < 0)
			continue;
		err = bpf_tc_attach(&h, &opts);
		if (err) {
			tl_tc_detach(a);
			return err;
		}
		a->filter[d] = true;
	}
	return 0;
}

int tl_tc_attach(struct tl_tc_attach *a, int ifindex, int egress_fd, int ingress_fd,
		 enum tl_tc_mode mode)
{
	const int fds[2] = {egress_fd, ingress_fd};
	int err = -EOPNOTSUPP;

	memset(a, 0, sizeof(*a));
	a->ifindex = ifindex;
	a->link_fd[0] = a->link_fd[1] = -1;
	a->marker_fd = -1;
	if (mode != TL_TC_CLSACT) {
		err = attach_tcx(a, fds);
		if (!err || mode == TL_TC_TCX)
			return err;
	}
	return attach_clsact(a, fds);
}

static void detach_clsact(struct tl_tc_attach *a)
{
	for (int d = 0; d < 2; d++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
				    .attach_point = tc_points[d]);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TL_TC_HANDLE,
				    .priority = TL_TC_PRIORITY);

		if (a->filter[d])
			bpf_tc_detach(&hook, &opts);
		a->filter[d] = false;
	}
	/* Our qdisc, unless someone has put a filter of theirs on it since: then
	 * it stays, and the marker too, so that a later run may remove it. */
	if (a->qdisc_ours && tl_tc_foreign_filters(a->ifindex, TL_TC_HANDLE, TL_TC_PRIORITY)) {
		marker_write(a, 0);
	} else if (a->qdisc_ours) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
				    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

		bpf_tc_hook_destroy(&hook);
		marker_remove(a);
	} else if (a->marked) {
		marker_remove(a);
	}
	a->qdisc_ours = false;
	marker_close(a);
}

void tl_tc_detach(struct tl_tc_attach *a)
{
	for (int d = 0; d < 2; d++) {
		if (a->link_fd[d] >= 0)
			close(a->link_fd[d]);
		a->link_fd[d] = -1;
	}
	detach_clsact(a);
}
