#include "tracer/report/report_output.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tracer/report/report_html.h"
#include "common/util.h"
#include "common/vec.h"

struct report_output {
	struct tl_output out;	/* first: the callbacks get &out back */
	struct tl_output *json; /* writes into f */
	FILE *f;		/* a cookie stream into line */
	struct tl_report_config cfg;
	struct tl_rp_model model;
	char *line;
	size_t len, cap;
	int err;
	__u64 written_version;
	__u64 next_write_ns;
};

static __u64 report_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void report_fail(struct report_output *r, int err)
{
	if (!r->err)
		r->err = err;
}

/* The JSON output's bytes: every whole line goes to the model. */
static ssize_t report_cookie_write(void *cookie, const char *buf, size_t size)
{
	struct report_output *r = cookie;
	char *line = vec_reserve(r->line, &r->cap, r->len + size, 1);
	size_t start = 0;

	if (!line) {
		report_fail(r, -ENOMEM);
		return size;
	}
	r->line = line;
	memcpy(r->line + r->len, buf, size);
	r->len += size;
	for (size_t i = 0; i < r->len; i++) {
		int err;

		if (r->line[i] != '\n')
			continue;
		err = tl_rp_model_line(&r->model, r->line + start, i - start);
		if (err)
			report_fail(r, err);
		start = i + 1;
	}
	memmove(r->line, r->line + start, r->len - start);
	r->len -= start;
	return size;
}

/* The JSON output keeps its lines until a flush (once per drain): the model
 * takes them from there. */
static void report_sync(struct report_output *r)
{
	if (r->json->flush)
		r->json->flush(r->json);
	fflush(r->f);
}

/* Writes the files now; a failure is kept for tl_report_error. */
static void report_write(struct report_output *r)
{
	__u64 t0 = report_now(), t1;
	int err = 0;

	report_sync(r);
	if (r->cfg.html_path)
		err = tl_rp_write_html(r->cfg.html_path, &r->model, r->cfg.all);
	if (!err && r->cfg.svg_dir)
		err = tl_rp_write_svgs(r->cfg.svg_dir, &r->model, r->cfg.all);
	r->written_version = r->model.version;
	/* At most a tenth of the time goes to rewriting. */
	t1 = report_now();
	r->next_write_ns = t1 + (t1 - t0) * 9;
	if (r->next_write_ns < t0 + NS_PER_S)
		r->next_write_ns = t0 + NS_PER_S;
	if (err)
		report_fail(r, err);
}

void tl_report_tick(struct tl_output *o, __u64 now_ns)
{
	struct report_output *r = (struct report_output *)o;

	report_sync(r);
	if (r->model.version != r->written_version && now_ns >= r->next_write_ns && !r->err)
		report_write(r);
}

int tl_report_error(struct tl_output *o) { return ((struct report_output *)o)->err; }

struct tl_rp_model *tl_report_model(struct tl_output *o)
{
	struct report_output *r = (struct report_output *)o;

	report_sync(r);
	return &r->model;
}

static void report_start(struct tl_output *o, const struct tl_start_info *info)
{
	struct report_output *r = (struct report_output *)o;

	r->json->start(r->json, info);
}

static void report_loss(struct tl_output *o, __u64 ts_ns, __u64 total)
{
	struct report_output *r = (struct report_output *)o;

	r->json->loss(r->json, ts_ns, total);
}

static void report_stats(struct tl_output *o, const struct tl_stats_info *info)
{
	struct report_output *r = (struct report_output *)o;

	r->json->stats(r->json, info);
	report_write(r);
}

static void report_free(struct tl_output *o)
{
	struct report_output *r = (struct report_output *)o;

	if (r->json)
		r->json->free(r->json);
	if (r->f)
		fclose(r->f);
	tl_rp_model_free(&r->model);
	free(r->line);
	free(r);
}

struct tl_output *tl_report_output_new(const struct tl_report_config *cfg)
{
	static const cookie_io_functions_t io = {.write = report_cookie_write};
	struct report_output *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	/* jansson seeds its hash tables from /dev/urandom at its first object:
	 * that happens here, while the tracer may still open files. */
	json_object_seed(0);
	r->cfg = *cfg;
	/* Not written yet: the first tick writes the files, so that they exist
	 * from the start of a live run and a path that cannot be written ends
	 * it at once (the tracer by then runs as the user it becomes). */
	r->written_version = UINT64_MAX;
	r->out = (struct tl_output){
	    .start = report_start,
	    .loss = report_loss,
	    .stats = report_stats,
	    .free = report_free,
	};
	r->f = fopencookie(r, "w", io);
	r->json = r->f ? tl_output_json_new(r->f) : NULL;
	if (!r->json) {
		report_free(&r->out);
		errno = ENOMEM;
		return NULL;
	}
	r->out.sink = r->json->sink;
	return &r->out;
}
