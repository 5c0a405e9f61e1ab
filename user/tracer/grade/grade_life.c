/* The lives of a trace, as far as grading needs them, from the documented
 * --json lines: a capture reaches them through the same lines (the engine
 * writes them), so a trace and a capture are graded by one reader. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/vec.h"
#include "tracer/grade/grade.h"
#include "tracer/output/json_contract.h"
#include "tracer/output/json_member.h"

void grade_copy(char *out, size_t size, const char *in)
{
	size_t len = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		bool ctl = *p < 0x20 || *p == 0x7f;

		if (len + (ctl ? 4 : 1) >= size)
			break;
		if (ctl)
			len += (size_t)snprintf(out + len, size - len, "\\x%02x", *p);
		else
			out[len++] = (char)*p;
	}
	out[len] = '\0';
}

/* A member's text, or "none" for null; -EINVAL for another type. */
static int life_word(json_t *o, const char *key, char *out)
{
	json_t *v = json_object_get(o, key);

	if (json_is_null(v)) {
		snprintf(out, GRADE_WORD, "none");
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	grade_copy(out, GRADE_WORD, json_string_value(v));
	return 0;
}

int grade_side_word(json_t *v, enum tl_json_side_member m, char *out)
{
	int side;

	if (tl_json_side_value(v, m, &side))
		return -EINVAL;
	snprintf(out, GRADE_WORD, "%s", side < 0 ? "none" : tl_json_side_word(m, side));
	return 0;
}

/* The life of connection id, made at its first event: found through the
 * index, as every event looks its connection up and a long-lived one would
 * otherwise be searched for past every later connection. */
static struct grade_life *life_of(struct grade_trace *t, uint32_t id)
{
	bool created;
	struct grade_life *l = vec_by_id(&t->lives, &t->by_id, id, sizeof(*l), &created);

	if (l && created) {
		l->conn = id;
		l->latency_ms = -1;
	}
	return l;
}

static int life_packet(struct grade_life *l, json_t *o)
{
	uint64_t len;
	int from;

	if (tl_json_member_side(o, TL_JSON_DIR, &from) ||
	    tl_json_member_uint(o, TL_JM(len), UINT32_MAX, &len))
		return -EINVAL;
	if (len && from == TL_SERVER)
		l->data_segments++;
	return 0;
}

static int life_state(struct grade_life *l, json_t *o)
{
	const char *new_state = json_string_value(json_object_get(o, TL_JM(new)));
	int side;

	if (!new_state || tl_json_member_side(o, TL_JSON_SIDE, &side))
		return -EINVAL;
	if (l->nstates[side] < GRADE_STATES)
		grade_copy(l->states[side][l->nstates[side]++], GRADE_WORD, new_state);
	return 0;
}

/* How the body's end is told (RFC 9112 section 6.3): chunked wins over a
 * length; neither, and the connection's close ends it. */
static void life_framing(struct grade_life *l, json_t *o)
{
	const char *te = json_string_value(json_object_get(o, TL_JM(transfer_encoding)));

	if (te && strstr(te, "chunked"))
		snprintf(l->framing, GRADE_WORD, "chunked");
	else if (json_object_get(o, TL_JM(content_length)))
		snprintf(l->framing, GRADE_WORD, "length");
	else
		snprintf(l->framing, GRADE_WORD, "close");
}

static int life_http(struct grade_life *l, json_t *o)
{
	const char *dir = json_string_value(json_object_get(o, TL_JM(dir)));
	json_t *status = json_object_get(o, TL_JM(status)),
	       *lat = json_object_get(o, TL_JM(latency_ms));

	if (dir && !strcmp(dir, "request")) {
		const char *method = json_string_value(json_object_get(o, TL_JM(method)));
		const char *uri = json_string_value(json_object_get(o, TL_JM(uri)));
		char line[GRADE_REQUEST];

		if (!method || !uri)
			return -EINVAL;
		snprintf(line, sizeof(line), "%s %s", method, uri);
		if (!*l->request)
			grade_copy(l->request, sizeof(l->request), line);
		return 0;
	}
	if (!dir || strcmp(dir, "response") || !json_is_integer(status))
		return -EINVAL;
	if (l->nstatuses == 0) {
		life_framing(l, o);
		l->latency_ms = json_is_number(lat) ? json_number_value(lat) : -1;
	}
	if (l->nstatuses < GRADE_STATUSES)
		l->statuses[l->nstatuses++] = (int)json_integer_value(status);
	return 0;
}

static int life_exchange(struct grade_life *l, json_t *o)
{
	uint64_t body;

	if (tl_json_member_uint(o, TL_JM(body_bytes), UINT64_MAX, &body) ||
	    !json_is_boolean(json_object_get(o, TL_JM(complete))))
		return -EINVAL;
	if (l->exchanged)
		return 0;
	l->exchanged = true;
	l->body_bytes = body;
	l->complete = json_is_true(json_object_get(o, TL_JM(complete)));
	return 0;
}

static int life_end(struct grade_life *l, json_t *o)
{
	json_t *reset_by = json_object_get(o, TL_JM(reset_by));

	if (grade_side_word(json_object_get(o, TL_JM(closed_by)), TL_JSON_CLOSED_BY,
			    l->closed_by) ||
	    grade_side_word(json_object_get(o, TL_JM(time_wait)), TL_JSON_TIME_WAIT,
			    l->time_wait) ||
	    life_word(o, TL_JM(handshake), l->handshake))
		return -EINVAL;
	/* reset_by came later than the others: an older trace may lack it. */
	if (reset_by && grade_side_word(reset_by, TL_JSON_RESET_BY, l->reset_by))
		return -EINVAL;
	return 0;
}

static int life_event(struct grade_trace *t, const char *type, json_t *o)
{
	static const struct {
		const char *type;
		int (*read)(struct grade_life *l, json_t *o);
	} readers[] = {
	    {"packet", life_packet},	 {"state", life_state}, {"http", life_http},
	    {"exchange", life_exchange}, {"conn", life_end},
	};
	struct grade_life *l;
	uint32_t id;

	for (size_t i = 0; i < ARRAY_SIZE(readers); i++) {
		if (strcmp(type, readers[i].type))
			continue;
		if (tl_json_member_conn(o, &id))
			return -EINVAL;
		l = life_of(t, id);
		return l ? readers[i].read(l, o) : -ENOMEM;
	}
	/* A capture's start line names its file: its lives have no states. */
	if (!strcmp(type, "start"))
		t->capture = json_is_string(json_object_get(o, TL_JM(file)));
	return 0;
}

int grade_trace_line(struct grade_trace *t, const char *line, size_t len)
{
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	const char *type;
	int err;

	if (!json_is_object(o)) {
		json_decref(o);
		return -EBADMSG;
	}
	type = json_string_value(json_object_get(o, TL_JM(type)));
	err = type ? life_event(t, type, o) : -EINVAL;
	json_decref(o);
	return err;
}

void grade_trace_free(struct grade_trace *t)
{
	for (size_t i = 0; i < t->lives.n; i++)
		free(vec_ptr_at(&t->lives, i));
	free(t->lives.items);
	free(t->by_id.items);
	*t = (struct grade_trace){0};
}
