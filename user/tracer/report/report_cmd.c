#include "tracer/report/report_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse_num.h"
#include "tracer/capture/capture_replay.h"
#include "tracer/capture/trace_input.h"
#include "tracer/report/report_html.h"
#include "tracer/report/report_output.h"

struct report_run {
	const char *input;
	struct tl_report_config cfg;
	__u16 ports[TL_MAX_PORTS];
	int nports;
};

static const char usage[] =
    "usage: tcplife-http report INPUT (-o FILE.html | --svg DIR)... [-p PORT]...\n"
    "  INPUT: a --json trace, or a pcap/pcapng capture (read as -r does)\n";

static int report_bad(const char *what, const char *arg)
{
	fprintf(stderr, "tcplife-http report: %s%s%s (see tcplife-http report --help)\n", what,
		arg ? " " : "", arg ? arg : "");
	return 2;
}

static int report_args(int argc, char **argv, struct report_run *run)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"svg", required_argument, NULL, 'S'},
					     {"port", required_argument, NULL, 'p'},
					     {"help", no_argument, NULL, 'h'},
					     {}};
	unsigned long v;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:p:h", opts, NULL)) != -1) {
		if (opt == 'o' && *optarg)
			run->cfg.html_path = optarg;
		else if (opt == 'S' && *optarg)
			run->cfg.svg_dir = optarg;
		else if (opt == 'p' && run->nports < TL_MAX_PORTS &&
			 !tl_parse_ulong(optarg, 1, 65535, &v))
			run->ports[run->nports++] = v;
		else if (opt == 'h')
			return printf("%s", usage) < 0 ? 1 : -1;
		else
			return report_bad("invalid option or value near", argv[optind - 1]);
	}
	if (optind != argc - 1)
		return report_bad("one INPUT expected", NULL);
	if (!run->cfg.html_path && !run->cfg.svg_dir)
		return report_bad("nothing to write: give -o FILE.html or --svg DIR", NULL);
	run->input = argv[optind];
	run->cfg.all = true;
	return 0;
}

static int report_line(void *m, const char *line, size_t len)
{
	return tl_rp_model_line(m, line, len);
}

static int report_from_json(struct report_run *run, struct tl_rp_model *m)
{
	FILE *f = fopen(run->input, "r");
	size_t lineno = 0;
	int err;

	if (!f)
		return -errno;
	err = tl_json_lines(f, report_line, m, &lineno);
	if (tl_json_line_why(err))
		fprintf(stderr, "tcplife-http report: %s:%zu: %s\n", run->input, lineno,
			tl_json_line_why(err));
	fclose(f);
	return err;
}

static int report_write(struct report_run *run, struct tl_rp_model *m)
{
	int err = run->cfg.html_path ? tl_rp_write_html(run->cfg.html_path, m, true) : 0;

	if (err) {
		fprintf(stderr, "tcplife-http report: writing %s: %s\n", run->cfg.html_path,
			strerror(-err));
		return err;
	}
	err = run->cfg.svg_dir ? tl_rp_write_svgs(run->cfg.svg_dir, m, true) : 0;
	if (err)
		fprintf(stderr, "tcplife-http report: writing %s: %s\n", run->cfg.svg_dir,
			strerror(-err));
	return err;
}

/* The capture through the engine, into a report output: -r's path. */
static int report_from_capture(struct report_run *run, struct tl_output *out)
{
	char err[512];
	int ret = tl_capture_replay(run->input, run->ports, run->nports, out, err, sizeof(err));

	/* report_read says it for no memory. */
	if (ret && ret != -ENOMEM)
		fprintf(stderr, "tcplife-http report: %s\n", err);
	return ret;
}

/* Reads INPUT into a model: 0, or 2 (bad input) or 1 (no memory) to exit with. */
static int report_read(struct report_run *run, struct tl_rp_model *m, struct tl_output **out)
{
	int json = tl_input_is_json(run->input), err;

	if (json < 0) {
		fprintf(stderr, "tcplife-http report: %s: %s\n", run->input, strerror(-json));
		return 2;
	}
	if (json) {
		err = report_from_json(run, m);
	} else {
		*out = tl_report_output_new(&run->cfg);
		err = *out ? report_from_capture(run, *out) : -ENOMEM;
		if (!err)
			err = tl_report_error(*out);
	}
	if (err == -ENOMEM)
		fprintf(stderr, "tcplife-http report: %s\n", strerror(ENOMEM));
	return !err ? 0 : err == -ENOMEM ? 1 : 2;
}

int tl_report_main(int argc, char **argv)
{
	struct report_run run = {0};
	struct tl_rp_model model = {0};
	struct tl_output *out = NULL;
	int ret = report_args(argc, argv, &run);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = report_read(&run, &model, &out);
	if (!ret && report_write(&run, out ? tl_report_model(out) : &model))
		ret = 1;
	if (out)
		out->free(out);
	tl_rp_model_free(&model);
	return ret;
}
