/* --html and --svg: an output beside the chosen one. It turns the engine's
 * steps into --json lines (the documented interface) and reads them into
 * the report's model, so that a live run draws exactly what
 * `tcplife-http report trace.json` would. */
#ifndef TL_REPORT_OUTPUT_H
#define TL_REPORT_OUTPUT_H

#include <linux/types.h>
#include <stdbool.h>

#include "tracer/output/output.h"
#include "tracer/report/report_model.h"

struct tl_report_config {
	const char *html_path; /* NULL: none */
	const char *svg_dir;   /* NULL: none */
	bool all;	       /* draw connections whose end was not seen too */
};

/* tl_report_output_new: NULL with errno set on failure. Its stats callback
 * (the run's end) writes the files a last time; free reports nothing. */
struct tl_output *tl_report_output_new(const struct tl_report_config *cfg);

/* tl_report_tick: writes the files at the first call, then when lives have
 * ended since the last write, at most once a second (and at most a tenth of
 * the time: a big report takes a while). now_ns: CLOCK_MONOTONIC. After a
 * failed write it writes no more: tl_report_error says why. */
void tl_report_tick(struct tl_output *o, __u64 now_ns);

/* tl_report_error: the first error writing or reading, 0 or -errno. */
int tl_report_error(struct tl_output *o);

/* tl_report_model: what was read so far. */
struct tl_rp_model *tl_report_model(struct tl_output *o);

#endif
