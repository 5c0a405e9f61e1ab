#include "tracer/kernel/loader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcplife_http.skel.h"
#include "common/util.h"

enum hook_kind { HOOK_TP_BTF, HOOK_RAW_TP, HOOK_TRACEPOINT, NHOOK_KINDS };

/* The hooks of one kind: the state change, then the owner's send and recv
 * (sock_send_length/sock_recv_length, from 6.3 on). */
enum { HOOK_STATE, HOOK_SEND, HOOK_RECV, NHOOKS };

static const char *const hook_names[NHOOK_KINDS] = {"tp_btf", "raw_tp", "tracepoint"};
static const char *const tp_names[NHOOKS] = {"inet_sock_set_state", "sock_send_length",
					     "sock_recv_length"};

/* The links: the hooks, then the state program's catcher of nested calls. */
#define CATCHER_LINK NHOOKS

/* The tracepoints of what only the kernel knows (bpf/kernel_facts.bpf.h). */
#define TL_KERNEL_FACTS 8

/* The TCP internals at state changes: a part of the tp_btf state program,
 * switched on before load, not a program of their own. */
#define FACT_TCP_INFO 4

static const char *const fact_tracepoints[TL_KERNEL_FACTS] = {
    "kfree_skb",
    "tcp_retransmit_skb",
    "tcp_retransmit_synack",
    "tcp_send_reset",
    [FACT_TCP_INFO] = "inet_sock_set_state",
    "sock_rcvqueue_full",
    "sock_exceed_buf_limit",
    "tcp_cong_state_set",
};

struct tl_loader {
	struct tcplife_http_bpf *skel;
	struct bpf_link *links[NHOOKS + 1];
	struct bpf_link *facts[TL_KERNEL_FACTS];
	bool facts_have[TL_KERNEL_FACTS]; /* this kernel has the tracepoint */
	/* The kernel facts' tracepoints not hooked, space-separated ("" when
	 * all are): this kernel lacks them, or they need tp_btf. */
	char facts_missing[160];
	struct tl_tc_attach tc;
	struct tl_loader_info info;
	int state_prog_fd;
	__u64 misses_counted; /* state changes the kernel skipped, already in lost_events */
};

/* The programs of one hook kind, in hook order. */
static void hook_progs(struct tcplife_http_bpf *s, enum hook_kind k, struct bpf_program *p[NHOOKS])
{
	struct bpf_program *all[NHOOK_KINDS][NHOOKS] = {
	    {s->progs.tl_state_btf, s->progs.tl_send_btf, s->progs.tl_recv_btf},
	    {s->progs.tl_state_raw, s->progs.tl_send_raw, s->progs.tl_recv_raw},
	    {s->progs.tl_state_tp, s->progs.tl_send_tp, s->progs.tl_recv_tp},
	};

	memcpy(p, all[k], sizeof(all[k]));
}

/* The state program's catcher for nested calls (see state_busy in the BPF
 * source); the classic tracepoint has none. */
static struct bpf_program *hook_catcher(struct tcplife_http_bpf *s, enum hook_kind k)
{
	return k == HOOK_TP_BTF	  ? s->progs.tl_state_nested_btf
	       : k == HOOK_RAW_TP ? s->progs.tl_state_nested_raw
				  : NULL;
}

/* The kernel facts' programs, in fact_tracepoints' order; NULL for
 * FACT_TCP_INFO. */
static void fact_progs(struct tcplife_http_bpf *s, struct bpf_program *p[TL_KERNEL_FACTS])
{
	struct bpf_program *all[TL_KERNEL_FACTS] = {
	    s->progs.tl_drop_btf,      s->progs.tl_retrans_btf, s->progs.tl_retrans_synack_btf,
	    s->progs.tl_reset_btf,     [FACT_TCP_INFO] = NULL,	s->progs.tl_rcvq_btf,
	    s->progs.tl_buf_limit_btf, s->progs.tl_cong_btf,
	};

	memcpy(p, all, sizeof(all));
}

