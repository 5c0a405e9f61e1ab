#include "tracer/loader.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcplife_http.skel.h"

enum hook_kind { HOOK_TP_BTF, HOOK_RAW_TP, HOOK_TRACEPOINT, NHOOK_KINDS };

static const char *const hook_names[NHOOK_KINDS] = {"tp_btf", "raw_tp", "tracepoint"};

/* The programs of one hook kind: state, send, recv. */
static void hook_progs(struct tcplife_http_bpf *s, enum hook_kind k, struct bpf_program *p[3])
{
	struct bpf_program *all[NHOOK_KINDS][3] = {
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
	return k == HOOK_TP_BTF ? s->progs.tl_state_nested_btf
	       : k == HOOK_RAW_TP ? s->progs.tl_state_nested_raw
				  : NULL;
}

/* The kernel facts' programs and their tracepoints, in TL_KERNEL_FACTS. */
static void fact_progs(struct tcplife_http_bpf *s, struct bpf_program *p[TL_KERNEL_FACTS])
{
	struct bpf_program *all[TL_KERNEL_FACTS] = {
		s->progs.tl_drop_btf,     s->progs.tl_retrans_btf, s->progs.tl_retrans_synack_btf,
		s->progs.tl_reset_btf,    s->progs.tl_info_btf,    s->progs.tl_rcvq_btf,
		s->progs.tl_buf_limit_btf, s->progs.tl_cong_btf,
	};

	memcpy(p, all, sizeof(all));
}

static const char *const fact_tracepoints[TL_KERNEL_FACTS] = {
	"kfree_skb",          "tcp_retransmit_skb", "tcp_retransmit_synack",
	"tcp_send_reset",     "inet_sock_set_state", "sock_rcvqueue_full",
	"sock_exceed_buf_limit", "tcp_cong_state_set",
};

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
	struct bpf_program *p[3], *f[TL_KERNEL_FACTS];

	for (int k = 0; k < NHOOK_KINDS; k++) {
		hook_progs(s, k, p);
		for (int i = 0; i < 3; i++)
			bpf_program__set_autoload(p[i], k == (int)kind && (i == 0 || owner));
		if (hook_catcher(s, k))
			bpf_program__set_autoload(hook_catcher(s, k), k == (int)kind);
	}
	bpf_program__set_autoload(s->progs.tl_tc_ingress, cfg->both_directions);
	/* They are tp_btf programs: with another hook kind, tp_btf failed. */
	fact_progs(s, f);
	for (int i = 0; i < TL_KERNEL_FACTS; i++)
		bpf_program__set_autoload(f[i], facts && kind == HOOK_TP_BTF && facts[i]);
	for (int i = 0; i < cfg->nports; i++)
		s->rodata->target_ports[i] = cfg->ports[i];
	s->rodata->target_nports = cfg->nports;
	s->rodata->target_family = cfg->family;
	s->rodata->wakeup_bytes = cfg->wakeup_bytes;
	s->rodata->capture_frames = cfg->capture_frames;
	s->rodata->target_netns = netns_inode();
	bpf_map__set_max_entries(s->maps.events, cfg->ringbuf_bytes);
}

static void detach_hooks(struct tl_loader *l)
{
	for (int i = 0; i < TL_LOADER_LINKS; i++) {
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
	}
	for (int i = 0; i < TL_KERNEL_FACTS; i++) {
		bpf_link__destroy(l->facts[i]);
		l->facts[i] = NULL;
	}
}

/* The kernel facts are extras: one that does not attach is only missing. */
static void attach_facts(struct tl_loader *l)
{
	struct bpf_program *f[TL_KERNEL_FACTS];
	size_t len = 0;

	fact_progs(l->skel, f);
	l->facts_missing[0] = '\0';
	for (int i = 0; i < TL_KERNEL_FACTS; i++) {
		if (bpf_program__autoload(f[i]))
			l->facts[i] = bpf_program__attach(f[i]);
		if (!l->facts[i] && len < sizeof(l->facts_missing))
			len += snprintf(l->facts_missing + len, sizeof(l->facts_missing) - len,
					"%s%s", len ? " " : "", fact_tracepoints[i]);
	}
}

