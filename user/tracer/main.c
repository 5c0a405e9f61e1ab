/* tcplife-http: the loader. Parses options, loads and attaches the kernel
 * programs, feeds their records to the engine and the engine's steps to
 * the chosen output, until a signal or -d. With -r it reads a capture file
 * instead; `tcplife-http compare` checks a trace against a capture. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tracer/args.h"
#include "tracer/capture/capture_reader.h"
#include "tracer/compare/compare.h"
#include "tracer/grade/grade.h"
#include "tracer/kernel/confine.h"
#include "tracer/engine/engine.h"
#include "tracer/kernel/event_decode.h"
#include "tracer/kernel/kernel_names.h"
#include "tracer/kernel/loader.h"
#include "tracer/output/live_status.h"
#include "tracer/output/output.h"
#include "tracer/capture/pcap_writer.h"
#include "tracer/report/report_cmd.h"
#include "tracer/report/report_output.h"
#include "tracer/output/sink_tee.h"
#include "tracer/kernel/sock_diag.h"
#include "common/util.h"

/* The reader drains on this timeout, since the kernel side wakes it only
 * once a quarter of the ring is queued: a rate that fills that in less
 * than POLL_MS (200 MB/s at the default size). A forced wakeup is paid
 * inside the TC program that crosses the mark (an x2APIC write, a VM exit
 * here: 15-25 us), so at 256 KB, crossed every 6 ms under wrk keep-alive,
 * it added 40-65 ns to the mean TC run; the timeout costs the reader a
 * wakeup per 10 ms instead, on its own CPU. */
#define POLL_MS 10

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

struct tracer {
	struct tl_args args;
	struct tl_loader *loader; /* NULL when reading a capture */
	struct tl_engine *engine;
	struct tl_output *out;
	struct tl_pcap_writer *pcap;
	struct tl_output *report;      /* --html, --svg */
	struct tl_live_status *status; /* on a terminal, unless --no-status */
	struct tl_sink_tee tee, report_tee;
	struct tl_confine confine;
	int diag_fd;
	int ifindex;
	__u64 ktime_offset_ns; /* realtime - monotonic: bpf_ktime_get_ns() to epoch */
	__u64 lost;
	__u64 next_if_check_ns;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	struct tl_event ev;

	if (tl_event_decode(data, size, t->ktime_offset_ns, &ev))
		return 0;
	tl_engine_feed(t->engine, &ev);
	return 0;
}

static struct tl_output *make_output(const struct tl_args *a)
{
	bool color =
	    a->color == 1 || (a->color == -1 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));

	struct tl_output *out, *both;

	switch (a->format) {
	case TL_FORMAT_JSON:
		out = tl_output_json_new(stdout);
		break;
	case TL_FORMAT_SUMMARY:
		out = tl_output_summary_new(stdout);
		break;
	default:
		out = tl_output_text_new(stdout, color);
	}
	if (!out || !a->json_path)
		return out;
	both = tl_output_json_file_new(out, a->json_path);
	if (!both) {
		fprintf(stderr, "tcplife-http: %s: %s\n", a->json_path, strerror(errno));
		out->free(out);
	}
	return both;
}

/* --html, --svg: the report beside the output, fed through a tee. */
static int make_report(struct tracer *t, const struct tl_sink **sink)
{
	struct tl_report_config rcfg = {.html_path = t->args.html_path, .svg_dir = t->args.svg_dir};

	t->report = tl_report_output_new(&rcfg);
	if (!t->report)
		return -ENOMEM;
	tl_sink_tee_init(&t->report_tee, *sink, &t->report->sink);
	*sink = &t->report_tee.sink;
	return 0;
}

/* The output, the -w writer and the report beside it, and the engine that
 * feeds them. */
