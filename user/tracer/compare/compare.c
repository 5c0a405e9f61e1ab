/* tcplife-http compare TRACE.json CAPTURE: the trace's packet and http
 * events on one side; on the other, the capture run through the same
 * engine -r uses. Connections are paired by their 4-tuple, then compared
 * direction by direction, segment by segment, and message by message. */
#include "tracer/compare/compare.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/parse_num.h"
#include "tracer/compare/compare_impl.h"

static void usage(FILE *f)
{
	fprintf(
	    f, "Usage: tcplife-http compare [-p PORT]... TRACE.json CAPTURE\n"
	       "Tells whether a trace (tcplife-http --json) and a capture (pcap or pcapng) of the\n"
	       "same traffic agree, connection by connection and segment by segment, Wireshark's\n"
	       "labels included. Not differences: segments the trace says a qdisc dropped before\n"
	       "the capture point, and segments met a few places apart (reordered).\n"
	       "  -p PORT  read only the capture's segments to or from PORT (repeatable;\n"
	       "           default: the ports of the trace's start line)\n"
	       "  -h       this help\n"
	       "Exit status: 0 they agree, 1 they differ, 2 bad input.\n");
}

static int parse_args(int argc, char **argv, struct cmp_run *run, bool *help)
{
	unsigned long port;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+:hp:")) != -1) {
		if (opt == 'h') {
			*help = true;
			return 0;
		}
		if (opt != 'p' || tl_parse_ulong(optarg, 1, 65535, &port) ||
		    run->nports == TL_MAX_PORTS) {
			fprintf(stderr,
				"tcplife-http compare: bad option or port near '%s' (see -h)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
		run->ports[run->nports++] = port;
		run->ports_given = true;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "tcplife-http compare: expected TRACE.json and CAPTURE (see -h)\n");
		return -EINVAL;
	}
	run->trace_path = argv[optind];
	run->capture_path = argv[optind + 1];
	return 0;
}

static void trace_error(const struct cmp_run *run, int err)
{
	if (err == -EBADMSG)
		fprintf(stderr, "tcplife-http compare: %s:%zu: invalid JSON\n", run->trace_path,
			run->line);
	else if (err == -EINVAL)
		fprintf(stderr,
			"tcplife-http compare: %s:%zu: an event lacks a field or has a bad "
			"value\n",
			run->trace_path, run->line);
	else
		fprintf(stderr, "tcplife-http compare: %s: %s\n", run->trace_path, strerror(-err));
}

int tl_compare_main(int argc, char **argv)
{
	struct cmp_run run = {0};
	char msg[PATH_MAX + 256];
	bool help = false;
	int err, status = 2;

	if (parse_args(argc, argv, &run, &help))
		return 2;
	if (help) {
		usage(stdout);
		return 0;
	}
	err = cmp_trace_read(&run);
	if (err) {
		trace_error(&run, err);
	} else if (cmp_capture_read(&run, msg, sizeof(msg))) {
		fprintf(stderr, "tcplife-http compare: %s\n", msg);
	} else {
		cmp_pair_conns(&run.trace, &run.capture);
		status = cmp_report(&run);
	}
	cmp_side_free(&run.trace);
	cmp_side_free(&run.capture);
	return status;
}
