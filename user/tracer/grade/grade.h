/* `tcplife-http grade SCENARIO INPUT`: does a student's trace (--json) or
 * capture show the life a lab scenario should give? Its golden shape
 * (scenarios/NAME.json) names facts, not numbers: the handshake, the
 * statuses, how the body ended, who closed, who holds TIME_WAIT, a RST or
 * not, the states each side went through, and lower bounds where a number
 * is the lesson (a slow answer's latency, a large body's segments). */
#ifndef TL_GRADE_H
#define TL_GRADE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/vec.h"
#include "tracer/output/json_member.h"

#define GRADE_WORD 16	  /* a state, side or framing name */
#define GRADE_STATES 24	  /* states kept per side */
#define GRADE_STATUSES 8  /* responses kept per connection */
#define GRADE_REQUEST 160 /* "GET /lab/slow" */

/* What one connection's life showed, from the --json lines. Names are the
 * JSON's; a JSON null reads "none", a member never seen "". */
struct grade_life {
	uint64_t conn;
	char request[GRADE_REQUEST]; /* its first request; "" none */
	int statuses[GRADE_STATUSES];
	size_t nstatuses;
	char framing[GRADE_WORD]; /* the first response's body end: length, chunked, close */
	double latency_ms;	  /* the first response's; < 0 unknown */
	bool exchanged;		  /* the first exchange line came */
	bool complete;		  /* its body arrived whole */
	uint64_t body_bytes;
	uint64_t data_segments;			  /* server to client, with payload */
	char states[2][GRADE_STATES][GRADE_WORD]; /* [client, server]: each new state */
	size_t nstates[2];
	char handshake[GRADE_WORD];
	char closed_by[GRADE_WORD];
	char reset_by[GRADE_WORD];
	char time_wait[GRADE_WORD];
};

struct grade_trace {
	struct vec lives; /* struct grade_life *, in the order they began */
	struct vec by_id; /* the same, indexed by connection id */
	bool capture;	  /* read from a capture: packets only, no socket states */
};

/* Copies text from a trace or a shape into out[size], control bytes
 * written \xNN: a hostile URI cannot drive the terminal, nor end a check's
 * line early. Cut short rather than overrun. */
void grade_copy(char *out, size_t size, const char *in);

/* A side word (output/json_member.h's rule for member m), the trace's or
 * a shape's, into out[GRADE_WORD]: null reads "none". -EINVAL for any
 * other value. */
int grade_side_word(json_t *v, enum tl_json_side_member m, char *out);

/* One --json line: 0 (unknown types are skipped), -EBADMSG for text that
 * is not a JSON object, -EINVAL for an event without its members, -ENOMEM. */
int grade_trace_line(struct grade_trace *t, const char *line, size_t len);
void grade_trace_free(struct grade_trace *t);

/* A golden shape. Empty strings, negative bounds, complete < 0 and
 * has_* false are not checked. */
struct grade_shape {
	char scenario[64];
	bool has_request;
	char request[GRADE_REQUEST]; /* "" (null): the connection that sent none */
	char handshake[GRADE_WORD];
	bool has_statuses;
	int statuses[GRADE_STATUSES];
	size_t nstatuses;
	char framing[GRADE_WORD];
	int complete;
	double min_latency_ms;
	int64_t min_body_bytes;
	int64_t min_data_segments;
	char closed_by[GRADE_WORD];
	char reset_by[GRADE_WORD];
	char time_wait[GRADE_WORD];
	bool has_states[2];
	char states[2][GRADE_STATES][GRADE_WORD];
	size_t nstates[2];
};

/* Parses a shape file's text: 0, or -EINVAL with a one-line reason in err. */
int grade_shape_parse(const char *text, size_t len, struct grade_shape *s, char *err,
		      size_t err_size);

/* Picks the connection the shape is about, prints one line per check
 * ("name: PASS expected X, saw Y" or FAIL) and returns how many failed. */
int grade_check(const struct grade_shape *s, const struct grade_trace *t, FILE *out);

/* tl_grade_main: argv[0] is "grade". 0 when every check passed, 1 when
 * one failed, 2 on bad input. */
int tl_grade_main(int argc, char **argv);

#endif