static int make_engine(struct tracer *t, struct tl_engine_config *cfg)
{
	const struct tl_sink *sink;

	t->out = make_output(&t->args);
	if (!t->out)
		return -ENOMEM;
	sink = &t->out->sink;
	if (t->args.write_path) {
		t->pcap = tl_pcap_writer_open(t->args.write_path, t->args.ifname, t->args.snaplen);
		if (!t->pcap) {
			fprintf(stderr, "tcplife-http: %s: %s\n", t->args.write_path,
				strerror(errno));
			return -errno;
		}
		tl_sink_tee_init(&t->tee, sink, tl_pcap_writer_sink(t->pcap));
		sink = &t->tee.sink;
	}
	if ((t->args.html_path || t->args.svg_dir) && make_report(t, &sink))
		return -ENOMEM;
	cfg->server_ports = t->args.ports;
	cfg->nports = t->args.nports;
	cfg->idle_timeout_ns = t->args.idle_timeout_s * NS_PER_S;
	t->engine = tl_engine_new(cfg, sink);
	return t->engine ? 0 : -ENOMEM;
}

static int setup_live(struct tracer *t)
{
	struct tl_engine_config ecfg = {0};
	struct tl_loader_config lcfg = {
	    .ports = t->args.ports,
	    .nports = t->args.nports,
	    .family = t->args.family,
	    .ifindex = if_nametoindex(t->args.ifname),
	    .both_directions = strcmp(t->args.ifname, "lo") != 0,
	    .ringbuf_bytes = t->args.ringbuf_bytes,
	    .wakeup_bytes = t->args.ringbuf_bytes / 4,
	    .tc_mode = t->args.tc_mode,
	    .capture_frames = t->args.write_path != NULL,
	    .capture_whole = t->args.snaplen > TL_DATA_CAP,
	    .state_hook = t->args.state_hook,
	};
	char err[256];
	int ret = tl_confine_init(&t->confine, t->args.user);

	/* Before the output, which writes to stdout, and the sandbox, which has
	 * no call to ask whether a file is a terminal. */
	if (!t->args.no_status && t->args.format != TL_FORMAT_JSON && tl_live_status_wanted(stdout))
		t->status = tl_live_status_start();

	if (ret) {
		fprintf(stderr, "tcplife-http: -Z %s: %s\n", t->args.user ? t->args.user : "nobody",
			ret == -EPERM ? "only root can change user" : "no such user");
		return ret;
	}
	if (!lcfg.ifindex) {
		fprintf(stderr, "tcplife-http: no interface '%s'\n", t->args.ifname);
		return -ENODEV;
	}
	t->ifindex = lcfg.ifindex;
	t->diag_fd = tl_sock_diag_open();
	if (t->diag_fd >= 0) {
		ecfg.sock_query = tl_sock_diag_query;
		ecfg.sock_query_ctx = (void *)(intptr_t)t->diag_fd;
	}
	/* tcp_send_reset fires once the RST is sent: on loopback, after the
	 * peer's CLOSE that would end the life. */
	ecfg.reset_grace_ns = NS_PER_S / 500;
	ecfg.reason_name = tl_kernel_reason_name;
	ret = make_engine(t, &ecfg);
	if (ret)
		return ret;
	ret = tl_loader_start(&t->loader, &lcfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tcplife-http: %s\n", err);
		return ret;
	}
	/* Now, not later: the steady state reads nothing new from the kernel.
	 * Without the names, reasons are told by number. */
	tl_kernel_names_load();
	return 0;
}

/* After the last step that needs root: the ring buffer is mapped. */
static int give_up_root(struct tracer *t)
{
	const struct tl_privileges *p = &t->confine.report;
	struct tl_loader_info li;
	int err;

	tl_loader_info(t->loader, &li);
	err = tl_confine(&t->confine, li.clsact, t->report != NULL, !t->args.no_sandbox,
			 tl_pcap_writer_fd(t->pcap));
	if (err) {
		fprintf(stderr, "tcplife-http: cannot give up root: %s\n", strerror(-err));
		return err;
	}
	if (t->args.verbose)
		fprintf(stderr,
			"tcplife-http: running as %s, capabilities: %s, seccomp filter: %s\n",
			p->user, p->ncaps ? p->caps[0] : "none", p->seccomp ? "on" : "off");
	return 0;
}

