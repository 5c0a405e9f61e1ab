/* What a report draws: each connection's life as rows (segments, state
 * changes, HTTP messages), rebuilt from the --json trace's lines. A live
 * run, a capture (-r) and a saved trace all reach it through those lines,
 * so their reports agree by construction and the documented JSON is the
 * only contract between the engine and the drawings. */
#ifndef TL_REPORT_MODEL_H
#define TL_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/vec.h"

enum tl_rp_row_kind {
	TL_RP_SEG,
	TL_RP_STATE,
};

/* An HTTP message that began in a segment. */
struct tl_rp_http {
	bool request;
	char *line;	     /* "GET /x HTTP/1.1" or "HTTP/1.1 206 Partial Content" */
	int status;	     /* responses */
	double latency_ms;   /* request to first byte; < 0 unknown */
	double last_byte_ms; /* from the exchange line; < 0 unknown */
	uint64_t body_bytes;
	bool complete;
};

struct tl_rp_row {
	enum tl_rp_row_kind kind;
	uint8_t side; /* sender (TL_RP_SEG) or the socket's side; 0 client */
	int64_t t_us; /* since the epoch */
	/* TL_RP_SEG */
	char *flags; /* the JSON flags text: "SYN, ACK" */
	uint16_t flag_bits;
	uint32_t seq, ack, seq_raw, ack_raw, len;
	uint64_t win_scaled;
	char *options;		 /* Wireshark's option text, NULL when none */
	struct tl_rp_http *http; /* the message beginning here, or NULL */
	/* TL_RP_STATE */
	const char *state_old, *state_new; /* interned names */
	bool inferred;
};

struct tl_rp_proc {
	uint32_t pid; /* 0 unknown */
	char *comm;
};

struct tl_rp_conn {
	uint64_t id;
	char *ep[2]; /* "127.0.0.1:5555" */
	struct tl_rp_proc proc[2];
	struct tl_rp_row *rows;
	size_t nrows, cap;
	size_t nsegs;
	int64_t start_us, end_us;
	uint64_t bytes[2];
	uint32_t requests, responses;
	char *closed_by; /* "client", "server", "reset", NULL open */
	int time_wait;	 /* side, 2 both, -1 none */
	double tw_ms[2]; /* TIME_WAIT's measured length per side, < 0 unknown */
	bool tw_confirmed[2];
	bool ended;	/* its conn line was read */
	bool svg_stale; /* changed since its --svg file was written */
	bool incomplete, mid_stream, roles_guessed, open_at_exit, evicted;
};

struct tl_rp_model {
	struct vec conns; /* struct tl_rp_conn *, in the order they began */
	struct vec by_id; /* the same, indexed by conn id */
	uint64_t lost;	  /* events the kernel lost */
	char *source;	  /* the start line's file, or NULL */
	uint64_t version; /* counts changes to ended connections, which are drawn */
};

/* tl_rp_conn_at: connection i (< m->conns.n), in the order they began. */
static inline struct tl_rp_conn *tl_rp_conn_at(const struct tl_rp_model *m, size_t i)
{
	return vec_ptr_at(&m->conns, i);
}

/* tl_rp_model_line: reads one --json line. Returns 0 (lines of unknown
 * types are skipped), -EBADMSG for text that is not a JSON object, -EINVAL
 * for an event without its members, -ENOMEM. */
int tl_rp_model_line(struct tl_rp_model *m, const char *line, size_t len);
void tl_rp_model_free(struct tl_rp_model *m);

#endif
