/* grade: a shape's checks against lives read from --json lines, and the
 * shape file's errors. Each row is a shape, a trace, and how many checks
 * must fail, with a line the output must hold. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracer/grade/grade.h"
#include "tracer/output/json_member.h"
#include "unit.h"

/* A server-close life as a live trace gives it, one line per event. */
#define LIFE_SERVER_CLOSE                                                                          \
	"{\"type\":\"start\",\"interface\":\"lo\"}\n"                                              \
	"{\"type\":\"state\",\"conn\":1,\"side\":\"client\",\"old\":\"CLOSE\",\"new\":\"SYN_"      \
	"SENT\"}\n"                                                                                \
	"{\"type\":\"state\",\"conn\":1,\"side\":\"client\",\"new\":\"ESTABLISHED\"}\n"            \
	"{\"type\":\"state\",\"conn\":1,\"side\":\"server\",\"new\":\"SYN_RECV\"}\n"               \
	"{\"type\":\"state\",\"conn\":1,\"side\":\"server\",\"new\":\"ESTABLISHED\"}\n"            \
	"{\"type\":\"http\",\"conn\":1,\"dir\":\"request\",\"method\":\"GET\",\"uri\":\"/x\"}\n"   \
	"{\"type\":\"packet\",\"conn\":1,\"dir\":\"s2c\",\"len\":300}\n"                           \
	"{\"type\":\"http\",\"conn\":1,\"dir\":\"response\",\"status\":200,"                       \
	"\"content_length\":10,\"latency_ms\":0.2}\n"                                              \
	"{\"type\":\"exchange\",\"conn\":1,\"body_bytes\":10,\"complete\":true}\n"                 \
	"{\"type\":\"state\",\"conn\":1,\"side\":\"server\",\"new\":\"FIN_WAIT1\"}\n"              \
	"{\"type\":\"state\",\"conn\":1,\"side\":\"server\",\"new\":\"FIN_WAIT2\"}\n"              \
	"{\"type\":\"state\",\"conn\":1,\"side\":\"server\",\"new\":\"TIME_WAIT\"}\n"              \
	"{\"type\":\"conn\",\"conn\":1,\"closed_by\":\"server\",\"time_wait\":\"server\","         \
	"\"reset_by\":null,\"handshake\":\"complete\"}\n"

static const struct {
	int line;
	const char *desc;
	const char *shape;
	const char *trace;
	int failed;
	const char *want; /* a line of the output */
} rows[] = {
    {__LINE__, "every fact as shown",
     "{\"scenario\":\"s\",\"request\":\"GET /x\","
     "\"statuses\":[200],\"framing\":\"length\",\"complete\":true,\"closed_by\":\"server\","
     "\"time_wait\":\"server\",\"reset_by\":null,\"min_data_segments\":1}",
     LIFE_SERVER_CLOSE, 0, "time_wait: PASS expected server, saw server\n"},
    {__LINE__, "states in order, others between",
     "{\"scenario\":\"s\",\"states\":{\"server\":"
     "[\"SYN_RECV\",\"FIN_WAIT1\",\"TIME_WAIT\"]}}",
     LIFE_SERVER_CLOSE, 0,
     "states server: PASS expected SYN_RECV FIN_WAIT1 TIME_WAIT, saw SYN_RECV ESTABLISHED "
     "FIN_WAIT1 FIN_WAIT2 TIME_WAIT\n"},
    {__LINE__, "states out of order fail",
     "{\"scenario\":\"s\",\"states\":{\"server\":"
     "[\"TIME_WAIT\",\"FIN_WAIT1\"]}}",
     LIFE_SERVER_CLOSE, 1, "states server: FAIL "},
    {__LINE__, "the wrong closer", "{\"scenario\":\"s\",\"closed_by\":\"client\"}",
     LIFE_SERVER_CLOSE, 1, "closed by: FAIL expected client, saw server\n"},
    {__LINE__, "a lower bound not reached", "{\"scenario\":\"s\",\"min_latency_ms\":400}",
     LIFE_SERVER_CLOSE, 1, "latency: FAIL expected at least 400 ms, saw 0.200 ms\n"},
    {__LINE__, "no such request: one failure, nothing else",
     "{\"scenario\":\"s\","
     "\"request\":\"GET /y\",\"closed_by\":\"client\"}",
     LIFE_SERVER_CLOSE, 1,
     "connection: FAIL expected a connection whose first request is GET /y, saw none of 1 "
     "connections\n"},
    {__LINE__, "a capture skips states",
     "{\"scenario\":\"s\",\"states\":{\"client\":"
     "[\"SYN_SENT\"]}}",
     "{\"type\":\"start\",\"file\":\"x.pcap\"}\n"
     "{\"type\":\"conn\",\"conn\":1,\"closed_by\":null,\"time_wait\":null,\"handshake\":null}\n",
     0, "states client: SKIP a capture has no socket states\n"},
    {__LINE__, "a control byte in a URI is escaped", "{\"scenario\":\"s\"}",
     "{\"type\":\"http\",\"conn\":3,\"dir\":\"request\",\"method\":\"GET\","
     "\"uri\":\"/a\\nb: FAIL \\u001b\"}\n",
     0, "saw #3 GET /a\\x0ab: FAIL \\x1b\n"},
};

static int trace_of(const char *text, struct grade_trace *t)
{
	int err = 0;

	while (*text && !err) {
		size_t len = strcspn(text, "\n") + 1;

		err = grade_trace_line(t, text, len);
		text += len;
	}
	return err;
}

