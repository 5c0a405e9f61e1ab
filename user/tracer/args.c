#include "tracer/args.h"

#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_RINGBUF (8U << 20)
#define MIN_RINGBUF 4096U
#define MAX_RINGBUF (1U << 30)
#define DEFAULT_IDLE_S 600
/* parse_opt's answer to --help and --version: stop, successfully. */
#define TL_ARGS_DONE ECANCELED

const char *argp_program_version = "tcplife-http " TL_VERSION;
const char *argp_program_bug_address = "the project's issue tracker";

static const char doc[] =
    "Trace TCP connections on loopback from the kernel: every segment with Wireshark's "
    "relative numbers, HTTP request and status lines, both ends' socket states and "
    "processes, from SYN to TIME_WAIT. Segments carry Wireshark's expert labels ([TCP "
    "Retransmission], [TCP Dup ACK 12#1]...); live, the kernel's own lines say what no "
    "capture shows: segments dropped in the kernel and why, TCP's retransmissions, the "
    "reason of each RST.\n"
    "\n"
    "USAGE: tcplife-http [-i IFACE] [-p PORT]... [-4|-6] [--json|--summary] [-d SECONDS]\n"
    "\n"
    "EXAMPLES:\n"
    "  tcplife-http -p 8080           # timeline of every connection to or from port 8080\n"
    "  tcplife-http -p 8080 --json    # the same as newline-delimited JSON\n"
    "  tcplife-http --summary         # one line per connection, like tcplife\n"
    "  tcplife-http -6 -p 80 -d 10    # IPv6 only, port 80, stop after 10 s\n"
    "  tcplife-http -p 8080 -w lab.pcapng   # also write what was seen, for Wireshark\n"
    "  tcplife-http -r lab.pcapng     # rebuild the lives in a Wireshark or tcpdump capture\n"
    "  tcplife-http compare trace.json lab.pcapng   # does a --json trace agree with a capture?\n"
    "  tcplife-http -p 8080 --html lab.html         # also draw each life as a ladder diagram\n"
    "  tcplife-http report lab.pcapng -o lab.html   # the diagrams of a capture or a --json trace\n"
    "  tcplife-http grade server-close lab.pcapng   # does it show a lab scenario's life?\n"
    "\n"
    "PRIVILEGES: live tracing starts as root; once its hooks are attached it runs as the "
    "user who ran sudo (else nobody; -Z picks another) with no capabilities (CAP_NET_ADMIN "
    "alone on the clsact path, to remove its filter at exit), no_new_privs and a seccomp "
    "filter: a system call the tracing loop does not make stops it with a message. The -w "
    "file belongs to the user who ran sudo.\n";

enum {
	OPT_RINGBUF = 0x100,
	OPT_TC,
	OPT_IDLE,
	OPT_COLOR,
	OPT_STATE_HOOK,
	OPT_NO_SANDBOX,
	OPT_HTML,
	OPT_SVG,
	OPT_HEADERS,
	OPT_WHY,
	OPT_LANG,
	OPT_JSON_FILE,
	OPT_SNAPLEN,
	OPT_LIVE,
	OPT_NO_STATUS,
};

