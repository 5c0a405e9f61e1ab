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

/* The tracepoints of what only the kernel knows (bpf/kernel_facts.bpf.h). */
#define TL_KERNEL_FACTS 8

struct tl_loader {
	struct tcplife_http_bpf *skel;
	struct bpf_link *links[3]; /* state, send, recv */
	struct bpf_link *facts[TL_KERNEL_FACTS];
	bool facts_have[TL_KERNEL_FACTS]; /* this kernel has the tracepoint */
	/* The kernel facts' tracepoints not hooked, space-separated ("" when
	 * all are): this kernel lacks them, or they need tp_btf. */
	char facts_missing[160];
	struct tl_tc_attach tc;
	const char *state_attach; /* "tp_btf", "raw_tp", "tracepoint" */
	const char *owner_attach; /* the same, or "none" */
	const char *tc_attach;    /* "tcx" or "clsact" */
};

/* tl_loader_start: returns 0, or -errno with a one-line reason in err. */
int tl_loader_start(struct tl_loader *l, const struct tl_loader_config *cfg, char *err,
		    size_t err_size);
/* The ring buffer's map fd, and the count of records the kernel dropped. */
int tl_loader_events_fd(const struct tl_loader *l);
__u64 tl_loader_lost(const struct tl_loader *l);
/* tl_loader_stop: detaches everything; safe on a loader that failed to start. */
void tl_loader_stop(struct tl_loader *l);

#endif
