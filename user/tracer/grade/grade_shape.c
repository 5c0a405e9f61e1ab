/* Golden shapes: one JSON object per scenario (scenarios/NAME.json, and
 * README's "Lab scenarios"). A member not known is an error, so that a
 * teacher's typo cannot turn a check off unseen. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "tracer/grade/grade.h"

static int shape_bad(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int shape_bad(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A name from a fixed list. */
static int shape_word(json_t *v, const char *const *allowed, char *out)
{
	const char *s = json_string_value(v);

	for (size_t i = 0; s && allowed[i]; i++)
		if (!strcmp(s, allowed[i])) {
			snprintf(out, GRADE_WORD, "%s", s);
			return 0;
		}
	return -EINVAL;
}

static int shape_states(json_t *v, struct grade_shape *s)
{
	if (!json_is_object(v))
		return -EINVAL;
	for (int side = 0; side < 2; side++) {
		json_t *list = json_object_get(v, tl_side_name(side)), *e;
		size_t i;

		if (!list)
			continue;
		if (!json_is_array(list) || json_array_size(list) > GRADE_STATES)
			return -EINVAL;
		json_array_foreach(list, i, e)
		{
			const char *name = json_string_value(e);

			if (!name || strlen(name) >= GRADE_WORD)
				return -EINVAL;
			grade_copy(s->states[side][i], GRADE_WORD, name);
		}
		s->nstates[side] = json_array_size(list);
		s->has_states[side] = true;
	}
	return json_object_size(v) == (size_t)(s->has_states[0] + s->has_states[1]) ? 0 : -EINVAL;
}

static int shape_statuses(json_t *v, struct grade_shape *s)
{
	json_t *e;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > GRADE_STATUSES)
		return -EINVAL;
	json_array_foreach(v, i, e)
	{
		if (!json_is_integer(e) || json_integer_value(e) < 100 ||
		    json_integer_value(e) > 999)
			return -EINVAL;
		s->statuses[i] = (int)json_integer_value(e);
	}
	s->nstatuses = json_array_size(v);
	s->has_statuses = true;
	return 0;
}

static int shape_text(json_t *v, char *out, size_t size, bool nullable)
{
	if (json_is_null(v) && nullable) {
		*out = '\0';
		return 0;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) >= size)
		return -EINVAL;
	grade_copy(out, size, json_string_value(v));
	return 0;
}

static int shape_min(json_t *v, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -EINVAL;
	*out = json_integer_value(v);
	return 0;
}

static int shape_member(struct grade_shape *s, const char *key, json_t *v)
{
	static const char *const hs[] = {"complete", "refused", "failed", "unanswered", NULL};
	static const char *const framings[] = {"length", "chunked", "close", NULL};

	if (!strcmp(key, "scenario"))
		return shape_text(v, s->scenario, sizeof(s->scenario), false);
	if (!strcmp(key, "teaches") || !strcmp(key, "command"))
		return json_is_string(v) ? 0 : -EINVAL;
	if (!strcmp(key, "request")) {
		s->has_request = true;
		return shape_text(v, s->request, sizeof(s->request), true);
	}
	if (!strcmp(key, "handshake"))
		return shape_word(v, hs, s->handshake);
	if (!strcmp(key, "statuses"))
		return shape_statuses(v, s);
	if (!strcmp(key, "framing"))
		return shape_word(v, framings, s->framing);
	if (!strcmp(key, "complete"))
		return json_is_boolean(v) ? (s->complete = json_is_true(v), 0) : -EINVAL;
	if (!strcmp(key, "min_latency_ms")) {
		int64_t ms = -1;
		int err = shape_min(v, &ms);

		s->min_latency_ms = (double)ms;
		return err;
	}
	if (!strcmp(key, "min_body_bytes"))
		return shape_min(v, &s->min_body_bytes);
	if (!strcmp(key, "min_data_segments"))
		return shape_min(v, &s->min_data_segments);
	if (!strcmp(key, "closed_by"))
		return grade_side_word(v, TL_JSON_CLOSED_BY, s->closed_by);
	if (!strcmp(key, "reset_by"))
		return grade_side_word(v, TL_JSON_RESET_BY, s->reset_by);
	if (!strcmp(key, "time_wait"))
		return grade_side_word(v, TL_JSON_TIME_WAIT, s->time_wait);
	if (!strcmp(key, "states"))
		return shape_states(v, s);
	return -ENOENT;
}

int grade_shape_parse(const char *text, size_t len, struct grade_shape *s, char *err,
		      size_t err_size)
{
	json_error_t jerr;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *v;
	const char *key;
	int ret = 0;

	*s = (struct grade_shape){
	    .complete = -1, .min_latency_ms = -1, .min_body_bytes = -1, .min_data_segments = -1};
	if (!json_is_object(o)) {
		ret = o ? shape_bad(err, err_size, "not a JSON object")
			: shape_bad(err, err_size, "line %d: %s", jerr.line, jerr.text);
		json_decref(o);
		return ret;
	}
	json_object_foreach(o, key, v)
	{
		ret = shape_member(s, key, v);
		if (ret == -ENOENT) {
			char name[48];

			grade_copy(name, sizeof(name), key);
			ret = shape_bad(err, err_size, "unknown member \"%s\"", name);
		} else if (ret)
			ret = shape_bad(err, err_size, "member \"%s\" has a value it cannot have",
					key);
		if (ret)
			break;
	}
	if (!ret && !*s->scenario)
		ret = shape_bad(err, err_size, "no \"scenario\" name");
	json_decref(o);
	return ret;
}