/* Which tracepoints this kernel's BTF describes (btf_trace_<name>): the
 * others' programs are not loaded, and the start line says so. */
static void facts_available(bool have[TL_KERNEL_FACTS])
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	char name[64];

	for (int i = 0; i < TL_KERNEL_FACTS; i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", fact_tracepoints[i]);
		have[i] = vmlinux && btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) > 0;
	}
	btf__free(vmlinux);
}

/* The kernel facts are extras: one that does not attach is only missing. */
static void attach_facts(struct tl_loader *l)
{
	struct bpf_program *f[TL_KERNEL_FACTS];
	size_t len = 0;

	fact_progs(l->skel, f);
	l->facts_missing[0] = '\0';
	for (int i = 0; i < TL_KERNEL_FACTS; i++) {
		bool hooked = i == FACT_TCP_INFO && l->skel->rodata->tcp_info_facts;

		if (f[i] && bpf_program__autoload(f[i]))
			l->facts[i] = bpf_program__attach(f[i]);
		if (!l->facts[i] && !hooked && len < sizeof(l->facts_missing))
			len += snprintf(l->facts_missing + len, sizeof(l->facts_missing) - len,
					"%s%s", len ? " " : "", fact_tracepoints[i]);
	}
	l->info.facts_missing = l->facts_missing;
}

/* A program that only returns 0, of a type that needs no context. */
static int probe_prog(enum bpf_prog_type type, const struct bpf_prog_load_opts *opts)
{
	const struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	int fd = bpf_prog_load(type, NULL, "GPL", insns, 2, opts);

	return fd < 0 ? -errno : fd;
}

/* Each probe: 1 the hook works here, 0 it does not, -EPERM no privilege
 * to know (which is the answer the user needs). As libbpf-tools'
 * probe_tp_btf: the tracepoint's BTF type must exist and load. */
static int probe_tp_btf(const char *tp)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP);
	int fd, id = libbpf_find_vmlinux_btf_id(tp, BPF_TRACE_RAW_TP);

	if (id <= 0)
		return 0;
	opts.attach_btf_id = id;
	fd = probe_prog(BPF_PROG_TYPE_TRACING, &opts);
	if (fd < 0)
		return fd == -EPERM ? fd : 0;
	close(fd);
	return 1;
}

/* A raw tracepoint is found by name only when attached: attach a probe. */
static int probe_raw_tp(const char *tp)
{
	int fd = probe_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL), link;

	if (fd < 0)
		return fd == -EPERM ? fd : 0;
	link = bpf_raw_tracepoint_open(tp, fd);
	if (link >= 0)
		close(link);
	close(fd);
	return link >= 0;
}

/* The classic tracepoint is attached through its tracefs id, as libbpf
 * finds it. */
static int probe_tracepoint(const char *tp)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/sock/%s/id", roots[i], tp);
		if (access(path, R_OK) == 0)
			return 1;
	}
	return 0;
}

static int probe_hook(enum hook_kind kind, const char *tp)
{
	switch (kind) {
	case HOOK_TP_BTF:
		return probe_tp_btf(tp);
	case HOOK_RAW_TP:
		return probe_raw_tp(tp);
	default:
		return probe_tracepoint(tp);
	}
}

/* The first hook kind (or the one asked for) that has the state hook, and
 * whether the owner hooks of that kind exist too. Returns the kind, or
 * -ENOENT, -EPERM. */
static int choose_hooks(const char *want, bool *owner)
{
	int ok;

	for (int k = 0; k < NHOOK_KINDS; k++) {
		if (want && strcmp(want, hook_names[k]))
			continue;
		ok = probe_hook(k, tp_names[HOOK_STATE]);
		if (ok < 0)
			return ok;
		if (!ok)
			continue;
		*owner = probe_hook(k, tp_names[HOOK_SEND]) > 0 &&
			 probe_hook(k, tp_names[HOOK_RECV]) > 0;
		return k;
	}
	return -ENOENT;
}

