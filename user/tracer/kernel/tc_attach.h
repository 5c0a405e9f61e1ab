/* Hooks the TC program on an interface: a tcx link when the kernel has them
 * (gone with the process, even after kill -9), else a clsact filter that
 * this module removes on exit and, after a crash, at the next start. */
#ifndef TL_TC_ATTACH_H
#define TL_TC_ATTACH_H

#include <stdbool.h>

enum tl_tc_mode {
	TL_TC_AUTO = 0,
	TL_TC_TCX,
	TL_TC_CLSACT,
};

struct tl_tc_attach {
	int ifindex;
	bool tcx;
	int link_fd[2];	   /* tcx: [0] egress, [1] ingress; -1 when not attached */
	bool filter[2];	   /* clsact: our filter is attached */
	bool qdisc_ours;   /* clsact: created by this tool, this run or a crashed one */
	bool marked;	   /* clsact: our marker file is written */
	int marker_fd;	   /* clsact: the marker, open from its first write; else -1 */
	char marker[64];   /* clsact: the marker's path */
	int stale_removed; /* clsact filters of a crashed run removed at start */
	int busy_pid;	   /* clsact: the live tracer holding our filter (-EBUSY) */
};

/* tl_tc_attach: attaches egress_fd (and ingress_fd unless it is -1) to
 * ifindex. Returns 0 or -errno; on error nothing stays attached. */
int tl_tc_attach(struct tl_tc_attach *a, int ifindex, int egress_fd, int ingress_fd,
		 enum tl_tc_mode mode);
/* tl_tc_detach: removes what tl_tc_attach put there, and nothing else. */
void tl_tc_detach(struct tl_tc_attach *a);

#endif
