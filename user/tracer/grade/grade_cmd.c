/* The command line of `tcplife-http grade`: which shape, which input. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/parse_num.h"
#include "tracer/capture/capture_replay.h"
#include "tracer/capture/trace_input.h"
#include "tracer/grade/grade.h"

/* make install's shapes; the Makefile compiles it from PREFIX. */
#ifndef TL_DATADIR
#define TL_DATADIR "/usr/local/share/tcplife-http"
#endif
/* A shape is a few hundred bytes: anything far larger is not one. */
#define GRADE_SHAPE_MAX (64 * 1024)

struct grade_cmd {
	const char *shape_arg;
	const char *input;
	__u16 ports[TL_MAX_PORTS];
	int nports;
	char shape_path[PATH_MAX];
};

static const char usage[] =
    "usage: tcplife-http grade SCENARIO|SHAPE.json INPUT [-p PORT]...\n"
    "  SCENARIO: a lab scenario's name (server-close, connection-close, slow, chunked,\n"
    "  large, abort, refused, keep-alive), its shape read from scenarios/ beside the\n"
    "  binary or " TL_DATADIR "/scenarios; INPUT: a --json trace, or a\n"
    "  pcap/pcapng capture (read as -r does). Exit: 0 all PASS, 1 a FAIL, 2 bad input\n";

static int grade_bad(const char *what, const char *arg)
{
	fprintf(stderr, "tcplife-http grade: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int grade_args(int argc, char **argv, struct grade_cmd *g)
{
	static const struct option opts[] = {
	    {"port", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {}};
	unsigned long v;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		if (opt == 'p' && g->nports < TL_MAX_PORTS && !tl_parse_ulong(optarg, 1, 65535, &v))
			g->ports[g->nports++] = v;
		else if (opt == 'h')
			return printf("%s", usage) < 0 ? 1 : -1;
		else
			return grade_bad("invalid option or value near (see --help)",
					 argv[optind - 1]);
	}
	if (optind != argc - 2)
		return grade_bad("a SCENARIO and an INPUT expected (see --help)", NULL);
	g->shape_arg = argv[optind];
	g->input = argv[optind + 1];
	return 0;
}

static bool grade_is_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n > 0 && n < 64 && !s[n];
}

/* A name is looked up beside the binary (a build tree), then where make
 * install put the shapes; anything else is a file's path. */
static int grade_find_shape(struct grade_cmd *g)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (!grade_is_name(g->shape_arg)) {
		snprintf(g->shape_path, sizeof(g->shape_path), "%s", g->shape_arg);
		return 0;
	}
	if (n > 0) {
		exe[n] = '\0';
		snprintf(g->shape_path, sizeof(g->shape_path), "%s/scenarios/%s.json", dirname(exe),
			 g->shape_arg);
		if (stat(g->shape_path, &st) == 0)
			return 0;
	}
	snprintf(g->shape_path, sizeof(g->shape_path), TL_DATADIR "/scenarios/%s.json",
		 g->shape_arg);
	if (stat(g->shape_path, &st) == 0)
		return 0;
	return grade_bad("no such scenario (its shape is not in scenarios/)", g->shape_arg);
}

static int grade_read_shape(struct grade_cmd *g, struct grade_shape *s)
{
	FILE *f = fopen(g->shape_path, "r");
	char *text = malloc(GRADE_SHAPE_MAX + 1), err[160];
	size_t len = f && text ? fread(text, 1, GRADE_SHAPE_MAX + 1, f) : 0;
	int ret = 0;

	if (!f)
		ret = grade_bad(strerror(errno), g->shape_path);
	else if (!text || ferror(f))
		ret = grade_bad(strerror(text ? EIO : ENOMEM), g->shape_path);
	else if (len > GRADE_SHAPE_MAX)
		ret = grade_bad("larger than a shape can be (64 KiB)", g->shape_path);
	else if (grade_shape_parse(text, len, s, err, sizeof(err))) {
		fprintf(stderr, "tcplife-http grade: %s: %s\n", g->shape_path, err);
		ret = 2;
	}
	if (f)
		fclose(f);
	free(text);
	return ret;
}

static int grade_line(void *t, const char *line, size_t len)
{
	return grade_trace_line(t, line, len);
}

/* The capture's --json lines, as -r --json would print them. */
static int grade_capture(struct grade_cmd *g, struct grade_trace *t, size_t *lineno)
{
	char *buf = NULL, why[512];
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	struct tl_output *out = mem ? tl_output_json_new(mem) : NULL;
	int err =
	    out ? tl_capture_replay(g->input, g->ports, g->nports, out, why, sizeof(why)) : -ENOMEM;

	if (out)
		out->free(out);
	if (mem)
		fclose(mem);
	/* The capture's own error is said here, in libpcap's words;
	 * -ECANCELED tells grade_read it was. */
	if (err && err != -ENOMEM) {
		fprintf(stderr, "tcplife-http grade: %s\n", why);
		err = -ECANCELED;
	}
	mem = err ? NULL : fmemopen(buf, size, "r");
	if (!err)
		err = mem ? tl_json_lines(mem, grade_line, t, lineno) : -ENOMEM;
	if (mem)
		fclose(mem);
	free(buf);
	return err;
}

static int grade_read(struct grade_cmd *g, struct grade_trace *t)
{
	int json = tl_input_is_json(g->input), err;
	size_t lineno = 0;
	FILE *f;

	if (json < 0)
		return grade_bad(strerror(-json), g->input);
	if (json) {
		f = fopen(g->input, "r");
		if (!f)
			return grade_bad(strerror(errno), g->input);
		err = tl_json_lines(f, grade_line, t, &lineno);
		fclose(f);
	} else {
		err = grade_capture(g, t, &lineno);
	}
	if (tl_json_line_why(err))
		fprintf(stderr, "tcplife-http grade: %s:%zu: %s\n", g->input, lineno,
			tl_json_line_why(err));
	else if (err && err != -ECANCELED)
		fprintf(stderr, "tcplife-http grade: %s: %s\n", g->input, strerror(-err));
	return err ? 2 : 0;
}

int tl_grade_main(int argc, char **argv)
{
	struct grade_cmd g = {0};
	struct grade_shape shape;
	struct grade_trace trace = {0};
	int ret = grade_args(argc, argv, &g);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = grade_find_shape(&g);
	if (!ret)
		ret = grade_read_shape(&g, &shape);
	if (!ret)
		ret = grade_read(&g, &trace);
	if (!ret) {
		printf("grade %s: %s\n", shape.scenario, g.input);
		ret = grade_check(&shape, &trace, stdout) ? 1 : 0;
	}
	grade_trace_free(&trace);
	return ret;
}