/* The current network namespace's inode, as the kernel's ns.inum. */
static __u32 netns_inode(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (__u32)st.st_ino;
}

/* facts: the kernel facts this kernel has tracepoints for, NULL for none. */
static void configure(struct tcplife_http_bpf *s, const struct tl_loader_config *cfg,
		      enum hook_kind kind, bool owner, const bool *facts)
{
	struct bpf_program *p[NHOOKS], *f[TL_KERNEL_FACTS];

	for (int k = 0; k < NHOOK_KINDS; k++) {
		hook_progs(s, k, p);
		for (int i = 0; i < NHOOKS; i++)
			bpf_program__set_autoload(p[i],
						  k == (int)kind && (i == HOOK_STATE || owner));
		if (hook_catcher(s, k))
			bpf_program__set_autoload(hook_catcher(s, k), k == (int)kind);
	}
	bpf_program__set_autoload(s->progs.tl_tc_ingress, cfg->both_directions);
	/* They are tp_btf programs: with another hook kind, tp_btf failed. */
	fact_progs(s, f);
	for (int i = 0; i < TL_KERNEL_FACTS; i++)
		if (f[i])
			bpf_program__set_autoload(f[i], facts && kind == HOOK_TP_BTF && facts[i]);
	s->rodata->tcp_info_facts = facts && kind == HOOK_TP_BTF && facts[FACT_TCP_INFO];
	for (int i = 0; i < cfg->nports; i++)
		s->rodata->target_ports[i] = cfg->ports[i];
	s->rodata->target_nports = cfg->nports;
	s->rodata->target_family = cfg->family;
	s->rodata->wakeup_bytes = cfg->wakeup_bytes;
	s->rodata->capture_frames = cfg->capture_frames;
	s->rodata->capture_whole = cfg->capture_whole;
	s->rodata->target_netns = netns_inode();
	bpf_map__set_max_entries(s->maps.events, cfg->ringbuf_bytes);
}

static int load_and_hook(struct tl_loader *l, const struct tl_loader_config *cfg,
			 enum hook_kind kind, bool owner)
{
	struct bpf_program *p[NHOOKS];
	int err;

	/* The kernel facts' programs are extras: if they keep the rest from
	 * loading, load without them. */
	facts_available(l->facts_have);
	for (int facts = 1; facts >= 0; facts--) {
		l->skel = tcplife_http_bpf__open();
		if (!l->skel)
			return -errno;
		configure(l->skel, cfg, kind, owner, facts ? l->facts_have : NULL);
		err = tcplife_http_bpf__load(l->skel);
		if (!err || !facts)
			break;
		tcplife_http_bpf__destroy(l->skel);
		l->skel = NULL;
	}
	if (err)
		return err;
	attach_facts(l);
	hook_progs(l->skel, kind, p);
	for (int i = 0; i < (owner ? NHOOKS : 1); i++) {
		l->links[i] = bpf_program__attach(p[i]);
		if (!l->links[i])
			return -errno;
	}
	/* After the state program, so that it runs second in every call. */
	if (hook_catcher(l->skel, kind)) {
		l->links[CATCHER_LINK] = bpf_program__attach(hook_catcher(l->skel, kind));
		if (!l->links[CATCHER_LINK])
			return -errno;
	}
	l->state_prog_fd = bpf_program__fd(p[HOOK_STATE]);
	l->info.state = hook_names[kind];
	l->info.owner = owner ? hook_names[kind] : "none";
	return 0;
}

