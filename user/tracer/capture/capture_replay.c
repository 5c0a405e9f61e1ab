#include "tracer/capture/capture_replay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracer/engine/engine.h"

int tl_capture_to_sink(const char *path, const struct tl_capture_filter *f,
		       const struct tl_sink *sink, char *err, size_t err_size)
{
	struct tl_engine_config ecfg = {.server_ports = f->ports, .nports = f->nports};
	struct tl_engine *e = tl_engine_new(&ecfg, sink);
	struct tl_capture_stats st;
	int ret;

	if (!e) {
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = tl_capture_read(path, f, e, &st, err, err_size);
	tl_engine_finish(e);
	tl_engine_free(e);
	return ret;
}

int tl_capture_replay(const char *path, const __u16 *ports, int nports, struct tl_output *out,
		      char *err, size_t err_size)
{
	struct tl_capture_filter f = {.ports = ports, .nports = nports};
	struct tl_start_info info = {.ports = ports, .nports = nports, .source_file = path};

	out->start(out, &info);
	return tl_capture_to_sink(path, &f, &out->sink, err, err_size);
}
