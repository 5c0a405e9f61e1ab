/* Hands every step of the engine to two sinks: the output, and one beside
 * it (the capture writer of -w, the report, the --json-file trace). */
#ifndef TL_SINK_TEE_H
#define TL_SINK_TEE_H

#include "tracer/engine/conn.h"

/* Where each sink beside the output keeps its sink_data on a tl_conn. */
enum tl_sink_slot {
	TL_SLOT_CAPTURE = 0,
	TL_SLOT_REPORT,
	TL_SLOT_JSON_FILE,
};
_Static_assert(TL_SLOT_JSON_FILE < TL_SINK_EXTRA, "a sink slot per tee in tl_conn");

struct tl_sink_tee {
	struct tl_sink sink; /* give this to the engine */
	const struct tl_sink *first, *second;
	enum tl_sink_slot slot;
};

/* tl_sink_tee_init: first sees each step before second. Each has a
 * tl_conn.sink_data of its own: second's is kept in c->sink_extra[slot]
 * between its calls, so two outputs that both keep per-connection data
 * (text and the report's JSON) do not read each other's. Tees nested in
 * one chain need distinct slots. */
void tl_sink_tee_init(struct tl_sink_tee *t, const struct tl_sink *first,
		      const struct tl_sink *second, enum tl_sink_slot slot);

#endif
