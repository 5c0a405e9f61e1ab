/* --json-file: the run as JSON lines in a file, beside the output on
 * stdout, so that one run gives both the timeline on screen and the trace
 * to keep (make run). The JSON output is teed after the output's sink and
 * gets every record the output gets. */
#include "tracer/output/output.h"

#include <errno.h>
#include <stdlib.h>

#include "tracer/output/sink_tee.h"

struct json_file_output {
	struct tl_output out; /* first: the callbacks get &out back */
	struct tl_output *main, *json;
	struct tl_sink_tee tee;
	FILE *f;
	int err;
};

/* The first error writing the file, kept for error(). */
static void jf_check(struct json_file_output *jf)
{
	if (!jf->err && ferror(jf->f))
		jf->err = errno ? -errno : -EIO;
}

static void jf_start(struct tl_output *o, const struct tl_start_info *info)
{
	struct json_file_output *jf = (struct json_file_output *)o;

	jf->main->start(jf->main, info);
	jf->json->start(jf->json, info);
	jf_check(jf);
}

static void jf_loss(struct tl_output *o, __u64 ts_ns, __u64 total)
{
	struct json_file_output *jf = (struct json_file_output *)o;

	if (jf->main->loss)
		jf->main->loss(jf->main, ts_ns, total);
	jf->json->loss(jf->json, ts_ns, total);
}

static void jf_stats(struct tl_output *o, const struct tl_stats_info *info)
{
	struct json_file_output *jf = (struct json_file_output *)o;

	jf->main->stats(jf->main, info);
	jf->json->stats(jf->json, info);
	jf_check(jf);
}

static void jf_flush(struct tl_output *o)
{
	struct json_file_output *jf = (struct json_file_output *)o;

	if (jf->main->flush)
		jf->main->flush(jf->main);
	jf->json->flush(jf->json);
	jf_check(jf);
}

static int jf_error(struct tl_output *o)
{
	struct json_file_output *jf = (struct json_file_output *)o;

	return jf->err ? jf->err : jf->main->error ? jf->main->error(jf->main) : 0;
}

/* The file is closed last, after the JSON output wrote what it held. */
static void jf_free(struct tl_output *o)
{
	struct json_file_output *jf = (struct json_file_output *)o;

	jf->json->free(jf->json);
	jf->main->free(jf->main);
	if (fclose(jf->f))
		fprintf(stderr, "tcplife-http: closing the JSON file: %m\n");
	free(jf);
}

struct tl_output *tl_output_json_file_new(struct tl_output *main, const char *path)
{
	struct json_file_output *jf = calloc(1, sizeof(*jf));

	if (!jf)
		return NULL;
	jf->main = main;
	jf->out = (struct tl_output){
	    .start = jf_start,
	    .loss = jf_loss,
	    .stats = jf_stats,
	    .flush = jf_flush,
	    .error = jf_error,
	    .free = jf_free,
	};
	jf->f = fopen(path, "we");
	jf->json = jf->f ? tl_output_json_new(jf->f) : NULL;
	if (!jf->json) {
		int err = errno;

		if (jf->f)
			fclose(jf->f);
		free(jf);
		errno = err;
		return NULL;
	}
	tl_sink_tee_init(&jf->tee, &main->sink, &jf->json->sink);
	jf->out.sink = jf->tee.sink;
	return &jf->out;
}