static int hook_states(struct tl_loader *l, const struct tl_loader_config *cfg, char *err,
		       size_t err_size)
{
	bool owner = false;
	int kind = choose_hooks(cfg->state_hook, &owner), ret;

	ret = kind < 0 ? kind : load_and_hook(l, cfg, kind, owner);
	if (ret == -EPERM)
		snprintf(err, err_size,
			 "permission denied loading eBPF programs: run as root "
			 "(needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
	else if (kind == -ENOENT)
		snprintf(err, err_size,
			 "no %s hook of sock:inet_sock_set_state here (the classic tracepoint "
			 "needs tracefs at /sys/kernel/tracing)",
			 cfg->state_hook ? cfg->state_hook : "tp_btf, raw_tp or tracepoint");
	else if (ret)
		snprintf(err, err_size, "cannot load or attach the socket-state programs: %s",
			 strerror(-ret));
	return ret;
}

static int hook_tc(struct tl_loader *l, const struct tl_loader_config *cfg, char *err,
		   size_t err_size)
{
	int ingress_fd = cfg->both_directions ? bpf_program__fd(l->skel->progs.tl_tc_ingress) : -1;
	int ret = tl_tc_attach(&l->tc, cfg->ifindex, bpf_program__fd(l->skel->progs.tl_tc_egress),
			       ingress_fd, cfg->tc_mode);

	if (ret == -EBUSY)
		snprintf(err, err_size,
			 "another tcplife-http (pid %d) holds the clsact filter on this "
			 "interface: stop it, or use --tc tcx",
			 l->tc.busy_pid);
	else if (ret)
		snprintf(err, err_size, "cannot attach the TC program: %s", strerror(-ret));
	if (ret)
		return ret;
	l->info.tc = l->tc.tcx ? "tcx" : "clsact";
	l->info.clsact = !l->tc.tcx;
	l->info.stale_removed = l->tc.stale_removed;
	return 0;
}

int tl_loader_start(struct tl_loader **out, const struct tl_loader_config *cfg, char *err,
		    size_t err_size)
{
	struct tl_loader *l;
	int ret;

	*out = NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, err_size,
			 "this kernel has no BTF (/sys/kernel/btf/vmlinux): "
			 "CO-RE programs need CONFIG_DEBUG_INFO_BTF=y");
		return -ENOENT;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	ret = hook_states(l, cfg, err, err_size);
	if (!ret)
		ret = hook_tc(l, cfg, err, err_size);
	if (ret) {
		tl_loader_stop(l);
		return ret;
	}
	*out = l;
	return 0;
}

void tl_loader_info(const struct tl_loader *l, struct tl_loader_info *info) { *info = l->info; }

int tl_loader_events_fd(const struct tl_loader *l) { return bpf_map__fd(l->skel->maps.events); }

__u64 tl_loader_lost(const struct tl_loader *l)
{
	return __atomic_load_n(&l->skel->bss->lost_events, __ATOMIC_RELAXED);
}

void tl_loader_count_misses(struct tl_loader *l, __u64 now_ktime_ns)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	/* Caught first: every catch follows its miss, so misses >= caught. */
	__u64 caught = __atomic_load_n(&l->skel->bss->nested_caught, __ATOMIC_RELAXED);
	__u64 uncaught;

	if (bpf_obj_get_info_by_fd(l->state_prog_fd, &info, &len))
		return;
	uncaught = info.recursion_misses - caught;
	if (info.recursion_misses < caught || uncaught <= l->misses_counted)
		return;
	/* Counted with the ring buffer's losses, so that the records after
	 * this point carry it and the engine marks the connections it hit. */
	__atomic_fetch_add(&l->skel->bss->lost_events, uncaught - l->misses_counted,
			   __ATOMIC_RELAXED);
	l->skel->bss->last_loss_ms = now_ktime_ns / 1000000;
	l->misses_counted = uncaught;
}

void tl_loader_stop(struct tl_loader *l)
{
	if (!l)
		return;
	if (l->info.tc)
		tl_tc_detach(&l->tc);
	for (int i = 0; i <= CATCHER_LINK; i++)
		bpf_link__destroy(l->links[i]);
	for (int i = 0; i < TL_KERNEL_FACTS; i++)
		bpf_link__destroy(l->facts[i]);
	tcplife_http_bpf__destroy(l->skel);
	free(l);
}