static void check_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct grade_trace t = {0};
		struct grade_shape s;
		char err[160], *out = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&out, &size);
		int failed = -1;

		if (f &&
		    !grade_shape_parse(rows[i].shape, strlen(rows[i].shape), &s, err,
				       sizeof(err)) &&
		    !trace_of(rows[i].trace, &t))
			failed = grade_check(&s, &t, f);
		if (f)
			fclose(f);
		UNIT_CHECK_AT(rows[i].line, failed == rows[i].failed && strstr(out, rows[i].want),
			      "grade %s (%d failed)", rows[i].desc, failed);
		free(out);
		grade_trace_free(&t);
	}
}

static const struct {
	int line;
	const char *shape;
	const char *err;
} bad_shapes[] = {
    {__LINE__, "[]", "not a JSON object"},
    {__LINE__, "{\"scenario\":\"s\",\"close_by\":\"server\"}", "unknown member \"close_by\""},
    {__LINE__, "{\"scenario\":\"s\",\"closed_by\":\"nobody\"}",
     "member \"closed_by\" has a value it cannot have"},
    {__LINE__, "{\"scenario\":\"s\",\"statuses\":[99]}",
     "member \"statuses\" has a value it cannot have"},
    {__LINE__, "{\"scenario\":\"s\",\"states\":{\"middle\":[]}}",
     "member \"states\" has a value it cannot have"},
    {__LINE__, "{\"closed_by\":\"server\"}", "no \"scenario\" name"},
    {__LINE__, "{\"scenario\":\"s\",\"\\u0007\":1}", "unknown member \"\\x07\""},
};

static void check_bad_shapes(void)
{
	for (size_t i = 0; i < sizeof(bad_shapes) / sizeof(bad_shapes[0]); i++) {
		struct grade_shape s;
		char err[160] = "";
		int ret = grade_shape_parse(bad_shapes[i].shape, strlen(bad_shapes[i].shape), &s,
					    err, sizeof(err));

		UNIT_CHECK_AT(bad_shapes[i].line, ret == -EINVAL && !strcmp(err, bad_shapes[i].err),
			      "bad shape: %s (got \"%s\")", bad_shapes[i].err, err);
	}
}

static void check_bad_lines(void)
{
	struct grade_trace t = {0};
	char line[128];
	size_t n;

	UNIT_CHECK(grade_trace_line(&t, "{oops", 5) == -EBADMSG, "a cut line: not a JSON object");
	UNIT_CHECK(grade_trace_line(&t, "{\"type\":\"state\",\"conn\":1}", 25) == -EINVAL,
		   "a state without its side: an event without its members");
	UNIT_CHECK(grade_trace_line(&t, "{\"type\":\"future\"}", 17) == 0,
		   "an unknown type is skipped");
	snprintf(line, sizeof(line), "{\"type\":\"packet\",\"conn\":%u,\"dir\":\"c2s\",\"len\":0}",
		 TL_JSON_CONN_ID_MAX + 1);
	n = t.lives.n;
	UNIT_CHECK(
	    grade_trace_line(&t, line, strlen(line)) == -EINVAL && t.lives.n == n,
	    "a conn id past the readers' largest is refused, as compare and report refuse it");
	grade_trace_free(&t);
}

/* Events reach their own connection's life however many began since (and
 * conn 0, and the largest id the readers take, are connections like the
 * others), and the lives stay in the order they began. */
static void check_many_lives(void)
{
	static const uint64_t firsts[] = {TL_JSON_CONN_ID_MAX, 0};
	struct grade_trace t = {0};
	bool ok = true;
	char line[160];
	int err = 0;

	for (size_t k = 0; k < 2; k++) {
		snprintf(line, sizeof(line),
			 "{\"type\":\"http\",\"conn\":%llu,\"dir\":\"request\",\"method\":\"GET\","
			 "\"uri\":\"/%llu\"}",
			 (unsigned long long)firsts[k], (unsigned long long)firsts[k]);
		err |= grade_trace_line(&t, line, strlen(line));
	}
	for (unsigned id = 1; id <= 300; id++) {
		snprintf(line, sizeof(line),
			 "{\"type\":\"http\",\"conn\":%u,\"dir\":\"request\",\"method\":\"GET\","
			 "\"uri\":\"/%u\"}",
			 id, id);
		err |= grade_trace_line(&t, line, strlen(line));
	}
	/* Answered newest first: the oldest are found past all the others. */
	for (unsigned id = 301; id-- > 0;) {
		snprintf(line, sizeof(line),
			 "{\"type\":\"http\",\"conn\":%u,\"dir\":\"response\",\"status\":%u}", id,
			 200 + id % 100);
		err |= grade_trace_line(&t, line, strlen(line));
	}
	for (size_t k = 0; !err && k < t.lives.n; k++) {
		const struct grade_life *l = vec_ptr_at(&t.lives, k);
		uint64_t id = k < 2 ? firsts[k] : k - 1;
		char uri[32];

		snprintf(uri, sizeof(uri), "GET /%llu", (unsigned long long)id);
		ok &= l->conn == id && !strcmp(l->request, uri) &&
		      l->nstatuses == (id == TL_JSON_CONN_ID_MAX ? 0u : 1u) &&
		      (id == TL_JSON_CONN_ID_MAX || l->statuses[0] == (int)(200 + id % 100));
	}
	UNIT_CHECK(!err && t.lives.n == 302 && ok,
		   "302 connections: each event reached its own life, in the order they began");
	grade_trace_free(&t);
}

int main(void)
{
	check_rows();
	check_bad_shapes();
	check_bad_lines();
	check_many_lives();
	return unit_done();
}