static void announce(struct tracer *t)
{
	struct tl_loader_info li = {0};
	struct tl_start_info info;

	if (t->loader)
		tl_loader_info(t->loader, &li);
	info = (struct tl_start_info){
	    .ts_ns = clock_ns(CLOCK_REALTIME),
	    .ifname = t->args.ifname,
	    .ports = t->args.ports,
	    .nports = t->args.nports,
	    .family = t->args.family,
	    .tc_attach = li.tc,
	    .state_attach = li.state,
	    .owner_attach = li.owner,
	    .both_directions = strcmp(t->args.ifname, "lo") != 0,
	    .source_file = t->args.read_path,
	    .privileges = t->args.read_path ? NULL : &t->confine.report,
	    .facts_missing = li.facts_missing,
	    .write_file = t->args.write_path,
	    .time_format = t->args.time_format,
	    .verbose = t->args.verbose,
	    .headers = t->args.headers,
	    .why = t->args.why,
	    .lang = t->args.lang,
	    .live = t->args.live,
	};

	if (li.stale_removed)
		fprintf(stderr,
			"tcplife-http: removed %d TC filter(s) left on %s by a run that "
			"crashed\n",
			li.stale_removed, t->args.ifname);
	t->out->start(t->out, &info);
	if (t->report)
		t->report->start(t->report, &info);
}

/* Reports loss as the kernel counts it. Connections are marked where the
 * gap is in the stream (each record carries the count), not here. */
static void check_loss(struct tracer *t)
{
	__u64 lost;

	tl_loader_count_misses(t->loader, clock_ns(CLOCK_MONOTONIC));
	lost = tl_loader_lost(t->loader);

	if (lost == t->lost)
		return;
	t->lost = lost;
	if (t->out->loss)
		t->out->loss(t->out, clock_ns(CLOCK_REALTIME), lost);
	if (t->report)
		t->report->loss(t->report, clock_ns(CLOCK_REALTIME), lost);
}

/* A traced interface can vanish (a namespace's veth deleted): its hook goes
 * with it, so the run ends with a clear message instead of tracing nothing. */
static bool interface_gone(struct tracer *t, __u64 now_ns)
{
	char name[IF_NAMESIZE];

	if (now_ns < t->next_if_check_ns)
		return false;
	t->next_if_check_ns = now_ns + NS_PER_S / 2;
	return !if_indextoname(t->ifindex, name);
}

/* The first error wins: werr, writing path, is told in one line only when
 * there was none before (err). */
static int write_failed(int err, int werr, const char *path)
{
	if (!werr || err)
		return err;
	fprintf(stderr, "tcplife-http: writing %s: %s\n", path, strerror(-werr));
	return werr;
}

static int report_error(struct tracer *t) { return t->report ? tl_report_error(t->report) : 0; }

static const char *report_path(const struct tracer *t)
{
	return t->args.html_path ? t->args.html_path : t->args.svg_dir;
}

/* Why the loop must stop, said once; 0 to go on. */
static int stop_reason(struct tracer *t, __u64 deadline)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC);
	int err;

	if (deadline && now >= deadline)
		return 1;
	if (interface_gone(t, now)) {
		fprintf(stderr, "tcplife-http: interface %s disappeared\n", t->args.ifname);
		return -ENODEV;
	}
	err = write_failed(0, tl_pcap_writer_error(t->pcap), t->args.write_path);
	return write_failed(err, report_error(t), report_path(t));
}

static int run_live(struct tracer *t)
{
	struct ring_buffer *rb;
	__u64 deadline = 0;
	int err = 0;

	rb = ring_buffer__new(tl_loader_events_fd(t->loader), on_record, t, NULL);
	if (!rb) {
		fprintf(stderr, "tcplife-http: cannot open the ring buffer: %s\n", strerror(errno));
		return -errno;
	}
	err = give_up_root(t);
	if (err) {
		ring_buffer__free(rb);
		return err;
	}
	if (t->args.duration_s > 0)
		deadline = clock_ns(CLOCK_MONOTONIC) + (__u64)(t->args.duration_s * 1e9);
	announce(t);
	while (!exiting && !ferror(stdout)) {
		err = ring_buffer__poll(rb, POLL_MS);
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rb);
		if (err < 0) {
			fprintf(stderr, "tcplife-http: reading the ring buffer: %s\n",
				strerror(-err));
			break;
		}
		check_loss(t);
		tl_engine_tick(t->engine, clock_ns(CLOCK_REALTIME));
		if (t->report)
			tl_report_tick(t->report, clock_ns(CLOCK_MONOTONIC));
		if (t->out->flush)
			t->out->flush(t->out);
		tl_live_status_update(t->status, t->engine, clock_ns(CLOCK_REALTIME));
		err = stop_reason(t, deadline);
		if (err)
			break;
	}
	tl_live_status_stop(t->status);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return err > 0 ? 0 : err;
}

