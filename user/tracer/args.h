/* Command-line options of tcplife-http. */
#ifndef TL_ARGS_H
#define TL_ARGS_H

#include <linux/types.h>
#include <net/if.h>
#include <stdbool.h>

#include "common/parse_num.h"
#include "tcplife_http.h"
#include "tracer/kernel/tc_attach.h"
#include "tracer/output/output.h"

/* -w's snaplen: the default keeps the kernel's copy of a frame in the
 * ring buffer's middle size class (see README, Capture files); 0 on the
 * command line asks for whole frames, as tcpdump -s 0. */
#define TL_SNAPLEN_DEFAULT TL_DATA_CAP
#define TL_SNAPLEN_MIN 64
#define TL_SNAPLEN_MAX 262144

enum tl_format {
	TL_FORMAT_TEXT = 0,
	TL_FORMAT_JSON,
	TL_FORMAT_SUMMARY,
};

struct tl_args {
	char ifname[IF_NAMESIZE];
	__u16 ports[TL_MAX_PORTS];
	int nports;
	int family; /* 0, AF_INET, AF_INET6 */
	enum tl_format format;
	double duration_s; /* 0 = until a signal */
	bool verbose;
	__u32 ringbuf_bytes;
	__u64 idle_timeout_s;
	enum tl_tc_mode tc_mode;
	const char *state_hook; /* --state-hook: NULL = auto */
	int color;		/* -1 auto (a terminal), 0 never, 1 always */
	const char *write_path; /* -w: also write a pcapng capture */
	const char *read_path;	/* -r: read a capture instead of tracing */
	const char *user;	/* -Z: the user to become once set up; NULL: the default */
	bool no_sandbox;	/* --no-sandbox: no seccomp filter (for debugging) */
	const char *html_path;	/* --html: the ladder report, rewritten as lives end */
	const char *svg_dir;	/* --svg: one standalone SVG per connection */
	enum tl_time_format time_format;
	enum tl_headers_mode headers; /* --headers[=all] */
	bool why;		      /* --why */
	enum tl_lang lang;	      /* --lang */
	const char *json_path;	      /* --json-file: also write the JSON trace there */
	__u32 snaplen;		      /* --snaplen: bytes of each frame -w keeps */
	bool snaplen_set;
	bool live;	/* --live: each timeline line as it happens */
	bool no_status; /* --no-status: no status line on a terminal */
};

/* tl_args_parse: fills a from argv; true to run, false when the program ends here, with
 * *status: 0 after --help or --version, 2 after a bad option (said on
 * stderr in one line). */
bool tl_args_parse(int argc, char **argv, struct tl_args *a, int *status);

#endif