/* One try at a hook kind; on failure nothing is left loaded. */
static int try_hooks(struct tl_loader *l, const struct tl_loader_config *cfg, enum hook_kind kind,
		     bool owner)
{
	struct bpf_program *p[3];
	int err;

	/* The kernel facts' programs are extras: if they keep the rest from
	 * loading, load without them. */
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
	hook_progs(l->skel, kind, p);
	/* First: programs on one tracepoint run in the order attached, and a
	 * side's TCP internals must come before the CLOSE that ends its life. */
	if (!err)
		attach_facts(l);
	for (int i = 0; !err && i < (owner ? 3 : 1); i++) {
		l->links[i] = bpf_program__attach(p[i]);
		if (!l->links[i])
			err = -errno;
	}
	/* After the state program, so that it runs second in every call. */
	if (!err && hook_catcher(l->skel, kind)) {
		l->links[3] = bpf_program__attach(hook_catcher(l->skel, kind));
		if (!l->links[3])
			err = -errno;
	}
	if (err) {
		detach_hooks(l);
		tcplife_http_bpf__destroy(l->skel);
		l->skel = NULL;
		return err;
	}
	l->state_attach = hook_names[kind];
	l->owner_attach = owner ? hook_names[kind] : "none";
	l->state_prog_fd = bpf_program__fd(p[0]);
	return 0;
}

static int load_and_hook(struct tl_loader *l, const struct tl_loader_config *cfg)
{
	int err = -ENOENT, first_err = 0;

	/* Without sock_send_length/sock_recv_length (kernels before 6.3) the
	 * tracer still works, only without server-side processes. */
	for (int owner = 1; owner >= 0; owner--) {
		for (int k = 0; k < NHOOK_KINDS; k++) {
			if (cfg->state_hook && strcmp(cfg->state_hook, hook_names[k]))
				continue;
			err = try_hooks(l, cfg, k, owner);
			if (!err)
				return 0;
			if (!first_err)
				first_err = err;
			if (err == -EPERM)
				return err;
		}
	}
	return first_err;
}

int tl_loader_start(struct tl_loader *l, const struct tl_loader_config *cfg, char *err,
		    size_t err_size)
{
	int ingress_fd, ret;

	memset(l, 0, sizeof(*l));
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, err_size, "this kernel has no BTF (/sys/kernel/btf/vmlinux): "
					"CO-RE programs need CONFIG_DEBUG_INFO_BTF=y");
		return -ENOENT;
	}
	facts_available(l->facts_have);
	ret = load_and_hook(l, cfg);
	if (ret) {
		snprintf(err, err_size,
			 ret == -EPERM ? "permission denied loading eBPF programs: run as root "
					 "(needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)"
				       : "cannot load or attach the socket-state programs: %s",
			 strerror(-ret));
		return ret;
	}
	ingress_fd = cfg->both_directions ? bpf_program__fd(l->skel->progs.tl_tc_ingress) : -1;
	ret = tl_tc_attach(&l->tc, cfg->ifindex, bpf_program__fd(l->skel->progs.tl_tc_egress),
			   ingress_fd, cfg->tc_mode);
	if (ret == -EBUSY) {
		snprintf(err, err_size, "another tcplife-http (pid %d) holds the clsact filter on this "
					"interface: stop it, or use --tc tcx",
			 l->tc.busy_pid);
		tl_loader_stop(l);
		return ret;
	}
	if (ret) {
		snprintf(err, err_size, "cannot attach the TC program: %s", strerror(-ret));
		tl_loader_stop(l);
		return ret;
	}
	l->tc_attach = l->tc.tcx ? "tcx" : "clsact";
	return 0;
}

int tl_loader_events_fd(const struct tl_loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

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
	if (l->tc_attach)
		tl_tc_detach(&l->tc);
	l->tc_attach = NULL;
	detach_hooks(l);
	tcplife_http_bpf__destroy(l->skel);
	l->skel = NULL;
}