static int run_capture(struct tracer *t)
{
	struct tl_capture_filter f = {
	    .ports = t->args.ports,
	    .nports = t->args.nports,
	    .family = t->args.family,
	};
	struct tl_capture_stats st;
	char err[512];
	int ret;

	announce(t);
	ret = tl_capture_read(t->args.read_path, &f, t->engine, &st, err, sizeof(err));
	if (ret)
		fprintf(stderr, "tcplife-http: %s\n", err);
	else if (st.skipped)
		fprintf(
		    stderr,
		    "tcplife-http: skipped %llu of %llu frames: %llu not a whole TCP segment (not "
		    "IPv4 or IPv6 TCP, a later fragment, or headers cut by the snaplen), %llu of "
		    "other ports or family\n",
		    (unsigned long long)st.skipped, (unsigned long long)st.frames,
		    (unsigned long long)st.not_tcp, (unsigned long long)(st.skipped - st.not_tcp));
	return ret;
}

static void report_end(struct tracer *t)
{
	struct tl_engine_stats st;
	struct tl_stats_info info;

	if (t->loader) {
		check_loss(t);
		/* Lost after the last record: the connections still open. */
		tl_engine_note_loss(t->engine, t->lost, clock_ns(CLOCK_REALTIME));
	}
	tl_engine_finish(t->engine);
	tl_engine_stats(t->engine, &st);
	info = (struct tl_stats_info){
	    .ts_ns = clock_ns(CLOCK_REALTIME),
	    .events = st.events,
	    .lost = t->lost,
	    .conns = st.conns,
	    .states_missing = st.states_missing,
	};
	t->out->stats(t->out, &info);
	if (t->report)
		t->report->stats(t->report, &info);
	if (t->out->flush)
		t->out->flush(t->out);
}

/* Frees what setup made; returns err, or the capture writer's error. */
static int teardown(struct tracer *t, int err)
{
	tl_loader_stop(t->loader);
	tl_kernel_names_free();
	tl_engine_free(t->engine);
	err = write_failed(err, tl_pcap_writer_close(t->pcap), t->args.write_path);
	err = write_failed(err, report_error(t), report_path(t));
	err = write_failed(err, t->out && t->out->error ? t->out->error(t->out) : 0,
			   t->args.json_path);
	if (t->report)
		t->report->free(t->report);
	if (t->out)
		t->out->free(t->out);
	if (t->diag_fd >= 0)
		close(t->diag_fd);
	return err;
}

int main(int argc, char **argv)
{
	struct tracer t = {.diag_fd = -1};
	struct sigaction sa = {.sa_handler = on_signal};
	int err;

	if (argc > 1 && !strcmp(argv[1], "compare"))
		return tl_compare_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "report"))
		return tl_report_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "grade"))
		return tl_grade_main(argc - 1, argv + 1);
	if (!tl_args_parse(argc, argv, &t.args, &err))
		return err;
	libbpf_set_print(t.args.verbose ? libbpf_print : NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	t.ktime_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);

	err = t.args.read_path ? make_engine(&t, &(struct tl_engine_config){0}) : setup_live(&t);
	if (!err) {
		err = t.args.read_path ? run_capture(&t) : run_live(&t);
		report_end(&t);
	}
	err = teardown(&t, err);
	if (ferror(stdout) && errno != EPIPE) {
		fprintf(stderr, "tcplife-http: writing output: %s\n", strerror(errno));
		return 1;
	}
	return err ? 1 : 0;
}
