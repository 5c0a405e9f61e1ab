/* Hands every step of the engine to two sinks: the output, and the
 * capture writer of -w. */
#ifndef TL_SINK_TEE_H
#define TL_SINK_TEE_H

#include "tracer/engine/conn.h"

struct tl_sink_tee {
	struct tl_sink sink; /* give this to the engine */
	const struct tl_sink *first, *second;
};

/* tl_sink_tee_init: first sees each step before second. */
void tl_sink_tee_init(struct tl_sink_tee *t, const struct tl_sink *first,
		      const struct tl_sink *second);

#endif
