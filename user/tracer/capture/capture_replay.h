/* A capture file through the engine into a sink or an output, as -r runs
 * it: what `report`, `grade` and `compare` read a capture with. */
#ifndef TL_CAPTURE_REPLAY_H
#define TL_CAPTURE_REPLAY_H

#include <stddef.h>

#include "tracer/capture/capture_reader.h"
#include "tracer/output/output.h"

/* tl_capture_to_sink: the lives of the capture's segments that f keeps go
 * to sink (f's ports are also the server side when no SYN was seen).
 * Returns 0, or -errno with a one-line reason in err. */
int tl_capture_to_sink(const char *path, const struct tl_capture_filter *f,
		       const struct tl_sink *sink, char *err, size_t err_size);

/* tl_capture_replay: out's start record names path; the lives of the
 * capture's segments on ports (nports 0: every port, else also the server
 * side when no SYN was seen) go to out. Returns 0, or -errno with a
 * one-line reason in err. */
int tl_capture_replay(const char *path, const __u16 *ports, int nports, struct tl_output *out,
		      char *err, size_t err_size);

#endif
