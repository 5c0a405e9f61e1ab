/* The tracer's output formats: text timeline (default), --json, --summary.
 * Each is a struct tl_sink for the engine plus the run's first and last
 * records. */
#ifndef TL_OUTPUT_H
#define TL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "tracer/engine/conn.h"
#include "tracer/proto/http_headers.h"

/* Who the tracer runs as once set up (the start record's "privileges"). */
struct tl_privileges {
	const char *user;
	const char *const *caps; /* kept capabilities, as capabilities(7) names them */
	int ncaps;
	bool seccomp; /* the system-call filter is on */
};

/* -t: the text timeline's time column, as tshark's -t names them. */
enum tl_time_format {
	TL_TIME_CONN = 0, /* since the connection's first event (default) */
	TL_TIME_RELATIVE, /* r: since the trace's first segment */
	TL_TIME_DELTA,	  /* d: since the trace's previous segment */
};

/* --lang: the language of the text's summary and legend lines (the segment
 * lines keep Wireshark's notation in every language). */
enum tl_lang {
	TL_LANG_EN = 0,
	TL_LANG_ZH,
};

struct tl_start_info {
	__u64 ts_ns;
	const char *ifname;
	const __u16 *ports; /* the -p filter; nports 0 = every port */
	int nports;
	int family;				/* 0, AF_INET or AF_INET6 (-4/-6) */
	const char *tc_attach;			/* "tcx" or "clsact" */
	const char *state_attach;		/* "tp_btf", "raw_tp" or "tracepoint" */
	const char *owner_attach;		/* same, or "none" when sock_*_length is missing */
	bool both_directions;			/* ingress and egress hooked (not loopback) */
	const char *source_file;		/* -r FILE, else NULL */
	const struct tl_privileges *privileges; /* live tracing only, else NULL */
	/* The kernel facts' tracepoints not hooked, space-separated; "" or
	 * NULL when every one is. */
	const char *facts_missing;
	const char *write_file;		 /* -w FILE, else NULL: frame numbers cite it */
	enum tl_time_format time_format; /* the text timeline's time column */
	bool verbose;			 /* -v: TSval/TSecr and the hooks' names in text */
	enum tl_headers_mode headers;	 /* --headers: 0 when not given */
	bool why;			 /* --why: each state change's cause in text */
	enum tl_lang lang;		 /* --lang */
	bool live;			 /* --live: the text timeline's lines as they happen */
};

struct tl_stats_info {
	__u64 ts_ns;
	__u64 events;	      /* records received */
	__u64 lost;	      /* records the kernel could not queue */
	__u64 conns;	      /* connections seen */
	__u64 states_missing; /* lives whose sockets' last states never came */
};

struct tl_output {
	struct tl_sink sink;
	void (*start)(struct tl_output *o, const struct tl_start_info *info);
	/* More records were lost since the last call: total is the run's count. */
	void (*loss)(struct tl_output *o, __u64 ts_ns, __u64 total);
	void (*stats)(struct tl_output *o, const struct tl_stats_info *info);
	/* After each drain of the ring buffer: what the events made goes out
	 * in one write, within one poll interval of the events. */
	void (*flush)(struct tl_output *o);
	/* Optional: the first error writing a file of its own, -errno; 0 none. */
	int (*error)(struct tl_output *o);
	void (*free)(struct tl_output *o);
};

/* Newline-delimited JSON, one object per event, written by each flush. */
struct tl_output *tl_output_json_new(FILE *f);
/* One timeline block per connection when its life ends. */
struct tl_output *tl_output_text_new(FILE *f, bool color);
/* One line per connection, libbpf-tools tcplife's columns. */
struct tl_output *tl_output_summary_new(FILE *f);
/* --json-file: main, and beside it the run as JSON lines in the file at
 * path (created or truncated), as one output that owns main. NULL and
 * errno when the file cannot be made (main is still the caller's). */
struct tl_output *tl_output_json_file_new(struct tl_output *main, const char *path);

#endif