static const struct argp_option options[] = {
    {"interface", 'i', "IFACE", 0, "Interface to trace (default lo; others hook both directions)",
     0},
    {"port", 'p', "PORT", 0, "Trace only this port, either end (repeatable, up to 16)", 0},
    {"ipv4", '4', NULL, 0, "IPv4 only (IPv4-mapped IPv6 counts as IPv4, as on the wire)", 0},
    {"ipv6", '6', NULL, 0, "IPv6 only", 0},
    {"json", 'j', NULL, 0, "Newline-delimited JSON, one object per event", 0},
    {"summary", 's', NULL, 0, "One line per connection, in libbpf-tools tcplife's columns", 0},
    {"duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0},
    {"verbose", 'v', NULL, 0,
     "Show libbpf's messages, TSval/TSecr on segment lines, and how the hooks attached", 0},
    {"write", 'w', "FILE", 0,
     "Also write every segment seen to FILE (pcapng; each frame's first 1024 bytes, see --snaplen)",
     0},
    {"read", 'r', "FILE", 0,
     "Read a pcap or pcapng capture, gzipped or not, instead of tracing (no root needed)", 0},
    {"html", OPT_HTML, "FILE", 0,
     "Also draw each connection as a ladder diagram in FILE (HTML), rewritten as lives end", 0},
    {"svg", OPT_SVG, "DIR", 0, "Also write each connection's diagram to DIR/conn-N.svg", 0},
    {"json-file", OPT_JSON_FILE, "FILE", 0,
     "Also write the run as JSON lines (as --json prints them) to FILE", 0},
    {"snaplen", OPT_SNAPLEN, "BYTES", 0,
     "With -w: keep each frame's first BYTES (64 to 262144; 0 = whole frames; default 1024)", 0},
    {"live", OPT_LIVE, NULL, 0,
     "Text: print each timeline line as it happens, prefixed with its connection (#N); the "
     "connection's header and summary still come when its life ends",
     0},
    {"no-status", OPT_NO_STATUS, NULL, 0,
     "No status line on a terminal (the open connections and what they wait for)", 0},
    {"time", 't', "FORMAT", 0,
     "Text time column: conn (default: since the connection began), r (since the first segment), d "
     "(since the previous one)",
     0},
    {"headers", OPT_HEADERS, "all", OPTION_ARG_OPTIONAL,
     "Show the headers that explain each HTTP message (If-None-Match, ETag, Range, Keep-Alive...) "
     "under its line; =all: every header",
     0},
    {"why", OPT_WHY, NULL, 0, "Say why each state changed (FIN received, close() called...)", 0},
    {"lang", OPT_LANG, "LANG", 0, "Summary and legend lines in en (default) or zh (Chinese)", 0},
    {"ringbuf-size", OPT_RINGBUF, "BYTES", 0, "Ring buffer size, a power of two (default 8 MiB)",
     1},
    {"tc", OPT_TC, "MODE", 0, "How to hook TC: auto (default), tcx or clsact", 1},
    {"state-hook", OPT_STATE_HOOK, "KIND", 0,
     "How to hook socket states: auto (default: tp_btf, raw_tp, tracepoint, the first that works) "
     "or one of them",
     1},
    {"user", 'Z', "USER", 0,
     "Once set up, run as USER (default: the user who ran sudo, else nobody)", 1},
    {"no-sandbox", OPT_NO_SANDBOX, NULL, 0,
     "For debugging: no system-call filter once set up (the user and capabilities are still given "
     "up)",
     1},
    {"idle-timeout", OPT_IDLE, "SECONDS", 0,
     "Report and forget connections silent this long (default 600, 0 = never)", 1},
    {"color", OPT_COLOR, "WHEN", 0,
     "Colour the text output: auto (default, on a terminal), always, never", 1},
    {"help", 'h', NULL, 0, "Give this help list", 2},
    {"version", 'V', NULL, 0, "Print the program version", 2},
    {},
};

/* Says what was wrong in one line; the error stops argp_parse, and the
 * program exits with status 2. */
static error_t die(const char *fmt, const char *arg)
{
	fprintf(stderr, "tcplife-http: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	return EINVAL;
}

static error_t add_port(struct tl_args *a, const char *arg)
{
	unsigned long v;

	if (tl_parse_ulong(arg, 1, 65535, &v))
		return die("invalid port '%s': expected a number from 1 to 65535", arg);
	for (int i = 0; i < a->nports; i++)
		if (a->ports[i] == v)
			return 0;
	if (a->nports == TL_MAX_PORTS)
		return die("too many ports at '%s': at most 16", arg);
	a->ports[a->nports++] = v;
	return 0;
}

static error_t set_ringbuf(struct tl_args *a, const char *arg)
{
	unsigned long v;

	if (tl_parse_ulong(arg, MIN_RINGBUF, MAX_RINGBUF, &v) || (v & (v - 1)))
		return die("invalid ring buffer size '%s': a power of two from 4096 to 1073741824",
			   arg);
	a->ringbuf_bytes = v;
	return 0;
}

static int pick(const char *arg, const char *const names[], int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return i;
	return -1;
}

/* Options that only mean something with another. */
static error_t check_combinations(const struct tl_args *a)
{
	if (a->snaplen_set && !a->write_path)
		return die("%s", "--snaplen is for -w");
	if (a->live && a->format != TL_FORMAT_TEXT)
		return die("%s", "--live is for the text timeline (--json writes each event as it "
				 "happens already)");
	return 0;
}

/* What parse_opt works on: the arguments, and whether a line was already
 * said (argp calls back with ARGP_KEY_ERROR after any error). */
struct args_ctx {
	struct tl_args *a;
	bool said;
};

static error_t parse_key(int key, char *arg, struct argp_state *state, struct tl_args *a)
{
	static const char *const tc_modes[] = {"auto", "tcx", "clsact"};
	static const char *const colors[] = {"never", "always", "auto"};
	static const char *const time_formats[] = {"conn", "r", "d"};
	static const char *const state_hooks[] = {"auto", "tp_btf", "raw_tp", "tracepoint"};
	static const char *const langs[] = {"en", "zh"};
	unsigned long v;
	int i;

	switch (key) {
	case 'i':
		if (strlen(arg) >= sizeof(a->ifname) || !*arg)
			return die("invalid interface name '%s'", arg);
		strcpy(a->ifname, arg);
		break;
	case 'p':
		return add_port(a, arg);
	case '4':
	case '6':
		if (a->family)
			return die("%s", "-4 and -6 exclude each other");
		a->family = key == '4' ? AF_INET : AF_INET6;
		break;
	case 'j':
	case 's':
		if (a->format != TL_FORMAT_TEXT)
			return die("%s", "--json and --summary exclude each other");
		a->format = key == 'j' ? TL_FORMAT_JSON : TL_FORMAT_SUMMARY;
		break;
	case 'd':
		if (tl_parse_seconds(arg, 31536000, &a->duration_s))
			return die("invalid duration '%s': expected seconds, more than 0", arg);
		break;
	case 'v':
		a->verbose = true;
		break;
	case 'w':
	case 'r':
		if (!*arg)
			return die("%s", "an empty file name");
		*(key == 'w' ? &a->write_path : &a->read_path) = arg;
		break;
	case 'Z':
		if (!*arg)
			return die("%s", "an empty user name");
		a->user = arg;
		break;
	case OPT_NO_SANDBOX:
		a->no_sandbox = true;
		break;
	case OPT_HTML:
	case OPT_SVG:
		if (!*arg)
			return die("%s", "an empty file name");
		*(key == OPT_HTML ? &a->html_path : &a->svg_dir) = arg;
		break;
	case OPT_JSON_FILE:
		if (!*arg)
			return die("%s", "an empty file name");
		a->json_path = arg;
		break;
	case OPT_SNAPLEN:
		if (tl_parse_ulong(arg, 0, TL_SNAPLEN_MAX, &v) || (v && v < TL_SNAPLEN_MIN))
			return die("invalid snaplen '%s': 0 (whole frames) or 64 to 262144", arg);
		a->snaplen = v ? v : TL_SNAPLEN_MAX;
		a->snaplen_set = true;
		break;
	case OPT_LIVE:
		a->live = true;
		break;
	case OPT_NO_STATUS:
		a->no_status = true;
		break;
	case ARGP_KEY_END:
		return check_combinations(a);
	case 't':
		if ((i = pick(arg, time_formats, 3)) < 0)
			die("invalid -t '%s': conn, r or d", arg);
		a->time_format = i;
		break;
	case OPT_HEADERS:
		if (arg && strcmp(arg, "all"))
			return die("invalid --headers '%s': --headers or --headers=all", arg);
		a->headers = arg ? TL_HEADERS_ALL : TL_HEADERS_EXPLAIN;
		break;
	case OPT_WHY:
		a->why = true;
		break;
	case OPT_LANG:
		if ((i = pick(arg, langs, 2)) < 0)
			return die("invalid --lang '%s': en or zh", arg);
		a->lang = i;
		break;
	case OPT_RINGBUF:
		return set_ringbuf(a, arg);
	case OPT_TC:
		if ((i = pick(arg, tc_modes, 3)) < 0)
			return die("invalid --tc '%s': auto, tcx or clsact", arg);
		a->tc_mode = i;
		break;
	case OPT_STATE_HOOK:
		if ((i = pick(arg, state_hooks, 4)) < 0)
			return die("invalid --state-hook '%s': auto, tp_btf, raw_tp or tracepoint",
				   arg);
		a->state_hook = i ? state_hooks[i] : NULL;
		break;
	case OPT_IDLE:
		if (tl_parse_ulong(arg, 0, 31536000, &v))
			return die("invalid idle timeout '%s': whole seconds", arg);
		a->idle_timeout_s = v;
		break;
	case OPT_COLOR:
		if ((i = pick(arg, colors, 3)) < 0)
			return die("invalid --color '%s': auto, always or never", arg);
		a->color = i == 2 ? -1 : i;
		break;
	case ARGP_KEY_ARG:
		return die("unexpected argument '%s'", arg);
		break;
	case 'h':
		argp_help(state->root_argp, stdout, ARGP_HELP_STD_HELP, state->name);
		return TL_ARGS_DONE;
	case 'V':
		printf("%s\n", argp_program_version);
		return TL_ARGS_DONE;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct args_ctx *ctx = state->input;
	error_t err;

	if (key == ARGP_KEY_ERROR) {
		/* getopt stopped at an unknown option or one missing its value. */
		if (!ctx->said)
			die("invalid option or missing value near '%s'",
			    state->next > 0 && state->next <= state->argc
				? state->argv[state->next - 1]
				: "?");
		return 0;
	}
	err = parse_key(key, arg, state, ctx->a);
	if (err && err != ARGP_ERR_UNKNOWN)
		ctx->said = true;
	return err;
}

bool tl_args_parse(int argc, char **argv, struct tl_args *a, int *status)
{
	/* argp's own error report is two lines (the error, then "Try --help")
	 * and getopt's goes straight to stderr: both are silenced, and
	 * parse_opt says what was wrong in one line. That takes --help and
	 * --version away from argp, which would no longer exit after them. */
	static const struct argp argp = {.options = options, .parser = parse_opt, .doc = doc};
	struct args_ctx ctx = {.a = a};

	memset(a, 0, sizeof(*a));
	strcpy(a->ifname, "lo");
	a->ringbuf_bytes = DEFAULT_RINGBUF;
	a->idle_timeout_s = DEFAULT_IDLE_S;
	a->color = -1;
	a->snaplen = TL_SNAPLEN_DEFAULT;
	switch (argp_parse(&argp, argc, argv, ARGP_NO_HELP | ARGP_NO_ERRS, NULL, &ctx)) {
	case 0:
		return true;
	case TL_ARGS_DONE:
		*status = 0;
		return false;
	default:
		*status = 2;
		return false;
	}
}
