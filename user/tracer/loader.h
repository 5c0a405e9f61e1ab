/* Loads the kernel programs and attaches them, picking the best attach
 * method this kernel offers and falling back: tp_btf, raw_tp, then the
 * classic tracepoint (which needs tracefs); tcx, then clsact. */
#ifndef TL_LOADER_H
#define TL_LOADER_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "tracer/tc_attach.h"

struct tl_loader_config {
	const __u16 *ports;
	int nports;
	int family;            /* 0, AF_INET or AF_INET6 */
	int ifindex;
	bool both_directions;  /* hook ingress too: every interface but loopback */
	__u32 ringbuf_bytes;   /* a power of two, >= the page size */
	bool capture_frames;   /* copy each frame's first bytes (for -w) */
	__u64 wakeup_bytes;
	enum tl_tc_mode tc_mode;
	const char *state_hook; /* "tp_btf", "raw_tp" or "tracepoint" only; NULL: the best that works */
};

/* state, send, recv, and the state program's catcher of nested calls */
#define TL_LOADER_LINKS 4
/* The tracepoints of what only the kernel knows (bpf/kernel_facts.bpf.h). */
#define TL_KERNEL_FACTS 8

struct tl_loader {
	struct tcplife_http_bpf *skel;
	struct bpf_link *links[TL_LOADER_LINKS];
	struct bpf_link *facts[TL_KERNEL_FACTS];
	bool facts_have[TL_KERNEL_FACTS]; /* this kernel has the tracepoint */
	/* The kernel facts' tracepoints not hooked, space-separated ("" when
	 * all are): this kernel lacks them, or they need tp_btf. */
	char facts_missing[160];
	struct tl_tc_attach tc;
	const char *state_attach; /* "tp_btf", "raw_tp", "tracepoint" */
	const char *owner_attach; /* the same, or "none" */
	const char *tc_attach;    /* "tcx" or "clsact" */
	int state_prog_fd;
	__u64 misses_counted; /* state changes the kernel skipped, already in lost_events */
};

/* tl_loader_start: returns 0, or -errno with a one-line reason in err. */
int tl_loader_start(struct tl_loader *l, const struct tl_loader_config *cfg, char *err,
		    size_t err_size);
/* The ring buffer's map fd, and the count of records the kernel dropped. */
int tl_loader_events_fd(const struct tl_loader *l);
__u64 tl_loader_lost(const struct tl_loader *l);
/* tl_loader_count_misses: adds to the lost count the state changes the
 * kernel skipped because the state program was already running on that CPU
 * (a softirq interrupting it) and the catcher could not take over.
 * now_ktime_ns is bpf_ktime_get_ns()'s clock. */
void tl_loader_count_misses(struct tl_loader *l, __u64 now_ktime_ns);
/* tl_loader_stop: detaches everything; safe on a loader that failed to start. */
void tl_loader_stop(struct tl_loader *l);

#endif
