/* The kernel's ring buffer records (bpf/tcplife_http.h) checked and turned
 * into the engine's events: the one place that trusts the kernel ABI. */
#ifndef TL_EVENT_DECODE_H
#define TL_EVENT_DECODE_H

#include <linux/types.h>
#include <stddef.h>

#include "tracer/engine/engine.h"

/* tl_event_decode: validates a ring buffer record of size bytes and points ev
 * at it; ktime_offset_ns turns the kernel's monotonic stamps into epoch time.
 * Returns 0, or -EINVAL for a record that is not one of ours. */
int tl_event_decode(const void *data, size_t size, __u64 ktime_offset_ns, struct tl_event *ev);

#endif
