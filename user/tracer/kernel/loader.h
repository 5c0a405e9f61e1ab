/* Loads the kernel programs and attaches them. What this kernel offers is
 * probed first, once (tp_btf, raw_tp, then the classic tracepoint, which
 * needs tracefs; tcx, then clsact), and the skeleton is then loaded once
 * with only the programs that will be attached. */
#ifndef TL_LOADER_H
#define TL_LOADER_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "tracer/kernel/tc_attach.h"

struct tl_loader_config {
	const __u16 *ports;
	int nports;
	int family; /* 0, AF_INET or AF_INET6 */
	int ifindex;
	bool both_directions; /* hook ingress too: every interface but loopback */
	__u32 ringbuf_bytes;  /* a power of two, >= the page size */
	bool capture_frames;  /* copy each frame's first bytes (for -w) */
	bool capture_whole;   /* and whole frames, past TL_DATA_CAP */
	__u64 wakeup_bytes;
	enum tl_tc_mode tc_mode;
	const char
	    *state_hook; /* "tp_btf", "raw_tp" or "tracepoint" only; NULL: the best that works */
};

/* How the programs were attached, for the start event. */
struct tl_loader_info {
	const char *state; /* "tp_btf", "raw_tp", "tracepoint" */
	const char *owner; /* the same, or "none" (kernels before 6.3) */
	const char *tc;	   /* "tcx" or "clsact" */
	bool clsact;	   /* a qdisc filter, which the sandbox must let go at exit */
	int stale_removed; /* clsact filters a crashed run had left */
	/* The kernel facts' tracepoints not hooked, space-separated; "" when
	 * all are. */
	const char *facts_missing;
};

struct tl_loader;

/* tl_loader_start: *out is the attached loader; or -errno with a one-line
 * reason in err, and *out NULL. */
int tl_loader_start(struct tl_loader **out, const struct tl_loader_config *cfg, char *err,
		    size_t err_size);
void tl_loader_info(const struct tl_loader *l, struct tl_loader_info *info);
/* The ring buffer's map fd, and the count of records the kernel dropped. */
int tl_loader_events_fd(const struct tl_loader *l);
__u64 tl_loader_lost(const struct tl_loader *l);
/* tl_loader_count_misses: adds to the lost count the state changes the
 * kernel skipped because the state program was already running on that CPU
 * (a softirq interrupting it) and the catcher could not take over.
 * now_ktime_ns is bpf_ktime_get_ns()'s clock. */
void tl_loader_count_misses(struct tl_loader *l, __u64 now_ktime_ns);
/* tl_loader_stop: detaches everything and frees l; NULL is a no-op. */
void tl_loader_stop(struct tl_loader *l);

#endif
